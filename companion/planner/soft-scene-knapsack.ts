/**
 * The soft scene constraint: each shot costs w_i = max(1, floor(scale / |its scene|)) of a budget
 * N_e × scale (the paper's 1/|scene| weights scaled to integers), and the DP is a plain 3-D knapsack over
 * (shot, weight used, bars filled): V[w][j] = best value. Rows are rolled in place (weights descending, as in a
 * 0/1 knapsack); back-pointers hold only the bar count of a taken shot, in a few bits. Each row remembers the
 * span of bars where it holds any value, so unreachable (weight, bars) pairs cost nothing.
 * Time O(n · L · N_e · scale); memory O(n · L · N_e · scale) bits plus O(L · N_e · scale) floats.
 */
import type { KnapsackResult, Segment } from './hard-scene-knapsack';
import { PackedCodes } from './packed-codes';
import type { PreparedPlan } from './prepare-plan';
import { ShotWindows } from './shot-windows';
import { windowMax } from './window-max';

/** Windows at most this wide are scanned directly; wider ones go through the deque. */
const DIRECT_SCAN_BARS = 4;

export function solveSoftKnapsack(plan: PreparedPlan): KnapsackResult {
  const L = plan.barCount;
  const S = L + 1;
  const W = plan.softBudget;
  const { usable, required, softWeights } = plan;
  const windows = new ShotWindows(L);

  const slotOf = new Int32Array(plan.shotCount).fill(-1);
  const slots: [number, number][] = [];
  for (let i = 0; i < plan.shotCount; i++) {
    if (!usable[i] || softWeights[i]! > W) continue;
    if (!windows.load(plan, i) && !required[i]) continue;
    slotOf[i] = slots.length;
    slots.push([(W - softWeights[i]! + 1) * S, windows.maxBars]);
  }
  const codes = new PackedCodes(slots);
  const { words, offsets, widths } = codes;

  const V = new Float64Array((W + 1) * S).fill(-Infinity);
  V[0] = 0;
  // rowFirst[w]..rowLast[w]: the bars where row w may hold a value (rowLast < 0: the row is empty).
  const rowFirst = new Int32Array(W + 1).fill(S);
  const rowLast = new Int32Array(W + 1).fill(-1);
  rowFirst[0] = 0;
  rowLast[0] = 0;
  const score = new Float64Array(S);
  const best = new Float64Array(S);
  const start = new Int32Array(S);
  const deque = new Int32Array(S);
  const { prefix, low, high } = windows;
  let reach = 0; // the largest weight with any value

  for (let i = 0; i < plan.shotCount; i++) {
    const slot = slotOf[i]!;
    if (slot < 0) {
      if (required[i]) {
        // A required shot that cannot be placed: nothing is feasible.
        V.fill(-Infinity);
        rowLast.fill(-1);
      }
      continue;
    }
    windows.load(plan, i);
    const weight = softWeights[i]!;
    const isRequired = required[i] === 1;
    const maxBars = windows.maxBars;
    const offset = offsets[slot]!;
    const width = widths[slot]!;
    const top = Math.min(W, reach + weight);
    for (let w = top; w >= weight; w--) {
      const source = w - weight;
      const from = source * S;
      const to = w * S;
      const cellBase = source * S;
      const sourceLast = rowLast[source]!;
      if (sourceLast < 0) {
        if (isRequired) {
          V.fill(-Infinity, to, to + S);
          rowLast[w] = -1;
          rowFirst[w] = S;
        }
        continue;
      }
      const jFirst = rowFirst[source]! + 1;
      const jLast = Math.min(L, sourceLast + maxBars);
      if (isRequired) {
        // Only placements of this shot survive in row w.
        V.fill(-Infinity, to, to + jFirst);
        if (jLast < L) V.fill(-Infinity, to + jLast + 1, to + S);
      }
      let newFirst = S;
      let newLast = -1;
      if (windows.single) {
        for (let j = jFirst; j <= jLast; j++) {
          const a = high[j]!;
          if (low[j]! > a) {
            if (isRequired) V[to + j] = -Infinity;
            continue;
          }
          const value = V[from + a]! + (prefix[j]! - prefix[a]!);
          if (isRequired ? value > -Infinity : value > V[to + j]!) {
            V[to + j] = value;
            const bit = (cellBase + j) * width;
            const word = offset + (bit >>> 5);
            words[word] = words[word]! | ((j - a) << (bit & 31));
            if (j < newFirst) newFirst = j;
            newLast = j;
          } else if (isRequired) {
            V[to + j] = -Infinity;
          }
        }
      } else if (maxBars <= DIRECT_SCAN_BARS) {
        for (let j = jFirst; j <= jLast; j++) {
          const hi = high[j]!;
          let topValue = -Infinity;
          let at = -1;
          for (let a = hi, lo = low[j]!; a >= lo; a--) {
            const value = V[from + a]! - prefix[a]!;
            if (value > topValue) {
              topValue = value;
              at = a;
            }
          }
          const value = topValue + prefix[j]!;
          if (isRequired ? value > -Infinity : value > V[to + j]!) {
            V[to + j] = value;
            const bit = (cellBase + j) * width;
            const word = offset + (bit >>> 5);
            words[word] = words[word]! | ((j - at) << (bit & 31));
            if (j < newFirst) newFirst = j;
            newLast = j;
          } else if (isRequired) {
            V[to + j] = -Infinity;
          }
        }
      } else {
        for (let a = 0; a < L; a++) score[a] = V[from + a]! - prefix[a]!;
        windowMax(score, prefix, windows, best, start, deque);
        for (let j = jFirst; j <= jLast; j++) {
          const value = best[j]!;
          if (isRequired ? value > -Infinity : value > V[to + j]!) {
            V[to + j] = value;
            const bit = (cellBase + j) * width;
            const word = offset + (bit >>> 5);
            words[word] = words[word]! | ((j - start[j]!) << (bit & 31));
            if (j < newFirst) newFirst = j;
            newLast = j;
          } else if (isRequired) {
            V[to + j] = -Infinity;
          }
        }
      }
      if (isRequired) {
        rowFirst[w] = newFirst;
        rowLast[w] = newLast;
      } else if (newLast >= 0) {
        rowFirst[w] = Math.min(rowFirst[w]!, newFirst);
        rowLast[w] = Math.max(rowLast[w]!, newLast);
      }
    }
    if (isRequired) {
      V.fill(-Infinity, 0, weight * S);
      rowLast.fill(-1, 0, weight);
      rowFirst.fill(S, 0, weight);
    }
    reach = top;
  }

  const bestW = (j: number): number => {
    let topValue = -Infinity;
    let at = -1;
    for (let w = 0; w <= W; w++) {
      if (V[w * S + j]! > topValue) {
        topValue = V[w * S + j]!;
        at = w;
      }
    }
    return at;
  };

  return {
    bytes: codes.bytes + V.byteLength + 4 * S * 8 + 2 * 4 * (W + 1),
    best(j) {
      const w = bestW(j);
      return w < 0 ? -Infinity : V[w * S + j]!;
    },
    backtrack(j) {
      let w = bestW(j);
      if (w < 0) return [];
      const chosen: Segment[] = [];
      for (let i = plan.shotCount - 1; i >= 0 && j > 0; i--) {
        const slot = slotOf[i]!;
        const weight = softWeights[i]!;
        if (slot < 0 || w < weight) continue;
        const barCount = codes.get(slot, (w - weight) * S + j);
        if (barCount === 0) continue;
        j -= barCount;
        w -= weight;
        chosen.push({ shot: i, firstBar: j, barCount });
      }
      if (j !== 0 || w !== 0) throw new Error(`planner backtrack ended at bar ${j}, weight ${w}`);
      return chosen.reverse();
    },
  };
}
