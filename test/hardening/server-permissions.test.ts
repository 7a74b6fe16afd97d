/**
 * Issue 18, item 8a: the data folder is private to the user. Folders the companion creates are 0700 and files
 * 0600 (job records, outputs, cache entries), and what an earlier version left 0755/0644 is fixed at start.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeCache } from '../../companion/analysis/cache';
import type { AcceptedMessage } from '../../companion/protocol/messages';
import { scratchDir } from '../support/paths';
import { connectReady, fakeRunJob, startTestServer } from '../server/ws-client';

function mode(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

/** Every folder and file below `dir`, with its mode in octal. */
function modes(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) found[name] = mode(join(dir, name));
  return found;
}

test('job folders, job files and cache entries are 0700/0600, and existing 0755/0644 ones are fixed at start', async () => {
  const root = scratchDir('hardening-permissions');
  const dataDir = join(root, 'data');
  // What an earlier companion left: world-readable folders and files.
  mkdirSync(join(dataDir, 'jobs', 'old-job', 'files'), { recursive: true, mode: 0o755 });
  mkdirSync(join(dataDir, 'cache'), { mode: 0o755 });
  writeFileSync(join(dataDir, 'jobs', 'old-job', 'job.json'), '{}', { mode: 0o644 });
  writeFileSync(join(dataDir, 'jobs', 'old-job', 'files', 'montage.edl'), 'TITLE: x', { mode: 0o644 });
  writeFileSync(join(dataDir, 'cache', 'movie-v1-x.json'), '{}', { mode: 0o644 });
  for (const dir of [dataDir, join(dataDir, 'jobs'), join(dataDir, 'jobs', 'old-job'), join(dataDir, 'jobs', 'old-job', 'files')]) chmodSync(dir, 0o755);

  const server = await startTestServer({ runJob: fakeRunJob(), dataDir });
  const client = await connectReady(server);
  try {
    client.send({ type: 'montage', requestId: 'm', movie: { path: '/etc/hostname' }, music: { path: '/etc/hostname' } });
    const { jobId } = await client.next<AcceptedMessage>((m) => m.type === 'accepted');
    await client.next((m) => m.type === 'result' && m.jobId === jobId);
    await writeCache(join(dataDir, 'cache'), 'music-v1-test', { bars: [1, 2] });

    assert.equal(mode(dataDir), '700');
    const found = { ...modes(join(dataDir, 'jobs')), ...Object.fromEntries(Object.entries(modes(join(dataDir, 'cache'))).map(([name, value]) => [`cache/${name}`, value])) };
    assert.ok(Object.keys(found).includes(`${jobId}/files/montage.mp4`), JSON.stringify(found));
    for (const [name, value] of Object.entries(found)) {
      const isFolder = statSync(join(dataDir, name.startsWith('cache/') ? name : join('jobs', name))).isDirectory();
      assert.equal(value, isFolder ? '700' : '600', name);
    }
  } finally {
    await client.close();
    await server.close();
  }
});
