/**
 * Worker pool benchmarks: `npm run bench -- scale [throughput] [overhead] [first-progress] [--files N] [--seconds S]`
 * (all cases by default). Each run starts its own redis-server (Debian's, on a free loopback port, persistence
 * on) and real `auto-montage worker` processes; the library is generated into .bench/scale and reused.
 *
 *   scale.throughput      a library of N generated movies (default 8 × 30 s, 320×180) analysed from an empty
 *                         cache by 1 worker, then by 2 (each worker: concurrency 1, every core for decoding);
 *                         files per minute, seconds of film per second, and the speed-up of 2 over 1
 *   scale.overhead        what the queue adds per job: (a) jobs that do no work (an in-process worker with
 *                         a no-op analysis), enqueue → the waiter hears `completed`, one job at a time; (b) real
 *                         analyses one at a time, the waiter's time minus the worker's own elapsed time.
 *                         Target: ≤ 50 ms per job
 *   scale.firstProgress   enqueue → the first progress event at the waiter, an idle worker ready, real movies
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { CancellationToken, Progress } from '../companion/core/lifecycle';
import { createExtensionHost } from '../companion/host/index';
import { AnalysisQueue } from '../companion/queue/analysis-queue';
import { startAnalysisWorker } from '../companion/queue/analysis-worker';
import { generateMovie, startWorkerProcess, type WorkerProcess } from '../test/queue/pool-support';
import { RedisServer, redisServerPath } from '../test/queue/redis-server';
import { repoRoot } from '../test/support/paths';

const benchDir = join(repoRoot, '.bench', 'scale');

function print(record: Record<string, unknown>): void {
  console.log(JSON.stringify(record));
}

const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))] ?? NaN;
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  const value = index >= 0 ? Number(args[index + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

/** N movies of `seconds` each (3-second shots), generated once into .bench/scale/library-S. */
async function library(count: number, seconds: number): Promise<string[]> {
  const dir = join(benchDir, `library-${seconds}s`);
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(dir, `film-${i}.mp4`);
    if (!existsSync(path)) await generateMovie(path, 100 + i, Math.max(1, Math.round(seconds / 3)), 3);
    files.push(path);
  }
  return files;
}

function flush(url: string): void {
  const { port, pathname } = new URL(url);
  execFileSync('redis-cli', ['-p', port, '-n', pathname.slice(1) || '0', 'flushdb']);
}

async function stopAll(workers: WorkerProcess[]): Promise<void> {
  for (const worker of workers) worker.child.kill('SIGTERM');
  await Promise.all(workers.map((worker) => worker.exited));
}

/** Analyses `files` from an empty cache with `count` worker processes; seconds from the first enqueue to the last completion. */
async function poolRun(redis: RedisServer, database: number, files: string[], count: number): Promise<{ wallSeconds: number; jobSeconds: number[]; perWorker: number[] }> {
  const url = `${redis.url}/${database}`;
  flush(url);
  const cacheDir = join(benchDir, `cache-${count}`);
  rmSync(cacheDir, { recursive: true, force: true });
  const workers = await Promise.all(Array.from({ length: count }, () => startWorkerProcess(url, cacheDir)));
  const queue = await AnalysisQueue.open(url);
  try {
    const started = performance.now();
    const jobs = await Promise.all(files.map((path) => queue.enqueue({ kind: 'movie', path })));
    const results = await Promise.all(jobs.map((job) => queue.wait(job.jobId, Progress.None, CancellationToken.None)));
    const wallSeconds = (performance.now() - started) / 1000;
    if (results.some((r) => r.fromCache)) throw new Error('a job found its analysis cached: the run is not from an empty cache');
    return { wallSeconds, jobSeconds: results.map((r) => r.elapsedMs / 1000), perWorker: workers.map((w) => w.events.filter((e) => e.type === 'completed').length) };
  } finally {
    await queue.close();
    await stopAll(workers);
  }
}

async function throughput(redis: RedisServer, args: string[]): Promise<void> {
  const count = option(args, 'files', 8);
  const seconds = option(args, 'seconds', 30);
  const files = await library(count, seconds);
  const filmSeconds = count * seconds;
  const runs: Record<number, number> = {};
  for (const workers of [1, 2]) {
    const load = loadavg()[0]!;
    const run = await poolRun(redis, workers, files, workers);
    runs[workers] = run.wallSeconds;
    print({
      bench: 'scale.throughput',
      workers,
      files: count,
      filmSecondsEach: seconds,
      wallSeconds: round(run.wallSeconds, 2),
      filesPerMinute: round((count / run.wallSeconds) * 60, 1),
      filmSecondsPerSecond: round(filmSeconds / run.wallSeconds, 1),
      meanJobSeconds: round(mean(run.jobSeconds), 2),
      jobsPerWorker: run.perWorker,
      cores: availableParallelism(),
      loadBefore: round(load, 2),
    });
  }
  print({ bench: 'scale.throughput.speedup', workers: '2 vs 1', speedup: round(runs[1]! / runs[2]!, 2), cores: availableParallelism(), note: 'each worker decodes with every core; on a 2-core machine two workers share them' });
}

async function overhead(redis: RedisServer): Promise<void> {
  // (a) The queue alone: jobs that do nothing, one at a time, through a worker in this process.
  const url = `${redis.url}/5`;
  flush(url);
  const dir = join(benchDir, 'noop');
  mkdirSync(dir, { recursive: true });
  const host = await createExtensionHost({ userExtensionsDir: join(benchDir, 'no-extensions') });
  const worker = await startAnalysisWorker({ redisUrl: url, cacheDir: join(dir, 'cache'), host, analyse: async (_data, _options, progress) => (progress.report({ stage: 'decode', fraction: 1 }), { fromCache: false }) });
  const queue = await AnalysisQueue.open(url);
  const latencies: number[] = [];
  try {
    for (let i = 0; i < 100; i++) {
      const path = join(dir, `file-${i}.bin`);
      writeFileSync(path, `file ${i}\n`);
      const started = performance.now();
      const job = await queue.enqueue({ kind: 'movie', path });
      await queue.wait(job.jobId, Progress.None, CancellationToken.None);
      latencies.push(performance.now() - started);
    }
  } finally {
    await queue.close();
    await worker.close();
    host.dispose();
  }
  const warm = latencies.slice(5);
  print({ bench: 'scale.overhead', case: 'no-op jobs', jobs: warm.length, meanMs: round(mean(warm), 1), p50Ms: round(percentile(warm, 0.5), 1), p95Ms: round(percentile(warm, 0.95), 1), maxMs: round(Math.max(...warm), 1), targetMs: 50, pass: percentile(warm, 0.95) <= 50 });

  // (b) Real analyses, one at a time: what the waiter saw minus what the worker spent.
  const realUrl = `${redis.url}/6`;
  flush(realUrl);
  const files = await library(6, 6);
  const cacheDir = join(benchDir, 'cache-overhead');
  rmSync(cacheDir, { recursive: true, force: true });
  const realWorker = await startWorkerProcess(realUrl, cacheDir);
  const realQueue = await AnalysisQueue.open(realUrl);
  const extra: number[] = [];
  try {
    for (const path of files) {
      const started = performance.now();
      const job = await realQueue.enqueue({ kind: 'movie', path });
      const result = await realQueue.wait(job.jobId, Progress.None, CancellationToken.None);
      extra.push(performance.now() - started - result.elapsedMs);
    }
  } finally {
    await realQueue.close();
    await stopAll([realWorker]);
  }
  print({ bench: 'scale.overhead', case: 'real movies (6 s each)', jobs: extra.length, meanMs: round(mean(extra), 1), p50Ms: round(percentile(extra, 0.5), 1), maxMs: round(Math.max(...extra), 1), targetMs: 50, pass: mean(extra) <= 50, note: 'includes fingerprinting the file at enqueue' });
}

async function firstProgress(redis: RedisServer): Promise<void> {
  const url = `${redis.url}/7`;
  flush(url);
  const files = await library(6, 6);
  const cacheDir = join(benchDir, 'cache-progress');
  rmSync(cacheDir, { recursive: true, force: true });
  const worker = await startWorkerProcess(url, cacheDir);
  const queue = await AnalysisQueue.open(url);
  const delays: number[] = [];
  try {
    for (const path of files) {
      const started = performance.now();
      let first: number | undefined;
      const job = await queue.enqueue({ kind: 'movie', path });
      await queue.wait(job.jobId, { report: () => (first ??= performance.now() - started) }, CancellationToken.None);
      if (first !== undefined) delays.push(first);
    }
  } finally {
    await queue.close();
    await stopAll([worker]);
  }
  print({ bench: 'scale.firstProgress', jobs: delays.length, meanMs: round(mean(delays), 1), p50Ms: round(percentile(delays, 0.5), 1), maxMs: round(Math.max(...delays), 1), firstJobMs: round(delays[0] ?? NaN, 1), note: 'a worker waiting on the queue (blocking pop); the first event is the decode start, after the fingerprint and the probe' });
}

export async function run(args: string[]): Promise<void> {
  if (!redisServerPath()) {
    print({ bench: 'scale', skipped: 'redis-server is not installed (Debian: apt-get install redis-server)' });
    return;
  }
  const cases = args.filter((a) => !a.startsWith('--') && !/^\d+(\.\d+)?$/.test(a));
  const all = cases.length === 0;
  mkdirSync(benchDir, { recursive: true });
  const redis = await RedisServer.start();
  try {
    if (all || cases.includes('overhead')) await overhead(redis);
    if (all || cases.includes('first-progress')) await firstProgress(redis);
    if (all || cases.includes('throughput')) await throughput(redis, args);
  } finally {
    await redis.dispose();
  }
}
