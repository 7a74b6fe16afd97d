/**
 * companion/planner: the knapsack montage solver and plan → timeline. Pure and deterministic; imports only core.
 */
export { solvePlan, suggestRelaxations, lockRange, type RelaxationSuggestion, type ShortfallDetails } from './solve-plan';
export { planToTimeline, type PlanToTimelineOptions } from './plan-to-timeline';
export { DEFAULT_SOFT_SCALE } from './prepare-plan';
