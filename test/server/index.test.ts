import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MontageError } from '../../companion/core/errors';
import { ffmpegPath } from '../../companion/media/binaries';
import { liveProcessCount, run } from '../../companion/media/process';
import { PROTOCOL_VERSION, type AcceptedMessage, type ErrorMessage } from '../../companion/protocol/messages';
import { formatServerBanner, startServer } from '../../companion/server/index';
import type { RunJob } from '../../companion/server/run-job';
import { filmDir, musicDir } from '../support/paths';
import { childProcesses, connect, connectReady, fakeRunJob, jobFolders, startTestServer } from './ws-client';

const movie = join(filmDir, 'sintel_trailer.mp4');
const music = join(musicDir, 'wesnoth_battle-epic.ogg');

test('the server listens on 127.0.0.1 only', async () => {
  const server = await startTestServer({ runJob: fakeRunJob() });
  try {
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
    assert.equal(server.wsUrl, `ws://127.0.0.1:${server.port}/ws`);
    assert.equal(server.uiUrl, `http://127.0.0.1:${server.port}/#token=${server.token}`);
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((address) => address && address.family === 'IPv4' && !address.internal)
      .map((address) => address!.address);
    for (const address of external) {
      const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
        const socket = netConnect({ host: address, port: server.port });
        socket.once('connect', () => {
          socket.destroy();
          resolve(undefined);
        });
        socket.once('error', (failure) => resolve(failure));
      });
      assert.equal(error?.code, 'ECONNREFUSED', `reachable on ${address}`);
    }
    const banner = formatServerBanner(server);
    assert.ok(banner.includes(server.url) && banner.includes(server.token), banner);
  } finally {
    await server.close();
  }
});

test('WebSocket connections from a foreign Origin are closed with 4403 and a reason before anything is read, and the companion’s own and UXP origins accepted', async () => {
  const server = await startTestServer({ runJob: fakeRunJob(), allowedOrigins: ['https://panel.example'] });
  try {
    for (const origin of ['https://evil.example', `http://evil.example:${server.port}`, 'null', `https://127.0.0.1:${server.port}`, `http://127.0.0.1:${server.port + 1}`, 'file://']) {
      // Completed and closed at once, so a panel can tell "refused" from "not running"; a hello is never answered.
      const refused = await connect(server.wsUrl, { origin });
      refused.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: server.token });
      const error = (await refused.next((m) => m.type === 'error')) as ErrorMessage;
      assert.equal(error.code, 'AM_ERR_FORBIDDEN_ORIGIN', origin);
      assert.deepEqual(await refused.closed, { code: 4403, reason: 'AM_ERR_FORBIDDEN_ORIGIN' }, origin);
      assert.equal(refused.received.some((m) => m.type === 'welcome'), false, `${origin}: no welcome`);
    }
    for (const origin of [undefined, `http://127.0.0.1:${server.port}`, `http://localhost:${server.port}`, 'uxp://com.example.automontage', 'https://panel.example']) {
      const client = await connect(server.wsUrl, origin ? { origin } : {});
      client.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: server.token });
      assert.equal((await client.next((m) => m.type === 'welcome')).type, 'welcome', String(origin));
      await client.close();
    }
    await assert.rejects(connect(`ws://127.0.0.1:${server.port}/other`), (error: { statusCode?: number }) => error.statusCode === 404);
    await assert.rejects(connect(server.wsUrl, { headers: { host: `evil.example:${server.port}` } }), (error: { statusCode?: number }) => error.statusCode === 403);
    // A client offering no subprotocol is served too (UXP's behaviour is not documented).
    const plain = await connect(server.wsUrl, { protocols: [] });
    plain.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: server.token });
    assert.equal((await plain.next((m) => m.type === 'welcome')).type, 'welcome');
    await plain.close();
  } finally {
    await server.close();
  }
});

test('a port already in use is reported as AM_ERR_INVALID_ARGUMENT naming the port', async () => {
  const server = await startTestServer({ runJob: fakeRunJob() });
  try {
    await assert.rejects(
      startServer({ port: server.port, dataDir: server.dataDir, configDir: server.configDir, runJob: fakeRunJob() }),
      (error: unknown) => error instanceof MontageError && error.code === 'AM_ERR_INVALID_ARGUMENT' && error.message.includes(String(server.port)),
    );
    await assert.rejects(startServer({ port: 70_000, runJob: fakeRunJob() }), (error: unknown) => error instanceof MontageError && error.where?.field === 'port');
  } finally {
    await server.close();
  }
});

/** A job that runs a real ffmpeg child for a long time, through companion/media/process.ts. */
const ffmpegJob: RunJob = async (_request, _context, progress, token) => {
  progress.report({ stage: 'movie', fraction: 0 });
  await run(ffmpegPath(), ['-hide_banner', '-nostats', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '600', '-f', 'null', '-'], {
    token,
    onStdout: () => {},
    timeoutMs: 120_000,
  });
  throw new Error('the child was expected to be killed');
};

/** Polls `done` every 50 ms for up to 15 s (a loaded CI machine is slow to reap children); throws naming `what`. */
async function waitUntil(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (done()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting until ${what}`);
}

const ffmpegChildren = () => childProcesses().filter((child) => child.command.includes('ffmpeg')).length;
const waitForFfmpeg = (count: number) => waitUntil(() => ffmpegChildren() >= count, `${count} ffmpeg children run`);
const waitForNoFfmpeg = () => waitUntil(() => ffmpegChildren() === 0 && liveProcessCount() === 0, 'no ffmpeg child is left');

test('cancel kills the job’s ffmpeg child (checked in the process table) and leaves no output', { timeout: 30_000 }, async () => {
  const server = await startTestServer({ runJob: ffmpegJob });
  try {
    const client = await connectReady(server);
    client.send({ type: 'montage', requestId: 'm', movie: { path: movie }, music: { path: music } });
    const accepted = await client.next<AcceptedMessage>((m) => m.type === 'accepted');
    await waitForFfmpeg(1);
    assert.equal(liveProcessCount(), 1);
    client.send({ type: 'cancel', requestId: 'c', jobId: accepted.jobId });
    await client.next((m) => m.type === 'cancelled');
    await waitForNoFfmpeg();
    assert.deepEqual(childProcesses().filter((child) => child.command.includes('ffmpeg')), []);
    assert.equal(liveProcessCount(), 0);
    assert.deepEqual(jobFolders(server), []);
    await client.close();
  } finally {
    await server.close();
  }
});

test('a client disconnect kills the ffmpeg children of its jobs', { timeout: 30_000 }, async () => {
  const server = await startTestServer({ runJob: ffmpegJob, concurrency: 2 });
  try {
    const client = await connectReady(server);
    const bystander = await connectReady(server);
    client.send({ type: 'montage', requestId: 'a', movie: { path: movie }, music: { path: music } });
    client.send({ type: 'montage', requestId: 'b', movie: { path: movie }, music: { path: music } });
    await waitForFfmpeg(2);
    await client.close();
    await waitForNoFfmpeg();
    assert.deepEqual(childProcesses().filter((child) => child.command.includes('ffmpeg')), []);
    await waitUntil(() => server.stats().cancelled === 2, 'both jobs are counted cancelled'); // each settles after its child exits
    bystander.send({ type: 'ping', requestId: 'p' });
    assert.equal((await bystander.next((m) => m.type === 'pong')).type, 'pong', 'other clients keep being served');
    await bystander.close();
  } finally {
    await server.close();
  }
});

test('close() cancels running jobs, kills their children and closes connections', { timeout: 30_000 }, async () => {
  const server = await startTestServer({ runJob: ffmpegJob });
  const client = await connectReady(server);
  client.send({ type: 'montage', requestId: 'a', movie: { path: movie }, music: { path: music } });
  await waitForFfmpeg(1);
  await server.close();
  assert.equal(liveProcessCount(), 0);
  assert.equal((await client.closed).code, 1001);
  assert.ok(client.received.some((m) => m.type === 'cancelled'));
});

test('a job that ignores cancel is reported cancelled after the grace period and its late output is discarded', { timeout: 20_000 }, async () => {
  let finish: () => void = () => {};
  const stubborn: RunJob = async (request, context, progress) => {
    progress.report({ stage: 'movie', fraction: 0 });
    await new Promise<void>((resolve) => (finish = resolve));
    return fakeRunJob({ stepMs: 0 })(request, context, progress, { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) });
  };
  const server = await startTestServer({ runJob: stubborn, cancelGraceMs: 200, concurrency: 1 });
  try {
    const client = await connectReady(server);
    client.send({ type: 'montage', requestId: 'a', movie: { path: movie }, music: { path: music } });
    const accepted = await client.next<AcceptedMessage>((m) => m.type === 'accepted');
    await client.next((m) => m.type === 'progress');
    client.send({ type: 'cancel', requestId: 'c', jobId: accepted.jobId });
    await client.next((m) => m.type === 'cancelled' && m.jobId === accepted.jobId, 2000);
    assert.equal(server.stats().running, 0, 'the slot is free again');
    finish();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(jobFolders(server), [], 'the late output is thrown away');
    assert.equal(client.received.filter((m) => m.type === 'result').length, 0);
    await client.close();
  } finally {
    await server.close();
  }
});

test('an error frame without a requestId answers a frame whose requestId cannot be read', async () => {
  const server = await startTestServer({ runJob: fakeRunJob() });
  try {
    const client = await connectReady(server);
    client.sendRaw('{"type":"montage","requestId":');
    const error = await client.next<ErrorMessage>((m) => m.type === 'error');
    assert.equal(error.requestId, undefined);
    assert.equal(error.code, 'AM_ERR_PROTOCOL_MALFORMED');
    await client.close();
  } finally {
    await server.close();
  }
});
