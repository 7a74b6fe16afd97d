/**
 * The montage planner: chooses shots (hard or soft scene constraint, optional arc matching and trimming,
 * pins, bans and locked placements) so that they fill the bars exactly, in story order, and turns the choice
 * into a MontagePlan with frame-exact source and record ranges. When no exact fill exists it says why in
 * numbers and, if asked (`options.relax`), re-solves with the nearest relaxation. Pure and deterministic.
 */
import { MontageError, type Diagnostic } from '../core/errors';
import type { LockedPlacement, MontagePlan, PlanInput, Placement, RelaxationNotice, RelaxKind } from '../core/montage';
import { range, ratesEqual } from '../core/rational';
import { unitName } from './cut-units';
import { solveHardKnapsack, type KnapsackResult, type Segment } from './hard-scene-knapsack';
import { minimumSceneCost } from './minimum-scene-cost';
import { conformWindow, preparePlan, withOptions, type PreparedPlan } from './prepare-plan';
import { allowedRelaxations, CostCache, findRelaxation, limit, type Relaxation } from './relax-plan';
import { solveSoftKnapsack } from './soft-scene-knapsack';

/** One way to loosen an input that has no exact fill, with what it would take. */
export interface RelaxationSuggestion {
  readonly relax: 'trim' | 'scenes' | 'music';
  /** For `scenes`: the fewest scenes (hard) or the smallest scene budget (soft) that works. */
  readonly maxScenes?: number;
  /** For `music`: how many bars the shortened montage fills, and where the music then ends. */
  readonly barCount?: number;
  readonly endSeconds?: number;
  /** The objective the relaxed plan reaches. */
  readonly totalScore?: number;
  readonly message: string;
}

/** The figures behind AM_ERR_NO_EXACT_FILL (also `error.details`). */
export interface ShortfallDetails {
  readonly barsNeeded: number;
  /** Hard: bars the best maxScenes scenes hold in usable shots; soft: the most bars the scene budget can buy. */
  readonly barsAvailable: number;
  readonly maxScenes: number;
  readonly mode: 'hard' | 'soft';
  readonly trim: boolean;
  readonly usableShots: number;
  /** The most bars (from the first) that can be filled exactly under the constraints; 0 when none. */
  readonly closestFill: number;
  /** The fewest scenes (or soft budget) that fills every bar, or null when no scene count does. */
  readonly scenesNeeded: number | null;
  readonly suggestions: readonly RelaxationSuggestion[];
}

/** Solves the plan; throws AM_ERR_NO_EXACT_FILL (details: {@link ShortfallDetails}) or AM_ERR_PLAN_CONSTRAINTS. */
export function solvePlan(input: PlanInput): MontagePlan {
  const plan = preparePlan(input);
  const L = plan.barCount;
  const result = runKernel(plan);
  if (result.best(L) > -Infinity) return buildPlan(plan, result, L, []);
  const costs = new CostCache([{ plan, finer: false }]);
  const relaxed = solveRelaxed(costs, allowedRelaxations(plan.options.relax), 0);
  if (relaxed) return relaxed.plan;
  throw diagnose(plan, result).error;
}

/**
 * Finds the nearest relaxation of candidate `base` (or of a finer candidate), solves it once and builds the
 * plan with one diagnostic per relaxation; null when none of `allowed` gives a plan.
 */
export function solveRelaxed(costs: CostCache, allowed: readonly RelaxKind[], base: number): { plan: MontagePlan; relaxation: Relaxation; notices: RelaxationNotice[] } | null {
  const relaxation = findRelaxation(costs, allowed);
  if (!relaxation) return null;
  const result = runKernel(relaxation.plan);
  let barLimit = relaxation.barLimit;
  // The bound and the kernel agree on which lengths can be filled; this only guards a disagreement.
  while (barLimit > 0 && !(result.best(barLimit) > -Infinity)) barLimit--;
  if (barLimit === 0) throw new MontageError('AM_ERR_INTERNAL', `planner bound promised ${relaxation.barLimit} units but the solve filled none`);
  const basePlan = costs.candidates[base]!.plan;
  const plan0 = buildPlan(relaxation.plan, result, barLimit, []);
  const notices = relaxation.kinds.map((kind) => notice(kind, costs, base, relaxation, plan0, allowed));
  const reason = diagnose(basePlan).reason;
  const diagnostics: Diagnostic[] = notices.map((n) => ({ code: 'AM_ERR_NO_EXACT_FILL', message: `${reason} Relaxed: ${n.message}`, where: { field: 'options.relax' } }));
  return { plan: { ...plan0, diagnostics }, relaxation, notices };
}

function notice(kind: RelaxKind, costs: CostCache, base: number, relaxation: Relaxation, plan: MontagePlan, allowed: readonly RelaxKind[]): RelaxationNotice {
  const before = costs.candidates[base]!;
  const after = costs.candidates[relaxation.candidate]!;
  const alternatives = findRelaxation(costs, allowed.filter((k) => k !== kind))?.kinds ?? [];
  const unitWord = unitName(after.unit ?? 'bar');
  switch (kind) {
    case 'granularity': {
      const rate = before.plan.rate;
      let frames = 0;
      let count = 0;
      for (let i = 0; i < before.plan.shotCount; i++) {
        if (before.plan.options.bans.includes(i)) continue;
        frames += before.plan.shotFrames[i]!;
        count++;
      }
      const shotSeconds = (frames / Math.max(1, count)) * (rate.den / rate.num);
      // The base is itself finer only when the bar could not even be prepared (a pin shorter than a bar).
      const fromUnit = before.finer ? 'bar' : (before.unit ?? 'bar');
      const fromWord = unitName(fromUnit);
      const fromSeconds = before.finer ? '' : `, ${fromWord} are ${meanUnitSeconds(before.plan).toFixed(1)} s`;
      return {
        relax: kind,
        message: `used ${unitWord} instead of ${fromWord}: shots average ${shotSeconds.toFixed(1)} s${fromSeconds} (${unitWord} ${meanUnitSeconds(after.plan).toFixed(1)} s)`,
        from: fromUnit,
        to: after.unit ?? 'bar',
        alternatives,
      };
    }
    case 'trim': {
      const trimmed = plan.placements.filter((p) => p.barCount < relaxation.plan.lengths[p.shotIndex]!).length;
      return { relax: kind, message: `let long shots fill fewer ${unitWord} (trimming): ${trimmed} of ${plan.placements.length} shots are cut shorter`, from: false, to: true, alternatives };
    }
    case 'scenes': {
      const from = before.plan.options.maxScenes;
      const to = relaxation.plan.options.maxScenes;
      const message = relaxation.plan.options.mode === 'soft' ? `raised the scene budget to ${to} (was ${from})` : `allowed ${to} scenes instead of ${from}`;
      return { relax: kind, message, from, to, alternatives };
    }
    case 'music': {
      const full = after.plan.boundarySeconds;
      const L = after.plan.barCount;
      const j = plan.bars.length;
      const end = plan.music.endSeconds;
      return {
        relax: kind,
        message: `ended the montage after ${j} of ${L} ${unitWord} (music at ${end.toFixed(2)} s instead of ${full[L]!.toFixed(2)} s: ${(full[L]! - end).toFixed(2)} s shorter)`,
        from: Number(full[L]!.toFixed(3)),
        to: Number(end.toFixed(3)),
        alternatives,
      };
    }
  }
}

function meanUnitSeconds(plan: PreparedPlan): number {
  return (plan.boundarySeconds[plan.barCount]! - plan.boundarySeconds[0]!) / plan.barCount;
}

/**
 * The relaxations that would make an input solvable (empty when it already is), nearest first:
 * trimming, more scenes, a shorter stretch of music. Throws like {@link solvePlan} for invalid input.
 */
export function suggestRelaxations(input: PlanInput): RelaxationSuggestion[] {
  const plan = preparePlan(input);
  const result = runKernel(plan);
  if (result.best(plan.barCount) > -Infinity) return [];
  return [...diagnose(plan, result).details.suggestions];
}

/** The placements of a plan that overlap bars firstBar .. firstBar + barCount − 1, as locks for the next solve. */
export function lockRange(plan: MontagePlan, firstBar: number, barCount: number): LockedPlacement[] {
  return plan.placements
    .filter((p) => p.firstBar < firstBar + barCount && p.firstBar + p.barCount > firstBar)
    .map((p) => ({ shotIndex: p.shotIndex, firstBar: p.firstBar, barCount: p.barCount, sourceStart: p.sourceRange.start.value }));
}

/** The knapsack kernel of the plan's mode (hard or soft), before any diagnosis or relaxation. */
export function runKernel(plan: PreparedPlan): KnapsackResult {
  return plan.options.mode === 'soft' ? solveSoftKnapsack(plan) : solveHardKnapsack(plan);
}

/** The value of shot i on bars firstBar .. firstBar + barCount − 1 (see shot-windows.ts for why it is per bar). */
function placementScore(plan: PreparedPlan, segment: Segment): number {
  const i = segment.shot;
  const divisor = Math.max(1, plan.lengths[i]!);
  if (!plan.arc) return (plan.weightedScores[i]! * segment.barCount) / divisor;
  const values = plan.input.barScores!.values;
  let sum = 0;
  for (let k = segment.firstBar; k < segment.firstBar + segment.barCount; k++) sum += plan.sceneMeans[i]! + values[i * plan.barCount + k]!;
  return sum / divisor;
}

export function buildPlan(plan: PreparedPlan, result: KnapsackResult, barLimit: number, diagnostics: Diagnostic[]): MontagePlan {
  const { input, boundaries, rate } = plan;
  const segments = result.backtrack(barLimit);
  let bar = 0;
  const placements: Placement[] = segments.map((segment) => {
    const i = segment.shot;
    const a = segment.firstBar;
    const j = a + segment.barCount;
    if (a !== bar) throw new MontageError('AM_ERR_INTERNAL', `planner left a hole at bar ${bar}`);
    bar = j;
    const recordStart = boundaries[a]!;
    const frames = boundaries[j]! - recordStart;
    const locked = plan.lockSourceStart[i]!;
    const sourceStart = Number.isNaN(locked) ? windowStart(plan, i, frames) : locked;
    const shot = input.shots[i]!;
    const span = shot.usable ?? shot.range;
    const sourceRate = span.start.rate;
    return {
      shotIndex: i,
      sceneIndex: shot.sceneIndex,
      ...(shot.source !== undefined ? { source: shot.source } : {}),
      firstBar: a,
      barCount: segment.barCount,
      sourceRange: ratesEqual(sourceRate, rate) ? range(sourceStart, frames, rate) : conformWindow(sourceStart, frames, rate, sourceRate, span.start.value + span.duration.value),
      recordRange: range(recordStart, frames, rate),
      score: placementScore(plan, segment),
    };
  });
  if (bar !== barLimit) throw new MontageError('AM_ERR_INTERNAL', `planner filled ${bar} of ${barLimit} bars`);
  const { options } = plan;
  return {
    schema: 'MontagePlan.1',
    movie: input.movie,
    ...(input.sources ? { sources: input.sources } : {}),
    music: { path: input.music.path, startSeconds: plan.boundarySeconds[0]!, endSeconds: plan.boundarySeconds[barLimit]! },
    options: { ...options, arc: plan.arc },
    shots: input.shots.map((shot, i) => ({ ...shot, score: plan.weightedScores[i]! })),
    scenes: input.scenes,
    bars: input.bars.slice(0, barLimit),
    placements,
    totalScore: placements.reduce((sum, p) => sum + p.score, 0),
    diagnostics,
  };
}

/**
 * Where a window of `frames` sits inside shot i: at its start (the paper), centred, or where the shot's
 * score profile is highest (ties go to the window nearest the centre; without a profile, centred).
 */
function windowStart(plan: PreparedPlan, i: number, frames: number): number {
  const start = plan.shotStart[i]!;
  const slack = plan.shotFrames[i]! - frames;
  if (slack <= 0 || plan.options.trimAlign === 'start') return start;
  const centre = Math.floor(slack / 2);
  const profile = plan.input.shotProfiles?.[i];
  if (plan.options.trimAlign === 'centre' || !profile || profile.length === 0) return start + centre;
  const total = plan.shotFrames[i]!;
  const samples = profile.length;
  const candidates = Math.min(slack + 1, Math.max(2, samples * 2 + 1));
  let bestOffset = centre;
  let bestScore = -Infinity;
  for (let c = 0; c < candidates; c++) {
    const offset = candidates === 1 ? 0 : Math.round((c * slack) / (candidates - 1));
    // Mean of the samples whose centres fall inside [offset, offset + frames); the nearest one if none does.
    let sum = 0;
    let count = 0;
    for (let s = 0; s < samples; s++) {
      const at = ((s + 0.5) * total) / samples;
      if (at >= offset && at < offset + frames) {
        sum += profile[s]!;
        count++;
      }
    }
    const value = count > 0 ? sum / count : profile[Math.min(samples - 1, Math.floor(((offset + frames / 2) * samples) / total))]!;
    if (value > bestScore + 1e-12 || (Math.abs(value - bestScore) <= 1e-12 && Math.abs(offset - centre) < Math.abs(bestOffset - centre))) {
      bestScore = value;
      bestOffset = offset;
    }
  }
  return start + bestOffset;
}

export interface Shortfall {
  readonly reason: string;
  readonly details: ShortfallDetails;
  readonly error: MontageError;
}

/** Why there is no exact fill, in numbers, and which relaxations would give one (cheap bounds only, no solve). */
export function diagnose(plan: PreparedPlan, result?: KnapsackResult): Shortfall {
  const { options, barCount: L } = plan;
  const soft = options.mode === 'soft';
  let usableShots = 0;
  for (let i = 0; i < plan.shotCount; i++) usableShots += plan.usable[i]!;

  const capacity = (i: number) => (plan.lockFirstBar[i]! >= 0 ? plan.lockBarCount[i]! : plan.lengths[i]!);
  let barsAvailable: number;
  if (soft) {
    // The most bars the budget buys, ignoring exactness: a 0/1 knapsack on weights.
    const most = new Float64Array(plan.softBudget + 1);
    for (let i = 0; i < plan.shotCount; i++) {
      if (!plan.usable[i]) continue;
      const weight = plan.softWeights[i]!;
      for (let w = plan.softBudget; w >= weight; w--) most[w] = Math.max(most[w]!, most[w - weight]! + capacity(i));
    }
    barsAvailable = most[plan.softBudget]!;
  } else {
    const perScene = Array.from(plan.sceneFirst, (first, s) => {
      let sum = 0;
      for (let i = first; i < first + plan.sceneSize[s]!; i++) if (plan.usable[i]) sum += capacity(i);
      return sum;
    }).sort((x, y) => y - x);
    barsAvailable = perScene.slice(0, options.maxScenes).reduce((x, y) => x + y, 0);
  }

  const costs = minimumSceneCost(plan);
  let closestFill = 0;
  for (let j = L - 1; j >= 1; j--) {
    if (costs[j]! <= limit(plan)) {
      closestFill = j;
      break;
    }
  }
  const cost = costs[L]!;
  const scenesNeeded = Number.isFinite(cost) ? (soft ? Math.ceil(cost / options.softScale) : cost) : null;

  const suggestions: RelaxationSuggestion[] = [];
  if (!options.trim && minimumSceneCost(withOptions(plan, { trim: true }))[L]! <= limit(plan)) {
    suggestions.push({ relax: 'trim', message: `let long shots fill fewer bars (trimming).` });
  }
  if (scenesNeeded !== null && scenesNeeded > options.maxScenes) {
    suggestions.push({
      relax: 'scenes',
      maxScenes: scenesNeeded,
      message: soft ? `raise the scene budget to ${scenesNeeded}.` : `allow ${scenesNeeded} scenes.`,
    });
  }
  if (closestFill > 0) {
    const endSeconds = plan.boundarySeconds[closestFill]!;
    suggestions.push({
      relax: 'music',
      barCount: closestFill,
      endSeconds,
      ...(result ? { totalScore: result.best(closestFill) } : {}),
      message: `end the montage after bar ${closestFill} (music at ${endSeconds.toFixed(2)} s) instead of ${L}.`,
    });
  }

  const scope = soft
    ? `a scene budget of ${options.maxScenes} buys at most ${barsAvailable} bars of usable shots`
    : `the best ${options.maxScenes} scene${options.maxScenes > 1 ? 's' : ''} hold${options.maxScenes > 1 ? '' : 's'} ${barsAvailable} bars of usable shots`;
  const exactly = barsAvailable >= L ? `, but no choice of them adds up to exactly ${L} bars${options.trim ? '' : ' without trimming'}` : '';
  const requiredCount = plan.required.reduce((x, y) => x + y, 0);
  const reason = `${L} bars needed; ${scope}${exactly}.`;
  const hint = suggestions.length ? ` To fill it: ${suggestions.map((s) => s.message.replace(/\.$/, '')).join('; or ')}.` : '';
  const details: ShortfallDetails = {
    barsNeeded: L,
    barsAvailable,
    maxScenes: options.maxScenes,
    mode: options.mode,
    trim: options.trim,
    usableShots,
    closestFill,
    scenesNeeded,
    suggestions,
  };

  // With pins or locks, tell apart "the music cannot be filled" from "it can, but not with these shots".
  if (requiredCount > 0) {
    const free = withoutRequirements(plan);
    const freeCost = minimumSceneCost(free)[L]!;
    const freeFits = soft ? freeCost <= plan.softBudget : freeCost <= options.maxScenes;
    if (freeFits) {
      const message = `The ${requiredCount} pinned or locked shot${requiredCount > 1 ? 's' : ''} cannot be part of any exact fill of ${L} bars with ${soft ? `a scene budget of ${options.maxScenes}` : `at most ${options.maxScenes} scene${options.maxScenes > 1 ? 's' : ''}`}; without them the bars can be filled.${hint}`;
      return { reason: message, details, error: new MontageError('AM_ERR_PLAN_CONSTRAINTS', message, { where: { field: 'options.pins' }, details: { ...details } }) };
    }
  }
  const message = `${reason}${hint}`;
  return { reason, details, error: new MontageError('AM_ERR_NO_EXACT_FILL', message, { where: { field: 'bars', file: plan.input.music.path }, details: { ...details } }) };
}

function withoutRequirements(plan: PreparedPlan): PreparedPlan {
  const usable = Uint8Array.from(plan.usable, (u, i) => (u && plan.lengths[i]! > 0 ? 1 : 0));
  return {
    ...plan,
    usable,
    required: new Uint8Array(plan.shotCount),
    lockFirstBar: new Int32Array(plan.shotCount).fill(-1),
    lockBarCount: new Int32Array(plan.shotCount).fill(-1),
  };
}
