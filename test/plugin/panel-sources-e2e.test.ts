/**
 * End to end with the fake host: an editor's sequence of 6 clips from 3 generated files (two at 25 fps, one at
 * 30 fps) with gaps between them, on a 25 fps sequence. The panel sends every clip's select to the real companion,
 * which analyses each file once and plans across them; the result is built in place (and, second, imported as
 * xmeml). No frame outside the editor's selects may be used: not in the chosen shots, not in the built sequence,
 * not in the imported one.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { synthesizeMusic } from '../../companion/media/synthesize';
import type { MontageResultMessage } from '../../companion/protocol/messages';
import { startServer, type RunningServer } from '../../companion/server/index';
import type { HostClip, HostSequence, SocketLike } from '../../plugin/src/host';
import { PanelController } from '../../plugin/src/panel-controller';
import { FakePremiereHost } from '../../plugin/src/testing/fake-premiere-host';
import { uxpNetwork } from '../../plugin/src/testing/uxp-network';
import { readXmeml } from '../exporters/readers/xmeml-reader';
import { makeFootage } from '../sources/make-footage';

const TPS = 254016000000;
const SEQUENCE_FPS = 25;
const perFrame = TPS / SEQUENCE_FPS;
const ticks = (seconds: number) => String(Math.round(seconds * TPS));

let server: RunningServer;
let scratch: string;
const files = { a: '', b: '', c: '' };
const fps: Record<string, number> = {};
let music = '';

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'am-panel-sources-'));
  files.a = await makeFootage(join(scratch, 'a-roll.mp4'), { fps: 25, shotSeconds: [3, 3, 3, 3, 3, 3, 3, 3] });
  files.b = await makeFootage(join(scratch, 'b-roll.mp4'), { fps: 30, shotSeconds: [3, 3, 3, 3, 3, 3, 3, 3], seed: 7 });
  files.c = await makeFootage(join(scratch, 'c-roll.mp4'), { fps: 25, shotSeconds: [3, 3, 3, 3, 3, 3, 3, 3], seed: 13 });
  Object.assign(fps, { [files.a]: 25, [files.b]: 30, [files.c]: 25 });
  music = join(scratch, 'song.m4a');
  // 12 bars of 2 s.
  await synthesizeMusic(music, { tempoBpm: 120, beatsPerBar: 4, seconds: 24.5, offsetSeconds: 0.5 });
  server = await startServer({ port: 0, dataDir: join(scratch, 'data'), configDir: join(scratch, 'config') });
});
after(async () => {
  await server?.close();
});

/** The editor's selects: [file, source in, source out, sequence start] (seconds), gaps between them, V1 and V2. */
function selects(): [string, number, number, number, number][] {
  return [
    [files.a, 1, 7, 0, 0],
    [files.b, 2.1, 9, 7.5, 0],
    [files.a, 12.5, 18, 15, 1],
    [files.c, 0.5, 6.5, 21, 0],
    [files.b, 14, 20.1, 28, 1],
    [files.c, 13, 21, 35, 0],
  ];
}

function editSequence(): HostSequence {
  const clips: HostClip[] = selects().map(([path, sourceIn, sourceOut, start, track]) => ({
    kind: 'video',
    track,
    name: path.split('/').pop()!,
    mediaPath: path,
    srcInTicks: ticks(sourceIn),
    srcOutTicks: ticks(sourceOut),
    startTicks: ticks(start),
    endTicks: ticks(start + sourceOut - sourceIn),
    disabled: false,
  }));
  clips.push({ kind: 'audio', track: 2, name: 'song.m4a', mediaPath: music, srcInTicks: '0', srcOutTicks: ticks(24.5), startTicks: '0', endTicks: ticks(24.5), disabled: false });
  return { id: 'selects', name: 'Selects', fps: SEQUENCE_FPS, ticksPerFrame: perFrame, width: 160, height: 90, durationTicks: ticks(43), clips };
}

/**
 * Whether source frames [from, to) of `path` (at its own rate) all lie inside one select of that file: the select's
 * whole frames, its in rounded up and its out rounded down.
 */
function insideASelect(path: string, from: number, to: number): boolean {
  const rate = fps[path]!;
  return selects().some(([file, sourceIn, sourceOut]) => file === path && from >= Math.ceil(sourceIn * rate - 1e-6) && to <= Math.floor(sourceOut * rate + 1e-6));
}

/** The chosen shots' frames are inside the selects (their file's own frames, from the exact seconds). */
function checkChosen(result: MontageResultMessage): void {
  const sources = result.analysis.sources ?? [];
  assert.equal(new Set(sources.map((s) => s.path)).size, 3, 'all three files are sources');
  assert.equal(sources.length, 6, 'each clip is its own source');
  const used = new Set<string>();
  for (const shot of result.montage.chosen) {
    const source = sources.find((s) => s.id === shot.source);
    assert.ok(source, `shot ${shot.shotIndex} names its source (${shot.source})`);
    const rate = source.frameRate.num / source.frameRate.den;
    const from = Math.round(shot.sourceStartSeconds * rate);
    const to = Math.round(shot.sourceEndSeconds * rate);
    assert.ok(insideASelect(source.path, from, to), `shot ${shot.shotIndex}: frames ${from}–${to} of ${source.path} lie inside a select`);
    used.add(source.path);
  }
  assert.ok(used.size >= 2, `the montage uses ${used.size} files`);
  assert.ok(used.has(files.b), "the 30 fps file is used");
}

/** Every video clip of a sequence plays frames inside a select: its source ticks as frames of its file. */
function checkSequence(sequence: HostSequence, what: string): void {
  const video = sequence.clips.filter((clip) => clip.kind === 'video');
  assert.ok(video.length >= 2, `${what}: ${video.length} clips`);
  for (const clip of video) {
    const rate = fps[clip.mediaPath]!;
    assert.ok(rate, `${what}: ${clip.mediaPath} is one of the files`);
    // The frame showing at the source in, and the last frame before the source out.
    const from = Math.floor((Number(clip.srcInTicks) / TPS) * rate + 1e-6);
    const to = Math.ceil((Number(clip.srcOutTicks) / TPS) * rate - 1e-6);
    assert.ok(insideASelect(clip.mediaPath, from, to), `${what}: ${clip.name} plays frames ${from}–${to}, inside a select`);
    assert.equal((BigInt(clip.startTicks) % BigInt(perFrame)).toString(), '0', `${what}: ${clip.name} starts on a sequence frame`);
  }
}

function controllerFor(host: FakePremiereHost): PanelController {
  const network = uxpNetwork('mac', [`ws://127.0.0.1:${server.port}`], { socketFactory: (url, protocol) => new WebSocket(url, protocol) as unknown as SocketLike, fetch: (url, init) => fetch(url, init) });
  const controller = new PanelController({ host, socketFactory: network.socketFactory, fetch: network.fetch, url: server.url, token: server.token });
  controller.setOptions({ scenes: 12 });
  return controller;
}

/** Reads the sequence, makes the montage, and checks that its chosen shots stay inside the selects. */
async function checkedMontage(controller: PanelController): Promise<MontageResultMessage> {
  await controller.refreshSequence();
  const result = await controller.autoMontage();
  assert.equal(controller.state.problem, null, JSON.stringify(controller.state.problem));
  assert.ok(result);
  checkChosen(result);
  return result;
}

test('a sequence of 6 clips from 3 files with gaps: the montage and the cut built in place use only frames inside the editor’s selects', { timeout: 300_000 }, async () => {
  const host = new FakePremiereHost({ sequences: [editSequence()] });
  const controller = controllerFor(host);
  try {
    const result = await checkedMontage(controller);
    assert.deepEqual(controller.state.warnings.filter((w) => /instead of building/.test(w)), [], 'built in place, not imported');
    const built = host.sequences.get(controller.state.imported[0]!.sequenceId)!;
    checkSequence(built, 'built');
    // The built cut is the plan: one video clip per chosen shot, from the chosen shot's file.
    const video = built.clips.filter((clip) => clip.kind === 'video');
    assert.deepEqual(video.map((clip) => clip.mediaPath), result.montage.chosen.map((shot) => result.analysis.sources!.find((s) => s.id === shot.source)!.path));
  } finally {
    controller.dispose();
  }
});

test('the xmeml fallback of the same sequence uses only frames inside the selects too', { timeout: 300_000 }, async () => {
  const host = new FakePremiereHost({
    noBuildCut: true,
    sequences: [editSequence()],
    writeFile: async (name, text) => {
      const path = join(scratch, name);
      writeFileSync(path, text);
      return path;
    },
    sequenceFromImport: (_path, text, id) => {
      // What Premiere makes of the xmeml: clipitem in/out count on the sequence timebase, whatever the file's rate.
      const xml = readXmeml(text ?? '');
      const clips = xml.tracks
        .filter((track) => track.kind === 'video')
        .flatMap((track, index) => track.clips.map((c): HostClip => ({ kind: 'video', track: index, name: c.name, mediaPath: c.media?.path ?? '', srcInTicks: String(c.sourceIn * perFrame), srcOutTicks: String(c.sourceOut * perFrame), startTicks: String(c.recordIn * perFrame), endTicks: String(c.recordOut * perFrame), disabled: false })));
      return { id, name: xml.name, fps: SEQUENCE_FPS, ticksPerFrame: perFrame, width: 160, height: 90, durationTicks: '0', clips };
    },
  });
  const controller = controllerFor(host);
  try {
    const result = await checkedMontage(controller);
    assert.equal(host.imports.length, 1);
    checkSequence(host.sequences.get(host.imports[0]!.newSequenceIds[0]!)!, 'imported');
  } finally {
    controller.dispose();
  }
});
