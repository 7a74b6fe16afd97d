/**
 * Issue 18, item 7: connections that have not said hello are bounded — a cap on their number (HTTP 503,
 * AM_ERR_CONNECTION_LIMIT), a 5 s hello deadline, a 4 KiB frame limit before hello — and wrong tokens are
 * answered ever later, while the right token still gets in at once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { PROTOCOL_SUBPROTOCOL, PROTOCOL_VERSION, type ErrorMessage } from '../../companion/protocol/messages';
import { connect, fakeRunJob, startTestServer, type TestClient } from '../server/ws-client';

/** The HTTP status and JSON body of a refused upgrade. */
function refusedUpgrade(url: string): Promise<{ status: number; body: string } | 'accepted'> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, [PROTOCOL_SUBPROTOCOL]);
    socket.once('open', () => {
      socket.terminate();
      resolve('accepted');
    });
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    socket.once('error', reject);
  });
}

test('at most 16 connections may wait before hello; the next upgrade gets 503 AM_ERR_CONNECTION_LIMIT', { timeout: 30_000 }, async () => {
  const server = await startTestServer({ runJob: fakeRunJob() });
  const idle: TestClient[] = [];
  try {
    for (let i = 0; i < 16; i++) idle.push(await connect(server.wsUrl));
    const refused = await refusedUpgrade(server.wsUrl);
    assert.notEqual(refused, 'accepted', 'a 17th connection without hello was accepted');
    const { status, body } = refused as { status: number; body: string };
    assert.equal(status, 503);
    assert.equal((JSON.parse(body) as { code: string }).code, 'AM_ERR_CONNECTION_LIMIT');
    // Once one of them says hello it no longer counts, and a new connection is served.
    idle[0]!.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: server.token });
    await idle[0]!.next((m) => m.type === 'welcome');
    const next = await connect(server.wsUrl);
    idle.push(next);
  } finally {
    for (const client of idle) client.socket.terminate();
    await server.close();
  }
});

test('a connection that does not say hello is closed within the 5 s deadline', { timeout: 20_000 }, async () => {
  const server = await startTestServer({ runJob: fakeRunJob() });
  try {
    const client = await connect(server.wsUrl);
    const started = Date.now();
    const closed = await Promise.race([client.closed, new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), 7_000))]);
    assert.notEqual(closed, 'open', 'still open after 7 s');
    assert.equal((closed as { code: number }).code, 4401);
    assert.ok(Date.now() - started >= 4_000, 'closed too early');
  } finally {
    await server.close();
  }
});

test('a frame over 4 KiB before hello closes the connection with AM_ERR_PROTOCOL_FRAME_TOO_LARGE', { timeout: 20_000 }, async () => {
  const server = await startTestServer({ runJob: fakeRunJob() });
  try {
    const client = await connect(server.wsUrl);
    client.sendRaw(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, token: server.token, client: 'x'.repeat(64 * 1024) }));
    const error = await client.next<ErrorMessage>((m) => m.type === 'error', 5_000);
    assert.equal(error.code, 'AM_ERR_PROTOCOL_FRAME_TOO_LARGE');
    const closed = await Promise.race([client.closed, new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), 3_000))]);
    assert.notEqual(closed, 'open');
    assert.equal((closed as { code: number }).code, 1009);
  } finally {
    await server.close();
  }
});

test('repeated wrong tokens are answered ever later, and the right token still gets in at once', { timeout: 30_000 }, async () => {
  const server = await startTestServer({ runJob: fakeRunJob() });
  try {
    const latencies: number[] = [];
    for (let i = 0; i < 8; i++) {
      const client = await connect(server.wsUrl);
      const started = Date.now();
      client.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: 'f'.repeat(64) });
      const error = await client.next<ErrorMessage>((m) => m.type === 'error', 10_000);
      assert.equal(error.code, 'AM_ERR_UNAUTHORIZED');
      latencies.push(Date.now() - started);
      await client.closed;
    }
    assert.ok(latencies[0]! < 500, `first wrong token: ${latencies[0]} ms`);
    assert.ok(latencies[7]! >= 1_500, `eighth wrong token answered after only ${latencies[7]} ms (${latencies.join(', ')})`);
    const right = await connect(server.wsUrl);
    const started = Date.now();
    right.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: server.token });
    await right.next((m) => m.type === 'welcome', 5_000);
    assert.ok(Date.now() - started < 500, 'the right token was delayed');
    await right.close();
  } finally {
    await server.close();
  }
});
