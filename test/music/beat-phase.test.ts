import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseBeatsFromPulses } from '../../companion/analysis/music/beat-phase';

const frameRate = 100;
/** Pulses (eighth notes) every 25 frames; beats every 50. */
const pulse = 25;
const beat = 50;

/** Spikes of `height` every `period` frames from `offset`, within [from, to). */
function spikes(length: number, period: number, offset: number, height: number, from = 0, to = length, into: Float32Array = new Float32Array(length)): Float32Array {
  for (let t = offset; t < to; t += period) if (t >= from) into[t] = Math.max(into[t]!, height);
  return into;
}

const pulses = (count: number) => Array.from({ length: count }, (_, k) => 10 + k * pulse);

test('the beats are the pulses with the kicks, even when the off-beats are louder', () => {
  const length = 3000;
  const low = spikes(length, beat, 35, 5); // kicks on pulses 1, 3, 5 … (frames 35, 85, …)
  const full = spikes(length, beat, 10, 9); // louder attacks on pulses 0, 2, 4 …
  spikes(length, beat, 35, 4, 0, length, full);
  const beats = chooseBeatsFromPulses(pulses(115), low, full, frameRate);
  assert.ok(beats.length >= 56);
  for (const frame of beats) assert.equal((frame - 35) % beat, 0, `beat at ${frame}`);
});

test('without a low-band cue the louder pulses are the beats', () => {
  const length = 3000;
  const full = spikes(length, beat, 10, 9);
  spikes(length, beat, 35, 3, 0, length, full);
  const beats = chooseBeatsFromPulses(pulses(115), new Float32Array(length), full, frameRate);
  for (const frame of beats) assert.equal((frame - 10) % beat, 0, `beat at ${frame}`);
});

test('the choice can change between sections, without two beats half a beat apart', () => {
  const length = 6000;
  // Kicks on the even pulses for the first half, on the odd pulses for the second (a tracker's half-beat shift).
  const low = spikes(length, beat, 10, 5, 0, 3000);
  spikes(length, beat, 3035, 5, 3000, length, low);
  const beats = chooseBeatsFromPulses(pulses(235), low, new Float32Array(length).fill(1), frameRate);
  const wrong = beats.filter((frame) => (frame < 3000 ? (frame - 10) % beat : (frame - 35) % beat) !== 0);
  assert.ok(wrong.length <= 2, `${wrong.length} beats on the wrong pulses`);
  for (let i = 1; i < beats.length; i++) assert.ok(beats[i]! - beats[i - 1]! >= 1.5 * pulse - 1e-9);
});

test('with no onsets at all every other pulse is kept', () => {
  const beats = chooseBeatsFromPulses(pulses(40), new Float32Array(1200), new Float32Array(1200), frameRate);
  assert.equal(beats.length, 20);
  // No cue either way: the first pulse is a beat and the parity never switches.
  assert.deepEqual(beats, pulses(40).filter((_, k) => k % 2 === 0));
});
