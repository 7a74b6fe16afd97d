import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { ort } from '../../companion/analysis/onnx/session-pool'; // telemetry off, as in the product
import {
  EXPRESSION_MEAN_RGB,
  FACE_MODEL_BUILDERS,
  TINY_FACE_MEAN_RGB,
  buildExpressionModel,
  buildTinyFaceDetectorModel,
  decodeTinyFaceGrid,
  faceApiModelDir,
} from '../../companion/analysis/emotion/faceapi-graphs';
import { letterboxInto } from '../../companion/analysis/emotion/image-ops';
import { modelRecord, sha256Hex } from '../../companion/analysis/onnx/model-catalogue';
import { readTfjsWeights } from '../../companion/analysis/onnx/tfjs-weights';
import { extractFrames } from '../../companion/media/frames';
import { filmDir, sharedDir } from '../support/paths';

// The reference: face-api's own TF.js runtime (its Node build on @tensorflow/tfjs) on the pure-JS CPU backend.
const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
let faceapi: Any;
let tf: Any;
let expressionSession: ort.InferenceSession;
let detectorSession: ort.InferenceSession;
let expressionBytes: Uint8Array;
let detectorBytes: Uint8Array;

before(async () => {
  const log = console.log;
  console.log = () => {}; // tfjs prints an advert for tfjs-node on first use
  faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  tf = faceapi.tf;
  await tf.setBackend('cpu');
  await tf.ready();
  console.log = log;
  await faceapi.nets.faceExpressionNet.loadFromDisk(faceApiModelDir());
  await faceapi.nets.tinyFaceDetector.loadFromDisk(faceApiModelDir());
  expressionBytes = buildExpressionModel(readTfjsWeights(join(faceApiModelDir(), 'face_expression_model-weights_manifest.json')));
  detectorBytes = buildTinyFaceDetectorModel(readTfjsWeights(join(faceApiModelDir(), 'tiny_face_detector_model-weights_manifest.json')));
  expressionSession = await ort.InferenceSession.create(expressionBytes);
  detectorSession = await ort.InferenceSession.create(detectorBytes);
});

function seededPixels(count: number, seed: number): Float32Array {
  let state = seed;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    out[i] = Math.floor((state / 2147483648) * 256);
  }
  return out;
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
};

async function expressionOnnx(pixels: Float32Array, count: number): Promise<Float32Array> {
  const input = pixels.map((v, i) => (v - (EXPRESSION_MEAN_RGB[i % 3] as number)) / 255);
  const out = await expressionSession.run({ input: new ort.Tensor('float32', input, [count, 112, 112, 3]) });
  return out['probs']!.data as Float32Array;
}

function expressionTfjs(pixels: Float32Array, count: number): Float32Array {
  const images = Array.from({ length: count }, (_, n) => tf.tensor3d(pixels.subarray(n * 112 * 112 * 3, (n + 1) * 112 * 112 * 3), [112, 112, 3]));
  const out = faceapi.nets.faceExpressionNet.forwardInput(new faceapi.NetInput(images));
  const data = out.dataSync() as Float32Array;
  out.dispose();
  images.forEach((t: Any) => t.dispose());
  return data;
}

test('the converted expression network matches face-api on TF.js (CPU) within 1e-4 for a batch of images', async () => {
  const pixels = seededPixels(3 * 112 * 112 * 3, 7);
  const ours = await expressionOnnx(pixels, 3);
  const reference = expressionTfjs(pixels, 3);
  assert.equal(ours.length, 21);
  assert.ok(maxAbsDiff(ours, reference) < 1e-4, `max difference ${maxAbsDiff(ours, reference)}`);
  for (let n = 0; n < 3; n++) assert.ok(Math.abs(ours.subarray(n * 7, n * 7 + 7).reduce((a, b) => a + b, 0) - 1) < 1e-5);
});

test('the converted tiny face detector matches face-api on TF.js (CPU) within 1e-4 on its raw output grid', async () => {
  const size = 224;
  const pixels = seededPixels(size * size * 3, 11);
  const input = pixels.map((v, i) => (v - (TINY_FACE_MEAN_RGB[i % 3] as number)) / 255);
  const ours = (await detectorSession.run({ input: new ort.Tensor('float32', input, [1, size, size, 3]) }))['grid']!;
  assert.deepEqual(ours.dims, [1, 7, 7, 25]);
  const image = tf.tensor3d(pixels, [size, size, 3]);
  const reference = faceapi.nets.tinyFaceDetector.forwardInput(new faceapi.NetInput([image]), size);
  assert.deepEqual(reference.shape, [1, 7, 7, 25]);
  const diff = maxAbsDiff(ours.data as Float32Array, reference.dataSync());
  assert.ok(diff < 1e-4, `max difference ${diff}`);
  image.dispose();
  reference.dispose();
});

test('on a real film frame our letterbox, detector and decoding find the same faces as face-api, and the same expressions', async () => {
  const path = join(filmDir, 'sintel_trailer.mp4');
  // Frame 351 (about 14.6 s) is a close-up of Sintel's face.
  const [frame] = await extractFrames(path, [351], { maxWidth: 480 });
  assert.ok(frame);
  const size = 320;
  const input = new Float32Array(size * size * 3);
  letterboxInto(frame.data, frame.width, frame.height, { x: 0, y: 0, width: frame.width, height: frame.height }, size, TINY_FACE_MEAN_RGB, false, input, 0);
  const grid = (await detectorSession.run({ input: new ort.Tensor('float32', input, [1, size, size, 3]) }))['grid']!.data as Float32Array;
  const ours = decodeTinyFaceGrid(grid, size / 32, 0.5);
  const image = tf.tensor3d(Float32Array.from(frame.data), [frame.height, frame.width, 3]);
  const reference = await faceapi.nets.tinyFaceDetector.locateFaces(image, new faceapi.TinyFaceDetectorOptions({ inputSize: size, scoreThreshold: 0.5 }));
  assert.ok(reference.length >= 1, 'face-api finds a face in the close-up');
  assert.equal(ours.length, reference.length);
  const side = Math.max(frame.width, frame.height);
  for (let i = 0; i < ours.length; i++) {
    const a = ours[i]!;
    const b = reference[i].box;
    assert.ok(Math.abs(a.score - reference[i].score) < 1e-3, `score ${a.score} vs ${reference[i].score}`);
    assert.ok(Math.abs(a.x * side - b.x) < 0.5 && Math.abs(a.y * side - b.y) < 0.5, 'box origin within half a pixel');
    assert.ok(Math.abs(a.width * side - b.width) < 0.5 && Math.abs(a.height * side - b.height) < 0.5, 'box size within half a pixel');
  }
  // The expression of the face crop: our crop + letterbox + ONNX against face-api's crop tensor + TF.js.
  const box = ours[0]!;
  const crop = { x: Math.floor(box.x * side), y: Math.floor(box.y * side), width: Math.round(box.width * side), height: Math.round(box.height * side) };
  const faceInput = new Float32Array(112 * 112 * 3);
  letterboxInto(frame.data, frame.width, frame.height, crop, 112, EXPRESSION_MEAN_RGB, true, faceInput, 0);
  const oursExpr = (await expressionSession.run({ input: new ort.Tensor('float32', faceInput, [1, 112, 112, 3]) }))['probs']!.data as Float32Array;
  const x0 = Math.max(0, crop.x);
  const y0 = Math.max(0, crop.y);
  const w = Math.min(frame.width - x0, crop.width);
  const h = Math.min(frame.height - y0, crop.height);
  const faceTensor = tf.slice(image, [y0, x0, 0], [h, w, 3]);
  const refExpr = faceapi.nets.faceExpressionNet.forwardInput(new faceapi.NetInput([faceTensor])).dataSync();
  assert.ok(maxAbsDiff(oursExpr, refExpr) < 1e-4, `expression difference ${maxAbsDiff(oursExpr, refExpr)}`);
  image.dispose();
  faceTensor.dispose();
});

test('the conversion is deterministic and reproduces the sha256 recorded in models/models.json', () => {
  for (const id of ['faceapi-expression', 'faceapi-tiny-face-detector']) {
    const record = modelRecord(id);
    const first = FACE_MODEL_BUILDERS[record.converter!]!();
    const second = FACE_MODEL_BUILDERS[record.converter!]!();
    assert.equal(sha256Hex(first), sha256Hex(second));
    assert.equal(sha256Hex(first), record.sha256, `${id} sha256`);
    assert.equal(record.licence, 'MIT');
  }
  assert.equal(sha256Hex(expressionBytes), modelRecord('faceapi-expression').sha256);
  assert.equal(sha256Hex(detectorBytes), modelRecord('faceapi-tiny-face-detector').sha256);
});

const sharedExpression = join(sharedDir, 'models', 'face', 'faceapi_expression_7.onnx');

test('our expression conversion agrees with the independently converted model in ../shared within 1e-4', { skip: !existsSync(sharedExpression) && 'no ../shared/models/face' }, async () => {
  const other = await ort.InferenceSession.create(readFileSync(sharedExpression));
  const pixels = seededPixels(2 * 112 * 112 * 3, 3);
  const input = pixels.map((v, i) => (v - (EXPRESSION_MEAN_RGB[i % 3] as number)) / 255);
  const theirs = (await other.run({ input: new ort.Tensor('float32', input, [2, 112, 112, 3]) }))['probs']!.data as Float32Array;
  const ours = await expressionOnnx(pixels, 2);
  assert.ok(maxAbsDiff(ours, theirs) < 1e-4, `max difference ${maxAbsDiff(ours, theirs)}`);
  await other.release();
});
