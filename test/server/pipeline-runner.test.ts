/**
 * End to end: a real `ws` client against the real companion on 127.0.0.1 running the real montage pipeline
 * (ffmpeg, analysis, emotion, planner, exporters, preview) on media from ../shared/media.
 */
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EmotionVector, MontagePlan } from '../../companion/core/montage';
import { CancellationToken, Progress } from '../../companion/core/lifecycle';
import { liveProcessCount } from '../../companion/media/process';
import type { MontageAnalysis } from '../../companion/pipeline/run-montage';
import { createPipelineRunner, toMontageRequest } from '../../companion/server/pipeline-runner';
import { movieAnalysis, musicAnalysis } from '../emotion/make-analysis';
import type { AcceptedMessage, AnalyseResultMessage, ErrorMessage, MontageResultMessage, ProgressMessage, ServerMessage } from '../../companion/protocol/messages';
import { ffprobeStreams } from '../support/ffprobe';
import { beatsDir, filmDir, scratchDir } from '../support/paths';
import { childProcesses, connectReady, jobFolders, startTestServer, type TestClient } from './ws-client';

const sintel = join(filmDir, 'sintel_trailer.mp4');
const bunny = join(filmDir, 'big_buck_bunny_first60s.mp4');
const music = join(beatsDir, 'fof_escape_from_chaosland.ogg');
const extensionsDir = join(scratchDir('extensions'), 'none');

async function runToEnd(client: TestClient, request: Record<string, unknown>, timeoutMs = 120_000): Promise<{ accepted: AcceptedMessage; frames: ServerMessage[]; terminal: ServerMessage }> {
  client.send(request);
  const accepted = await client.next<AcceptedMessage>((m) => (m.type === 'accepted' || m.type === 'error') && 'requestId' in m && m.requestId === request.requestId);
  assert.equal(accepted.type, 'accepted', JSON.stringify(accepted));
  const terminal = await client.next((m) => (m.type === 'result' || m.type === 'cancelled' || m.type === 'error') && 'jobId' in m && m.jobId === accepted.jobId, timeoutMs);
  return { accepted, frames: client.received.filter((m) => 'jobId' in m && m.jobId === accepted.jobId), terminal };
}

test('a real montage over the protocol: progress, a result with the plan and emotions, every artifact downloadable, and a fast re-solve', { timeout: 300_000 }, async () => {
  const server = await startTestServer({ extensionsDir });
  try {
    const client = await connectReady(server);
    const welcome = client.received.find((m) => m.type === 'welcome');
    assert.ok(welcome && welcome.type === 'welcome');
    for (const format of ['fcp7-xml', 'fcpxml', 'edl', 'otio']) assert.ok(welcome.formats.includes(format), `${format} in ${welcome.formats.join(', ')}`);

    const { accepted, frames, terminal } = await runToEnd(client, {
      type: 'montage',
      requestId: 'real',
      movie: { path: sintel },
      music: { path: music, range: { startSeconds: 30, endSeconds: 40 } },
      options: { scenes: 6 },
    });
    assert.equal(terminal.type, 'result', JSON.stringify(terminal));
    const result = terminal as MontageResultMessage;
    const progress = frames.filter((m): m is ProgressMessage => m.type === 'progress');
    const stages = [...new Set(progress.map((p) => p.stage))];
    for (const stage of ['music', 'plan', 'export']) assert.ok(stages.includes(stage), `stage ${stage} in ${stages.join(', ')}`);
    assert.ok(stages.indexOf('music') < stages.indexOf('plan') && stages.indexOf('plan') < stages.indexOf('export'), stages.join(' → '));
    for (const stage of stages) {
      const fractions = progress.filter((p) => p.stage === stage).map((p) => p.fraction);
      assert.deepEqual(fractions, [...fractions].sort((a, b) => a - b), `${stage} is monotonic`);
    }

    // The analysis summary and the plan agree with the files.
    const { analysis, montage } = result;
    assert.ok(analysis.shots.length >= 10, `${analysis.shots.length} shots`);
    assert.equal(analysis.labels.length, 6);
    assert.ok(montage.plan.barCount >= 5, `${montage.plan.barCount} bars in 10 s`);
    assert.equal(montage.musicEmotion.length, montage.plan.barCount);
    assert.ok(montage.plan.sceneCount <= 6);
    const names = montage.files.map((f) => f.name);
    for (const name of ['plan.json', 'report.txt', 'montage.mp4']) assert.ok(names.includes(name), name);
    for (const format of ['fcp7-xml', 'fcpxml', 'edl', 'otio', 'plan', 'report', 'preview']) assert.ok(montage.files.some((f) => f.format === format), `a ${format} file in ${JSON.stringify(montage.files)}`);
    const plan = JSON.parse(await (await fetch(montage.files.find((f) => f.name === 'plan.json')!.url)).text()) as MontagePlan;
    assert.equal(plan.schema, 'MontagePlan.1');
    assert.deepEqual(montage.chosen.map((c) => c.shotIndex), plan.placements.map((p) => p.shotIndex));
    assert.equal(montage.plan.shotCount, plan.placements.length);
    let nextBar = 0;
    for (const chosen of montage.chosen) {
      assert.equal(chosen.firstBar, nextBar, 'the chosen shots cover the bars back to back');
      nextBar += chosen.barCount;
      const shot = analysis.shots[chosen.shotIndex]!;
      assert.ok(chosen.sourceStartSeconds >= shot.startSeconds - 1e-6 && chosen.sourceEndSeconds <= shot.endSeconds + 1e-6, 'the window lies inside its shot');
      assert.ok(chosen.emotion, 'each chosen shot has its emotion');
      assert.ok(Math.abs(chosen.emotion.values.reduce((a, b) => a + b, 0) - 1) < 1e-3);
    }
    assert.equal(nextBar, montage.plan.barCount);
    for (const bar of montage.musicEmotion) assert.ok(bar.emotion && bar.emotion.valence >= -1 && bar.emotion.valence <= 1);

    for (const file of montage.files) {
      const response = await fetch(file.url);
      assert.equal(response.status, 200, file.name);
      const body = Buffer.from(await response.arrayBuffer());
      assert.equal(body.length, file.sizeBytes, file.name);
      if (file.format === 'fcp7-xml') assert.match(body.toString(), /<xmeml/);
      if (file.format === 'fcpxml') assert.match(body.toString(), /<fcpxml/);
      if (file.format === 'otio') assert.equal((JSON.parse(body.toString()) as { OTIO_SCHEMA: string }).OTIO_SCHEMA.split('.')[0], 'Timeline');
    }
    // The preview plays (ffprobe on a downloaded copy) and supports range requests.
    const previewCopy = join(server.root, 'preview.mp4');
    writeFileSync(previewCopy, Buffer.from(await (await fetch(montage.previewUrl!)).arrayBuffer()));
    const streams = ffprobeStreams(previewCopy);
    assert.ok(streams.some((s) => s.codec_type === 'video') && streams.some((s) => s.codec_type === 'audio'));
    const partial = await fetch(montage.previewUrl!, { headers: { range: 'bytes=0-99' } });
    assert.equal(partial.status, 206);
    assert.equal((await partial.arrayBuffer()).byteLength, 100);

    // Re-solve: pin a shot that was not chosen, ban one that was; answered from the cache in ≤ 2 s.
    const chosenSet = new Set(montage.chosen.map((c) => c.shotIndex));
    const banned = montage.chosen[0]!.shotIndex;
    const pinned = analysis.shots.filter((s) => !chosenSet.has(s.index)).sort((a, b) => b.endSeconds - b.startSeconds - (a.endSeconds - a.startSeconds))[0]!.index;
    const started = Date.now();
    const resolved = await runToEnd(client, { type: 'resolve', requestId: 'again', jobId: accepted.jobId, options: { pins: [pinned], bans: [banned] } });
    const resolveMs = Date.now() - started;
    assert.ok(resolveMs <= 2000, `re-solve took ${resolveMs} ms`);
    assert.equal(resolved.terminal.type, 'result', JSON.stringify(resolved.terminal));
    const again = (resolved.terminal as MontageResultMessage).montage;
    const shots = again.chosen.map((c) => c.shotIndex);
    assert.ok(shots.includes(pinned), `pinned shot ${pinned} is used: ${shots.join(',')}`);
    assert.ok(!shots.includes(banned), `banned shot ${banned} is not used`);
    assert.equal(again.chosen.find((c) => c.shotIndex === pinned)?.pinned, true);
    assert.equal(again.previewUrl, null);
    assert.deepEqual(again.plan.options.pins, [pinned]);
    console.log(`# companion e2e: montage ${result.elapsedMs} ms, re-solve ${resolveMs} ms (${again.chosen.length} shots)`);
    await client.close();
  } finally {
    await server.close();
  }
});

test('the music overrides of a protocol job reach the real analysis: metre, tempo, first downbeat and mood', { timeout: 300_000 }, async () => {
  const server = await startTestServer({ extensionsDir });
  try {
    const client = await connectReady(server);
    const { terminal } = await runToEnd(client, {
      type: 'analyse',
      requestId: 'overrides',
      movie: { path: sintel },
      music: { path: music, range: { startSeconds: 30, endSeconds: 40 } },
      options: { beatsPerBar: 3, bpm: 135, firstDownbeatSeconds: 31.5, mood: 'sad' },
    });
    assert.equal(terminal.type, 'result', JSON.stringify(terminal));
    const { analysis } = terminal as AnalyseResultMessage;
    assert.equal(analysis.music.beatsPerBar, 3);
    assert.ok(Math.abs(analysis.music.tempoBpm - 135) < 0.5, `${analysis.music.tempoBpm} BPM`);
    assert.ok(analysis.bars.length >= 3, `${analysis.bars.length} bars`);
    for (const bar of analysis.bars) {
      assert.ok(Math.abs(bar.durationSeconds - (3 * 60) / 135) < 0.15, `bar ${bar.index} lasts ${bar.durationSeconds} s`);
      assert.equal(bar.emotion?.label, 'sad', `bar ${bar.index} reads as sad`);
    }
    assert.ok(analysis.bars.some((bar) => Math.abs(bar.startSeconds - 31.5) <= 60 / 135 / 2 + 1e-3), 'a bar starts on the beat nearest 31.5 s');
    await client.close();
  } finally {
    await server.close();
  }
});

test('toMontageRequest carries every protocol option to the pipeline', () => {
  const request = toMontageRequest({
    kind: 'montage',
    movie: { path: '/m.mp4', range: { startSeconds: 1, endSeconds: 9 } },
    music: { path: '/a.ogg' },
    options: { scenes: 3, mode: 'soft', granularity: '2bars', trim: false, arc: true, pins: [1], bans: [2], beatsPerBar: 7, downbeatShift: 2, bpm: 96, firstDownbeatSeconds: 4.5, mood: 'relaxed' },
    formats: ['edl'],
    preview: false,
  });
  assert.deepEqual(request, {
    moviePath: '/m.mp4',
    movieRange: { startSeconds: 1, endSeconds: 9 },
    musicPath: '/a.ogg',
    options: { maxScenes: 3, mode: 'soft', trim: false, arc: true, pins: [1], bans: [2], granularity: '2bars', beatsPerBar: 7, downbeatShift: 2, bpm: 96, firstDownbeatSeconds: 4.5, mood: 'relaxed' },
    formats: ['edl'],
  });
});

test('cancel in the middle of analysis leaves no ffmpeg child in the process table and no partial output', { timeout: 120_000 }, async () => {
  const server = await startTestServer({ extensionsDir });
  try {
    const client = await connectReady(server);
    client.send({ type: 'montage', requestId: 'c', movie: { path: bunny }, music: { path: music } });
    const accepted = await client.next<AcceptedMessage>((m) => m.type === 'accepted');
    // Cancel as soon as the job has an ffmpeg child running (it decodes the music or the movie).
    let seen: { pid: number; command: string }[] = [];
    for (let i = 0; i < 2000 && seen.length === 0; i++) {
      seen = childProcesses().filter((child) => child.command.includes('ffmpeg'));
      if (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.ok(seen.length > 0, 'an ffmpeg child ran');
    client.send({ type: 'cancel', requestId: 'stop', jobId: accepted.jobId });
    const terminal = await client.next((m) => (m.type === 'cancelled' || m.type === 'result' || m.type === 'error') && 'jobId' in m && m.jobId === accepted.jobId, 30_000);
    assert.equal(terminal.type, 'cancelled', JSON.stringify(terminal));
    const stages = client.received.filter((m): m is ProgressMessage => m.type === 'progress').map((m) => m.stage);
    assert.ok(!stages.includes('plan'), `cancelled during analysis (stages: ${[...new Set(stages)].join(', ')})`);
    for (let i = 0; i < 100 && (childProcesses().length > 0 || liveProcessCount() > 0); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(childProcesses().filter((child) => child.command.includes('ffmpeg')), [], 'no ffmpeg child left');
    for (const { pid } of seen) assert.throws(() => process.kill(pid, 0), 'the seen ffmpeg process is gone');
    assert.equal(liveProcessCount(), 0);
    assert.deepEqual(jobFolders(server), [], 'no job folder, no work folder');
    await client.close();
  } finally {
    await server.close();
  }
});

test('four concurrent real montages on two slots complete correctly, sharing the analysis cache', { timeout: 300_000 }, async () => {
  const server = await startTestServer({ extensionsDir, concurrency: 2 });
  try {
    const clients = await Promise.all([0, 1].map(() => connectReady(server)));
    const requests = [
      { movie: sintel, range: { startSeconds: 30, endSeconds: 38 }, scenes: 6 },
      { movie: bunny, range: { startSeconds: 30, endSeconds: 38 }, scenes: 4 },
      { movie: sintel, range: { startSeconds: 40, endSeconds: 48 }, scenes: 3 },
      { movie: bunny, range: { startSeconds: 40, endSeconds: 48 }, scenes: 5 },
    ];
    const runs = await Promise.all(
      requests.map((r, i) =>
        runToEnd(clients[i % 2]!, { type: 'montage', requestId: `j${i}`, movie: { path: r.movie }, music: { path: music, range: r.range }, options: { scenes: r.scenes }, formats: ['edl', 'fcp7-xml'], preview: false }),
      ),
    );
    for (const [i, run] of runs.entries()) {
      assert.equal(run.terminal.type, 'result', `job ${i}: ${JSON.stringify(run.terminal).slice(0, 400)}`);
      const { analysis, montage } = run.terminal as MontageResultMessage;
      assert.equal(analysis.movie.path, requests[i]!.movie);
      assert.ok(montage.plan.music.startSeconds >= requests[i]!.range.startSeconds - 1e-6 && montage.plan.music.endSeconds <= requests[i]!.range.endSeconds + 1e-6, `job ${i} stays in its music range`);
      assert.ok(montage.plan.sceneCount <= requests[i]!.scenes);
      assert.deepEqual([...new Set(montage.files.map((f) => f.format))].sort(), ['edl', 'fcp7-xml', 'plan', 'report'], 'only the formats asked for, and no preview');
      const plan = JSON.parse(await (await fetch(montage.files.find((f) => f.name === 'plan.json')!.url)).text()) as MontagePlan;
      assert.equal(plan.movie.path, requests[i]!.movie, 'each job’s files are its own');
      assert.equal(plan.options.maxScenes, requests[i]!.scenes);
    }
    assert.equal(new Set(runs.map((r) => r.accepted.jobId)).size, 4);
    assert.deepEqual(jobFolders(server), runs.map((r) => r.accepted.jobId).sort());
    await Promise.all(clients.map((c) => c.close()));
  } finally {
    await server.close();
  }
});

test('bad media reach the client as a typed job error naming the file', { timeout: 60_000 }, async () => {
  const server = await startTestServer({ extensionsDir });
  try {
    const client = await connectReady(server);
    const notMedia = join(server.root, 'not-media.mp4');
    writeFileSync(notMedia, 'this is not a video');
    const { terminal } = await runToEnd(client, { type: 'montage', requestId: 'bad', movie: { path: notMedia }, music: { path: music, range: { startSeconds: 30, endSeconds: 38 } } });
    assert.equal(terminal.type, 'error');
    assert.match((terminal as ErrorMessage).code, /^AM_ERR_(MEDIA_UNREADABLE|NO_VIDEO_STREAM)$/);
    assert.ok(JSON.stringify(terminal).includes('not-media.mp4'), 'the error names the file');
    assert.deepEqual(jobFolders(server), []);
    await client.close();
  } finally {
    await server.close();
  }
});

test('a beat-granularity re-solve of a fast-cut movie succeeds although its one-second shots hold no whole bar', async () => {
  // Ten 1 s shots, four 2 s bars (120 bpm), a beat every 0.5 s: at bar granularity no shot fills a unit
  // (AM_ERR_TOO_FEW_SHOTS), at beat granularity each fills two and the sixteen beats fit.
  const movie = movieAnalysis(Array.from({ length: 10 }, () => ({ seconds: 1 })));
  const bars = musicAnalysis([{}, {}, {}, {}]);
  // A WAV, which the editing apps import as is (an OGG would need a real file for its WAV copy).
  const media = { ...bars.media, path: 'music.wav', formatName: 'wav', audio: { codec: 'pcm_s16le', channels: 2, sampleRate: 44100 } };
  const music = { ...bars, media, beats: Array.from({ length: 16 }, (_, i) => ({ timeSeconds: i * 0.5, beatInBar: i % 4 })) };
  const vector = (k: number): EmotionVector => ({ encoderId: 'test', values: [0, 1, 2, 3, 4, 5].map((j) => (j === k % 6 ? 0.5 : 0.1)), valence: 0.1 * k - 0.4, arousal: 0.2, confidence: 1 });
  const analysis: MontageAnalysis = {
    movie,
    music,
    emotions: {
      shots: movie.shots.map((_, i) => vector(i)),
      music: { global: vector(0), bars: music.bars.map((_, i) => vector(i)) },
      shotScores: movie.shots.map((_, i) => 1 - i / 20),
      barScores: { shots: 10, bars: 4, values: Float32Array.from({ length: 40 }, (_, i) => ((i * 7) % 11) / 11) },
      byEncoder: { shot: {}, music: {} },
      diagnostics: [],
    },
  };
  const runner = await createPipelineRunner({ userExtensionsDir: extensionsDir });
  try {
    const outDir = scratchDir('runner-out');
    const output = await runner.runJob(
      { kind: 'resolve', movie: { path: 'movie.mp4' }, music: { path: 'music.wav' }, options: { granularity: 'beat', scenes: 10 }, formats: ['edl'], preview: false, sourceJobId: 'source' },
      { jobId: 'beat', outDir, cacheDir: scratchDir('runner-cache'), analysisData: analysis },
      Progress.None,
      CancellationToken.None,
    );
    assert.equal(output.analysisData, undefined, 'a resolve does not store the analysis again');
    assert.deepEqual(output.analysis.shots.map((s) => [s.index, s.startSeconds, s.endSeconds]), movie.shots.map((_, i) => [i, i, i + 1]));
    assert.equal(output.analysis.bars.length, 4, 'the summary lists the bars of the analysis');
    const montage = output.montage!;
    assert.equal(montage.plan.options.granularity, 'beat');
    assert.equal(montage.plan.barCount, 16, 'one unit per beat');
    assert.equal(montage.musicEmotion.length, 16);
    assert.deepEqual(montage.musicEmotion.slice(0, 5).map((u) => u.emotion?.label), [0, 0, 0, 0, 1].map((bar) => output.analysis.bars[bar]!.emotion!.label), 'each beat carries its bar’s emotion');
    let nextUnit = 0;
    for (const chosen of montage.chosen) {
      assert.equal(chosen.firstBar, nextUnit);
      nextUnit += chosen.barCount;
      assert.ok(chosen.sourceStartSeconds >= chosen.shotIndex - 1e-6 && chosen.sourceEndSeconds <= chosen.shotIndex + 1 + 1e-6, `shot ${chosen.shotIndex} plays inside itself`);
      assert.equal(chosen.emotion?.label, output.analysis.shots[chosen.shotIndex]!.emotion!.label, 'the chosen shot carries its own emotion');
    }
    assert.equal(nextUnit, 16);
    assert.deepEqual([...new Set(montage.files.map((f) => f.format))].sort(), ['edl', 'plan', 'report']);
    assert.equal(montage.preview, null);
    assert.deepEqual(readdirSync(outDir).sort(), montage.files.map((f) => f.name).sort(), 'exactly the listed files were written');
  } finally {
    await runner.dispose();
  }
});
