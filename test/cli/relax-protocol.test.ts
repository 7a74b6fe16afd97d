/**
 * The relaxations over the protocol: a real `ws` client against the real companion running the real pipeline
 * on media generated here (a fast cut, slow music). The notices reach the result's plan summary; `relax` in a
 * montage or resolve forbids what it leaves out; bad values are refused by the schema with the key named.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEMO_SHOTS, synthesizeMovie, synthesizeMusic } from '../../companion/media/synthesize';
import type { AcceptedMessage, ErrorMessage, MontageResultMessage, ServerMessage } from '../../companion/protocol/messages';
import type { RunningServer } from '../../companion/server/index';
import { scratchDir } from '../support/paths';
import { connectReady, startTestServer, type TestClient } from '../server/ws-client';

const dir = scratchDir('relax-protocol');
const fastCut = join(dir, 'fast-cut.mp4');
const slowMusic = join(dir, 'slow.m4a');
let server: RunningServer;
let client: TestClient;

before(async () => {
  await synthesizeMovie(fastCut, DEMO_SHOTS.map((shot) => ({ source: shot.source, seconds: 2.5 })));
  await synthesizeMusic(slowMusic, { tempoBpm: 60, beatsPerBar: 4, seconds: 17, offsetSeconds: 0.5 });
  server = await startTestServer({ extensionsDir: join(dir, 'no-extensions') });
  client = await connectReady(server);
});

after(async () => {
  await client?.close();
  await server?.close();
});

async function job(request: Record<string, unknown>): Promise<ServerMessage> {
  client.send(request);
  const accepted = await client.next<AcceptedMessage>((m) => (m.type === 'accepted' || m.type === 'error') && 'requestId' in m && m.requestId === request.requestId);
  assert.equal(accepted.type, 'accepted', JSON.stringify(accepted));
  return client.next((m) => (m.type === 'result' || m.type === 'error') && 'jobId' in m && m.jobId === accepted.jobId, 120_000);
}

const media = { movie: { path: fastCut }, music: { path: slowMusic } };
const slow = { bpm: 60, beatsPerBar: 4 };

test('a montage over the protocol carries the granularity choice and each relaxation with its alternatives', { timeout: 180_000 }, async () => {
  const terminal = await job({ type: 'montage', requestId: 'relaxed', ...media, options: { ...slow, granularity: 'bar', scenes: 1 }, formats: ['edl'], preview: false });
  assert.equal(terminal.type, 'result', JSON.stringify(terminal));
  const { plan, chosen, musicEmotion } = (terminal as MontageResultMessage).montage;
  assert.equal(plan.options.granularity, 'halfbar');
  assert.equal(plan.options.scenes, 2);
  assert.deepEqual(plan.granularity && [plan.granularity.requested, plan.granularity.unit], ['bar', 'halfbar']);
  assert.match(plan.granularity?.reason ?? '', /bars do not fit the shots/);
  assert.deepEqual(plan.relaxations?.map((r) => [r.relax, r.from, r.to, r.alternatives]), [
    ['granularity', 'bar', 'halfbar', []],
    ['scenes', 1, 2, ['granularity', 'music']],
  ]);
  assert.match(plan.relaxations?.[0]?.message ?? '', /^used half-bars instead of bars: shots average 2\.\d s, bars are 4\.0 s/);
  // The summary's units are the half bars the plan cut on, and the chosen shots fill them.
  assert.equal(musicEmotion.length, 8);
  assert.ok(musicEmotion.every((unit) => Math.abs(unit.durationSeconds - 2) < 0.05), musicEmotion.map((u) => u.durationSeconds).join(', '));
  assert.equal(chosen.reduce((sum, shot) => sum + shot.barCount, 0), plan.barCount);

  // Forbid the extra scene (the panel's undo): the re-solve keeps one scene and ends the music earlier.
  const undone = await job({ type: 'resolve', requestId: 'undo', jobId: terminal.jobId, options: { granularity: 'bar', scenes: 1, relax: ['granularity', 'trim', 'music'] } });
  assert.equal(undone.type, 'result', JSON.stringify(undone));
  const replan = (undone as MontageResultMessage).montage.plan;
  assert.deepEqual(replan.relaxations?.map((r) => r.relax), ['granularity', 'music']);
  assert.equal(replan.sceneCount, 1);
  assert.ok(replan.durationSeconds < plan.durationSeconds);

  // relax none: today's typed error with its numbers, as an error frame of the job.
  const refused = await job({ type: 'resolve', requestId: 'none', jobId: terminal.jobId, options: { granularity: 'bar', relax: 'none' } });
  assert.equal(refused.type, 'error');
  const error = refused as ErrorMessage;
  assert.equal(error.code, 'AM_ERR_TOO_FEW_SHOTS');
  assert.match(error.message, /needs 4 bars, .* has 0 usable shots .* holding only 0 bars/);
});

test('a relax or granularity value the protocol does not know is refused, naming the key', async () => {
  for (const [requestId, options, field] of [
    ['bad-relax', { relax: 'sometimes' }, 'options.relax'],
    ['bad-list', { relax: ['trim', 'tempo'] }, 'options.relax'],
    ['bad-unit', { granularity: '4bars' }, 'options.granularity'],
  ] as const) {
    client.send({ type: 'montage', requestId, ...media, options });
    const reply = await client.next<ErrorMessage>((m) => m.type === 'error' && 'requestId' in m && m.requestId === requestId);
    assert.equal(reply.code, 'AM_ERR_PROTOCOL_MALFORMED');
    assert.equal(reply.where?.field, field, JSON.stringify(reply));
  }
});
