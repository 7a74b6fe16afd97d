import assert from 'node:assert/strict';
import { chmodSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { scratchDir } from '../support/paths';
import { permissionChecksMissing, smallInputs, startCliAsUser, type SmallInputs } from './process-support';

// Root reads a mode-000 file anyway: as root the CLI runs as "nobody" (setpriv), so the check still means something.
const skip = permissionChecksMissing();

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

for (const cache of [true, false]) {
  test(`an unreadable (mode 000) movie is AM_ERR_MEDIA_UNREADABLE naming the file, not an internal error (${cache ? 'with' : 'without'} the analysis cache)`, { skip, timeout: 60_000 }, async () => {
    const out = join(dir, `out-${cache}`);
    const run = await startCliAsUser(['montage', '--movie', movie, '--music', inputs.music, '--out', out, ...(cache ? [] : ['--no-cache'])], dir).done;
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, new RegExp(`^AM_ERR_MEDIA_UNREADABLE: (The movie file )?${movie.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be read: permission denied\\.`, 'm'));
  });
}
