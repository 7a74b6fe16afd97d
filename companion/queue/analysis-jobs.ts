/**
 * What travels on the analysis queue. A job is one file's analysis: a movie (shots, scenes, features, and
 * the built-in shot emotion encoders) or a music file (beats, bars, bar features, with the editor's music
 * overrides); or a whole montage written to a shared output folder. Its id is made from the file's content fingerprint (analysis/cache.ts) and the settings the
 * result depends on, so the same file queued twice, by two commands or two companions, is one job: BullMQ
 * ignores an add whose id exists. Results are not carried by the job: they are written to the shared cache,
 * which every worker and companion reads; the job's return value only says what happened.
 *
 * Invariants:
 *   - a job id names one analysis result; an equal id means an equal result (the same cache entries)
 *   - job data holds paths as every machine sees them (a shared mount), never file contents
 *   - progress values are ProgressReports ({stage, fraction, message?}), as the in-process pipeline reports
 */
import { createHash } from 'node:crypto';
import type { JobsOptions } from 'bullmq';
import { CancellationError, ERROR_CODES, MontageError, type ErrorCode } from '../core/errors';
import type { ProgressReport } from '../core/lifecycle';
import type { MontageRequest } from '../pipeline/run-montage';
import { fingerprint, settingsHash } from '../analysis/cache';

/** The BullMQ queue every worker and companion of one installation uses. */
export const QUEUE_NAME = 'auto-montage-analysis';
/** The key prefix in Redis (BullMQ's default is `bull`). */
export const QUEUE_PREFIX = 'am';
/** Pub/sub channel on which a job id is published to stop it on whichever worker runs it. */
export const CANCEL_CHANNEL = 'am:analysis:cancel';
/** Bump when the job data or what a worker does for a job changes. */
const JOB_VERSION = 1;

/** The music overrides that change a music analysis (the same as the pipeline's). */
export interface MusicJobOptions {
  readonly rangeSeconds?: { readonly start: number; readonly end: number };
  readonly beatsPerBar?: number;
  readonly downbeatShift?: number;
  readonly bpm?: number;
  readonly firstDownbeatSeconds?: number;
}

/**
 * A montage made on a worker (`enqueue --movie … --music … --out DIR`): `path` is the output folder, which
 * must be on storage the workers share; the analyses it needs come from (and go to) the shared cache.
 */
export interface MontageJobData {
  readonly kind: 'montage';
  readonly path: string;
  readonly request: MontageRequest;
  readonly preview: boolean;
  /** Overwrite outputs already in the folder (never the inputs). */
  readonly force: boolean;
}

export type AnalysisJobData = { readonly kind: 'movie'; readonly path: string } | { readonly kind: 'music'; readonly path: string; readonly music: MusicJobOptions } | MontageJobData;

/** What a finished job returns (the analysis itself is in the shared cache). */
export interface AnalysisJobResult {
  readonly kind: AnalysisJobData['kind'];
  readonly path: string;
  /** True when the worker found the analysis already in the cache (nothing was decoded). */
  readonly fromCache: boolean;
  readonly elapsedMs: number;
  /** The worker's name (host:pid). */
  readonly worker: string;
  readonly shots?: number;
  readonly bars?: number;
  /** Shot encoders whose vectors could not be cached (the companion computes those itself). */
  readonly notCached?: readonly string[];
  /** montage: the files written into the output folder (`path`). */
  readonly files?: readonly string[];
}

/** BullMQ's names for a job's state, as `auto-montage jobs` prints them. */
export type AnalysisJobState = 'waiting' | 'active' | 'completed' | 'failed' | 'delayed' | 'prioritized' | 'waiting-children' | 'unknown';

export type AnalysisProgress = ProgressReport;

/**
 * Three tries, 2 s then 4 s apart, for failures that may pass (a timeout, a full disk, a worker's bug);
 * errors in the file itself fail at once (the worker marks them unrecoverable). Finished jobs are kept a
 * week (so a file queued again is known to be done) and failed ones a month.
 */
export const JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 100_000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 100_000 },
};

/**
 * The job id: the kind, the file's content fingerprint and the settings that matter; for a montage, the
 * fingerprints of every input with the whole request and the output folder.
 */
export async function analysisJobId(data: AnalysisJobData): Promise<string> {
  if (data.kind === 'montage') {
    const { request } = data;
    const inputs = [...new Set([request.moviePath, ...(request.sources ?? []).map((source) => source.path), request.musicPath])];
    const prints = await Promise.all(inputs.map(async (path) => [path, await fingerprint(path)]));
    return `montage-q${JOB_VERSION}-${createHash('sha256').update(JSON.stringify([prints, request, data.path, data.preview])).digest('hex').slice(0, 40)}`;
  }
  const print = await fingerprint(data.path);
  return data.kind === 'movie' ? `movie-q${JOB_VERSION}-${print}` : `music-q${JOB_VERSION}-${print}-${settingsHash(musicSettings(data.music))}`;
}

/** The music options in a fixed order with absent ones as null, so equal settings hash equally. */
function musicSettings(music: MusicJobOptions): unknown {
  return [music.rangeSeconds ?? null, music.beatsPerBar ?? null, music.downbeatShift ?? 0, music.bpm ?? null, music.firstDownbeatSeconds ?? null];
}

/** Whether a progress value from the queue is a ProgressReport (anything else is ignored). */
export function isProgressReport(value: unknown): value is ProgressReport {
  const report = value as Partial<ProgressReport> | null;
  return !!report && typeof report === 'object' && typeof report.stage === 'string' && typeof report.fraction === 'number';
}

/**
 * Errors in a job's file or request: trying again gives the same answer, so the worker fails the job at
 * once instead of retrying it (cancellation too: it is not a failure to retry).
 */
const PERMANENT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'AM_ERR_INVALID_ARGUMENT',
  'AM_ERR_FILE_NOT_FOUND',
  'AM_ERR_MEDIA_UNREADABLE',
  'AM_ERR_MEDIA_NOT_A_FILE',
  'AM_ERR_NO_VIDEO_STREAM',
  'AM_ERR_NO_AUDIO_STREAM',
  'AM_ERR_MUSIC_TOO_SHORT',
  'AM_ERR_CANCELLED',
  // A montage's own: its footage and options, its output folder.
  'AM_ERR_TOO_FEW_SHOTS',
  'AM_ERR_NO_EXACT_FILL',
  'AM_ERR_PLAN_CONSTRAINTS',
  'AM_ERR_OUTPUT_EXISTS',
  'AM_ERR_EXTENSION_NOT_FOUND',
]);

export function isPermanent(error: MontageError): boolean {
  return PERMANENT_CODES.has(error.code);
}

/** A failed job's reason as BullMQ stores it: `CODE: message` (what `jobs` prints). */
export function jobFailureReason(error: MontageError): string {
  return `${error.code}: ${error.message}`;
}

/** The MontageError behind a failed job's reason (AM_ERR_INTERNAL when it names no code of ours). */
export function errorFromFailure(reason: string | undefined, jobId: string): MontageError {
  const match = /^(AM_ERR_[A-Z_]+): ([\s\S]*)$/.exec(reason ?? '');
  const code = match?.[1];
  if (match && code && code in ERROR_CODES) {
    return code === 'AM_ERR_CANCELLED' ? new CancellationError(match[2]) : new MontageError(code as ErrorCode, match[2] ?? '', { details: { queueJobId: jobId } });
  }
  return new MontageError('AM_ERR_INTERNAL', `Queue job ${jobId} failed: ${reason ?? 'no reason given'}`, { details: { queueJobId: jobId } });
}

/** Whether job data from Redis has the shape a worker can run (another program may have added the job). */
export function isAnalysisJobData(value: unknown): value is AnalysisJobData {
  const data = value as Partial<AnalysisJobData> | null;
  if (!data || typeof data !== 'object' || typeof data.path !== 'string' || !data.path) return false;
  if (data.kind === 'montage') return !!data.request && typeof data.request === 'object' && typeof data.request.moviePath === 'string' && typeof data.request.musicPath === 'string';
  return data.kind === 'movie' || (data.kind === 'music' && !!data.music && typeof data.music === 'object');
}
