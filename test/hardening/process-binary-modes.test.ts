import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, scratchDir } from '../support/paths';
import { permissionChecksMissing, runningAsRoot, startCliAsUser } from './process-support';

const posixOnly = process.platform === 'win32' ? 'POSIX modes only' : undefined;

/** A stand-in binary as the npm ffprobe ships: rwx for its owner, r for everyone else. */
function ownerOnlyBinary(dir: string): string {
  const path = join(dir, 'ffprobe');
  writeFileSync(path, '#!/bin/sh\nexit 0\n');
  chmodSync(path, runningAsRoot ? 0o744 : 0o644); // as root the CLI runs as nobody, for whom 0744 is not executable
  return path;
}

test('the install step (scripts/fix-binary-modes.mjs, run by the build on npm ci) makes a 0744 binary executable by every user', { skip: posixOnly }, () => {
  const dir = scratchDir('binary-modes');
  const binary = join(dir, 'ffprobe');
  writeFileSync(binary, '#!/bin/sh\nexit 0\n');
  chmodSync(binary, 0o744);
  const run = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'fix-binary-modes.mjs'), binary], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(statSync(binary).mode & 0o777, 0o755);
});

test('an ffprobe this user may not run is AM_ERR_FFMPEG_NOT_FOUND saying so and how to fix it', { skip: permissionChecksMissing(), timeout: 60_000 }, async () => {
  const dir = scratchDir('binary-modes-user');
  chmodSync(dir, 0o755);
  const ffprobe = ownerOnlyBinary(dir);
  const music = join(dir, 'music.m4a');
  writeFileSync(music, 'not looked at: the probe fails to start first'); // readable by every user
  const run = await startCliAsUser(['analyse-music', music], dir, { FFPROBE_PATH: ffprobe }).done;
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, new RegExp(`^AM_ERR_FFMPEG_NOT_FOUND: ${ffprobe} is not executable by this user; run chmod a\\+x ${ffprobe}`, 'm'));
});
