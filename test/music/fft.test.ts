import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hannWindow, RealFft } from '../../companion/analysis/music/fft';

function directPower(samples: Float32Array, window: Float64Array): number[] {
  const n = samples.length;
  const out: number[] = [];
  for (let k = 0; k <= n / 2; k++) {
    let re = 0;
    let im = 0;
    for (let t = 0; t < n; t++) {
      const x = samples[t]! * window[t]!;
      re += x * Math.cos((-2 * Math.PI * k * t) / n);
      im += x * Math.sin((-2 * Math.PI * k * t) / n);
    }
    out.push(re * re + im * im);
  }
  return out;
}

test('the real FFT power spectrum equals a direct DFT for several sizes', () => {
  for (const size of [4, 8, 64, 512]) {
    const fft = new RealFft(size);
    const samples = new Float32Array(size).map((_, i) => Math.sin(i * 0.37) + 0.5 * Math.cos(i * 1.9) + ((i * 7919) % 13) / 13 - 0.5);
    const window = hannWindow(size);
    const power = new Float64Array(fft.bins);
    fft.powerSpectrum(samples, 0, window, power);
    const expected = directPower(samples, window);
    for (let k = 0; k < fft.bins; k++) assert.ok(Math.abs(power[k]! - expected[k]!) <= 1e-6 * Math.max(1, expected[k]!), `size ${size} bin ${k}`);
  }
});

test('a sine at an exact bin frequency puts its energy in that bin', () => {
  const size = 256;
  const fft = new RealFft(size);
  const samples = new Float32Array(size).map((_, i) => Math.sin((2 * Math.PI * 20 * i) / size));
  const power = new Float64Array(fft.bins);
  fft.powerSpectrum(samples, 0, new Float64Array(size).fill(1), power);
  assert.ok(Math.abs(power[20]! - (size / 2) ** 2) < 1e-3);
  for (let k = 0; k < fft.bins; k++) if (k !== 20) assert.ok(power[k]! < 1e-6, `bin ${k}`);
});

test('frames hanging over either end of the samples read zeros', () => {
  const fft = new RealFft(8);
  const power = new Float64Array(fft.bins);
  const samples = new Float32Array([1, 1]);
  fft.powerSpectrum(samples, -7, new Float64Array(8).fill(1), power);
  // Only samples[0] falls inside the frame (at position 7): a flat spectrum of magnitude 1.
  for (const value of power) assert.ok(Math.abs(value - 1) < 1e-12);
});

test('sizes that are not powers of two are refused', () => {
  assert.throws(() => new RealFft(100), RangeError);
  assert.throws(() => new RealFft(2), RangeError);
});
