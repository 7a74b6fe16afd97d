/**
 * Beat-tracking scores with the conventions of mir_eval.beat (Raffel et al. 2014), written from their
 * published definitions: events before `minTimeSeconds` (5 s) are dropped from both lists; F-measure counts
 * one-to-one matches within ±70 ms; the continuity scores (Hainsworth / Klapuri) count estimated beats whose
 * phase and period are both within 17.5% of the nearest annotation's interval, CMLt at the annotated metrical
 * level and AMLt also at double, half (odd/even) and off-beat variants; "c" versions take the longest
 * continuous run, "t" versions the total. Used for downbeats too (same F-measure on downbeat times).
 */

export interface BeatScores {
  readonly fMeasure: number;
  readonly precision: number;
  readonly recall: number;
  readonly cmlC: number;
  readonly cmlT: number;
  readonly amlC: number;
  readonly amlT: number;
}

export interface EvaluationOptions {
  readonly minTimeSeconds?: number;
  readonly windowSeconds?: number;
  readonly phaseThreshold?: number;
  readonly periodThreshold?: number;
}

/** Drops events earlier than `minTimeSeconds`. */
export function trimEvents(times: readonly number[], minTimeSeconds = 5): number[] {
  return times.filter((time) => time >= minTimeSeconds);
}

/**
 * The most one-to-one pairs with |reference − estimate| ≤ window. Both lists sorted. A left-to-right greedy
 * match is optimal for points on a line under a distance window.
 */
export function countMatches(reference: readonly number[], estimated: readonly number[], windowSeconds: number): number {
  let i = 0;
  let j = 0;
  let matches = 0;
  while (i < reference.length && j < estimated.length) {
    const r = reference[i]!;
    const e = estimated[j]!;
    if (Math.abs(r - e) <= windowSeconds + 1e-9) {
      matches++;
      i++;
      j++;
    } else if (e < r) {
      j++;
    } else {
      i++;
    }
  }
  return matches;
}

/** F-measure, precision and recall of `estimated` against `reference` (both already trimmed). */
export function fMeasure(reference: readonly number[], estimated: readonly number[], windowSeconds = 0.07): { fMeasure: number; precision: number; recall: number } {
  if (reference.length === 0 || estimated.length === 0) return { fMeasure: 0, precision: 0, recall: 0 };
  const matches = countMatches(reference, estimated, windowSeconds);
  const precision = matches / estimated.length;
  const recall = matches / reference.length;
  return { fMeasure: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0, precision, recall };
}

function referenceVariations(reference: readonly number[]): number[][] {
  const doubled: number[] = [];
  for (let i = 0; i < reference.length; i++) {
    doubled.push(reference[i]!);
    if (i + 1 < reference.length) doubled.push((reference[i]! + reference[i + 1]!) / 2);
  }
  const offBeat = doubled.filter((_, index) => index % 2 === 1);
  const halfOdd = reference.filter((_, index) => index % 2 === 0);
  const halfEven = reference.filter((_, index) => index % 2 === 1);
  return [[...reference], offBeat, doubled, halfOdd, halfEven];
}

function continuityOf(reference: readonly number[], estimated: readonly number[], phaseThreshold: number, periodThreshold: number): { continuous: number; total: number } {
  if (reference.length < 2 || estimated.length < 2) return { continuous: 0, total: 0 };
  const slots = Math.max(reference.length, estimated.length);
  const used = new Uint8Array(reference.length);
  const success = new Uint8Array(estimated.length);
  let nearest = 0;
  for (let m = 0; m < estimated.length; m++) {
    const e = estimated[m]!;
    // Nearest annotation (reference sorted, estimated sorted: the index only moves forward).
    while (nearest + 1 < reference.length && Math.abs(reference[nearest + 1]! - e) < Math.abs(reference[nearest]! - e)) nearest++;
    let best = nearest;
    // Ties and backward moves: look one back as well, prefer the earlier index on a tie like argmin does.
    if (best > 0 && Math.abs(reference[best - 1]! - e) <= Math.abs(reference[best]! - e)) best--;
    if (used[best]) continue;
    const difference = Math.abs(e - reference[best]!);
    let referenceInterval: number;
    let estimatedInterval: number;
    if (m === 0 || best === 0) {
      referenceInterval = best + 1 < reference.length ? reference[best + 1]! - reference[best]! : reference[best]! - reference[best - 1]!;
      estimatedInterval = m + 1 < estimated.length ? estimated[m + 1]! - estimated[m]! : estimated[m]! - estimated[m - 1]!;
    } else {
      referenceInterval = reference[best]! - reference[best - 1]!;
      estimatedInterval = estimated[m]! - estimated[m - 1]!;
    }
    if (!(referenceInterval > 0)) continue;
    const phase = difference / referenceInterval;
    const period = Math.abs(1 - estimatedInterval / referenceInterval);
    if (phase < phaseThreshold && period < periodThreshold) {
      used[best] = 1;
      success[m] = 1;
    }
  }
  let longest = 0;
  let run = 0;
  let total = 0;
  for (let m = 0; m < estimated.length; m++) {
    if (success[m]) {
      run++;
      total++;
      longest = Math.max(longest, run);
    } else {
      run = 0;
    }
  }
  return { continuous: longest / slots, total: total / slots };
}

/** All scores for one track. Times in seconds, sorted; trimming is applied here. */
export function evaluateBeats(referenceTimes: readonly number[], estimatedTimes: readonly number[], options: EvaluationOptions = {}): BeatScores {
  const minTime = options.minTimeSeconds ?? 5;
  const reference = trimEvents(referenceTimes, minTime);
  const estimated = trimEvents(estimatedTimes, minTime);
  const f = fMeasure(reference, estimated, options.windowSeconds ?? 0.07);
  const phaseThreshold = options.phaseThreshold ?? 0.175;
  const periodThreshold = options.periodThreshold ?? 0.175;
  const variations = referenceVariations(reference).map((variant) => continuityOf(variant, estimated, phaseThreshold, periodThreshold));
  const correct = variations[0]!;
  return {
    ...f,
    cmlC: correct.continuous,
    cmlT: correct.total,
    amlC: Math.max(...variations.map((v) => v.continuous)),
    amlT: Math.max(...variations.map((v) => v.total)),
  };
}

/** Reads a `.beats` file (time, beat-in-bar per line) or a `.downbeats` file (time per line). */
export function parseBeatAnnotations(text: string): { times: number[]; beatInBar: number[] } {
  const times: number[] = [];
  const beatInBar: number[] = [];
  for (const line of text.split(/\r?\n/)) {
    const fields = line.trim().split(/\s+/);
    if (!fields[0]) continue;
    const time = Number(fields[0]);
    if (!Number.isFinite(time)) continue;
    times.push(time);
    beatInBar.push(fields[1] === undefined ? 1 : Number(fields[1]));
  }
  return { times, beatInBar };
}

/** Median interval between consecutive times (NaN with fewer than two). */
export function medianInterval(times: readonly number[]): number {
  const gaps = times.slice(1).map((t, i) => t - times[i]!).sort((a, b) => a - b);
  return gaps.length ? gaps[Math.floor(gaps.length / 2)]! : NaN;
}

/** The evaluation's three figures for one reading (../shared/docs/evaluation.md). */
export interface ReadingScores {
  /** Beat F-measure, ±70 ms, first 5 s dropped. */
  readonly beatF: number;
  /** Downbeat F-measure, same rules. */
  readonly downbeatF: number;
  /** 1 when the median inter-downbeat interval is within 4 % of the annotated one, else 0. */
  readonly barLengthOk: number;
}

export function scoreReading(referenceBeats: readonly number[], referenceDownbeats: readonly number[], beats: readonly { readonly timeSeconds: number; readonly beatInBar: number }[]): ReadingScores {
  const times = beats.map((beat) => beat.timeSeconds);
  const downbeats = beats.filter((beat) => beat.beatInBar === 1).map((beat) => beat.timeSeconds);
  const ratio = medianInterval(downbeats) / medianInterval(referenceDownbeats);
  return {
    beatF: evaluateBeats(referenceBeats, times).fMeasure,
    downbeatF: fMeasure(trimEvents(referenceDownbeats), trimEvents(downbeats)).fMeasure,
    barLengthOk: Math.abs(ratio - 1) <= 0.04 ? 1 : 0,
  };
}
