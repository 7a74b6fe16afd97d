/**
 * `serve --redis`: the companion's jobs have their analyses done by the worker pool. A montage or analyse
 * job queues the analysis of each movie file and of the music (one queue job per file and settings, shared with every
 * other companion and `enqueue`), forwards the workers' progress to the panel, then runs the job in the
 * companion as without a queue: the analyses are read from the shared cache the workers filled, and the
 * plan, the timelines and the preview are made here, in the companion's own job folder. A re-solve needs
 * no analysis and runs here directly.
 *
 * Cancelling the panel's job stops the analyses this job added (removed from the queue, or stopped on their
 * worker); analyses that were queued already, by someone else, go on for them.
 */
import { CancellationError, MontageError } from '../core/errors';
import type { CancellationToken, Progress, ProgressReport } from '../core/lifecycle';
import { definedOnly } from '../core/objects';
import type { AnalysisJobData, AnalysisJobResult } from '../queue/analysis-jobs';
import { AnalysisQueue, type EnqueuedJob } from '../queue/analysis-queue';
import type { JobRequest, RunJob } from './run-job';

export interface QueuedRunJobOptions {
  readonly redisUrl: string;
  /** The cache folder the workers write (the companion reads its analyses there). */
  readonly cacheDir: string;
}

export interface QueuedRunJob {
  readonly runJob: RunJob;
  readonly queue: AnalysisQueue;
  close(): Promise<void>;
}

/** Wraps `local` (the in-process pipeline) so its analyses run on the queue. Throws AM_ERR_QUEUE_UNAVAILABLE. */
export async function queuedRunJob(local: RunJob, options: QueuedRunJobOptions): Promise<QueuedRunJob> {
  const queue = await AnalysisQueue.open(options.redisUrl);
  const runJob: RunJob = async (request, context, jobProgress, token) => {
    const shared = { ...context, cacheDir: options.cacheDir };
    const progress = monotonic(jobProgress);
    if (request.kind !== 'resolve') await analyseOnQueue(queue, request, progress, token);
    return local(request, shared, progress, token);
  };
  return { runJob, queue, close: () => queue.close() };
}

/**
 * The workers report a stage (music, decode, …) to its end, then the local run reports it again from 0 while
 * it reads the cache: each stage's fraction is held at the highest yet, as the protocol promises (and the
 * job manager only checks against the stage just before).
 */
function monotonic(progress: Progress<ProgressReport>): Progress<ProgressReport> {
  const highest = new Map<string, number>();
  return {
    report: (report) => {
      const fraction = Math.max(report.fraction, highest.get(report.stage) ?? 0);
      highest.set(report.stage, fraction);
      progress.report(fraction === report.fraction ? report : { ...report, fraction });
    },
  };
}

/**
 * The queue jobs a companion job needs: each of its movie files once (a list of sources may name one file
 * many times) and its music, with the music overrides that change the analysis.
 */
export function analysisJobsFor(request: JobRequest): AnalysisJobData[] {
  const { options } = request;
  const range = request.music.range;
  const moviePaths = new Set((request.sources?.length ? request.sources : [request.movie]).map((source) => source.path));
  return [
    ...[...moviePaths].map((path): AnalysisJobData => ({ kind: 'movie', path })),
    {
      kind: 'music',
      path: request.music.path,
      music: definedOnly({
        rangeSeconds: range ? { start: range.startSeconds, end: range.endSeconds } : undefined,
        beatsPerBar: options.beatsPerBar,
        downbeatShift: options.downbeatShift,
        bpm: options.bpm,
        firstDownbeatSeconds: options.firstDownbeatSeconds,
      }),
    },
  ];
}

async function analyseOnQueue(queue: AnalysisQueue, request: JobRequest, progress: Progress<ProgressReport>, token: CancellationToken): Promise<AnalysisJobResult[]> {
  progress.report({ stage: 'queue', fraction: 0, message: 'waiting for a worker' });
  const added: EnqueuedJob[] = [];
  const stop = token.onCancellationRequested(() => {
    for (const job of added) if (!job.existing) void queue.cancel(job.jobId).catch(() => {});
  });
  try {
    const results = await Promise.all(
      analysisJobsFor(request).map(async (data) => {
        const job = await queue.enqueue(data);
        added.push(job);
        if (token.isCancellationRequested) {
          if (!job.existing) await queue.cancel(job.jobId).catch(() => {});
          throw new CancellationError();
        }
        return waitForAnalysis(queue, job, progress, token);
      }),
    );
    progress.report({ stage: 'queue', fraction: 1, message: results.map((r) => `${r.kind} by ${r.worker}${r.fromCache ? ' (cached)' : ''}`).join(', ') });
    return results;
  } finally {
    stop.dispose();
  }
}

/**
 * Waits for one analysis. Someone else cancelling the shared job (its other waiter) is not this job's
 * cancel: the analysis is queued again, at most twice.
 */
async function waitForAnalysis(queue: AnalysisQueue, job: EnqueuedJob, progress: Progress<ProgressReport>, token: CancellationToken): Promise<AnalysisJobResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await queue.wait(job.jobId, progress, token);
    } catch (error) {
      const cancelledElsewhere = error instanceof CancellationError && !token.isCancellationRequested;
      if (!cancelledElsewhere || attempt >= 2) {
        throw cancelledElsewhere ? new MontageError('AM_ERR_CANCELLED', `The analysis of ${job.data.path} was cancelled on the queue.`) : error;
      }
      await queue.enqueue(job.data);
    }
  }
}
