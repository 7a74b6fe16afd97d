import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMOTION_LABELS } from '../../companion/core/montage';
import { dominantLabel, emptyVector, fuseVectors, LABEL_PROTOTYPES, padToProbabilities, vectorFromPad, vectorFromProbabilities } from '../../companion/analysis/emotion/emotion-space';

test('each label prototype reads as its own label with a clear majority', () => {
  for (const label of EMOTION_LABELS) {
    const probs = padToProbabilities(LABEL_PROTOTYPES[label]);
    assert.equal(probs.length, 6);
    assert.ok(Math.abs(probs.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.equal(dominantLabel({ values: probs }), label);
    assert.ok((probs[EMOTION_LABELS.indexOf(label)] ?? 0) > 0.5, `${label}: ${probs.map((p) => p.toFixed(2)).join(' ')}`);
  }
});

test('a PAD vector is clamped to [-1, 1] and never carries NaN', () => {
  const v = vectorFromPad('x', { valence: 5, arousal: Number.NaN, dominance: -3 }, 2);
  assert.equal(v.valence, 1);
  assert.equal(v.arousal, 0);
  assert.equal(v.confidence, 1);
  assert.ok(v.values.every(Number.isFinite));
});

test('probabilities are normalised and their valence/arousal is the expected prototype point', () => {
  const v = vectorFromProbabilities('x', [2, 0, 0, 0, 0, 0], 0.5);
  assert.deepEqual(v.values, [1, 0, 0, 0, 0, 0]);
  assert.equal(v.valence, LABEL_PROTOTYPES.excited.valence);
  assert.equal(v.arousal, LABEL_PROTOTYPES.excited.arousal);
  const broken = vectorFromProbabilities('x', [Number.NaN, -1, 0, 0, 0, 0], 0.5);
  assert.equal(broken.confidence, 0);
  assert.ok(broken.values.every((p) => Math.abs(p - 1 / 6) < 1e-12));
});

test('fusion weighs vectors by encoder weight times confidence and ignores silent encoders', () => {
  const sad = vectorFromProbabilities('a', [0, 0, 0, 0, 1, 0], 0.5);
  const excited = vectorFromProbabilities('b', [1, 0, 0, 0, 0, 0], 0.5);
  const even = fuseVectors('fusion', [sad, excited]);
  assert.ok(Math.abs((even.values[0] ?? 0) - 0.5) < 1e-9 && Math.abs((even.values[4] ?? 0) - 0.5) < 1e-9);
  const weighted = fuseVectors('fusion', [sad, excited], { a: 3, b: 1 });
  assert.ok(Math.abs((weighted.values[4] ?? 0) - 0.75) < 1e-9);
  const withSilent = fuseVectors('fusion', [sad, emptyVector('c')]);
  assert.deepEqual(withSilent.values, sad.values);
  assert.equal(withSilent.encoderId, 'fusion');
  assert.equal(fuseVectors('fusion', [emptyVector('c')]).confidence, 0);
});
