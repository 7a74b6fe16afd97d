import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { rmSync } from 'node:fs';
import { CancellationError } from '../../companion/core/errors';
import { CancellationTokenSource } from '../../companion/core/lifecycle';
import { extractFrames } from '../../companion/media/frames';
import { extractShotKeyframes, shotWindow, type KeyframeShotSpan, type ShotKeyframe } from '../../companion/media/keyframes';
import { liveProcessCount, run } from '../../companion/media/process';
import { ffmpegPath } from '../../companion/media/binaries';
import { probeMovie } from '../../companion/media/probe';
import { scratchDir } from '../support/paths';

const dir = scratchDir('keyframes');
after(() => rmSync(dir, { recursive: true, force: true }));

/** A 25 fps clip whose every frame differs (testsrc2 draws a moving pattern and a counter), key frames every `gop` frames exactly. */
async function clip(name: string, frames: number, gop: number): Promise<string> {
  const path = join(dir, name);
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=25`, '-frames:v', String(frames)];
  args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0', '-bf', '2', '-pix_fmt', 'yuv420p', '-y', path);
  await run(ffmpegPath(), args, { timeoutMs: 60_000 });
  return path;
}

const builds = [undefined, '/usr/bin/ffmpeg'].filter((b) => b === undefined || existsSync(b));

async function withBuild<T>(build: string | undefined, work: () => Promise<T>): Promise<T> {
  const saved = process.env['FFMPEG_PATH'];
  if (build) process.env['FFMPEG_PATH'] = build;
  try {
    return await work();
  } finally {
    if (saved === undefined) delete process.env['FFMPEG_PATH'];
    else process.env['FFMPEG_PATH'] = saved;
  }
}

// Key frames at 0, 50, 100, 150, 200. Shots (known cuts) and the frame each must get:
const SHOTS: readonly (KeyframeShotSpan & { expect: number; source: ShotKeyframe['source'] })[] = [
  { start: 0, end: 30, expect: 0, source: 'keyframe' }, // key frame 0 is inside
  { start: 30, end: 45, expect: 37, source: 'seek' }, // no key frame: its middle, decoded from key frame 0
  { start: 45, end: 75, expect: 50, source: 'keyframe' },
  { start: 75, end: 98, expect: 86, source: 'seek' },
  { start: 98, end: 140, expect: 100, source: 'keyframe' },
  { start: 140, end: 240, expect: 200, source: 'keyframe' }, // 150 and 200 inside: 200 is nearer the middle (190)
  { start: 240, end: 260, endMargin: 0, expect: 250, source: 'keyframe' },
  { start: 260, end: 300, startMargin: 20, expect: 280, source: 'seek' }, // after a dissolve: 20 blended frames skipped, no key frame in the rest: seek as early as allowed (280)
];

test('a shot window leaves out its margins and keeps the target inside', () => {
  assert.deepEqual(shotWindow({ start: 10, end: 50 }), { lo: 10, hi: 48, target: 30 });
  assert.deepEqual(shotWindow({ start: 10, end: 50, startMargin: 5, target: 12 }), { lo: 15, hi: 48, target: 15 });
  assert.deepEqual(shotWindow({ start: 10, end: 12, startMargin: 4 }), { lo: 11, hi: 12, target: 11 }, 'too short for its margins: the middle');
  assert.deepEqual(shotWindow({ start: 0, end: 20, target: 99 }), { lo: 0, hi: 18, target: 10 }, 'a target outside the shot is ignored');
});

for (const build of builds) {
  test(`each shot gets the key frame nearest its middle, or an exact seek, pixel for pixel (${build ?? 'bundled ffmpeg'})`, async () => {
    await withBuild(build, async () => {
      const path = await clip(`gop-${build ? 'system' : 'bundled'}.mp4`, 300, 50);
      const { video } = await probeMovie(path);
      const got = new Map<number, ShotKeyframe>();
      const report = await extractShotKeyframes(path, SHOTS, { size: { maxWidth: 160 }, video, onKeyframe: (k) => void got.set(k.shot, k) });
      assert.equal(got.size, SHOTS.length);
      SHOTS.forEach((shot, i) => {
        const k = got.get(i)!;
        assert.equal(k.frame.index, shot.expect, `shot ${i}`);
        assert.equal(k.source, shot.source, `shot ${i}`);
        assert.ok(k.frame.index >= shot.start && k.frame.index < shot.end);
      });
      assert.equal(report.fromKeyframes, 5);
      assert.equal(report.fromSeeks, 3);
      assert.equal(report.keyframesDecoded, 6, 'only the key frames are decoded by the first pass');
      // Seeks 37 (from 0), 86 (from 50) and 280 (from 250): three groups, so 4 processes in all.
      assert.equal(report.processes, 4);
      // The same frames as one accurate seek each (bit-exact: key frames decode alone).
      const reference = await extractFrames(path, SHOTS.map((s) => s.expect), { maxWidth: 160 }, undefined, { video });
      reference.forEach((frame, i) => assert.ok(Buffer.from(frame.data).equals(Buffer.from(got.get(i)!.frame.data)), `pixels of shot ${i}`));
    });
  });
}

test('seeks that share a key frame share one process', async () => {
  const path = await clip('shared-gop.mp4', 200, 100);
  // Key frames 0 and 100; four shots without one, all seeked from key frame 0 or 100.
  const spans: KeyframeShotSpan[] = [
    { start: 5, end: 25 },
    { start: 25, end: 55 },
    { start: 55, end: 95 },
    { start: 105, end: 140 },
  ];
  const got: number[] = [];
  const report = await extractShotKeyframes(path, spans, { size: { width: 64, height: 36 }, onKeyframe: (k) => void (got[k.shot] = k.frame.index) });
  assert.deepEqual(got, [15, 38, 68, 118], "at most half a second (13 frames) into each window");
  assert.equal(report.fromSeeks, 4);
  assert.equal(report.processes, 3, 'the key-frame pass, one group from key frame 0, one from 100');
});

test('a slow consumer pauses decoding: never more than maxPending frames are waiting', async () => {
  const path = await clip('intra.mp4', 160, 1); // every frame a key frame: the most output per second
  const spans = Array.from({ length: 80 }, (_, i) => ({ start: i * 2, end: i * 2 + 2, endMargin: 0 }));
  let waiting = 0;
  let most = 0;
  const got: number[] = [];
  const report = await extractShotKeyframes(path, spans, {
    size: { maxWidth: 320 },
    maxPending: 3,
    onKeyframe: async (k) => {
      got[k.shot] = k.frame.index;
      waiting++;
      most = Math.max(most, waiting);
      await new Promise((resolve) => setTimeout(resolve, 2));
      waiting--;
    },
  });
  assert.equal(report.fromKeyframes + report.fromSeeks, 80);
  assert.equal(report.missing, 0);
  assert.ok(most <= 3, `at most 3 frames held, saw ${most}`);
  // Pausing loses and mixes up nothing: every shot got its own middle frame.
  assert.deepEqual(got, spans.map((span) => span.start + 1));
});

test('intra-only material switches to per-frame seeks and still gives each shot a frame inside it', async () => {
  const path = await clip('intra-long.mp4', 400, 1);
  const spans = Array.from({ length: 10 }, (_, i) => ({ start: i * 40, end: i * 40 + 40 }));
  const got: number[] = [];
  const report = await extractShotKeyframes(path, spans, { size: { width: 64, height: 36 }, onKeyframe: (k) => void (got[k.shot] = k.frame.index) });
  assert.equal(report.intraOnly, true);
  got.forEach((index, i) => assert.ok(index >= i * 40 && index < i * 40 + 38, `shot ${i}: ${index}`));
  assert.equal(got.filter((g) => g !== undefined).length, 10);
  // Every frame is a key frame, so each shot gets exactly its middle, before and after the switch.
  assert.deepEqual(got, spans.map((span) => span.start + 20));
  assert.ok(report.keyframesDecoded < 400, `the key-frame pass stopped early (${report.keyframesDecoded} decoded)`);
});

test('cancelling stops extraction with a cancellation error and kills ffmpeg', async () => {
  const path = await clip('cancel.mp4', 300, 50);
  const source = new CancellationTokenSource();
  const spans = Array.from({ length: 30 }, (_, i) => ({ start: i * 10, end: i * 10 + 10 }));
  await assert.rejects(
    extractShotKeyframes(path, spans, { size: { maxWidth: 64 }, token: source.token, onKeyframe: () => source.cancel() }),
    (error: unknown) => error instanceof CancellationError,
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(liveProcessCount(), 0);
});

test('a consumer error stops extraction and is what the caller sees', async () => {
  const path = await clip('consumer-error.mp4', 100, 25);
  await assert.rejects(
    extractShotKeyframes(path, [{ start: 0, end: 50 }, { start: 50, end: 100 }], { size: { maxWidth: 64 }, onKeyframe: () => { throw new Error('consumer broke'); } }),
    /consumer broke/,
  );
  assert.equal(liveProcessCount(), 0);
});
