/**
 * A worker of the analysis queue (`auto-montage worker`): takes jobs from Redis, analyses each file into the
 * shared cache (or makes a montage into a shared folder), and reports progress through BullMQ. Faults, and who handles them:
 *   - a failure that may pass is retried with backoff (JOB_OPTIONS); one in the file fails the job at once
 *   - a cancel (a job id on CANCEL_CHANNEL) stops the job here: its token fires, its ffmpeg processes are
 *     killed, and the job fails as AM_ERR_CANCELLED, which is not retried
 *   - a worker that dies (kill -9, power loss) stops renewing its job's lock; after `lockMs` another worker's
 *     stalled check puts the job back in the queue and someone runs it again. The dead worker's cache write,
 *     if it was mid-way, left only a temporary file (cache-store.ts), so no reader sees half an entry
 *   - Redis restarting: the clients reconnect and carry on; a job that finished meanwhile reports when back
 */
import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { CancellationError, MontageError, toMontageError } from '../core/errors';
import { CancellationTokenSource, type CancellationToken, type Progress, type ProgressReport } from '../core/lifecycle';
import { analyseMovie } from '../analysis/movie/analyse-movie';
import { analyseMusic } from '../analysis/music/analyse-music';
import { defaultEncoderIds } from '../analysis/emotion/index';
import { encodeShotsCached } from '../analysis/emotion/shot-cache';
import type { ExtensionHost } from '../host/index';
import { resolveEncoders } from '../pipeline/encoders';
import { runMontage } from '../pipeline/run-montage';
import { CANCEL_CHANNEL, isAnalysisJobData, isPermanent, jobFailureReason, QUEUE_NAME, QUEUE_PREFIX, type AnalysisJobData, type AnalysisJobResult } from './analysis-jobs';
import { assertReachable, connectionOptions, redisClient } from './connection';

export interface AnalysisWorkerOptions {
  readonly redisUrl: string;
  /** The shared cache folder (every worker and companion of the installation sees the same one). */
  readonly cacheDir: string;
  /** The extension host whose shot emotion encoders run (the built-in ones). */
  readonly host: ExtensionHost;
  /** Jobs this worker runs at once (default 1: one analysis already uses every core for decoding). */
  readonly concurrency?: number;
  /** How long a job stays with a worker that stopped answering before another may take it (default 30 s). */
  readonly lockMs?: number;
  /** Minimum gap between two progress updates of a job within a stage (default 250 ms). */
  readonly progressIntervalMs?: number;
  /** Told of each job's start and end (the CLI prints them). */
  readonly onEvent?: (event: WorkerEvent) => void;
  /** Does a job's work (default: the analysis below; tests inject failures and delays, as the server's RunJob). */
  readonly analyse?: AnalyseJob;
}

/** The work of one job: analyse `data` into the shared cache, reporting progress and honouring `token`. */
export type AnalyseJob = (data: AnalysisJobData, options: AnalysisWorkerOptions, progress: Progress<ProgressReport>, token: CancellationToken) => Promise<AnalysisOutcome>;

export type WorkerEvent =
  | { readonly type: 'started'; readonly jobId: string; readonly data: AnalysisJobData; readonly attempt: number }
  | { readonly type: 'completed'; readonly jobId: string; readonly result: AnalysisJobResult }
  | { readonly type: 'failed'; readonly jobId: string; readonly reason: string; readonly willRetry: boolean }
  | { readonly type: 'connection'; readonly message: string };

export interface AnalysisWorker {
  /** host:pid, as stored in each result. */
  readonly name: string;
  /** Jobs running now. */
  running(): number;
  /** Stops taking jobs and lets the running ones finish (or cancels them first, with `cancel`). */
  close(options?: { cancel?: boolean }): Promise<void>;
}

/** Starts a worker; throws AM_ERR_QUEUE_UNAVAILABLE when Redis does not answer. */
export async function startAnalysisWorker(options: AnalysisWorkerOptions): Promise<AnalysisWorker> {
  await assertReachable(options.redisUrl);
  const name = `${hostname()}:${process.pid}`;
  const running = new Map<string, CancellationTokenSource>();
  const lockMs = Math.max(1000, options.lockMs ?? 30_000);
  const intervalMs = options.progressIntervalMs ?? 250;
  const emit = options.onEvent ?? (() => {});

  const processor = async (job: Job<AnalysisJobData, AnalysisJobResult>, _lock?: string, signal?: AbortSignal): Promise<AnalysisJobResult> => {
    const jobId = job.id!;
    const source = new CancellationTokenSource();
    signal?.addEventListener('abort', () => source.cancel());
    running.set(jobId, source);
    emit({ type: 'started', jobId, data: job.data, attempt: job.attemptsMade + 1 });
    const started = Date.now();
    try {
      if (!isAnalysisJobData(job.data)) throw new MontageError('AM_ERR_INVALID_ARGUMENT', `Job ${jobId} is not an analysis job: ${JSON.stringify(job.data).slice(0, 200)}`);
      const outcome = await (options.analyse ?? analyse)(job.data, options, throttled(job, intervalMs), source.token);
      return { ...outcome, kind: job.data.kind, path: job.data.path, elapsedMs: Date.now() - started, worker: name };
    } catch (error) {
      const failure = source.token.isCancellationRequested ? new CancellationError('Cancelled on its worker.') : toMontageError(error);
      // Errors in the file (and a cancel) would fail again: no retry.
      throw isPermanent(failure) ? new UnrecoverableError(jobFailureReason(failure)) : new Error(jobFailureReason(failure));
    } finally {
      running.delete(jobId);
      source.dispose();
    }
  };

  const worker = new Worker<AnalysisJobData, AnalysisJobResult>(QUEUE_NAME, processor, {
    connection: connectionOptions(options.redisUrl),
    prefix: QUEUE_PREFIX,
    name,
    concurrency: Math.max(1, Math.floor(options.concurrency ?? 1)),
    lockDuration: lockMs,
    stalledInterval: lockMs,
    // A job whose worker died twice is run a third time before it fails.
    maxStalledCount: 2,
    autorun: false,
  });
  worker.on('completed', (job, result) => emit({ type: 'completed', jobId: job.id!, result }));
  worker.on('failed', (job, error) => {
    if (!job?.id) return;
    const attempts = job.opts.attempts ?? 1;
    emit({ type: 'failed', jobId: job.id, reason: error.message, willRetry: !(error instanceof UnrecoverableError) && job.attemptsMade < attempts });
  });
  let lastConnectionMessage = '';
  worker.on('error', (error) => {
    // While Redis restarts every command fails with the same message: say it once.
    if (error.message !== lastConnectionMessage) emit({ type: 'connection', message: error.message });
    lastConnectionMessage = error.message;
  });
  worker.on('ready', () => (lastConnectionMessage = ''));

  // Cancel requests name a job id; only the worker running it acts.
  const subscriber = redisClient(options.redisUrl);
  subscriber.on('error', () => {});
  subscriber.on('message', (_channel: string, jobId: string) => running.get(jobId)?.cancel());
  await subscriber.subscribe(CANCEL_CHANNEL);

  void worker.run().catch((error: unknown) => emit({ type: 'connection', message: error instanceof Error ? error.message : String(error) }));
  await worker.waitUntilReady();

  let closing: Promise<void> | undefined;
  return {
    name,
    running: () => running.size,
    close: ({ cancel = false } = {}) =>
      (closing ??= (async () => {
        if (cancel) for (const source of running.values()) source.cancel();
        await worker.close();
        subscriber.disconnect();
      })()),
  };
}

/** Progress to BullMQ at most every `intervalMs` per stage (the end of a stage always goes). Never awaited: a Redis restart must not hold up the work. */
function throttled(job: Job, intervalMs: number): Progress<ProgressReport> {
  let lastStage = '';
  let lastAt = 0;
  return {
    report(report) {
      const now = Date.now();
      if (report.stage === lastStage && report.fraction < 1 && now - lastAt < intervalMs) return;
      lastStage = report.stage;
      lastAt = now;
      void job.updateProgress({ stage: report.stage, fraction: report.fraction, ...(report.message === undefined ? {} : { message: report.message }) }).catch(() => {});
    },
  };
}

export type AnalysisOutcome = Pick<AnalysisJobResult, 'fromCache' | 'shots' | 'bars' | 'notCached' | 'files'>;

/** The real work: the movie's or the music's analysis, written to the shared cache. */
export async function analyse(data: AnalysisJobData, options: AnalysisWorkerOptions, progress: Progress<ProgressReport>, token: CancellationToken): Promise<AnalysisOutcome> {
  const { cacheDir } = options;
  if (data.kind === 'montage') {
    // The analyses come from the shared cache when the inputs were queued before; else this job makes them.
    const outcome = await runMontage(data.request, { host: options.host, cacheDir, outDir: data.path, force: data.force, preview: data.preview }, progress, token);
    return { fromCache: false, shots: outcome.plan.placements.length, bars: outcome.plan.bars.length, files: outcome.files };
  }
  if (data.kind === 'music') {
    // The music analysis says a cache hit only in its progress message.
    let fromCache = false;
    const watched: Progress<ProgressReport> = { report: (report) => ((fromCache ||= /from the cache/.test(report.message ?? '')), progress.report(report)) };
    const music = await analyseMusic(data.path, { ...data.music, cacheDir }, watched, token);
    return { fromCache, bars: music.bars.length };
  }
  const movie = await analyseMovie(data.path, { cacheDir }, progress, token);
  // The shot encoders depend only on the movie: their vectors go to the cache too, so a companion's montage
  // of this movie, with any music, decodes nothing. A failing encoder is left to the companion to report.
  progress.report({ stage: 'emotion', fraction: 0 });
  const { shot } = await resolveEncoders(options.host, { shot: defaultEncoderIds.shot, music: [] });
  const outcomes = await Promise.all(shot.map((encoder) => encodeShotsCached(encoder, movie, token, cacheDir).then((r) => ({ id: encoder.id, cache: r.cache }), () => ({ id: encoder.id, cache: 'off' as const }))));
  progress.report({ stage: 'emotion', fraction: 1 });
  const notCached = outcomes.filter((o) => o.cache === 'off').map((o) => o.id);
  return { fromCache: movie.decode.cached && outcomes.every((o) => o.cache === 'hit'), shots: movie.shots.length, ...(notCached.length ? { notCached } : {}) };
}
