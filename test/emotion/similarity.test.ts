import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMOTION_LABELS } from '../../companion/core/montage';
import { LABEL_PROTOTYPES, vectorFromPad } from '../../companion/analysis/emotion/emotion-space';
import { barScores, emotionSimilarity, shotScores } from '../../companion/analysis/emotion/similarity';

const vectors = EMOTION_LABELS.map((label) => vectorFromPad(label, LABEL_PROTOTYPES[label], 0.8));

test('M is symmetric, in [0, 1], and 1 for identical vectors', () => {
  for (const a of vectors) {
    assert.ok(Math.abs(emotionSimilarity(a, a) - 1) < 1e-9);
    for (const b of vectors) {
      const m = emotionSimilarity(a, b);
      assert.ok(m >= 0 && m <= 1);
      assert.ok(Math.abs(m - emotionSimilarity(b, a)) < 1e-12);
    }
  }
});

test('for each music label, the shot with the same label scores highest', () => {
  for (const music of vectors) {
    const scores = shotScores(vectors, music);
    const best = scores.indexOf(Math.max(...scores));
    assert.equal(EMOTION_LABELS[best], music.encoderId);
  }
});

test('opposite corners of the plane are less similar than neighbours', () => {
  const [excited, , neutral, relaxed, sad] = vectors;
  assert.ok(emotionSimilarity(excited!, sad!) < emotionSimilarity(excited!, relaxed!));
  assert.ok(emotionSimilarity(excited!, sad!) < emotionSimilarity(excited!, neutral!));
});

test('bar scores are row-major shots × bars and equal M per pair', () => {
  const result = barScores(vectors.slice(0, 2), vectors.slice(2, 5));
  assert.equal(result.shots, 2);
  assert.equal(result.bars, 3);
  assert.equal(result.values.length, 6);
  assert.ok(Math.abs((result.values[1 * 3 + 2] ?? 0) - emotionSimilarity(vectors[1]!, vectors[4]!)) < 1e-6);
});
