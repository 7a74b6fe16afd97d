/**
 * companion/planner: the knapsack montage solver and plan → timeline. Pure and deterministic; imports only core.
 *
 * The model (docs/method.md, Stage 2, with our extensions):
 * - Bars are cut on the movie's frame grid once, from the first bar: boundary k = round((start_k − start_0) × fps).
 *   The unit is the average bar (boundary L / L frames); a shot's length is t_i = floor(frames / unit) bars, and a
 *   shot shorter than one unit is never used. A shot may cover bars a..j−1 only if it lasts at least
 *   boundary j − boundary a frames (real bar durations); its source window is exactly that long.
 * - Without trimming a shot fills exactly t_i bars (the paper); with trimming any 1..t_i bars.
 * - A placement's value is a sum over the bars it covers: p_i / t_i per bar, or with arc matching
 *   (mean S of the scene + M(i, k)) / t_i for bar k. An untrimmed shot therefore earns exactly the paper's p_i
 *   (or its scene mean plus its mean similarity to the music under it), a trimmed one the share it shows, and the
 *   best start for every end bar is a sliding-window maximum: O(n · L · N_e) time for trimming, arc matching and
 *   real bar durations together, with rolling rows and back-pointers of a few bits per state.
 * - Hard: at most N_e scenes (the best over k ≤ N_e). Soft: a budget N_e × scale of integer weights
 *   max(1, floor(scale / |scene|)), scale 12 by default (`options.softScale`); O(n · L · N_e · scale).
 * - Pins must be used, bans never, locked placements (see {@link lockRange}) are kept bar for bar and frame for frame.
 * - No exact fill: AM_ERR_NO_EXACT_FILL with the figures and the relaxations that would work (more scenes,
 *   trimming, a shorter stretch of music); `options.relax` applies the nearest (relax-plan.ts: the fewest, first
 *   in granularity → trim → scenes → music), found with O(n · L) bounds and solved once, each with a notice.
 *   Pins that make the fill impossible when it is otherwise possible: AM_ERR_PLAN_CONSTRAINTS.
 * - Units (cut-units.ts, solve-montage.ts): the pipeline gives the music's bars and beats; the planner cuts
 *   bars, two bars, half bars or beats, and under granularity `auto` weighs them (and one unit per tempo
 *   section) by the objective per cut among those the shots fill.
 */
export { solvePlan, suggestRelaxations, lockRange, type RelaxationSuggestion, type ShortfallDetails } from './solve-plan';
export type { RelaxationNotice } from '../core/montage';
export { solveMontage, unitPlanInput, type GranularityCandidate, type GranularityChoice, type MontageSolution, type MusicPlanInput } from './solve-montage';
export { cutUnits, layoutUnits, musicSections, unitName, CUT_GRANULARITIES, SECTION_TEMPO_CHANGE, MIN_SECTION_BARS, type CutUnits, type MusicGrid, type SectionUnit } from './cut-units';
export { allowedRelaxations, RELAX_ORDER } from './relax-plan';
export { planToTimeline, type PlanMedia, type PlanToTimelineOptions } from './plan-to-timeline';
export { DEFAULT_SOFT_SCALE } from './prepare-plan';
