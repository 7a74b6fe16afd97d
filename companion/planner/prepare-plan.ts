/**
 * Checks a PlanInput and derives the flat arrays the knapsack kernels read: bar boundaries on the movie
 * frame grid, each shot's discrete length t_i, the weighted score p_i, soft-mode weights, pins and locks.
 * Every problem in the input is collected and thrown at once as one MontageError with diagnostics.
 */
import { MontageError, type Diagnostic, type ErrorCode } from '../core/errors';
import type { Bar, LockedPlacement, PlanInput, PlanOptions, PlanRelaxation, TrimAlign } from '../core/montage';
import { ratesEqual, rescale, secondsToValue, type Rate, type TimeRange } from '../core/rational';

/** PlanOptions with every optional field filled in. */
export interface ResolvedOptions extends PlanOptions {
  readonly locked: readonly LockedPlacement[];
  readonly relax: PlanRelaxation;
  readonly trimAlign: TrimAlign;
  readonly softScale: number;
}

export const DEFAULT_SOFT_SCALE = 12;

/** The solver's view of one input: plain typed arrays, indexed by shot position. */
export interface PreparedPlan {
  readonly input: PlanInput;
  readonly options: ResolvedOptions;
  /** Whether arc matching is really on (the option is on and barScores were given). */
  readonly arc: boolean;
  readonly rate: Rate;
  readonly shotCount: number;
  /** L: the bars to fill. */
  readonly barCount: number;
  /** Bar boundaries in sequence frames from the first bar: boundaries[k] = round((start_k − start_0) × fps); boundaries[L] = the end. */
  readonly boundaries: Int32Array;
  /** The boundaries in music seconds. */
  readonly boundarySeconds: Float64Array;
  /** First movie frame and length in movie frames of each shot. */
  readonly shotStart: Float64Array;
  readonly shotFrames: Float64Array;
  /** t_i = floor(frames / unit), capped at L; 0 when the shot is shorter than one bar. */
  readonly lengths: Int32Array;
  /** 1 when the shot may be placed (t_i ≥ 1 or locked, and not banned). */
  readonly usable: Uint8Array;
  /** 1 when the shot must be placed (pinned or locked). */
  readonly required: Uint8Array;
  /** For a locked shot, its first bar and bar count; −1 otherwise. */
  readonly lockFirstBar: Int32Array;
  readonly lockBarCount: Int32Array;
  readonly lockSourceStart: Float64Array;
  /** p_i = S_i + the mean S of its scene. */
  readonly weightedScores: Float64Array;
  /** The mean S of shot i's scene. */
  readonly sceneMeans: Float64Array;
  readonly sceneFirst: Int32Array;
  readonly sceneSize: Int32Array;
  /** Soft mode: integer weight of each shot, max(1, floor(scale / |scene|)), and the budget maxScenes × scale. */
  readonly softWeights: Int32Array;
  readonly softBudget: number;
}

const MAX_BARS = 30000;

/** Validates the input and builds the {@link PreparedPlan}; throws AM_ERR_INVALID_ARGUMENT or AM_ERR_PLAN_CONSTRAINTS. */
export function preparePlan(input: PlanInput): PreparedPlan {
  const problems: Diagnostic[] = [];
  const bad = (field: string, message: string, code: ErrorCode = 'AM_ERR_INVALID_ARGUMENT') => problems.push({ code, message, where: { field } });
  const options = resolveOptions(input.options, bad);
  const rate = input.movie?.rate;
  if (!rate || !Number.isInteger(rate.num) || !Number.isInteger(rate.den) || rate.num <= 0 || rate.den <= 0) {
    throw new MontageError('AM_ERR_INVALID_ARGUMENT', 'The movie rate must be a positive integer fraction.', { where: { field: 'movie.rate' } });
  }
  const shots = input.shots ?? [];
  const n = shots.length;
  if (n === 0) throw new MontageError('AM_ERR_TOO_FEW_SHOTS', 'The movie has no shots to choose from.', { where: { field: 'shots' } });
  const bars = input.bars ?? [];
  const barCount = bars.length;
  if (barCount === 0) throw new MontageError('AM_ERR_MUSIC_TOO_SHORT', 'There are no bars to fill.', { where: { field: 'bars', file: input.music?.path } });
  if (barCount > MAX_BARS) bad('bars', `${barCount} bars is more than the planner handles (${MAX_BARS}).`);

  const { boundaries, boundarySeconds } = barBoundaries(bars, rate, bad);
  const unitFrames = (boundaries[barCount] ?? 0) / barCount;

  // Shots, in story order, at the movie rate.
  const shotStart = new Float64Array(n);
  const shotFrames = new Float64Array(n);
  shots.forEach((shot, i) => {
    if (shot.index !== i) bad(`shots[${i}].index`, `shot ${i} has index ${shot.index}; shots must be numbered 0..n−1 in story order.`);
    // Only the frames free of a dissolve or fade are placed (they blend two shots).
    const { start, duration } = gridSpan(shot.usable ?? shot.range, rate);
    if (!Number.isFinite(start) || !Number.isFinite(duration) || start < 0 || duration <= 0) bad(`shots[${i}].range`, `shot ${i} has an empty or negative range.`);
    shotStart[i] = start;
    shotFrames[i] = Math.max(0, duration);
    // Frames are counted per source: only shots of the same source must not overlap.
    const previous = i > 0 && shots[i - 1]!.source === shot.source ? shotStart[i - 1]! + shotFrames[i - 1]! : -Infinity;
    if (start < previous) bad(`shots[${i}].range`, `shot ${i} starts before shot ${i - 1} ends; shots must be in story order without overlap.`);
  });

  // Scenes: contiguous shot ranges covering every shot, in order.
  const scenes = input.scenes ?? [];
  const sceneOf = new Int32Array(n).fill(-1);
  const sceneFirst = new Int32Array(scenes.length);
  const sceneSize = new Int32Array(scenes.length);
  let expectedFirst = 0;
  scenes.forEach((scene, s) => {
    if (scene.firstShot !== expectedFirst || !Number.isInteger(scene.shotCount) || scene.shotCount < 1) {
      bad(`scenes[${s}]`, `scene ${s} covers shots ${scene.firstShot}..${scene.firstShot + scene.shotCount - 1}; scenes must be contiguous, non-empty and start at shot ${expectedFirst}.`);
    }
    sceneFirst[s] = scene.firstShot;
    sceneSize[s] = scene.shotCount;
    for (let i = scene.firstShot; i < scene.firstShot + scene.shotCount && i < n; i++) {
      if (i >= 0) sceneOf[i] = s;
      if (i >= 0 && shots[i]!.sceneIndex !== scene.index) bad(`shots[${i}].sceneIndex`, `shot ${i} says scene ${shots[i]!.sceneIndex} but lies in scene ${scene.index}.`);
    }
    expectedFirst = scene.firstShot + scene.shotCount;
  });
  if (expectedFirst !== n) bad('scenes', `the scenes cover ${expectedFirst} shots but there are ${n}.`);

  const scores = input.shotScores ?? [];
  if (scores.length !== n) bad('shotScores', `shotScores has ${scores.length} values for ${n} shots.`);
  scores.forEach((value, i) => {
    if (!Number.isFinite(value)) bad(`shotScores[${i}]`, `shot ${i} has a score that is not a finite number.`);
  });
  let arc = options.arc && input.barScores !== undefined;
  if (arc) {
    const table = input.barScores!;
    if (table.shots !== n || table.bars !== barCount || table.values.length !== n * barCount) {
      bad('barScores', `barScores is ${table.shots} × ${table.bars} (${table.values.length} values) but the plan has ${n} shots × ${barCount} bars.`);
      arc = false;
    } else {
      for (let x = 0; x < table.values.length; x++) {
        if (!Number.isFinite(table.values[x]!)) {
          bad(`barScores.values[${x}]`, `barScores for shot ${Math.floor(x / barCount)}, bar ${x % barCount} is not a finite number.`);
          break;
        }
      }
    }
  }
  if (problems.length) throw invalid(problems);

  const sceneCount = scenes.length;
  const sceneMeanOfScene = new Float64Array(sceneCount);
  for (let s = 0; s < sceneCount; s++) {
    let sum = 0;
    for (let i = sceneFirst[s]!; i < sceneFirst[s]! + sceneSize[s]!; i++) sum += scores[i]!;
    sceneMeanOfScene[s] = sum / sceneSize[s]!;
  }
  const sceneMeans = new Float64Array(n);
  const weightedScores = new Float64Array(n);
  const lengths = new Int32Array(n);
  const softWeights = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = sceneOf[i]!;
    sceneMeans[i] = sceneMeanOfScene[s]!;
    weightedScores[i] = scores[i]! + sceneMeanOfScene[s]!;
    // The epsilon absorbs float noise when a shot is exactly a whole number of units long.
    lengths[i] = Math.min(barCount, Math.floor(shotFrames[i]! / unitFrames + 1e-9));
    softWeights[i] = Math.max(1, Math.floor(options.softScale / sceneSize[s]!));
  }

  // Pins, bans, locks.
  const usable = new Uint8Array(n);
  const required = new Uint8Array(n);
  const banned = new Uint8Array(n);
  const lockFirstBar = new Int32Array(n).fill(-1);
  const lockBarCount = new Int32Array(n).fill(-1);
  const lockSourceStart = new Float64Array(n).fill(NaN);
  const constraint = (field: string, message: string) => bad(field, message, 'AM_ERR_PLAN_CONSTRAINTS');
  const shotIndexOk = (value: unknown, field: string): value is number => {
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < n) return true;
    constraint(field, `${field} = ${String(value)} is not a shot index (0..${n - 1}).`);
    return false;
  };
  options.bans.forEach((i, x) => {
    if (shotIndexOk(i, `options.bans[${x}]`)) banned[i] = 1;
  });
  const locks = [...options.locked].map((lock, x) => ({ lock, x })).sort((p, q) => p.lock.firstBar - q.lock.firstBar);
  let previousLock: LockedPlacement | undefined;
  for (const { lock, x } of locks) {
    const field = `options.locked[${x}]`;
    if (!shotIndexOk(lock.shotIndex, `${field}.shotIndex`)) continue;
    const i = lock.shotIndex;
    const { firstBar, barCount: count } = lock;
    if (!Number.isInteger(firstBar) || !Number.isInteger(count) || firstBar < 0 || count < 1 || firstBar + count > barCount) {
      constraint(field, `locked shot ${i} covers bars ${firstBar}..${firstBar + count - 1}, outside the ${barCount} bars to fill.`);
      continue;
    }
    if (banned[i]) constraint(field, `shot ${i} is both locked and banned.`);
    if (lockFirstBar[i]! >= 0) constraint(field, `shot ${i} is locked twice.`);
    if (previousLock) {
      if (previousLock.firstBar + previousLock.barCount > firstBar) constraint(field, `locked shots ${previousLock.shotIndex} and ${i} overlap at bar ${firstBar}.`);
      else if (previousLock.shotIndex >= i) constraint(field, `locked shot ${i} plays after locked shot ${previousLock.shotIndex} but comes before it in the story.`);
    }
    const frames = boundaries[firstBar + count]! - boundaries[firstBar]!;
    if (frames > shotFrames[i]!) constraint(field, `locked shot ${i} lasts ${shotFrames[i]} frames but bars ${firstBar}..${firstBar + count - 1} now need ${frames}.`);
    if (lock.sourceStart !== undefined) {
      // A locked window's start is in the source's frames; the planner counts on the timeline grid.
      const ownRate = shots[i]!.range.start.rate;
      const gridStart = Number.isInteger(lock.sourceStart) && !ratesEqual(ownRate, rate) ? rescale({ value: lock.sourceStart, rate: ownRate }, rate, 'ceil').value : lock.sourceStart;
      if (!Number.isInteger(gridStart) || gridStart < shotStart[i]! || gridStart + frames > shotStart[i]! + shotFrames[i]!) {
        constraint(`${field}.sourceStart`, `locked shot ${i}'s window from frame ${lock.sourceStart} (${frames} frames) leaves the shot (frames ${shotStart[i]}..${shotStart[i]! + shotFrames[i]! - 1}).`);
      } else lockSourceStart[i] = gridStart;
    }
    lockFirstBar[i] = firstBar;
    lockBarCount[i] = count;
    required[i] = 1;
    previousLock = lock;
  }
  options.pins.forEach((i, x) => {
    if (!shotIndexOk(i, `options.pins[${x}]`)) return;
    if (banned[i]) constraint(`options.pins[${x}]`, `shot ${i} is both pinned and banned.`);
    else if (lengths[i] === 0 && lockFirstBar[i]! < 0) constraint(`options.pins[${x}]`, `pinned shot ${i} lasts ${shotFrames[i]} frames, shorter than one bar (${unitFrames.toFixed(1)} frames).`);
    required[i] = 1;
  });
  // A locked shot before (after) another locked shot in story order must also sit at earlier (later) bars; checked above for neighbours in bar order.
  for (let i = 0; i < n; i++) usable[i] = !banned[i] && (lengths[i]! > 0 || lockFirstBar[i]! >= 0) ? 1 : 0;

  // Constraints on the required shots as a whole.
  let requiredBars = 0;
  const requiredScenes = new Set<number>();
  let requiredWeight = 0;
  for (let i = 0; i < n; i++) {
    if (!required[i] || !usable[i]) continue;
    requiredBars += lockFirstBar[i]! >= 0 ? lockBarCount[i]! : options.trim ? 1 : lengths[i]!;
    requiredScenes.add(sceneOf[i]!);
    requiredWeight += softWeights[i]!;
    const minimumBars = options.trim ? 1 : lengths[i]!;
    if (lockFirstBar[i]! < 0 && !fitsSomewhere(boundaries, shotFrames[i]!, minimumBars)) {
      constraint('options.pins', `pinned shot ${i} (${shotFrames[i]} frames) is too short for any ${minimumBars} consecutive bar${minimumBars > 1 ? 's' : ''} of this music.`);
    }
  }
  if (requiredBars > barCount) constraint('options.pins', `the pinned and locked shots need at least ${requiredBars} bars but there are only ${barCount}.`);
  const softBudget = options.maxScenes * options.softScale;
  if (options.mode === 'hard' && requiredScenes.size > options.maxScenes) {
    constraint('options.pins', `the pinned and locked shots lie in ${requiredScenes.size} scenes but at most ${options.maxScenes} are allowed.`);
  }
  if (options.mode === 'soft' && requiredWeight > softBudget) {
    constraint('options.pins', `the pinned and locked shots weigh ${requiredWeight} of a scene budget of ${softBudget} (${options.maxScenes} × ${options.softScale}).`);
  }
  if (problems.length) throw invalid(problems);

  return {
    input,
    options,
    arc,
    rate,
    shotCount: n,
    barCount,
    boundaries,
    boundarySeconds,
    shotStart,
    shotFrames,
    lengths,
    usable,
    required,
    lockFirstBar,
    lockBarCount,
    lockSourceStart,
    weightedScores,
    sceneMeans,
    sceneFirst,
    sceneSize,
    softWeights,
    softBudget,
  };
}

/** A copy of a prepared plan with other options (trim, maxScenes), re-deriving only what depends on them. */
export function withOptions(plan: PreparedPlan, changes: Partial<Pick<ResolvedOptions, 'trim' | 'maxScenes'>>): PreparedPlan {
  const options = { ...plan.options, ...changes };
  return { ...plan, options, softBudget: options.maxScenes * options.softScale };
}

/**
 * Bar boundaries on the frame grid of `rate`, counted from the first bar's start so no rounding accumulates:
 * boundary k = round((start_k − start_0) × fps) for k < L, and boundary L = round((end of bar L−1 − start_0) × fps).
 */
function barBoundaries(bars: readonly Bar[], rate: Rate, bad: (field: string, message: string) => void): { boundaries: Int32Array; boundarySeconds: Float64Array } {
  const count = bars.length;
  const boundarySeconds = new Float64Array(count + 1);
  const boundaries = new Int32Array(count + 1);
  const first = bars[0]?.startSeconds ?? 0;
  for (let k = 0; k < count; k++) {
    const bar = bars[k]!;
    if (!Number.isFinite(bar.startSeconds) || !Number.isFinite(bar.durationSeconds) || bar.durationSeconds <= 0) {
      bad(`bars[${k}]`, `bar ${k} has a non-finite start or a duration that is not positive.`);
    }
    boundarySeconds[k] = bar.startSeconds;
  }
  const last = bars[count - 1];
  boundarySeconds[count] = last ? last.startSeconds + last.durationSeconds : first;
  for (let k = 0; k <= count; k++) {
    boundaries[k] = secondsToValue(boundarySeconds[k]! - first, rate);
    if (k > 0) {
      const previousEnd = bars[k - 1]!.startSeconds + bars[k - 1]!.durationSeconds;
      if (k < count && previousEnd > boundarySeconds[k]! + 1e-6) bad(`bars[${k}]`, `bar ${k} starts at ${boundarySeconds[k]!.toFixed(3)} s, before bar ${k - 1} ends (${previousEnd.toFixed(3)} s).`);
      if (boundaries[k]! <= boundaries[k - 1]!) bad(`bars[${k - 1}]`, `bar ${k - 1} is shorter than one frame on the movie's frame grid.`);
    }
  }
  return { boundaries, boundarySeconds };
}

/** Whether some run of `count` consecutive bars lasts at most `frames`. */
function fitsSomewhere(boundaries: Int32Array, frames: number, count: number): boolean {
  for (let a = 0; a + count < boundaries.length; a++) if (boundaries[a + count]! - boundaries[a]! <= frames) return true;
  return false;
}

function resolveOptions(options: PlanOptions | undefined, bad: (field: string, message: string) => void): ResolvedOptions {
  const o = (options ?? {}) as Partial<PlanOptions>;
  const maxScenes = o.maxScenes ?? 5;
  if (!Number.isInteger(maxScenes) || maxScenes < 1) bad('options.maxScenes', `maxScenes must be a whole number ≥ 1 (got ${String(maxScenes)}).`);
  const mode = o.mode ?? 'hard';
  if (mode !== 'hard' && mode !== 'soft') bad('options.mode', `mode must be "hard" or "soft" (got ${String(mode)}).`);
  const relax = o.relax ?? 'none';
  const kinds = ['granularity', 'trim', 'scenes', 'music'];
  const relaxOk = Array.isArray(relax) ? relax.every((k) => kinds.includes(k)) : ['none', 'auto', ...kinds].includes(relax as string);
  if (!relaxOk) bad('options.relax', `relax must be none, auto, granularity, trim, scenes, music or a list of the last four (got ${JSON.stringify(relax)}).`);
  const trimAlign = o.trimAlign ?? 'best';
  if (!['start', 'centre', 'best'].includes(trimAlign)) bad('options.trimAlign', `trimAlign must be start, centre or best (got ${String(trimAlign)}).`);
  const softScale = o.softScale ?? DEFAULT_SOFT_SCALE;
  if (!Number.isInteger(softScale) || softScale < 1 || softScale > 1000) bad('options.softScale', `softScale must be a whole number from 1 to 1000 (got ${String(softScale)}).`);
  if (mode === 'soft' && Number.isInteger(maxScenes) && maxScenes * softScale > 20000) bad('options.maxScenes', `the soft scene budget maxScenes × softScale = ${maxScenes * softScale} is too large (at most 20000).`);
  return {
    maxScenes: Math.max(1, Math.floor(Number(maxScenes) || 1)),
    mode: mode === 'soft' ? 'soft' : 'hard',
    trim: o.trim ?? true,
    arc: o.arc ?? true,
    pins: o.pins ?? [],
    bans: o.bans ?? [],
    locked: o.locked ?? [],
    relax,
    trimAlign,
    softScale: Number.isInteger(softScale) && softScale >= 1 ? softScale : DEFAULT_SOFT_SCALE,
  };
}

function invalid(problems: Diagnostic[]): MontageError {
  const code: ErrorCode = problems.some((p) => p.code === 'AM_ERR_INVALID_ARGUMENT') ? 'AM_ERR_INVALID_ARGUMENT' : 'AM_ERR_PLAN_CONSTRAINTS';
  const first = problems.find((p) => p.code === code)!;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return new MontageError(code, `${first.message}${more}`, { where: first.where ?? {}, diagnostics: problems });
}

/**
 * A shot's span on the timeline grid. At the timeline's rate it is the span itself; a source at another rate is
 * seen as the whole timeline frames inside it (start rounded up, end rounded down), so no window the planner
 * cuts from it can reach a frame outside it (docs/sources.md).
 */
export function gridSpan(span: TimeRange, rate: Rate): { start: number; duration: number } {
  if (ratesEqual(span.start.rate, rate)) return { start: span.start.value, duration: rescale(span.duration, rate).value };
  const start = rescale(span.start, rate, 'ceil').value;
  const end = rescale({ value: span.start.value + span.duration.value, rate: span.start.rate }, rate, 'floor').value;
  return { start, duration: end - start };
}

/**
 * The source frames a window [start, start + frames) of the timeline grid plays (docs/sources.md): from the source
 * frame showing at the cut (rounded down) for round(frames × source rate / timeline rate) frames, never past `end`
 * (the span's end in source frames). Frames are kept: the clip plays at its own speed and rate.
 */
export function conformWindow(start: number, frames: number, rate: Rate, sourceRate: Rate, end: number): TimeRange {
  const from = rescale({ value: start, rate }, sourceRate, 'floor').value;
  const count = Math.max(1, Math.min(rescale({ value: frames, rate }, sourceRate).value, end - from));
  return { start: { value: from, rate: sourceRate }, duration: { value: count, rate: sourceRate } };
}
