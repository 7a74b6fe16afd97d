import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateTempo, onsetEnvelope } from '../../companion/analysis/music/tempo';

const frameRate = 100;

/** Unit spikes every `period` seconds (fractional frames rounded), for `seconds`. */
function pulse(seconds: number, periodSeconds: number, offsetSeconds = 0.3): Float32Array {
  const envelope = new Float32Array(Math.round(seconds * frameRate));
  for (let t = offsetSeconds; t < seconds; t += periodSeconds) {
    const frame = Math.round(t * frameRate);
    if (frame < envelope.length) envelope[frame] = 1;
  }
  return envelope;
}

test('the onset envelope is non-negative with unit standard deviation, and zero input stays zero', () => {
  const raw = new Float32Array(2000).map((_, t) => (t % 50 === 0 ? 5 : 1) + 0.1 * Math.sin(t));
  const envelope = onsetEnvelope(raw, frameRate);
  let sum = 0;
  let sumSquares = 0;
  for (const value of envelope) {
    assert.ok(value >= 0);
    sum += value;
    sumSquares += value * value;
  }
  const mean = sum / envelope.length;
  assert.ok(Math.abs(Math.sqrt(sumSquares / envelope.length - mean * mean) - 1) < 1e-4);
  // The spikes stand far above the rest once the moving average is removed.
  assert.ok(envelope[1000]! > 5 * envelope[1025]!);
  assert.deepEqual(Array.from(onsetEnvelope(new Float32Array(300), frameRate)), new Array(300).fill(0));
});

test('a steady pulse gives its tempo and a local period equal to its beat period', () => {
  for (const bpm of [75, 120, 170]) {
    const estimate = estimateTempo(pulse(40, 60 / bpm), frameRate);
    assert.ok(Math.abs(estimate.bpm - bpm) < 1.5, `${bpm} BPM estimated as ${estimate.bpm}`);
    assert.ok(estimate.peakRatio > 2, `peak ratio ${estimate.peakRatio}`);
    assert.ok(estimate.localPeakRatio > 7, `local peak ratio ${estimate.localPeakRatio}`);
    assert.equal(estimate.localPeriodFrames.length, 4000);
    for (const period of estimate.localPeriodFrames) assert.ok(Math.abs(period - (60 * frameRate) / bpm) < 0.02 * ((60 * frameRate) / bpm));
    assert.ok(Math.abs(estimate.candidates[0]!.bpm - bpm) < 1.5 && estimate.candidates[0]!.salience === 1);
  }
});

test('the local period follows a change of tempo within the drift range', () => {
  const slow = pulse(30, 60 / 110);
  const fast = pulse(30, 60 / 130);
  const envelope = new Float32Array(slow.length + fast.length);
  envelope.set(slow);
  envelope.set(fast, slow.length);
  const estimate = estimateTempo(envelope, frameRate);
  const early = estimate.localPeriodFrames[500]!;
  const late = estimate.localPeriodFrames[5500]!;
  assert.ok(Math.abs(early - 6000 / 110) < 1.5, `early period ${early}`);
  assert.ok(Math.abs(late - 6000 / 130) < 1.5, `late period ${late}`);
});

test('an envelope with no pulse gives no tempo', () => {
  const estimate = estimateTempo(new Float32Array(2000), frameRate);
  assert.equal(estimate.bpm, 0);
  assert.deepEqual(estimate.candidates, []);
  assert.equal(estimateTempo(new Float32Array(0), frameRate).bpm, 0);
});
