import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trackBeats, trimSilentEnds } from '../../companion/analysis/music/beat-tracker';

/** Unit spikes every `period` frames from `offset`, within [from, to). */
function spikes(length: number, period: number, offset: number, from = 0, to = length): Float32Array {
  const envelope = new Float32Array(length);
  for (let t = offset; t < to; t += period) if (t >= from) envelope[t] = 1;
  return envelope;
}

test('beats land on every spike of a steady pulse, from the first to the last', () => {
  const envelope = spikes(1000, 50, 20);
  const beats = trackBeats(envelope, new Float32Array(1000).fill(50));
  assert.deepEqual(beats, Array.from({ length: 20 }, (_, k) => 20 + 50 * k));
});

test('beats follow the local period when the pulse speeds up', () => {
  // 60 frames apart for the first half, 40 apart for the second.
  const envelope = new Float32Array(1200);
  const truth: number[] = [];
  for (let t = 10; t < 600; t += 60) truth.push(t);
  for (let t = truth[truth.length - 1]! + 40; t < 1200; t += 40) truth.push(t);
  for (const t of truth) envelope[t] = 1;
  // The period at frame t is the one expected for the interval that ends at t.
  const periods = new Float32Array(1200).map((_, t) => (t <= truth[9]! ? 60 : 40));
  assert.deepEqual(trackBeats(envelope, periods), truth);
});

test('a beat between two envelope frames is placed at the parabola vertex', () => {
  const envelope = spikes(600, 50, 20);
  // Each spike leans right: frame+1 has 0.5, so the vertex sits a sixth of a frame later.
  for (let t = 20; t < 600; t += 50) envelope[t + 1] = 0.5;
  const beats = trackBeats(envelope, new Float32Array(600).fill(50));
  for (const [k, beat] of beats.entries()) assert.ok(Math.abs(beat - (20 + 50 * k + 1 / 6)) < 1e-6, `beat ${k} at ${beat}`);
});

test('beats in silence at either end are trimmed and the ones with onsets kept', () => {
  const envelope = spikes(1000, 50, 20, 200, 800);
  const frames = Array.from({ length: 20 }, (_, k) => 20 + 50 * k);
  const kept = trimSilentEnds(frames, envelope, new Float32Array(1000).fill(50), 0.3);
  assert.deepEqual(kept, frames.filter((frame) => frame >= 200 && frame < 800));
  assert.deepEqual(trimSilentEnds([], envelope, new Float32Array(1000).fill(50), 0.3), []);
});

test('an empty envelope has no beats', () => {
  assert.deepEqual(trackBeats(new Float32Array(0), new Float32Array(0)), []);
});
