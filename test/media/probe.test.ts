/**
 * What probeMedia reads of a video's frame shape (companion/media/probe.ts): the pixel aspect ratio (ffprobe
 * `sample_aspect_ratio`, in lowest terms, absent when square or unknown) and the field order (`field_order`, as
 * the field shown first, absent when progressive). On short generated H.264 files.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { ffmpegPath } from '../../companion/media/binaries';
import { pixelAspectRatio, probeMovie } from '../../companion/media/probe';
import { run } from '../../companion/media/process';

let dir: string;
const ffmpeg = (...args: string[]) => run(ffmpegPath(), ['-nostdin', '-v', 'error', '-y', ...args]);
const x264 = (size: string, sar: string, fields: string[], name: string) =>
  ffmpeg('-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25:duration=1`, '-vf', `setsar=${sar}`, '-c:v', 'libx264', ...fields, '-pix_fmt', 'yuv420p', join(dir, name));

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'am-probe-'));
  await x264('720x576', '64/45', ['-flags', '+ildct+ilme', '-x264opts', 'tff=1'], 'pal-wide-tff.mp4');
  await x264('720x576', '16/15', ['-flags', '+ildct+ilme', '-x264opts', 'bff=1'], 'pal-bff.mp4');
  await x264('640x360', '1/1', [], 'square.mp4');
});

test('a 720x576 16:9 PAL file reads as 64:45 pixels with the upper field first', async () => {
  const { video } = await probeMovie(join(dir, 'pal-wide-tff.mp4'));
  assert.deepEqual({ width: video.width, height: video.height, pixelAspectRatio: video.pixelAspectRatio, fieldOrder: video.fieldOrder }, { width: 720, height: 576, pixelAspectRatio: { num: 64, den: 45 }, fieldOrder: 'upper-first' });
});

test('a bottom-field-first 4:3 PAL file reads as 16:15 pixels with the lower field first', async () => {
  const { video } = await probeMovie(join(dir, 'pal-bff.mp4'));
  assert.deepEqual(video.pixelAspectRatio, { num: 16, den: 15 });
  assert.equal(video.fieldOrder, 'lower-first');
});

test('a square-pixel progressive file has neither a pixel aspect ratio nor a field order', async () => {
  const { video } = await probeMovie(join(dir, 'square.mp4'));
  assert.equal(video.pixelAspectRatio, undefined);
  assert.equal(video.fieldOrder, undefined);
});

test('sample aspect ratios are reduced, and square, unknown or malformed ones are left out', () => {
  assert.deepEqual(pixelAspectRatio('128:90'), { num: 64, den: 45 });
  assert.deepEqual(pixelAspectRatio('10:11'), { num: 10, den: 11 });
  for (const text of ['1:1', '0:1', 'N/A', '', undefined, '3:0']) assert.equal(pixelAspectRatio(text), undefined, String(text));
});
