/**
 * Where one shot may sit on the bars, and what it earns there, in the form every kernel's sliding-window
 * maximum needs. A placement of shot i on bars a..j−1 is allowed when
 *   - a ∈ [low[j], high[j]] (both non-decreasing in j, so a monotone deque finds the best a in O(1) amortised),
 *   - low[j] = max(j − t_i, the first a whose bars a..j−1 last at most the shot's frames)  (real bar durations),
 *   - high[j] = j − 1 with trimming, j − t_i without (exactly t_i bars, as in the paper),
 *   - a locked shot has exactly one allowed placement.
 * Its value is prefix[j] − prefix[a], a sum of per-bar values: p_i / t_i per bar (so an untrimmed shot earns
 * exactly p_i, the paper's objective, and a trimmed one earns the share it shows), or with arc matching
 * (mean S of its scene + M(i, k)) / t_i for each bar k it covers (an untrimmed shot earns its scene mean plus the
 * mean similarity to the music under it). Keeping values additive per bar is what keeps trimming and arc matching
 * inside the O(n · bars · N_e) dynamic programme.
 */
import type { PreparedPlan } from './prepare-plan';

export class ShotWindows {
  /** prefix[a] = value of bars 0..a−1 for the loaded shot. */
  readonly prefix: Float64Array;
  readonly low: Int32Array;
  readonly high: Int32Array;
  /** The most bars the loaded shot can fill. */
  maxBars = 0;
  /** True when every window holds at most one start (no trimming, one bar, or a lock): kernels skip the scan. */
  single = false;

  constructor(readonly barCount: number) {
    this.prefix = new Float64Array(barCount + 1);
    this.low = new Int32Array(barCount + 1);
    this.high = new Int32Array(barCount + 1);
  }

  /** Loads shot i; returns false when it has no allowed placement at all. */
  load(plan: PreparedPlan, i: number): boolean {
    const L = this.barCount;
    const { prefix, low, high } = this;
    const t = plan.lengths[i]!;
    const divisor = Math.max(1, t);
    if (plan.arc) {
      const values = plan.input.barScores!.values;
      const base = i * L;
      const sceneMean = plan.sceneMeans[i]!;
      prefix[0] = 0;
      for (let k = 0; k < L; k++) prefix[k + 1] = prefix[k]! + (sceneMean + values[base + k]!) / divisor;
    } else {
      const perBar = plan.weightedScores[i]! / divisor;
      for (let k = 0; k <= L; k++) prefix[k] = k * perBar;
    }
    const lockBar = plan.lockFirstBar[i]!;
    if (lockBar >= 0) {
      const end = lockBar + plan.lockBarCount[i]!;
      for (let j = 0; j <= L; j++) {
        low[j] = j === end ? lockBar : 1;
        high[j] = j === end ? lockBar : 0;
      }
      this.maxBars = plan.lockBarCount[i]!;
      this.single = true;
      return true;
    }
    const frames = plan.shotFrames[i]!;
    const boundaries = plan.boundaries;
    const trim = plan.options.trim;
    let fit = 0; // the first bar a with boundaries[j] − boundaries[a] ≤ frames
    let any = false;
    low[0] = 1;
    high[0] = 0;
    for (let j = 1; j <= L; j++) {
      const end = boundaries[j]!;
      while (end - boundaries[fit]! > frames) fit++;
      const lo = Math.max(j - t, fit);
      const hi = trim ? j - 1 : j - t;
      low[j] = lo;
      high[j] = hi;
      if (lo <= hi && hi >= 0) any = true;
    }
    this.maxBars = t;
    this.single = !trim || t === 1;
    return any && t > 0;
  }
}
