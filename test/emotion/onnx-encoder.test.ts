import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CancellationToken } from '../../companion/core/lifecycle';
import { configureEmotion, resetEmotionSettings, withEmotionNotices } from '../../companion/analysis/emotion/config';
import { dominantLabel } from '../../companion/analysis/emotion/emotion-space';
import { MUSIC_FEATURE_COUNT, OnnxMusicEncoder, OnnxShotEncoder, SHOT_FEATURE_COUNT, vectorsFromOutput } from '../../companion/analysis/emotion/onnx-encoder';
import { encodeModel, OnnxGraphBuilder } from '../../companion/analysis/onnx/onnx-writer';
import { movieAnalysis, musicAnalysis } from './make-analysis';
import { filmDir, scratchDir } from '../support/paths';
import { probeMovie } from '../../companion/media/probe';

/** A linear "learned" model: logits = x · W + b, softmax; W maps one chosen input column to one label. */
function linearModel(inputs: number, column: number, label: number): Uint8Array {
  const g = new OnnxGraphBuilder('linear');
  g.input('features', ['n', inputs]);
  const w = new Float32Array(inputs * 6);
  w[column * 6 + label] = 10;
  const logits = g.op('Gemm', ['features', g.constant('W', [inputs, 6], w), g.constant('b', [6], new Float32Array(6))]);
  g.op('Softmax', [logits], { axis: { int: 1 } }, 'probs');
  g.output('probs', ['n', 6]);
  return encodeModel(g);
}

const dir = scratchDir('onnx-encoder');

test('a learned ONNX shot model on the feature vector replaces the built-in reading', async () => {
  const path = join(dir, 'shot.onnx');
  // Column 0 (brightness) drives label 3 (relaxed).
  writeFileSync(path, linearModel(SHOT_FEATURE_COUNT, 0, 3));
  const movie = movieAnalysis([{ brightness: 0.9 }, { brightness: 0 }]);
  const vectors = await new OnnxShotEncoder('my-shots', path).encodeShots(movie, CancellationToken.None);
  assert.equal(vectors.length, 2);
  assert.equal(dominantLabel(vectors[0]!), 'relaxed');
  assert.ok((vectors[0]!.values[3] ?? 0) > 0.9);
  assert.ok(Math.abs((vectors[1]!.values[3] ?? 0) - 1 / 6) < 1e-6, 'zero input gives uniform logits');
  assert.equal(vectors[0]!.encoderId, 'my-shots');
});

test('a learned ONNX music model reads each bar and the whole track', async () => {
  const path = join(dir, 'music.onnx');
  // Column 3 (mode) drives label 0 (excited).
  writeFileSync(path, linearModel(MUSIC_FEATURE_COUNT, 3, 0));
  configureEmotion({ musicModelPath: path });
  try {
    const result = await new OnnxMusicEncoder().encodeMusic(musicAnalysis([{ mode: 1 }, { mode: 0 }]), CancellationToken.None);
    assert.equal(result.bars.length, 2);
    assert.equal(dominantLabel(result.bars[0]!), 'excited');
    assert.ok((result.bars[0]!.values[0] ?? 0) > (result.bars[1]!.values[0] ?? 0));
    assert.ok((result.global.values[0] ?? 0) > 1 / 6);
  } finally {
    resetEmotionSettings();
  }
});

test('without a model path the generic encoder gives empty vectors and a model-missing notice', async () => {
  const notices: string[] = [];
  const vectors = await withEmotionNotices((d) => notices.push(d.code), () => new OnnxShotEncoder().encodeShots(movieAnalysis([{}]), CancellationToken.None));
  assert.equal(vectors[0]!.confidence, 0);
  assert.deepEqual(notices, ['AM_ERR_MODEL_MISSING']);
});

test('a file that is not a model gives a model-invalid notice, not a crash', async () => {
  const path = join(dir, 'bad.onnx');
  writeFileSync(path, 'not a model');
  const notices: string[] = [];
  const vectors = await withEmotionNotices((d) => notices.push(d.code), () => new OnnxShotEncoder('x', path).encodeShots(movieAnalysis([{}]), CancellationToken.None));
  assert.equal(vectors[0]!.confidence, 0);
  assert.deepEqual(notices, ['AM_ERR_MODEL_INVALID']);
});

test('logit outputs are turned into probabilities and a valence_arousal output is used as given', () => {
  const [v] = vectorsFromOutput('x', Float32Array.from([-1, 2, 0, 0, 0, 0]), 1, Float32Array.from([0.25, -0.5]));
  assert.ok(v);
  assert.ok(Math.abs(v.values.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  assert.equal(dominantLabel(v), 'fearful');
  assert.equal(v.valence, 0.25);
  assert.equal(v.arousal, -0.5);
  assert.throws(() => vectorsFromOutput('x', new Float32Array(5), 1), /not 1 × 6/);
});

/** An "image" model on 8×8 RGB: the relaxed logit is 10 × the mean pixel value, the others 0. */
function brightnessImageModel(size: number): Uint8Array {
  const g = new OnnxGraphBuilder('image');
  g.input('image', ['n', size, size, 3]);
  const flat = g.op('Reshape', ['image', g.constantInt64('shape', [-1, size * size * 3])]);
  const w = new Float32Array(size * size * 3 * 6);
  for (let i = 0; i < size * size * 3; i++) w[i * 6 + 3] = 10 / (size * size * 3);
  const logits = g.op('Gemm', [flat, g.constant('W', [size * size * 3, 6], w), g.constant('b', [6], new Float32Array(6))]);
  g.op('Softmax', [logits], { axis: { int: 1 } }, 'probs');
  g.output('probs', ['n', 6]);
  return encodeModel(g);
}

const trailer = join(filmDir, 'sintel_trailer.mp4');
test('a learned ONNX image model reads each shot\'s keyframe: the dark title card and a bright shot differ as the model says', { skip: !existsSync(trailer) && 'no sintel_trailer.mp4' }, async () => {
  const path = join(dir, 'image.onnx');
  writeFileSync(path, brightnessImageModel(8));
  const media = await probeMovie(trailer);
  // [0, 48) is the dark opening title card; the middle of [48, 336) a bright wide shot.
  const movie = movieAnalysis([{ seconds: 2 }, { seconds: 12 }, { seconds: 2 }], { media });
  const vectors = await new OnnxShotEncoder('image-shots', path, 8).encodeShots(movie, CancellationToken.None);
  assert.equal(vectors.length, 3);
  assert.ok(vectors.every((v) => v.encoderId === 'image-shots' && v.confidence > 0 && Math.abs(v.values.reduce((a, b) => a + b, 0) - 1) < 1e-6));
  const relaxed = vectors.map((v) => v.values[3] ?? 0);
  assert.ok(relaxed[0]! < 0.25, `dark title card: ${relaxed}`);
  assert.ok(relaxed[1]! > 0.6, `bright shot: ${relaxed}`);
});
