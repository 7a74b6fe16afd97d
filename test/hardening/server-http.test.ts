/**
 * Issue 18, items 5b, 6 and 9b over real HTTP: malformed percent-encoding is a typed 400, artifacts are never
 * served through a symlinked files/ folder or a hard link, and no page may frame the companion's UI.
 */
import assert from 'node:assert/strict';
import { linkSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AcceptedMessage, MontageResultMessage } from '../../companion/protocol/messages';
import { scratchDir } from '../support/paths';
import { connectReady, fakeRunJob, startTestServer } from '../server/ws-client';

/** A server with one finished fake montage job; returns its id and a scratch folder outside the data folder. */
async function withFinishedJob(body: (context: { server: Awaited<ReturnType<typeof startTestServer>>; jobId: string; outside: string }) => Promise<void>): Promise<void> {
  const server = await startTestServer({ runJob: fakeRunJob() });
  const outside = scratchDir('hardening-outside');
  const client = await connectReady(server);
  try {
    client.send({ type: 'montage', requestId: 'm', movie: { path: '/etc/hostname' }, music: { path: '/etc/hostname' }, preview: false });
    const { jobId } = await client.next<AcceptedMessage>((m) => m.type === 'accepted');
    await client.next<MontageResultMessage>((m) => m.type === 'result' && m.jobId === jobId);
    await body({ server, jobId, outside });
  } finally {
    await client.close();
    await server.close();
    rmSync(outside, { recursive: true, force: true });
    rmSync(server.root, { recursive: true, force: true });
  }
}

test('bad percent-encoding in an artifact URL is a 400 with AM_ERR_URL_MALFORMED, not an internal error', async () => {
  await withFinishedJob(async ({ server, jobId }) => {
    for (const path of [`/jobs/${jobId}/files/%ff`, `/jobs/%ff/files/plan.json`, `/jobs/${jobId}/files/%E0%A4%A`]) {
      const response = await fetch(`${server.url}${path}?token=${server.token}`);
      assert.equal(response.status, 400, path);
      assert.equal(((await response.json()) as { code: string }).code, 'AM_ERR_URL_MALFORMED', path);
    }
  });
});

test('a files/ folder replaced by a symbolic link out of the data folder is not followed', async () => {
  await withFinishedJob(async ({ server, jobId, outside }) => {
    const filesDir = join(server.dataDir, 'jobs', jobId, 'files');
    writeFileSync(join(outside, 'plan.json'), 'SECRET outside the data folder');
    rmSync(filesDir, { recursive: true });
    symlinkSync(outside, filesDir);
    const response = await fetch(`${server.url}/jobs/${jobId}/files/plan.json?token=${server.token}`);
    const body = await response.text();
    assert.equal(response.status, 403, body);
    assert.equal((JSON.parse(body) as { code: string }).code, 'AM_ERR_PATH_FORBIDDEN');
    assert.ok(!body.includes('SECRET'));
  });
});

test('an artifact that is a hard link to a file outside the data folder is not served', async () => {
  await withFinishedJob(async ({ server, jobId, outside }) => {
    const artifact = join(server.dataDir, 'jobs', jobId, 'files', 'plan.json');
    const secret = join(outside, 'secret.txt');
    writeFileSync(secret, 'SECRET outside the data folder');
    unlinkSync(artifact);
    linkSync(secret, artifact);
    const response = await fetch(`${server.url}/jobs/${jobId}/files/plan.json?token=${server.token}`);
    const body = await response.text();
    assert.equal(response.status, 403, body);
    assert.equal((JSON.parse(body) as { code: string }).code, 'AM_ERR_PATH_FORBIDDEN');
    assert.ok(!body.includes('SECRET'));
  });
});

test('every page forbids framing with X-Frame-Options: DENY and CSP frame-ancestors none', async () => {
  const server = await startTestServer({ runJob: fakeRunJob() });
  try {
    for (const path of ['/', '/health', '/jobs/x/files/y']) {
      const response = await fetch(`${server.url}${path}`);
      assert.equal(response.headers.get('x-frame-options'), 'DENY', path);
      assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, path);
    }
  } finally {
    await server.close();
  }
});
