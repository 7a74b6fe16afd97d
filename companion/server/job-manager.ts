/**
 * The job queue: at most `concurrency` analyse/montage jobs run at once, at most `maxQueuedJobs` wait;
 * resolve jobs (re-solving a cached analysis, no decoding) take a separate fast lane so they answer in well
 * under two seconds even while long jobs run. Each job has its own CancellationTokenSource: cancelling it
 * makes the pipeline kill every child process it started (companion/media/process.ts). A job that ignores
 * cancellation is reported cancelled after a grace period and its late output is thrown away.
 */
import { randomBytes } from 'node:crypto';
import { CancellationError, MontageError, toMontageError, type ErrorData } from '../core/errors';
import { CancellationTokenSource, type ProgressReport } from '../core/lifecycle';
import { ANALYSIS_OPTIONS, type AnalysisOption, type JobKind, type JobStatus, type MontageOptions } from '../protocol/messages';
import type { JobStore, StoredResult } from './job-store';
import type { RetentionPolicy } from './retention';
import type { JobRequest, RunJob } from './run-job';
import { definedOnly } from '../core/objects';

/** Receives one job's events; the session turns them into protocol frames. */
export interface JobSink {
  progress(report: ProgressReport): void;
  finished(result: StoredResult): void;
  failed(error: ErrorData): void;
  cancelled(): void;
}

export interface JobManagerOptions {
  readonly store: JobStore;
  readonly runJob: RunJob;
  /** Analyse/montage jobs that run at once (default 2). */
  readonly concurrency?: number;
  /** Jobs that may wait (default 32). */
  readonly maxQueuedJobs?: number;
  /** Resolve jobs that run at once, beside the others (default 2). */
  readonly resolveConcurrency?: number;
  /** How long a cancelled job may take to stop before it is reported cancelled anyway (default 10 s). */
  readonly cancelGraceMs?: number;
  /** Minimum gap between two progress reports of one job within a stage (default 100 ms). */
  readonly progressIntervalMs?: number;
  /** Analyses kept in memory for resolve (default 8). */
  readonly analysisCacheSize?: number;
  /** Applied to the job folders after each finished job (default: none). */
  readonly retention?: RetentionPolicy;
}

interface Job {
  readonly id: string;
  readonly kind: JobKind;
  readonly request: JobRequest;
  readonly ownerId: string;
  readonly createdAt: Date;
  readonly source: CancellationTokenSource;
  /** Replaced by a no-op once the job has ended, so a finished job holds no socket. */
  sink: JobSink;
  readonly analysisJobId: string;
  /** resolve: the source analysis; dropped when the job ends. */
  analysisData?: unknown;
  status: JobStatus;
  error?: ErrorData;
  /** Settles when the job's work folder (with its pending record) exists. */
  workReady?: Promise<string>;
  /** Settles when the run has ended (or, for a job that ignored cancel, when the grace period ran out). */
  settled?: Promise<void>;
  lastStage?: string;
  lastFraction: number;
  lastSentAt: number;
}

export interface JobInfo {
  readonly jobId: string;
  readonly kind: JobKind;
  readonly status: JobStatus;
  readonly result?: StoredResult;
  readonly error?: ErrorData;
}

export interface QueueStats {
  readonly running: number;
  readonly queued: number;
  readonly resolving: number;
  readonly concurrency: number;
  readonly maxQueuedJobs: number;
  readonly finished: number;
  readonly failed: number;
  readonly cancelled: number;
}

const NO_SINK: JobSink = { progress() {}, finished() {}, failed() {}, cancelled() {} };

/** Finished jobs whose status stays in memory (results are re-read from disk). */
const MAX_REMEMBERED = 500;

export class JobManager {
  private readonly store: JobStore;
  private readonly runJob: RunJob;
  readonly concurrency: number;
  readonly maxQueuedJobs: number;
  private readonly resolveConcurrency: number;
  private readonly cancelGraceMs: number;
  private readonly progressIntervalMs: number;
  private readonly analysisCacheSize: number;

  private readonly jobs = new Map<string, Job>();
  private readonly queue: Job[] = [];
  private readonly resolveQueue: Job[] = [];
  private running = 0;
  private resolving = 0;
  private readonly counts = { finished: 0, failed: 0, cancelled: 0 };
  private readonly analyses = new Map<string, unknown>();
  private closed = false;
  private workWrites: Promise<unknown> = Promise.resolve();
  private readonly retention: RetentionPolicy | undefined;
  private pruning: Promise<unknown> | undefined;

  constructor(options: JobManagerOptions) {
    this.store = options.store;
    this.runJob = options.runJob;
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 2));
    this.maxQueuedJobs = Math.max(0, Math.floor(options.maxQueuedJobs ?? 32));
    this.resolveConcurrency = Math.max(1, Math.floor(options.resolveConcurrency ?? 2));
    this.cancelGraceMs = options.cancelGraceMs ?? 10_000;
    this.progressIntervalMs = options.progressIntervalMs ?? 100;
    this.analysisCacheSize = Math.max(1, options.analysisCacheSize ?? 8);
    this.retention = options.retention;
  }

  /**
   * Queues a job. Throws AM_ERR_QUEUE_FULL when too many wait, and for resolve AM_ERR_JOB_NOT_FOUND (no
   * such finished job) or AM_ERR_CACHE_CORRUPT (its analysis is unreadable).
   */
  async submit(request: JobRequest, ownerId: string, sink: JobSink): Promise<{ jobId: string; queuePosition: number; request: JobRequest }> {
    if (this.closed) throw new MontageError('AM_ERR_QUEUE_FULL', 'The companion is shutting down.');
    let analysisJobId: string | undefined;
    let analysisData: unknown;
    if (request.kind === 'resolve') {
      ({ request, analysisJobId, analysisData } = await this.prepareResolve(request));
    } else if (this.queue.length + 1 - Math.max(0, this.concurrency - this.running) > this.maxQueuedJobs) {
      throw new MontageError('AM_ERR_QUEUE_FULL', `${this.queue.length} jobs are already waiting (the limit is ${this.maxQueuedJobs}); try again when one finishes.`, {
        details: { queued: this.queue.length, maxQueuedJobs: this.maxQueuedJobs },
      });
    }
    const id = newJobId();
    const createdAt = new Date();
    const job: Job = {
      id,
      kind: request.kind,
      request,
      ownerId,
      createdAt,
      source: new CancellationTokenSource(),
      sink,
      analysisJobId: analysisJobId ?? id,
      analysisData,
      status: 'queued',
      lastFraction: 0,
      lastSentAt: 0,
    };
    this.jobs.set(id, job);
    const lane = request.kind === 'resolve' ? this.resolveQueue : this.queue;
    const freeSlots = Math.max(0, request.kind === 'resolve' ? this.resolveConcurrency - this.resolving : this.concurrency - this.running);
    const queuePosition = lane.length >= freeSlots ? lane.length - freeSlots + 1 : 0;
    lane.push(job);
    // Recorded on disk before `accepted`, so a crash from here on is reported as AM_ERR_INTERRUPTED after a
    // restart. The job holds its queue place meanwhile (the checks above stay true); it runs once written.
    // Written one after another, so jobs are accepted in the order they were submitted.
    job.workReady = this.workWrites.then(() => this.store.createWork(id, { kind: request.kind, createdAt: createdAt.toISOString() }));
    this.workWrites = job.workReady.catch(() => '');
    // Start on the next tick so the caller can send `accepted` before the first progress frame.
    setImmediate(() => this.pump());
    try {
      await job.workReady;
    } catch (cause) {
      lane.splice(lane.indexOf(job), 1);
      this.jobs.delete(id);
      throw new MontageError('AM_ERR_OUTPUT_WRITE', `Cannot create the job's folder in ${this.store.jobsDir}.`, { where: { file: this.store.jobsDir }, cause });
    }
    return { jobId: id, queuePosition, request };
  }

  private async prepareResolve(request: JobRequest): Promise<{ request: JobRequest; analysisJobId: string; analysisData: unknown }> {
    const sourceId = request.sourceJobId ?? '';
    const live = this.jobs.get(sourceId);
    if (live && live.status !== 'done') {
      throw new MontageError('AM_ERR_JOB_NOT_FOUND', `Job ${sourceId} is ${live.status}; only a finished job can be re-solved.`, { where: { field: 'jobId' } });
    }
    const stored = await this.store.load(sourceId);
    if (!stored) throw new MontageError('AM_ERR_JOB_NOT_FOUND', `No finished job ${JSON.stringify(sourceId)}.`, { where: { field: 'jobId' } });
    const analysisJobId = stored.job.analysisJobId;
    let analysisData = this.analyses.get(analysisJobId);
    if (analysisData === undefined) {
      analysisData = await this.store.loadAnalysis(analysisJobId);
      this.remember(analysisJobId, analysisData);
    }
    const base = stored.job.request;
    // The analysis is reused as it is: an option that would change it cannot be honoured by a re-solve.
    const effective = (options: MontageOptions, key: AnalysisOption) => (key === 'mood' ? (options.mood ?? 'auto') : options[key]);
    const changed = ANALYSIS_OPTIONS.find((key) => request.options[key] !== undefined && effective(request.options, key) !== effective(base.options, key));
    if (changed) {
      const had = effective(base.options, changed);
      throw new MontageError(
        'AM_ERR_INVALID_ARGUMENT',
        `${changed} changes the analysis, which a resolve reuses (job ${sourceId} has ${had === undefined ? 'the detected value' : JSON.stringify(had)}); start a montage with it instead.`,
        { where: { field: `options.${changed}` } },
      );
    }
    const options: MontageOptions = { ...base.options, ...definedOnly(request.options) };
    const formats = request.formats ?? base.formats;
    return {
      analysisJobId,
      analysisData,
      request: { kind: 'resolve', movie: base.movie, ...(base.sources ? { sources: base.sources } : {}), ...(base.rate ? { rate: base.rate } : {}), music: base.music, options, ...(formats ? { formats } : {}), preview: request.preview, sourceJobId: sourceId },
    };
  }

  private remember(analysisJobId: string, data: unknown): void {
    this.analyses.delete(analysisJobId);
    this.analyses.set(analysisJobId, data);
    while (this.analyses.size > this.analysisCacheSize) {
      const oldest = this.analyses.keys().next().value;
      if (oldest === undefined) break;
      this.analyses.delete(oldest);
    }
  }

  private pump(): void {
    if (this.closed) return;
    while (this.running < this.concurrency && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.running++;
      job.settled = this.execute(job).finally(() => {
        this.running--;
        this.pump();
      });
    }
    while (this.resolving < this.resolveConcurrency && this.resolveQueue.length > 0) {
      const job = this.resolveQueue.shift()!;
      this.resolving++;
      job.settled = this.execute(job).finally(() => {
        this.resolving--;
        this.pump();
      });
    }
  }

  private async execute(job: Job): Promise<void> {
    const token = job.source.token;
    if (token.isCancellationRequested) return; // cancelled while queued; already reported
    job.status = 'running';
    const started = Date.now();
    const progress = { report: (report: ProgressReport) => this.reportProgress(job, report) };
    let finished = false;
    const run = (async () => {
      await job.workReady;
      const outDir = this.store.workFilesDir(job.id);
      const output = await this.runJob(job.request, { jobId: job.id, outDir, cacheDir: this.store.cacheDir, ...(job.analysisData === undefined ? {} : { analysisData: job.analysisData }) }, progress, token);
      if (token.isCancellationRequested) throw new CancellationError();
      if ((job.kind === 'montage' || job.kind === 'resolve') && !output.montage) {
        throw new MontageError('AM_ERR_INTERNAL', `The ${job.kind} job returned no montage.`);
      }
      const result = await this.store.publish(
        {
          schema: 'Job.1',
          jobId: job.id,
          kind: job.kind,
          request: job.request,
          createdAt: job.createdAt.toISOString(),
          finishedAt: new Date().toISOString(),
          analysisJobId: job.analysisJobId,
        },
        {
          schema: 'JobResult.1',
          kind: job.kind,
          ...(job.request.sourceJobId ? { sourceJobId: job.request.sourceJobId } : {}),
          elapsedMs: Date.now() - started,
          analysis: output.analysis,
          ...(output.montage ? { montage: output.montage } : {}),
        },
        job.kind === 'resolve' ? undefined : output.analysisData,
      );
      if (job.kind !== 'resolve' && output.analysisData !== undefined) this.remember(job.id, output.analysisData);
      return result;
    })();
    // A job that ignores cancellation must not hold its slot forever.
    const grace = new Promise<'timeout'>((resolve) => {
      const subscription = token.onCancellationRequested(() => {
        const timer = setTimeout(() => resolve('timeout'), this.cancelGraceMs);
        timer.unref();
        void run.finally(() => clearTimeout(timer)).catch(() => {});
        subscription.dispose();
      });
      void run.finally(() => subscription.dispose()).catch(() => {});
    });
    try {
      const outcome = await Promise.race([run, grace]);
      if (outcome === 'timeout') {
        void run.catch(() => {}).finally(() => this.store.discard(job.id));
        throw new CancellationError('The job did not stop in time after cancel; its output is discarded.');
      }
      finished = true;
      job.status = 'done';
      this.counts.finished++;
      job.sink.finished(outcome);
      this.prune();
    } catch (error) {
      if (!finished) await this.store.discard(job.id).catch(() => {});
      if (token.isCancellationRequested || error instanceof CancellationError) {
        if ((job.status as JobStatus) !== 'cancelled') {
          job.status = 'cancelled';
          this.counts.cancelled++;
          job.sink.cancelled();
        }
      } else {
        job.status = 'failed';
        job.error = toMontageError(error).toJSON();
        this.counts.failed++;
        job.sink.failed(job.error);
      }
    } finally {
      this.release(job);
      this.forgetOld();
    }
  }

  /** Applies the retention policy in the background; a finish during a prune is covered by the next one. */
  private prune(): void {
    if (!this.retention || this.pruning) return;
    this.pruning = this.store
      .prune(this.retention, new Set(this.liveJobIds()))
      .catch(() => {}) // a folder that cannot be removed now is tried again after the next job
      .finally(() => (this.pruning = undefined));
  }

  /** Lets go of what an ended job no longer needs (its connection, a resolve's analysis). */
  private release(job: Job): void {
    job.source.dispose();
    job.sink = NO_SINK;
    job.analysisData = undefined;
  }

  private reportProgress(job: Job, report: ProgressReport): void {
    if (job.status !== 'running' || job.source.token.isCancellationRequested) return;
    const stage = String(report.stage).slice(0, 64);
    let fraction = Number.isFinite(report.fraction) ? Math.min(1, Math.max(0, report.fraction)) : 0;
    const now = Date.now();
    if (stage === job.lastStage) {
      fraction = Math.max(fraction, job.lastFraction); // never backwards within a stage
      if (fraction < 1 && now - job.lastSentAt < this.progressIntervalMs) return;
      if (fraction === job.lastFraction && job.lastSentAt !== 0 && fraction === 1) return;
    }
    job.lastStage = stage;
    job.lastFraction = fraction;
    job.lastSentAt = now;
    const message = report.message === undefined ? undefined : String(report.message).slice(0, 500);
    job.sink.progress({ stage, fraction, ...(message === undefined ? {} : { message }) });
  }

  /**
   * Cancels a queued or running job of `ownerId`. A queued job ends at once; a running one ends when its
   * run stops. Throws AM_ERR_JOB_NOT_FOUND for an unknown job or another connection's job.
   */
  cancel(jobId: string, ownerId: string): JobStatus {
    const job = this.jobs.get(jobId);
    if (!job || job.ownerId !== ownerId) {
      throw new MontageError('AM_ERR_JOB_NOT_FOUND', `No job ${JSON.stringify(jobId)} of this connection is queued or running.`, { where: { field: 'jobId' } });
    }
    this.cancelJob(job);
    return job.status;
  }

  private cancelJob(job: Job): void {
    if (job.status === 'queued') {
      job.source.cancel();
      for (const lane of [this.queue, this.resolveQueue]) {
        const index = lane.indexOf(job);
        if (index >= 0) lane.splice(index, 1);
      }
      job.status = 'cancelled';
      const { sink } = job;
      this.release(job);
      // Its work folder (made at acceptance, maybe still being made) goes before anyone hears `cancelled`:
      // a cancelled job leaves no output (protocol invariant 6).
      void (job.workReady ?? Promise.resolve())
        .then(() => this.store.discard(job.id))
        .catch(() => {})
        .then(() => {
          this.counts.cancelled++;
          sink.cancelled();
        });
    } else if (job.status === 'running') {
      job.source.cancel();
    }
  }

  /** Cancels every queued and running job of a connection (it closed). */
  cancelOwner(ownerId: string): void {
    for (const job of [...this.jobs.values()]) if (job.ownerId === ownerId) this.cancelJob(job);
  }

  /** A job's state: live jobs from memory, finished and interrupted ones (also of earlier runs) from disk. */
  async info(jobId: string): Promise<JobInfo | undefined> {
    const job = this.jobs.get(jobId);
    if (job && job.status !== 'done') return { jobId, kind: job.kind, status: job.status, ...(job.error ? { error: job.error } : {}) };
    const stored = await this.store.load(jobId);
    if (stored) return { jobId, kind: stored.job.kind, status: 'done', result: stored.result };
    const failure = await this.store.loadFailure(jobId);
    return failure ? { jobId, kind: failure.kind, status: 'failed', error: failure.error } : undefined;
  }

  stats(): QueueStats {
    return {
      running: this.running,
      queued: this.queue.length,
      resolving: this.resolving + this.resolveQueue.length,
      concurrency: this.concurrency,
      maxQueuedJobs: this.maxQueuedJobs,
      ...this.counts,
    };
  }

  /** Ids of live (queued or running) jobs. */
  liveJobIds(): string[] {
    return [...this.jobs.values()].filter((job) => job.status === 'queued' || job.status === 'running').map((job) => job.id);
  }

  /** Cancels everything and waits until every run has stopped. */
  async close(): Promise<void> {
    const pending = [...this.jobs.values()].filter((job) => job.status === 'queued' || job.status === 'running');
    for (const job of pending) this.cancelJob(job);
    this.closed = true;
    await Promise.all(pending.map((job) => job.settled?.catch(() => {})));
    await this.pruning;
  }

  private forgetOld(): void {
    if (this.jobs.size <= MAX_REMEMBERED) return;
    for (const [id, job] of this.jobs) {
      if (this.jobs.size <= MAX_REMEMBERED) break;
      if (job.status !== 'queued' && job.status !== 'running') this.jobs.delete(id);
    }
  }
}

/** Sortable by creation time, unguessable, safe as a folder name. */
export function newJobId(): string {
  return `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
}
