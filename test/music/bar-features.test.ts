import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeBarFeatures, modeOf, onsetTimes } from '../../companion/analysis/music/bar-features';
import { computeSpectralFeatures } from '../../companion/analysis/music/spectral-features';
import type { Bar } from '../../companion/core/montage';
import { clickTrack } from './synth';

const sampleRate = 11025;
const tone = (frequencies: number[], seconds: number, amplitude: number) =>
  new Float32Array(Math.round(seconds * sampleRate)).map((_, i) => frequencies.reduce((sum, f) => sum + amplitude * Math.sin((2 * Math.PI * f * i) / sampleRate), 0));
const bar = (index: number, startSeconds: number, durationSeconds: number): Bar => ({ index, startSeconds, durationSeconds, beatsPerBar: 4, tempoBpm: 240 / durationSeconds });

test('loudness is the RMS level in dBFS and silence is a finite floor', () => {
  const samples = new Float32Array(sampleRate * 4);
  samples.set(tone([440], 2, 0.5));
  const features = computeSpectralFeatures(samples, sampleRate);
  const [loud, quiet] = computeBarFeatures([bar(0, 0.2, 1.6), bar(1, 2.2, 1.6)], features);
  // A sine of amplitude 0.5 has RMS 0.354: −9.03 dBFS.
  assert.ok(Math.abs(loud!.loudnessDb - -9.03) < 0.3, `loudness ${loud!.loudnessDb}`);
  assert.equal(quiet!.loudnessDb, -120);
  assert.equal(quiet!.spectralCentroidHz, 0);
  assert.deepEqual(quiet!.chroma, new Array(12).fill(1 / 12));
  // Mode pools neighbouring bars, so ask for the silent bar alone.
  assert.equal(computeBarFeatures([bar(0, 2.2, 1.6)], features)[0]!.mode, 0);
});

test('the spectral centroid follows the pitch of a sine', () => {
  const samples = new Float32Array(sampleRate * 4);
  samples.set(tone([500], 2, 0.3));
  samples.set(tone([2000], 2, 0.3), sampleRate * 2);
  const [low, high] = computeBarFeatures([bar(0, 0.2, 1.6), bar(1, 2.2, 1.6)], computeSpectralFeatures(samples, sampleRate));
  assert.ok(Math.abs(low!.spectralCentroidHz - 500) < 40, `low ${low!.spectralCentroidHz}`);
  assert.ok(Math.abs(high!.spectralCentroidHz - 2000) < 80, `high ${high!.spectralCentroidHz}`);
});

test('chroma puts A440 in pitch class A and sums to one', () => {
  const [a] = computeBarFeatures([bar(0, 0.2, 1.6)], computeSpectralFeatures(tone([440, 880, 220], 2, 0.2), sampleRate));
  const sum = a!.chroma.reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(sum - 1) < 1e-9);
  assert.equal(a!.chroma.indexOf(Math.max(...a!.chroma)), 9);
});

test('a major triad reads as major and a minor triad as minor', () => {
  const major = new Array(12).fill(0.01);
  major[0] = 1;
  major[4] = 0.8;
  major[7] = 0.9;
  const minor = new Array(12).fill(0.01);
  minor[9] = 1;
  minor[0] = 0.8;
  minor[4] = 0.9;
  assert.ok(modeOf(major) > 0.2, `major ${modeOf(major)}`);
  assert.ok(modeOf(minor) < -0.2, `minor ${modeOf(minor)}`);
  assert.equal(modeOf(new Array(12).fill(1 / 12)), 0);
});

test('onset density counts the clicks per second in each bar', () => {
  const track = clickTrack({ sampleRate, durationSeconds: 12, startBpm: 120, beatsPerBar: 4, firstBeatSeconds: 0.5 });
  const features = computeSpectralFeatures(track.samples, sampleRate);
  const onsets = onsetTimes(features);
  assert.ok(Math.abs(onsets.length - track.beats.length) <= 1, `${onsets.length} onsets for ${track.beats.length} clicks`);
  const barFeatures = computeBarFeatures([bar(0, 2.45, 2), bar(1, 4.45, 2)], features);
  for (const b of barFeatures) {
    assert.ok(Math.abs(b.onsetDensity - 2) < 0.01, `density ${b.onsetDensity}`);
    assert.equal(b.tempoBpm, 120);
  }
});
