import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FACE_MODEL_BUILDERS } from '../../companion/analysis/emotion/faceapi-graphs';
import { ensureModel, modelRecord, sha256Hex } from '../../companion/analysis/onnx/model-catalogue';
import { encodeModel, OnnxGraphBuilder } from '../../companion/analysis/onnx/onnx-writer';
import { cudaAvailable, ort, SessionPool } from '../../companion/analysis/onnx/session-pool';
import { scratchDir } from '../support/paths';

const dir = scratchDir('session-pool');

function addModel(): Uint8Array {
  const g = new OnnxGraphBuilder('add');
  g.input('x', ['n', 3]);
  g.op('Add', ['x', g.constant('one', [3], Float32Array.from([1, 2, 3]))], {}, 'y');
  g.output('y', ['n', 3]);
  return encodeModel(g, { metadata: { purpose: 'test' } });
}

test('our protobuf writer produces a model onnxruntime runs, byte-for-byte the same each time', async () => {
  const bytes = addModel();
  assert.equal(sha256Hex(bytes), sha256Hex(addModel()));
  const path = join(dir, 'add.onnx');
  writeFileSync(path, bytes);
  const pool = new SessionPool();
  const session = await pool.acquire(path);
  assert.equal(session.provider, 'cpu');
  assert.deepEqual(session.inputNames, ['x']);
  const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 1, 1, 5, 5, 5]), [2, 3]) });
  assert.deepEqual(Array.from(out['y']!.data as Float32Array), [2, 3, 4, 6, 7, 8]);
  assert.equal(await pool.acquire(path), session, 'the pool shares one session per file');
  const auto = await pool.acquire(path, { device: 'auto' });
  assert.ok(auto.provider === 'cpu' || auto.provider === 'cuda');
  if (!cudaAvailable()) assert.equal(auto.provider, 'cpu', "'auto' falls back to CPU where this runtime has no CUDA");
  const autoOut = await auto.run({ x: new ort.Tensor('float32', Float32Array.from([1, 1, 1]), [1, 3]) });
  assert.deepEqual(Array.from(autoOut['y']!.data as Float32Array), [2, 3, 4], 'the same model on whichever provider');
  const parallel = await Promise.all([1, 2, 3].map((v) => session.run({ x: new ort.Tensor('float32', Float32Array.from([v, v, v]), [1, 3]) })));
  assert.deepEqual(parallel.map((o) => (o['y']!.data as Float32Array)[0]), [2, 3, 4]);
  await pool.dispose();
});

test('a missing model file is AM_ERR_MODEL_MISSING and a corrupt one AM_ERR_MODEL_INVALID', async () => {
  const pool = new SessionPool();
  await assert.rejects(pool.acquire(join(dir, 'nope.onnx')), { code: 'AM_ERR_MODEL_MISSING' });
  const bad = join(dir, 'bad.onnx');
  writeFileSync(bad, Buffer.from('garbage'));
  await assert.rejects(pool.acquire(bad), { code: 'AM_ERR_MODEL_INVALID' });
  await pool.dispose();
});

test('a converted model is built on demand when missing and rebuilt when its file is corrupt', () => {
  const out = scratchDir('models');
  const first = ensureModel('faceapi-expression', FACE_MODEL_BUILDERS, out);
  assert.equal(first.converted, true);
  assert.equal(sha256Hex(readFileSync(first.path)), modelRecord('faceapi-expression').sha256);
  assert.equal(ensureModel('faceapi-expression', FACE_MODEL_BUILDERS, out).converted, false);
  writeFileSync(first.path, 'corrupt');
  const again = ensureModel('faceapi-expression', FACE_MODEL_BUILDERS, out);
  assert.equal(again.converted, true);
  assert.equal(sha256Hex(readFileSync(again.path)), modelRecord('faceapi-expression').sha256);
  assert.throws(() => ensureModel('faceapi-expression', { 'faceapi-expression': () => new Uint8Array([1, 2, 3]) }, scratchDir('models-bad')), { code: 'AM_ERR_MODEL_INVALID' });
  assert.throws(() => ensureModel('yamnet', FACE_MODEL_BUILDERS, out), { code: 'AM_ERR_MODEL_MISSING' });
});
