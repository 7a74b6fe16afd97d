import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { scratchDir } from '../support/paths';
import { smallInputs, straceMissing, tracedMontage, type SmallInputs } from './process-support';

const straceProblem = straceMissing();
let inputs: SmallInputs;
before(async () => {
  inputs = await smallInputs(scratchDir('telemetry-inputs'));
});

test('a montage under strace looks nothing up on the network and writes only to its output, cache and temp folders (ONNX Runtime telemetry is off)', { skip: straceProblem, timeout: 240_000 }, async () => {
  const { run, trace } = await tracedMontage(inputs, scratchDir('telemetry'));
  assert.equal(run.code, 0, run.stderr);
  assert.ok(trace.opened.some((path) => path.endsWith('.onnx')), 'the run loaded ONNX models, so ONNX Runtime created its environment');
  assert.deepEqual(trace.lookups, [], 'no DNS lookup or non-loopback connection');
  assert.deepEqual(trace.writesOutside, [], 'nothing written outside the output, cache and temp folders (no ~/.cache/Microsoft, no /tmp/mat-debug-*.log)');
});
