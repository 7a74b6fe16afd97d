/**
 * Issue 18, item 9a: a cache entry whose checksum is valid but whose numbers are null (JSON's NaN) is not
 * trusted. The real pipeline behind the real server validates entries by schema and rebuilds a bad one, so
 * the second analysis equals the first instead of silently changing the bars the plan is built on.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AcceptedMessage, AnalyseResultMessage, ErrorMessage } from '../../companion/protocol/messages';
import { beatsDir, filmDir, scratchDir } from '../support/paths';
import { connectReady, startTestServer, type TestClient } from '../server/ws-client';
import { tamperCacheEntry } from './server-support';

const request = (requestId: string) => ({
  type: 'analyse',
  requestId,
  movie: { path: join(filmDir, 'big_buck_bunny_first60s.mp4') },
  music: { path: join(beatsDir, 'fof_escape_from_chaosland.ogg'), range: { startSeconds: 30, endSeconds: 40 } },
});

async function analyse(client: TestClient, requestId: string): Promise<AnalyseResultMessage> {
  client.send(request(requestId));
  const { jobId } = await client.next<AcceptedMessage>((m) => m.type === 'accepted' && m.requestId === requestId);
  const end = await client.next<AnalyseResultMessage | ErrorMessage>((m) => (m.type === 'result' || m.type === 'error') && 'jobId' in m && m.jobId === jobId, 240_000);
  assert.equal(end.type, 'result', JSON.stringify(end));
  return end as AnalyseResultMessage;
}

test('a music cache entry with a valid checksum but null numbers is rebuilt and does not change the analysis', { timeout: 300_000 }, async () => {
  const server = await startTestServer({ extensionsDir: join(scratchDir('hardening-cache-ext'), 'none') });
  const client = await connectReady(server);
  try {
    const first = await analyse(client, 'first');
    const cacheDir = join(server.dataDir, 'cache');
    const entry = readdirSync(cacheDir).find((name) => name.startsWith('music-'));
    assert.ok(entry, `no music entry in ${readdirSync(cacheDir).join(', ')}`);
    tamperCacheEntry(join(cacheDir, entry), (value) => {
      value.bars = (value.bars as Record<string, unknown>[]).map((bar) => ({ ...bar, startSeconds: null, tempoBpm: null }));
      value.tempoBpm = null;
    });
    const second = await analyse(client, 'second');
    assert.deepEqual(second.analysis.bars, first.analysis.bars);
    assert.equal(second.analysis.music.tempoBpm, first.analysis.music.tempoBpm);
    // The bad entry was replaced by a good one.
    const rebuilt = JSON.parse(JSON.parse(readFileSync(join(cacheDir, entry), 'utf8')).payload) as { tempoBpm: unknown };
    assert.equal(typeof rebuilt.tempoBpm, 'number');
  } finally {
    await client.close();
    await server.close();
  }
});
