import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AcceptedMessage, MontageResultMessage } from '../../companion/protocol/messages';
import { filmDir, musicDir, repoRoot, scratchDir } from '../support/paths';
import { connectReady, fakeRunJob, startTestServer } from './ws-client';

const movie = join(filmDir, 'sintel_trailer.mp4');
const music = join(musicDir, 'wesnoth_battle-epic.ogg');

/** A raw HTTP GET: the path is sent as is (fetch would normalise "../"), and any Host header can be set. */
function rawGet(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, method: 'GET', headers: { host: `127.0.0.1:${port}`, ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
    request.end();
  });
}

async function serverWithJob(previewBytes = 100_000) {
  const server = await startTestServer({ runJob: fakeRunJob({ previewBytes }) });
  const client = await connectReady(server);
  client.send({ type: 'montage', requestId: 'm', movie: { path: movie }, music: { path: music } });
  const accepted = await client.next<AcceptedMessage>((m) => m.type === 'accepted');
  const result = await client.next<MontageResultMessage>((m) => m.type === 'result');
  await client.close();
  return { server, jobId: accepted.jobId, result };
}

test('GET /health reports the version, the protocol, the queue, GPU use and live processes', async () => {
  const server = await startTestServer({ runJob: fakeRunJob(), concurrency: 3, gpu: () => ({ inUse: false, provider: 'cpu' }) });
  try {
    const response = await fetch(`${server.url}/health`);
    assert.equal(response.status, 200);
    const health = (await response.json()) as Record<string, unknown>;
    const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    assert.equal(health.ok, true);
    assert.equal(health.version, version);
    assert.equal(health.protocol, 1);
    assert.deepEqual(health.gpu, { inUse: false, provider: 'cpu' });
    assert.deepEqual(health.queue, { running: 0, queued: 0, resolving: 0, concurrency: 3, maxQueuedJobs: 32, finished: 0, failed: 0, cancelled: 0 });
    assert.equal(typeof health.liveProcesses, 'number');
    assert.equal(health.connections, 0);
  } finally {
    await server.close();
  }
});

test('artifacts require the token, by query or bearer header', async () => {
  const { server, result } = await serverWithJob();
  try {
    const file = result.montage.files.find((f) => f.name === 'montage.edl')!;
    const bare = file.url.split('?')[0]!;
    const none = await fetch(bare);
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as { code: string }).code, 'AM_ERR_UNAUTHORIZED');
    assert.equal((await fetch(`${bare}?token=${'0'.repeat(64)}`)).status, 401);
    assert.equal((await fetch(`${bare}?token=${server.token.slice(0, 63)}`)).status, 401);
    assert.equal((await fetch(bare, { headers: { authorization: `Bearer ${'1'.repeat(64)}` } })).status, 401);
    const bearer = await fetch(bare, { headers: { authorization: `Bearer ${server.token}` } });
    assert.equal(bearer.status, 200);
    assert.equal(bearer.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.match(await bearer.text(), /^TITLE: /);
    const download = await fetch(`${file.url}&download=1`);
    assert.match(download.headers.get('content-disposition') ?? '', /attachment; filename="?montage.edl"?/);
  } finally {
    await server.close();
  }
});

test('the preview video is served with HTTP range requests', async () => {
  const { server, jobId, result } = await serverWithJob(100_000);
  try {
    const url = result.montage.previewUrl!;
    const whole = readFileSync(join(server.dataDir, 'jobs', jobId, 'files', 'montage.mp4'));
    const full = await fetch(url);
    assert.equal(full.headers.get('accept-ranges'), 'bytes');
    assert.equal(full.headers.get('content-type'), 'video/mp4');
    assert.equal(Buffer.from(await full.arrayBuffer()).length, 100_000);

    const middle = await fetch(url, { headers: { range: 'bytes=100-199' } });
    assert.equal(middle.status, 206);
    assert.equal(middle.headers.get('content-range'), 'bytes 100-199/100000');
    assert.deepEqual(Buffer.from(await middle.arrayBuffer()), whole.subarray(100, 200));

    const tail = await fetch(url, { headers: { range: 'bytes=99990-' } });
    assert.equal(tail.status, 206);
    assert.deepEqual(Buffer.from(await tail.arrayBuffer()), whole.subarray(99_990));

    const suffix = await fetch(url, { headers: { range: 'bytes=-10' } });
    assert.deepEqual(Buffer.from(await suffix.arrayBuffer()), whole.subarray(99_990));

    const beyond = await fetch(url, { headers: { range: 'bytes=200000-' } });
    assert.equal(beyond.status, 416);
  } finally {
    await server.close();
  }
});

test('no path outside the listed job files is ever served', async () => {
  const { server, jobId } = await serverWithJob();
  const { port, token } = server;
  try {
    const secret = readFileSync(join(server.configDir, 'token'));
    // Each attempt must be refused with a JSON error, never with a file's bytes.
    const attempts = [
      `/jobs/${jobId}/files/..%2F..%2F..%2Fconfig%2Ftoken`,
      `/jobs/${jobId}/files/..%2Fjob.json`,
      `/jobs/${jobId}/files/%2Fetc%2Fpasswd`,
      `/jobs/${jobId}/files/..`,
      `/jobs/${jobId}/files/.hidden`,
      `/jobs/${jobId}/files/job.json`,
      `/jobs/${jobId}/files/result.json`,
      `/jobs/${jobId}/files/montage.edl%00.txt`,
      `/jobs/${jobId}/files/..%5C..%5Cjob.json`,
      `/jobs/${jobId}/job.json`,
      `/jobs/${jobId}/files/../job.json`,
      `/jobs/${jobId}/files/../../../config/token`,
      `/jobs/../config/token`,
      `/jobs/..%2F..%2Fconfig/files/token`,
      `/jobs/${jobId}/files/montage.edl/..%2F..%2Fjob.json`,
      `/../config/token`,
      `/%2e%2e/config/token`,
      `/jobs/%2e%2e/files/token`,
      `/jobs/${jobId.toUpperCase()}/files/montage.edl`,
    ];
    for (const path of attempts) {
      const response = await rawGet(port, `${path}${path.includes('?') ? '&' : '?'}token=${token}`);
      assert.ok([400, 403, 404].includes(response.status), `${path}: ${response.status}`);
      assert.ok(!response.body.includes(secret), `${path} leaked the token file`);
      assert.ok(!response.body.toString().includes('root:'), `${path} leaked /etc/passwd`);
      assert.ok(!response.body.toString().includes('"schema":"Job.1"'), `${path} leaked job.json`);
      const body = JSON.parse(response.body.toString()) as { code: string };
      assert.match(body.code, /^AM_ERR_(PATH_FORBIDDEN|JOB_NOT_FOUND|FILE_NOT_FOUND)$/, path);
    }
    const forbidden = await rawGet(port, `/jobs/${jobId}/files/..%2Fjob.json?token=${token}`);
    assert.equal(forbidden.status, 403);
    assert.equal((JSON.parse(forbidden.body.toString()) as { code: string }).code, 'AM_ERR_PATH_FORBIDDEN');
    const unknown = await rawGet(port, `/jobs/zzz-000/files/montage.edl?token=${token}`);
    assert.equal(unknown.status, 404);
    assert.equal((JSON.parse(unknown.body.toString()) as { code: string }).code, 'AM_ERR_JOB_NOT_FOUND');
  } finally {
    await server.close();
  }
});

test('requests addressed to another host name are refused (DNS rebinding)', async () => {
  const server = await startTestServer({ runJob: fakeRunJob() });
  try {
    for (const host of ['evil.example:80', `evil.example:${server.port}`, `127.0.0.1:${server.port + 1}`, '127.0.0.1', 'localhost', `[::1]:${server.port}`]) {
      const response = await rawGet(server.port, '/health', { host });
      assert.equal(response.status, 403, `Host: ${host}`);
      assert.equal((JSON.parse(response.body.toString()) as { code: string }).code, 'AM_ERR_FORBIDDEN_ORIGIN');
    }
    assert.equal((await rawGet(server.port, '/health', { host: `localhost:${server.port}` })).status, 200);
  } finally {
    await server.close();
  }
});

test('the web UI bundle is served from the UI folder, and a placeholder when it is not built', async () => {
  const root = scratchDir('ui');
  const uiDir = join(root, 'web');
  mkdirSync(join(uiDir, 'assets'), { recursive: true });
  writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>Auto-Montage UI</title>');
  writeFileSync(join(uiDir, 'assets', 'app.js'), 'console.log(1)');
  const server = await startTestServer({ runJob: fakeRunJob(), uiDir });
  try {
    const index = await fetch(`${server.url}/`);
    assert.equal(index.status, 200);
    assert.match(await index.text(), /Auto-Montage UI/);
    assert.equal(await (await fetch(`${server.url}/assets/app.js`)).text(), 'console.log(1)');
    const escape = await rawGet(server.port, '/..%2F..%2Fconfig%2Ftoken');
    assert.ok(escape.status >= 400);
    assert.ok(!escape.body.toString().includes(server.token));
    assert.equal((await fetch(`${server.url}/nothing-here`)).status, 404);
  } finally {
    await server.close();
  }
  const bare = await startTestServer({ runJob: fakeRunJob() });
  try {
    const page = await fetch(`${bare.url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /web UI is not built/);
  } finally {
    await bare.close();
  }
});
