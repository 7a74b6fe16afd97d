/**
 * The producer's side of the analysis queue, for `enqueue`, `jobs` and `serve --redis`: add a file's
 * analysis (once per content fingerprint), follow a job's progress to its end, cancel it, list the jobs.
 * Waiting follows BullMQ's event stream and also asks for the job's state every few seconds, so a finish
 * during a Redis restart (events read again from where the reader stopped) is never waited for in vain.
 */
import { Queue, QueueEvents, type Job } from 'bullmq';
import { CancellationError, MontageError } from '../core/errors';
import type { CancellationToken, Progress, ProgressReport } from '../core/lifecycle';
import {
  analysisJobId,
  CANCEL_CHANNEL,
  errorFromFailure,
  isProgressReport,
  JOB_OPTIONS,
  QUEUE_NAME,
  QUEUE_PREFIX,
  type AnalysisJobData,
  type AnalysisJobResult,
  type AnalysisJobState,
} from './analysis-jobs';
import { assertReachable, connectionOptions, redisClient } from './connection';

export interface EnqueuedJob {
  readonly jobId: string;
  readonly data: AnalysisJobData;
  /** The state right after the add (`completed`: analysed before, nothing to do). */
  readonly state: AnalysisJobState;
  /** False when this call created the job (or retried a failed one); true when it was queued already. */
  readonly existing: boolean;
}

export interface JobListing {
  readonly jobId: string;
  readonly state: AnalysisJobState;
  readonly kind: AnalysisJobData['kind'];
  readonly path: string;
  readonly progress?: ProgressReport;
  readonly attempts: number;
  readonly failedReason?: string;
  readonly result?: AnalysisJobResult;
  readonly queuedAt: number;
  readonly finishedAt?: number;
}

export type CancelOutcome = 'removed' | 'signalled' | 'finished' | 'unknown';

const STATES: readonly Exclude<AnalysisJobState, 'unknown' | 'waiting-children'>[] = ['active', 'waiting', 'prioritized', 'delayed', 'failed', 'completed'];
/** How often a waiter asks for the state besides listening to events. */
const POLL_MS = 3000;

export class AnalysisQueue {
  private events: Promise<QueueEvents> | undefined;
  private readonly publisher: ReturnType<typeof redisClient>;
  private closed = false;

  private constructor(
    readonly url: string,
    private readonly queue: Queue,
  ) {
    this.publisher = redisClient(url, { lazyConnect: true });
    this.queue.on('error', () => {}); // connection errors while Redis restarts: the client reconnects
    this.publisher.on('error', () => {});
  }

  /** Connects; throws AM_ERR_QUEUE_UNAVAILABLE when Redis does not answer. */
  static async open(url: string): Promise<AnalysisQueue> {
    await assertReachable(url);
    const queue = new Queue(QUEUE_NAME, { connection: connectionOptions(url), prefix: QUEUE_PREFIX, defaultJobOptions: JOB_OPTIONS });
    await queue.waitUntilReady();
    return new AnalysisQueue(url, queue);
  }

  /**
   * Queues a file's analysis (or a montage) unless the same one is queued, running or done; a failed one is
   * tried again, and with `again` a completed one too. Throws AM_ERR_FILE_NOT_FOUND / AM_ERR_MEDIA_NOT_A_FILE when the file cannot be fingerprinted.
   */
  async enqueue(data: AnalysisJobData, { again = false }: { again?: boolean } = {}): Promise<EnqueuedJob> {
    const jobId = await analysisJobId(data);
    let before = await this.queue.getJobState(jobId);
    if (again && before === 'completed') {
      // Asked to run a finished job again (`enqueue --force`): its record goes, a new job takes its id.
      await this.queue.remove(jobId).catch(() => 0);
      before = await this.queue.getJobState(jobId);
    }
    if (before === 'failed') {
      const job = await this.queue.getJob(jobId);
      // Another producer may retry it at the same moment; then it is simply waiting already.
      await job?.retry('failed').catch(() => {});
      return { jobId, data, state: await this.state(jobId), existing: false };
    }
    if (before !== 'unknown') return { jobId, data, state: before, existing: true };
    await this.queue.add(data.kind, data, { jobId });
    return { jobId, data, state: await this.state(jobId), existing: false };
  }

  async state(jobId: string): Promise<AnalysisJobState> {
    return (await this.queue.getJobState(jobId)) as AnalysisJobState;
  }

  /**
   * Resolves with the job's result when it completes, forwarding its progress; rejects with the job's error
   * when it fails for good (AM_ERR_JOB_NOT_FOUND when no such job is known), with CancellationError when
   * `token` fires (the job itself goes on: cancel it with {@link cancel}).
   */
  async wait(jobId: string, progress: Progress<ProgressReport>, token: CancellationToken): Promise<AnalysisJobResult> {
    const events = await this.queueEvents();
    return new Promise<AnalysisJobResult>((resolve, reject) => {
      let done = false;
      const finish = (outcome: () => void) => {
        if (done) return;
        done = true;
        events.off('progress', onProgress);
        events.off('completed', onCompleted);
        events.off('failed', onFailed);
        clearInterval(poll);
        subscription.dispose();
        outcome();
      };
      const onProgress = ({ jobId: id, data }: { jobId: string; data: unknown }) => {
        if (id === jobId && isProgressReport(data)) progress.report(data);
      };
      const onCompleted = ({ jobId: id }: { jobId: string }) => {
        if (id === jobId) void check();
      };
      const onFailed = ({ jobId: id }: { jobId: string }) => {
        if (id === jobId) void check();
      };
      // The state decides, not the event. BullMQ moves an attempt that will be retried out of `failed` (to
      // delayed) in the step that fails it, so a job seen in `failed` has failed for good.
      const check = async () => {
        try {
          // The state first, then the job: a job read first may finish before its state is read, and its
          // result or reason would be missing from the copy read.
          const state = await this.queue.getJobState(jobId);
          const job = state === 'completed' || state === 'failed' ? await this.queue.getJob(jobId) : undefined;
          if (state === 'completed' && job) finish(() => resolve(job.returnvalue as AnalysisJobResult));
          else if (state === 'failed' && job) finish(() => reject(errorFromFailure(job.failedReason, jobId)));
          else if (state === 'unknown') finish(() => reject(new MontageError('AM_ERR_JOB_NOT_FOUND', `The queue has no job ${jobId} (removed or expired).`, { details: { queueJobId: jobId } })));
        } catch {
          // Redis is away: the next poll asks again.
        }
      };
      events.on('progress', onProgress);
      events.on('completed', onCompleted);
      events.on('failed', onFailed);
      const poll = setInterval(() => void check(), POLL_MS);
      const subscription = token.onCancellationRequested(() => finish(() => reject(new CancellationError())));
      void check();
    });
  }

  /**
   * Stops a job: a waiting one is removed from the queue; a running one is told to stop on its worker (which
   * kills its ffmpeg processes and fails the job as cancelled, so it is not retried).
   */
  async cancel(jobId: string): Promise<CancelOutcome> {
    const state = await this.state(jobId);
    if (state === 'unknown') return 'unknown';
    if (state === 'completed' || state === 'failed') return 'finished';
    if (state !== 'active') {
      // A worker may take it between the state read and the remove (then the remove throws: it is locked).
      const removed = await this.queue
        .remove(jobId)
        .then((count) => count > 0)
        .catch(() => false);
      if (removed) return 'removed';
    }
    if (this.publisher.status === 'wait') await this.publisher.connect();
    await this.publisher.publish(CANCEL_CHANNEL, jobId);
    return 'signalled';
  }

  /** Every job the queue holds, running ones first, then waiting, failed and completed, newest first. */
  async list(limit = 1000): Promise<JobListing[]> {
    const listings: JobListing[] = [];
    for (const state of STATES) {
      const jobs = (await this.queue.getJobs([state], 0, limit - 1, false)) as Job<AnalysisJobData, AnalysisJobResult>[];
      for (const job of jobs) {
        if (!job?.id) continue;
        listings.push({
          jobId: job.id,
          state,
          kind: job.data.kind,
          path: job.data.path,
          ...(isProgressReport(job.progress) ? { progress: job.progress } : {}),
          attempts: job.attemptsMade,
          ...(job.failedReason ? { failedReason: job.failedReason } : {}),
          ...(state === 'completed' && job.returnvalue ? { result: job.returnvalue } : {}),
          queuedAt: job.timestamp,
          ...(job.finishedOn ? { finishedAt: job.finishedOn } : {}),
        });
      }
    }
    return listings;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const events = await this.events?.catch(() => undefined);
    await Promise.allSettled([this.queue.close(), events?.close()]);
    this.publisher.disconnect();
  }

  private queueEvents(): Promise<QueueEvents> {
    this.events ??= (async () => {
      const events = new QueueEvents(QUEUE_NAME, { connection: connectionOptions(this.url), prefix: QUEUE_PREFIX });
      events.on('error', () => {});
      events.setMaxListeners(0); // one set of listeners per waiting job
      await events.waitUntilReady();
      return events;
    })();
    return this.events;
  }
}

