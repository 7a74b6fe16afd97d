/**
 * Algorithm 1 of the paper (hard scene constraint), in the scene-by-scene form of its (i, j, k, z) recurrence:
 *   F[k][j] — best value with all shots of the scenes before this one decided, j bars filled, k scenes used;
 *   G[k][j] — the same within the current scene, with the current scene already used (z = 1).
 * A shot either starts the current scene's use (from F[k−1]) or adds to it (from G[k]); at the scene's end
 * F = max(F, G). The answer is the best over k ≤ N_e of F[k][L] (the paper reads k = N_e only).
 * Rows are rolled over shots; the back-pointers are a few bits per state ({@link PackedCodes}).
 * Time O(n · L · N_e) (see {@link windowMax}); memory O(n · L · N_e) bits plus O(L · N_e) floats.
 */
import { PackedCodes } from './packed-codes';
import type { PreparedPlan } from './prepare-plan';
import { ShotWindows } from './shot-windows';
import { DIRECT_SCAN_BARS, windowMax } from './window-max';

/** One chosen shot: bars firstBar .. firstBar + barCount − 1. */
export interface Segment {
  readonly shot: number;
  readonly firstBar: number;
  readonly barCount: number;
}

/** What a kernel leaves behind: the best value for every fill length and a way to recover the shots. */
export interface KnapsackResult {
  /** The best objective for filling exactly bars 0..j−1 (−Infinity when impossible). */
  best(j: number): number;
  /** The chosen shots of that best fill, in story order. */
  backtrack(j: number): Segment[];
  /** Bytes held by the tables and back-pointers. */
  readonly bytes: number;
}

export function solveHardKnapsack(plan: PreparedPlan): KnapsackResult {
  const L = plan.barCount;
  const S = L + 1;
  const sceneCount = plan.sceneFirst.length;
  const K = Math.min(plan.options.maxScenes, sceneCount);
  const { usable, required } = plan;
  const windows = new ShotWindows(L);

  // First pass: which shots can be placed at all, and how wide their codes are.
  const slotOf = new Int32Array(plan.shotCount).fill(-1);
  const slots: [number, number][] = [];
  for (let i = 0; i < plan.shotCount; i++) {
    if (!usable[i]) continue;
    if (!windows.load(plan, i) && !required[i]) continue;
    slotOf[i] = slots.length;
    slots.push([K * S, 2 * windows.maxBars + 1]);
  }
  const codes = new PackedCodes(slots);
  const { words, offsets, widths } = codes;
  const sceneCodes = new PackedCodes(Array.from({ length: sceneCount }, () => [(K + 1) * S, 1] as [number, number]));

  const F = new Float64Array((K + 1) * S).fill(-Infinity);
  F[0] = 0;
  const G = new Float64Array((K + 1) * S);
  const score = new Float64Array(S);
  const fromF = new Uint8Array(S);
  const best = new Float64Array(S);
  const start = new Int32Array(S);
  const deque = new Int32Array(S);

  for (let s = 0; s < sceneCount; s++) {
    G.fill(-Infinity);
    const first = plan.sceneFirst[s]!;
    const last = first + plan.sceneSize[s]! - 1;
    let entryOpen = true; // a required shot earlier in this scene closes the way in from F
    let sceneRequired = false;
    let touched = false;
    // Scenes before s are at most s, so rows k > s + 1 are still empty.
    const kMax = Math.min(K, s + 1);
    for (let i = first; i <= last; i++) {
      const slot = slotOf[i]!;
      if (slot < 0) continue;
      windows.load(plan, i);
      const isRequired = required[i] === 1;
      const { prefix, low, high } = windows;
      const offset = offsets[slot]!;
      const width = widths[slot]!;
      for (let k = 1; k <= kMax; k++) {
        const g = k * S;
        const f = (k - 1) * S;
        const cellBase = (k - 1) * S;
        if (windows.single) {
          // At most one start per end bar; bars descending keep G[g + a] (a < j) as it was before this shot.
          for (let j = L; j >= 1; j--) {
            const a = high[j]!;
            let value = -Infinity;
            let entered = 0;
            if (low[j]! <= a) {
              const stay = G[g + a]!;
              const enter = entryOpen ? F[f + a]! : -Infinity;
              entered = enter > stay ? 1 : 0;
              value = (entered ? enter : stay) + (prefix[j]! - prefix[a]!);
            }
            if (isRequired ? value > -Infinity : value > G[g + j]!) {
              G[g + j] = value;
              const bit = (cellBase + j) * width;
              const word = offset + (bit >>> 5);
              words[word] = words[word]! | ((((j - a) << 1) | entered) << (bit & 31));
            } else if (isRequired) {
              G[g + j] = -Infinity;
            }
          }
          if (isRequired) G[g] = -Infinity;
          continue;
        }
        if (windows.maxBars <= DIRECT_SCAN_BARS) {
          // Bars descending, so G[g + a] (a < j) still holds the row before this shot: no scratch copy needed.
          for (let j = L; j >= 1; j--) {
            const lo = low[j]!;
            let topValue = -Infinity;
            let at = -1;
            let entered = 0;
            for (let a = high[j]!; a >= lo; a--) {
              const stay = G[g + a]!;
              const enter = entryOpen ? F[f + a]! : -Infinity;
              const value = (enter > stay ? enter : stay) - prefix[a]!;
              if (value > topValue) {
                topValue = value;
                at = a;
                entered = enter > stay ? 1 : 0;
              }
            }
            const value = topValue + prefix[j]!;
            if (isRequired ? value > -Infinity : value > G[g + j]!) {
              G[g + j] = value;
              const bit = (cellBase + j) * width;
              const word = offset + (bit >>> 5);
              words[word] = words[word]! | ((((j - at) << 1) | entered) << (bit & 31));
            } else if (isRequired) {
              G[g + j] = -Infinity;
            }
          }
          if (isRequired) G[g] = -Infinity;
          continue;
        }
        for (let a = 0; a < L; a++) {
          const stay = G[g + a]!;
          const enter = entryOpen ? F[f + a]! : -Infinity;
          if (enter > stay) {
            score[a] = enter - prefix[a]!;
            fromF[a] = 1;
          } else {
            score[a] = stay - prefix[a]!;
            fromF[a] = 0;
          }
        }
        windowMax(score, prefix, windows, best, start, deque);
        if (isRequired) G[g] = -Infinity;
        for (let j = 1; j <= L; j++) {
          const value = best[j]!;
          if (isRequired ? value > -Infinity : value > G[g + j]!) {
            G[g + j] = value;
            const a = start[j]!;
            const bit = (cellBase + j) * width;
            const word = offset + (bit >>> 5);
            words[word] = words[word]! | ((((j - a) << 1) | fromF[a]!) << (bit & 31));
          } else if (isRequired) {
            G[g + j] = -Infinity;
          }
        }
      }
      touched = true;
      if (isRequired) {
        entryOpen = false;
        sceneRequired = true;
      }
    }
    if (!touched) continue;
    for (let cell = 0; cell < (K + 1) * S; cell++) {
      const g = G[cell]!;
      if (sceneRequired ? true : g > F[cell]!) {
        F[cell] = g;
        if (g > -Infinity) sceneCodes.set(s, cell, 1);
      }
    }
  }

  const bestK = (j: number): number => {
    let top = -Infinity;
    let at = -1;
    for (let k = 0; k <= K; k++) {
      if (F[k * S + j]! > top) {
        top = F[k * S + j]!;
        at = k;
      }
    }
    return at;
  };

  return {
    bytes: codes.bytes + sceneCodes.bytes + (F.byteLength + G.byteLength) + 5 * S * 8,
    best(j) {
      const k = bestK(j);
      return k < 0 ? -Infinity : F[k * S + j]!;
    },
    backtrack(j) {
      let k = bestK(j);
      if (k < 0) return [];
      const chosen: Segment[] = [];
      let s = sceneCount - 1;
      while (s >= 0 && j > 0) {
        if (sceneCodes.get(s, k * S + j) === 0) {
          s--;
          continue;
        }
        // Inside scene s with the scene used: walk its shots backwards until the shot that opened it.
        let i = plan.sceneFirst[s]! + plan.sceneSize[s]! - 1;
        for (; ; i--) {
          if (i < plan.sceneFirst[s]!) throw new Error(`planner backtrack lost its way in scene ${s}`);
          const slot = slotOf[i]!;
          if (slot < 0) continue;
          const code = codes.get(slot, (k - 1) * S + j);
          if (code === 0) continue;
          const barCount = code >> 1;
          j -= barCount;
          chosen.push({ shot: i, firstBar: j, barCount });
          if (code & 1) break;
        }
        k--;
        s--;
      }
      if (j !== 0 || k !== 0) throw new Error(`planner backtrack ended at bar ${j}, scene count ${k}`);
      return chosen.reverse();
    },
  };
}
