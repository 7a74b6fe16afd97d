/**
 * The nearest relaxation of an input with no exact fill, found with cheap bounds only (no knapsack solve):
 * {@link minimumSceneCost} says, in O(n · L) per candidate unit, the fewest scenes (or least soft weight) that
 * fill exactly j units for every j, which decides every relaxation below exactly. The caller then solves the
 * chosen one once, so relaxing costs one extra solve in all, never one per try.
 *
 * The order (documented in docs/errors.md and the README): the fewest relaxations that work, and among as
 * many the first in `granularity → trim → scenes → music`:
 *   granularity  cut on a finer unit than asked (the coarsest finer one that fills);
 *   trim         let long shots fill fewer units than they could;
 *   scenes       raise the scene limit (or soft budget) to the fewest that fill everything;
 *   music        end the montage at the longest stretch that can be filled (only when no scene count fills it all).
 */
import type { CutGranularity, RelaxKind } from '../core/montage';
import { minimumSceneCost } from './minimum-scene-cost';
import { withOptions, type PreparedPlan } from './prepare-plan';

export const RELAX_ORDER: readonly RelaxKind[] = ['granularity', 'trim', 'scenes', 'music'];

/** One way to cut the music: a prepared plan at that unit, with the user's options. */
export interface UnitCandidate {
  readonly plan: PreparedPlan;
  /** Whether using it cuts finer than asked (then it is the `granularity` relaxation). */
  readonly finer: boolean;
  /** Its unit, for notices (absent: the input's own units, called bars). */
  readonly unit?: CutGranularity | 'mixed';
}

/** The relaxed problem to solve: which candidate, its plan with the loosened options, and how many units to fill. */
export interface Relaxation {
  readonly candidate: number;
  readonly plan: PreparedPlan;
  readonly barLimit: number;
  /** What was loosened, in {@link RELAX_ORDER}. */
  readonly kinds: readonly RelaxKind[];
}

/** Minimum scene costs per candidate and trim setting, each computed once. */
export class CostCache {
  private readonly costs = new Map<string, Float64Array>();
  constructor(readonly candidates: readonly UnitCandidate[]) {}

  plan(index: number, trim: boolean): PreparedPlan {
    const base = this.candidates[index]!.plan;
    return base.options.trim === trim ? base : withOptions(base, { trim });
  }

  cost(index: number, trim: boolean): Float64Array {
    const key = `${index}:${trim}`;
    let cost = this.costs.get(key);
    if (!cost) {
      cost = minimumSceneCost(this.plan(index, trim));
      this.costs.set(key, cost);
    }
    return cost;
  }

  /** Whether candidate `index` fills every unit with its own options (trim as given). */
  fits(index: number, trim = this.candidates[index]!.plan.options.trim): boolean {
    const plan = this.candidates[index]!.plan;
    if (!cheapCapacityFits(plan)) return false;
    return this.cost(index, trim)[plan.barCount]! <= limit(plan);
  }
}

/** The relaxations allowed by an option value, in {@link RELAX_ORDER}. */
export function allowedRelaxations(relax: unknown): RelaxKind[] {
  if (relax === 'auto') return [...RELAX_ORDER];
  if (relax === 'none' || relax === undefined) return [];
  const list = Array.isArray(relax) ? relax : [relax];
  return RELAX_ORDER.filter((kind) => list.includes(kind));
}

/** The nearest relaxation (see the header), or null when none of the allowed ones gives a plan. */
export function findRelaxation(costs: CostCache, allowed: readonly RelaxKind[]): Relaxation | null {
  for (const kinds of subsetsByNearness(allowed)) {
    const found = tryRelaxation(costs, kinds);
    if (found) return found;
  }
  return null;
}

function tryRelaxation(costs: CostCache, kinds: readonly RelaxKind[]): Relaxation | null {
  const has = (kind: RelaxKind) => kinds.includes(kind);
  if (has('scenes') && has('music')) return null; // music only where no scene count fills everything
  const pool = costs.candidates.map((c, i) => ({ c, i })).filter(({ c }) => !c.finer || has('granularity'));
  if (has('granularity') && !pool.some(({ c }) => c.finer)) return null;
  if (has('trim') && pool.every(({ c }) => c.plan.options.trim)) return null;

  let chosen: { i: number; key: number; plan: PreparedPlan; barLimit: number } | null = null;
  for (const { c, i } of pool) {
    // With `granularity` only the finer units count (the others were tried without it).
    if (has('granularity') && !c.finer) continue;
    const trim = c.plan.options.trim || has('trim');
    const L = c.plan.barCount;
    const cost = costs.cost(i, trim);
    const plan = costs.plan(i, trim);
    const soft = plan.options.mode === 'soft';
    let option: { key: number; plan: PreparedPlan; barLimit: number } | null = null;
    if (has('scenes')) {
      if (Number.isFinite(cost[L]!) && cost[L]! > limit(plan)) {
        const maxScenes = soft ? Math.ceil(cost[L]! / plan.options.softScale) : cost[L]!;
        option = { key: maxScenes, plan: withOptions(plan, { maxScenes }), barLimit: L };
      }
    } else if (has('music')) {
      let j = L - 1;
      while (j >= 1 && !(cost[j]! <= limit(plan))) j--;
      // Longest music first, so the key is minus the seconds filled.
      if (j >= 1) option = { key: -(plan.boundarySeconds[j]! - plan.boundarySeconds[0]!), plan, barLimit: j };
    } else if (cost[L]! <= limit(plan)) option = { key: 0, plan, barLimit: L };
    if (option && (!chosen || option.key < chosen.key - 1e-9)) chosen = { i, ...option };
  }
  return chosen ? { candidate: chosen.i, plan: chosen.plan, barLimit: chosen.barLimit, kinds } : null;
}

/** Every non-empty subset of the allowed kinds: smaller first, then by {@link RELAX_ORDER}. */
function subsetsByNearness(allowed: readonly RelaxKind[]): RelaxKind[][] {
  const kinds = RELAX_ORDER.filter((k) => allowed.includes(k));
  const subsets: RelaxKind[][] = [];
  for (let mask = 1; mask < 1 << kinds.length; mask++) subsets.push(kinds.filter((_, b) => mask & (1 << b)));
  const rank = (s: RelaxKind[]) => s.map((k) => RELAX_ORDER.indexOf(k));
  return subsets.sort((a, b) => a.length - b.length || compareLists(rank(a), rank(b)));
}

function compareLists(a: number[], b: number[]): number {
  for (let x = 0; x < a.length; x++) if (a[x] !== b[x]) return a[x]! - b[x]!;
  return 0;
}

/** The scene limit (hard) or weight budget (soft) the minimum cost is compared with. */
export function limit(plan: PreparedPlan): number {
  return plan.options.mode === 'soft' ? plan.softBudget : plan.options.maxScenes;
}

/** O(n) bound before the O(n · L) one: all usable shots together must hold at least L units. */
export function cheapCapacityFits(plan: PreparedPlan): boolean {
  let capacity = 0;
  for (let i = 0; i < plan.shotCount; i++) if (plan.usable[i]) capacity += plan.lockFirstBar[i]! >= 0 ? plan.lockBarCount[i]! : plan.lengths[i]!;
  return capacity >= plan.barCount;
}
