import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeBars, decodeBeats } from '../../companion/analysis/music/beat-decoder';
import { trackFromActivations } from '../../companion/analysis/music/beat-network-tracker';
import { random } from '../support/random';

const FPS = 100;

/** Activations as a network would give them: peaks of 3 frames at the beats, higher downbeat peaks on bar lines. */
function activations(beatTimes: readonly number[], downbeatTimes: readonly number[], seconds: number, noise = 0.02, seed = 1) {
  const rng = random(seed);
  const beat = new Float32Array(seconds * FPS).map(() => noise * rng());
  const downbeat = new Float32Array(seconds * FPS).map(() => noise * rng());
  const mark = (values: Float32Array, times: readonly number[], peak: number) => {
    for (const time of times) {
      const frame = Math.round(time * FPS);
      for (const [offset, v] of [[-1, 0.4], [0, 1], [1, 0.4]] as const) if (values[frame + offset] !== undefined) values[frame + offset] = Math.max(values[frame + offset]!, v * peak);
    }
  };
  mark(beat, beatTimes, 0.8);
  mark(downbeat, downbeatTimes, 0.7);
  return { beat, downbeat };
}

function grid(bpm: (time: number) => number, seconds: number, beatsPerBar: number, start = 0.5) {
  const beats: number[] = [];
  for (let time = start; time < seconds - 0.3; time += 60 / bpm(time)) beats.push(time);
  return { beats, downbeats: beats.filter((_, i) => i % beatsPerBar === 0) };
}

test('beats at 120 BPM are found within 10 ms each, with no extra or missing beat', () => {
  const truth = grid(() => 120, 30, 4);
  const input = activations(truth.beats, truth.downbeats, 30);
  // The raw path also runs on through the silence at both ends; the tracker drops those beats.
  const raw = decodeBeats(input.beat, { frameRate: FPS }).frames.map((frame) => frame / FPS);
  assert.ok(truth.beats.every((time) => raw.some((t) => Math.abs(t - time) < 0.011)));
  const beats = trackFromActivations(input, 30).beats.map((b) => b.timeSeconds);
  assert.equal(beats.length, truth.beats.length);
  beats.forEach((time, i) => assert.ok(Math.abs(time - truth.beats[i]!) < 0.011, `beat ${i}: ${time} vs ${truth.beats[i]}`));
});

test('a ritardando from 140 to 70 BPM is followed beat by beat', () => {
  const truth = grid((time) => 140 - (70 * time) / 40, 40, 3);
  const beats = trackFromActivations(activations(truth.beats, truth.downbeats, 40), 40).beats.map((b) => b.timeSeconds);
  assert.equal(beats.length, truth.beats.length);
  beats.forEach((time, i) => assert.ok(Math.abs(time - truth.beats[i]!) < 0.02, `beat ${i}`));
});

test('the bar HMM picks 3/4 and puts every downbeat on the bar line', () => {
  const truth = grid(() => 100, 40, 3);
  const tracking = trackFromActivations(activations(truth.beats, truth.downbeats, 40), 40);
  assert.equal(tracking.beatsPerBar, 3);
  const downbeats = tracking.beats.filter((b) => b.beatInBar === 1).map((b) => b.timeSeconds);
  assert.equal(downbeats.length, truth.downbeats.length);
  downbeats.forEach((time, i) => assert.ok(Math.abs(time - truth.downbeats[i]!) < 0.011));
  for (const bar of tracking.bars) assert.ok(bar.confidence! > 0.5 && bar.confidence! <= 1, `bar ${bar.index}: ${bar.confidence}`);
  assert.equal(tracking.pulse, 'steady');
});

test('a metre change from 4/4 to 3/4 changes the bar length at the right bar', () => {
  const beats: number[] = [];
  const downbeats: number[] = [];
  let time = 0.5;
  for (let bar = 0; bar < 16; bar++) {
    const meter = bar < 8 ? 4 : 3;
    downbeats.push(time);
    for (let b = 0; b < meter; b++, time += 0.5) beats.push(time);
  }
  const tracking = trackFromActivations(activations(beats, downbeats, Math.ceil(time + 1)), Math.ceil(time + 1));
  const counts = tracking.bars.map((bar) => bar.beatsPerBar);
  assert.deepEqual(counts.slice(0, 8), [4, 4, 4, 4, 4, 4, 4, 4]);
  assert.deepEqual(counts.slice(8, 15), [3, 3, 3, 3, 3, 3, 3]);
});

test('the editor overrides win: bpm, beats per bar and the first downbeat', () => {
  const truth = grid(() => 120, 30, 4);
  const input = activations(truth.beats, truth.downbeats, 30);
  const forced = trackFromActivations(input, 30, { beatsPerBar: 3 });
  assert.equal(forced.beatsPerBar, 3);
  assert.ok(forced.bars.every((bar, i, all) => bar.beatsPerBar === 3 || i === all.length - 1));
  // Half tempo asked: every other beat, still on the music's beats.
  const half = trackFromActivations(input, 30, { bpm: 60 });
  assert.equal(half.tempoBpm, 60);
  for (const beat of half.beats) assert.ok(truth.beats.some((t) => Math.abs(t - beat.timeSeconds) < 0.011));
  // A downbeat on the second beat of the music's bars.
  const shifted = trackFromActivations(input, 30, { firstDownbeatSeconds: truth.beats[5]! });
  const firstDownbeats = shifted.beats.filter((b) => b.beatInBar === 1).map((b) => b.timeSeconds);
  assert.ok(firstDownbeats.some((t) => Math.abs(t - truth.beats[5]!) < 0.011));
  assert.ok(!firstDownbeats.some((t) => Math.abs(t - truth.beats[4]!) < 0.011));
});

test('without a steady pulse the music is cut into phrases on its onsets and marked free', () => {
  // Sparse onsets at irregular times (0.7–3.3 s apart), weak activation everywhere else.
  const rng = random(7);
  const onsets: number[] = [];
  for (let time = 0.4; time < 58; time += 0.7 + 2.6 * rng()) onsets.push(time);
  const { beat, downbeat } = activations([], [], 60, 0.03, 3);
  for (const time of onsets) beat[Math.round(time * FPS)] = 0.3;
  const tracking = trackFromActivations({ beat, downbeat }, 60);
  assert.equal(tracking.pulse, 'free');
  assert.ok(tracking.confidence <= 0.3);
  assert.ok(tracking.bars.length >= 8 && tracking.bars.length <= 30, `${tracking.bars.length} phrases`);
  let end = 0;
  for (const bar of tracking.bars) {
    assert.ok(Math.abs(bar.startSeconds - end) < 1e-9, 'the phrases tile the music');
    assert.ok(bar.durationSeconds >= 2 - 1e-9 || bar.index === tracking.bars.length - 1, `phrase ${bar.index} lasts ${bar.durationSeconds}`);
    if (bar.index > 0) assert.ok(onsets.some((t) => Math.abs(t - bar.startSeconds) < 0.011), `phrase ${bar.index} starts on an onset`);
    end = bar.startSeconds + bar.durationSeconds;
  }
  assert.ok(Math.abs(end - 60) < 1e-9);
});

test('silence gives no NaN: free pulse, even phrases, confidence 0', () => {
  const tracking = trackFromActivations({ beat: new Float32Array(2000), downbeat: new Float32Array(2000) }, 20);
  assert.equal(tracking.pulse, 'free');
  assert.equal(tracking.confidence, 0);
  assert.ok(tracking.bars.length >= 1);
  for (const bar of tracking.bars) assert.ok(Number.isFinite(bar.startSeconds) && bar.durationSeconds > 0 && Number.isFinite(bar.tempoBpm));
});

test('decodeBars returns posteriors in 0…1 and honours a forced downbeat', () => {
  const downbeat = Array.from({ length: 24 }, (_, i) => (i % 4 === 0 ? 0.8 : 0.1));
  const free = decodeBars(downbeat);
  assert.deepEqual(free.positions.slice(0, 8), [0, 1, 2, 3, 0, 1, 2, 3]);
  for (const p of [...free.downbeatProbability, ...free.meterProbability]) assert.ok(p >= 0 && p <= 1);
  assert.ok(free.downbeatProbability[4]! > 0.9 && free.downbeatProbability[5]! < 0.1);
  const anchored = decodeBars(downbeat, { meters: [4], downbeatAt: 2 });
  assert.equal(anchored.positions[2], 0);
});
