import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateBeats, fMeasure } from '../../companion/analysis/music/beat-evaluation';
import { SpectralBarTracker } from '../../companion/analysis/music/spectral-bar-tracker';
import { MontageError } from '../../companion/core/errors';
import { CancellationToken, CancellationTokenSource } from '../../companion/core/lifecycle';
import type { BarTracking } from '../../companion/core/pipeline';
import { random } from '../support/random';
import { clickTrack, freeTempoClicks, speechLike } from './synth';

const sampleRate = 11025;
const tracker = new SpectralBarTracker();
const none = CancellationToken.None;

function downbeatTimes(tracking: BarTracking): number[] {
  return tracking.beats.filter((beat) => beat.beatInBar === 1).map((beat) => beat.timeSeconds);
}

function assertWellFormed(tracking: BarTracking, durationSeconds: number): void {
  assert.ok(tracking.bars.length > 0);
  for (const beat of tracking.beats) assert.ok(Number.isFinite(beat.timeSeconds) && beat.timeSeconds >= 0 && beat.timeSeconds <= durationSeconds);
  for (let i = 0; i < tracking.bars.length; i++) {
    const bar = tracking.bars[i]!;
    assert.equal(bar.index, i);
    assert.ok(Number.isFinite(bar.startSeconds) && Number.isFinite(bar.durationSeconds) && Number.isFinite(bar.tempoBpm));
    assert.ok(bar.durationSeconds > 0.1, `bar ${i} lasts ${bar.durationSeconds}`);
    assert.ok(bar.startSeconds + bar.durationSeconds <= durationSeconds + 1e-6);
    const next = tracking.bars[i + 1];
    if (next) assert.ok(next.startSeconds >= bar.startSeconds + bar.durationSeconds - 1e-9);
  }
  assert.ok(tracking.confidence >= 0 && tracking.confidence <= 1);
  assert.ok(Number.isFinite(tracking.tempoBpm) && tracking.tempoBpm > 0);
}

for (const [bpm, meter] of [
  [120, 4],
  [100, 3],
  [170, 4],
  [75, 4],
  [150, 3],
] as const) {
  test(`a ${meter}/4 click track at ${bpm} BPM with accented downbeats gives every beat, downbeat and bar`, () => {
    const track = clickTrack({ sampleRate, durationSeconds: 30, startBpm: bpm, beatsPerBar: meter, firstBeatSeconds: 0.5, chords: true });
    const result = tracker.track(track.samples, sampleRate, {}, none);
    assertWellFormed(result, 30);
    assert.equal(result.beatsPerBar, meter);
    assert.ok(Math.abs(result.tempoBpm - bpm) < 1, `tempo ${result.tempoBpm}`);
    assert.equal(evaluateBeats(track.beats, result.beats.map((b) => b.timeSeconds), { minTimeSeconds: 0 }).fMeasure, 1);
    assert.equal(fMeasure(track.downbeats, downbeatTimes(result)).fMeasure, 1);
    assert.ok(result.confidence > 0.8, `confidence ${result.confidence}`);
    for (const bar of result.bars) assert.equal(bar.beatsPerBar, meter);
  });
}

test('beats and bars follow a tempo drift from 100 to 130 BPM', () => {
  const track = clickTrack({ sampleRate, durationSeconds: 60, startBpm: 100, endBpm: 130, beatsPerBar: 4, firstBeatSeconds: 0.5, chords: true });
  const result = tracker.track(track.samples, sampleRate, {}, none);
  assertWellFormed(result, 60);
  assert.equal(evaluateBeats(track.beats, result.beats.map((b) => b.timeSeconds), { minTimeSeconds: 0 }).fMeasure, 1);
  assert.equal(fMeasure(track.downbeats, downbeatTimes(result)).fMeasure, 1);
  const first = result.bars[1]!;
  const last = result.bars[result.bars.length - 2]!;
  assert.ok(first.tempoBpm < 106 && last.tempoBpm > 124, `bar tempi ${first.tempoBpm} … ${last.tempoBpm}`);
});

test('a 3/4 click track slowing from 140 to 110 BPM keeps its meter and downbeats', () => {
  const track = clickTrack({ sampleRate, durationSeconds: 60, startBpm: 140, endBpm: 110, beatsPerBar: 3, firstBeatSeconds: 0.5, noise: 0.01 });
  const result = tracker.track(track.samples, sampleRate, {}, none);
  assert.equal(result.beatsPerBar, 3);
  assert.ok(evaluateBeats(track.beats, result.beats.map((b) => b.timeSeconds), { minTimeSeconds: 0 }).fMeasure > 0.98);
  assert.ok(fMeasure(track.downbeats, downbeatTimes(result)).fMeasure > 0.95);
});

test('loud off-beat stabs over a kick on the beat do not pull the beats half a beat off', () => {
  const track = clickTrack({ sampleRate, durationSeconds: 40, startBpm: 140, beatsPerBar: 4, firstBeatSeconds: 0.5, offbeatStabs: true, chords: true });
  const result = tracker.track(track.samples, sampleRate, {}, none);
  assertWellFormed(result, 40);
  assert.ok(evaluateBeats(track.beats, result.beats.map((b) => b.timeSeconds), { minTimeSeconds: 0 }).fMeasure > 0.97);
});

test('the beats-per-bar override and the downbeat shift are applied', () => {
  const track = clickTrack({ sampleRate, durationSeconds: 20, startBpm: 120, beatsPerBar: 4, firstBeatSeconds: 0.5 });
  const forced = tracker.track(track.samples, sampleRate, { beatsPerBar: 3 }, none);
  assert.equal(forced.beatsPerBar, 3);
  for (const bar of forced.bars.slice(0, -1)) assert.ok(bar.beatsPerBar === 3 || bar.beatsPerBar === 4 || bar.beatsPerBar === 2);
  assert.ok(forced.bars.filter((bar) => bar.beatsPerBar === 3).length >= forced.bars.length / 2);
  for (const beat of forced.beats) assert.ok(beat.beatInBar >= 1 && beat.beatInBar <= 3, `beat in bar ${beat.beatInBar}`);
  // Every bar starts on a beat labelled 1.
  const forcedDownbeats = new Set(downbeatTimes(forced));
  for (const bar of forced.bars) assert.ok(forcedDownbeats.has(bar.startSeconds), `bar at ${bar.startSeconds}`);
  const plain = tracker.track(track.samples, sampleRate, {}, none);
  const shifted = tracker.track(track.samples, sampleRate, { downbeatShift: 1 }, none);
  assert.ok(Math.abs(shifted.bars[0]!.startSeconds - (plain.bars[0]!.startSeconds + 0.5)) < 0.02);
  // The shift relabels the same beats: same times, every label one less (mod 4).
  assert.deepEqual(shifted.beats.map((b) => b.timeSeconds), plain.beats.map((b) => b.timeSeconds));
  assert.deepEqual(shifted.beats.map((b) => b.beatInBar), plain.beats.map((b) => ((b.beatInBar + 2) % 4) + 1));
  assert.throws(() => tracker.track(track.samples, sampleRate, { beatsPerBar: 0 }, none), (error: unknown) => error instanceof MontageError && error.code === 'AM_ERR_INVALID_ARGUMENT');
});

test('silence, a steady tone, noise and speech give sensible bars with a low confidence', () => {
  const next = random(11);
  const cases: [string, Float32Array][] = [
    ['silence', new Float32Array(sampleRate * 20)],
    ['tone', new Float32Array(sampleRate * 20).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / sampleRate))],
    ['noise', new Float32Array(sampleRate * 20).map(() => 0.3 * (next() * 2 - 1))],
    ['speech', speechLike(20, sampleRate)],
  ];
  for (const [name, samples] of cases) {
    const result = tracker.track(samples, sampleRate, {}, none);
    assertWellFormed(result, 20);
    assert.ok(result.confidence < 0.15, `${name}: confidence ${result.confidence}`);
  }
});

test('free-tempo clicks get a lower confidence than a steady pulse', () => {
  const free = tracker.track(freeTempoClicks(30, sampleRate), sampleRate, {}, none);
  assertWellFormed(free, 30);
  assert.ok(free.confidence < 0.5, `confidence ${free.confidence}`);
});

test('cancellation stops the tracker', () => {
  const source = new CancellationTokenSource();
  source.cancel();
  const track = clickTrack({ sampleRate, durationSeconds: 10, startBpm: 120, beatsPerBar: 4 });
  assert.throws(() => tracker.track(track.samples, sampleRate, {}, source.token), (error: unknown) => error instanceof MontageError && error.code === 'AM_ERR_CANCELLED');
});
