/**
 * The soft scene constraint: each shot costs w_i = max(1, floor(scale / |its scene|)) of a budget
 * N_e × scale (the paper's 1/|scene| weights scaled to integers), and the DP is a plain 3-D knapsack over
 * (shot, bars filled, weight used): T[j][w] = best value. The table is stored bars-major (one row of budget cells
 * per bar count), so for a shot ending at bar j and starting at bar a the update is one contiguous sweep over the
 * budget: T[j][w] ← max(T[j][w], T[a][w − w_i] + value(a..j)), with the bounds and the window of starts loaded once
 * per row instead of once per state. Rows are updated in place with j descending (rows a < j still hold the
 * previous shot's values). Each row remembers the span of budgets where it holds a value, so unreachable
 * (bars, weight) pairs cost nothing. Shots whose window of starts is wide go column by column through the shared
 * sliding-window maximum instead. Back-pointers hold only the bar count of a taken shot, in a few bits.
 * Every path compares and adds in the same order (best start = the largest a among equal scores), so the result
 * does not depend on which path a shot takes.
 *
 * Branch and bound on top (exact): a Lagrangian relaxation of the budget gives, for every shot and bar, an upper
 * bound on the best finish (a 2-D DP, a few passes of O(n · L · starts per window)), and states whose bound cannot reach a floor
 * below the optimum are dropped from their row's span. On movie-sized inputs the duality gap is tiny and all but
 * a sliver of the 40-odd million states go; the table still holds the exact optimum and the very same plan (see
 * {@link solveSoftKnapsack}). Fills of fewer bars than the music (only asked for when there is no exact fill) come
 * from the full table, built on demand.
 * Time O(n · L · N_e · scale) at worst; memory O(n · L · N_e · scale) bits plus O(L · N_e · scale + n · L) floats.
 */
import type { KnapsackResult, Segment } from './hard-scene-knapsack';
import { PackedCodes } from './packed-codes';
import type { PreparedPlan } from './prepare-plan';
import { ShotWindows } from './shot-windows';
import { windowMax } from './window-max';

/**
 * Windows of at most this many starts are scanned per budget cell (cost ∝ width per state); wider ones go
 * column by column through the sliding-window maximum (a strided gather, but O(1) per state whatever the width).
 */
const ROW_SWEEP_MAX_BARS = 16;

/**
 * States that cannot lead to a plan worth at least `floor`: after shot i, state (j bars, w weight) is dropped
 * when T[j][w] + λ·(W − w) + completion[(i + 1)·(L + 1) + j] < floor (a Lagrangian upper bound on the best
 * finish, see {@link lagrangeBound}).
 */
interface Pruning {
  readonly lambda: number;
  readonly completion: Float64Array;
  readonly floor: number;
}

export function solveSoftKnapsack(plan: PreparedPlan): KnapsackResult {
  const L = plan.barCount;
  const bound = lagrangeBound(plan);
  if (bound) {
    let full: KnapsackResult | undefined;
    const unpruned = () => (full ??= fillTable(plan, null));
    for (const floor of bound.floors) {
      const pruned = fillTable(plan, { lambda: bound.lambda, completion: bound.completion, floor: floor - bound.margin });
      // Every state on an optimal path has an upper bound ≥ the optimum ≥ what was found; found ≥ floor
      // therefore proves that no such state was dropped, and the table holds the exact optimum and the same plan.
      if (pruned.best(L) >= floor - bound.margin / 2) {
        return {
          bytes: pruned.bytes + bound.completion.byteLength,
          best: (j) => (j === L ? pruned.best(j) : unpruned().best(j)),
          backtrack: (j) => (j === L ? pruned.backtrack(j) : unpruned().backtrack(j)),
        };
      }
    }
  }
  return fillTable(plan, null);
}

/** The same DP keeping every state (no bound): the reference the bounded solve must equal, for tests. */
export function solveSoftKnapsackFull(plan: PreparedPlan): KnapsackResult {
  return fillTable(plan, null);
}

/** The DP's working state, passed to the per-shot steps (plain locals in each, nothing captured in hot loops). */
interface Table {
  readonly L: number;
  readonly W: number;
  /** W + 1: cells per row. */
  readonly C: number;
  /** T[j·C + w]: the best value with j bars filled and weight w used. */
  readonly T: Float64Array;
  /** colFirst[j]..colLast[j]: the budgets where row j may hold a value (colLast < 0: the row is empty). */
  readonly colFirst: Int32Array;
  readonly colLast: Int32Array;
  readonly words: Uint32Array;
  readonly windows: ShotWindows;
  readonly score: Float64Array;
  readonly best: Float64Array;
  readonly start: Int32Array;
  readonly deque: Int32Array;
}

/** The DP itself, optionally dropping states that cannot beat `prune.floor`. */
function fillTable(plan: PreparedPlan, prune: Pruning | null): KnapsackResult {
  const L = plan.barCount;
  const S = L + 1;
  const W = plan.softBudget;
  const C = W + 1;
  const { usable, required, softWeights } = plan;
  const windows = new ShotWindows(L);

  // Back-pointer cells of a shot of weight w_i: (bars j, budget w) for w ≥ w_i, at j·(C − w_i) + w − w_i.
  const slotOf = new Int32Array(plan.shotCount).fill(-1);
  const slots: [number, number][] = [];
  for (let i = 0; i < plan.shotCount; i++) {
    if (!usable[i] || softWeights[i]! > W) continue;
    if (!windows.load(plan, i) && !required[i]) continue;
    slotOf[i] = slots.length;
    slots.push([(C - softWeights[i]!) * S, windows.maxBars]);
  }
  const codes = new PackedCodes(slots);
  const { offsets, widths } = codes;

  const table: Table = {
    L,
    W,
    C,
    T: new Float64Array(S * C).fill(-Infinity),
    colFirst: new Int32Array(S).fill(C),
    colLast: new Int32Array(S).fill(-1),
    words: codes.words,
    windows,
    score: new Float64Array(S),
    best: new Float64Array(S),
    start: new Int32Array(S),
    deque: new Int32Array(S),
  };
  const { T, colFirst, colLast } = table;
  T[0] = 0;
  colFirst[0] = 0;
  colLast[0] = 0;

  for (let i = 0; i < plan.shotCount; i++) {
    const slot = slotOf[i]!;
    if (slot < 0) {
      if (required[i]) {
        // A required shot that cannot be placed: nothing is feasible.
        T.fill(-Infinity);
        colLast.fill(-1);
        colFirst.fill(C);
      }
      continue;
    }
    windows.load(plan, i);
    const weight = softWeights[i]!;
    if (required[i] === 1) requiredShot(table, weight, offsets[slot]!, widths[slot]!);
    else if (!windows.single && windows.maxBars > ROW_SWEEP_MAX_BARS) columnSweep(table, weight, offsets[slot]!, widths[slot]!);
    else rowSweep(table, weight, offsets[slot]!, widths[slot]!);
    if (prune) dropHopeless(table, prune, i);
  }

  const bestW = (j: number): number => {
    let topValue = -Infinity;
    let at = -1;
    for (let w = 0; w <= W; w++) {
      if (T[j * C + w]! > topValue) {
        topValue = T[j * C + w]!;
        at = w;
      }
    }
    return at;
  };

  return {
    bytes: codes.bytes + T.byteLength + 4 * S * 8 + 2 * 4 * S,
    best(j) {
      const w = bestW(j);
      return w < 0 ? -Infinity : T[j * C + w]!;
    },
    backtrack(j) {
      let w = bestW(j);
      if (w < 0) return [];
      const chosen: Segment[] = [];
      for (let i = plan.shotCount - 1; i >= 0 && j > 0; i--) {
        const slot = slotOf[i]!;
        const weight = softWeights[i]!;
        if (slot < 0 || w < weight) continue;
        const barCount = codes.get(slot, j * (C - weight) + w - weight);
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

/** The common step: a shot with at most ROW_SWEEP_MAX_BARS starts per end bar, row by row, bars descending. */
function rowSweep(table: Table, weight: number, offset: number, width: number): void {
  const { L, W, C, T, colFirst, colLast, words } = table;
  const { prefix, low, high, single } = table.windows;
  const cellsPerRow = C - weight;
  for (let j = L; j >= 1; j--) {
    const lo = low[j]!;
    const hi = high[j]!;
    if (lo > hi) continue;
    // The budgets any start in the window can reach.
    let sourceFirst = C;
    let sourceLast = -1;
    for (let a = lo; a <= hi; a++) {
      const last = colLast[a]!;
      if (last < 0) continue;
      if (colFirst[a]! < sourceFirst) sourceFirst = colFirst[a]!;
      if (last > sourceLast) sourceLast = last;
    }
    if (sourceLast < 0) continue;
    const wFirst = sourceFirst + weight;
    const wLast = Math.min(W, sourceLast + weight);
    const to = j * C;
    const rowBit = (j * cellsPerRow - weight) * width;
    let newFirst = -1;
    let newLast = -1;
    if (single) {
      // One start: value = T[a][w − w_i] + (prefix[j] − prefix[a]).
      const gain = prefix[j]! - prefix[hi]!;
      const from = hi * C - weight;
      const code = j - hi;
      for (let w = wFirst; w <= wLast; w++) {
        const value = T[from + w]! + gain;
        if (value > T[to + w]!) {
          T[to + w] = value;
          const bit = rowBit + w * width;
          const word = offset + (bit >>> 5);
          words[word] = words[word]! | (code << (bit & 31));
          if (newFirst < 0) newFirst = w;
          newLast = w;
        }
      }
    } else {
      // A few starts: the best of (T[a][w − w_i] − prefix[a]) over a, ties to the largest a, plus prefix[j].
      const end = prefix[j]!;
      for (let w = wFirst; w <= wLast; w++) {
        let top = -Infinity;
        let at = -1;
        for (let a = hi, cell = hi * C + w - weight; a >= lo; a--, cell -= C) {
          const x = T[cell]! - prefix[a]!;
          if (x > top) {
            top = x;
            at = a;
          }
        }
        const value = top + end;
        if (value > T[to + w]!) {
          T[to + w] = value;
          const bit = rowBit + w * width;
          const word = offset + (bit >>> 5);
          words[word] = words[word]! | ((j - at) << (bit & 31));
          if (newFirst < 0) newFirst = w;
          newLast = w;
        }
      }
    }
    if (newLast >= 0) {
      if (newFirst < colFirst[j]!) colFirst[j] = newFirst;
      if (newLast > colLast[j]!) colLast[j] = newLast;
    }
  }
}

/**
 * Narrows each row's budget span to the states whose bound can still reach the floor. Values outside the span
 * stay in the table (they are real, achievable plans) but no longer grow: later shots only extend what lies inside.
 */
function dropHopeless(table: Table, prune: Pruning, i: number): void {
  const { L, W, C, T, colFirst, colLast } = table;
  const { lambda, completion, floor } = prune;
  const base = (i + 1) * (L + 1);
  const offsetFloor = floor - lambda * W;
  for (let j = 0; j <= L; j++) {
    let first = colFirst[j]!;
    let last = colLast[j]!;
    if (last < 0) continue;
    // Keep w when T[j][w] − λ·w ≥ floor − λ·W − completion(j).
    const need = offsetFloor - completion[base + j]!;
    const row = j * C;
    while (first <= last && T[row + first]! - lambda * first < need) first++;
    while (last >= first && T[row + last]! - lambda * last < need) last--;
    if (first > last) {
      colFirst[j] = C;
      colLast[j] = -1;
    } else {
      colFirst[j] = first;
      colLast[j] = last;
    }
  }
}

/** Fills best[j], start[j] for one column from the column `source` (same arithmetic as the row sweeps). */
function columnCandidates(table: Table, source: number): void {
  const { L, C, T, score, best, start, deque, windows } = table;
  const prefix = windows.prefix;
  for (let a = 0; a < L; a++) score[a] = T[a * C + source]! - prefix[a]!;
  windowMax(score, prefix, windows, best, start, deque);
}

/** A shot with a wide window: column by column, budgets descending so column w − weight is still the old one. */
function columnSweep(table: Table, weight: number, offset: number, width: number): void {
  const { L, W, C, colFirst, colLast } = table;
  let first = C;
  let last = -1;
  for (let j = 0; j <= L; j++) {
    if (colLast[j]! < 0) continue;
    if (colFirst[j]! < first) first = colFirst[j]!;
    if (colLast[j]! > last) last = colLast[j]!;
  }
  if (last < 0) return;
  for (let w = Math.min(W, last + weight); w >= first + weight; w--) {
    columnCandidates(table, w - weight);
    storeColumn(table, w, weight, offset, width, false);
  }
}

/**
 * Writes the candidates best[j] (from start[j]) into column w for j = 1..L with their back-pointers: where they
 * beat the table, or (`replace`, a required shot) in place of whatever was there, −Infinity where there is none.
 */
function storeColumn(table: Table, w: number, weight: number, offset: number, width: number, replace: boolean): void {
  const { L, C, T, colFirst, colLast, words, best, start } = table;
  const cellsPerRow = C - weight;
  for (let j = 1; j <= L; j++) {
    const value = best[j]!;
    const cell = j * C + w;
    if (replace ? value > -Infinity : value > T[cell]!) {
      T[cell] = value;
      const bit = (j * cellsPerRow + w - weight) * width;
      const word = offset + (bit >>> 5);
      words[word] = words[word]! | ((j - start[j]!) << (bit & 31));
      if (w < colFirst[j]!) colFirst[j] = w;
      if (w > colLast[j]!) colLast[j] = w;
    } else if (replace) {
      T[cell] = -Infinity;
    }
  }
}

/** A pinned or locked shot: only placements of it survive. */
function requiredShot(table: Table, weight: number, offset: number, width: number): void {
  const { L, W, C, T, colFirst, colLast, best, start, windows } = table;
  const { prefix, low, high } = windows;
  colFirst.fill(C);
  colLast.fill(-1);
  for (let w = W; w >= weight; w--) {
    const source = w - weight;
    if (windows.single) {
      for (let j = 1; j <= L; j++) {
        const a = high[j]!;
        best[j] = low[j]! > a ? -Infinity : T[a * C + source]! + (prefix[j]! - prefix[a]!);
        start[j] = a;
      }
    } else {
      columnCandidates(table, source);
    }
    T[w] = -Infinity;
    storeColumn(table, w, weight, offset, width, true);
  }
  for (let j = 0; j <= L; j++) T.fill(-Infinity, j * C, j * C + weight);
}

/** The pieces of the Lagrangian bound: the multiplier, the completion table and the floors to try, highest first. */
export interface LagrangeBound {
  readonly lambda: number;
  /** completion[i·(L + 1) + j]: max over story-ordered plans of shots i.. filling bars j..L−1 of Σ (value − λ·weight). */
  readonly completion: Float64Array;
  readonly floors: readonly number[];
  /** Slack for floating-point rounding in the bound. */
  readonly margin: number;
}

/**
 * Above this many (shot, bar) cells the bound is not worth its memory (20 bytes a cell: the completion table and
 * the cached windows; 14.5 MB at 3000 shots × 240 bars) and the plain DP runs.
 */
const MAX_BOUND_CELLS = 1_600_000;

/**
 * Branch and bound for the soft knapsack. Relaxing the budget with a multiplier λ ≥ 0 leaves a 2-D DP
 * (shots × bars, O(n · L · starts per window) per λ: each end bar scans its window) whose value plus λ·(budget left) bounds any finish from a state from above.
 * λ is the minimiser of that dual bound D(λ) (a convex piecewise-linear function, found by intersecting its
 * supporting lines, a few passes). Plans found along the way with weight ≤ budget are feasible, so the optimum
 * lies between the best of them and min D; on movie-sized inputs the gap is tiny and almost every state is
 * dropped. Floors are tried from just below min D down to the best feasible plan; a floor above the optimum
 * shows itself (the pruned table then finds less than the floor) and the next one is tried.
 * Returns null when there is no exact fill at all, no feasible plan, or the table would be too large.
 */
export function lagrangeBound(plan: PreparedPlan): LagrangeBound | null {
  const L = plan.barCount;
  const S = L + 1;
  const n = plan.shotCount;
  const W = plan.softBudget;
  if ((n + 1) * S > MAX_BOUND_CELLS || L > 32000) return null;
  const { usable, required, softWeights } = plan;
  const windows = new ShotWindows(L);
  // Which shots the DP may place (as in fillTable), and a bound on any plan's |value|.
  const placeable = new Uint8Array(n);
  // Every placeable shot's windows, loaded once for all passes (row i·(L + 1)); bar indices fit 16 bits.
  const lows = new Int16Array(n * S);
  const highs = new Int16Array(n * S);
  const prefixes = new Float64Array(n * S);
  let valueScale = 0;
  for (let i = 0; i < n; i++) {
    if (!usable[i] || softWeights[i]! > W || !windows.load(plan, i)) continue;
    placeable[i] = 1;
    lows.set(windows.low, i * S);
    highs.set(windows.high, i * S);
    prefixes.set(windows.prefix, i * S);
    let most = 0;
    for (let k = 0; k < L; k++) most = Math.max(most, Math.abs(windows.prefix[k + 1]! - windows.prefix[k]!));
    valueScale += most * windows.maxBars;
  }
  const passInputs: PassInputs = {
    n,
    L,
    W,
    required,
    softWeights,
    placeable,
    lows,
    highs,
    prefixes,
    completion: new Float64Array((n + 1) * S),
    weightNext: new Float64Array(S),
    weightHere: new Float64Array(S),
  };
  const completion = passInputs.completion;
  const pass = (lambda: number) => completionPass(passInputs, lambda);

  // The dual's supporting line through a plan P: D_P(μ) = value(P) + μ·(W − weight(P)).
  let low = pass(0);
  if (low.dual === -Infinity) return null;
  const margin = 1e-9 * (1 + valueScale + Math.abs(low.dual));
  let lambda = 0; // the multiplier of the last pass (the one in the table)
  let bestLambda = 0;
  let bestDual = low.dual;
  let feasible = -Infinity;
  const evaluate = (mu: number) => {
    const at = pass(mu);
    lambda = mu;
    if (at.dual < bestDual) {
      bestDual = at.dual;
      bestLambda = mu;
    }
    if (at.weight <= W && at.value > feasible) feasible = at.value;
    return at;
  };
  if (low.weight <= W) {
    feasible = low.value; // the unconstrained optimum fits the budget: it is the optimum
  } else {
    // The high end: multipliers from the unconstrained plan's value per unit of weight upwards (near the answer;
    // those still over budget become the low end); else one larger than any plan's value (the lightest plan).
    let high: typeof low | undefined;
    for (let step = 0, guess = low.value / low.weight; step < 4 && guess > 0 && !high; step++, guess *= 1.25) {
      const at = evaluate(guess);
      if (at.weight <= W) high = at;
      else low = at;
    }
    if (!high) {
      high = evaluate(2 * valueScale + 1);
      if (high.weight > W || high.dual === -Infinity) return null;
    }
    // Cutting planes: each plan P gives a line D_P(μ) = value(P) + μ·(W − weight(P)) under D; the lines of the
    // latest plan over budget and the latest within it meet at the minimum of their envelope, where D is
    // evaluated next (exact once the two plans are the ones adjacent at the minimum of D).
    for (let round = 0; round < 24; round++) {
      const mu = Math.max(0, (high.value - low.value) / (high.weight - low.weight));
      // The envelope is a lower bound on min D: stop once min D is pinned down well inside the first floor's
      // slack (below).
      const lowest = low.value + mu * (W - low.weight);
      if (bestDual - lowest <= Math.max(margin, (bestDual - feasible) / 512)) break;
      const at = evaluate(mu);
      if (at.weight === W) break; // D(μ) is the value of a plan within budget: the optimum
      if (at.weight > W) low = at;
      else high = at;
    }
  }
  if (lambda !== bestLambda) pass(bestLambda);
  const gap = Math.max(0, bestDual - feasible);
  const floors = gap <= margin ? [feasible] : [bestDual - gap / 64, bestDual - gap / 8, feasible];
  return { lambda: bestLambda, completion, floors, margin };
}

/** What {@link completionPass} reads and writes. */
interface PassInputs {
  readonly n: number;
  readonly L: number;
  readonly W: number;
  readonly required: Uint8Array;
  readonly softWeights: Int32Array;
  readonly placeable: Uint8Array;
  readonly lows: Int16Array;
  readonly highs: Int16Array;
  readonly prefixes: Float64Array;
  readonly completion: Float64Array;
  readonly weightNext: Float64Array;
  readonly weightHere: Float64Array;
}

/**
 * One backward pass at multiplier λ: fills the completion table and returns D(λ) with the weight and value of
 * the plan that attains it (ties keep the first plan found).
 */
function completionPass(inputs: PassInputs, lambda: number): { dual: number; weight: number; value: number } {
  const { n, L, W, required, softWeights, placeable, lows, highs, prefixes, completion } = inputs;
  const S = L + 1;
  // The weight of the plan attaining each completion value: rows i + 1 and i, swapped after every shot.
  let weightNext = inputs.weightNext;
  let weightHere = inputs.weightHere;
  completion.fill(-Infinity, n * S, (n + 1) * S);
  completion[n * S + L] = 0;
  weightNext.fill(0);
  for (let i = n - 1; i >= 0; i--) {
    const next = (i + 1) * S;
    const here = i * S;
    if (required[i]) {
      completion.fill(-Infinity, here, here + S);
      if (!placeable[i]) weightHere.fill(0);
    } else {
      completion.copyWithin(here, next, next + S);
      weightHere.set(weightNext);
    }
    if (placeable[i]) {
      const weight = softWeights[i]!;
      const cost = lambda * weight;
      for (let j = 1; j <= L; j++) {
        const rest = completion[next + j]!;
        if (rest === -Infinity) continue;
        const lo = lows[here + j]!;
        const hi = highs[here + j]!;
        if (lo > hi) continue;
        const base = rest + prefixes[here + j]! - cost;
        for (let a = lo; a <= hi; a++) {
          const candidate = base - prefixes[here + a]!;
          if (candidate > completion[here + a]!) {
            completion[here + a] = candidate;
            weightHere[a] = weightNext[j]! + weight;
          }
        }
      }
    }
    const swap = weightNext;
    weightNext = weightHere;
    weightHere = swap;
  }
  const top = completion[0]!;
  return { dual: top + lambda * W, weight: weightNext[0]!, value: top + lambda * weightNext[0]! };
}
