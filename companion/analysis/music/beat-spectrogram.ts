/**
 * The input of the beat network: a log-compressed mel spectrogram and its half-wave-rectified first difference,
 * 100 frames a second. The training script (models/training/beats) reads exactly these frames, written by the
 * same function, so runtime and training cannot drift apart.
 *
 * Frame t is centred on sample round(t · sampleRate / 100), so its time is t / 100 s whatever the sample rate.
 * The level is normalised first: the RMS of the 50 ms blocks above −60 dBFS is brought to −20 dBFS (at most
 * +40 dB, so near-silence stays quiet).
 */
import { throwIfCancelled, type CancellationToken } from '../../core/lifecycle';
import { hannWindow, RealFft } from './fft';
import { melBank } from './spectral-features';

export const BEAT_FRAME_RATE = 100;
/** Mel bands; the network's input has twice as many channels (magnitudes, then their rises). */
export const BEAT_BANDS = 48;
export const BEAT_FEATURES = 2 * BEAT_BANDS;
const WINDOW_SECONDS = 0.046;
const LOW_HZ = 30;
const HIGH_HZ = 5500;
/** The level every input is brought to (RMS of its audible parts), so a loud master and a quiet render read alike. */
const TARGET_DBFS = -20;
const MAX_GAIN_DB = 40;

/** Frames × BEAT_FEATURES, row-major. */
export interface BeatSpectrogram {
  readonly frameCount: number;
  readonly data: Float32Array;
  /**
   * Median spectral flatness of the mel bands (geometric ÷ arithmetic mean, 0…1; every 5th frame): white
   * noise reads about 0.96, pink noise 0.81, dense metal mixes 0.55–0.68, most music 0.1–0.45.
   */
  readonly flatness: number;
}

/** Linear gain that brings the audible parts of the signal to TARGET_DBFS. */
function levelGain(samples: Float32Array, sampleRate: number): number {
  const block = Math.max(1, Math.round(sampleRate * 0.05));
  const floor = 10 ** (-60 / 10);
  let sum = 0;
  let count = 0;
  for (let start = 0; start + block <= samples.length; start += block) {
    let power = 0;
    for (let i = start; i < start + block; i++) power += samples[i]! * samples[i]!;
    power /= block;
    if (power > floor) {
      sum += power;
      count++;
    }
  }
  if (count === 0) return 1;
  const levelDb = 10 * Math.log10(sum / count);
  return 10 ** (Math.min(MAX_GAIN_DB, TARGET_DBFS - levelDb) / 20);
}

export function computeBeatSpectrogram(samples: Float32Array, sampleRate: number, token?: CancellationToken): BeatSpectrogram {
  const fftSize = 2 ** Math.round(Math.log2(sampleRate * WINDOW_SECONDS));
  const fft = new RealFft(fftSize);
  const window = hannWindow(fftSize);
  const power = new Float64Array(fft.bins);
  const magnitudes = new Float64Array(fft.bins);
  const bank = melBank(BEAT_BANDS, fftSize, sampleRate, LOW_HZ, HIGH_HZ);
  const frameCount = Math.max(0, Math.floor((samples.length * BEAT_FRAME_RATE) / sampleRate));
  const data = new Float32Array(frameCount * BEAT_FEATURES);
  // log(1 + γ·|X|): γ relative to a full-scale sine's magnitude, so the scale does not depend on the FFT size.
  const gamma = (1000 / (fftSize / 4)) * levelGain(samples, sampleRate);
  const previous = new Float32Array(BEAT_BANDS);
  for (let t = 0; t < frameCount; t++) {
    if ((t & 2047) === 0) throwIfCancelled(token);
    const centre = Math.round((t * sampleRate) / BEAT_FRAME_RATE);
    fft.powerSpectrum(samples, centre - fftSize / 2, window, power);
    for (let k = 0; k < magnitudes.length; k++) magnitudes[k] = Math.sqrt(power[k]!);
    const row = t * BEAT_FEATURES;
    for (let b = 0; b < BEAT_BANDS; b++) {
      const first = bank.starts[b]!;
      const weights = bank.weights[b]!;
      let magnitude = 0;
      for (let i = 0; i < weights.length; i++) magnitude += weights[i]! * magnitudes[first + i]!;
      const value = Math.log1p(gamma * magnitude);
      data[row + b] = value;
      data[row + BEAT_BANDS + b] = t > 0 ? Math.max(0, value - previous[b]!) : 0;
      previous[b] = value;
    }
  }
  return { frameCount, data, flatness: medianFlatness(data, frameCount, gamma) };
}

function medianFlatness(data: Float32Array, frameCount: number, gamma: number): number {
  const values: number[] = [];
  for (let t = 0; t < frameCount; t += 5) {
    let logSum = 0;
    let sum = 0;
    for (let b = 0; b < BEAT_BANDS; b++) {
      const magnitude = Math.expm1(data[t * BEAT_FEATURES + b]!) / gamma + 1e-9;
      logSum += Math.log(magnitude);
      sum += magnitude;
    }
    if (sum > 1e-6 * BEAT_BANDS) values.push(Math.exp(logSum / BEAT_BANDS) / (sum / BEAT_BANDS));
  }
  values.sort((a, b) => a - b);
  return values.length ? values[values.length >> 1]! : 0;
}
