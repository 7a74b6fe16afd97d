/**
 * The preview render (companion/media/render.ts) on short generated media: its audio lasts exactly as long as
 * its video (it ended 40–56 ms early when ffmpeg stopped at the last video frame), music shorter than the
 * montage is padded with silence, non-square pixels are shown at their display aspect (a 720×576 64:45
 * PAL frame at 960×540, not 676×540), and a montage of files of several sizes takes the sequence's frame (or
 * the most common display size among its files), not the first file's. Measured with ffprobe on the written file.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { CancellationToken } from '../../companion/core/lifecycle';
import type { Rate } from '../../companion/core/rational';
import { ffmpegPath, ffprobePath } from '../../companion/media/binaries';
import { run } from '../../companion/media/process';
import { displaySize, previewSize, renderPreview, type PreviewSegment } from '../../companion/media/render';

let dir: string;
const ffmpeg = (...args: string[]) => run(ffmpegPath(), ['-nostdin', '-v', 'error', '-y', ...args]);

interface Stream {
  codec_type: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  duration_ts: number;
  time_base: string;
  nb_read_frames: string;
}

/** A stream's exact length in seconds, from its duration in time-base ticks (ffprobe's `duration` is rounded to µs). */
function seconds(stream: Stream): number {
  const [num, den] = stream.time_base.split('/').map(Number) as [number, number];
  return (stream.duration_ts * num) / den;
}

function streams(path: string): { video: Stream; audio: Stream } {
  const out = execFileSync(ffprobePath(), ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,width,height,sample_aspect_ratio,duration_ts,time_base,nb_read_frames', '-of', 'json', path], { encoding: 'utf8' });
  const list = (JSON.parse(out) as { streams: Stream[] }).streams;
  return { video: list.find((s) => s.codec_type === 'video')!, audio: list.find((s) => s.codec_type === 'audio')! };
}

async function render(movie: string, rate: Rate, movieHeight: number, segments: PreviewSegment[], music: string, name: string): Promise<string> {
  const outPath = join(dir, name);
  await renderPreview({ moviePath: movie, movieRate: rate, movieHeight, segments, musicPath: music, musicStartSeconds: 1.3, outPath }, { report() {} }, CancellationToken.None);
  return outPath;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'am-render-'));
  // 16:9 PAL: 720×576 stored, 64:45 pixels, interlaced top field first.
  await ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=720x576:rate=25:duration=8', '-vf', 'setsar=64/45', '-c:v', 'libx264', '-flags', '+ildct+ilme', '-x264opts', 'tff=1', '-pix_fmt', 'yuv420p', join(dir, 'pal.mp4'));
  await ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30000/1001:duration=8', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', join(dir, 'ntsc.mp4'));
  await ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=12', '-c:a', 'libvorbis', join(dir, 'song.ogg'));
  await ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=3', '-c:a', 'libmp3lame', join(dir, 'short.mp3'));
});

test('the preview of a 25 fps montage has audio exactly as long as its video, to the sample', async () => {
  const path = await render(join(dir, 'pal.mp4'), { num: 25, den: 1 }, 576, [{ startFrame: 10, frameCount: 37 }, { startFrame: 100, frameCount: 23 }], join(dir, 'song.ogg'), 'pal-preview.mp4');
  const { video, audio } = streams(path);
  assert.equal(Number(video.nb_read_frames), 60);
  assert.equal(seconds(video), 2.4);
  // 2.4 s at 48 kHz is a whole number of samples: the audio ends on the video's last frame exactly.
  assert.equal(seconds(audio), 2.4, `audio ${seconds(audio)} s`);
});

test('the preview of a 29.97 fps montage has audio as long as its video, within a few samples', async () => {
  const path = await render(join(dir, 'ntsc.mp4'), { num: 30000, den: 1001 }, 360, [{ startFrame: 3, frameCount: 41 }, { startFrame: 120, frameCount: 30 }], join(dir, 'song.ogg'), 'ntsc-preview.mp4');
  const { video, audio } = streams(path);
  assert.equal(Number(video.nb_read_frames), 71);
  const videoSeconds = (71 * 1001) / 30000;
  assert.equal(seconds(video), videoSeconds);
  // 71 frames are 113713.6 samples: rounded to 113714, of which AAC in MP4 keeps all but 2 with ffmpeg 4.1 (42 µs).
  assert.ok(Math.abs(seconds(audio) - videoSeconds) <= 3 / 48000, `audio ${seconds(audio)} s, video ${videoSeconds} s`);
});

test('music that ends before the montage is padded with silence to the video length', async () => {
  // 3 s of music from 1.3 s: 1.7 s of sound under 2.4 s of video.
  const path = await render(join(dir, 'pal.mp4'), { num: 25, den: 1 }, 576, [{ startFrame: 0, frameCount: 60 }], join(dir, 'short.mp3'), 'padded-preview.mp4');
  const { video, audio } = streams(path);
  assert.equal(seconds(video), 2.4);
  assert.equal(seconds(audio), 2.4, `audio ${seconds(audio)} s`);
});

test('a 720x576 64:45 source is rendered at its 16:9 display aspect, 960x540 with square pixels', async () => {
  const path = await render(join(dir, 'pal.mp4'), { num: 25, den: 1 }, 576, [{ startFrame: 0, frameCount: 10 }], join(dir, 'song.ogg'), 'aspect-preview.mp4');
  const { video } = streams(path);
  assert.deepEqual({ width: video.width, height: video.height, sar: video.sample_aspect_ratio }, { width: 960, height: 540, sar: '1:1' });
});

test('display sizes come from the pixel aspect ratio, and preview sizes are even', () => {
  assert.deepEqual(displaySize({ width: 720, height: 576, pixelAspectRatio: { num: 64, den: 45 } }), { width: 1024, height: 576 });
  assert.deepEqual(displaySize({ width: 240, height: 180, pixelAspectRatio: { num: 4, den: 3 } }), { width: 320, height: 180 });
  assert.deepEqual(displaySize({ width: 640, height: 360 }), { width: 640, height: 360 });
  assert.deepEqual(previewSize({ width: 1024, height: 576 }), { width: 960, height: 540 });
  assert.deepEqual(previewSize({ width: 1920, height: 1080 }, 360), { width: 640, height: 360 });
  assert.deepEqual(previewSize({ width: 655, height: 487 }), { width: 652, height: 486 });
});

test("a montage of files of several sizes is rendered at the sequence frame's display size when it is given", async () => {
  await ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', join(dir, 'small-4x3.mp4'));
  await ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=256x144:rate=25:duration=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', join(dir, 'small-16x9.mp4'));
  const outPath = join(dir, 'sequence-frame-preview.mp4');
  await renderPreview(
    {
      moviePath: join(dir, 'small-4x3.mp4'),
      movieRate: { num: 25, den: 1 },
      movieHeight: 240,
      segments: [{ startFrame: 0, frameCount: 10 }, { startFrame: 0, frameCount: 15, path: join(dir, 'small-16x9.mp4') }],
      musicPath: join(dir, 'song.ogg'),
      musicStartSeconds: 0,
      outPath,
      // The timeline's frame: 16:9 PAL, shown at 1024x576 and previewed at 960x540 (the first file is 320x240).
      frame: { width: 720, height: 576, pixelAspectRatio: { num: 64, den: 45 } },
    },
    { report() {} },
    CancellationToken.None,
  );
  const { video } = streams(outPath);
  assert.deepEqual({ width: video.width, height: video.height, sar: video.sample_aspect_ratio, frames: Number(video.nb_read_frames) }, { width: 960, height: 540, sar: '1:1', frames: 25 });
});
