/** `worker`, `enqueue`, `jobs` and `serve --redis` at the command line: usage, typed errors, listings, cancel. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { cli } from '../support/cli';
import { scratchDir } from '../support/paths';
import { formatJobs } from '../../companion/queue-commands';
import type { JobListing } from '../../companion/queue/analysis-queue';
import { generateMovie, generateMusic } from './pool-support';
import { RedisServer, SKIP_NO_REDIS } from './redis-server';

const skip = SKIP_NO_REDIS;
let redis: RedisServer;
let dir: string;
let movie: string;
let music: string;

before(async () => {
  if (skip) return;
  dir = scratchDir('queue-cli');
  [redis, movie, music] = await Promise.all([RedisServer.start(), generateMovie(join(dir, 'film.mp4'), 4), generateMusic(join(dir, 'song.m4a'), 110, 6)]);
});

after(async () => {
  if (!skip) await redis.dispose();
});

test('worker, enqueue and jobs say they need --redis, and a URL that is not Redis’s is refused', async () => {
  for (const command of ['worker', 'jobs', 'enqueue']) {
    const run = await cli([command]);
    assert.equal(run.code, 2, command);
    assert.match(run.stderr, new RegExp(`${command} needs --redis URL`));
  }
  const bad = await cli(['jobs', '--redis', 'http://127.0.0.1:6379']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^AM_ERR_INVALID_ARGUMENT: --redis must start with redis:\/\/ or rediss:\/\//m);
  const enqueueNothing = await cli(['enqueue', '--redis', 'redis://127.0.0.1:6379']);
  assert.equal(enqueueNothing.code, 2);
  assert.match(enqueueNothing.stderr, /enqueue needs at least one FILE or DIR/);
});

test('a Redis nobody listens on is AM_ERR_QUEUE_UNAVAILABLE, for the commands and for serve', { timeout: 30_000 }, async () => {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
  for (const args of [['jobs'], ['worker'], ['serve', '--port', '0', '--data', join(scratchDir('queue-serve'), 'data')]]) {
    const run = await cli([...args, '--redis', `redis://user:secret@127.0.0.1:${port}`]);
    assert.equal(run.code, 1, `${args[0]}: ${run.stderr}`);
    assert.match(run.stderr, new RegExp(`^AM_ERR_QUEUE_UNAVAILABLE: Redis at 127.0.0.1:${port} does not answer`, 'm'));
    assert.ok(!run.stderr.includes('secret'), 'the password is not printed');
  }
});

test('enqueue prints one job id per file and reports a file it cannot queue; jobs lists them waiting; --cancel removes one', { skip, timeout: 60_000 }, async () => {
  const url = `${redis.url}/3`;
  const broken = join(dir, 'broken.mov');
  writeFileSync(broken, 'not a movie');
  const queued = await cli(['enqueue', '--redis', url, movie, music, broken]);
  assert.equal(queued.code, 1, 'a file could not be queued');
  const lines = queued.stdout.trim().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, new RegExp(`^movie-q1-[0-9a-f]{40}  queued  ${movie}$`));
  assert.match(lines[1]!, new RegExp(`^music-q1-[0-9a-f]{40}-[0-9a-f]{16}  queued  ${music}$`));
  assert.match(queued.stderr, new RegExp(`${broken}: AM_ERR_MEDIA_UNREADABLE`));

  const listed = await cli(['jobs', '--redis', url, '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const jobs = JSON.parse(listed.stdout) as JobListing[];
  assert.deepEqual(jobs.map((job) => [job.state, job.kind, job.path]).sort(), [['waiting', 'movie', movie], ['waiting', 'music', music]]);
  const text = await cli(['jobs', '--redis', url]);
  assert.match(text.stdout, /^STATE +PROGRESS +TRY +JOB ID +FILE$/m);
  assert.match(text.stdout, /^2 waiting$/m);

  const movieJob = jobs.find((job) => job.kind === 'movie')!.jobId;
  const cancelled = await cli(['jobs', '--redis', url, '--cancel', movieJob]);
  assert.equal(cancelled.stdout, `${movieJob}: removed from the queue\n`);
  const unknown = await cli(['jobs', '--redis', url, '--cancel', movieJob]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^AM_ERR_JOB_NOT_FOUND/m);
  const again = await cli(['enqueue', '--redis', url, music]);
  assert.match(again.stdout, /waiting already/);
});

test('the job table shows progress, tries and why a job failed', () => {
  const jobs: JobListing[] = [
    { jobId: 'movie-q1-a', state: 'active', kind: 'movie', path: '/films/a.mp4', progress: { stage: 'decode', fraction: 0.42 }, attempts: 1, queuedAt: 0 },
    { jobId: 'movie-q1-b', state: 'failed', kind: 'movie', path: '/films/b.mp4', attempts: 1, failedReason: 'AM_ERR_MEDIA_UNREADABLE: The movie file /films/b.mp4 is not readable media', queuedAt: 0 },
  ];
  assert.equal(
    formatJobs(jobs),
    [
      'STATE      PROGRESS         TRY  JOB ID  FILE',
      'active     decode 42%         1  movie-q1-a  /films/a.mp4',
      'failed                        1  movie-q1-b  /films/b.mp4',
      '                                 AM_ERR_MEDIA_UNREADABLE: The movie file /films/b.mp4 is not readable media',
      '1 active, 1 failed',
      '',
    ].join('\n'),
  );
  assert.equal(formatJobs([]), 'No jobs.\n');
});
