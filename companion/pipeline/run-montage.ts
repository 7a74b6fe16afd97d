/**
 * The montage job, shared by the CLI and the companion server:
 *   analyseInputs: probe → movie analysis (cached) + music analysis → emotion scores
 *   composeMontage: plan (knapsack) → timeline → exporters (through the extension host) → preview → plan.json, report
 * Outputs are written all-or-nothing (OutputFolder). Re-solving with new pins/bans reuses the analysis.
 */
import { basename, extname, resolve } from 'node:path';
import { MontageError } from '../core/errors';
import { definedOnly } from '../core/objects';
import { throwIfCancelled, type CancellationToken, type Progress, type ProgressReport } from '../core/lifecycle';
import { DEFAULT_PLAN_OPTIONS, unitsOfBars, type EmotionVector, type GranularityOption, type MontagePlan, type PlanInput, type PlanOptions, type Scene, type Shot, type ShotRef } from '../core/montage';
import type { MovieAnalysis, MusicAnalysis } from '../core/pipeline';
import { ratesEqual, toFps, type Rate } from '../core/rational';
import { SEQUENCE_TIMECODES, supportsDropFrame, timecodeToFrames, type SequenceTimecode } from '../core/timecode';
import type { MediaReference, Timeline } from '../core/timeline';
import { analyseMovie } from '../analysis/movie/analyse-movie';
import { analyseMusic } from '../analysis/music/analyse-music';
import { scoreEmotions, type EmotionScores, type EncoderSelection } from '../analysis/emotion/index';
import type { ExtensionHost } from '../host/index';
import { planToTimeline, solveMontage, unitPlanInput, type CutUnits, type GranularityChoice, type MusicPlanInput, type PlanMedia, type RelaxationNotice } from '../planner/index';
import { renderPreview } from '../media/render';
import { assertSparesInputs, OutputFolder } from './output-folder';
import { movieImportNotices, withEditingMovies, withEditingMusic, type EditingCodec } from './nle-media';
import { probeMedia } from '../media/probe';
import { formatReport } from './report';
import { resolveEncoders } from './encoders';
import { planJson } from './plan-json';
import { analysisMovies, formatPoolReport, solveWithPool } from './shot-pool-plan';
import { buildStoryboard, cachedMusicWaveform, runSettings } from './storyboard-model';
import { renderReportHtml } from './report-html';
import type { PoolOptions, PoolVerdict } from '../core/shot-pool';
import { validateTrackerOptions } from '../analysis/music/tracker-options';
import { fixedMoodEncoder, MOOD_CHOICES, type MoodChoice } from '../analysis/emotion/fixed-mood';
import { analyseFiles, combineEmotions, dedupeSources, resolveShotRefs, resolveSources, sourceShots, type FileAnalysis, type ResolvedSource, type SourceRequest } from './sources';
import type { Diagnostic } from '../core/errors';
import { steerAnalysis, validateSteering, type SteeringOptions } from './steer-emotions';

export type { FileAnalysis, ResolvedSource, SourceRequest } from './sources';

export interface SecondsRange {
  readonly startSeconds: number;
  readonly endSeconds: number;
}

/** The editor's music overrides accept these ranges (the CLI, the protocol and the panel check the same). */
export { MAX_BEATS_PER_BAR, MAX_TEMPO_BPM, MIN_BEATS_PER_BAR, MIN_TEMPO_BPM } from '../analysis/music/tracker-options';

export interface MontageOptions extends Partial<Omit<PlanOptions, 'pins' | 'bans'>>, PoolOptions, SteeringOptions {
  /** Shots that must be used: plan indices, or a shot named by its source's id and its index in that source. */
  readonly pins?: readonly (number | ShotRef)[];
  /** Shots that must not be used (as `pins`). */
  readonly bans?: readonly (number | ShotRef)[];
  /** Default `auto` (the planner weighs bar, two bars, half bar and beat); `relax` defaults to `auto` here too. */
  readonly granularity?: GranularityOption;
  readonly beatsPerBar?: number;
  readonly downbeatShift?: number;
  /** The editor's tempo in BPM (30–300), overriding the tracker's. */
  readonly bpm?: number;
  /** A downbeat goes on the beat nearest this time (music-file seconds); the bar phase follows. */
  readonly firstDownbeatSeconds?: number;
  /** A fixed music mood instead of the encoders' reading ('auto', the default, reads it). */
  readonly mood?: MoodChoice;
}

export interface MontageRequest {
  /** The movie; with `sources`, only the name of the first (the sources are what is read). */
  readonly moviePath: string;
  readonly movieRange?: SecondsRange;
  /** The media ranges to draw from, instead of moviePath/movieRange (docs/sources.md). */
  readonly sources?: readonly SourceRequest[];
  /** The timeline's frame rate (the panel's sequence); default the first usable source's. */
  readonly rate?: Rate;
  readonly musicPath: string;
  readonly musicRange?: SecondsRange;
  readonly options?: MontageOptions;
  /** Exporter ids; default: every exporter the host offers. */
  readonly formats?: readonly string[];
  /** Emotion encoder ids by kind (default: the built-in set); a user's encoder replaces a default here. */
  readonly encoders?: EncoderSelection;
  /** Options per exporter id, e.g. { "fcp7-xml": { flavor: "resolve" } }; checked by the host against the manifest. */
  readonly exportOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /**
   * The sequence timecode's counting (default `ndf`): `df` (drop-frame) only where the timeline's rate has it
   * (29.97 and 59.94); at any other rate the request is refused (AM_ERR_INVALID_ARGUMENT, field `timecode`).
   */
  readonly timecode?: SequenceTimecode;
}

/** Refuses drop-frame timecode at a rate without it (anything but 29.97 and 59.94). */
export function assertTimecodeRate(timecode: SequenceTimecode | undefined, rate: Rate): void {
  if (timecode === 'df' && !supportsDropFrame(rate)) {
    const fps = toFps(rate);
    throw new MontageError('AM_ERR_INVALID_ARGUMENT', `Drop-frame timecode exists only at 29.97 and 59.94 fps; this timeline runs at ${Number.isInteger(fps) ? fps : fps.toFixed(3)} fps (${rate.num}/${rate.den}). Use non-drop timecode, or a timeline rate of 30000/1001 or 60000/1001.`, { where: { field: 'timecode' } });
  }
}

export interface MontageAnalysis {
  /** The first source's file. */
  readonly movie: MovieAnalysis;
  readonly music: MusicAnalysis;
  /** Every file's shots back to back, in `files` order (the combined numbering `originalShots` uses). */
  readonly emotions: EmotionScores;
  /** Each distinct file once (absent: `movie` alone, with `emotions`). */
  readonly files?: readonly FileAnalysis[];
  /** The usable media ranges in story order (absent: the request's movie and movie range). */
  readonly sources?: readonly ResolvedSource[];
  /** Sources skipped or merged (unreadable, audio-only, empty range, duplicate), for the report. */
  readonly sourceNotices?: readonly Diagnostic[];
}

export interface MontageContext {
  readonly host: ExtensionHost;
  readonly cacheDir?: string;
}

export interface ComposeContext extends MontageContext {
  readonly outDir: string;
  /** Overwrite existing outputs. */
  readonly force?: boolean;
  /** Render montage.mp4 (default true). */
  readonly preview?: boolean;
  /**
   * Where WAV copies of music the editing apps cannot import are kept, one per source file (the companion: a
   * folder outside the job folders, so every version refers to one file). Default: the output folder.
   */
  readonly editingMediaDir?: string;
  /** Write an editing copy (ProRes or DNxHR) of each movie a target cannot import; without it, a notice each. */
  readonly transcode?: EditingCodec;
}

export interface MontageOutcome {
  readonly plan: MontagePlan;
  /** The analysis the plan was solved from: the given one with the steering (moodTarget, emotionArc) applied. */
  readonly analysis: MontageAnalysis;
  /** The unit the plan cuts on, and why. */
  readonly granularity: GranularityChoice;
  /** What the planner loosened to find the plan (empty when nothing). */
  readonly relaxations: readonly RelaxationNotice[];
  /** The plan's units and the music bars each spans. */
  readonly units: CutUnits;
  /** What the plan was solved from (its shot numbering maps back to the analysis through originalShots). */
  readonly planned: PlannedInput;
  readonly timeline: Timeline;
  /** Names of the files written into outDir. */
  readonly files: readonly string[];
  readonly report: string;
  /** The clean shot pool's verdict: shots excluded or trimmed, with reasons (absent without pool readings). */
  readonly pool?: PoolVerdict;
}

/** Output files the job always writes (timeline files are added by the exporters). */
export const FIXED_OUTPUTS = ['plan.json', 'report.txt', 'report.html', 'storyboard.json'] as const;
export const PREVIEW_NAME = 'montage.mp4';

/**
 * Analyses both inputs and scores every shot against the music. Progress stages: music, then the movie's
 * decode, shots, features, scenes, then emotion. Bad options and unknown formats fail before any analysis.
 */
export async function analyseInputs(request: MontageRequest, context: MontageContext, progress: Progress<ProgressReport>, token: CancellationToken): Promise<MontageAnalysis> {
  validateRequest(request);
  selectExporters(context.host, request.formats, request.exportOptions);
  // Music first: it takes about a second, so a bad music file (or, right after it, a bad movie: each analysis
  // probes its file before decoding) is reported before the long movie decode.
  const music = await analyseMusic(
    request.musicPath,
    {
      ...(request.musicRange ? { rangeSeconds: { start: request.musicRange.startSeconds, end: request.musicRange.endSeconds } } : {}),
      ...(request.options?.beatsPerBar ? { beatsPerBar: request.options.beatsPerBar } : {}),
      ...(request.options?.downbeatShift ? { downbeatShift: request.options.downbeatShift } : {}),
      ...(request.options?.bpm !== undefined ? { bpm: request.options.bpm } : {}),
      ...(request.options?.firstDownbeatSeconds !== undefined ? { firstDownbeatSeconds: request.options.firstDownbeatSeconds } : {}),
      ...(context.cacheDir ? { cacheDir: context.cacheDir } : {}),
    },
    progress,
    token,
  );
  throwIfCancelled(token);
  const encoders = await resolveEncoders(context.host, request.encoders);
  const mood = request.options?.mood;
  const selected = mood && mood !== 'auto' ? { ...encoders, music: [fixedMoodEncoder(mood)] } : encoders;
  const { sources: requested, notices: duplicates } = dedupeSources(requestedSources(request));
  const paths = [...new Set(requested.map((s) => s.path))];
  // Each distinct file is decoded (or read from the cache) once, however many ranges use it.
  const { files, notices: skipped } = await analyseFiles(
    paths,
    async (path, fileProgress) => {
      const movie = await analyseMovie(path, { shotPool: true, ...(context.cacheDir ? { cacheDir: context.cacheDir } : {}) }, fileProgress, token);
      throwIfCancelled(token);
      fileProgress.report({ stage: 'emotion', fraction: 0 });
      const emotions = await scoreEmotions(movie, music, selected, token, { cacheDir: context.cacheDir });
      fileProgress.report({ stage: 'emotion', fraction: 1 });
      return { movie, emotions };
    },
    progress,
    token,
  );
  const usablePaths = paths.filter((path) => files.has(path));
  const { sources, notices: empty } = resolveSources(requested, usablePaths, files);
  const fileList = usablePaths.map((path) => files.get(path)!);
  return { movie: fileList[sources[0]!.file]!.movie, music, emotions: combineEmotions(fileList), files: fileList, sources, sourceNotices: [...duplicates, ...skipped, ...empty] };
}

/** The request's media ranges: its `sources`, or its movie and movie range as one. */
export function requestedSources(request: MontageRequest): readonly SourceRequest[] {
  return request.sources?.length ? request.sources : [{ path: request.moviePath, ...(request.movieRange ? { range: request.movieRange } : {}) }];
}

/** The analysis' files and sources (an analysis made before sources existed: its movie, the request's range). */
export function analysisSources(analysis: MontageAnalysis, request: MontageRequest): { files: readonly FileAnalysis[]; sources: readonly ResolvedSource[] } {
  if (analysis.files && analysis.sources) return { files: analysis.files, sources: analysis.sources };
  const files = [{ movie: analysis.movie, emotions: analysis.emotions }];
  const path = analysis.movie.media.path;
  return { files, sources: resolveSources([{ path, id: 'source-1', ...(request.movieRange ? { range: request.movieRange } : {}) }], [path], new Map([[path, files[0]!]])).sources };
}

/** Plans, exports and renders into `context.outDir`. Progress stages: plan, export, render. */
export async function composeMontage(given: MontageAnalysis, request: MontageRequest, context: ComposeContext, progress: Progress<ProgressReport>, token: CancellationToken): Promise<MontageOutcome> {
  const preview = context.preview ?? true;
  // Steering replaces the music emotion from the cached shot emotions: no decoding, so a resolve stays fast.
  const analysis = steerAnalysis(given, request.options ?? {});
  const exporters = selectExporters(context.host, request.formats, request.exportOptions);
  const folder = await OutputFolder.open(context.outDir, { force: context.force ?? false, expectedNames: outputNames(preview), inputs: inputPaths(request) });
  try {
    progress.report({ stage: 'plan', fraction: 0 });
    const movies = analysisMovies(analysis);
    const { solution, planned, verdict, diagnostics: poolNotices } = solveWithPool(buildMusicPlanInput(analysis, request), movies, analysis.emotions.shotScores, request.options ?? {});
    // Media an NLE cannot import: the music always as its WAV copy; movies as an editing copy with --transcode,
    // otherwise a notice each (nle-media.ts).
    const fileMovies = (analysis.files ?? [{ movie: analysis.movie }]).map((file) => file.movie.media);
    const editing = await withEditingMovies(
      await withEditingMusic(mediaReferences(analysis, solution.plan), analysis.music.media, folder, context.editingMediaDir, token),
      fileMovies,
      exporters,
      folder,
      { ...(context.editingMediaDir ? { sharedDir: context.editingMediaDir } : {}), ...(context.transcode ? { transcode: context.transcode } : {}) },
      token,
    );
    const plan = { ...solution.plan, diagnostics: [...solution.plan.diagnostics, ...poolNotices, ...editing.diagnostics] };
    const units: CutUnits = { units: [...plan.bars], barOfUnit: solution.barOfUnit.map((bars) => [...bars]) };
    // Markers are named by the unit cut on ("Beat 12"), section by section.
    assertTimecodeRate(request.timecode, plan.movie.rate);
    const timeline = planToTimeline(plan, editing.media, { units: unitsOfBars(plan.bars, solution.granularity.sections), dropFrame: request.timecode === 'df' });
    progress.report({ stage: 'plan', fraction: 1 });

    for (const [i, id] of exporters.entries()) {
      progress.report({ stage: 'export', fraction: i / exporters.length, message: id });
      const values = request.exportOptions?.[id];
      for (const file of await context.host.export(id, timeline, values ? { values } : {}, token)) await folder.write(file.name, file.contents);
    }
    progress.report({ stage: 'export', fraction: 1 });

    const json = { ...planJson({ ...solution, plan }, analysis, planned, unitMusicEmotions(analysis, units)), ...(verdict ? { pool: verdict } : {}) };
    await folder.write('plan.json', `${JSON.stringify(json, null, 2)}\n`);
    const report = formatReport({ ...solution, plan }, analysis, planned.originalShots) + formatPoolReport(verdict, movies);
    await folder.write('report.txt', report);
    const waveform = await cachedMusicWaveform(request.musicPath, plan.music.startSeconds, plan.music.endSeconds, context.cacheDir, token);
    const storyboard = buildStoryboard({ planJson: json, input: planned.input, originalShots: planned.originalShots, barOfUnit: solution.barOfUnit, movies, verdict, waveform, settings: runSettings(request, json), title: `Montage of ${basename(request.moviePath)} to ${basename(request.musicPath)}`, notices: [...analysis.emotions.diagnostics, ...movies.flatMap((m) => m.diagnostics ?? [])] });
    await folder.write('storyboard.json', JSON.stringify(storyboard));
    await folder.write('report.html', renderReportHtml(storyboard));
    if (preview) {
      const video = analysis.movie.media.video;
      if (!video) throw new MontageError('AM_ERR_NO_VIDEO_STREAM', `The movie ${request.moviePath} has no video stream.`, { where: { file: request.moviePath } });
      const sources = plan.sources;
      await renderPreview(
        {
          moviePath: sources?.[0]?.path ?? request.moviePath,
          movieRate: plan.movie.rate,
          movieHeight: video.height,
          segments: plan.placements.map((p) => {
            const source = p.source !== undefined ? sources?.[p.source] : undefined;
            return {
              startFrame: p.sourceRange.start.value,
              frameCount: p.sourceRange.duration.value,
              ...(source ? { path: source.path, rate: source.rate, recordFrames: p.recordRange.duration.value } : {}),
            };
          }),
          // The sequence's frame (the exported timelines'): windows of other sizes are fitted into it.
          frame: { width: timeline.width, height: timeline.height, ...(timeline.pixelAspectRatio ? { pixelAspectRatio: timeline.pixelAspectRatio } : {}) },
          musicPath: request.musicPath,
          musicStartSeconds: plan.music.startSeconds,
          outPath: folder.stagedPath(PREVIEW_NAME),
        },
        progress,
        token,
      );
    }
    throwIfCancelled(token);
    const files = await folder.commit();
    return { plan, analysis, granularity: solution.granularity, relaxations: solution.relaxations, units, planned, timeline, files, report, ...(verdict ? { pool: verdict } : {}) };
  } catch (error) {
    await folder.abort();
    throw error;
  }
}

/** analyseInputs then composeMontage; an output that would replace an input fails before the analysis. */
export async function runMontage(request: MontageRequest, context: ComposeContext, progress: Progress<ProgressReport>, token: CancellationToken): Promise<MontageOutcome> {
  await assertSparesInputs(context.outDir, outputNames(context.preview ?? true), inputPaths(request));
  // Drop-frame at the first movie's rate is checked before the analysis, from a probe (a second or less).
  if (request.timecode === 'df' && !request.rate) {
    validateRequest(request);
    const first = await probeMedia(requestedSources(request)[0]!.path, token, 'movie').catch(() => undefined);
    if (first?.video) assertTimecodeRate('df', first.video.rate);
  }
  if (!context.transcode) await warnUnimportableMovies(request, context, progress, token);
  const analysis = await analyseInputs(request, context, progress, token);
  return composeMontage(analysis, request, context, progress, token);
}

/** Containers whose files ffprobe never reads as Ogg or Matroska, the only ones an editor refuses (nle-media.ts). */
const ISO_CONTAINERS = new Set(['.mp4', '.m4v', '.mov', '.mxf', '.avi', '.mts', '.m2ts', '.ts', '.mpg', '.mpeg', '.dv', '.wmv', '.flv', '.y4m', '.3gp']);

/**
 * Says before the analysis, not only in report.txt, which movies the target editors cannot import (the fix:
 * --transcode). Files that do not probe are left to the analysis, which reports them its own way. Only files
 * whose extension may hide Ogg or Matroska are probed: with hundreds of sources, one ffprobe each cost seconds
 * (200 files: 20 s on a busy machine); a mislabelled one is still reported in report.txt and plan.json.
 */
async function warnUnimportableMovies(request: MontageRequest, context: ComposeContext, progress: Progress<ProgressReport>, token: CancellationToken): Promise<void> {
  const formats = selectExporters(context.host, request.formats, request.exportOptions);
  const paths = [...new Set([request.moviePath, ...(request.sources ?? []).map((source) => source.path)])].filter((path) => !ISO_CONTAINERS.has(extname(path).toLowerCase()));
  const probed = await Promise.all(paths.map((path) => probeMedia(path, token, 'movie').catch(() => undefined)));
  for (const notice of movieImportNotices(probed.filter((media) => media !== undefined), formats)) progress.report({ stage: 'probe', fraction: 0, message: `note: ${notice.message}` });
}

/** The outputs every job writes (the exporters' files are known only once they ran: OutputFolder checks those at commit). */
function outputNames(preview: boolean): string[] {
  return [...FIXED_OUTPUTS, ...(preview ? [PREVIEW_NAME] : [])];
}

/** The files a job reads, which no output may replace. */
function inputPaths(request: MontageRequest): string[] {
  return [...new Set([request.moviePath, ...(request.sources ?? []).map((s) => s.path), request.musicPath])];
}

function validateRequest(request: MontageRequest): void {
  const sourceRanges = (request.sources ?? []).map((s, i) => [`sources[${i}].range`, s.range] as const);
  for (const [field, r] of [['movieRange', request.movieRange], ['musicRange', request.musicRange], ...sourceRanges] as const) {
    if (!r) continue;
    if (!Number.isFinite(r.startSeconds) || !Number.isFinite(r.endSeconds) || r.startSeconds < 0 || r.endSeconds <= r.startSeconds) {
      throw new MontageError('AM_ERR_INVALID_ARGUMENT', `${field} must be START:END in seconds with 0 ≤ START < END.`, { where: { field } });
    }
  }
  const scenes = request.options?.maxScenes;
  if (scenes !== undefined && (!Number.isInteger(scenes) || scenes < 1)) {
    throw new MontageError('AM_ERR_INVALID_ARGUMENT', `scenes must be a whole number ≥ 1 (got ${scenes}).`, { where: { field: 'scenes' } });
  }
  const { mood, moodTarget, emotionArc, ...music } = request.options ?? {};
  validateTrackerOptions(music);
  validateSteering({ ...(moodTarget !== undefined ? { moodTarget } : {}), ...(emotionArc !== undefined ? { emotionArc } : {}) });
  const bad = (field: string, message: string) => new MontageError('AM_ERR_INVALID_ARGUMENT', message, { where: { field } });
  if (mood !== undefined && !MOOD_CHOICES.includes(mood)) throw bad('mood', `mood must be one of ${MOOD_CHOICES.join(', ')} (got ${String(mood)}).`);
  if (request.timecode !== undefined && !SEQUENCE_TIMECODES.includes(request.timecode)) throw bad('timecode', `timecode must be ${SEQUENCE_TIMECODES.join(' or ')} (got ${String(request.timecode)}).`);
  if (request.rate) assertTimecodeRate(request.timecode, request.rate);
}

function selectExporters(host: ExtensionHost, formats: readonly string[] | undefined, exportOptions: MontageRequest['exportOptions']): string[] {
  const available = host.listExporters().map((e) => e.id);
  const strays = Object.keys(exportOptions ?? {}).filter((id) => !available.includes(id));
  if (strays.length) {
    throw new MontageError('AM_ERR_EXTENSION_NOT_FOUND', `Options were given for unknown exporter "${strays.join('", "')}"; available: ${available.join(', ')}.`, { where: { field: 'export-option' } });
  }
  if (!formats || formats.length === 0) return available;
  const unknown = formats.filter((f) => !available.includes(f));
  if (unknown.length) {
    throw new MontageError('AM_ERR_EXTENSION_NOT_FOUND', `No exporter "${unknown.join('", "')}"; available: ${available.join(', ')}.`, { where: { field: 'format' } });
  }
  return [...formats];
}

/** The music's emotion per cut unit: the mean of the bar vectors each unit spans (undefined where none is known). */
export function unitMusicEmotions(analysis: MontageAnalysis, { barOfUnit }: CutUnits): (EmotionVector | undefined)[] {
  return barOfUnit.map((barIndices) => meanVector(barIndices.map((bar) => analysis.emotions.music.bars[bar]).filter((v): v is EmotionVector => !!v)));
}

/** The element-wise mean of emotion vectors (probabilities, valence, arousal, confidence); the first one's encoder id. */
export function meanVector(vectors: readonly EmotionVector[]): EmotionVector | undefined {
  const first = vectors[0];
  if (!first || vectors.length === 1) return first;
  const mean = (pick: (v: EmotionVector) => number) => vectors.reduce((sum, v) => sum + pick(v), 0) / vectors.length;
  return { encoderId: first.encoderId, values: first.values.map((_, k) => mean((v) => v.values[k] ?? 0)), valence: mean((v) => v.valence), arousal: mean((v) => v.arousal), confidence: mean((v) => v.confidence) };
}

/** The planner's input, and for each of its shots the index of the analysis shot it came from. */
export interface PlannedInput<Input = PlanInput> {
  readonly input: Input;
  /**
   * `originalShots[i]` is the analysis index of plan shot i in the combined numbering (files' shots back to back,
   * as `analysis.emotions`); they differ when a movie range was chosen or there are several sources.
   */
  readonly originalShots: readonly number[];
}

/**
 * The planner's input at the music's bars, with its beats: shots inside the movie range, scenes renumbered,
 * per-bar scores; the planner cuts the units (granularity) and relaxes (default `auto` for both).
 */
export function buildMusicPlanInput(analysis: MontageAnalysis, request: MontageRequest): PlannedInput<MusicPlanInput> {
  const { music, emotions } = analysis;
  const { files, sources } = analysisSources(analysis, request);
  const first = sources[0]!;
  const video = files[first.file]!.movie.media.video;
  if (!video) throw new MontageError('AM_ERR_NO_VIDEO_STREAM', `The movie ${first.path} has no video stream.`, { where: { file: first.path } });
  const rate = request.rate ?? video.rate;
  const { granularity = 'auto', pins, bans, ...planOptions } = definedOnly(request.options ?? {});
  if (music.bars.length === 0) {
    throw new MontageError('AM_ERR_MUSIC_TOO_SHORT', `The music ${request.musicPath} holds no whole bar${request.musicRange ? ' in the chosen range' : ''}.`, { where: { file: request.musicPath } });
  }
  // A lone movie at the timeline's rate keeps the plan it always had (no source list); anything else names sources.
  const tagSources = !!request.sources?.length || sources.length > 1 || !ratesEqual(rate, video.rate);
  const kept = sourceShots(sources, files, tagSources, rate);
  const shots: Shot[] = kept.map((k) => k.shot);
  const scenes: Scene[] = [];
  for (const shot of shots) {
    const previous = scenes[scenes.length - 1];
    if (!previous || previous.index !== shot.sceneIndex) scenes.push({ index: shot.sceneIndex, firstShot: shot.index, shotCount: 1 });
    else scenes[scenes.length - 1] = { ...previous, shotCount: previous.shotCount + 1 };
  }
  const planSources = sources.map(({ file: _file, ...source }) => source);
  const options: PlanOptions = {
    ...DEFAULT_PLAN_OPTIONS,
    relax: 'auto',
    ...planOptions,
    ...(pins ? { pins: resolveShotRefs(pins, 'pins', planSources, kept)! } : {}),
    ...(bans ? { bans: resolveShotRefs(bans, 'bans', planSources, kept)! } : {}),
  };

  const barCount = emotions.barScores.bars;
  const values = new Float32Array(shots.length * barCount);
  kept.forEach(({ original }, i) => values.set(emotions.barScores.values.subarray(original * barCount, (original + 1) * barCount), i * barCount));
  const lastBar = music.bars[music.bars.length - 1]!;
  const input: MusicPlanInput = {
    movie: { path: tagSources ? first.path : request.moviePath, rate, frameCount: tagSources ? first.frameCount : video.frameCount },
    ...(tagSources ? { sources: planSources } : {}),
    music: { path: request.musicPath, startSeconds: music.bars[0]!.startSeconds, endSeconds: lastBar.startSeconds + lastBar.durationSeconds },
    shots,
    scenes,
    bars: music.bars,
    beatTimes: music.beats.map((b) => b.timeSeconds),
    shotScores: kept.map(({ original }) => emotions.shotScores[original] ?? 0),
    barScores: { shots: shots.length, bars: barCount, values },
    options,
    granularity,
  };
  return { input, originalShots: kept.map(({ original }) => original) };
}

/** The planner's input on one fixed unit (`auto` reads as bar), for callers that solve it themselves (benches, summaries). */
export function buildPlanInput(analysis: MontageAnalysis, request: MontageRequest): PlannedInput {
  const { input, originalShots } = buildMusicPlanInput(analysis, request);
  const granularity = input.granularity === undefined || input.granularity === 'auto' ? 'bar' : input.granularity;
  return { input: unitPlanInput(input, granularity), originalShots };
}

/**
 * MediaReferences for the movie, the music and (for a plan with sources) each source, as exporters see them: one
 * reference per distinct file, shared by its ranges. The music counts on the plan's rate.
 */
export function mediaReferences(analysis: MontageAnalysis, plan?: Pick<MontagePlan, 'movie' | 'sources'>): PlanMedia {
  const { movie, music } = analysis;
  const rate = plan?.movie.rate ?? movie.media.video!.rate;
  const byPath = new Map<string, MediaReference>();
  const reference = (media: MovieAnalysis['media'], id: string): MediaReference => {
    const video = media.video!;
    const startTimecodeFrames = video.startTimecode ? (timecodeToFrames(video.startTimecode, video.rate) ?? 0) : 0;
    return {
      id,
      name: basename(media.path),
      path: resolve(media.path),
      hasVideo: true,
      hasAudio: !!media.audio,
      rate: video.rate,
      durationFrames: video.frameCount,
      startTimecodeFrames,
      dropFrame: !!video.startTimecode?.includes(';'),
      width: video.width,
      height: video.height,
      ...(video.pixelAspectRatio ? { pixelAspectRatio: video.pixelAspectRatio } : {}),
      ...(video.fieldOrder ? { fieldOrder: video.fieldOrder } : {}),
      ...(media.audio ? { audioChannels: media.audio.channels, sampleRate: media.audio.sampleRate } : {}),
    };
  };
  const movieReference = reference(movie.media, 'media-movie');
  byPath.set(resolve(movie.media.path), movieReference);
  const files = analysis.files ?? [{ movie, emotions: analysis.emotions }];
  const sources = plan?.sources?.map((source) => {
    const path = resolve(source.path);
    let found = byPath.get(path);
    if (!found) {
      const file = files.find((f) => resolve(f.movie.media.path) === path);
      if (!file) throw new MontageError('AM_ERR_INTERNAL', `The plan's source ${source.path} is not among the analysed files.`, { where: { file: source.path } });
      found = reference(file.movie.media, `media-movie-${byPath.size + 1}`);
      byPath.set(path, found);
    }
    return found;
  });
  return {
    movie: movieReference,
    music: {
      id: 'media-music',
      name: basename(music.media.path),
      path: resolve(music.media.path),
      hasVideo: false,
      hasAudio: true,
      rate,
      durationFrames: Math.floor(music.media.durationSeconds * toFps(rate)),
      startTimecodeFrames: 0,
      dropFrame: false,
      audioChannels: music.media.audio?.channels ?? 2,
      sampleRate: music.media.audio?.sampleRate ?? 48000,
      durationSamples: Math.round(music.media.durationSeconds * (music.media.audio?.sampleRate ?? 48000)),
    },
    ...(sources ? { sources } : {}),
  };
}
