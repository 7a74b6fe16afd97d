import assert from 'node:assert/strict';
import { test } from 'node:test';
import { correctOffbeatPhase } from '../../companion/analysis/music/beat-phase';

const frameRate = 100;
const period = 50;

/** A low band with kicks at every `period` frames from `offset`, in frames [from, to). */
function kicks(length: number, sections: { from: number; to: number; offset: number }[]): Float32Array {
  const low = new Float32Array(length);
  for (const { from, to, offset } of sections) for (let t = offset; t < to; t += period) if (t >= from) low[t] = 5;
  return low;
}

const flat = (length: number) => new Float32Array(length).fill(1);

test('beats that sit between the kicks are moved onto them', () => {
  const length = 3000;
  const beats = Array.from({ length: 58 }, (_, k) => 25 + k * period);
  const low = kicks(length, [{ from: 0, to: length, offset: 0 }]);
  const corrected = correctOffbeatPhase(beats, low, flat(length), frameRate);
  assert.ok(corrected.length >= 57);
  for (const frame of corrected) assert.equal(frame % period, 0, `beat at ${frame}`);
});

test('beats already on the kicks are left alone', () => {
  const length = 3000;
  const beats = Array.from({ length: 58 }, (_, k) => k * period);
  const low = kicks(length, [{ from: 0, to: length, offset: 0 }]);
  assert.deepEqual(correctOffbeatPhase(beats, low, flat(length), frameRate), beats);
});

test('only the section that is off the beat is moved', () => {
  const length = 6000;
  // The tracker is on the beat for the first half and half a beat off in the second.
  const beats = [...Array.from({ length: 60 }, (_, k) => k * period), ...Array.from({ length: 58 }, (_, k) => 3025 + k * period)];
  const low = kicks(length, [{ from: 0, to: length, offset: 0 }]);
  const corrected = correctOffbeatPhase(beats, low, flat(length), frameRate);
  const off = corrected.filter((frame) => frame % period !== 0);
  assert.ok(off.length <= 2, `${off.length} beats still off: ${off.slice(0, 5)}`);
  for (let i = 1; i < corrected.length; i++) assert.ok(corrected[i]! - corrected[i - 1]! >= 0.3 * period);
});

test('without low-band onsets nothing changes', () => {
  const beats = Array.from({ length: 20 }, (_, k) => 25 + k * period);
  assert.deepEqual(correctOffbeatPhase(beats, new Float32Array(1200), flat(1200), frameRate), beats);
});
