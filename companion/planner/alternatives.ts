/**
 * Alternatives per slot: for each placement of a plan, the best shots that could take exactly its place. A
 * substitute must keep the plan feasible as it stands: unused, not banned, long enough for the slot's record
 * frames (its usable range), between its neighbours in story order (shots stay in story order), and, in hard mode,
 * not raise the number of scenes above the limit. Substitutes are ranked by their fit to the music under the slot
 * (the mean M(shot, bar) over the music bars the slot covers; without bar scores, M(shot, whole music)). A swap
 * is then a pin/ban re-solve (pin the substitute, ban the shot it replaces), which finds the exact best plan.
 */
import type { MontagePlan, PlanInput } from '../core/montage';

export interface SlotAlternative {
  readonly shot: number;
  /** Fit to the music under the slot (same measure as {@link slotFit}). */
  readonly score: number;
  /** The first source frame it would play from (the start of its usable range). */
  readonly sourceStart: number;
}

/** What alternatives need from the planner's input (either a unit PlanInput or the music-level one). */
export type AlternativesInput = Pick<PlanInput, 'shots' | 'options' | 'shotScores' | 'barScores'>;

/** Mean M(shot, bar) over `bars` (music bar indices), or M(shot, whole music) without bar scores. */
export function slotFit(input: AlternativesInput, shot: number, bars: readonly number[]): number {
  const table = input.barScores;
  if (!table || bars.length === 0) return input.shotScores[shot] ?? 0;
  let sum = 0;
  for (const bar of bars) sum += Number(table.values[shot * table.bars + bar] ?? 0);
  return sum / bars.length;
}

/**
 * The `count` best substitutes for each placement of `plan`, in placement order. `barsOfUnit[u]` are the music
 * bars the plan's unit u spans (identity when the plan cuts on bars).
 */
export function slotAlternatives(input: AlternativesInput, plan: Pick<MontagePlan, 'placements'>, barsOfUnit: readonly (readonly number[])[], count = 3): SlotAlternative[][] {
  const used = new Set(plan.placements.map((p) => p.shotIndex));
  const bans = new Set(input.options.bans);
  const sceneUses = new Map<number, number>();
  for (const p of plan.placements) sceneUses.set(p.sceneIndex, (sceneUses.get(p.sceneIndex) ?? 0) + 1);
  const hard = input.options.mode !== 'soft';
  return plan.placements.map((placement, k) => {
    const previous = plan.placements[k - 1]?.shotIndex ?? -1;
    const next = plan.placements[k + 1]?.shotIndex ?? input.shots.length;
    const frames = placement.recordRange.duration.value;
    const bars = [...new Set(Array.from({ length: placement.barCount }, (_, j) => barsOfUnit[placement.firstBar + j] ?? [placement.firstBar + j]).flat())];
    // Scenes in use without this slot: a substitute from another scene must fit under the limit.
    const scenesWithout = new Set([...sceneUses].filter(([scene, uses]) => uses > (scene === placement.sceneIndex ? 1 : 0)).map(([scene]) => scene));
    const found: SlotAlternative[] = [];
    for (let shot = previous + 1; shot < next; shot++) {
      if (used.has(shot) || bans.has(shot)) continue;
      const candidate = input.shots[shot]!;
      const usable = candidate.usable ?? candidate.range;
      if (usable.duration.value < frames) continue;
      if (hard && !scenesWithout.has(candidate.sceneIndex) && scenesWithout.size + 1 > input.options.maxScenes) continue;
      found.push({ shot, score: slotFit(input, shot, bars), sourceStart: usable.start.value });
    }
    return found.sort((a, b) => b.score - a.score || a.shot - b.shot).slice(0, count);
  });
}
