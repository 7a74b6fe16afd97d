/**
 * Many sources: a montage drawn from a list of media ranges (a file, the editor's in/out in it, its place on the
 * editor's sequence) instead of one movie. The rules (docs/sources.md):
 * - Each distinct file is analysed once (one decode, cached by content fingerprint), however many ranges use it.
 * - Shots are the file's shots clipped to each range; scenes are the file's scenes cut at range ends, so a scene
 *   never straddles two files or two ranges. Story order is the ranges' sequence order (file order without one).
 * - One bad file among several is a notice and the rest are used; none usable is AM_ERR_NO_USABLE_SOURCE naming
 *   every file. The same file with the same range twice is used once (a notice); audio-only files are skipped.
 * - The timeline's rate is the request's (the panel sends its sequence's), else the first usable source's.
 */
import { resolve } from 'node:path';
import { throwIfCancelled, type CancellationToken, type Progress, type ProgressReport } from '../core/lifecycle';
import { CancellationError, MontageError, type Diagnostic } from '../core/errors';
import type { MontageSource, Shot, ShotRef } from '../core/montage';
import type { MovieAnalysis } from '../core/pipeline';
import { range, toFps, type Rate } from '../core/rational';
import type { EmotionScores } from '../analysis/emotion/index';
import { gridSpan } from '../planner/prepare-plan';
import { DecodeLane, withDecodeLane } from '../analysis/decode-lane';

/** A range of a media file in seconds, [startSeconds, endSeconds). */
export interface SourceSecondsRange {
  readonly startSeconds: number;
  readonly endSeconds: number;
}

/** One media range as a request gives it: a file, optionally its in/out, and where it sat on the editor's sequence. */
export interface SourceRequest {
  readonly path: string;
  readonly range?: SourceSecondsRange;
  /** Seconds from the sequence start (orders the story; the order given when absent on any source). */
  readonly timelineSeconds?: number;
  /** An id that pins and bans may name ({@link ShotRef}); default `source-N`, N its 1-based position in the request. */
  readonly id?: string;
}

/** A file's analysis and its shots' emotion scores. */
export interface FileAnalysis {
  readonly movie: MovieAnalysis;
  readonly emotions: EmotionScores;
}

/** A source after resolution: the plan's {@link MontageSource} plus the file it reads and that file's first shot in the combined numbering. */
export interface ResolvedSource extends MontageSource {
  /** Index into the analysis' `files`. */
  readonly file: number;
}

/** Codes that make one file unusable without failing the others (the file's own problem). */
const FILE_PROBLEMS = new Set(['AM_ERR_FILE_NOT_FOUND', 'AM_ERR_MEDIA_UNREADABLE', 'AM_ERR_NO_VIDEO_STREAM', 'AM_ERR_FFMPEG_FAILED', 'AM_ERR_MEDIA_NOT_A_FILE', 'AM_ERR_PROCESS_TIMEOUT']);

/** The request's sources in order, with ids, paths made absolute and exact duplicates merged (each a notice). */
export function dedupeSources(sources: readonly SourceRequest[]): { sources: SourceRequest[]; notices: Diagnostic[] } {
  const seen = new Map<string, string>();
  const notices: Diagnostic[] = [];
  const kept: SourceRequest[] = [];
  sources.forEach((source, i) => {
    const path = resolve(source.path);
    const id = source.id ?? `source-${i + 1}`;
    const key = `${path}\0${source.range ? `${source.range.startSeconds}:${source.range.endSeconds}` : 'all'}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      notices.push({ code: 'AM_ERR_SOURCE_DUPLICATE', message: `${path}${source.range ? ` ${source.range.startSeconds}–${source.range.endSeconds} s` : ''} is given twice (${earlier} and ${id}); it is used once.`, where: { file: path } });
      return;
    }
    if (kept.some((k) => k.id === id)) throw new MontageError('AM_ERR_INVALID_ARGUMENT', `Two sources have the id "${id}".`, { where: { field: `sources[${i}].id` } });
    seen.set(key, id);
    kept.push({ ...source, path, id });
  });
  return { sources: kept, notices };
}

/** Files read from the cache at once by {@link analyseFiles}: enough to hide each read's waits on the disk. */
export const FILES_AT_ONCE = 8;

/**
 * Analyses each distinct file once (`analyse` is called once per path, in first-use order). Files are analysed up
 * to `filesAtOnce` at a time, so warm cache entries are read side by side; what decodes runs one file at a time
 * all the same, as `analyse` runs it through {@link inDecodeLane} (analysis/decode-lane.ts). With a single file its
 * error is thrown as it is; with several, a file that fails with its own problem becomes a notice, and when none
 * is left the error is AM_ERR_NO_USABLE_SOURCE naming every file. Cancellation always propagates. Results and
 * notices keep the paths' order, whatever order the files finish in.
 */
export async function analyseFiles<T extends FileAnalysis>(
  paths: readonly string[],
  analyse: (path: string, progress: Progress<ProgressReport>) => Promise<T>,
  progress: Progress<ProgressReport>,
  token: CancellationToken,
  filesAtOnce = FILES_AT_ONCE,
): Promise<{ files: Map<string, T>; notices: Diagnostic[] }> {
  const outcomes: ({ analysed: T } | { error: unknown } | undefined)[] = paths.map(() => undefined);
  const scoped = fileProgress(paths.length, progress);
  const lane = new DecodeLane();
  let next = 0;
  let stop = false;
  const worker = async () => {
    while (!stop && next < paths.length) {
      const i = next++;
      const path = paths[i]!;
      try {
        throwIfCancelled(token);
        const analysed = await withDecodeLane(lane, () => analyse(path, scoped.of(i)));
        if (!analysed.movie.media.video) throw new MontageError('AM_ERR_NO_VIDEO_STREAM', `${path} has no video stream.`, { where: { file: path } });
        outcomes[i] = { analysed };
      } catch (error) {
        outcomes[i] = { error };
        // Anything but a file's own problem ends the analysis: no new file is started, and none still waiting decodes.
        if (error instanceof CancellationError || token.isCancellationRequested || paths.length === 1 || !(error instanceof MontageError) || !FILE_PROBLEMS.has(error.code)) {
          stop = true;
          lane.close(error);
        }
      } finally {
        scoped.done(i);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(filesAtOnce, paths.length)) }, worker));
  throwIfCancelled(token);
  const files = new Map<string, T>();
  const notices: Diagnostic[] = [];
  const failures: { path: string; code: string; message: string }[] = [];
  for (const [i, path] of paths.entries()) {
    const outcome = outcomes[i];
    if (!outcome) continue; // not started: an earlier file's error ends the analysis below
    if ('analysed' in outcome) {
      files.set(path, outcome.analysed);
      continue;
    }
    const error = outcome.error;
    if (error instanceof CancellationError || paths.length === 1 || !(error instanceof MontageError) || !FILE_PROBLEMS.has(error.code)) throw error;
    const audioOnly = error.code === 'AM_ERR_NO_VIDEO_STREAM';
    failures.push({ path, code: error.code, message: error.message });
    notices.push({ code: error.code, message: audioOnly ? `${path} has no video (audio only); it is skipped.` : `${path} is skipped: ${error.message}`, where: { file: path } });
  }
  if (files.size === 0) throw noUsableSource(failures);
  return { files, notices };
}

/**
 * Progress of several files analysed side by side, one stage at a time as the files report it: a stage's
 * fraction is the mean over the files of each one's highest fraction in it, a finished file counting 1 (so it
 * never decreases, protocol invariant 4, and reaches 1 when every file is through), and the message says which
 * file of how many. A single file's progress passes through as it is.
 */
function fileProgress(count: number, progress: Progress<ProgressReport>): { of(i: number): Progress<ProgressReport>; done(i: number): void } {
  if (count === 1) return { of: () => progress, done: () => {} };
  // Per stage: each unfinished file's highest fraction, and their sum.
  const stages = new Map<string, { fractions: Float64Array; sum: number }>();
  const finished = new Uint8Array(count);
  let finishedCount = 0;
  return {
    of: (i) => ({
      report: (r) => {
        let stage = stages.get(r.stage);
        if (!stage) stages.set(r.stage, (stage = { fractions: new Float64Array(count), sum: 0 }));
        const fraction = Math.min(1, Math.max(0, r.fraction));
        if (!finished[i] && fraction > stage.fractions[i]!) {
          stage.sum += fraction - stage.fractions[i]!;
          stage.fractions[i] = fraction;
        }
        progress.report({ ...r, fraction: Math.min(1, (finishedCount + stage.sum) / count), message: `${i + 1}/${count} ${r.message ?? ''}`.trim() });
      },
    }),
    done: (i) => {
      if (finished[i]) return;
      finished[i] = 1;
      finishedCount++;
      for (const stage of stages.values()) {
        stage.sum -= stage.fractions[i]!;
        stage.fractions[i] = 0;
      }
    },
  };
}

function noUsableSource(failures: readonly { path: string; code: string; message: string }[]): MontageError {
  return new MontageError('AM_ERR_NO_USABLE_SOURCE', `None of the ${failures.length} sources can be used: ${failures.map((f) => `${f.path} (${f.code})`).join('; ')}.`, {
    where: { file: failures[0]?.path ?? '' },
    details: { files: failures.map((f) => ({ path: f.path, code: f.code, message: f.message })) },
    diagnostics: failures.map((f) => ({ code: f.code as Diagnostic['code'], message: f.message, where: { file: f.path } })),
  });
}

/**
 * The usable sources, in story order, with their ranges in the file's frames (in rounded up, out rounded down, so
 * no frame outside the editor's selects is offered). A range outside its file is a notice; none left is the typed error.
 */
export function resolveSources(requested: readonly SourceRequest[], filePaths: readonly string[], files: ReadonlyMap<string, FileAnalysis>): { sources: ResolvedSource[]; notices: Diagnostic[] } {
  const notices: Diagnostic[] = [];
  const sources: ResolvedSource[] = [];
  const failures: { path: string; code: string; message: string }[] = [];
  for (const request of requested) {
    const analysis = files.get(request.path);
    if (!analysis) continue; // already a notice from analyseFiles
    const video = analysis.movie.media.video!;
    const fps = toFps(video.rate);
    const inFrame = request.range ? Math.max(0, Math.ceil(request.range.startSeconds * fps - 1e-6)) : 0;
    const outFrame = request.range ? Math.min(video.frameCount, Math.floor(request.range.endSeconds * fps + 1e-6)) : video.frameCount;
    if (outFrame <= inFrame) {
      const message = `${request.path} ${request.range!.startSeconds}–${request.range!.endSeconds} s holds no frame (the file has ${video.frameCount} frames at ${fps.toFixed(3)} fps); it is skipped.`;
      notices.push({ code: 'AM_ERR_INVALID_ARGUMENT', message, where: { file: request.path, field: 'range' } });
      failures.push({ path: request.path, code: 'AM_ERR_INVALID_ARGUMENT', message });
      continue;
    }
    sources.push({
      id: request.id!,
      path: request.path,
      rate: video.rate,
      frameCount: video.frameCount,
      inFrame,
      outFrame,
      ...(request.timelineSeconds !== undefined ? { timelineSeconds: request.timelineSeconds } : {}),
      width: video.width,
      height: video.height,
      file: filePaths.indexOf(request.path),
    });
  }
  if (sources.length === 0) throw noUsableSource(failures);
  // Story order: the sequence's when every source has a place on it (stable for equal places), else as given.
  if (sources.every((s) => s.timelineSeconds !== undefined)) sources.sort((a, b) => a.timelineSeconds! - b.timelineSeconds!);
  return { sources, notices };
}

/** A plan shot and where it came from: the combined analysis shot (files' shots back to back) and its source. */
export interface SourceShot {
  readonly shot: Shot;
  /** The shot's index in the combined numbering: files' shots back to back, in `files` order. */
  readonly original: number;
  readonly source: number;
}

/**
 * Each source's shots, clipped to its range, numbered 0.. across sources in story order, with scenes renumbered
 * so that a scene ends where a source ends. `tagSources` writes each shot's source index (off for a lone movie,
 * so its plan stays as it was). With `timelineRate`, a shot of a source at another rate that holds no whole timeline
 * frame (docs/sources.md, conform rule 1) is left out: no window can be cut from it.
 */
export function sourceShots(sources: readonly ResolvedSource[], files: readonly FileAnalysis[], tagSources: boolean, timelineRate?: Rate): SourceShot[] {
  const offsets = shotOffsets(files);
  const kept: SourceShot[] = [];
  let scene = -1;
  let previous: { source: number; scene: number } | undefined;
  sources.forEach((source, k) => {
    const movie = files[source.file]!.movie;
    const rate: Rate = source.rate;
    for (const [index, shot] of movie.shots.entries()) {
      const from = Math.max(shot.range.start.value, source.inFrame);
      const to = Math.min(shot.range.start.value + shot.range.duration.value, source.outFrame);
      if (to - from <= 0) continue;
      // Only the frames free of a transition that lie inside the range may play; a shot with none there is left out.
      const usable = shot.usable ? clip(shot.usable.start.value, shot.usable.start.value + shot.usable.duration.value, from, to) : undefined;
      if (shot.usable && !usable) continue;
      if (timelineRate && gridSpan(usable ? range(usable.from, usable.to - usable.from, rate) : range(from, to - from, rate), timelineRate).duration <= 0) continue;
      if (!previous || previous.source !== k || previous.scene !== shot.sceneIndex) scene++;
      previous = { source: k, scene: shot.sceneIndex };
      const { usable: _dropped, source: _source, ...rest } = shot;
      kept.push({
        original: offsets[source.file]! + index,
        source: k,
        shot: {
          ...rest,
          index: kept.length,
          range: range(from, to - from, rate),
          ...(usable ? { usable: range(usable.from, usable.to - usable.from, rate) } : {}),
          sceneIndex: scene,
          ...(tagSources ? { source: k } : {}),
        },
      });
    }
  });
  return kept;
}

function clip(start: number, end: number, from: number, to: number): { from: number; to: number } | undefined {
  const a = Math.max(start, from);
  const b = Math.min(end, to);
  return b > a ? { from: a, to: b } : undefined;
}

/** The first combined shot index of each file (files' shots back to back). */
export function shotOffsets(files: readonly FileAnalysis[]): number[] {
  const offsets: number[] = [];
  let total = 0;
  for (const file of files) {
    offsets.push(total);
    total += file.movie.shots.length;
  }
  return offsets;
}

/**
 * The files' emotion scores as one: shots back to back in `files` order (the combined numbering), the music's
 * from the first (every file was scored against the same music).
 */
export function combineEmotions(files: readonly FileAnalysis[]): EmotionScores {
  const first = files[0]!.emotions;
  if (files.length === 1) return first;
  const bars = first.barScores.bars;
  const total = files.reduce((sum, f) => sum + f.emotions.shots.length, 0);
  const values = new Float32Array(total * bars);
  let at = 0;
  for (const f of files) {
    values.set(f.emotions.barScores.values, at * bars);
    at += f.emotions.shots.length;
  }
  const encoderIds = [...new Set(files.flatMap((f) => Object.keys(f.emotions.byEncoder.shot)))];
  const seen = new Set<string>();
  const diagnostics = files.flatMap((f) => f.emotions.diagnostics).filter((d) => {
    const key = `${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    shots: files.flatMap((f) => f.emotions.shots),
    music: first.music,
    shotScores: files.flatMap((f) => f.emotions.shotScores),
    barScores: { shots: total, bars, values },
    byEncoder: {
      // An encoder missing for one file (it failed there) leaves that file's shots without its reading.
      shot: Object.fromEntries(encoderIds.map((id) => [id, files.flatMap((f) => f.emotions.byEncoder.shot[id] ?? f.emotions.shots.map(() => undefined!))])),
      music: first.byEncoder.music,
    },
    diagnostics,
  };
}

/**
 * Pins and bans as plan shot indices: a number is a plan index already; a {@link ShotRef} names the source's id and
 * the shot's index among that source's shots. An unknown source or index is AM_ERR_PLAN_CONSTRAINTS naming it.
 */
export function resolveShotRefs(refs: readonly (number | ShotRef)[] | undefined, field: 'pins' | 'bans', sources: readonly MontageSource[], shots: readonly SourceShot[]): number[] | undefined {
  if (!refs) return undefined;
  return refs.map((ref, x) => {
    if (typeof ref === 'number') return ref;
    const k = sources.findIndex((s) => s.id === ref.source);
    const ofSource = shots.filter((s) => s.source === k);
    const shot = ofSource[ref.shot];
    if (k < 0 || !shot || !Number.isInteger(ref.shot)) {
      throw new MontageError(
        'AM_ERR_PLAN_CONSTRAINTS',
        k < 0 ? `${field}[${x}] names the source "${ref.source}", which is not among ${sources.map((s) => s.id).join(', ')}.` : `${field}[${x}] names shot ${ref.shot} of ${ref.source}, which has ${ofSource.length} shots (0..${ofSource.length - 1}).`,
        { where: { field: `options.${field}[${x}]` } },
      );
    }
    return shot.shot.index;
  });
}
