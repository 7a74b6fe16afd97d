/**
 * Per-bar music features for the emotion encoders: loudness (RMS dBFS), onset density, spectral centroid,
 * chroma, a major/minor estimate and the bar's tempo. Computed from the spectral streams, so no second
 * pass over the samples. Every value is finite (silence gives −120 dB, a flat chroma and mode 0).
 */
import type { Bar, BarFeatures } from '../../core/montage';
import type { SpectralFeatures } from './spectral-features';

/** Floor for loudness, so silence is a number. */
const SILENCE_DB = -120;

/**
 * Key profiles from Krumhansl & Kessler's probe-tone ratings (1982), as published (C major / C minor).
 * Mode = best major-key correlation minus best minor-key correlation.
 */
const MAJOR_PROFILE = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88];
const MINOR_PROFILE = [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17];

/** Times of onset peaks (seconds): local maxima of the flux above an adaptive threshold, at least 50 ms apart. */
export function onsetTimes(features: SpectralFeatures): number[] {
  const onset = features.onset;
  const n = onset.length;
  const frameRate = features.frameRate;
  const half = Math.max(1, Math.round(0.1 * frameRate));
  const minGap = Math.max(1, Math.round(0.05 * frameRate));
  const wide = Math.max(1, Math.round(frameRate));
  // A global floor keeps noise in silence from counting.
  let mean = 0;
  for (let t = 0; t < n; t++) mean += onset[t]! / Math.max(1, n);
  const floor = Math.max(0.05 * mean, 1e-3);
  const prefix = new Float64Array(n + 1);
  for (let t = 0; t < n; t++) prefix[t + 1] = prefix[t]! + onset[t]!;
  const times: number[] = [];
  let lastPeak = -Infinity;
  for (let t = 1; t + 1 < n; t++) {
    const value = onset[t]!;
    if (value < onset[t - 1]! || value < onset[t + 1]!) continue;
    const from = Math.max(0, t - half);
    const to = Math.min(n, t + half + 1);
    const localMean = (prefix[to]! - prefix[from]!) / (to - from);
    if (value < floor || value < 1.5 * localMean + 0.1 * mean) continue;
    // Much weaker than the strongest onset within ±1 s: a decay tail or noise, not a new event.
    let localMax = 0;
    for (let u = Math.max(0, t - wide); u < Math.min(n, t + wide + 1); u++) localMax = Math.max(localMax, onset[u]!);
    if (value < 0.1 * localMax) continue;
    if (t - lastPeak < minGap) continue;
    times.push(t / frameRate);
    lastPeak = t;
  }
  return times;
}

function correlation(a: readonly number[], b: readonly number[], rotation: number): number {
  const n = 12;
  let meanA = 0;
  let meanB = 0;
  for (let i = 0; i < n; i++) {
    meanA += a[i]! / n;
    meanB += b[i]! / n;
  }
  let covariance = 0;
  let varianceA = 0;
  let varianceB = 0;
  for (let i = 0; i < n; i++) {
    const x = a[(i + rotation) % n]! - meanA;
    const y = b[i]! - meanB;
    covariance += x * y;
    varianceA += x * x;
    varianceB += y * y;
  }
  return varianceA > 1e-12 && varianceB > 1e-12 ? covariance / Math.sqrt(varianceA * varianceB) : 0;
}

/** +1 clearly major … −1 clearly minor, 0 for a flat or ambiguous chroma. */
export function modeOf(chroma: readonly number[]): number {
  // A flat chroma (silence, noise) has no key; rounding would otherwise pick a side.
  if (Math.max(...chroma) - Math.min(...chroma) < 1e-3 * Math.max(1e-12, Math.max(...chroma))) return 0;
  let major = -1;
  let minor = -1;
  for (let key = 0; key < 12; key++) {
    major = Math.max(major, correlation(chroma, MAJOR_PROFILE, key));
    minor = Math.max(minor, correlation(chroma, MINOR_PROFILE, key));
  }
  // Correlation differences are small (relative keys share notes); scale so a clear case reaches ±1.
  return Math.max(-1, Math.min(1, (major - minor) * 4));
}

/** Features for each bar, in the same order. Bar times are seconds from the first sample of `features`. */
export function computeBarFeatures(bars: readonly Bar[], features: SpectralFeatures): BarFeatures[] {
  const onsets = onsetTimes(features);
  const chromas: number[][] = [];
  const partial: Omit<BarFeatures, 'mode'>[] = [];
  let onsetCursor = 0;
  for (const bar of bars) {
    const start = bar.startSeconds;
    const end = start + bar.durationSeconds;
    const from = Math.max(0, Math.round(start * features.frameRate));
    const to = Math.min(features.frameCount, Math.max(from + 1, Math.round(end * features.frameRate)));
    let energy = 0;
    let weightedCentroid = 0;
    let frames = 0;
    for (let t = from; t < to; t++) {
      const e = features.energy[t]!;
      energy += e;
      weightedCentroid += e * features.centroidHz[t]!;
      frames++;
    }
    const meanEnergy = frames > 0 ? energy / frames : 0;
    const loudnessDb = meanEnergy > 1e-12 ? Math.max(SILENCE_DB, 10 * Math.log10(meanEnergy)) : SILENCE_DB;
    const spectralCentroidHz = energy > 1e-12 ? weightedCentroid / energy : 0;

    while (onsetCursor < onsets.length && onsets[onsetCursor]! < start) onsetCursor++;
    let count = 0;
    for (let i = onsetCursor; i < onsets.length && onsets[i]! < end; i++) count++;
    const onsetDensity = bar.durationSeconds > 0 ? count / bar.durationSeconds : 0;

    const chroma = new Array<number>(12).fill(0);
    const chromaFrom = Math.max(0, Math.round(start * features.chromaFrameRate));
    const chromaTo = Math.min(features.chromaFrameCount, Math.max(chromaFrom + 1, Math.round(end * features.chromaFrameRate)));
    let total = 0;
    for (let f = chromaFrom; f < chromaTo; f++) {
      for (let k = 0; k < 12; k++) {
        const value = features.chroma[f * 12 + k] ?? 0;
        chroma[k]! += value;
        total += value;
      }
    }
    const normalised = total > 1e-9 ? chroma.map((v) => v / total) : chroma.map(() => 1 / 12);
    chromas.push(normalised);
    partial.push({ loudnessDb, onsetDensity, spectralCentroidHz, chroma: normalised, tempoBpm: bar.tempoBpm });
  }
  // Mode from the chroma of the bar and its neighbours (±2 bars): one bar is often a single chord.
  return partial.map((p, index) => {
    const pooled = new Array<number>(12).fill(0);
    for (let j = Math.max(0, index - 2); j <= Math.min(chromas.length - 1, index + 2); j++) for (let k = 0; k < 12; k++) pooled[k]! += chromas[j]![k]!;
    return { ...p, mode: modeOf(pooled) };
  });
}
