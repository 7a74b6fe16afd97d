/**
 * Protocol invariants 11 and 12 on the real server: pairing with the printed code instead of the token, and
 * the job's text outputs over the WebSocket (`file` → `fileContent`), so the Premiere panel needs no http://.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROTOCOL_VERSION, type AcceptedMessage, type ErrorMessage, type FileContentMessage, type ResultMessage, type WelcomeMessage } from '../../companion/protocol/messages';
import { formatServerBanner } from '../../companion/server/index';
import { Pairing, normalisePairingCode } from '../../companion/server/pairing';
import { filmDir, musicDir } from '../support/paths';
import { connect, connectReady, fakeRunJob, startTestServer } from './ws-client';

const movie = join(filmDir, 'sintel_trailer.mp4');
const music = join(musicDir, 'wesnoth_battle-epic.ogg');

test('a right pairing code says hello once: the welcome carries the token, the code is used up and the next one announced', async () => {
  const announced: string[] = [];
  const server = await startTestServer({ runJob: fakeRunJob(), onPairingCode: (code) => announced.push(code) });
  try {
    const code = server.pairingCode();
    assert.ok(formatServerBanner(server).includes(`pairing:   ${code}`), 'the banner shows the code');
    const client = await connect(server.wsUrl);
    client.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: '', pairingCode: code.toLowerCase(), client: 'test' });
    const welcome = await client.next<WelcomeMessage>((m) => m.type === 'welcome');
    assert.equal(welcome.token, server.token);
    assert.deepEqual(welcome.status?.queue, { running: 0, queued: 0 });
    await client.close();
    assert.deepEqual(announced, [server.pairingCode()]);
    assert.notEqual(server.pairingCode(), code);

    // A token hello never carries the token back; the spent code and a made-up one are refused like a wrong token.
    const plain = await connectReady(server);
    assert.equal((plain.received.find((m) => m.type === 'welcome') as WelcomeMessage).token, undefined);
    await plain.close();
    for (const wrong of [code, 'AAAA-AAAA']) {
      const refused = await connect(server.wsUrl);
      refused.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: '', pairingCode: wrong });
      const error = await refused.next<ErrorMessage>((m) => m.type === 'error');
      assert.equal(error.code, 'AM_ERR_UNAUTHORIZED');
      assert.match(error.message, /pairing code is wrong or already used/);
      assert.equal((await refused.closed).code, 4401);
    }
    // A wrong token with the right code is still a wrong token: the code is only read with an empty token.
    const mixed = await connect(server.wsUrl);
    mixed.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: 'nope', pairingCode: server.pairingCode() });
    assert.equal((await mixed.next<ErrorMessage>((m) => m.type === 'error')).code, 'AM_ERR_UNAUTHORIZED');
    assert.equal(announced.length, 1, 'that code is still unused');
  } finally {
    await server.close();
  }
});

test('pairing codes read the same in any case and with spaces or a dash, and are compared in full', () => {
  assert.equal(normalisePairingCode(' k7qm-4xz2 '), 'K7QM4XZ2');
  assert.equal(normalisePairingCode('K7QM 4XZ2'), 'K7QM4XZ2');
  const pairing = new Pairing();
  const code = pairing.display;
  assert.equal(pairing.redeem(code.slice(0, 8)), false, 'a prefix is not the code');
  assert.equal(pairing.redeem(`${code}X`), false);
  assert.equal(pairing.redeem(code), true);
  assert.equal(pairing.redeem(code), false, 'used up');
});

test('a finished job’s timeline files come over the WebSocket as text; the preview, other names and unknown jobs are refused', async () => {
  const server = await startTestServer({ runJob: fakeRunJob() });
  try {
    const client = await connectReady(server);
    client.send({ type: 'montage', requestId: 'm1', movie: { path: movie }, music: { path: music }, preview: true });
    const { jobId } = await client.next<AcceptedMessage>((m) => m.type === 'accepted');
    await client.next<ResultMessage>((m) => m.type === 'result');
    client.send({ type: 'file', requestId: 'f1', jobId, name: 'montage.xml' });
    const file = await client.next<FileContentMessage>((m) => m.type === 'fileContent');
    assert.deepEqual(file, { type: 'fileContent', requestId: 'f1', jobId, name: 'montage.xml', format: 'fcp7-xml', text: `<xmeml version="4"><!-- ${jobId} --></xmeml>\n` });
    const refusals: [string, Record<string, unknown>, string][] = [
      ['the preview', { jobId, name: 'montage.mp4' }, 'AM_ERR_INVALID_ARGUMENT'],
      ['a name the job did not write', { jobId, name: 'secret.txt' }, 'AM_ERR_PATH_FORBIDDEN'],
      ['a path', { jobId, name: '../token' }, 'AM_ERR_PATH_FORBIDDEN'],
      ['an unknown job', { jobId: 'no-such-job', name: 'montage.xml' }, 'AM_ERR_JOB_NOT_FOUND'],
    ];
    for (const [what, fields, code] of refusals) {
      client.send({ type: 'file', requestId: `r-${what.length}`, ...fields });
      const error = await client.next<ErrorMessage>((m) => m.type === 'error' && m.requestId === `r-${what.length}`);
      assert.equal(error.code, code, what);
    }
    await client.close();
  } finally {
    await server.close();
  }
});
