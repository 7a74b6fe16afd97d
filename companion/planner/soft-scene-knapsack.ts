/**
 * The soft scene constraint: each shot costs w_i = max(1, floor(scale / |its scene|)) of a budget
 * N_e × scale (the paper's 1/|scene| weights scaled to integers), and the DP is a plain 3-D knapsack over
 * (shot, weight used, bars filled): V[w][j] = best value. Rows are rolled in place (weights descending, as in a
 * 0/1 knapsack); back-pointers hold only the bar count of a taken shot, in a few bits.
 * Time O(n · L · N_e · scale); memory O(n · L · N_e · scale) bits plus O(L · N_e · scale) floats.
 */
import type { KnapsackResult, Segment } from './hard-scene-knapsack';
import { PackedCodes } from './packed-codes';
import type { PreparedPlan } from './prepare-plan';
import { ShotWindows } from './shot-windows';
import { windowMax } from './window-max';

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

  const V = new Float64Array((W + 1) * S).fill(-Infinity);
  V[0] = 0;
  const score = new Float64Array(S);
  const best = new Float64Array(S);
  const start = new Int32Array(S);
  const deque = new Int32Array(S);
  let reach = 0; // the largest weight with any finite entry

  for (let i = 0; i < plan.shotCount; i++) {
    const slot = slotOf[i]!;
    if (slot < 0) {
      if (required[i]) V.fill(-Infinity); // a required shot that cannot be placed: nothing is feasible
      continue;
    }
    windows.load(plan, i);
    const weight = softWeights[i]!;
    const isRequired = required[i] === 1;
    const top = Math.min(W, reach + weight);
    if (isRequired) V.fill(-Infinity, (top + 1) * S);
    for (let w = top; w >= weight; w--) {
      const from = (w - weight) * S;
      const to = w * S;
      for (let a = 0; a < L; a++) score[a] = V[from + a]! - windows.prefix[a]!;
      windowMax(score, windows.prefix, windows, best, start, deque);
      const cellBase = (w - weight) * S;
      if (isRequired) V[to] = -Infinity;
      for (let j = 1; j <= L; j++) {
        const value = best[j]!;
        if (isRequired ? value > -Infinity : value > V[to + j]!) {
          V[to + j] = value;
          codes.set(slot, cellBase + j, j - start[j]!);
        } else if (isRequired) {
          V[to + j] = -Infinity;
        }
      }
    }
    if (isRequired) V.fill(-Infinity, 0, weight * S);
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
    bytes: codes.bytes + V.byteLength + 4 * S * 8,
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
