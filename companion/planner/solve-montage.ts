/**
 * The montage solve as the pipeline asks for it: the music's bars and beats in, a plan on the best cut unit
 * out, relaxed to the nearest feasible plan when the footage cannot fill the music as asked.
 *
 * Granularity `auto` (the rule users see in docs/errors.md and the README):
 *  - candidates: bar, two bars, half bar, beat, and, where the music's tempo changes (see cut-units.ts for the
 *    section rule), a layout with one unit per section: the longest unit not longer than the median shot;
 *  - cheap bounds first: a candidate whose usable shots hold too few units (O(n)), or that no choice of shots
 *    fills exactly within the scene limit (minimum scene cost, O(n · L)), is never solved;
 *  - each remaining candidate is solved exactly and scored by its objective per cut (totalScore / shots), so
 *    units that need more shots are not favoured for it; the best wins, ties go to the coarser unit, and the bar
 *    is preferred: another unit must score more than BAR_PREFERENCE (10 %) above it;
 *  - cutting finer than the bar is a relaxation (relax `granularity`, a notice) when the bar itself does not fit;
 *    when the bar fits, the finer units simply compete.
 * A fixed granularity is solved as asked; relax `granularity` may then move it to a finer unit.
 */
import { MontageError } from '../core/errors';
import type { Bar, CutGranularity, GranularityOption, MontagePlan, PlanInput, RelaxationNotice, RelaxKind } from '../core/montage';
import { toSeconds } from '../core/rational';
import { CUT_GRANULARITIES, layoutUnits, musicSections, unitName, unitSeconds, type CutUnits, type MusicGrid, type SectionUnit } from './cut-units';
import { preparePlan, type PreparedPlan } from './prepare-plan';
import { allowedRelaxations, cheapCapacityFits, CostCache, type UnitCandidate } from './relax-plan';
import { buildPlan, diagnose, runKernel, solveRelaxed } from './solve-plan';

/** A plan input at the music's own bars, with its beats, for {@link solveMontage}. */
export interface MusicPlanInput extends Omit<PlanInput, 'bars' | 'barScores'> {
  /** The music's bars (the units are cut from them). */
  readonly bars: readonly Bar[];
  /** The music's beat times, in music-file seconds. */
  readonly beatTimes: readonly number[];
  /** Optional M(shot i, bar k) per music bar, row-major n × bars; a unit gets the mean of the bars it spans. */
  readonly barScores?: PlanInput['barScores'];
  /** Default `auto`. */
  readonly granularity?: GranularityOption;
}

/** One unit the choice weighed. */
export interface GranularityCandidate {
  readonly unit: CutGranularity | 'mixed';
  /** The mean unit length in seconds. */
  readonly unitSeconds: number;
  /** Whether it was solved and its shots fill the music as asked (no relaxation); false when a bound ruled it out. */
  readonly fits: boolean;
  /** The objective per cut, where it was solved. */
  readonly scorePerCut?: number;
}

/** Which unit the montage cuts on, and why. */
export interface GranularityChoice {
  readonly requested: GranularityOption;
  readonly unit: CutGranularity | 'mixed';
  /** The unit of each stretch of the music (one entry unless the tempo changes and the units differ). */
  readonly sections: readonly (SectionUnit & { readonly startSeconds: number; readonly endSeconds: number; readonly unitSeconds: number })[];
  readonly reason: string;
  readonly candidates: readonly GranularityCandidate[];
}

export interface MontageSolution {
  readonly plan: MontagePlan;
  readonly granularity: GranularityChoice;
  /** Every relaxation the plan needed, in the order applied (also one diagnostic each in plan.diagnostics). */
  readonly relaxations: readonly RelaxationNotice[];
  /** `barOfUnit[u]`: the music bars the plan's unit u spans. */
  readonly barOfUnit: readonly (readonly number[])[];
}

interface Candidate extends UnitCandidate {
  readonly unit: CutGranularity | 'mixed';
  readonly layout: readonly SectionUnit[];
  readonly cut: CutUnits;
}

const FINER: Record<CutGranularity, readonly CutGranularity[]> = { '2bars': ['bar', 'halfbar', 'beat'], bar: ['halfbar', 'beat'], halfbar: ['beat'], beat: [] };

/** Plans the montage on the chosen unit; throws like solvePlan, or AM_ERR_TOO_FEW_SHOTS, when nothing allowed works. */
export function solveMontage(input: MusicPlanInput): MontageSolution {
  const requested = input.granularity ?? 'auto';
  if (!['auto', ...CUT_GRANULARITIES].includes(requested)) {
    throw new MontageError('AM_ERR_INVALID_ARGUMENT', `granularity must be auto, ${CUT_GRANULARITIES.join(', ')} (got ${String(requested)}).`, { where: { field: 'granularity' } });
  }
  const allowed = allowedRelaxations(input.options.relax);
  const grid: MusicGrid = { bars: input.bars, beatTimes: input.beatTimes };
  const candidates = buildCandidates(input, grid, requested, allowed);
  const costs = new CostCache(candidates);
  const base = 0;
  const solved = new Map<number, MontagePlan>();

  if (requested !== 'auto') {
    const plan = candidates[base]!.plan;
    const result = runKernel(plan);
    if (result.best(plan.barCount) > -Infinity) {
      const montage = buildPlan(plan, result, plan.barCount, []);
      return solution(montage, candidates, base, grid, requested, `${unitName(requested)}, as asked`, [], [{ index: base, plan: montage }]);
    }
  } else if (candidates.some((c, i) => !c.finer && costs.fits(i))) {
    for (const [i] of candidates.entries()) {
      if (!costs.fits(i)) continue;
      const plan = candidates[i]!.plan;
      solved.set(i, buildPlan(plan, runKernel(plan), plan.barCount, []));
    }
    let best = -1;
    const weighed = (i: number) => perCut(solved.get(i)!) * (candidates[i]!.unit === 'bar' ? 1 + BAR_PREFERENCE : 1);
    for (const [i] of solved) if (best < 0 || weighed(i) > weighed(best) + 1e-9) best = i;
    const others = [...solved].filter(([i]) => i !== best).map(([i, p]) => `${unitName(candidates[i]!.unit)} ${perCut(p).toFixed(3)}`);
    const misfits = candidates.filter((_, i) => !solved.has(i)).map((c) => unitName(c.unit));
    const reason =
      `the best objective per cut (bars unless another unit is over 10 % better): ${unitName(candidates[best]!.unit)} ${perCut(solved.get(best)!).toFixed(3)}` +
      (others.length ? ` (${others.join(', ')})` : '') +
      (misfits.length ? `; ${misfits.join(', ')}: the shots do not fill them` : '');
    return solution(solved.get(best)!, candidates, best, grid, requested, reason, [], [...solved].map(([index, plan]) => ({ index, plan })));
  }

  const relaxed = solveRelaxed(costs, allowed, base);
  if (!relaxed) {
    const plan = candidates[base]!.plan;
    if (!cheapCapacityFits(plan)) throw tooFewShots(plan, candidates[base]!.unit);
    throw diagnose(plan).error;
  }
  const chosen = candidates[relaxed.relaxation.candidate]!;
  const reason = relaxed.relaxation.kinds.includes('granularity')
    ? `${unitName(candidates[base]!.unit)} do not fit the shots; ${unitName(chosen.unit)} are the coarsest finer unit that fills the music`
    : `${unitName(chosen.unit)}${requested === 'auto' ? '' : ', as asked'}; no unit fills the music as asked, so the plan relaxes ${relaxed.relaxation.kinds.join(' and ')}`;
  return solution(relaxed.plan, candidates, relaxed.relaxation.candidate, grid, requested, reason, relaxed.notices, [{ index: relaxed.relaxation.candidate, plan: relaxed.plan }]);
}

/**
 * The bar is the cut an editor expects ("one cut per bar"): another unit wins only with a clearly better
 * objective per cut, more than this fraction above the bar's.
 */
export const BAR_PREFERENCE = 0.1;

function perCut(plan: MontagePlan): number {
  return plan.totalScore / Math.max(1, plan.placements.length);
}

function solution(
  plan: MontagePlan,
  candidates: readonly Candidate[],
  index: number,
  grid: MusicGrid,
  requested: GranularityOption,
  reason: string,
  relaxations: readonly RelaxationNotice[],
  solved: readonly { index: number; plan: MontagePlan }[],
): MontageSolution {
  const chosen = candidates[index]!;
  const sections = chosen.layout.map((section) => {
    const last = grid.bars[section.firstBar + section.barCount - 1]!;
    return { ...section, startSeconds: grid.bars[section.firstBar]!.startSeconds, endSeconds: last.startSeconds + last.durationSeconds, unitSeconds: round(unitSeconds(grid, section)) };
  });
  const report: GranularityCandidate[] = candidates.map((c, i) => {
    const done = solved.find((s) => s.index === i);
    return {
      unit: c.unit,
      unitSeconds: round((c.plan.boundarySeconds[c.plan.barCount]! - c.plan.boundarySeconds[0]!) / c.plan.barCount),
      fits: done ? done.plan.diagnostics.length === 0 : false,
      ...(done ? { scorePerCut: round(perCut(done.plan)) } : {}),
    };
  });
  return { plan, granularity: { requested, unit: chosen.unit, sections, reason, candidates: report }, relaxations, barOfUnit: chosen.cut.barOfUnit.slice(0, plan.bars.length) };
}

function round(value: number): number {
  return Number(value.toFixed(4));
}

/**
 * The candidates, the asked-for unit first (bar under `auto`): under `auto` every unit and the per-section
 * layout; with a fixed unit, the finer units too when relax `granularity` is allowed.
 */
function buildCandidates(input: MusicPlanInput, grid: MusicGrid, requested: GranularityOption, allowed: readonly RelaxKind[]): Candidate[] {
  const sections = musicSections(grid.bars);
  const whole = (unit: CutGranularity): SectionUnit[] => [{ firstBar: 0, barCount: grid.bars.length, unit }];
  const specs: { unit: CutGranularity | 'mixed'; layout: SectionUnit[]; finer: boolean }[] = [];
  if (requested === 'auto') {
    for (const unit of ['bar', '2bars', 'halfbar', 'beat'] as const) specs.push({ unit, layout: whole(unit), finer: FINER.bar.includes(unit) });
    const layout = sectionLayout(input, grid, sections);
    if (layout) specs.push({ unit: 'mixed', layout, finer: layout.some((s) => FINER.bar.includes(s.unit)) });
  } else {
    specs.push({ unit: requested, layout: whole(requested), finer: false });
    if (allowed.includes('granularity')) for (const unit of FINER[requested]) specs.push({ unit, layout: whole(unit), finer: true });
  }
  const candidates: Candidate[] = [];
  let firstError: unknown;
  for (const spec of specs) {
    const cut = layoutUnits(grid, spec.layout, spec.unit !== 'mixed');
    // Without beats inside the bars a half bar or a beat is the bar itself: no new candidate.
    if ((spec.unit === 'halfbar' || spec.unit === 'beat') && cut.units.length === grid.bars.length) continue;
    try {
      if (cut.units.length === 0) throw new MontageError('AM_ERR_MUSIC_TOO_SHORT', `The music ${input.music.path} holds no whole ${spec.unit === '2bars' ? 'pair of bars' : 'bar'}.`, { where: { file: input.music.path } });
      const plan = preparePlan(unitInput(input, cut));
      candidates.push({ ...spec, cut, plan });
    } catch (error) {
      // A unit the input cannot be cut on (a pin shorter than a bar, no pair of bars) is no candidate; the asked-for one's error stands.
      firstError ??= error;
      if (!(error instanceof MontageError) || error.code === 'AM_ERR_INVALID_ARGUMENT') throw error;
    }
  }
  if (candidates.length === 0 || (requested !== 'auto' && candidates[0]!.unit !== requested) || (requested === 'auto' && candidates[0]!.unit !== 'bar' && !allowed.includes('granularity'))) throw firstError;
  return candidates;
}

/**
 * Under `auto`, where the tempo changes, one unit per section: the longest unit not longer than the median
 * shot (the finest when none is). Null for one section or when every section gets the same unit.
 */
function sectionLayout(input: MusicPlanInput, grid: MusicGrid, sections: readonly { firstBar: number; barCount: number }[]): SectionUnit[] | null {
  if (sections.length < 2) return null;
  const bans = new Set(input.options.bans);
  const lengths = input.shots.filter((s) => !bans.has(s.index)).map((s) => toSeconds(s.range.duration)).sort((a, b) => a - b);
  const median = lengths.length ? lengths[Math.floor(lengths.length / 2)]! : 0;
  const layout = sections.map((section) => {
    const fitting = CUT_GRANULARITIES.filter((unit) => unitSeconds(grid, { ...section, unit }) <= median);
    return { ...section, unit: fitting[0] ?? 'beat' };
  });
  return layout.every((s) => s.unit === layout[0]!.unit) ? null : layout;
}

/** The planner input on the given units: bar scores become the mean of the bars each unit spans. */
function unitInput(input: MusicPlanInput, cut: CutUnits): PlanInput {
  const { granularity: _granularity, beatTimes: _beats, bars: _bars, barScores, ...rest } = input;
  const first = cut.units[0]!;
  const last = cut.units[cut.units.length - 1]!;
  let unitScores: PlanInput['barScores'];
  if (barScores) {
    const n = input.shots.length;
    const U = cut.units.length;
    const values = new Float32Array(n * U);
    const source = barScores.values;
    const B = barScores.bars;
    for (let u = 0; u < U; u++) {
      const bars = cut.barOfUnit[u]!;
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (const b of bars) sum += source[i * B + b] ?? 0;
        values[i * U + u] = sum / bars.length;
      }
    }
    unitScores = { shots: n, bars: U, values };
  }
  return {
    ...rest,
    music: { ...input.music, startSeconds: first.startSeconds, endSeconds: last.startSeconds + last.durationSeconds },
    bars: cut.units,
    ...(unitScores ? { barScores: unitScores } : {}),
    options: input.options,
  };
}

/** The planner input on one unit for the whole music (two bars: an odd last bar is left out). */
export function unitPlanInput(input: MusicPlanInput, unit: CutGranularity): PlanInput {
  return unitInput(input, layoutUnits({ bars: input.bars, beatTimes: input.beatTimes }, [{ firstBar: 0, barCount: input.bars.length, unit }], true));
}

/** Today's AM_ERR_TOO_FEW_SHOTS, with its numbers: even every usable shot together cannot fill the units. */
function tooFewShots(plan: PreparedPlan, unit: CutGranularity | 'mixed'): MontageError {
  let capacity = 0;
  let usable = 0;
  for (let i = 0; i < plan.shotCount; i++) {
    if (!plan.usable[i]) continue;
    usable++;
    capacity += plan.lengths[i]!;
  }
  const L = plan.barCount;
  const seconds = (plan.boundarySeconds[L]! - plan.boundarySeconds[0]!) / L;
  const word = unitName(unit);
  const one = word.replace(/s$/, '').replace(/units by section$/, 'unit');
  return new MontageError(
    'AM_ERR_TOO_FEW_SHOTS',
    `The music needs ${L} ${word}, but the movie ${plan.input.movie.path} has ${usable} usable shot${usable === 1 ? '' : 's'} (at least one ${one} of ${seconds.toFixed(2)} s long) holding only ${capacity} ${word}. Use a shorter music range, a longer movie, or a finer cut granularity.`,
    { where: { file: plan.input.movie.path }, details: { barsNeeded: L, barsAvailable: capacity, usableShots: usable } },
  );
}
