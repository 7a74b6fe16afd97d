/**
 * Issue 18, item 2: a FIFO as an input must never wedge the companion's file I/O. It is refused at acceptance,
 * and a FIFO swapped in after acceptance is refused when the pipeline opens it (O_NONBLOCK + fstat), so four
 * such jobs cannot take libuv's four pool threads from artifact GETs, job queries and new jobs.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AcceptedMessage, ErrorMessage, ServerMessage } from '../../companion/protocol/messages';
import { beatsDir, scratchDir } from '../support/paths';
import { connectReady, fakeRunJob, startTestServer } from '../server/ws-client';
import { gatedPipelineRunner, mkfifo, releaseFifoReaders } from './server-support';

const music = join(beatsDir, 'fof_escape_from_chaosland.ogg');

/** Resolves with the value, or with 'timeout' after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return Promise.race([promise, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref())]);
}

test('a FIFO given as the movie is refused at acceptance with AM_ERR_MEDIA_NOT_A_FILE naming the path', { timeout: 20_000 }, async () => {
  const root = scratchDir('hardening-fifo');
  const fifo = join(root, 'movie.mp4');
  mkfifo(fifo);
  const server = await startTestServer({ runJob: fakeRunJob() });
  const client = await connectReady(server);
  try {
    client.send({ type: 'montage', requestId: 'fifo', movie: { path: fifo }, music: { path: music } });
    const reply = await client.next<ErrorMessage>((m) => m.type === 'error' && m.requestId === 'fifo', 5_000);
    assert.equal(reply.code, 'AM_ERR_MEDIA_NOT_A_FILE');
    assert.equal(reply.where?.file, fifo);
    assert.match(reply.message, /FIFO/);
  } finally {
    releaseFifoReaders(fifo);
    await client.close();
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('four jobs whose movie became a FIFO after acceptance fail typed, and job queries and artifact GETs keep answering', { timeout: 60_000 }, async () => {
  const root = scratchDir('hardening-fifo-swap');
  const movies = [0, 1, 2, 3].map((i) => join(root, `movie-${i}.mp4`));
  for (const movie of movies) writeFileSync(movie, 'not yet a FIFO');
  // The real pipeline, started only once the test has swapped the files (so the swap is never too late).
  const runner = await gatedPipelineRunner();
  const { runJob, open } = runner;
  const server = await startTestServer({ runJob, concurrency: 4, formats: runner.formats(), cancelGraceMs: 1_000 });
  const client = await connectReady(server);
  try {
    const jobIds: string[] = [];
    for (const [i, movie] of movies.entries()) {
      client.send({ type: 'analyse', requestId: `swap${i}`, movie: { path: movie }, music: { path: music, range: { startSeconds: 30, endSeconds: 40 } } });
      jobIds.push((await client.next<AcceptedMessage>((m) => m.type === 'accepted' && m.requestId === `swap${i}`)).jobId);
    }
    for (const movie of movies) {
      rmSync(movie);
      mkfifo(movie);
    }
    open();
    const ends = await Promise.all(jobIds.map((jobId) => within(client.next<ServerMessage>((m) => 'jobId' in m && m.jobId === jobId && (m.type === 'error' || m.type === 'result' || m.type === 'cancelled'), 40_000), 40_000)));
    for (const [i, end] of ends.entries()) {
      assert.notEqual(end, 'timeout');
      const error = end as ErrorMessage;
      assert.equal(error.type, 'error', JSON.stringify(error));
      assert.equal(error.code, 'AM_ERR_MEDIA_NOT_A_FILE');
      assert.equal(error.where?.file, movies[i]);
    }
    // Both of these need the thread pool (readFile of job records).
    client.send({ type: 'job', requestId: 'query', jobId: 'no-such-job' });
    const query = await within(client.next<ErrorMessage>((m) => 'requestId' in m && m.requestId === 'query', 3_000), 3_000);
    assert.notEqual(query, 'timeout', 'a job query hung');
    assert.equal((query as ErrorMessage).code, 'AM_ERR_JOB_NOT_FOUND');
    const get = await within(fetch(`${server.url}/jobs/${jobIds[0]}/files/plan.json?token=${server.token}`, { signal: AbortSignal.timeout(3_000) }).catch(() => 'timeout' as const), 3_500);
    assert.notEqual(get, 'timeout', 'an artifact GET hung');
    assert.equal((get as Response).status, 404);
  } finally {
    open();
    for (const movie of movies) releaseFifoReaders(movie);
    await client.close();
    await server.close();
    await runner.dispose();
    rmSync(root, { recursive: true, force: true });
  }
});
