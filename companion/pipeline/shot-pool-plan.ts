/**
 * The clean shot pool in a montage: the analysis' pool readings are judged (analysis/movie/shot-pool.ts), and
 * the verdicts enter the planner's input as bans (excluded shots) and shorter usable ranges (text over part of
 * a shot). A shot the editor pinned is never excluded. When the pool leaves no plan, or a plan that needs more
 * relaxing (a finer cut, more scenes, less music) than every shot does, the montage is solved from every shot
 * instead, with a notice: cleaning never costs the editor a result or a relaxation.
 */
import type { Diagnostic } from '../core/errors';
import { MontageError } from '../core/errors';
import type { Shot } from '../core/montage';
import type { MovieAnalysis } from '../core/pipeline';
import { range, toFps } from '../core/rational';
import type { PoolOptions, PoolVerdict, ShotExclusion } from '../core/shot-pool';
import { judgeShotPool, type PoolShot } from '../analysis/movie/shot-pool';
import { solveMontage, type MusicPlanInput } from '../planner/index';

export interface PooledPlanInput {
  readonly input: MusicPlanInput;
  readonly originalShots: readonly number[];
}

/** Every analysed file's movie, in the combined shot numbering's order. */
export function analysisMovies(analysis: { movie: MovieAnalysis; files?: readonly { movie: MovieAnalysis }[] }): readonly MovieAnalysis[] {
  return analysis.files?.length ? analysis.files.map((f) => f.movie) : [analysis.movie];
}

/** The pool verdict over every shot of every file (combined numbering), or undefined when no file has a pool reading. */
export function judgeAnalysis(movies: readonly MovieAnalysis[], shotScores: readonly number[], options: PoolOptions): PoolVerdict | undefined {
  if (!movies.some((m) => m.pool)) return undefined;
  const shots: PoolShot[] = [];
  for (const movie of movies) {
    const fps = movie.media.video ? toFps(movie.media.video.rate) : 25;
    movie.shots.forEach((shot, i) => {
      const samples = movie.pool?.samples[i] ?? [];
      shots.push({ shot, fps, samples, ...(movie.features[i] ? { features: movie.features[i] } : {}), score: shotScores[shots.length] ?? 0 });
    });
  }
  return judgeShotPool(shots, options);
}

/** The planner's input with the verdict applied: excluded shots banned (unless pinned), trimmed shots' usable ranges narrowed. */
export function applyVerdict(planned: PooledPlanInput, verdict: PoolVerdict): PooledPlanInput {
  const { input, originalShots } = planned;
  const planIndex = new Map(originalShots.map((original, i) => [original, i]));
  const pins = new Set(input.options.pins);
  const bans = new Set(input.options.bans);
  for (const exclusion of verdict.excluded) {
    const i = planIndex.get(exclusion.shot);
    if (i !== undefined && !pins.has(i)) bans.add(i);
  }
  const trims = new Map(verdict.trimmed.map((t) => [t.shot, t]));
  const shots: Shot[] = input.shots.map((shot, i) => {
    const trim = trims.get(originalShots[i]!);
    if (!trim || pins.has(i) || shot.range.start.rate.num !== input.movie.rate.num || shot.range.start.rate.den !== input.movie.rate.den) return shot;
    const usable = shot.usable ?? shot.range;
    const from = Math.max(usable.start.value, trim.startFrame);
    const to = Math.min(usable.start.value + usable.duration.value, trim.endFrame);
    return to - from > 0 ? { ...shot, usable: range(from, to - from, usable.start.rate) } : shot;
  });
  return { input: { ...input, shots, options: { ...input.options, bans: [...bans].sort((a, b) => a - b) } }, originalShots };
}

/** The result of planning with the pool: the solution, the input it was solved from, the verdict and notices. */
export interface PooledSolution {
  readonly solution: ReturnType<typeof solveMontage>;
  readonly planned: PooledPlanInput;
  readonly verdict: PoolVerdict | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Solves with the pool's verdict applied. If no plan exists without the excluded shots (AM_ERR_NO_EXACT_FILL,
 * AM_ERR_TOO_FEW_SHOTS), solves from every shot and says so.
 */
export function solveWithPool(planned: PooledPlanInput, movies: readonly MovieAnalysis[], shotScores: readonly number[], options: PoolOptions): PooledSolution {
  const verdict = judgeAnalysis(movies, shotScores, options);
  const diagnostics = movies.flatMap((m) => (m.pool?.notice ? [{ code: 'AM_ERR_MODEL_MISSING' as const, message: m.pool.notice, where: { file: m.media.path } }] : []));
  if (!verdict || (verdict.excluded.length === 0 && verdict.trimmed.length === 0)) return { solution: solveMontage(planned.input), planned, verdict, diagnostics };
  const cleaned = applyVerdict(planned, verdict);
  const everyShot = (message: string, code: Diagnostic['code'], solution = solveMontage(planned.input)): PooledSolution => ({
    solution,
    planned,
    verdict: { excluded: [], trimmed: [], reenabled: [...verdict.reenabled, ...verdict.excluded] },
    diagnostics: [...diagnostics, { code, message }],
  });
  let solution: ReturnType<typeof solveMontage>;
  try {
    solution = solveMontage(cleaned.input);
  } catch (error) {
    if (!(error instanceof MontageError) || (error.code !== 'AM_ERR_NO_EXACT_FILL' && error.code !== 'AM_ERR_TOO_FEW_SHOTS')) throw error;
    return everyShot(`Without the ${verdict.excluded.length} shot(s) the pool leaves out no plan fills the music, so every shot was used: ${error.message}`, error.code);
  }
  // Cleaning never costs a relaxation: when the full pool needs fewer, it is used (with a notice naming the cost).
  if (solution.relaxations.length > 0) {
    const full = solveMontage(planned.input);
    const key = (list: ReturnType<typeof solveMontage>['relaxations']) => JSON.stringify(list.map((r) => [r.relax, r.to]));
    // Any relaxing the full pool does not need (another kind, or more of it: more scenes, less music) is a cost.
    if (key(full.relaxations) !== key(solution.relaxations) && full.relaxations.length <= solution.relaxations.length) {
      const extra = solution.relaxations.filter((r) => !full.relaxations.some((f) => f.relax === r.relax)).map((r) => r.message);
      return everyShot(`Leaving out the ${verdict.excluded.length} shot(s) the pool flags would have needed more relaxing (${extra.join('; ')}), so every shot was used; --keep-… options are not needed.`, 'AM_ERR_NO_EXACT_FILL', full);
    }
  }
  return { solution, planned: cleaned, verdict, diagnostics };
}

const REASON_LABEL: Record<ShotExclusion['reason'], string> = { text: 'title card / text', black: 'black', white: 'white', frozen: 'frozen', duplicate: 'near-duplicate' };

/** The report's section on the pool: counts by reason, then one line per excluded or trimmed shot. */
export function formatPoolReport(verdict: PoolVerdict | undefined, movies: readonly MovieAnalysis[]): string {
  if (!verdict) return '';
  const lines: string[] = ['', 'Shot pool'];
  const timings = movies.map((m) => m.pool?.timings).filter((t) => !!t);
  const counts = new Map<string, number>();
  for (const e of verdict.excluded) counts.set(REASON_LABEL[e.reason], (counts.get(REASON_LABEL[e.reason]) ?? 0) + 1);
  lines.push(`  excluded: ${verdict.excluded.length}${counts.size ? ` (${[...counts].map(([k, v]) => `${v} ${k}`).join(', ')})` : ''}; trimmed: ${verdict.trimmed.length}; re-enabled by you: ${verdict.reenabled.length}`);
  for (const e of verdict.excluded) lines.push(`  - shot ${e.shot}: ${REASON_LABEL[e.reason]}: ${e.detail}${e.duplicateOf !== undefined ? ` (kept: shot ${e.duplicateOf})` : ''}`);
  for (const t of verdict.trimmed) lines.push(`  ~ shot ${t.shot}: frames ${t.startFrame}–${t.endFrame} kept: ${t.detail}`);
  for (const e of verdict.reenabled) lines.push(`  + shot ${e.shot}: kept although ${REASON_LABEL[e.reason]} (${e.detail})`);
  if (timings.length) lines.push(`  sampling: ${timings.map((t) => `${t.decodeMs} ms (text detection ${t.detectMs} ms, thumbnails ${t.thumbnailMs} ms)`).join('; ')}`);
  lines.push('  (--keep-text-shots, --keep-duplicates, --keep-blank-shots put them back)');
  return `${lines.join('\n')}\n`;
}
