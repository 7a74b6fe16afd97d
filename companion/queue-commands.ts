/**
 * The queue commands of the CLI (cli.ts parses their options and calls these):
 *   worker   runs analysis jobs from the queue until Ctrl-C (the running ones finish first)
 *   enqueue  queues the analysis of files and folders (one job per file content) and prints the job ids, or
 *            one montage into a folder the workers share
 *   jobs     lists the jobs with their state and progress, or cancels one
 * Each returns an exit code: 0, or 1 when a file could not be queued or (with --wait) a job failed.
 */
import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { formatError, MontageError, toMontageError } from './core/errors';
import type { CancellationTokenSource, ProgressReport } from './core/lifecycle';
import { createExtensionHost } from './host/index';
import { probeMedia } from './media/probe';
import type { AnalysisJobData, MontageJobData } from './queue/analysis-jobs';
import { AnalysisQueue, type EnqueuedJob, type JobListing } from './queue/analysis-queue';
import { startAnalysisWorker, type WorkerEvent } from './queue/analysis-worker';

interface Io {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

export interface WorkerCommandOptions {
  readonly redisUrl: string;
  readonly cacheDir: string;
  readonly extensionsDir: string;
  readonly concurrency?: number;
  readonly lockMs?: number;
  readonly json: boolean;
}

export async function workerCommand(options: WorkerCommandOptions, io: Io, token: CancellationTokenSource): Promise<number> {
  const host = await createExtensionHost({ userExtensionsDir: options.extensionsDir });
  try {
    const print = (event: WorkerEvent) => {
      if (options.json) return io.stdout.write(`${JSON.stringify({ ...event, at: new Date().toISOString() })}\n`);
      if (event.type === 'connection') return io.stderr.write(`redis: ${event.message}\n`);
      io.stdout.write(`${describeEvent(event)}\n`);
    };
    const worker = await startAnalysisWorker({
      redisUrl: options.redisUrl,
      cacheDir: options.cacheDir,
      host,
      onEvent: print,
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      ...(options.lockMs ? { lockMs: options.lockMs } : {}),
    });
    if (!options.json) io.stdout.write(`Worker ${worker.name} takes analysis jobs (cache: ${options.cacheDir}); Ctrl-C stops it after its running jobs.\n`);
    else io.stdout.write(`${JSON.stringify({ type: 'ready', worker: worker.name, cacheDir: options.cacheDir })}\n`);
    await new Promise<void>((done) => token.token.onCancellationRequested(() => done()));
    if (!options.json && worker.running() > 0) io.stderr.write(`Finishing ${worker.running()} running job(s); Ctrl-C again stops at once (they go to another worker).\n`);
    await worker.close();
    return 0;
  } finally {
    await host.disposeAsync();
  }
}

function describeEvent(event: Exclude<WorkerEvent, { type: 'connection' }>): string {
  switch (event.type) {
    case 'started':
      return `started   ${event.jobId}  ${event.data.kind} ${event.data.path}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`;
    case 'completed':
      return `completed ${event.jobId}  ${event.result.fromCache ? 'from the cache' : `analysed in ${(event.result.elapsedMs / 1000).toFixed(1)} s`}${event.result.shots !== undefined ? `, ${event.result.shots} shots` : ''}${event.result.bars !== undefined ? `, ${event.result.bars} bars` : ''}`;
    case 'failed':
      return `failed    ${event.jobId}  ${event.reason}${event.willRetry ? ' (will retry)' : ''}`;
  }
}

/** File extensions taken from a folder (a file named on the command line is queued whatever its name). */
const MEDIA_EXTENSIONS = new Set(['.mp4', '.mov', '.m4v', '.mkv', '.avi', '.webm', '.mxf', '.mpg', '.mpeg', '.ts', '.mts', '.wav', '.mp3', '.m4a', '.aac', '.flac', '.ogg', '.oga', '.opus', '.aif', '.aiff']);

/** The files to queue: named files as they are, folders walked for media files (hidden ones skipped), sorted. */
export async function mediaFiles(paths: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && MEDIA_EXTENSIONS.has(extname(entry.name).toLowerCase())) found.push(path);
    }
  };
  for (const given of paths) {
    const path = resolve(given);
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) await walk(path);
    else found.push(path); // a missing or odd file is reported by enqueue with its error
  }
  return [...new Set(found)];
}

export interface EnqueueCommandOptions {
  readonly redisUrl: string;
  /** Run finished jobs again. */
  readonly again: boolean;
  /** Wait until every job has ended, printing progress on stderr. */
  readonly wait: boolean;
  readonly json: boolean;
  readonly quiet: boolean;
}

export async function enqueueCommand(paths: readonly string[], options: EnqueueCommandOptions, io: Io, token: CancellationTokenSource): Promise<number> {
  if (!paths.length) throw new MontageError('AM_ERR_INVALID_ARGUMENT', 'enqueue needs at least one FILE or DIR.', { where: { field: 'FILE' } });
  const queue = await AnalysisQueue.open(options.redisUrl);
  let failures = 0;
  try {
    const queued: EnqueuedJob[] = [];
    for (const path of await mediaFiles(paths)) {
      try {
        // A file with a picture is a movie; sound alone is music.
        const media = await probeMedia(path, token.token);
        const data: AnalysisJobData = media.video ? { kind: 'movie', path } : { kind: 'music', path, music: {} };
        const job = await queue.enqueue(data, { again: options.again });
        queued.push(job);
        if (options.json) io.stdout.write(`${JSON.stringify({ jobId: job.jobId, kind: data.kind, path, state: job.state, existing: job.existing })}\n`);
        else io.stdout.write(`${job.jobId}  ${job.existing ? `${job.state} already` : 'queued'}  ${path}\n`);
      } catch (error) {
        if (token.token.isCancellationRequested) throw error;
        failures++;
        const failure = toMontageError(error);
        if (options.json) io.stdout.write(`${JSON.stringify({ path, error: failure.toJSON() })}\n`);
        else io.stderr.write(`${path}: ${formatError(failure.toJSON())}\n`);
      }
    }
    if (options.wait) failures += await waitForAll(queue, queued, options, io, token);
    return failures ? 1 : 0;
  } finally {
    await queue.close();
  }
}

/** Queues one montage, made on a worker into `montage.path` (a folder the workers share). */
export async function enqueueMontageCommand(montage: Omit<MontageJobData, 'kind'>, options: EnqueueCommandOptions, io: Io, token: CancellationTokenSource): Promise<number> {
  const queue = await AnalysisQueue.open(options.redisUrl);
  try {
    const job = await queue.enqueue({ kind: 'montage', ...montage }, { again: options.again });
    if (options.json) io.stdout.write(`${JSON.stringify({ jobId: job.jobId, kind: 'montage', path: montage.path, state: job.state, existing: job.existing })}\n`);
    else io.stdout.write(`${job.jobId}  ${job.existing ? `${job.state} already` : 'queued'}  montage into ${montage.path}\n`);
    return options.wait && (await waitForAll(queue, [job], options, io, token)) ? 1 : 0;
  } finally {
    await queue.close();
  }
}

async function waitForAll(queue: AnalysisQueue, jobs: readonly EnqueuedJob[], options: EnqueueCommandOptions, io: Io, token: CancellationTokenSource): Promise<number> {
  let failed = 0;
  await Promise.all(
    jobs.map(async (job) => {
      let lastStage = '';
      const progress = {
        report: (report: ProgressReport) => {
          if (options.quiet || options.json || report.stage === lastStage) return;
          lastStage = report.stage;
          io.stderr.write(`${job.jobId}  ${report.stage}${report.message ? `: ${report.message}` : ''}\n`);
        },
      };
      try {
        const result = await queue.wait(job.jobId, progress, token.token);
        if (options.json) io.stdout.write(`${JSON.stringify({ jobId: job.jobId, state: 'completed', result })}\n`);
        else io.stdout.write(`${job.jobId}  completed  ${result.fromCache ? 'from the cache' : `by ${result.worker} in ${(result.elapsedMs / 1000).toFixed(1)} s`}${result.files ? `: ${result.files.length} files in ${result.path}` : ''}\n`);
      } catch (error) {
        if (token.token.isCancellationRequested) throw error;
        failed++;
        const failure = toMontageError(error).toJSON();
        if (options.json) io.stdout.write(`${JSON.stringify({ jobId: job.jobId, state: 'failed', error: failure })}\n`);
        else io.stdout.write(`${job.jobId}  failed  ${formatError(failure)}\n`);
      }
    }),
  );
  return failed;
}

export interface JobsCommandOptions {
  readonly redisUrl: string;
  readonly json: boolean;
  /** A job id to cancel instead of listing. */
  readonly cancel?: string;
}

export async function jobsCommand(options: JobsCommandOptions, io: Io): Promise<number> {
  const queue = await AnalysisQueue.open(options.redisUrl);
  try {
    if (options.cancel !== undefined) {
      const outcome = await queue.cancel(options.cancel);
      if (options.json) io.stdout.write(`${JSON.stringify({ jobId: options.cancel, cancel: outcome })}\n`);
      else io.stdout.write(`${options.cancel}: ${CANCEL_WORDS[outcome]}\n`);
      if (outcome === 'unknown') throw new MontageError('AM_ERR_JOB_NOT_FOUND', `The queue has no job ${JSON.stringify(options.cancel)}.`, { where: { field: 'cancel' } });
      return 0;
    }
    const jobs = await queue.list();
    if (options.json) io.stdout.write(`${JSON.stringify(jobs)}\n`);
    else io.stdout.write(formatJobs(jobs));
    return 0;
  } finally {
    await queue.close();
  }
}

const CANCEL_WORDS = { removed: 'removed from the queue', signalled: 'asked its worker to stop', finished: 'already finished', unknown: 'no such job' } as const;

/** One line per job: state, progress, attempts, id, file (and why a failed one failed). */
export function formatJobs(jobs: readonly JobListing[]): string {
  if (!jobs.length) return 'No jobs.\n';
  const counts = new Map<string, number>();
  for (const job of jobs) counts.set(job.state, (counts.get(job.state) ?? 0) + 1);
  const lines = jobs.map((job) => {
    const progress = job.state === 'completed' ? (job.result?.fromCache ? 'from cache' : 'done') : job.progress ? `${job.progress.stage} ${Math.round(job.progress.fraction * 100)}%` : '';
    const line = `${job.state.padEnd(10)} ${progress.padEnd(16)} ${String(job.attempts).padStart(3)}  ${job.jobId}  ${job.path}`;
    return job.failedReason && job.state === 'failed' ? `${line}\n${' '.repeat(33)}${job.failedReason}` : line;
  });
  return `${'STATE'.padEnd(10)} ${'PROGRESS'.padEnd(16)} TRY  JOB ID  FILE\n${lines.join('\n')}\n${[...counts].map(([state, n]) => `${n} ${state}`).join(', ')}\n`;
}
