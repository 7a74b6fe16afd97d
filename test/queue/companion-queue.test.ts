/**
 * The companion with a queue (`serve --redis`): its jobs wait for the workers with progress, a cancel from
 * the panel takes this job's analyses off the queue (not those someone else queued), and `serve --redis`
 * says where its analyses run.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../companion/cli';
import { CancellationTokenSource } from '../../companion/core/lifecycle';
import type { AcceptedMessage, ProgressMessage } from '../../companion/protocol/messages';
import { AnalysisQueue } from '../../companion/queue/analysis-queue';
import { formatServerBanner, type RunningServer } from '../../companion/server/index';
import { analysisJobsFor } from '../../companion/server/queued-run-job';
import { scratchDir } from '../support/paths';
import { connectReady, fakeRunJob, startTestServer } from '../server/ws-client';
import { generateMovie, generateMusic } from './pool-support';
import { RedisServer, SKIP_NO_REDIS } from './redis-server';

const skip = SKIP_NO_REDIS;
let redis: RedisServer;
let dir: string;
let movie: string;
let music: string;

before(async () => {
  if (skip) return;
  dir = scratchDir('companion-queue');
  [redis, movie, music] = await Promise.all([RedisServer.start(), generateMovie(join(dir, 'film.mp4'), 6), generateMusic(join(dir, 'song.m4a'), 128, 6)]);
});

after(async () => {
  if (!skip) await redis.dispose();
});

test('a companion job queues one analysis per movie file and the music with the overrides that change it', () => {
  const jobs = analysisJobsFor({
    kind: 'montage',
    movie: { path: '/films/a.mp4' },
    sources: [{ path: '/films/a.mp4', range: { startSeconds: 0, endSeconds: 10 } }, { path: '/films/b.mp4' }, { path: '/films/a.mp4', range: { startSeconds: 20, endSeconds: 30 } }],
    music: { path: '/music/song.ogg', range: { startSeconds: 30, endSeconds: 90 } },
    options: { beatsPerBar: 3, scenes: 4 },
    preview: false,
  });
  assert.deepEqual(jobs, [
    { kind: 'movie', path: '/films/a.mp4' },
    { kind: 'movie', path: '/films/b.mp4' },
    { kind: 'music', path: '/music/song.ogg', music: { rangeSeconds: { start: 30, end: 90 }, beatsPerBar: 3 } },
  ]);
});

test('cancelled from the panel while it waits for a worker, a job takes its own analyses off the queue but not one queued by someone else', { skip, timeout: 60_000 }, async () => {
  const url = `${redis.url}/2`;
  const queue = await AnalysisQueue.open(url);
  // Someone else queued the movie already (no worker runs: everything waits).
  const theirs = await queue.enqueue({ kind: 'movie', path: movie });
  const server = await startTestServer({ runJob: fakeRunJob(), queue: { redisUrl: url, cacheDir: join(dir, 'cache') } });
  try {
    const client = await connectReady(server);
    client.send({ type: 'montage', requestId: 'm', movie: { path: movie }, music: { path: music }, preview: false });
    const accepted = await client.next<AcceptedMessage>((m) => m.type === 'accepted');
    const waiting = await client.next<ProgressMessage>((m) => m.type === 'progress' && m.stage === 'queue');
    assert.equal(waiting.message, 'waiting for a worker');
    // Both analyses are on the queue before the cancel.
    let listed = await queue.list();
    while (listed.length < 2) listed = (await new Promise((resolve) => setTimeout(resolve, 20)), await queue.list());
    const musicJob = listed.find((job) => job.kind === 'music')!;
    client.send({ type: 'cancel', requestId: 'c', jobId: accepted.jobId });
    await client.next((m) => m.type === 'cancelled' && 'jobId' in m && m.jobId === accepted.jobId);
    let state = await queue.state(musicJob.jobId);
    for (let i = 0; i < 50 && state !== 'unknown'; i++) state = (await new Promise((resolve) => setTimeout(resolve, 20)), await queue.state(musicJob.jobId));
    assert.equal(state, 'unknown', 'the music analysis this job queued was removed');
    assert.equal(await queue.state(theirs.jobId), 'waiting', 'the movie analysis someone else queued is still waiting');
    await client.close();
  } finally {
    await server.close();
    await queue.close();
  }
});

test('serve --redis prints where the analyses run and stops on Ctrl-C', { skip, timeout: 60_000 }, async () => {
  const root = scratchDir('serve-redis');
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const token = new CancellationTokenSource();
  const running = runCli(['serve', '--redis', `${redis.url}/4`, '--port', '0', '--data', join(root, 'data'), '--cache', join(root, 'cache'), '--extensions', join(root, 'none')], { stdout: stdout as unknown as NodeJS.WriteStream, stderr: new PassThrough() as unknown as NodeJS.WriteStream }, token);
  const deadline = Date.now() + 30_000;
  while (!text.includes('Ctrl-C stops it') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.match(text, new RegExp(`queue: +${redis.url.replace(/[/.]/g, '\\$&')}/4 \\(analyses run on the workers\\)`));
  token.cancel();
  assert.equal(await running, 0);
});

test('the banner names the queue without its password', () => {
  const banner = formatServerBanner({ url: 'http://127.0.0.1:7391', uiUrl: 'http://127.0.0.1:7391/#token=t', wsUrl: 'ws://127.0.0.1:7391/ws', token: 't', dataDir: '/data', pairingCode: () => 'ABCD-EFGH', queue: 'redis://:hunter2@queue.lan:6379/0' } as unknown as RunningServer);
  assert.match(banner, /queue: +redis:\/\/:\*\*\*@queue\.lan:6379\/0 \(analyses run on the workers\)/);
  assert.ok(!banner.includes('hunter2'));
});
