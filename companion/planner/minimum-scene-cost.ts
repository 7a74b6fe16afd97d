/**
 * For the "no exact fill" diagnosis and the `scenes` relaxation: the fewest scenes (hard mode) or the least
 * scene weight (soft mode) with which exactly j bars can be filled, for every j, under the same pins, bans,
 * locks, trimming and bar durations as the real solve. A min-plus version of the kernels without the scene
 * dimension: O(n · L).
 */
import type { PreparedPlan } from './prepare-plan';
import { ShotWindows } from './shot-windows';
import { windowMax } from './window-max';

/** cost[j] = the least scene count (hard) or weight (soft) that fills exactly j bars; Infinity where none does. */
export function minimumSceneCost(plan: PreparedPlan): Float64Array {
  const L = plan.barCount;
  const S = L + 1;
  const windows = new ShotWindows(L);
  const zero = new Float64Array(S);
  const score = new Float64Array(S);
  const best = new Float64Array(S);
  const start = new Int32Array(S);
  const deque = new Int32Array(S);
  const soft = plan.options.mode === 'soft';
  // Costs are kept negated so the shared window maximum finds the minimum.
  const F = new Float64Array(S).fill(-Infinity);
  F[0] = 0;
  const G = new Float64Array(S);
  const sceneCount = plan.sceneFirst.length;
  for (let s = 0; s < sceneCount; s++) {
    G.fill(-Infinity);
    let entryOpen = true;
    let sceneRequired = false;
    for (let i = plan.sceneFirst[s]!; i < plan.sceneFirst[s]! + plan.sceneSize[s]!; i++) {
      const isRequired = plan.required[i] === 1;
      if (!plan.usable[i] || !windows.load(plan, i)) {
        if (isRequired && soft) F.fill(-Infinity);
        if (isRequired) {
          G.fill(-Infinity);
          entryOpen = false;
          sceneRequired = true;
        }
        continue;
      }
      if (soft) {
        // Soft: one row; a shot costs its weight wherever it enters.
        const weight = plan.softWeights[i]!;
        for (let a = 0; a < L; a++) score[a] = F[a]! - weight;
        windowMax(score, zero, windows, best, start, deque);
        F[0] = isRequired ? -Infinity : F[0]!;
        for (let j = 1; j <= L; j++) F[j] = isRequired ? best[j]! : Math.max(F[j]!, best[j]!);
        continue;
      }
      for (let a = 0; a < L; a++) score[a] = Math.max(G[a]!, entryOpen ? F[a]! - 1 : -Infinity);
      windowMax(score, zero, windows, best, start, deque);
      G[0] = -Infinity;
      for (let j = 1; j <= L; j++) G[j] = isRequired ? best[j]! : Math.max(G[j]!, best[j]!);
      if (isRequired) {
        entryOpen = false;
        sceneRequired = true;
      }
    }
    if (soft) continue;
    for (let j = 0; j <= L; j++) F[j] = sceneRequired ? G[j]! : Math.max(F[j]!, G[j]!);
  }
  const cost = new Float64Array(S);
  for (let j = 0; j <= L; j++) cost[j] = -F[j]!;
  return cost;
}
