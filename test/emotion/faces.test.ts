import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { CancellationToken } from '../../companion/core/lifecycle';
import { probeMovie } from '../../companion/media/probe';
import { configureEmotion, resetEmotionSettings } from '../../companion/analysis/emotion/config';
import { dominantLabel } from '../../companion/analysis/emotion/emotion-space';
import { FaceEncoder, loadFaceModels, vectorFromExpressions, vectorFromFaces } from '../../companion/analysis/emotion/faces';
import { filmDir } from '../support/paths';
import { movieAnalysis } from './make-analysis';

// Expression order: neutral, happy, sad, angry, fearful, disgusted, surprised.
test('expressions map onto the six labels through the circumplex', () => {
  assert.equal(dominantLabel(vectorFromExpressions('f', [0, 1, 0, 0, 0, 0, 0], 1)), 'excited');
  assert.equal(dominantLabel(vectorFromExpressions('f', [0, 0, 1, 0, 0, 0, 0], 1)), 'sad');
  assert.equal(dominantLabel(vectorFromExpressions('f', [0, 0, 0, 0, 1, 0, 0], 1)), 'fearful');
  assert.equal(dominantLabel(vectorFromExpressions('f', [0, 0, 0, 1, 0, 0, 0], 1)), 'tense');
  assert.equal(dominantLabel(vectorFromExpressions('f', [1, 0, 0, 0, 0, 0, 0], 1)), 'neutral');
  assert.ok(vectorFromExpressions('f', [0, 1, 0, 0, 0, 0, 0], 1).valence > 0.5);
});

test('bigger, surer faces weigh more, and a shot without classified faces is empty', () => {
  const big = { x: 0, y: 0, width: 120, height: 120, score: 0.9, expression: Float32Array.from([0, 0, 1, 0, 0, 0, 0]) };
  const small = { x: 0, y: 0, width: 40, height: 40, score: 0.6, expression: Float32Array.from([0, 1, 0, 0, 0, 0, 0]) };
  const v = vectorFromFaces('faces', [big, small]);
  assert.equal(dominantLabel(v), 'sad');
  assert.ok(v.confidence > vectorFromFaces('faces', [small]).confidence);
  assert.equal(vectorFromFaces('faces', []).confidence, 0);
});

test('on a real clip the face encoder reads the close-up and gates out shots without a usable face', async () => {
  const path = join(filmDir, 'sintel_trailer.mp4');
  const media = await probeMovie(path);
  // Shots on the trailer's own cuts: [0, 48) is the dark opening title card; [336, 384) starts with a
  // close-up of Sintel's face (its key frame, 336, is the frame the encoder reads).
  const movie = movieAnalysis([{ seconds: 2 }, { seconds: 12 }, { seconds: 2 }], { media });
  const vectors = await new FaceEncoder().encodeShots(movie, CancellationToken.None);
  assert.equal(vectors.length, 3);
  assert.ok(vectors[2]!.confidence > 0.3, `close-up confidence ${vectors[2]!.confidence}`);
  assert.equal(vectors[0]!.confidence, 0);
  // A gate larger than the frame turns every face off.
  configureEmotion({ faces: { minFacePixels: 10_000 } });
  try {
    const gated = await new FaceEncoder().encodeShots(movie, CancellationToken.None);
    assert.ok(gated.every((v) => v.confidence === 0));
  } finally {
    resetEmotionSettings();
  }
});

test('the face models are loaded once per configured device', async () => {
  const cpu = await loadFaceModels();
  assert.equal(await loadFaceModels(), cpu, 'the same models while the device is unchanged');
  assert.equal(cpu.detector.provider, 'cpu');
  configureEmotion({ device: 'auto' });
  try {
    const auto = await loadFaceModels();
    assert.notEqual(auto, cpu, "a device change loads the models for 'auto'");
  } finally {
    resetEmotionSettings();
  }
  assert.equal((await loadFaceModels()).detector, cpu.detector, "back on cpu: the pool's CPU sessions again");
});
