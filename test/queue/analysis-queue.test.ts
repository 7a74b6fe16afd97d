/**
 * The analysis queue with a worker in this process, on a real redis-server: job ids by content, cancel of a
 * waiting and of a running job, typed failures without retry, retries with backoff, progress to a waiter.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CancellationError, MontageError } from '../../companion/core/errors';
import { CancellationToken, Progress, type ProgressReport } from '../../companion/core/lifecycle';
import { createExtensionHost, type ExtensionHost } from '../../companion/host/index';
import { liveProcessCount } from '../../companion/media/process';
import { Queue } from 'bullmq';
import { QUEUE_NAME, QUEUE_PREFIX } from '../../companion/queue/analysis-jobs';
import { AnalysisQueue } from '../../companion/queue/analysis-queue';
import { startAnalysisWorker, type AnalyseJob, type AnalysisWorker, type WorkerEvent } from '../../companion/queue/analysis-worker';
import { connectionOptions } from '../../companion/queue/connection';
import { scratchDir } from '../support/paths';
import { generateMovie } from './pool-support';
import { RedisServer, SKIP_NO_REDIS } from './redis-server';

const skip = SKIP_NO_REDIS;
let redis: RedisServer;
let host: ExtensionHost;
let dir: string;
let movie: string;
let long: string;

before(async () => {
  if (skip) return;
  dir = scratchDir('queue');
  [redis, host, movie, long] = await Promise.all([
    RedisServer.start(),
    createExtensionHost({ userExtensionsDir: join(dir, 'no-extensions') }),
    generateMovie(join(dir, 'short.mp4'), 1),
    generateMovie(join(dir, 'long.mp4'), 2, 10, 3),
  ]);
});

after(async () => {
  if (skip) return;
  host.dispose();
  await redis.dispose();
});

/** A fresh database per test: one Redis, sixteen databases. */
let database = 0;
const nextUrl = () => `${redis.url}/${++database}`;

async function withWorker<T>(url: string, options: { analyse?: AnalyseJob; events?: WorkerEvent[] }, body: (worker: AnalysisWorker) => Promise<T>): Promise<T> {
  const worker = await startAnalysisWorker({ redisUrl: url, cacheDir: join(dir, `cache-${database}`), host, lockMs: 2000, ...(options.analyse ? { analyse: options.analyse } : {}), onEvent: (event) => options.events?.push(event) });
  try {
    return await body(worker);
  } finally {
    await worker.close({ cancel: true });
  }
}

test('the same content queued twice, under two names, is one job; other content is another', { skip }, async () => {
  const queue = await AnalysisQueue.open(nextUrl());
  try {
    const copy = join(dir, 'same-content.mp4');
    copyFileSync(movie, copy);
    const { mtime } = statSync(movie);
    utimesSync(copy, mtime, mtime);
    const first = await queue.enqueue({ kind: 'movie', path: movie });
    const second = await queue.enqueue({ kind: 'movie', path: copy });
    const other = await queue.enqueue({ kind: 'movie', path: long });
    assert.equal(first.existing, false);
    assert.equal(first.state, 'waiting');
    assert.equal(second.jobId, first.jobId);
    assert.equal(second.existing, true);
    assert.notEqual(other.jobId, first.jobId);
    // Music settings are part of the id: the same file with another metre is another analysis.
    const plain = await queue.enqueue({ kind: 'music', path: movie, music: {} });
    const inThree = await queue.enqueue({ kind: 'music', path: movie, music: { beatsPerBar: 3 } });
    assert.notEqual(plain.jobId, inThree.jobId);
    assert.deepEqual((await queue.list()).map((job) => job.state), ['waiting', 'waiting', 'waiting', 'waiting']);
  } finally {
    await queue.close();
  }
});

test('a waiting job cancelled is removed from the queue, and its waiter hears it is gone', { skip }, async () => {
  const queue = await AnalysisQueue.open(nextUrl());
  try {
    const job = await queue.enqueue({ kind: 'movie', path: movie });
    assert.equal(await queue.cancel(job.jobId), 'removed');
    assert.equal(await queue.state(job.jobId), 'unknown');
    await assert.rejects(queue.wait(job.jobId, Progress.None, CancellationToken.None), (error: unknown) => error instanceof MontageError && error.code === 'AM_ERR_JOB_NOT_FOUND');
    assert.equal(await queue.cancel(job.jobId), 'unknown');
  } finally {
    await queue.close();
  }
});

test('a running job cancelled stops on its worker, its ffmpeg processes killed, and fails as cancelled without a retry', { skip, timeout: 60_000 }, async () => {
  const url = nextUrl();
  const queue = await AnalysisQueue.open(url);
  const events: WorkerEvent[] = [];
  try {
    await withWorker(url, { events }, async () => {
      const job = await queue.enqueue({ kind: 'movie', path: long });
      const reports: ProgressReport[] = [];
      const waited = queue.wait(job.jobId, { report: (r) => reports.push(r) }, CancellationToken.None);
      // Cancel once it decodes (ffmpeg is running then).
      while (!reports.some((r) => r.stage === 'decode')) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(await queue.cancel(job.jobId), 'signalled');
      await assert.rejects(waited, (error: unknown) => error instanceof CancellationError);
      assert.equal(await queue.state(job.jobId), 'failed');
      const failures = events.filter((e) => e.type === 'failed');
      assert.equal(failures.length, 1);
      assert.match(failures[0]!.type === 'failed' ? failures[0]!.reason : '', /^AM_ERR_CANCELLED/);
      assert.equal(failures[0]!.type === 'failed' && failures[0]!.willRetry, false);
      assert.equal(events.filter((e) => e.type === 'started').length, 1, 'not run again');
      assert.equal(liveProcessCount(), 0, 'no ffmpeg left running');
      // Queued again, a cancelled analysis is tried afresh.
      const again = await queue.enqueue({ kind: 'movie', path: long });
      assert.equal(again.existing, false);
      const result = await queue.wait(again.jobId, Progress.None, CancellationToken.None);
      assert.equal(result.fromCache, false);
    });
  } finally {
    await queue.close();
  }
});

test('a file that is not media fails at once with its typed error, without a retry', { skip, timeout: 30_000 }, async () => {
  const url = nextUrl();
  const queue = await AnalysisQueue.open(url);
  const notMedia = join(dir, 'notes.mp4');
  writeFileSync(notMedia, 'not a movie\n');
  const events: WorkerEvent[] = [];
  try {
    await withWorker(url, { events }, async () => {
      const job = await queue.enqueue({ kind: 'movie', path: notMedia });
      await assert.rejects(queue.wait(job.jobId, Progress.None, CancellationToken.None), (error: unknown) => error instanceof MontageError && error.code === 'AM_ERR_MEDIA_UNREADABLE' && error.message.includes(notMedia));
      assert.equal(events.filter((e) => e.type === 'started').length, 1);
      const [listed] = await queue.list();
      assert.equal(listed?.state, 'failed');
      assert.match(listed?.failedReason ?? '', /^AM_ERR_MEDIA_UNREADABLE: /);
    });
  } finally {
    await queue.close();
  }
});

test('a failure that may pass is retried after a backoff, and the job completes', { skip, timeout: 30_000 }, async () => {
  const url = nextUrl();
  const queue = await AnalysisQueue.open(url);
  const attempts: number[] = [];
  const flaky: AnalyseJob = async (_data, _options, progress) => {
    attempts.push(Date.now());
    progress.report({ stage: 'decode', fraction: 0.5 });
    if (attempts.length === 1) throw new MontageError('AM_ERR_PROCESS_TIMEOUT', 'ffmpeg stalled');
    return { fromCache: false, shots: 1 };
  };
  try {
    await withWorker(url, { analyse: flaky }, async () => {
      const job = await queue.enqueue({ kind: 'movie', path: movie });
      const result = await queue.wait(job.jobId, Progress.None, CancellationToken.None);
      assert.equal(result.shots, 1);
      assert.equal(attempts.length, 2);
      assert.ok(attempts[1]! - attempts[0]! >= 1900, `the retry waited ${attempts[1]! - attempts[0]!} ms (backoff 2 s)`);
      const [listed] = await queue.list();
      assert.equal(listed?.attempts, 2);
    });
  } finally {
    await queue.close();
  }
});

test('progress reaches a waiter through BullMQ, and job data that is not an analysis fails as invalid', { skip, timeout: 30_000 }, async () => {
  const url = nextUrl();
  const queue = await AnalysisQueue.open(url);
  try {
    await withWorker(url, {}, async () => {
      const job = await queue.enqueue({ kind: 'movie', path: movie });
      const reports: ProgressReport[] = [];
      const result = await queue.wait(job.jobId, { report: (r) => reports.push(r) }, CancellationToken.None);
      const stages = [...new Set(reports.map((r) => r.stage))];
      for (const stage of ['decode', 'emotion']) assert.ok(stages.includes(stage), `${stage} in ${stages.join(', ')}`);
      assert.ok(result.shots! >= 1);
      // Another program's job on our queue.
      const raw = new Queue(QUEUE_NAME, { connection: connectionOptions(url), prefix: QUEUE_PREFIX });
      try {
        await raw.add('movie', { kind: 'film', file: 42 }, { jobId: 'foreign-job' });
      } finally {
        await raw.close();
      }
      await assert.rejects(queue.wait('foreign-job', Progress.None, CancellationToken.None), (error: unknown) => error instanceof MontageError && error.code === 'AM_ERR_INVALID_ARGUMENT');
    });
  } finally {
    await queue.close();
  }
});
