/**
 * End to end, without Premiere: the panel logic (PanelController) reads a fake sequence built from real media
 * in ../shared/media, talks protocol v1 to the real companion on 127.0.0.1 (real analysis, planner and
 * exporters), "imports" the xmeml through FakePremiereHost (which writes the file; the test parses it and checks
 * it against the plan), adds bar markers, then refines: a clip disabled in the generated sequence becomes a
 * ban, the companion re-solves from cache, and a second sequence version is imported.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { probeMovie, probeMusic } from '../../companion/media/probe';
import type { MontageResultMessage } from '../../companion/protocol/messages';
import { startServer, type RunningServer } from '../../companion/server/index';
import type { HostClip, HostSequence, SocketLike } from '../../plugin/src/host';
import { PanelController } from '../../plugin/src/panel-controller';
import { barMarkers } from '../../plugin/src/result-model';
import { FAKE_ROOT_BIN, FakePremiereHost } from '../../plugin/src/testing/fake-premiere-host';
import { uxpNetwork } from '../../plugin/src/testing/uxp-network';
import { readXmeml, type XmemlRead } from '../exporters/readers/xmeml-reader';

const sharedMedia = join(import.meta.dirname, '..', '..', '..', 'shared', 'media');
const moviePath = join(sharedMedia, 'film', 'sintel_trailer.mp4');
// 135 BPM: 1.78 s bars, short enough for the trailer's shots (the CLI e2e uses the same pair).
const musicPath = join(sharedMedia, 'beats', 'fof_escape_from_chaosland.ogg');
const MUSIC_IN = 30;
const MUSIC_OUT = 40;
const TPS = 254016000000n;

let server: RunningServer;
let scratch: string;

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'am-panel-e2e-'));
  server = await startServer({ port: 0, dataDir: join(scratch, 'data'), configDir: join(scratch, 'config') });
});
after(async () => {
  await server?.close();
});

/** A sequence as an editor would have it: the movie cut in two clips on V1 with its sound on A1, the music on A2. */
async function editSequence(): Promise<HostSequence> {
  const movie = await probeMovie(moviePath);
  const music = await probeMusic(musicPath);
  const { num, den } = movie.video.rate;
  const ticksPerFrame = (TPS * BigInt(den)) / BigInt(num);
  const frames = (seconds: number) => BigInt(Math.round((seconds * num) / den));
  const at = (seconds: number) => (frames(seconds) * ticksPerFrame).toString();
  const movieSeconds = movie.durationSeconds;
  const clip = (kind: 'video' | 'audio', track: number, path: string, sourceIn: number, sourceOut: number, start: number): HostClip => ({
    kind,
    track,
    name: path.split('/').pop() ?? path,
    mediaPath: path,
    srcInTicks: at(sourceIn),
    srcOutTicks: at(sourceOut),
    startTicks: at(start),
    endTicks: at(start + sourceOut - sourceIn),
    disabled: false,
  });
  assert.ok(music.durationSeconds >= MUSIC_OUT);
  return {
    id: 'edit-sequence',
    name: 'Sintel edit',
    fps: num / den,
    ticksPerFrame: Number(ticksPerFrame),
    width: movie.video.width,
    height: movie.video.height,
    durationTicks: at(movieSeconds),
    clips: [
      clip('video', 0, moviePath, 0, 20, 0),
      clip('video', 0, moviePath, 24, movieSeconds - 1, 20),
      clip('audio', 0, moviePath, 0, 20, 0),
      clip('audio', 1, musicPath, MUSIC_IN, MUSIC_OUT, 0),
    ],
  };
}

/** What Premiere makes of the imported xmeml, as HostSequence data (clips at sequence frames → ticks). */
function sequenceFromXmeml(text: string | undefined, id: string): HostSequence {
  const xml = readXmeml(text ?? '');
  const rate = xml.rate;
  const ticksPerFrame = (TPS * BigInt(rate.den)) / BigInt(rate.num);
  const ticks = (frame: number) => (BigInt(frame) * ticksPerFrame).toString();
  // The companion writes every clipitem enabled; track is the index within its kind, as Premiere counts.
  const clips = (kind: 'video' | 'audio') =>
    xml.tracks
      .filter((track) => track.kind === kind)
      .flatMap((track, index) =>
        track.clips.map((c): HostClip => ({ kind, track: index, name: c.name, mediaPath: c.media?.path ?? '', srcInTicks: ticks(c.sourceIn), srcOutTicks: ticks(c.sourceOut), startTicks: ticks(c.recordIn), endTicks: ticks(c.recordOut), disabled: false })),
      );
  const end = Math.max(0, ...clipsOf(xml, 'video').map((c) => c.recordOut));
  return { id, name: xml.name, fps: rate.num / rate.den, ticksPerFrame: Number(ticksPerFrame), width: 0, height: 0, durationTicks: ticks(end), clips: [...clips('video'), ...clips('audio')] };
}

/** Every clip of one kind, track after track. */
function clipsOf(xml: XmemlRead, kind: 'video' | 'audio') {
  return xml.tracks.filter((track) => track.kind === kind).flatMap((track) => track.clips);
}

/** Checks an imported xmeml file against the plan the companion returned. */
function checkXmemlAgainstPlan(path: string, result: MontageResultMessage): void {
  const xml = readXmeml(readFileSync(path, 'utf8'));
  const { num, den } = result.analysis.movie.frameRate;
  const frame = (seconds: number) => Math.round((seconds * num) / den);
  assert.deepEqual(xml.rate, result.analysis.movie.frameRate, 'the sequence runs at the movie’s rate');
  const chosen = result.montage.chosen;
  const video = clipsOf(xml, 'video');
  assert.equal(video.length, chosen.length, 'one video clip per chosen shot');
  chosen.forEach((shot, index) => {
    const clip = video[index]!;
    assert.equal(clip.media?.path, moviePath, 'every clip points at the movie file');
    assert.ok(Math.abs(clip.recordIn - frame(shot.recordStartSeconds)) <= 1, `clip ${index} starts at its record frame (${clip.recordIn} vs ${frame(shot.recordStartSeconds)})`);
    assert.ok(Math.abs(clip.recordOut - frame(shot.recordEndSeconds)) <= 1, `clip ${index} ends at its record frame`);
    assert.ok(Math.abs(clip.sourceIn - frame(shot.sourceStartSeconds)) <= 1, `clip ${index} source in (${clip.sourceIn} vs ${frame(shot.sourceStartSeconds)})`);
    assert.equal(clip.sourceOut - clip.sourceIn, clip.recordOut - clip.recordIn, 'source and record lengths agree');
    if (index > 0) assert.equal(clip.recordIn, video[index - 1]!.recordOut, 'clips sit back to back');
  });
  // Premiere cannot import Ogg: the timeline refers to the companion's WAV copy of it (data/media), not the .ogg.
  const music = clipsOf(xml, 'audio').filter((clip) => clip.media?.path !== moviePath);
  assert.ok(music.length > 0, 'the music is on an audio track');
  for (const clip of music) {
    const path = clip.media?.path ?? '';
    assert.equal(dirname(path), join(scratch, 'data', 'media'), path);
    assert.match(basename(path), /^fof_escape_from_chaosland-[0-9a-f]{12}\.wav$/);
    assert.ok(existsSync(path), 'the WAV copy exists');
  }
}

test('the panel montages a real sequence through the real companion, imports the xmeml (the fallback) and marks the bars; a disabled clip re-solves into version 2', { timeout: 300_000 }, async () => {
  const sequence = await editSequence();
  const host = new FakePremiereHost({
    noBuildCut: true,
    sequences: [sequence],
    writeFile: async (name, text) => {
      const path = join(scratch, name);
      writeFileSync(path, text);
      return path;
    },
    sequenceFromImport: (_path, text, id) => sequenceFromXmeml(text, id),
  });
  // As in Premiere on macOS: only the companion's ws:// address, and every http:// request refused.
  const network = uxpNetwork('mac', [`ws://127.0.0.1:${server.port}`], { socketFactory: (url, protocol) => new WebSocket(url, protocol) as unknown as SocketLike, fetch: (url, init) => fetch(url, init) });
  const controller = new PanelController({ host, socketFactory: network.socketFactory, fetch: network.fetch, url: server.url, token: server.token });
  const stages: string[] = [];
  controller.onChange((state) => {
    if (state.job && !stages.includes(state.job.stage)) stages.push(state.job.stage);
  });
  try {
    controller.setOptions({ scenes: 6 });
    const result = await controller.autoMontage();
    assert.equal(controller.state.problem, null, JSON.stringify(controller.state.problem));
    assert.ok(result, 'a montage result');
    assert.ok(stages.length >= 3, `progress went through stages: ${stages.join(', ')}`);
    assert.equal(controller.state.job, null, 'the progress bar is gone');

    // The request came from the sequence: the movie file over its clips' range, the music clip's range.
    assert.equal(result.analysis.movie.path, moviePath);
    assert.equal(result.analysis.music.path, musicPath);
    const plan = result.montage.plan;
    assert.ok(plan.music.startSeconds >= MUSIC_IN - 1e-6 && plan.music.endSeconds <= MUSIC_OUT + 1e-6, `the montage stays inside the music clip (${plan.music.startSeconds}–${plan.music.endSeconds})`);
    assert.equal(plan.options.scenes, 6);
    assert.ok(plan.sceneCount <= 6);
    assert.ok(result.montage.chosen.length >= 2, `${result.montage.chosen.length} shots chosen`);
    const { num, den } = result.analysis.movie.frameRate;
    assert.ok(result.montage.chosen.every((shot) => shot.sourceStartSeconds >= -1 / (num / den)), 'shots come from the movie');

    // Imported: one file written, parsed and matched against the plan; the new sequence is open.
    assert.equal(host.imports.length, 1);
    const imported = host.imports[0]!;
    assert.equal(host.files[0]?.path, imported.path);
    checkXmemlAgainstPlan(imported.path, result);
    const newId = imported.newSequenceIds[0]!;
    assert.equal(host.activeId, newId, 'the generated sequence is opened');

    // Markers: one at every bar the montage covers, on exact sequence frames; every cut sits on one.
    const ticksPerFrame = (TPS * BigInt(den)) / BigInt(num);
    const markers = host.markers.get(newId) ?? [];
    assert.equal(markers.length, plan.barCount, 'one marker per bar');
    const firstBar = result.montage.chosen[0]!.firstBar;
    const barStart = (index: number) => result.montage.musicEmotion.find((bar) => bar.index === index)!.startSeconds;
    markers.forEach((marker, k) => {
      const expected = BigInt(Math.round(((barStart(firstBar + k) - barStart(firstBar)) * num) / den)) * ticksPerFrame;
      assert.equal(BigInt(marker.startTicks), expected, `marker ${k} at bar ${firstBar + k}`);
    });
    const markerFrames = new Set(markers.map((marker) => Number(BigInt(marker.startTicks) / ticksPerFrame)));
    for (const shot of result.montage.chosen) {
      const cut = Math.round((shot.recordStartSeconds * num) / den);
      assert.ok([cut - 1, cut, cut + 1].some((frame) => markerFrames.has(frame)), `the cut at frame ${cut} is on a bar marker`);
    }
    // The companion's own xmeml markers fall on the same frames.
    const xmlMarkers = readXmeml(readFileSync(imported.path, 'utf8')).markers.map((marker) => marker.frame).sort((a, b) => a - b);
    // plan-to-timeline writes a "Bar n" marker per montage bar, so the xmeml always has them.
    assert.equal(xmlMarkers.length, plan.barCount, 'the xmeml carries one marker per bar');
    assert.deepEqual(xmlMarkers, [...markerFrames].sort((a, b) => a - b), 'panel markers and xmeml markers agree');

    // Refine: the editor disables the second shot's clip in the generated sequence and presses Re-solve.
    const generated = host.sequences.get(newId)!;
    const dropped = result.montage.chosen[1]!;
    let disabledOne = false;
    const edited = generated.clips.map((clip) => {
      if (clip.kind !== 'video' || disabledOne) return clip;
      const frame = Number(BigInt(clip.startTicks) / ticksPerFrame);
      if (Math.abs(frame - Math.round((dropped.recordStartSeconds * num) / den)) > 1) return clip;
      disabledOne = true;
      return { ...clip, disabled: true };
    });
    assert.ok(disabledOne, 'found the clip of the second shot');
    host.updateSequence({ ...generated, clips: edited });
    const started = Date.now();
    const second = await controller.resolve();
    const wallMs = Date.now() - started;
    assert.equal(controller.state.problem, null, JSON.stringify(controller.state.problem));
    assert.ok(second, 'a re-solved result');
    assert.equal(second.kind, 'resolve');
    assert.equal(second.sourceJobId ?? result.jobId, result.jobId);
    assert.equal(controller.state.decisions.get(dropped.shotIndex), 'drop', 'the disabled clip became a drop');
    // The companion may ban more on its own (shots its pool leaves out); the editor's drop is among them.
    assert.ok(second.montage.plan.options.bans.includes(dropped.shotIndex), `bans ${second.montage.plan.options.bans.join(', ')}`);
    assert.ok(!second.montage.chosen.some((shot) => shot.shotIndex === dropped.shotIndex), 'the dropped shot is gone');
    assert.ok(second.elapsedMs <= 2000, `re-solved from cache in ${second.elapsedMs} ms on the companion (${wallMs} ms round trip)`);
    console.log(`# plugin e2e: montage ${result.elapsedMs} ms, re-solve ${second.elapsedMs} ms (round trip ${wallMs} ms), ${result.montage.chosen.length} → ${second.montage.chosen.length} shots`);

    // Version 2 is a new sequence, opened, with its own markers.
    assert.equal(host.imports.length, 2);
    const versionTwo = host.imports[1]!;
    assert.notEqual(versionTwo.newSequenceIds[0], newId);
    assert.equal(host.activeId, versionTwo.newSequenceIds[0]);
    checkXmemlAgainstPlan(versionTwo.path, second);
    assert.equal(host.markers.get(versionTwo.newSequenceIds[0]!)?.length, second.montage.plan.barCount);
    assert.deepEqual(controller.state.imported.map((version) => version.version), [1, 2]);
    assert.deepEqual(host.offlineMedia, [], 'every clip of both versions is media Premiere imports');
    assert.deepEqual(network.log.fetches, [], 'nothing went over http://');
    const musicOf = (path: string) => clipsOf(readXmeml(readFileSync(path, 'utf8')), 'audio').find((clip) => clip.media?.path !== moviePath)?.media?.path;
    assert.equal(musicOf(versionTwo.path), musicOf(imported.path), 'both versions refer to the one WAV copy');
    assert.match(controller.state.notice ?? '', /Imported “Auto-Montage v2 .*” into the Auto-Montage bin/);
  } finally {
    controller.dispose();
  }
});

test('in place: the panel builds each version from the project’s own clips in one undo step, in one Auto-Montage bin, and refines a disabled clip into version 2 with no duplicate master clips', { timeout: 300_000 }, async () => {
  const sequence = await editSequence();
  const host = new FakePremiereHost({ sequences: [sequence] });
  const network = uxpNetwork('mac', [`ws://127.0.0.1:${server.port}`], { socketFactory: (url, protocol) => new WebSocket(url, protocol) as unknown as SocketLike });
  const controller = new PanelController({ host, socketFactory: network.socketFactory, fetch: network.fetch, url: server.url, token: server.token });
  try {
    controller.setOptions({ scenes: 6 });
    const result = await controller.autoMontage();
    assert.equal(controller.state.problem, null, JSON.stringify(controller.state.problem));
    assert.ok(result);
    assert.deepEqual(controller.state.warnings.filter((w) => /instead of building/.test(w)), [], 'built, not imported');
    assert.equal(host.imports.length, 0);
    const [first] = controller.state.imported;
    assert.equal(first?.how, 'built');
    const built = host.sequences.get(first!.sequenceId)!;
    assert.equal(host.activeId, built.id);
    assert.match(built.name, /^Auto-Montage v1 · fof_escape_from_chaosland · \d+ scenes? · /);

    // The cut is the plan, frame for frame: each chosen shot's source range at its record place, on V1.
    const { num, den } = result.analysis.movie.frameRate;
    const perFrame = (TPS * BigInt(den)) / BigInt(num);
    const frame = (seconds: number) => BigInt(Math.round((seconds * num) / den)) * perFrame;
    const video = built.clips.filter((clip) => clip.kind === 'video');
    assert.equal(video.length, result.montage.chosen.length);
    result.montage.chosen.forEach((shot, k) => {
      const clip = video[k]!;
      assert.equal(clip.mediaPath, moviePath);
      for (const [got, want, what] of [
        [clip.startTicks, frame(shot.recordStartSeconds), 'record in'],
        [clip.srcInTicks, frame(shot.sourceStartSeconds), 'source in'],
      ] as const) {
        assert.ok(absolute(BigInt(got) - want) <= perFrame, `shot ${k} ${what}: ${got} vs ${want}`);
      }
      assert.equal(BigInt(clip.srcOutTicks) - BigInt(clip.srcInTicks), BigInt(clip.endTicks) - BigInt(clip.startTicks), 'source and record lengths agree');
    });
    // The music on A1 is the companion's WAV copy (Premiere cannot import the .ogg), over the plan's music range.
    const music = built.clips.filter((clip) => clip.kind === 'audio' && clip.track === 0);
    assert.equal(music.length, 1);
    assert.match(basename(music[0]!.mediaPath), /^fof_escape_from_chaosland-[0-9a-f]{12}\.wav$/);
    assert.ok(absolute(BigInt(music[0]!.srcInTicks) - frame(result.montage.plan.music.startSeconds)) <= perFrame);
    assert.equal(host.markers.get(built.id)?.length, barMarkers(result).length, 'the bar markers came in the same transaction');

    // Refine: the editor disables the second shot's clip and presses Re-solve; version 2 is built the same way.
    const second = result.montage.chosen[1]!;
    host.updateSequence({ ...built, clips: built.clips.map((clip) => (clip === video[1] ? { ...clip, disabled: true } : clip)) });
    const next = await controller.resolve();
    assert.equal(controller.state.problem, null, JSON.stringify(controller.state.problem));
    assert.ok(next && !next.montage.chosen.some((shot) => shot.shotIndex === second.shotIndex), 'the disabled shot is dropped');

    // One bin, both versions in it; each file one master clip; two undo steps; nothing offline; no http://.
    const bins = host.itemsIn(FAKE_ROOT_BIN).filter((item) => item.kind === 'bin');
    assert.deepEqual(bins.map((bin) => bin.name), ['Auto-Montage']);
    assert.deepEqual(host.itemsIn(bins[0]!.id).filter((item) => item.kind === 'sequence').map((item) => item.name.split(' · ')[0]), ['Auto-Montage v1', 'Auto-Montage v2']);
    for (const path of [moviePath, music[0]!.mediaPath]) assert.equal(host.masterClips(path).length, 1, `one master clip of ${basename(path)}`);
    assert.deepEqual(host.transactions.map((t) => t.label.split(' · ')[0]), ['Auto-Montage: Auto-Montage v1', 'Auto-Montage: Auto-Montage v2']);
    assert.deepEqual(host.offlineMedia, []);
    assert.deepEqual(network.log.fetches, []);
  } finally {
    controller.dispose();
  }
});

function absolute(value: bigint): bigint {
  return value < 0n ? -value : value;
}
