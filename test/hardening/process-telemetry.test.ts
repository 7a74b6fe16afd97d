import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { scratchDir } from '../support/paths';
import { readTrace, smallInputs, startCli, straceMissing, type SmallInputs } from './process-support';

const straceProblem = straceMissing();
let inputs: SmallInputs;
before(async () => {
  inputs = await smallInputs(scratchDir('telemetry-inputs'));
});

test('a montage under strace looks nothing up on the network and writes only to its output, cache and temp folders (ONNX Runtime telemetry is off)', { skip: straceProblem, timeout: 240_000 }, async () => {
  const root = scratchDir('telemetry');
  const home = join(root, 'home');
  const tmp = join(root, 'tmp');
  const out = join(root, 'out');
  const traceDir = join(root, 'trace');
  for (const dir of [home, tmp]) mkdirSync(dir);
  // A user's environment: a fresh HOME, no XDG overrides, and no telemetry switch of their own.
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: home, TMPDIR: tmp, LANG: 'C.UTF-8' };
  const cli = startCli(['montage', '--movie', inputs.movie, '--music', inputs.music, '--music-range', '0:16', '--out', out, '--json'], { env, traceDir });
  const run = await cli.done;
  assert.equal(run.code, 0, run.stderr);

  const trace = readTrace(traceDir, [out, join(home, '.cache', 'auto-montage'), tmp, '/dev', '/proc']);
  assert.ok(trace.opened.some((path) => path.endsWith('.onnx')), 'the run loaded ONNX models, so ONNX Runtime created its environment');
  assert.deepEqual(trace.lookups, [], 'no DNS lookup or non-loopback connection');
  assert.deepEqual(trace.writesOutside, [], 'nothing written outside the output, cache and temp folders (no ~/.cache/Microsoft, no /tmp/mat-debug-*.log)');
});
