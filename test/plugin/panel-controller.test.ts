/**
 * The panel logic's failure paths and edges against the real companion server with a scripted RunJob (fast and
 * deterministic): companion not running, wrong state, a lost connection mid-job, cancel, server errors with
 * their fix, host failures, and xmeml markers that must not be added twice.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import WebSocket from 'ws';
import { MontageError } from '../../companion/core/errors';
import type { CancellationToken } from '../../companion/core/lifecycle';
import { startServer, type JobRequest, type RunJob, type RunningServer } from '../../companion/server/index';
import type { SocketLike } from '../../plugin/src/host';
import { PanelController } from '../../plugin/src/panel-controller';
import { barMarkers } from '../../plugin/src/result-model';
import { FakePremiereHost } from '../../plugin/src/testing/fake-premiere-host';
import { BrowserHost } from '../../plugin/src/web/browser-host';
import { uxpNetwork, type NetworkLog } from '../../plugin/src/testing/uxp-network';
import { editSequence, montageResult } from './support/fixtures';

// The companion checks that the media files exist before it queues a job; the scripted RunJob never reads them.
const mediaDir = mkdtempSync(join(tmpdir(), 'am-panel-media-'));
const moviePath = join(mediaDir, 'movie.mp4');
const musicPath = join(mediaDir, 'song.wav');
writeFileSync(moviePath, 'not really a movie');
writeFileSync(musicPath, 'not really music');

/** The fixture edit sequence with its movie clips pointing at files that exist. */
function sequence() {
  const base = editSequence();
  return { ...base, clips: base.clips.map((clip) => (clip.mediaPath === '/media/movie.mp4' ? { ...clip, mediaPath: moviePath } : clip)) };
}

const XMEML = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xmeml>\n<xmeml version="4"><sequence id="sequence-1"><name>Auto-Montage</name></sequence></xmeml>\n';

/** A RunJob that answers with the fixture montage, or fails, or waits for cancellation. */
function scriptedRunJob(behaviour: 'ok' | 'no-exact-fill' | 'wait', calls: string[] = [], requests: JobRequest[] = []): RunJob {
  return async (request, context, progress, token: CancellationToken) => {
    calls.push(request.kind);
    requests.push(request);
    progress.report({ stage: 'plan', fraction: 0.5 });
    if (behaviour === 'wait') {
      await new Promise<void>((_resolve, reject) => token.onCancellationRequested(() => reject(new MontageError('AM_ERR_CANCELLED', 'Cancelled.'))));
    }
    if (behaviour === 'no-exact-fill') throw new MontageError('AM_ERR_NO_EXACT_FILL', 'No choice of shots fills the 6 bars exactly.');
    writeFileSync(join(context.outDir, 'montage.xml'), XMEML);
    const fixture = montageResult();
    return {
      analysis: fixture.analysis,
      analysisData: { fixture: true },
      montage: { plan: fixture.montage.plan, chosen: fixture.montage.chosen, musicEmotion: fixture.montage.musicEmotion, files: [{ name: 'montage.xml', format: 'fcp7-xml' }], preview: null, report: '' },
    };
  };
}

async function withServer(runJob: RunJob, body: (server: RunningServer) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'am-panel-controller-'));
  const server = await startServer({ port: 0, dataDir: join(dir, 'data'), configDir: join(dir, 'config'), runJob, formats: ['fcp7-xml'] });
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

/** Every panel's network as UXP on macOS has it (no http://; only the companion's ws address), logged per URL. */
const networkLogs: NetworkLog[] = [];

function panel(host: FakePremiereHost, url: string, token: string): PanelController {
  const port = new URL(url).port;
  const network = uxpNetwork(host.platform, [`ws://127.0.0.1:${port}`, `http://127.0.0.1:${port}`], {
    socketFactory: (address, protocol) => new WebSocket(address, protocol) as unknown as SocketLike,
    fetch: (address, init) => fetch(address, init),
  });
  networkLogs.push(network.log);
  return new PanelController({ host, socketFactory: network.socketFactory, fetch: network.fetch, url, token });
}

/** A panel on a project with the edit sequence open and the music chosen. */
function readyPanel(server: RunningServer): { host: FakePremiereHost; controller: PanelController } {
  const host = new FakePremiereHost({ sequences: [sequence()] });
  const controller = panel(host, server.url, server.token);
  controller.setMusic({ kind: 'file', path: musicPath });
  return { host, controller };
}

after(() => {
  // Everything above ran as on macOS: no panel made a single http:// request.
  assert.deepEqual(networkLogs.flatMap((log) => log.fetches), []);
});

test('when the companion is not running, the panel says so and how to start it, and never throws', async () => {
  // A port that was just free: start a server and close it.
  const dir = mkdtempSync(join(tmpdir(), 'am-panel-closed-'));
  const gone = await startServer({ port: 0, dataDir: join(dir, 'data'), configDir: join(dir, 'config'), runJob: scriptedRunJob('ok') });
  await gone.close();
  const host = new FakePremiereHost({ sequences: [sequence()] });
  const controller = panel(host, gone.url, 'token');
  assert.equal(await controller.connect(), false);
  assert.equal(controller.state.connection.status, 'disconnected');
  assert.match(controller.state.problem?.title ?? '', new RegExp(`not running at ${gone.url}`));
  assert.match(controller.state.problem?.fix ?? '', /npx auto-montage serve/);
  assert.match(controller.state.problem?.fix ?? '', /npm start/);
  assert.equal(await controller.autoMontage(), null, 'Auto-montage tries to connect and reports the same');
  assert.match(controller.state.problem?.title ?? '', /not running/);
  assert.equal(host.imports.length, 0);
  controller.dispose();
});

test('with no sequence open the panel asks for one and sends nothing', async () => {
  const calls: string[] = [];
  await withServer(scriptedRunJob('ok', calls), async (server) => {
    const controller = panel(new FakePremiereHost(), server.url, server.token);
    assert.equal(await controller.autoMontage(), null);
    assert.equal(controller.state.problem?.title, 'No sequence is open.');
    assert.match(controller.state.problem?.fix ?? '', /Refresh/);
    assert.deepEqual(calls, []);
    controller.dispose();
  });
});

test('a server error arrives in plain words with its catalogue code and a fix', async () => {
  await withServer(scriptedRunJob('no-exact-fill'), async (server) => {
    const { host, controller } = readyPanel(server);
    assert.equal(await controller.autoMontage(), null);
    assert.equal(controller.state.problem?.code, 'AM_ERR_NO_EXACT_FILL');
    assert.equal(controller.state.problem?.title, 'No choice of shots fills the music exactly.');
    assert.match(controller.state.problem?.detail ?? '', /6 bars/);
    assert.match(controller.state.problem?.fix ?? '', /scene count/);
    assert.equal(controller.state.job, null);
    assert.equal(host.imports.length, 0);
    controller.dispose();
  });
});

test('a connection lost in the middle of a job fails it at once, with no half import', async () => {
  await withServer(scriptedRunJob('wait'), async (server) => {
    const { host, controller } = readyPanel(server);
    const running = controller.autoMontage();
    await waitFor(() => controller.state.job?.stage === 'plan');
    const closedAt = Date.now();
    await server.close();
    assert.equal(await running, null);
    assert.ok(Date.now() - closedAt < 2000, 'the job fails as soon as the socket closes');
    assert.match(controller.state.problem?.title ?? '', /connection to the companion was lost/);
    assert.equal(controller.state.connection.status, 'disconnected');
    assert.equal(controller.state.job, null);
    assert.equal(host.imports.length, 0);
    controller.dispose();
  });
});

test('Cancel stops a running job without reporting a problem', async () => {
  await withServer(scriptedRunJob('wait'), async (server) => {
    const { controller } = readyPanel(server);
    const running = controller.autoMontage();
    await waitFor(() => controller.state.job?.stage === 'plan');
    controller.cancel();
    assert.equal(await running, null);
    assert.equal(controller.state.problem, null);
    assert.equal(controller.state.notice, 'Cancelled.');
    assert.equal(server.stats().cancelled, 1);
    controller.dispose();
  });
});

test('bar markers that came with the xmeml import are not added twice', async () => {
  await withServer(scriptedRunJob('ok'), async (server) => {
    // Premiere keeps xmeml sequence markers: this fake import carries the first three bars.
    const carried = barMarkers(montageResult()).slice(0, 3);
    const host = new FakePremiereHost({ sequences: [sequence()], markersFromImport: () => carried });
    const controller = panel(host, server.url, server.token);
    controller.setMusic({ kind: 'file', path: musicPath });
    const result = await controller.autoMontage();
    assert.ok(result);
    assert.equal(controller.state.problem, null, JSON.stringify(controller.state.problem));
    const id = host.imports[0]?.newSequenceIds[0] ?? '';
    const markers = host.markers.get(id) ?? [];
    assert.deepEqual(markers.map((marker) => marker.startTicks), barMarkers(result).map((marker) => marker.startTicks), 'each bar marked once');
    assert.deepEqual(host.calls.filter((call) => call.method === 'addMarkers').map((call) => call.args[1]), [3], 'only the three missing bars were added');
    assert.match(controller.state.notice ?? '', /6 bar markers \(3 came with the XML\)/);
    // The xmeml the companion wrote is what was handed to Premiere, with the version's descriptive name.
    assert.equal(host.files[0]?.text, XMEML.replace('<name>Auto-Montage</name>', '<name>Auto-Montage v1 · song · 2 scenes · bars</name>'));
    assert.equal(host.files[0]?.name, 'auto-montage-v1.xml');
    controller.dispose();
  });
});

test('a failing Premiere import is reported and the montage stays on screen', async () => {
  await withServer(scriptedRunJob('ok'), async (server) => {
    const { host, controller } = readyPanel(server);
    host.failNext = { method: 'importTimeline', error: new Error('Premiere could not import /tmp/auto-montage-v1.xml.') };
    const result = await controller.autoMontage();
    assert.ok(result, 'the montage itself succeeded');
    assert.equal(controller.state.result, result);
    assert.equal(controller.state.problem?.title, 'Premiere could not import /tmp/auto-montage-v1.xml.');
    assert.deepEqual(controller.state.imported, []);
    controller.dispose();
  });
});

test('in Premiere, keep and drop wait for Apply: three clicks make one re-solve with the pins and bans and one new version', async () => {
  const calls: string[] = [];
  const requests: JobRequest[] = [];
  await withServer(scriptedRunJob('ok', calls, requests), async (server) => {
    const { host, controller } = readyPanel(server);
    await controller.autoMontage();
    assert.equal(await controller.setDecision(3, 'keep'), null);
    await controller.setDecision(9, 'drop');
    await controller.setDecision(7, 'drop');
    await controller.setDecision(7, null); // back as it was: no longer a change
    assert.deepEqual([...controller.state.pending], [[3, 'keep'], [9, 'drop']]);
    assert.deepEqual([controller.decisionOf(3), controller.decisionOf(9), controller.decisionOf(7)], ['keep', 'drop', null]);
    assert.deepEqual(calls, ['montage'], 'nothing is re-solved before Apply');
    const result = await controller.applyDecisions();
    assert.ok(result, JSON.stringify(controller.state.problem));
    assert.deepEqual(calls, ['montage', 'resolve']);
    assert.deepEqual([requests[1]?.options.pins, requests[1]?.options.bans], [[3], [9]]);
    assert.deepEqual([...controller.state.decisions], [[3, 'keep'], [9, 'drop']]);
    assert.equal(controller.state.pending.size, 0);
    assert.deepEqual(controller.state.imported.map((version) => version.version), [1, 2]);
    // Without OTIO from this companion the versions come by xmeml import, both into the one Auto-Montage bin.
    assert.deepEqual(host.calls.filter((call) => call.method === 'importTimeline').map((call) => call.args[1]), ['Auto-Montage', 'Auto-Montage']);
    assert.equal(await controller.applyDecisions(), null, 'nothing pending: Apply does nothing');
    controller.dispose();
  });
});

test('in the web UI, keep and drop re-solve at once, and a second click waits for the first', async () => {
  const calls: string[] = [];
  const requests: JobRequest[] = [];
  await withServer(scriptedRunJob('ok', calls, requests), async (server) => {
    const controller = new PanelController({ host: new BrowserHost(), socketFactory: (address, protocol) => new WebSocket(address, protocol) as unknown as SocketLike, url: server.url, token: server.token });
    controller.setTyped({ moviePath, musicPath });
    await controller.autoMontage();
    const first = controller.setDecision(3, 'keep');
    const second = controller.setDecision(9, 'drop'); // arrives while the first re-solve runs
    await first;
    await second;
    await waitFor(() => calls.length === 3 && controller.state.job === null);
    assert.deepEqual(calls, ['montage', 'resolve', 'resolve']);
    // The second click lands while the first re-solve runs; one more re-solve follows with both decisions.
    assert.deepEqual([requests[1]?.options.pins, requests[1]?.options.bans], [[3], []]);
    assert.deepEqual([requests[2]?.options.pins, requests[2]?.options.bans], [[3], [9]]);
    controller.dispose();
  });
});

test('the music overrides set in the panel reach the companion with the montage; a re-solve leaves them to the source job', async () => {
  const calls: string[] = [];
  const requests: JobRequest[] = [];
  await withServer(scriptedRunJob('ok', calls, requests), async (server) => {
    const { host, controller } = readyPanel(server);
    controller.setOptions({ bpm: 128, beatsPerBar: 6, firstDownbeatSeconds: 0.75, mood: 'relaxed' });
    await controller.autoMontage();
    assert.equal(controller.state.problem, null, JSON.stringify(controller.state.problem));
    assert.deepEqual(requests[0]?.options, { scenes: 5, mode: 'hard', granularity: 'auto', bpm: 128, beatsPerBar: 6, firstDownbeatSeconds: 0.75, mood: 'relaxed' });
    await controller.setDecision(2, 'drop');
    await controller.applyDecisions();
    assert.deepEqual(calls, ['montage', 'resolve']);
    assert.equal(controller.state.problem, null, 'the companion accepts the re-solve: it does not repeat or change the overrides');
    assert.deepEqual(requests[1]?.options, { scenes: 5, mode: 'hard', granularity: 'auto', bpm: 128, beatsPerBar: 6, firstDownbeatSeconds: 0.75, mood: 'relaxed', pins: [], bans: [2] }, 'the source job’s overrides are kept');

    // Back to auto: the next montage (from the edit, not the generated sequence) sends none of them.
    await host.openSequence(sequence().id);
    controller.setOptions({ bpm: undefined, beatsPerBar: undefined, firstDownbeatSeconds: undefined, mood: 'auto' });
    await controller.autoMontage();
    assert.equal(controller.state.problem, null, JSON.stringify(controller.state.problem));
    assert.deepEqual(requests[2]?.options, { scenes: 5, mode: 'hard', granularity: 'auto' });

    // Out of range: a problem with its fix, and nothing sent.
    await host.openSequence(sequence().id);
    controller.setOptions({ bpm: 900 });
    await controller.autoMontage();
    assert.match(problemTitle(controller), /tempo 900 BPM/);
    assert.equal(requests.length, 3);
    controller.dispose();
  });
});

/** The problem's title, read through a call (an earlier assert may have narrowed `state.problem` to null). */
function problemTitle(controller: PanelController): string {
  return controller.state.problem?.title ?? '';
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('"undo this relaxation" re-solves with that relaxation forbidden and imports the new version', async () => {
  const requests: JobRequest[] = [];
  const granularity = { relax: 'granularity' as const, message: 'used half-bars instead of bars: shots average 2.3 s, bars are 4.0 s (half-bars 2.0 s)', from: 'bar', to: 'halfbar', alternatives: [] };
  const scenes = { relax: 'scenes' as const, message: 'allowed 2 scenes instead of 1', from: 1, to: 2, alternatives: ['granularity' as const, 'music' as const] };
  const music = { relax: 'music' as const, message: 'ended the montage after 4 of 8 half-bars (music at 8.49 s instead of 16.49 s: 8.00 s shorter)', from: 16.49, to: 8.49, alternatives: [] };
  const runJob: RunJob = async (request, context) => {
    requests.push(request);
    writeFileSync(join(context.outDir, 'montage.xml'), XMEML);
    const fixture = montageResult({ granularity: 'halfbar', relaxations: request.kind === 'montage' ? [granularity, scenes] : [granularity, music] });
    return { analysis: fixture.analysis, analysisData: { fixture: true }, montage: { ...fixture.montage, files: [{ name: 'montage.xml', format: 'fcp7-xml' }], preview: null } };
  };
  await withServer(runJob, async (server) => {
    const { host, controller } = readyPanel(server);
    controller.setOptions({ scenes: 1, granularity: 'bar' });
    await controller.autoMontage();
    assert.equal(controller.state.problem, null, JSON.stringify(controller.state.problem));
    assert.deepEqual(requests[0]?.options, { scenes: 1, mode: 'hard', granularity: 'bar' }, 'relax auto is the companion’s default, not sent');
    assert.deepEqual(controller.state.result?.montage.plan.relaxations?.map((r) => r.relax), ['granularity', 'scenes']);

    await controller.undoRelaxation('scenes');
    assert.equal(controller.state.problem, null, JSON.stringify(controller.state.problem));
    assert.equal(requests[1]?.kind, 'resolve');
    assert.deepEqual(requests[1]?.options, { scenes: 1, mode: 'hard', granularity: 'bar', relax: ['granularity', 'trim', 'music'], pins: [], bans: [] });
    assert.deepEqual(controller.state.options.relax, ['granularity', 'trim', 'music']);
    assert.deepEqual(controller.state.result?.montage.plan.relaxations?.map((r) => r.relax), ['granularity', 'music']);
    assert.equal(host.imports.length, 2, 'the re-solve is imported as version 2');
    // Each undo forbids one more; what is left is sent as a list.
    await controller.undoRelaxation('granularity');
    await controller.undoRelaxation('music');
    assert.deepEqual(controller.state.options.relax, ['trim']);
    assert.deepEqual(requests[3]?.options?.relax, ['trim']);
    controller.dispose();
  });
});

test('a click on a chosen shot opens the movie in the Source Monitor at the shot’s source in', async () => {
  await withServer(scriptedRunJob('ok'), async (server) => {
    const { host, controller } = readyPanel(server);
    await controller.autoMontage();
    assert.equal(await controller.showShot(7), true);
    // The fixture's shot 7 plays 30–36 s of /media/movie.mp4.
    assert.deepEqual(host.sourceMonitor, { mediaPath: '/media/movie.mp4', atTicks: String(30n * 254016000000n) });
    assert.equal(await controller.showShot(99), false, 'not a chosen shot');
    controller.dispose();
  });
});

test('steering: in the web UI each change re-solves at once with it, auto goes back explicitly, and a montage sends only what is steered', async () => {
  const calls: string[] = [];
  const requests: JobRequest[] = [];
  await withServer(scriptedRunJob('ok', calls, requests), async (server) => {
    const controller = new PanelController({ host: new BrowserHost(), socketFactory: (address, protocol) => new WebSocket(address, protocol) as unknown as SocketLike, url: server.url, token: server.token });
    controller.setTyped({ moviePath, musicPath });
    assert.equal(await controller.steer({ moodTarget: 'sad' }), null, 'no result yet: nothing to re-solve');
    await controller.autoMontage();
    assert.deepEqual(requests[0]?.options, { scenes: 5, mode: 'hard', granularity: 'auto', moodTarget: 'sad' });
    const arc = [
      { seconds: 5, valence: 0.5, arousal: 0.2 },
      { seconds: 7, valence: -0.5, arousal: -0.2 },
    ];
    await controller.steer({ emotionArc: arc });
    await controller.steer({ moodTarget: { valence: 0.3, arousal: -0.6 }, scenes: 2, mode: 'soft' });
    await controller.steer({ moodTarget: 'auto', emotionArc: [] });
    assert.deepEqual(calls, ['montage', 'resolve', 'resolve', 'resolve']);
    const steering = (request: JobRequest | undefined) => ({ moodTarget: request?.options.moodTarget, emotionArc: request?.options.emotionArc, scenes: request?.options.scenes, mode: request?.options.mode });
    assert.deepEqual(steering(requests[1]), { moodTarget: 'sad', emotionArc: arc, scenes: 5, mode: 'hard' });
    assert.deepEqual(steering(requests[2]), { moodTarget: { valence: 0.3, arousal: -0.6 }, emotionArc: arc, scenes: 2, mode: 'soft' });
    assert.deepEqual(steering(requests[3]), { moodTarget: 'auto', emotionArc: [], scenes: 2, mode: 'soft' }, 'back to the music: said, not left to the source job');
    assert.equal(controller.state.problem, null, JSON.stringify(controller.state.problem));
    controller.dispose();
  });
});

test('steering in Premiere waits for Apply, with the Keep/Drop clicks, and makes one re-solve and one version', async () => {
  const calls: string[] = [];
  const requests: JobRequest[] = [];
  await withServer(scriptedRunJob('ok', calls, requests), async (server) => {
    const { controller } = readyPanel(server);
    await controller.autoMontage();
    await controller.steer({ moodTarget: 'tense', scenes: 3 });
    await controller.setDecision(9, 'drop');
    assert.equal(controller.state.steerPending, true);
    assert.deepEqual(calls, ['montage'], 'nothing is re-solved before Apply');
    await controller.applyDecisions();
    assert.deepEqual(calls, ['montage', 'resolve']);
    assert.deepEqual([requests[1]?.options.moodTarget, requests[1]?.options.scenes, requests[1]?.options.bans], ['tense', 3, [9]]);
    assert.equal(controller.state.steerPending, false);
    assert.deepEqual(controller.state.imported.map((version) => version.version), [1, 2]);
    controller.dispose();
  });
});

test('the storyboard is read over the WebSocket (nothing over http:// on macOS) and cached per job', async () => {
  const storyboard = { schema: 'Storyboard.1', title: 't', durationSeconds: 12, music: { name: 'song', startSeconds: 4, tempoBpm: 120, beatsPerBar: 4, waveform: [] }, bars: [], slots: [], excluded: [], settings: [], diagnostics: [] };
  const base = scriptedRunJob('ok');
  const runJob: RunJob = async (request, context, progress, token) => {
    const output = await base(request, context, progress, token);
    writeFileSync(join(context.outDir, 'storyboard.json'), JSON.stringify(storyboard));
    return { ...output, montage: { ...output.montage!, files: [...output.montage!.files, { name: 'storyboard.json', format: 'plan' }] } };
  };
  await withServer(runJob, async (server) => {
    const { controller } = readyPanel(server);
    const result = await controller.autoMontage();
    assert.ok(result, JSON.stringify(controller.state.problem));
    const loaded = await controller.loadStoryboard(result);
    assert.deepEqual(loaded, storyboard);
    assert.equal(controller.loadStoryboard(result), controller.loadStoryboard(result), 'read once per job');
    assert.deepEqual(networkLogs[networkLogs.length - 1]!.fetches, [], 'no http:// request');
    controller.dispose();
  });
});
