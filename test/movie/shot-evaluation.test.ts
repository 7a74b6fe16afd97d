import { test } from 'node:test';
import assert from 'node:assert/strict';
import { poolScores, scoreCuts, scoreGradual, scoreTransitions } from '../../companion/analysis/movie/shot-evaluation';

test('hard cuts match one-to-one within the tolerance', () => {
  const score = scoreCuts([10, 11, 50, 90], [10, 52, 70], 2);
  // 10 and 50 match (11 is a second detection for the same cut); 70 is missed.
  assert.equal(score.truePositives, 2);
  assert.equal(score.falsePositives, 2);
  assert.equal(score.falseNegatives, 1);
  assert.equal(score.precision, 0.5);
  assert.ok(Math.abs(score.recall - 2 / 3) < 1e-12);
});

test('detections inside reference gradual spans are not counted against hard cuts', () => {
  const score = scoreCuts([30, 100], [100], 2, [{ start: 20, end: 40 }]);
  assert.equal(score.falsePositives, 0);
  assert.equal(score.f1, 1);
});

test('gradual transitions match when their spans overlap, one detection per reference', () => {
  const score = scoreGradual(
    [
      { start: 5, end: 12 },
      { start: 13, end: 15 },
      { start: 60, end: 70 },
    ],
    [
      { start: 10, end: 20 },
      { start: 40, end: 50 },
    ],
  );
  assert.equal(score.truePositives, 1);
  assert.equal(score.falsePositives, 2);
  assert.equal(score.falseNegatives, 1);
});

test('pooled scores add the counts before computing the ratios', () => {
  const pooled = poolScores([scoreCuts([1], [1]), scoreCuts([5, 9], [])]);
  assert.equal(pooled.truePositives, 1);
  assert.equal(pooled.falsePositives, 2);
  assert.ok(Math.abs(pooled.precision - 1 / 3) < 1e-12);
  assert.equal(pooled.recall, 1);
});

test('no detections and no references is a perfect score', () => {
  assert.equal(scoreCuts([], []).f1, 1);
});

test('transitions are scored as cuts by boundary and as gradual spans by overlap', () => {
  const { hard, gradual } = scoreTransitions(
    [
      { kind: 'cut', start: 10, end: 10, boundary: 10 },
      // Inside the reference dissolve: neither right nor wrong as a cut.
      { kind: 'cut', start: 31, end: 31, boundary: 31 },
      { kind: 'cut', start: 80, end: 80, boundary: 80 },
      { kind: 'dissolve', start: 28, end: 36, boundary: 32 },
    ],
    { cuts: [11, 60], gradual: [{ start: 30, end: 40 }] },
  );
  assert.deepEqual([hard.truePositives, hard.falsePositives, hard.falseNegatives], [1, 1, 1]);
  assert.deepEqual([gradual.truePositives, gradual.falsePositives, gradual.falseNegatives], [1, 0, 0]);
});
