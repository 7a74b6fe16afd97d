/**
 * Issue 18, item 7 (retention): job folders do not pile up. `<config>/server.json` sets the maximum age and
 * total size; the oldest folders go first, and a running job's folder is never touched.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MontageError } from '../../companion/core/errors';
import type { AcceptedMessage } from '../../companion/protocol/messages';
import { startServer } from '../../companion/server/index';
import { scratchDir } from '../support/paths';
import { connectReady, fakeRunJob, startTestServer, type TestClient } from '../server/ws-client';

const montage = (requestId: string, movie = '/etc/hostname') => ({ type: 'montage', requestId, movie: { path: movie }, music: { path: '/etc/hostname' }, preview: true });

async function finish(client: TestClient, requestId: string, movie?: string): Promise<string> {
  client.send(montage(requestId, movie));
  const { jobId } = await client.next<AcceptedMessage>((m) => m.type === 'accepted' && m.requestId === requestId);
  await client.next((m) => m.type === 'result' && m.jobId === jobId, 30_000);
  return jobId;
}

/** Finished job folders (not work folders) under the data folder. */
const finished = (dataDir: string) => readdirSync(join(dataDir, 'jobs')).filter((name) => !name.startsWith('.'));

test('the total size limit from server.json removes the oldest job folders and never a running job', { timeout: 60_000 }, async () => {
  const root = scratchDir('hardening-retention');
  const configDir = join(root, 'config');
  mkdirSync(configDir, { recursive: true });
  // Each fake job writes a 200 kB preview; 0.5 MiB holds two of them.
  writeFileSync(join(configDir, 'server.json'), JSON.stringify({ retention: { maxTotalMegabytes: 0.5 } }));
  // Movie /etc/passwd: the slow job; anything else is quick.
  const quick = fakeRunJob({ previewBytes: 200_000 });
  const slow = fakeRunJob({ previewBytes: 200_000, stepMs: 4_000 });
  const server = await startTestServer({ configDir, concurrency: 2, runJob: (request, ...rest) => (request.movie.path === '/etc/passwd' ? slow : quick)(request, ...rest) });
  const client = await connectReady(server);
  try {
    client.send(montage('slow', '/etc/passwd'));
    const slowJob = (await client.next<AcceptedMessage>((m) => m.type === 'accepted' && m.requestId === 'slow')).jobId;
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await finish(client, `q${i}`));
    await new Promise((resolve) => setTimeout(resolve, 200)); // the prune after the last job
    const kept = finished(server.dataDir);
    assert.ok(kept.length <= 2, `kept ${kept.length} folders: ${kept.join(', ')}`);
    assert.ok(kept.includes(ids[5]!), 'the newest job is kept');
    assert.ok(!kept.includes(ids[0]!), 'the oldest job is removed');
    assert.ok(existsSync(join(server.dataDir, 'jobs', `.work-${slowJob}`)), 'the running job keeps its work folder');
    const result = await client.next((m) => m.type === 'result' && m.jobId === slowJob, 30_000);
    assert.equal(result.type, 'result');
    const preview = await fetch(`${server.url}/jobs/${slowJob}/files/montage.mp4?token=${server.token}`);
    assert.equal(preview.status, 200, 'the job that ran during pruning is complete');
  } finally {
    await client.close();
    await server.close();
  }
});

test('job folders older than maxAgeDays are removed at start', { timeout: 30_000 }, async () => {
  const root = scratchDir('hardening-retention-age');
  const dataDir = join(root, 'data');
  const configDir = join(root, 'config');
  const first = await startTestServer({ dataDir, configDir, runJob: fakeRunJob() });
  const client = await connectReady(first);
  const old = await finish(client, 'old');
  const recent = await finish(client, 'recent');
  await client.close();
  await first.close();
  const longAgo = new Date(Date.now() - 40 * 86_400_000);
  utimesSync(join(dataDir, 'jobs', old), longAgo, longAgo);
  writeFileSync(join(configDir, 'server.json'), JSON.stringify({ retention: { maxAgeDays: 30 } }));
  const second = await startServer({ port: 0, dataDir, configDir, runJob: fakeRunJob() });
  try {
    assert.deepEqual(finished(dataDir), [recent]);
  } finally {
    await second.close();
  }
});

test('a server.json with a bad retention value is refused naming the file and the key', async () => {
  const root = scratchDir('hardening-retention-bad');
  const configDir = join(root, 'config');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, 'server.json'), JSON.stringify({ retention: { maxAgeDays: -1 } }));
  await assert.rejects(
    startServer({ port: 0, dataDir: join(root, 'data'), configDir, runJob: fakeRunJob() }),
    (error: unknown) => error instanceof MontageError && error.code === 'AM_ERR_INVALID_ARGUMENT' && error.where?.file === join(configDir, 'server.json') && error.where?.field === 'retention.maxAgeDays',
  );
});
