/**
 * One pass of short-time spectra over mono samples, giving everything the bar tracker and the per-bar
 * features need: a log-mel spectral-flux onset strength (all bands and a low band for kick/bass accents),
 * frame energy, spectral centroid, and a chroma sequence from a longer window.
 *
 * Frame t of the onset stream is centred on sample t·hop, so its time is t / frameRate seconds.
 */
import { throwIfCancelled, type CancellationToken } from '../../core/lifecycle';
import { hannWindow, RealFft } from './fft';

export interface SpectralFeatures {
  readonly sampleRate: number;
  /** Onset-stream frames per second (sampleRate / hop). */
  readonly frameRate: number;
  readonly frameCount: number;
  /** Spectral flux of log-mel magnitudes, all bands (≥ 0). */
  readonly onset: Float32Array;
  /** Spectral flux of the bands below about 160 Hz (≥ 0). */
  readonly lowOnset: Float32Array;
  /** Mean square of the samples around each frame (linear power, full scale = 1 for a ±1 square wave). */
  readonly energy: Float32Array;
  /** Spectral centroid in Hz (0 for a silent frame). */
  readonly centroidHz: Float32Array;
  /** Chroma frames per second. */
  readonly chromaFrameRate: number;
  readonly chromaFrameCount: number;
  /** 12 values per chroma frame (pitch classes from C), magnitude sums, not normalised. */
  readonly chroma: Float32Array;
}

export interface SpectralOptions {
  /** Onset window in samples (power of two; default about 46 ms). */
  readonly frameSize?: number;
  /** Onset hop in samples (default about 10 ms). */
  readonly hopSize?: number;
  /** Mel bands for the onset function (default 40). */
  readonly melBands?: number;
  /** Upper edge of the low band (centre frequencies below it), default 160 Hz (kick drum and bass fundamentals). */
  readonly lowBandHz?: number;
  /** Chroma window (power of two; default about 186 ms). */
  readonly chromaFrameSize?: number;
}

/** Mel scale (Slaney-free HTK form; only relative spacing matters here). */
function hzToMel(hz: number): number {
  return 2595 * Math.log10(1 + hz / 700);
}
function melToHz(mel: number): number {
  return 700 * (10 ** (mel / 2595) - 1);
}

export interface MelBank {
  /** Per band: first bin and weights. */
  readonly starts: Int32Array;
  readonly weights: Float64Array[];
  readonly centresHz: Float64Array;
}

/** Triangular mel filters (each sums to 1, at least one bin): the onset stream's and the beat network's. */
export function melBank(bands: number, fftSize: number, sampleRate: number, lowHz: number, highHz: number): MelBank {
  const binHz = sampleRate / fftSize;
  const lowMel = hzToMel(lowHz);
  const highMel = hzToMel(Math.min(highHz, sampleRate / 2));
  const edges: number[] = [];
  for (let i = 0; i < bands + 2; i++) edges.push(melToHz(lowMel + ((highMel - lowMel) * i) / (bands + 1)));
  const starts = new Int32Array(bands);
  const weights: Float64Array[] = [];
  const centresHz = new Float64Array(bands);
  for (let b = 0; b < bands; b++) {
    const left = edges[b]!;
    const centre = edges[b + 1]!;
    const right = edges[b + 2]!;
    centresHz[b] = centre;
    // At least one bin per band, so narrow low bands at a coarse resolution still see energy.
    let first = Math.max(1, Math.ceil(left / binHz));
    let last = Math.min(fftSize / 2, Math.floor(right / binHz));
    if (last < first) {
      first = Math.min(fftSize / 2, Math.max(1, Math.round(centre / binHz)));
      last = first;
    }
    const w = new Float64Array(last - first + 1);
    let sum = 0;
    for (let k = first; k <= last; k++) {
      const hz = k * binHz;
      const value = hz <= centre ? (hz - left) / Math.max(1e-9, centre - left) : (right - hz) / Math.max(1e-9, right - centre);
      w[k - first] = Math.max(0, value);
      sum += w[k - first]!;
    }
    if (sum <= 0) {
      w.fill(1 / w.length);
    } else {
      for (let i = 0; i < w.length; i++) w[i]! /= sum;
    }
    starts[b] = first;
    weights.push(w);
  }
  return { starts, weights, centresHz };
}

function nextPowerOfTwo(value: number): number {
  return 2 ** Math.max(2, Math.round(Math.log2(value)));
}

/** Computes the onset, energy, centroid and chroma streams. Checks the token between blocks of frames. */
export function computeSpectralFeatures(samples: Float32Array, sampleRate: number, options: SpectralOptions = {}, token?: CancellationToken): SpectralFeatures {
  const frameSize = options.frameSize ?? nextPowerOfTwo(sampleRate * 0.046);
  const hop = options.hopSize ?? Math.max(1, Math.round(sampleRate / 100));
  const bands = options.melBands ?? 40;
  const frameRate = sampleRate / hop;
  const frameCount = Math.max(0, Math.ceil(samples.length / hop));
  const fft = new RealFft(frameSize);
  const window = hannWindow(frameSize);
  const power = new Float64Array(fft.bins);
  const bank = melBank(bands, frameSize, sampleRate, 30, 8000);
  const lowBandCount = Math.max(1, bank.centresHz.filter((hz) => hz < (options.lowBandHz ?? 160)).length);
  const binHz = sampleRate / frameSize;

  const onset = new Float32Array(frameCount);
  const lowOnset = new Float32Array(frameCount);
  const energy = new Float32Array(frameCount);
  const centroidHz = new Float32Array(frameCount);
  let previous = new Float64Array(bands);
  let current = new Float64Array(bands);
  // log(1 + γ·|X|) compresses the dynamics; γ is relative to a full-scale sine's magnitude (about N/4).
  const gamma = 1000 / (frameSize / 4);
  const windowPower = window.reduce((sum, w) => sum + w * w, 0);

  for (let t = 0; t < frameCount; t++) {
    if ((t & 4095) === 0) throwIfCancelled(token);
    const offset = t * hop - frameSize / 2;
    fft.powerSpectrum(samples, offset, window, power);
    let total = 0;
    let weighted = 0;
    for (let k = 1; k < fft.bins; k++) {
      const p = power[k]!;
      total += p;
      weighted += p * k * binHz;
    }
    energy[t] = (2 * total) / (windowPower * frameSize);
    centroidHz[t] = total > 1e-12 ? weighted / total : 0;
    let flux = 0;
    let lowFlux = 0;
    for (let b = 0; b < bands; b++) {
      const first = bank.starts[b]!;
      const w = bank.weights[b]!;
      let magnitude = 0;
      for (let i = 0; i < w.length; i++) magnitude += w[i]! * Math.sqrt(power[first + i]!);
      const value = Math.log1p(gamma * magnitude);
      current[b] = value;
      const rise = value - previous[b]!;
      if (rise > 0 && t > 0) {
        flux += rise;
        if (b < lowBandCount) lowFlux += rise;
      }
    }
    onset[t] = flux;
    lowOnset[t] = lowFlux;
    const swap = previous;
    previous = current;
    current = swap;
  }

  const chromaFrameSize = options.chromaFrameSize ?? nextPowerOfTwo(sampleRate * 0.186);
  const chromaHop = chromaFrameSize / 2;
  const chromaFrameCount = Math.max(0, Math.ceil(samples.length / chromaHop));
  const chroma = new Float32Array(chromaFrameCount * 12);
  const chromaFft = new RealFft(chromaFrameSize);
  const chromaWindow = hannWindow(chromaFrameSize);
  const chromaPower = new Float64Array(chromaFft.bins);
  const chromaBinHz = sampleRate / chromaFrameSize;
  // Pitch class of each bin between ~100 Hz (where bins get finer than a semitone) and 5 kHz.
  const lowBin = Math.ceil(100 / chromaBinHz);
  const highBin = Math.min(chromaFft.bins - 1, Math.floor(Math.min(5000, sampleRate / 2) / chromaBinHz));
  const pitchClass = new Int8Array(chromaFft.bins).fill(-1);
  for (let k = lowBin; k <= highBin; k++) {
    const midi = 69 + 12 * Math.log2((k * chromaBinHz) / 440);
    pitchClass[k] = ((Math.round(midi) % 12) + 12) % 12;
  }
  for (let t = 0; t < chromaFrameCount; t++) {
    if ((t & 1023) === 0) throwIfCancelled(token);
    chromaFft.powerSpectrum(samples, t * chromaHop - chromaFrameSize / 2, chromaWindow, chromaPower);
    const base = t * 12;
    for (let k = lowBin; k <= highBin; k++) {
      const pc = pitchClass[k]!;
      chroma[base + pc]! += Math.sqrt(chromaPower[k]!);
    }
  }

  return {
    sampleRate,
    frameRate,
    frameCount,
    onset,
    lowOnset,
    energy,
    centroidHz,
    chromaFrameRate: sampleRate / chromaHop,
    chromaFrameCount,
    chroma,
  };
}
