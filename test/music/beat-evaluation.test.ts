import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countMatches, evaluateBeats, fMeasure, medianInterval, parseBeatAnnotations, scoreReading, trimEvents } from '../../companion/analysis/music/beat-evaluation';

const grid = (start: number, period: number, count: number) => Array.from({ length: count }, (_, i) => start + i * period);

test('a perfect estimate scores 1 on every measure', () => {
  const reference = grid(0.5, 0.5, 60);
  const scores = evaluateBeats(reference, reference);
  assert.equal(scores.fMeasure, 1);
  assert.equal(scores.cmlT, 1);
  assert.equal(scores.amlT, 1);
});

test('beats within ±70 ms count as hits and beats outside do not', () => {
  assert.equal(countMatches([10, 11, 12], [10.069, 11.071, 11.95], 0.07), 2);
  const f = fMeasure([10, 11, 12, 13], [10.02, 11.5, 12.01]);
  assert.ok(Math.abs(f.precision - 2 / 3) < 1e-12);
  assert.ok(Math.abs(f.recall - 2 / 4) < 1e-12);
  assert.ok(Math.abs(f.fMeasure - (2 * (2 / 3) * 0.5) / (2 / 3 + 0.5)) < 1e-12);
});

test('events in the first 5 seconds are ignored', () => {
  assert.deepEqual(trimEvents([1, 4.99, 5, 6]), [5, 6]);
  const reference = grid(0, 0.5, 40);
  const estimated = [...grid(0.25, 0.5, 10), ...grid(5, 0.5, 30)];
  assert.equal(evaluateBeats(reference, estimated).fMeasure, 1);
});

test('double tempo and off-beat estimates fail CMLt but pass AMLt', () => {
  const reference = grid(0, 0.5, 80);
  const double = grid(0, 0.25, 160);
  const offBeat = grid(0.25, 0.5, 80);
  const doubleScores = evaluateBeats(reference, double);
  assert.ok(doubleScores.cmlT < 0.1);
  assert.ok(doubleScores.amlT > 0.95);
  const offScores = evaluateBeats(reference, offBeat);
  assert.equal(offScores.fMeasure, 0);
  assert.ok(offScores.cmlT < 0.1);
  assert.ok(offScores.amlT > 0.95);
});

test('a phase error halfway through halves the continuous accuracy', () => {
  const reference = grid(0, 0.5, 100);
  const estimated = [...grid(5, 0.5, 40), ...grid(25.25, 0.5, 49)];
  const scores = evaluateBeats(reference, estimated);
  assert.ok(scores.cmlC > 0.35 && scores.cmlC < 0.5, `cmlC ${scores.cmlC}`);
  assert.ok(scores.amlC >= scores.cmlC);
});

test('annotation files parse with and without the beat-in-bar column', () => {
  assert.deepEqual(parseBeatAnnotations('0.5\t1\n1.0\t2\n\n'), { times: [0.5, 1], beatInBar: [1, 2] });
  assert.deepEqual(parseBeatAnnotations('2.0\n4.0\n').times, [2, 4]);
});

test('scoreReading gives beat F, downbeat F and whether the bar length is within 4 %', () => {
  const truth = Array.from({ length: 40 }, (_, i) => i * 0.5);
  const truthDownbeats = truth.filter((_, i) => i % 4 === 0);
  const reading = (beatsPerBar: number, shift = 0) => truth.map((timeSeconds, i) => ({ timeSeconds: timeSeconds + shift, beatInBar: (i % beatsPerBar) + 1 }));
  assert.deepEqual(scoreReading(truth, truthDownbeats, reading(4)), { beatF: 1, downbeatF: 1, barLengthOk: 1 });
  // A 3-beat reading: every beat right, downbeats mostly wrong, bars 25 % short.
  const three = scoreReading(truth, truthDownbeats, reading(3));
  assert.equal(three.beatF, 1);
  assert.ok(three.downbeatF < 0.4);
  assert.equal(three.barLengthOk, 0);
  // 100 ms late: outside ±70 ms, nothing matches, but the bar length is right.
  assert.deepEqual(scoreReading(truth, truthDownbeats, reading(4, 0.1)), { beatF: 0, downbeatF: 0, barLengthOk: 1 });
  assert.equal(medianInterval([0, 1, 3, 6]), 2);
  assert.ok(Number.isNaN(medianInterval([1])));
});
