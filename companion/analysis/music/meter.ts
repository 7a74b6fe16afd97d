/**
 * Meter (3 or 4 beats per bar) and downbeat phase from beat-synchronous accents.
 *
 * Per beat we measure a downbeat "accent": harmonic change (cosine distance between the chroma of the beat
 * before and the beat after; chords tend to change on bar lines) and low-frequency onset strength (kick and
 * bass notes tend to mark bar starts). The meter is the bar length at which one phase of those accents stands
 * out most when the beats are folded in 3 and in 4 (see meterContrast), with a prior for 4. The bar position
 * of every beat then comes from a Viterbi pass over positions 0..M−1 that advances one position per beat and
 * may, at a cost, jump (a beat inserted or lost by the tracker, or a bar of another length in the music).
 */
import type { SpectralFeatures } from './spectral-features';

export interface BeatAccents {
  /** Harmonic change at each beat (0 … 1). */
  readonly harmonicChange: Float64Array;
  /** Low-band onset strength at each beat. */
  readonly lowOnset: Float64Array;
  /** Full-band onset strength at each beat. */
  readonly onset: Float64Array;
  /** Beat-synchronous chroma (12 per beat interval, L1-normalised). */
  readonly chroma: Float64Array;
}

export interface MeterOptions {
  /** Force the meter. */
  readonly beatsPerBar?: number;
  /** Cost of a jump in bar position (in accent units). */
  readonly jumpCost?: number;
  /** Weights of the standardised accents in the downbeat score. */
  readonly weights?: DownbeatWeights;
}

export interface MeterEstimate {
  readonly beatsPerBar: number;
  /** Bar position (0 = downbeat) of every beat. */
  readonly positions: Int32Array;
  /** How clearly the chosen downbeats stand out (0 … 1). */
  readonly confidence: number;
  /** Downbeat contrast when folding the beats in 3 and in 4, for diagnostics. */
  readonly repetition: { readonly three: number; readonly four: number };
}

/** The largest value of `values` within ±`half` frames of the (fractional) frame `centre`; 0 outside the array. */
export function maxAround(values: Float32Array, centre: number, half: number): number {
  let best = 0;
  const from = Math.max(0, Math.floor(centre - half));
  const to = Math.min(values.length - 1, Math.ceil(centre + half));
  for (let t = from; t <= to; t++) best = Math.max(best, values[t]!);
  return best;
}

/** Measures the accents at each beat. `beatTimes` in seconds from the first sample. */
export function beatAccents(beatTimes: readonly number[], features: SpectralFeatures, envelope: Float32Array): BeatAccents {
  const count = beatTimes.length;
  const chroma = new Float64Array(count * 12);
  const harmonicChange = new Float64Array(count);
  const lowOnset = new Float64Array(count);
  const onset = new Float64Array(count);
  const frameRate = features.frameRate;
  const chromaRate = features.chromaFrameRate;
  const tolerance = 0.04 * frameRate;
  for (let i = 0; i < count; i++) {
    const start = beatTimes[i]!;
    const end = i + 1 < count ? beatTimes[i + 1]! : start + (i > 0 ? start - beatTimes[i - 1]! : 0.5);
    // Chroma over the beat interval (frames whose centre lies inside it; at least the nearest one).
    const from = Math.max(0, Math.round(start * chromaRate));
    const to = Math.min(features.chromaFrameCount - 1, Math.max(from, Math.round(end * chromaRate) - 1));
    let total = 0;
    for (let f = from; f <= to; f++) {
      for (let k = 0; k < 12; k++) {
        const value = features.chroma[f * 12 + k] ?? 0;
        chroma[i * 12 + k]! += value;
        total += value;
      }
    }
    for (let k = 0; k < 12; k++) chroma[i * 12 + k] = total > 0 ? chroma[i * 12 + k]! / total : 1 / 12;
    lowOnset[i] = maxAround(features.lowOnset, start * frameRate, tolerance);
    onset[i] = maxAround(envelope, start * frameRate, tolerance);
  }
  for (let i = 1; i < count; i++) harmonicChange[i] = 1 - cosine(chroma, (i - 1) * 12, chroma, i * 12, 12);
  if (count > 1) harmonicChange[0] = harmonicChange[1]!;
  return { harmonicChange, lowOnset, onset, chroma };
}

function cosine(a: Float64Array, aOffset: number, b: Float64Array, bOffset: number, length: number): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let k = 0; k < length; k++) {
    const x = a[aOffset + k]!;
    const y = b[bOffset + k]!;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA > 0 && normB > 0 ? dot / Math.sqrt(normA * normB) : 0;
}

/** Standard scores (mean 0, standard deviation 1); all zeros when the values do not vary. */
export function zScores(values: Float64Array): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  let mean = 0;
  for (const v of values) mean += v / n;
  let variance = 0;
  for (const v of values) variance += ((v - mean) * (v - mean)) / n;
  const deviation = Math.sqrt(variance);
  if (deviation < 1e-12) return out;
  for (let i = 0; i < n; i++) out[i] = (values[i]! - mean) / deviation;
  return out;
}

export interface DownbeatWeights {
  readonly harmonic: number;
  readonly low: number;
  readonly onset: number;
}

export const DEFAULT_DOWNBEAT_WEIGHTS: DownbeatWeights = { harmonic: 1, low: 0.5, onset: 0 };

/** The per-beat downbeat score: a weighted sum of the standardised harmonic change and onset strengths. */
export function downbeatScores(accents: BeatAccents, weights: DownbeatWeights = DEFAULT_DOWNBEAT_WEIGHTS): Float64Array {
  const harmonic = zScores(accents.harmonicChange);
  const low = zScores(accents.lowOnset);
  const onset = zScores(accents.onset);
  const out = new Float64Array(harmonic.length);
  for (let i = 0; i < out.length; i++) out[i] = weights.harmonic * harmonic[i]! + weights.low * low[i]! + weights.onset * onset[i]!;
  return out;
}

/**
 * How much the beats at one phase of an M-beat cycle stand out: the best, over phases, of the mean score
 * at that phase minus the mean elsewhere. Accents every 4 beats blur when folded at 3 and vice versa.
 */
export function meterContrast(scores: Float64Array, beatsPerBar: number): { contrast: number; phase: number } {
  const sums = new Float64Array(beatsPerBar);
  const counts = new Float64Array(beatsPerBar);
  let total = 0;
  for (let i = 0; i < scores.length; i++) {
    sums[i % beatsPerBar]! += scores[i]!;
    counts[i % beatsPerBar]!++;
    total += scores[i]!;
  }
  let contrast = -Infinity;
  let phase = 0;
  for (let p = 0; p < beatsPerBar; p++) {
    if (counts[p]! === 0 || counts[p]! === scores.length) continue;
    const value = sums[p]! / counts[p]! - (total - sums[p]!) / (scores.length - counts[p]!);
    if (value > contrast) {
      contrast = value;
      phase = p;
    }
  }
  return { contrast: Number.isFinite(contrast) ? contrast : 0, phase };
}

/** Chooses the meter and labels every beat with its bar position. */
export function estimateMeter(accents: BeatAccents, options: MeterOptions = {}): MeterEstimate {
  const count = accents.onset.length;
  const scores = downbeatScores(accents, options.weights);
  const three = meterContrast(scores, 3).contrast;
  const four = meterContrast(scores, 4).contrast;
  const forced = options.beatsPerBar;
  // 4/4 is far more common: 3 must stand out clearly better.
  const beatsPerBar = forced !== undefined ? forced : three > four * 1.15 + 0.05 ? 3 : 4;
  const positions = new Int32Array(count);
  if (count === 0) return { beatsPerBar, positions, confidence: 0, repetition: { three, four } };

  // Viterbi over bar positions: position p → (p + 1) mod M for free, any other position at jumpCost.
  const m = beatsPerBar;
  const jumpCost = options.jumpCost ?? 10;
  let score = new Float64Array(m);
  let next = new Float64Array(m);
  const back = new Int32Array(count * m);
  for (let p = 0; p < m; p++) score[p] = p === 0 ? scores[0]! : 0;
  for (let i = 1; i < count; i++) {
    let bestAny = 0;
    for (let p = 1; p < m; p++) if (score[p]! > score[bestAny]!) bestAny = p;
    // A jump may come from any position; the best one is the only candidate worth checking.
    for (let p = 0; p < m; p++) {
      const regular = (p - 1 + m) % m;
      let value = score[regular]!;
      let from = regular;
      if (score[bestAny]! - jumpCost > value && bestAny !== regular) {
        value = score[bestAny]! - jumpCost;
        from = bestAny;
      }
      next[p] = value + (p === 0 ? scores[i]! : 0);
      back[i * m + p] = from;
    }
    const swap = score;
    score = next;
    next = swap;
  }
  let state = 0;
  for (let p = 1; p < m; p++) if (score[p]! > score[state]!) state = p;
  for (let i = count - 1; i >= 0; i--) {
    positions[i] = state;
    if (i > 0) state = back[i * m + state]!;
  }

  // Confidence: how far the chosen downbeats' scores sit above the other beats' (in standard deviations).
  let downSum = 0;
  let downCount = 0;
  let otherSum = 0;
  let otherCount = 0;
  for (let i = 0; i < count; i++) {
    if (positions[i] === 0) {
      downSum += scores[i]!;
      downCount++;
    } else {
      otherSum += scores[i]!;
      otherCount++;
    }
  }
  const contrast = downCount > 0 && otherCount > 0 ? downSum / downCount - otherSum / otherCount : 0;
  const confidence = Math.max(0, Math.min(1, contrast / 1.5));
  return { beatsPerBar, positions, confidence, repetition: { three, four } };
}
