/**
 * Tempo from an onset-strength envelope.
 *
 * Salience of a tempo T is the product of two periodicity measures that err in opposite directions: the
 * autocorrelation at lag 60/T (high at T and at its sub-multiples T/2, T/3 …) and the Fourier magnitude at
 * T/60 Hz (high at T and its multiples 2T, 3T …). Their product peaks where both agree, which settles most
 * half/double tempo confusions; a broad log-normal prior over tempo breaks what remains.
 *
 * Both are computed over short windows, which gives a local tempo curve as well: a Viterbi path through
 * the windows' salience, kept near the global tempo, lets the beat tracker follow tempo drift.
 */
import { throwIfCancelled, type CancellationToken } from '../../core/lifecycle';

export interface TempoOptions {
  readonly minBpm?: number;
  readonly maxBpm?: number;
  /** Centre of the log-normal tempo prior. */
  readonly priorBpm?: number;
  /** Width of the prior in octaves (one standard deviation). */
  readonly priorOctaves?: number;
  /** Analysis window in seconds. */
  readonly windowSeconds?: number;
  /** Hop between windows in seconds. */
  readonly hopSeconds?: number;
  /** The local tempo stays within this factor of the global tempo. */
  readonly maxDriftFactor?: number;
}

export interface TempoEstimate {
  /** The global tempo in BPM (0 when no periodicity was found). */
  readonly bpm: number;
  /** Global salience at `bpm` relative to the mean salience over all tempi (1 = nothing stands out). */
  readonly peakRatio: number;
  /**
   * Mean over windows of the local salience on the tempo path relative to that window's mean salience
   * over all tempi (about 1 for noise; large for a steady pulse, even a drifting one).
   */
  readonly localPeakRatio: number;
  /** Local beat period, in onset frames, for every onset frame. */
  readonly localPeriodFrames: Float32Array;
  /** Candidate tempi (BPM) and their global salience, for diagnostics. */
  readonly candidates: readonly { readonly bpm: number; readonly salience: number }[];
}

const DEFAULTS = {
  minBpm: 40,
  maxBpm: 220,
  priorBpm: 120,
  priorOctaves: 1,
  windowSeconds: 8,
  hopSeconds: 2,
  maxDriftFactor: 1.3,
} as const;

/**
 * Turns raw spectral flux into a beat-tracking envelope: subtracts a moving average (±`halfWidthSeconds`),
 * half-wave rectifies and scales to unit standard deviation (an all-zero input stays zero).
 */
export function onsetEnvelope(onset: Float32Array, frameRate: number, halfWidthSeconds = 0.25): Float32Array {
  const n = onset.length;
  const envelope = new Float32Array(n);
  if (n === 0) return envelope;
  const half = Math.max(1, Math.round(frameRate * halfWidthSeconds));
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + onset[i]!;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const start = Math.max(0, i - half);
    const end = Math.min(n, i + half + 1);
    const value = Math.max(0, onset[i]! - (prefix[end]! - prefix[start]!) / (end - start));
    envelope[i] = value;
    sum += value;
    sumSquares += value * value;
  }
  const mean = sum / n;
  const deviation = Math.sqrt(Math.max(0, sumSquares / n - mean * mean));
  if (deviation > 1e-9) for (let i = 0; i < n; i++) envelope[i]! /= deviation;
  else envelope.fill(0);
  return envelope;
}

/** Estimates the global tempo and a local period curve. */
export function estimateTempo(envelope: Float32Array, frameRate: number, options: TempoOptions = {}, token?: CancellationToken): TempoEstimate {
  const o = { ...DEFAULTS, ...options };
  const n = envelope.length;
  // Tempo bins, 1% apart.
  const tempi: number[] = [];
  for (let bpm = o.minBpm; bpm <= o.maxBpm; bpm *= 1.01) tempi.push(bpm);
  const binCount = tempi.length;
  const windowFrames = Math.max(8, Math.min(n, Math.round(o.windowSeconds * frameRate)));
  const hopFrames = Math.max(1, Math.round(o.hopSeconds * frameRate));
  const starts: number[] = [];
  if (n > 0) {
    for (let start = 0; start + windowFrames <= n; start += hopFrames) starts.push(start);
    const last = n - windowFrames;
    if (starts.length === 0 || starts[starts.length - 1]! < last) starts.push(Math.max(0, last));
  }
  const windowCount = starts.length;

  // Precomputed windowed Fourier basis (cos and sin) for each tempo bin.
  const taper = new Float64Array(windowFrames);
  for (let i = 0; i < windowFrames; i++) taper[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / windowFrames);
  const cosBasis = new Float32Array(binCount * windowFrames);
  const sinBasis = new Float32Array(binCount * windowFrames);
  for (let b = 0; b < binCount; b++) {
    const omega = (2 * Math.PI * tempi[b]!) / 60 / frameRate;
    for (let i = 0; i < windowFrames; i++) {
      cosBasis[b * windowFrames + i] = Math.cos(omega * i) * taper[i]!;
      sinBasis[b * windowFrames + i] = Math.sin(omega * i) * taper[i]!;
    }
  }
  const lags = tempi.map((bpm) => (60 * frameRate) / bpm);
  const maxLag = Math.min(windowFrames - 1, Math.ceil(lags[0]!) + 1);

  const fourier = new Float32Array(windowCount * binCount);
  const correlation = new Float32Array(windowCount * binCount);
  const segment = new Float64Array(windowFrames);
  const acf = new Float64Array(maxLag + 2);
  for (let w = 0; w < windowCount; w++) {
    if ((w & 15) === 0) throwIfCancelled(token);
    const start = starts[w]!;
    let mean = 0;
    for (let i = 0; i < windowFrames; i++) mean += envelope[start + i] ?? 0;
    mean /= windowFrames;
    for (let i = 0; i < windowFrames; i++) segment[i] = (envelope[start + i] ?? 0) - mean;
    let zeroLag = 0;
    for (let i = 0; i < windowFrames; i++) zeroLag += segment[i]! * segment[i]!;
    for (let lag = 1; lag <= maxLag + 1 && lag < windowFrames; lag++) {
      let sum = 0;
      for (let i = lag; i < windowFrames; i++) sum += segment[i]! * segment[i - lag]!;
      acf[lag] = zeroLag > 1e-12 ? sum / (windowFrames - lag) / (zeroLag / windowFrames) : 0;
    }
    for (let b = 0; b < binCount; b++) {
      let re = 0;
      let im = 0;
      const base = b * windowFrames;
      for (let i = 0; i < windowFrames; i++) {
        const value = segment[i]!;
        re += value * cosBasis[base + i]!;
        im += value * sinBasis[base + i]!;
      }
      fourier[w * binCount + b] = Math.sqrt(re * re + im * im);
      const lag = lags[b]!;
      const whole = Math.floor(lag);
      const fraction = lag - whole;
      const value = whole + 1 < acf.length ? acf[whole]! * (1 - fraction) + acf[whole + 1]! * fraction : 0;
      correlation[w * binCount + b] = Math.max(0, value);
    }
  }

  // Global salience: mean autocorrelation × mean Fourier magnitude × prior.
  const salience = new Float64Array(binCount);
  let meanSalience = 0;
  for (let b = 0; b < binCount; b++) {
    let sumFourier = 0;
    let sumCorrelation = 0;
    for (let w = 0; w < windowCount; w++) {
      sumFourier += fourier[w * binCount + b]!;
      sumCorrelation += correlation[w * binCount + b]!;
    }
    const octaves = Math.log2(tempi[b]! / o.priorBpm) / o.priorOctaves;
    const value = windowCount > 0 ? (sumFourier / windowCount) * (sumCorrelation / windowCount) * Math.exp(-0.5 * octaves * octaves) : 0;
    salience[b] = value;
    meanSalience += value / binCount;
  }
  let best = 0;
  for (let b = 1; b < binCount; b++) if (salience[b]! > salience[best]!) best = b;
  const peak = salience[best]!;
  const localPeriodFrames = new Float32Array(n);
  if (!(peak > 1e-12) || windowCount === 0) {
    return { bpm: 0, peakRatio: 1, localPeakRatio: 1, localPeriodFrames, candidates: [] };
  }
  // Parabolic refinement of the peak between neighbouring bins (log-tempo axis).
  let bestBpm = tempi[best]!;
  if (best > 0 && best < binCount - 1) {
    const left = salience[best - 1]!;
    const right = salience[best + 1]!;
    const curvature = left - 2 * peak + right;
    if (curvature < 0) bestBpm *= 1.01 ** Math.max(-0.5, Math.min(0.5, (0.5 * (left - right)) / curvature));
  }

  // Local tempo: Viterbi through the windows, over bins within maxDriftFactor of the global tempo.
  const lowBin = Math.max(0, Math.ceil(best - Math.log(o.maxDriftFactor) / Math.log(1.01)));
  const highBin = Math.min(binCount - 1, Math.floor(best + Math.log(o.maxDriftFactor) / Math.log(1.01)));
  const span = highBin - lowBin + 1;
  const score = new Float64Array(span);
  const nextScore = new Float64Array(span);
  const back = new Int32Array(windowCount * span);
  // A 1% step per hop costs little; a jump of 10% costs a lot (quadratic in log-tempo change).
  const stepCost = 0.02;
  const reach = 12;
  for (let w = 0; w < windowCount; w++) {
    let windowMax = 1e-12;
    for (let b = lowBin; b <= highBin; b++) windowMax = Math.max(windowMax, fourier[w * binCount + b]! * correlation[w * binCount + b]!);
    for (let s = 0; s < span; s++) {
      const b = lowBin + s;
      const local = Math.log(0.05 + (fourier[w * binCount + b]! * correlation[w * binCount + b]!) / windowMax);
      const globalPull = 0.1 * Math.log(0.05 + salience[b]! / peak);
      if (w === 0) {
        nextScore[s] = local + globalPull;
        continue;
      }
      let bestPrevious = -Infinity;
      let bestIndex = s;
      for (let d = -reach; d <= reach; d++) {
        const p = s + d;
        if (p < 0 || p >= span) continue;
        const candidate = score[p]! - stepCost * d * d;
        if (candidate > bestPrevious) {
          bestPrevious = candidate;
          bestIndex = p;
        }
      }
      nextScore[s] = bestPrevious + local + globalPull;
      back[w * span + s] = bestIndex;
    }
    score.set(nextScore);
  }
  let state = 0;
  for (let s = 1; s < span; s++) if (score[s]! > score[state]!) state = s;
  const path = new Int32Array(windowCount);
  for (let w = windowCount - 1; w >= 0; w--) {
    path[w] = state;
    if (w > 0) state = back[w * span + state]!;
  }
  let localPeakRatio = 0;
  for (let w = 0; w < windowCount; w++) {
    let mean = 0;
    for (let b = 0; b < binCount; b++) mean += (fourier[w * binCount + b]! * correlation[w * binCount + b]!) / binCount;
    const onPath = fourier[w * binCount + lowBin + path[w]!]! * correlation[w * binCount + lowBin + path[w]!]!;
    localPeakRatio += mean > 1e-12 ? onPath / mean / windowCount : 1 / windowCount;
  }
  // Window centres → per-frame period, linearly interpolated; the global refinement nudges all bins alike.
  const refine = bestBpm / tempi[best]!;
  const centres = starts.map((start) => start + windowFrames / 2);
  const periods = Array.from(path, (s) => (60 * frameRate) / (tempi[lowBin + s]! * refine));
  let cursor = 0;
  for (let t = 0; t < n; t++) {
    while (cursor + 1 < centres.length && centres[cursor + 1]! <= t) cursor++;
    const c0 = centres[cursor]!;
    const p0 = periods[cursor]!;
    if (t <= c0 || cursor + 1 >= centres.length) {
      localPeriodFrames[t] = p0;
    } else {
      const c1 = centres[cursor + 1]!;
      const p1 = periods[cursor + 1]!;
      localPeriodFrames[t] = p0 + ((p1 - p0) * (t - c0)) / (c1 - c0);
    }
  }
  const candidates: { bpm: number; salience: number }[] = [];
  for (let b = 1; b < binCount - 1; b++) {
    if (salience[b]! >= salience[b - 1]! && salience[b]! >= salience[b + 1]! && salience[b]! > 0.1 * peak) candidates.push({ bpm: tempi[b]!, salience: salience[b]! / peak });
  }
  candidates.sort((a, b) => b.salience - a.salience);
  return { bpm: bestBpm, peakRatio: meanSalience > 0 ? peak / meanSalience : 1, localPeakRatio, localPeriodFrames, candidates: candidates.slice(0, 6) };
}
