import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { scratchDir } from '../support/paths';
import { smallInputs, startCli, type SmallInputs } from './process-support';

// Root reads a mode-000 file anyway. As root the CLI runs as "nobody" through setpriv, so the check still
// means something; without setpriv it cannot.
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
const setprivMissing = asRoot && spawnSync('setpriv', ['--version']).status !== 0;
const skip = process.platform === 'win32' ? 'POSIX modes only' : setprivMissing ? 'running as root, where a mode-000 file is still readable, and setpriv (to run as another user) is absent' : undefined;

let dir: string;
let inputs: SmallInputs;
let movie: string;
before(async () => {
  dir = scratchDir('unreadable');
  chmodSync(dir, 0o755); // another user must reach the inputs
  inputs = await smallInputs(join(dir, 'inputs'));
  movie = join(dir, 'inputs', 'locked.mp4');
  copyFileSync(inputs.movie, movie);
  chmodSync(movie, 0o000);
});

/** The CLI as this user, or as nobody with a HOME of its own when we are root. */
function cliAsUser(args: string[]) {
  const home = join(dir, `home-${Math.random().toString(36).slice(2)}`);
  mkdirSync(home, { mode: 0o755 });
  const env = { PATH: process.env['PATH'], HOME: home, TMPDIR: home, LANG: 'C.UTF-8' };
  if (!asRoot) return startCli(args, { env });
  chownSync(home, NOBODY, NOBODY);
  return startCli(args, { env, asUser: NOBODY });
}

for (const cache of [true, false]) {
  test(`an unreadable (mode 000) movie is AM_ERR_MEDIA_UNREADABLE naming the file, not an internal error (${cache ? 'with' : 'without'} the analysis cache)`, { skip, timeout: 60_000 }, async () => {
    const out = join(dir, `out-${cache}`);
    const run = await cliAsUser(['montage', '--movie', movie, '--music', inputs.music, '--out', out, ...(cache ? [] : ['--no-cache'])]).done;
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, new RegExp(`^AM_ERR_MEDIA_UNREADABLE: (The movie file )?${movie.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be read: permission denied\\.`, 'm'));
  });
}
