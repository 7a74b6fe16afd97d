import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync, openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { analyseMovie, type MovieAnalysisResult } from '../../companion/analysis/movie/analyse-movie';
import { CancellationError, MontageError } from '../../companion/core/errors';
import { CancellationToken, CancellationTokenSource, type ProgressReport } from '../../companion/core/lifecycle';
import { liveProcessCount } from '../../companion/media/process';
import { filmDir, musicDir, scratchDir } from '../support/paths';
import { colourShots, ffmpeg } from './support/media';

const none = { report: () => {} };

/** Shots tile [0, frameCount) and scenes tile the shots. */
function assertWellFormed(result: MovieAnalysisResult): void {
  const frames = result.media.video!.frameCount;
  let next = 0;
  result.shots.forEach((shot, i) => {
    assert.equal(shot.index, i);
    assert.equal(shot.range.start.value, next);
    assert.ok(shot.range.duration.value > 0);
    assert.deepEqual(shot.range.start.rate, result.media.video!.rate);
    next += shot.range.duration.value;
  });
  assert.equal(next, frames);
  assert.equal(result.features.length, result.shots.length);
  for (const f of result.features) {
    for (const value of [f.brightness, f.saturation, f.colourfulness, f.warmth, f.contrast, f.motion]) assert.ok(Number.isFinite(value) && value >= 0 && value <= 1);
  }
  let shot = 0;
  for (const scene of result.scenes) {
    assert.equal(scene.firstShot, shot);
    shot += scene.shotCount;
  }
  assert.equal(shot, result.shots.length);
  result.shots.forEach((s) => assert.ok(result.scenes[s.sceneIndex]!.firstShot <= s.index));
}

test('a real clip gives well-formed shots, scenes and features, reporting every stage', async () => {
  const reports: ProgressReport[] = [];
  const result = await analyseMovie(join(filmDir, 'big_buck_bunny_first60s.mp4'), {}, { report: (r) => reports.push(r) }, CancellationToken.None);
  assertWellFormed(result);
  assert.equal(result.media.video!.frameCount, 1440);
  assert.ok(result.shots.length >= 6 && result.shots.length <= 12, `${result.shots.length} shots`);
  for (const stage of ['decode', 'shots', 'features', 'scenes']) {
    const fractions = reports.filter((r) => r.stage === stage).map((r) => r.fraction);
    assert.ok(fractions.length >= 2, `stage ${stage} reported`);
    assert.equal(fractions.at(-1), 1);
    assert.ok(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!), `stage ${stage} is monotonic`);
  }
  assert.equal(liveProcessCount(), 0);
});

test('the second analysis of the same movie comes from the cache, and a corrupt entry is rebuilt', async () => {
  const cacheDir = scratchDir('movie-cache');
  const path = join(filmDir, 'nosferatu_1922_excerpt.mp4');
  const first = await analyseMovie(path, { cacheDir }, none, CancellationToken.None);
  assert.equal(first.decode.cached, false);
  const reports: ProgressReport[] = [];
  const started = performance.now();
  const second = await analyseMovie(path, { cacheDir }, { report: (r) => reports.push(r) }, CancellationToken.None);
  const secondMs = performance.now() - started;
  assert.equal(second.decode.cached, true);
  assert.ok(reports.every((r) => r.message === 'from cache'), 'no decode happened');
  assert.ok(secondMs < 2000, `cached run took ${secondMs} ms`);
  assert.deepEqual(second.shots, first.shots);
  assert.deepEqual(second.features, first.features);
  // A hit starts no process at all, not even ffprobe: with no ffmpeg or ffprobe to be found it still answers.
  const saved = { ffmpeg: process.env['FFMPEG_PATH'], ffprobe: process.env['FFPROBE_PATH'] };
  process.env['FFMPEG_PATH'] = process.env['FFPROBE_PATH'] = join(cacheDir, 'no-such-binary');
  try {
    const third = await analyseMovie(path, { cacheDir }, none, CancellationToken.None);
    assert.equal(third.decode.cached, true);
    assert.deepEqual(third.scenes, first.scenes);
  } finally {
    for (const [name, value] of [['FFMPEG_PATH', saved.ffmpeg], ['FFPROBE_PATH', saved.ffprobe]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  const [entry] = readdirSync(cacheDir);
  writeFileSync(join(cacheDir, entry!), readFileSync(join(cacheDir, entry!), 'utf8').slice(0, 500));
  const rebuilt = await analyseMovie(path, { cacheDir }, none, CancellationToken.None);
  assert.equal(rebuilt.decode.cached, false);
  assert.deepEqual(rebuilt.shots, first.shots);
  assert.equal((await analyseMovie(path, { cacheDir }, none, CancellationToken.None)).decode.cached, true);
});

test('a file without a video stream is a typed error', async () => {
  const music = join(musicDir, readdirSync(musicDir).find((f) => f.endsWith('.ogg'))!);
  await assert.rejects(analyseMovie(music, {}, none, CancellationToken.None), (e: unknown) => e instanceof MontageError && e.code === 'AM_ERR_NO_VIDEO_STREAM');
  await assert.rejects(analyseMovie(join(filmDir, 'missing.mp4'), {}, none, CancellationToken.None), (e: unknown) => e instanceof MontageError && e.code === 'AM_ERR_FILE_NOT_FOUND');
});

test('a clip with no cuts is one shot and one scene', async () => {
  const dir = scratchDir('movie-nocut');
  const path = await ffmpeg(join(dir, 'still.mp4'), ['-f', 'lavfi', '-i', 'testsrc=size=160x90:rate=25:duration=6', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p']);
  const result = await analyseMovie(path, {}, none, CancellationToken.None);
  assertWellFormed(result);
  assert.equal(result.shots.length, 1);
  assert.equal(result.scenes.length, 1);
  assert.equal(result.media.video!.frameCount, 150);
});

test('odd sizes, rotation and cuts at known frames come out frame-exact', async () => {
  const dir = scratchDir('movie-odd');
  // 161×91 (odd) shots of 30 frames: cuts at 30, 60, 90.
  const plain = await colourShots(dir, 'odd', 4, 30, { size: '161x91', rate: 25 });
  const rotated = await ffmpeg(join(dir, 'rotated.mp4'), ['-i', plain, '-c', 'copy', '-metadata:s:v:0', 'rotate=90']);
  for (const path of [plain, rotated]) {
    const result = await analyseMovie(path, {}, none, CancellationToken.None);
    assertWellFormed(result);
    assert.deepEqual(
      result.shots.map((s) => s.range.start.value),
      [0, 30, 60, 90],
      path,
    );
  }
  const result = await analyseMovie(rotated, {}, none, CancellationToken.None);
  assert.equal(result.media.video!.rotation, 90);
  assert.equal(result.media.video!.width, 91);
});

test('variable frame rate material lands on the nominal rate without losing or inventing shots', async () => {
  const dir = scratchDir('movie-vfr');
  const cfr = await colourShots(dir, 'cfr', 3, 40, { rate: 24 });
  // Jitter the timestamps (a frame every 1/24 s ± a third of a frame) and keep them as they are.
  const vfr = await ffmpeg(join(dir, 'vfr.mkv'), ['-i', cfr, '-vf', "setpts='(N+0.33*sin(N))/(24*TB)'", '-vsync', 'vfr', '-c:v', 'libx264', '-preset', 'ultrafast']);
  const result = await analyseMovie(vfr, {}, none, CancellationToken.None);
  assertWellFormed(result);
  assert.ok(Math.abs(result.media.video!.frameCount - 120) <= 2, `${result.media.video!.frameCount} frames`);
  assert.equal(result.shots.length, 3);
  assert.ok(Math.abs(result.shots[1]!.range.start.value - 40) <= 1);
  assert.ok(Math.abs(result.shots[2]!.range.start.value - 80) <= 1);
});

test('a truncated file gives the frames that decode, or a typed error, and never hangs', async () => {
  const dir = scratchDir('movie-truncated');
  const source = join(filmDir, 'sintel_trailer.mp4');
  // The same movie with its index first (faststart), cut to 40% of its bytes: the start still decodes.
  const faststart = await ffmpeg(join(dir, 'faststart.mp4'), ['-i', source, '-c', 'copy', '-an', '-movflags', '+faststart']);
  const size = statSync(faststart).size;
  const cut = join(dir, 'cut.mp4');
  const buffer = Buffer.alloc(Math.floor(size * 0.4));
  const fd = openSync(faststart, 'r');
  readSync(fd, buffer, 0, buffer.length, 0);
  closeSync(fd);
  writeFileSync(cut, buffer);
  const result = await analyseMovie(cut, { threads: 3 }, none, CancellationToken.None);
  assertWellFormed(result);
  assert.equal(result.decode.expectedFrames, 1252);
  assert.ok(result.decode.decodedFrames > 200 && result.decode.decodedFrames < 1252, `${result.decode.decodedFrames} frames decoded`);
  // Without its index (written last, at the end, without faststart) the file is unreadable: a typed error.
  const indexLast = await ffmpeg(join(dir, 'index-last.mp4'), ['-i', source, '-c', 'copy', '-an']);
  const headless = join(dir, 'headless.mp4');
  writeFileSync(headless, readFileSync(indexLast).subarray(0, 500_000));
  await assert.rejects(analyseMovie(headless, {}, none, CancellationToken.None), (e: unknown) => e instanceof MontageError && ['AM_ERR_MEDIA_UNREADABLE', 'AM_ERR_NO_VIDEO_STREAM'].includes(e.code));
  assert.equal(liveProcessCount(), 0);
});

test('a very long file is analysed in parallel segments with exact frame counts', async () => {
  const dir = scratchDir('movie-long');
  // Two hours at 2 fps (14,400 frames): long in time, cheap to decode.
  const path = await ffmpeg(join(dir, 'long.mp4'), ['-f', 'lavfi', '-i', 'testsrc=size=64x36:rate=2:duration=7200', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '50', '-pix_fmt', 'yuv420p']);
  const result = await analyseMovie(path, { threads: 4 }, none, CancellationToken.None);
  assertWellFormed(result);
  assert.equal(result.media.video!.frameCount, 14_400);
  assert.equal(result.decode.processes, 4);
  assert.equal(result.decode.filledFrames, 0);
});

test('cancelling kills ffmpeg and rejects with a cancellation error', async () => {
  const source = new CancellationTokenSource();
  const pending = analyseMovie(join(filmDir, 'sintel_trailer.mp4'), {}, { report: (r) => r.stage === 'decode' && r.fraction > 0.1 && source.cancel() }, source.token);
  await assert.rejects(pending, (e: unknown) => e instanceof CancellationError);
  assert.equal(liveProcessCount(), 0);
});
