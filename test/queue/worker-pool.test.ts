/**
 * The worker pool end to end, with a real redis-server (persistence on), real worker processes
 * (`auto-montage worker`), real generated media and the real companion over its WebSocket.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { readCache } from '../../companion/analysis/cache';
import { CancellationToken, Progress } from '../../companion/core/lifecycle';
import type { AcceptedMessage, MontageResultMessage, ProgressMessage } from '../../companion/protocol/messages';
import { AnalysisQueue, type EnqueuedJob } from '../../companion/queue/analysis-queue';
import type { AnalysisJobResult } from '../../companion/queue/analysis-jobs';
import { cliProcess } from '../support/cli';
import { scratchDir } from '../support/paths';
import { childProcesses, connectReady, startTestServer } from '../server/ws-client';
import { generateLibrary, generateMovie, startWorkerProcess, stopWorkerProcess, type LoggedEvent, type WorkerProcess } from './pool-support';
import { RedisServer, SKIP_NO_REDIS } from './redis-server';

const skip = SKIP_NO_REDIS;
let redis: RedisServer;
let root: string;
let cacheDir: string;
let library: { movies: string[]; music: string[] };
let long: string[];
const workers: WorkerProcess[] = [];

const started = (worker: WorkerProcess) => worker.events.filter((e): e is Extract<LoggedEvent, { type: 'started' }> => e.type === 'started');

before(async () => {
  if (skip) return;
  root = scratchDir('pool');
  cacheDir = join(root, 'shared-cache');
  // Two long films (30 s, about 2 s of work each) to stop mid-job: one by kill -9, one by a panel cancel.
  const [server, files, longA, longB] = await Promise.all([RedisServer.start(), generateLibrary(join(root, 'library')), generateMovie(join(root, 'long-a.mp4'), 9, 10, 3), generateMovie(join(root, 'long-b.mp4'), 8, 10, 3)]);
  redis = server;
  library = files;
  long = [longA, longB];
  workers.push(...(await Promise.all([0, 1].map(() => startWorkerProcess(redis.url, cacheDir, ['--lock-seconds', '2'])))));
});

after(async () => {
  if (skip) return;
  for (const worker of workers) worker.child.kill('SIGKILL');
  await Promise.all(workers.map((worker) => worker.exited));
  await redis?.dispose();
});

/** Every cache entry reads back whole, and nothing temporary is left. */
async function assertCacheWhole(dir: string): Promise<void> {
  const names = readdirSync(dir);
  assert.deepEqual(names.filter((name) => !name.endsWith('.json')), [], 'only whole entries in the shared cache');
  for (const name of names) {
    const lookup = await readCache(dir, name.replace(/\.json$/, ''));
    assert.equal(lookup.status, 'hit', `${name}: ${JSON.stringify(lookup)}`);
  }
}

test('two workers and six files: each file is analysed once, and a montage from the companion uses the shared results', { skip, timeout: 240_000 }, async () => {
  // The same film under a second name (same bytes and time: the same content) is the same job.
  const twin = join(root, 'library', 'film-0-copy.mp4');
  copyFileSync(library.movies[0]!, twin);
  const { mtime } = statSync(library.movies[0]!);
  utimesSync(twin, mtime, mtime);

  const first = await cliProcess(['enqueue', '--redis', redis.url, join(root, 'library'), '--json']);
  assert.equal(first.code, 0, first.stderr);
  const lines = first.stdout.trim().split('\n').map((line) => JSON.parse(line) as { jobId: string; path: string; kind: string });
  assert.equal(lines.length, 7, 'seven files found in the folder');
  assert.equal(new Set(lines.map((l) => l.jobId)).size, 6, 'the copy has the original’s job id');
  assert.deepEqual(lines.filter((l) => l.kind === 'music').length, 2);
  // Queued again, while it runs: nothing new.
  const second = await cliProcess(['enqueue', '--redis', redis.url, ...library.movies, ...library.music, '--wait', '--json']);
  assert.equal(second.code, 0, second.stderr);
  const ends = second.stdout.trim().split('\n').map((line) => JSON.parse(line) as { jobId: string; state: string; existing?: boolean; result?: AnalysisJobResult });
  assert.ok(ends.filter((e) => e.existing !== undefined).every((e) => e.existing), 'the second enqueue found every job');
  const results = ends.filter((e) => e.state === 'completed' && e.result);
  assert.equal(results.length, 6, JSON.stringify(ends));

  const starts = workers.flatMap(started);
  assert.equal(starts.length, 6, `six analyses in all: ${JSON.stringify(starts.map((s) => s.jobId))}`);
  assert.equal(new Set(starts.map((s) => s.jobId)).size, 6, 'each job ran once');
  assert.ok(workers.every((w) => started(w).length > 0), `both workers took jobs: ${workers.map((w) => started(w).length).join(' + ')}`);
  assert.ok(results.every((e) => !e.result!.fromCache), 'each was analysed, not read back');
  await assertCacheWhole(cacheDir);

  // The companion with --redis: its montage queues the two analyses, finds them done, and reads the shared cache.
  // Without ffmpeg it could not decode anything itself, so finishing proves it used the workers' results.
  const server = await startTestServer({ queue: { redisUrl: redis.url, cacheDir }, extensionsDir: join(root, 'no-extensions') });
  const ffmpeg = process.env['FFMPEG_PATH'];
  process.env['FFMPEG_PATH'] = join(root, 'no-ffmpeg-here');
  try {
    const client = await connectReady(server);
    client.send({ type: 'montage', requestId: 'm', movie: { path: library.movies[1]! }, music: { path: library.music[0]! }, options: { scenes: 2 }, formats: ['edl'], preview: false });
    const accepted = await client.next<AcceptedMessage>((m) => m.type === 'accepted');
    const terminal = await client.next((m) => (m.type === 'result' || m.type === 'error') && 'jobId' in m && m.jobId === accepted.jobId, 120_000);
    assert.equal(terminal.type, 'result', JSON.stringify(terminal));
    const result = terminal as MontageResultMessage;
    const movieJob = results.find((e) => e.result!.path === library.movies[1]);
    assert.equal(result.analysis.shots.length, movieJob?.result?.shots, 'the shots the worker found');
    assert.ok(result.montage.plan.shotCount > 0);
    assert.ok(!JSON.stringify(result.montage.plan.diagnostics).includes('AM_ERR_FFMPEG'), JSON.stringify(result.montage.plan.diagnostics));
    const frames = client.received.filter((m): m is ProgressMessage => m.type === 'progress' && m.jobId === accepted.jobId);
    for (const stage of new Set(frames.map((p) => p.stage))) {
      const fractions = frames.filter((p) => p.stage === stage).map((p) => p.fraction);
      assert.deepEqual(fractions, [...fractions].sort((a, b) => a - b), `${stage} never goes back (queue, then the local run)`);
    }
    const queueStage = frames.filter((m) => m.stage === 'queue');
    assert.equal(queueStage.at(-1)?.fraction, 1);
    assert.match(queueStage.at(-1)?.message ?? '', /movie by .+, music by .+/);
    await client.close();
  } finally {
    if (ffmpeg === undefined) delete process.env['FFMPEG_PATH'];
    else process.env['FFMPEG_PATH'] = ffmpeg;
    await server.close();
  }
  assert.equal(workers.flatMap(started).length, 6, 'the companion’s montage ran no analysis again');
});

test('a montage queued with enqueue is made by a worker from the shared analyses, into the shared folder', { skip, timeout: 120_000 }, async () => {
  const out = join(root, 'shared-out', 'montage-1');
  const before = new Set(workers.flatMap(started));
  const run = await cliProcess(['enqueue', '--redis', redis.url, '--movie', library.movies[2]!, '--music', library.music[1]!, '--out', out, '--scenes', '2', '--format', 'edl', '--no-preview', '--wait', '--json']);
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const [queued, done] = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { jobId: string; kind?: string; state: string; result?: AnalysisJobResult });
  assert.equal(queued?.kind, 'montage');
  assert.equal(done?.state, 'completed', run.stdout);
  assert.deepEqual([...(done?.result?.files ?? [])].sort(), readdirSync(out).sort());
  for (const name of ['plan.json', 'report.txt']) assert.ok(readdirSync(out).includes(name), name);
  assert.ok(readdirSync(out).some((name) => name.endsWith('.edl')));
  const montageStarts = workers.flatMap(started).filter((event) => !before.has(event));
  assert.deepEqual(montageStarts.map((s) => s.data.kind), ['montage'], 'one job ran: the montage (its analyses were in the cache)');
  // Queued again, it is the same job, already done.
  const again = await cliProcess(['enqueue', '--redis', redis.url, '--movie', library.movies[2]!, '--music', library.music[1]!, '--out', out, '--scenes', '2', '--format', 'edl', '--no-preview', '--json']);
  assert.equal((JSON.parse(again.stdout) as { jobId: string; state: string }).state, 'completed');
  assert.equal((JSON.parse(again.stdout) as { jobId: string }).jobId, queued?.jobId);
});

test('a panel job cancelled while its analysis runs on a worker stops it there: the worker’s ffmpeg processes end and the job is not retried', { skip, timeout: 120_000 }, async () => {
  const server = await startTestServer({ queue: { redisUrl: redis.url, cacheDir }, extensionsDir: join(root, 'no-extensions') });
  try {
    const client = await connectReady(server);
    client.send({ type: 'montage', requestId: 'c', movie: { path: long[1]! }, music: { path: library.music[0]! }, formats: ['edl'], preview: false });
    const accepted = await client.next<AcceptedMessage>((m) => m.type === 'accepted');
    const runner = await Promise.race(workers.map((worker) => worker.next((e) => e.type === 'started' && e.data.path === long[1]).then(() => worker)));
    const ffmpegChildren = () => childProcesses(runner.child.pid).filter((child) => child.command.includes('ffmpeg'));
    for (let i = 0; i < 200 && ffmpegChildren().length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(ffmpegChildren().length > 0, 'the worker decodes with ffmpeg');
    client.send({ type: 'cancel', requestId: 'x', jobId: accepted.jobId });
    await client.next((m) => m.type === 'cancelled' && 'jobId' in m && m.jobId === accepted.jobId);
    const failed = await runner.next((e) => e.type === 'failed' && /^AM_ERR_CANCELLED/.test(e.reason), 20_000);
    assert.equal(failed.type === 'failed' && failed.willRetry, false);
    for (let i = 0; i < 200 && ffmpegChildren().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(ffmpegChildren(), [], 'no ffmpeg left on the worker');
    await client.close();
  } finally {
    await server.close();
  }
  assert.equal(workers.flatMap(started).filter((e) => e.data.path === long[1]).length, 1, 'not run again');
});

test('kill -9 of a worker mid-job: the job completes on the other worker, and no partial cache entry is left', { skip, timeout: 120_000 }, async () => {
  const queue = await AnalysisQueue.open(redis.url);
  try {
    const job = await queue.enqueue({ kind: 'movie', path: long[0]! });
    const taken = await Promise.race(workers.map((worker) => worker.next((e) => e.type === 'started' && e.jobId === job.jobId).then(() => worker)));
    const survivor = workers.find((w) => w !== taken)!;
    taken.child.kill('SIGKILL');
    assert.equal(await taken.exited, 'SIGKILL');
    workers.splice(workers.indexOf(taken), 1);

    const result = await queue.wait(job.jobId, Progress.None, CancellationToken.None);
    assert.equal(result.worker, survivor.name, 'finished by the survivor');
    assert.equal(result.fromCache, false);
    const restart = started(survivor).find((e) => e.jobId === job.jobId);
    assert.ok(restart, 'the survivor took the stalled job');
    assert.ok(!taken.events.some((e) => e.type === 'completed' && e.jobId === job.jobId), 'the killed worker never finished it');
    await assertCacheWhole(cacheDir);
  } finally {
    await queue.close();
  }
  workers.push(await startWorkerProcess(redis.url, cacheDir, ['--lock-seconds', '2']));
});

test('a Redis restart mid-run: every job completes', { skip, timeout: 180_000 }, async () => {
  // New content (other modification times): four more jobs.
  const dir = join(root, 'second-batch');
  mkdirSync(dir);
  const copies = library.movies.map((movie, i) => {
    const copy = join(dir, `film-${i}.mp4`);
    copyFileSync(movie, copy);
    utimesSync(copy, 1_700_000_000 + i, 1_700_000_000 + i);
    return copy;
  });
  const queue = await AnalysisQueue.open(redis.url);
  try {
    const jobs: EnqueuedJob[] = [];
    for (const path of copies) jobs.push(await queue.enqueue({ kind: 'movie', path }));
    assert.ok(jobs.every((job) => !job.existing));
    const waits = jobs.map((job) => queue.wait(job.jobId, Progress.None, CancellationToken.None));
    await Promise.race(workers.map((worker) => worker.next((e) => e.type === 'started' && jobs.some((j) => j.jobId === e.jobId))));
    await redis.restart(1000);
    const results = await Promise.all(waits);
    assert.equal(results.length, 4);
    assert.deepEqual(new Set(results.map((r) => r.path)), new Set(copies));
    for (const job of jobs) assert.equal(await queue.state(job.jobId), 'completed');
    // The earlier jobs survived the restart too (Redis keeps them on disk).
    const listed = await queue.list();
    assert.ok(listed.filter((j) => j.state === 'completed').length >= 11, `${listed.length} jobs listed after the restart`);
  } finally {
    await queue.close();
  }
  await assertCacheWhole(cacheDir);
});
