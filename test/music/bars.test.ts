import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gridBeats, layoutBars } from '../../companion/analysis/music/bars';

test('bars run from each downbeat to the next with exact times', () => {
  const times = [0.5, 1.0, 1.52, 2.0, 2.5, 3.01, 3.5, 4.0, 4.5];
  const positions = [0, 1, 2, 3, 0, 1, 2, 3, 0];
  const { beats, bars } = layoutBars({ times, positions, beatsPerBar: 4 }, 4.6);
  assert.equal(beats.length, 9);
  assert.deepEqual(beats.map((b) => b.beatInBar), [1, 2, 3, 4, 1, 2, 3, 4, 1]);
  assert.equal(bars.length, 2);
  assert.equal(bars[0]!.startSeconds, 0.5);
  assert.equal(bars[0]!.durationSeconds, 2.0);
  assert.equal(bars[1]!.startSeconds, 2.5);
  assert.equal(bars[1]!.durationSeconds, 2.0);
  assert.ok(Math.abs(bars[0]!.tempoBpm - 120) < 1e-9);
});

test('a final bar is added only when its projected end fits in the music', () => {
  const labelled = gridBeats(0, 10, 120, 4);
  assert.equal(layoutBars(labelled, 10).bars.length, 5);
  assert.equal(layoutBars(gridBeats(0, 9.9, 120, 4), 9.9).bars.length, 4);
});

test('shifting the downbeat by one beat moves every bar one beat later', () => {
  const labelled = gridBeats(0, 20, 120, 4);
  const plain = layoutBars(labelled, 20);
  const shifted = layoutBars(labelled, 20, 1);
  assert.equal(shifted.bars[0]!.startSeconds, plain.bars[0]!.startSeconds + 0.5);
  assert.equal(shifted.beats[1]!.beatInBar, 1);
  const back = layoutBars(labelled, 20, -1);
  assert.equal(back.beats[3]!.beatInBar, 1);
});

test('bars with an extra or missing beat keep their own beat count and never have zero length', () => {
  const times = [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.05, 4.5];
  const positions = [0, 1, 2, 0, 1, 2, 3, 0, 1, 2, 0];
  const { bars } = layoutBars({ times, positions, beatsPerBar: 4 }, 5);
  assert.deepEqual(bars.map((b) => b.beatsPerBar), [3, 4, 2]);
  for (const bar of bars) assert.ok(bar.durationSeconds > 0 && Number.isFinite(bar.tempoBpm));
});

test('non-finite and out-of-range beat times are dropped', () => {
  const { beats } = layoutBars({ times: [Number.NaN, -1, 0.5, 1, Number.POSITIVE_INFINITY, 50], positions: [0, 0, 0, 1, 2, 3], beatsPerBar: 4 }, 10);
  assert.deepEqual(beats.map((b) => b.timeSeconds), [0.5, 1]);
});
