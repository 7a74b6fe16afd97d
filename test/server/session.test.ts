import assert from 'node:assert/strict';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROTOCOL_VERSION, type AcceptedMessage, type ErrorMessage, type JobStateMessage, type MontageResultMessage, type ProgressMessage, type ServerMessage, type WelcomeMessage } from '../../companion/protocol/messages';
import { startServer } from '../../companion/server/index';
import { filmDir, musicDir } from '../support/paths';
import { connect, connectReady, fakeRunJob, jobFolders, startTestServer, type TestClient } from './ws-client';

const movie = join(filmDir, 'sintel_trailer.mp4');
const music = join(musicDir, 'wesnoth_battle-epic.ogg');
const montage = (requestId: string, extra: Record<string, unknown> = {}) => ({ type: 'montage', requestId, movie: { path: movie }, music: { path: music, range: { startSeconds: 0, endSeconds: 8 } }, ...extra });

/** Runs a job to its terminal frame and returns every frame of that job in order. */
async function runToEnd(client: TestClient, request: Record<string, unknown>): Promise<{ accepted: AcceptedMessage; frames: ServerMessage[]; terminal: ServerMessage }> {
  client.send(request);
  const accepted = await client.next<AcceptedMessage>((m) => (m.type === 'accepted' || m.type === 'error') && 'requestId' in m && m.requestId === request.requestId);
  assert.equal(accepted.type, 'accepted', JSON.stringify(accepted));
  const terminal = await client.next((m) => (m.type === 'result' || m.type === 'cancelled' || m.type === 'error') && 'jobId' in m && m.jobId === accepted.jobId);
  const frames = client.received.filter((m) => 'jobId' in m && m.jobId === accepted.jobId);
  return { accepted, frames, terminal };
}

test('hello with the token is answered by welcome with the limits, and frames before hello are refused as out of order', async () => {
  const server = await startTestServer({ runJob: fakeRunJob(), formats: ['edl', 'fcp7-xml'] });
  try {
    const client = await connect(server.wsUrl);
    client.send({ type: 'ping', requestId: 'early' });
    const early = await client.next<ErrorMessage>((m) => m.type === 'error');
    assert.equal(early.code, 'AM_ERR_PROTOCOL_OUT_OF_ORDER');
    assert.equal(early.requestId, 'early');
    client.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: server.token });
    const welcome = await client.next<WelcomeMessage>((m) => m.type === 'welcome');
    assert.equal(welcome.protocol, 1);
    assert.deepEqual(welcome.formats, ['edl', 'fcp7-xml']);
    assert.equal(welcome.limits.maxFrameBytes, 256 * 1024);
    assert.match(welcome.sessionId, /^[0-9a-f]{16}$/);
    client.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: server.token });
    assert.equal((await client.next<ErrorMessage>((m) => m.type === 'error')).code, 'AM_ERR_PROTOCOL_OUT_OF_ORDER');
    client.send({ type: 'ping', requestId: 'p1' });
    const pong = await client.next((m) => m.type === 'pong');
    assert.equal('requestId' in pong && pong.requestId, 'p1');
    await client.close();
  } finally {
    await server.close();
  }
});

test('a wrong token and a wrong protocol version are refused with a typed error and the socket is closed', async () => {
  const server = await startTestServer({ runJob: fakeRunJob() });
  try {
    const wrongToken = await connect(server.wsUrl);
    wrongToken.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: 'f'.repeat(64) });
    assert.equal((await wrongToken.next<ErrorMessage>((m) => m.type === 'error')).code, 'AM_ERR_UNAUTHORIZED');
    assert.equal((await wrongToken.closed).code, 4401);

    const noToken = await connect(server.wsUrl);
    noToken.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: '' });
    assert.equal((await noToken.next<ErrorMessage>((m) => m.type === 'error')).code, 'AM_ERR_UNAUTHORIZED');
    assert.equal((await noToken.closed).code, 4401);

    const oldClient = await connect(server.wsUrl);
    oldClient.send({ type: 'hello', protocol: 0, token: server.token });
    const version = await oldClient.next<ErrorMessage>((m) => m.type === 'error');
    assert.equal(version.code, 'AM_ERR_PROTOCOL_VERSION');
    assert.deepEqual(version.details, { serverProtocol: 1, clientProtocol: 0 });
    assert.equal((await oldClient.closed).code, 4400);
  } finally {
    await server.close();
  }
});

test('a client that never says hello is closed after the hello timeout', async () => {
  const server = await startTestServer({ runJob: fakeRunJob(), helloTimeoutMs: 200 });
  try {
    const client = await connect(server.wsUrl);
    assert.equal((await client.next<ErrorMessage>((m) => m.type === 'error')).code, 'AM_ERR_UNAUTHORIZED');
    assert.equal((await client.closed).code, 4401);
  } finally {
    await server.close();
  }
});

/** Generates bad frames of every family, each with the code it must get. */
function badFrames(limitBytes: number): { label: string; data: string | Buffer; binary?: boolean; code: string }[] {
  const frames: { label: string; data: string | Buffer; binary?: boolean; code: string }[] = [];
  const notJson = ['{', '}', '{"type":', 'nul', '[1,2', '"unterminated', '{"a":1,}', "{'type':'ping'}", 'undefined', '{"type":"ping" "requestId":"x"}'];
  for (const [i, text] of notJson.entries()) frames.push({ label: `not json ${i}`, data: text, code: 'AM_ERR_PROTOCOL_MALFORMED' });
  for (const value of ['1', '"ping"', 'null', 'true', '[]', '[{"type":"ping"}]', '{}', '{"type":1}', '{"type":null}', '{"type":["ping"]}']) {
    frames.push({ label: `not a typed object ${value}`, data: value, code: 'AM_ERR_PROTOCOL_MALFORMED' });
  }
  for (let i = 0; i < 40; i++) {
    const type = ['pong', 'welcome', 'result', 'HELLO', 'Ping', 'montage2', '', 'progress', 'error', '__proto__'][i % 10]! + (i >= 10 ? String(i) : '');
    frames.push({ label: `unknown type ${type}`, data: JSON.stringify({ type, requestId: `u${i}` }), code: 'AM_ERR_PROTOCOL_UNKNOWN_TYPE' });
  }
  const good = montage('m');
  const mutations: [string, Record<string, unknown>][] = [
    ['no requestId', { ...good, requestId: undefined }],
    ['empty requestId', { ...good, requestId: '' }],
    ['long requestId', { ...good, requestId: 'x'.repeat(65) }],
    ['numeric requestId', { ...good, requestId: 7 }],
    ['movie missing', { ...good, movie: undefined }],
    ['movie a string', { ...good, movie: movie }],
    ['movie path empty', { ...good, movie: { path: '' } }],
    ['movie path NUL', { ...good, movie: { path: `${movie}\u0000x` } }],
    ['music range reversed', { ...good, music: { path: music, range: { startSeconds: 5, endSeconds: 1 } } }],
    ['music range negative', { ...good, music: { path: music, range: { startSeconds: -1, endSeconds: 1 } } }],
    ['music range NaN-ish', { ...good, music: { path: music, range: { startSeconds: '0', endSeconds: 1 } } }],
    ['extra key', { ...good, sneaky: true }],
    ['extra key in movie', { ...good, movie: { path: movie, inPoint: 3 } }],
    ['scenes zero', { ...good, options: { scenes: 0 } }],
    ['scenes fractional', { ...good, options: { scenes: 2.5 } }],
    ['mode unknown', { ...good, options: { mode: 'medium' } }],
    ['granularity unknown', { ...good, options: { granularity: '4bars' } }],
    ['pins not integers', { ...good, options: { pins: [1.5] } }],
    ['pins negative', { ...good, options: { pins: [-1] } }],
    ['bans a string', { ...good, options: { bans: '1,2' } }],
    ['beatsPerBar 13', { ...good, options: { beatsPerBar: 13 } }],
    ['bpm too slow', { ...good, options: { bpm: 10 } }],
    ['firstDownbeatSeconds negative', { ...good, options: { firstDownbeatSeconds: -1 } }],
    ['mood unknown', { ...good, options: { mood: 'happy' } }],
    ['unknown option', { ...good, options: { speed: 2 } }],
    ['formats empty', { ...good, formats: [] }],
    ['format with a slash', { ...good, formats: ['../edl'] }],
    ['preview a string', { ...good, preview: 'yes' }],
    ['hello without token', { type: 'hello', protocol: 1 }],
    ['cancel without jobId', { type: 'cancel', requestId: 'c' }],
    ['cancel with a path as jobId', { type: 'cancel', requestId: 'c', jobId: '../../etc' }],
    ['job with uppercase id', { type: 'job', requestId: 'j', jobId: 'ABC' }],
    ['resolve without jobId', { type: 'resolve', requestId: 'r' }],
    ['ping with extra', { type: 'ping', requestId: 'p', payload: 1 }],
    ['analyse with montage options', { type: 'analyse', requestId: 'a', movie: { path: movie }, music: { path: music }, options: { pins: [1] } }],
  ];
  for (let round = 0; round < 2; round++) {
    for (const [label, value] of mutations) frames.push({ label: `${label} (${round})`, data: JSON.stringify(value), code: 'AM_ERR_PROTOCOL_MALFORMED' });
  }
  for (let i = 0; i < 20; i++) frames.push({ label: `oversize ${i}`, data: JSON.stringify({ type: 'ping', requestId: 'big', pad: 'x'.repeat(limitBytes + i * 97) }), code: 'AM_ERR_PROTOCOL_FRAME_TOO_LARGE' });
  for (let i = 0; i < 10; i++) frames.push({ label: `binary ${i}`, data: Buffer.from(JSON.stringify({ type: 'ping', requestId: `b${i}` })), binary: true, code: 'AM_ERR_PROTOCOL_MALFORMED' });
  for (let i = 0; i < 10; i++) frames.push({ label: `bad utf-8 ${i}`, data: Buffer.from([0x7b, 0xff, 0xfe, 0x80 + i, 0x7d]), code: 'AM_ERR_PROTOCOL_MALFORMED' });
  for (let i = 0; i < 10; i++) frames.push({ label: `hello again ${i}`, data: JSON.stringify({ type: 'hello', protocol: 1, token: 'x' }), code: 'AM_ERR_PROTOCOL_OUT_OF_ORDER' });
  for (let i = 0; i < 10; i++) frames.push({ label: `cancel of an unknown job ${i}`, data: JSON.stringify({ type: 'cancel', requestId: `c${i}`, jobId: `nojob-${i}` }), code: 'AM_ERR_JOB_NOT_FOUND' });
  for (let i = 0; i < 10; i++) frames.push({ label: `resolve of an unknown job ${i}`, data: JSON.stringify({ type: 'resolve', requestId: `r${i}`, jobId: `nojob-${i}` }), code: 'AM_ERR_JOB_NOT_FOUND' });
  for (let i = 0; i < 5; i++) frames.push({ label: `relative movie path ${i}`, data: JSON.stringify(montage(`rel${i}`, { movie: { path: 'movie.mp4' } })), code: 'AM_ERR_INVALID_ARGUMENT' });
  for (let i = 0; i < 5; i++) frames.push({ label: `missing music file ${i}`, data: JSON.stringify(montage(`nf${i}`, { music: { path: `/no/such/music-${i}.ogg` } })), code: 'AM_ERR_FILE_NOT_FOUND' });
  return frames;
}

test('at least 200 malformed, oversize, out-of-order and unknown frames each get one typed error while another client is served', { timeout: 60_000 }, async () => {
  const limitBytes = 4096;
  const server = await startTestServer({ runJob: fakeRunJob({ stepMs: 150 }), limits: { maxFrameBytes: limitBytes, maxMessagesPerSecond: 100_000 } });
  try {
    const good = await connectReady(server);
    good.send(montage('good-1'));
    const goodAccepted = await good.next<AcceptedMessage>((m) => m.type === 'accepted');

    const bad = await connectReady(server);
    const frames = badFrames(limitBytes);
    assert.ok(frames.length >= 200, `${frames.length} frames`);
    for (const frame of frames) {
      const before = bad.received.length;
      bad.sendRaw(frame.data, { binary: frame.binary ?? false });
      const reply = await bad.next((m) => true);
      assert.equal(bad.received.length, before + 1, `exactly one reply to ${frame.label}`);
      assert.equal(reply.type, 'error', `${frame.label}: ${JSON.stringify(reply)}`);
      assert.equal((reply as ErrorMessage).code, frame.code, `${frame.label}: ${(reply as ErrorMessage).message}`);
      assert.ok((reply as ErrorMessage).message.length > 0);
    }
    // Field problems name the key.
    const unknownKey = bad.received.find((m) => m.type === 'error' && m.message.includes('"sneaky"')) as ErrorMessage | undefined;
    assert.ok(unknownKey, 'an unknown key is named');
    assert.equal(unknownKey.where?.field, 'sneaky');

    // The abused connection still works, and the other client's job completed normally.
    bad.send({ type: 'ping', requestId: 'still-alive' });
    assert.equal((await bad.next((m) => m.type === 'pong')).type, 'pong');
    const result = await good.next<MontageResultMessage>((m) => m.type === 'result' && m.jobId === goodAccepted.jobId);
    assert.equal(result.montage.files.length, 4);
    assert.equal(good.received.filter((m) => m.type === 'error').length, 0);
    await Promise.all([good.close(), bad.close()]);
  } finally {
    await server.close();
  }
});

test('frames beyond the rate limit get AM_ERR_PROTOCOL_RATE_LIMITED and the rest are answered', async () => {
  const server = await startTestServer({ runJob: fakeRunJob(), limits: { maxMessagesPerSecond: 5 } });
  try {
    const client = await connectReady(server);
    for (let i = 0; i < 30; i++) client.send({ type: 'ping', requestId: `p${i}` });
    await client.next((m) => 'requestId' in m && m.requestId === 'p29');
    const replies = client.received.filter((m) => m.type === 'pong' || m.type === 'error');
    assert.equal(replies.length, 30, 'every frame gets one reply');
    const limited = replies.filter((m) => m.type === 'error' && m.code === 'AM_ERR_PROTOCOL_RATE_LIMITED').length;
    const pongs = replies.filter((m) => m.type === 'pong').length;
    assert.ok(pongs >= 8 && pongs <= 12, `${pongs} pongs within the burst of 10 (+ refill)`);
    assert.equal(limited + pongs, 30);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    client.send({ type: 'ping', requestId: 'later' });
    assert.equal((await client.next((m) => 'requestId' in m && m.requestId === 'later')).type, 'pong', 'the bucket refills');
    await client.close();
  } finally {
    await server.close();
  }
});

test('a frame far beyond the size limit closes the connection with 1009', async () => {
  const server = await startTestServer({ runJob: fakeRunJob(), limits: { maxFrameBytes: 1000 } });
  try {
    const client = await connectReady(server);
    client.sendRaw('x'.repeat(10_000));
    assert.equal((await client.closed).code, 1009);
  } finally {
    await server.close();
  }
});

test('a montage job reports accepted, monotonic progress per stage, then a result whose artifact URLs serve the files', async () => {
  const server = await startTestServer({ runJob: fakeRunJob() });
  try {
    const client = await connectReady(server);
    const { accepted, frames, terminal } = await runToEnd(client, montage('m1', { options: { pins: [2, 3] } }));
    assert.equal(accepted.kind, 'montage');
    assert.equal(accepted.queuePosition, 0);
    assert.equal(frames[0]?.type, 'accepted', 'accepted comes before any frame of the job');
    const progress = frames.filter((m): m is ProgressMessage => m.type === 'progress');
    assert.deepEqual([...new Set(progress.map((p) => p.stage))], ['movie', 'music', 'plan']);
    for (const stage of ['movie', 'music', 'plan']) {
      const fractions = progress.filter((p) => p.stage === stage).map((p) => p.fraction);
      assert.deepEqual(fractions, [...fractions].sort((a, b) => a - b), `${stage} never goes backwards`);
      assert.equal(fractions.at(-1), 1);
    }
    assert.equal(terminal.type, 'result');
    const result = terminal as MontageResultMessage;
    assert.equal(result.kind, 'montage');
    assert.deepEqual(result.montage.chosen.map((c) => c.shotIndex), [2, 3]);
    assert.deepEqual(result.montage.files.map((f) => f.name), ['montage.edl', 'montage.xml', 'plan.json', 'montage.mp4']);
    assert.equal(result.montage.previewUrl, result.montage.files[3]!.url);
    for (const file of result.montage.files) {
      assert.ok(file.url.startsWith(`${server.url}/jobs/${accepted.jobId}/files/`), file.url);
      const response = await fetch(file.url);
      assert.equal(response.status, 200, file.name);
      const body = Buffer.from(await response.arrayBuffer());
      assert.equal(body.length, file.sizeBytes);
      assert.deepEqual(body, readFileSync(join(server.dataDir, 'jobs', accepted.jobId, 'files', file.name)));
    }
    assert.deepEqual(jobFolders(server), [accepted.jobId], 'one complete job folder, no work folder');
    await client.close();
  } finally {
    await server.close();
  }
});

test('four concurrent jobs on two slots all complete with their own outputs', { timeout: 30_000 }, async () => {
  let running = 0;
  let maxRunning = 0;
  const inner = fakeRunJob({ stepMs: 120 });
  const server = await startTestServer({
    concurrency: 2,
    runJob: async (request, context, progress, token) => {
      maxRunning = Math.max(maxRunning, ++running);
      try {
        return await inner(request, context, progress, token);
      } finally {
        running--;
      }
    },
  });
  try {
    const clients = await Promise.all([0, 1].map(() => connectReady(server)));
    const runs = await Promise.all(
      [0, 1, 2, 3].map((i) => runToEnd(clients[i % 2]!, montage(`c${i}`, { options: { pins: [i], scenes: i + 1 }, preview: i % 2 === 0 }))),
    );
    assert.equal(maxRunning, 2, 'never more than the concurrency');
    assert.deepEqual(runs.map((r) => r.accepted.queuePosition).sort(), [0, 0, 1, 2]);
    for (const [i, run] of runs.entries()) {
      assert.equal(run.terminal.type, 'result', JSON.stringify(run.terminal));
      const result = run.terminal as MontageResultMessage;
      assert.deepEqual(result.montage.chosen.map((c) => c.shotIndex), [i]);
      assert.equal(result.montage.plan.options.scenes, i + 1);
      assert.equal(result.montage.previewUrl === null, i % 2 === 1);
      const plan = JSON.parse(await (await fetch(result.montage.files.find((f) => f.name === 'plan.json')!.url)).text()) as { jobId: string; request: { options: { pins: number[] } } };
      assert.equal(plan.jobId, run.accepted.jobId, 'the file belongs to its own job');
      assert.deepEqual(plan.request.options.pins, [i]);
    }
    assert.equal(new Set(runs.map((r) => r.accepted.jobId)).size, 4);
    assert.deepEqual(jobFolders(server), runs.map((r) => r.accepted.jobId).sort());
    await Promise.all(clients.map((c) => c.close()));
  } finally {
    await server.close();
  }
});

test('cancel stops a running job and a queued one, which end cancelled and leave no output', { timeout: 30_000 }, async () => {
  const server = await startTestServer({ runJob: fakeRunJob({ stepMs: 3000 }), concurrency: 1 });
  try {
    const client = await connectReady(server);
    client.send(montage('run'));
    client.send(montage('wait'));
    const first = await client.next<AcceptedMessage>((m) => m.type === 'accepted' && m.requestId === 'run');
    const second = await client.next<AcceptedMessage>((m) => m.type === 'accepted' && m.requestId === 'wait');
    assert.equal(second.queuePosition, 1);
    await client.next((m) => m.type === 'progress' && m.jobId === first.jobId);

    client.send({ type: 'cancel', requestId: 'x2', jobId: second.jobId });
    const queuedState = await client.next<JobStateMessage>((m) => m.type === 'jobState' && m.requestId === 'x2');
    assert.equal(queuedState.status, 'cancelled');
    client.send({ type: 'cancel', requestId: 'x1', jobId: first.jobId });
    const runningState = await client.next<JobStateMessage>((m) => m.type === 'jobState' && m.requestId === 'x1');
    assert.equal(runningState.status, 'running');
    const started = Date.now();
    await client.next((m) => m.type === 'cancelled' && m.jobId === first.jobId);
    assert.ok(Date.now() - started < 1000, 'the running job stops promptly');
    // The queued job's `cancelled` follows the removal of its work folder, so on a busy machine it may come after the running one's.
    const queuedCancelled = () => client.received.filter((m) => m.type === 'cancelled' && m.jobId === second.jobId).length;
    for (const deadline = Date.now() + 5000; queuedCancelled() === 0 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(queuedCancelled(), 1);
    assert.deepEqual(jobFolders(server), [], 'no job folder and no work folder');

    client.send({ type: 'job', requestId: 'q', jobId: first.jobId });
    assert.equal((await client.next<JobStateMessage>((m) => m.type === 'jobState' && m.requestId === 'q')).status, 'cancelled');
    client.send({ type: 'cancel', requestId: 'again', jobId: first.jobId });
    const again = await client.next((m) => 'requestId' in m && m.requestId === 'again');
    assert.equal(again.type, 'jobState', 'cancelling a finished job is harmless');
    await client.close();
  } finally {
    await server.close();
  }
});

test('a job cannot be cancelled from another connection', async () => {
  const server = await startTestServer({ runJob: fakeRunJob({ stepMs: 2000 }) });
  try {
    const owner = await connectReady(server);
    const other = await connectReady(server);
    owner.send(montage('o'));
    const accepted = await owner.next<AcceptedMessage>((m) => m.type === 'accepted');
    other.send({ type: 'cancel', requestId: 'steal', jobId: accepted.jobId });
    assert.equal((await other.next<ErrorMessage>((m) => m.type === 'error')).code, 'AM_ERR_JOB_NOT_FOUND');
    await Promise.all([owner.close(), other.close()]);
  } finally {
    await server.close();
  }
});

test('closing the connection cancels its queued and running jobs', { timeout: 20_000 }, async () => {
  const started: string[] = [];
  const server = await startTestServer({ runJob: fakeRunJob({ stepMs: 3000, onStart: (r) => started.push(r.music.path) }), concurrency: 1 });
  try {
    const client = await connectReady(server);
    client.send(montage('a'));
    client.send(montage('b'));
    await client.next((m) => m.type === 'accepted' && m.requestId === 'b');
    await client.next((m) => m.type === 'progress');
    await client.close();
    // The queued job's work folder (recorded at acceptance) is removed just after it is cancelled.
    for (let i = 0; i < 50 && (server.stats().running > 0 || server.stats().queued > 0 || jobFolders(server).length > 0); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(server.stats().running, 0);
    assert.equal(server.stats().queued, 0);
    assert.equal(server.stats().cancelled, 2);
    assert.equal(started.length, 1, 'the queued job never started');
    assert.deepEqual(jobFolders(server), []);
  } finally {
    await server.close();
  }
});

test('a full queue refuses new jobs with AM_ERR_QUEUE_FULL', async () => {
  const server = await startTestServer({ runJob: fakeRunJob({ stepMs: 3000 }), concurrency: 1, limits: { maxQueuedJobs: 2 } });
  try {
    const client = await connectReady(server);
    for (const id of ['q1', 'q2', 'q3']) client.send(montage(id));
    for (const id of ['q1', 'q2', 'q3']) assert.equal((await client.next((m) => 'requestId' in m && m.requestId === id)).type, 'accepted');
    client.send(montage('q4'));
    const refused = await client.next<ErrorMessage>((m) => 'requestId' in m && m.requestId === 'q4');
    assert.equal(refused.code, 'AM_ERR_QUEUE_FULL');
    await client.close();
  } finally {
    await server.close();
  }
});

test('a failing job ends with an error frame carrying its code and jobId, and leaves no output', async () => {
  const { MontageError } = await import('../../companion/core/errors');
  const server = await startTestServer({ runJob: fakeRunJob({ fail: () => new MontageError('AM_ERR_NO_EXACT_FILL', 'No choice of shots fills 4 bars.', { details: { bars: 4 } }) }) });
  try {
    const client = await connectReady(server);
    const { accepted, terminal } = await runToEnd(client, montage('f'));
    assert.equal(terminal.type, 'error');
    assert.equal((terminal as ErrorMessage).code, 'AM_ERR_NO_EXACT_FILL');
    assert.equal((terminal as ErrorMessage).jobId, accepted.jobId);
    assert.deepEqual((terminal as ErrorMessage).details, { bars: 4 });
    assert.deepEqual(jobFolders(server), []);
    client.send({ type: 'job', requestId: 'state', jobId: accepted.jobId });
    const state = await client.next<JobStateMessage>((m) => m.type === 'jobState');
    assert.equal(state.status, 'failed');
    assert.equal(state.error?.code, 'AM_ERR_NO_EXACT_FILL');
    await client.close();
  } finally {
    await server.close();
  }
});

test('resolve re-solves from the cached analysis with new pins, fast, and still works after a restart', { timeout: 30_000 }, async () => {
  const options = { runJob: fakeRunJob({ stepMs: 30 }) };
  const first = await startTestServer(options);
  let jobId: string;
  try {
    const client = await connectReady(first);
    const original = await runToEnd(client, montage('m', { options: { pins: [1], scenes: 3 } }));
    jobId = original.accepted.jobId;
    const started = Date.now();
    const resolved = await runToEnd(client, { type: 'resolve', requestId: 'r', jobId, options: { pins: [0, 2] } });
    assert.ok(Date.now() - started < 2000, 'resolve answers within 2 s');
    const result = resolved.terminal as MontageResultMessage;
    assert.equal(result.kind, 'resolve');
    assert.equal(result.sourceJobId, jobId);
    assert.equal(result.montage.previewUrl, null, 'no preview unless asked');
    assert.deepEqual(result.montage.chosen.map((c) => c.shotIndex), [0, 2]);
    assert.equal(result.montage.plan.options.scenes, 3, 'options not given are kept from the source job');
    const plan = JSON.parse(await (await fetch(result.montage.files.find((f) => f.name === 'plan.json')!.url)).text()) as { analysisData: { movie: string; scores: number[] }; request: { movie: { path: string } } };
    assert.deepEqual(plan.analysisData, { movie, scores: [0.5, 0.25, 0.125] }, 'the runner got the source analysis');
    assert.equal(plan.request.movie.path, movie);
    await client.close();
  } finally {
    await first.close();
  }

  // A new server on the same folders: the finished job and its analysis come back from disk.
  const second = await startServer({ port: 0, dataDir: first.dataDir, configDir: first.configDir, runJob: fakeRunJob({ stepMs: 30 }) });
  try {
    assert.equal(second.token, first.token, 'the token is kept');
    const client = await connectReady(second);
    client.send({ type: 'job', requestId: 'j', jobId });
    const state = await client.next<JobStateMessage>((m) => m.type === 'jobState');
    assert.equal(state.status, 'done');
    assert.equal(state.result?.kind, 'montage');
    const url = (state.result as MontageResultMessage).montage.files[0]!.url;
    assert.ok(url.startsWith(second.url), 'URLs name the new port');
    assert.equal((await fetch(url)).status, 200);
    const resolved = await runToEnd(client, { type: 'resolve', requestId: 'r2', jobId, options: { pins: [3] } });
    const plan = JSON.parse(await (await fetch((resolved.terminal as MontageResultMessage).montage.files.find((f) => f.name === 'plan.json')!.url)).text()) as { analysisData: { scores: number[] } };
    assert.deepEqual(plan.analysisData.scores, [0.5, 0.25, 0.125], 'typed arrays survive the disk');
    // Resolving a resolve reuses the original analysis.
    const chained = await runToEnd(client, { type: 'resolve', requestId: 'r3', jobId: resolved.accepted.jobId, options: { bans: [1] } });
    assert.equal(chained.terminal.type, 'result');
    assert.deepEqual((chained.terminal as MontageResultMessage).montage.plan.options.pins, [3]);
    await client.close();
  } finally {
    await second.close();
  }
});

test('the music overrides travel with the job; a resolve keeps them and refuses new ones, which need a new analysis', async () => {
  const started: Record<string, unknown>[] = [];
  const server = await startTestServer({ runJob: fakeRunJob({ onStart: (request) => started.push({ ...request.options }) }) });
  try {
    const client = await connectReady(server);
    const overrides = { bpm: 120, beatsPerBar: 3, firstDownbeatSeconds: 0.5, mood: 'sad' };
    const original = await runToEnd(client, montage('m', { options: { scenes: 2, ...overrides } }));
    assert.deepEqual(started[0], { scenes: 2, ...overrides }, 'the runner gets every override');

    // Repeating the source job's values (and mood "auto" over no mood at all, below) is fine.
    const same = await runToEnd(client, { type: 'resolve', requestId: 'same', jobId: original.accepted.jobId, options: { pins: [1], bpm: 120, mood: 'sad' } });
    assert.equal(same.terminal.type, 'result', JSON.stringify(same.terminal));
    assert.deepEqual(started[1], { scenes: 2, ...overrides, pins: [1] }, 'the resolve keeps the source job’s overrides');

    for (const [key, value] of [['bpm', 100], ['beatsPerBar', 4], ['firstDownbeatSeconds', 2], ['mood', 'excited'], ['downbeatShift', 1]] as const) {
      client.send({ type: 'resolve', requestId: `new-${key}`, jobId: original.accepted.jobId, options: { [key]: value } });
      const refused = await client.next<ErrorMessage>((m) => m.type === 'error' && m.requestId === `new-${key}`);
      assert.equal(refused.code, 'AM_ERR_INVALID_ARGUMENT', refused.message);
      assert.equal(refused.where?.field, `options.${key}`);
      assert.match(refused.message, /start a montage/);
    }
    assert.equal(started.length, 2, 'no refused resolve reached the runner');

    const plain = await runToEnd(client, montage('plain'));
    const auto = await runToEnd(client, { type: 'resolve', requestId: 'auto', jobId: plain.accepted.jobId, options: { mood: 'auto' } });
    assert.equal(auto.terminal.type, 'result', JSON.stringify(auto.terminal));
    await client.close();
  } finally {
    await server.close();
  }
});

test('an analyse job returns the analysis summary and can be re-solved into a montage', async () => {
  const server = await startTestServer({ runJob: fakeRunJob() });
  try {
    const client = await connectReady(server);
    const analysed = await runToEnd(client, { type: 'analyse', requestId: 'a', movie: { path: movie }, music: { path: music } });
    assert.equal(analysed.terminal.type, 'result');
    assert.equal((analysed.terminal as { kind: string }).kind, 'analyse');
    assert.equal((analysed.terminal as unknown as { analysis: { shots: unknown[] } }).analysis.shots.length, 4);
    const resolved = await runToEnd(client, { type: 'resolve', requestId: 'r', jobId: analysed.accepted.jobId, options: { pins: [1] } });
    assert.equal((resolved.terminal as MontageResultMessage).montage.chosen[0]?.shotIndex, 1);
    await client.close();
  } finally {
    await server.close();
  }
});

test('a job folder holding a symbolic link to a file outside is never served through it', async () => {
  const server = await startTestServer({ runJob: fakeRunJob() });
  try {
    const client = await connectReady(server);
    const { accepted, terminal } = await runToEnd(client, montage('s', { preview: false }));
    const files = (terminal as MontageResultMessage).montage.files;
    const edl = join(server.dataDir, 'jobs', accepted.jobId, 'files', 'montage.edl');
    const { rmSync } = await import('node:fs');
    rmSync(edl);
    symlinkSync('/etc/passwd', edl);
    assert.ok(existsSync(edl));
    const response = await fetch(files.find((f) => f.name === 'montage.edl')!.url);
    assert.equal(response.status, 403);
    const body = (await response.json()) as { code: string };
    assert.equal(body.code, 'AM_ERR_PATH_FORBIDDEN');
    await client.close();
  } finally {
    await server.close();
  }
});

test("a connection's job requests are accepted and queued in the order they were sent", async () => {
  const server = await startTestServer({ runJob: fakeRunJob({ stepMs: 3000 }), concurrency: 1, limits: { maxQueuedJobs: 16 } });
  try {
    const client = await connectReady(server);
    const ids = Array.from({ length: 12 }, (_, i) => `o${i}`);
    for (const id of ids) client.send(montage(id));
    await client.next((m) => 'requestId' in m && m.requestId === ids.at(-1));
    const replies = client.received.filter((m) => 'requestId' in m && ids.includes(String(m.requestId)));
    assert.deepEqual(replies.map((m) => ('requestId' in m ? m.requestId : '')), ids);
    assert.deepEqual(replies.map((m) => (m.type === 'accepted' ? m.queuePosition : -1)), ids.map((_, i) => i));
    await client.close();
  } finally {
    await server.close();
  }
});
