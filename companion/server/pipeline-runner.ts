/**
 * The real RunJob: the montage pipeline (companion/pipeline/run-montage.ts) behind the server's seam, and
 * the mapping from its domain results to protocol v1 summaries. This is the only server file that knows the
 * pipeline; switching the server to another implementation is one option of startServer.
 *
 * Shot indices on the wire are the planner's: the shots that fall inside the movie range, numbered from 0
 * (buildPlanInput's `originalShots` maps them back). They are stable for a job and its re-solves, because
 * the movie range is fixed per job, so pins and bans sent in a resolve mean the shots the client was shown.
 */
import { dirname, extname } from 'node:path';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { EmotionVector, MontagePlan } from '../core/montage';
import { EMOTION_LABELS } from '../core/montage';
import { toFps, toSeconds } from '../core/rational';
import type { CancellationToken, Progress, ProgressReport } from '../core/lifecycle';
import { createExtensionHost, type ExtensionHost } from '../host/index';
import { cudaAvailable } from '../analysis/onnx/session-pool';
import { dominantLabel, emotionSettings } from '../analysis/emotion/index';
import { analyseInputs, buildPlanInput, composeMontage, unitMusicEmotions, PREVIEW_NAME, type MontageAnalysis, type MontageOutcome, type MontageRequest, type PlannedInput } from '../pipeline/run-montage';
import type { CutUnits } from '../planner/index';
import type { AnalysisSummary, BarSummary, ChosenShot, CutGranularity, EmotionSummary, PlanSummary, ShotSummary } from '../protocol/messages';
import type { GpuStatus, JobRequest, JobRunContext, JobRunOutput, OutputFile, RunJob } from './run-job';
import { definedOnly } from '../core/objects';

export interface PipelineRunner {
  readonly runJob: RunJob;
  /** Exporter ids the extension host offers. */
  formats(): string[];
  gpu(): GpuStatus;
  dispose(): Promise<void>;
}

export interface PipelineRunnerOptions {
  /** User extensions (default: $XDG_CONFIG_HOME/auto-montage/extensions, as the CLI). */
  readonly userExtensionsDir?: string;
  /** An extension host to use instead of creating one (tests). */
  readonly host?: ExtensionHost;
}

export async function createPipelineRunner(options: PipelineRunnerOptions = {}): Promise<PipelineRunner> {
  const host =
    options.host ??
    (await createExtensionHost({
      userExtensionsDir: options.userExtensionsDir ?? join(process.env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'auto-montage', 'extensions'),
    }));
  const exporterByExtension = () => new Map(host.listExporters().map((exporter) => [normaliseExtension(exporter.fileExtension), exporter.id]));

  const runJob: RunJob = async (request: JobRequest, context: JobRunContext, progress: Progress<ProgressReport>, token: CancellationToken): Promise<JobRunOutput> => {
    const montageRequest = toMontageRequest(request);
    const analysis =
      request.kind === 'resolve' && context.analysisData !== undefined
        ? (context.analysisData as MontageAnalysis)
        : await analyseInputs(montageRequest, { host, cacheDir: context.cacheDir }, progress, token);
    if (request.kind === 'analyse') return { analysis: summariseAnalysis(analysis, montageRequest), analysisData: analysis };

    // WAV copies of music Premiere cannot import live beside the cache, out of the job folders: every version and
    // re-solve refers to one file, which job retention never deletes under a Premiere project.
    const editingMediaDir = join(dirname(context.cacheDir), 'media');
    const outcome = await composeMontage(analysis, montageRequest, { host, cacheDir: context.cacheDir, outDir: context.outDir, force: true, preview: request.preview, editingMediaDir }, progress, token);
    // The plan's own input numbers the summary's shots and maps the chosen ones back to the analysis.
    const summary = summariseAnalysis(outcome.analysis, montageRequest, outcome.planned);
    const byExtension = exporterByExtension();
    const files: OutputFile[] = outcome.files.map((name) => ({ name, format: formatOf(name, byExtension) }));
    return {
      analysis: summary,
      ...(request.kind === 'resolve' ? {} : { analysisData: analysis }),
      montage: {
        plan: summarisePlan(outcome.plan, outcome.granularity.unit, outcome.analysis, outcome),
        chosen: chosenShots(outcome.plan, outcome.analysis, outcome.planned.originalShots),
        musicEmotion: unitEmotions(outcome.analysis, outcome.units),
        files,
        preview: files.some((file) => file.name === PREVIEW_NAME) ? PREVIEW_NAME : null,
        report: outcome.report,
      },
    };
  };

  return {
    runJob,
    formats: () => host.listExporters().map((exporter) => exporter.id),
    gpu: () => {
      const device = emotionSettings().device;
      const available = cudaAvailable();
      const inUse = available && (device === 'cuda' || device === 'auto');
      return { inUse, provider: inUse ? 'cuda' : 'cpu', ...(available ? { device: 'cuda' } : {}) };
    },
    dispose: async () => {
      if (!options.host) await host.disposeAsync();
    },
  };
}

/** The pipeline's request from the protocol's. */
export function toMontageRequest(request: JobRequest): MontageRequest {
  const { options } = request;
  return {
    moviePath: request.movie.path,
    ...(request.movie.range ? { movieRange: request.movie.range } : {}),
    ...(request.sources ? { sources: request.sources.map((source) => ({ path: source.path, ...definedOnly({ range: source.range, timelineSeconds: source.timelineSeconds, id: source.id }) })) } : {}),
    ...(request.rate ? { rate: { num: request.rate.num, den: request.rate.den } } : {}),
    musicPath: request.music.path,
    ...(request.music.range ? { musicRange: request.music.range } : {}),
    options: definedOnly({
      maxScenes: options.scenes,
      mode: options.mode,
      trim: options.trim,
      arc: options.arc,
      pins: options.pins ? [...options.pins] : undefined,
      bans: options.bans ? [...options.bans] : undefined,
      granularity: options.granularity,
      relax: options.relax,
      beatsPerBar: options.beatsPerBar,
      downbeatShift: options.downbeatShift,
      bpm: options.bpm,
      firstDownbeatSeconds: options.firstDownbeatSeconds,
      mood: options.mood,
      moodTarget: options.moodTarget,
      emotionArc: options.emotionArc ? options.emotionArc.map((point) => ({ ...point })) : undefined,
      keepTextShots: options.keepTextShots,
      keepDuplicates: options.keepDuplicates,
      keepBlankShots: options.keepBlankShots,
      keepShots: options.keepShots ? [...options.keepShots] : undefined,
    }),
    ...(request.formats ? { formats: [...request.formats] } : {}),
    ...(options.timecode ? { timecode: options.timecode } : {}),
  };
}

export function emotionSummary(vector: EmotionVector | undefined): EmotionSummary | undefined {
  if (!vector || vector.values.length !== EMOTION_LABELS.length) return undefined;
  return { values: vector.values.map(round), valence: round(vector.valence), arousal: round(vector.arousal), label: dominantLabel(vector) };
}

/**
 * Shots in the planner's numbering (inside the movie range), bars of the music analysis. `planInput` is the
 * job's plan input when the caller has it (shots and scenes do not depend on the granularity); an analysis
 * alone is summarised at bar granularity.
 */
export function summariseAnalysis(
  analysis: MontageAnalysis,
  request: MontageRequest,
  planInput: PlannedInput = buildPlanInput(analysis, { ...request, options: { ...request.options, granularity: 'bar' } }),
): AnalysisSummary {
  const { movie, music, emotions } = analysis;
  const video = movie.media.video!;
  const { input, originalShots } = planInput;
  const sources = input.sources;
  const perSource = new Map<number, number>();
  const shots: ShotSummary[] = input.shots.map((shot, i) => {
    const original = originalShots[i] ?? i;
    const emotion = emotionSummary(emotions.shots[original]);
    // Each shot counts on its own file's rate (sources may differ).
    const fps = toFps(shot.range.start.rate);
    const source = shot.source !== undefined ? sources?.[shot.source] : undefined;
    const sourceShot = shot.source !== undefined ? (perSource.get(shot.source) ?? 0) : undefined;
    if (shot.source !== undefined) perSource.set(shot.source, sourceShot! + 1);
    return {
      index: shot.index,
      sceneIndex: shot.sceneIndex,
      ...(source ? { source: source.id, sourceShot } : {}),
      startSeconds: round(shot.range.start.value / fps),
      endSeconds: round((shot.range.start.value + shot.range.duration.value) / fps),
      ...(emotion ? { emotion } : {}),
      score: round(emotions.shotScores[original] ?? 0),
    };
  });
  const bars: BarSummary[] = music.bars.map((bar, i) => {
    const emotion = emotionSummary(emotions.music.bars[i]);
    return { index: i, startSeconds: round(bar.startSeconds), durationSeconds: round(bar.durationSeconds), ...(emotion ? { emotion } : {}) };
  });
  return {
    movie: {
      path: movie.media.path,
      durationSeconds: round(movie.media.durationSeconds),
      frameRate: { num: video.rate.num, den: video.rate.den },
      width: video.width,
      height: video.height,
    },
    music: { path: music.media.path, durationSeconds: round(music.media.durationSeconds), tempoBpm: round(music.tempoBpm), beatsPerBar: music.beatsPerBar },
    ...(sources
      ? {
          sources: sources.map((s) => {
            const fps = toFps(s.rate);
            return { id: s.id, path: s.path, startSeconds: round(s.inFrame / fps), endSeconds: round(s.outFrame / fps), ...(s.timelineSeconds !== undefined ? { timelineSeconds: s.timelineSeconds } : {}), frameRate: { num: s.rate.num, den: s.rate.den } };
          }),
        }
      : {}),
    ...(analysis.sourceNotices?.length ? { notices: [...analysis.sourceNotices] } : {}),
    shots,
    sceneCount: input.scenes.length,
    bars,
    labels: [...EMOTION_LABELS],
  };
}

/** The music's emotion per cut unit (bar, pair of bars, or beat): the mean of the bars each unit spans. */
export function unitEmotions(analysis: MontageAnalysis, cut: CutUnits): BarSummary[] {
  const { units } = cut;
  const vectors = unitMusicEmotions(analysis, cut);
  return units.map((unit, i) => {
    const emotion = emotionSummary(vectors[i]);
    return { index: i, startSeconds: round(unit.startSeconds), durationSeconds: round(unit.durationSeconds), ...(emotion ? { emotion } : {}) };
  });
}

export function chosenShots(plan: MontagePlan, analysis: MontageAnalysis, originalShots: readonly number[]): ChosenShot[] {
  const pins = new Set(plan.options.pins);
  return plan.placements.map((placement) => {
    const emotion = emotionSummary(analysis.emotions.shots[originalShots[placement.shotIndex] ?? -1]);
    const sourceStart = toSeconds(placement.sourceRange.start);
    const recordStart = toSeconds(placement.recordRange.start);
    return {
      shotIndex: placement.shotIndex,
      sceneIndex: placement.sceneIndex,
      ...(placement.source !== undefined && plan.sources ? { source: plan.sources[placement.source]!.id } : {}),
      firstBar: placement.firstBar,
      barCount: placement.barCount,
      sourceStartSeconds: round(sourceStart),
      sourceEndSeconds: round(sourceStart + toSeconds(placement.sourceRange.duration)),
      recordStartSeconds: round(recordStart),
      recordEndSeconds: round(recordStart + toSeconds(placement.recordRange.duration)),
      score: round(placement.score),
      ...(emotion ? { emotion } : {}),
      pinned: pins.has(placement.shotIndex),
    };
  });
}

export function summarisePlan(plan: MontagePlan, granularity: CutGranularity | 'mixed', analysis: MontageAnalysis, solved?: Pick<MontageOutcome, 'granularity' | 'relaxations'>): PlanSummary {
  return {
    totalScore: round(plan.totalScore),
    durationSeconds: round(plan.music.endSeconds - plan.music.startSeconds),
    barCount: plan.bars.length,
    shotCount: plan.placements.length,
    sceneCount: new Set(plan.placements.map((placement) => placement.sceneIndex)).size,
    options: {
      scenes: plan.options.maxScenes,
      mode: plan.options.mode,
      granularity,
      trim: plan.options.trim,
      arc: plan.options.arc,
      pins: [...plan.options.pins],
      bans: [...plan.options.bans],
    },
    diagnostics: [...(analysis.sourceNotices ?? []), ...analysis.emotions.diagnostics, ...plan.diagnostics],
    music: { startSeconds: round(plan.music.startSeconds), endSeconds: round(plan.music.endSeconds) },
    ...(solved
      ? {
          granularity: { requested: solved.granularity.requested, unit: solved.granularity.unit, reason: solved.granularity.reason, sections: solved.granularity.sections.map((s) => ({ startSeconds: round(s.startSeconds), endSeconds: round(s.endSeconds), unit: s.unit, unitSeconds: s.unitSeconds })) },
          relaxations: solved.relaxations.map((r) => ({ ...r, alternatives: [...r.alternatives] })),
        }
      : {}),
  };
}

function formatOf(name: string, exporterByExtension: ReadonlyMap<string, string>): string {
  if (name === PREVIEW_NAME) return 'preview';
  if (name === 'plan.json' || name === 'storyboard.json') return 'plan';
  if (name === 'report.txt' || name === 'report.html') return 'report';
  return exporterByExtension.get(normaliseExtension(extname(name))) ?? 'file';
}

function normaliseExtension(extension: string): string {
  return extension.replace(/^\./, '').toLowerCase();
}

/** Six decimals: enough for seconds and scores, and keeps frames small. */
function round(value: number): number {
  return Number.isFinite(value) ? Math.round(value * 1e6) / 1e6 : 0;
}
