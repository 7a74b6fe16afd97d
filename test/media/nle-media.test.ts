/**
 * Media the editing apps cannot import (companion/pipeline/nle-media.ts): the music's WAV copy holds every
 * decoded sample of the source (compared sample for sample through ffmpeg), at the source's rate, in the format
 * its decoder gives; the user's file is untouched; the companion keeps one copy per source; and movies a target
 * cannot import are named with the fix. Short generated media (2–3 s).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { ffmpegPath } from '../../companion/media/binaries';
import { probeMedia } from '../../companion/media/probe';
import { run } from '../../companion/media/process';
import { movieImportNotices, musicIsImportable, pcmCodecFor, writeMusicEditingCopy } from '../../companion/pipeline/nle-media';

let dir: string;
const ffmpeg = (...args: string[]) => run(ffmpegPath(), ['-nostdin', '-v', 'error', '-y', ...args]);
/** Every decoded sample, as 32-bit float, interleaved. */
const decoded = async (path: string) => (await run(ffmpegPath(), ['-nostdin', '-v', 'error', '-i', path, '-map', '0:a:0', '-f', 'f32le', '-c:a', 'pcm_f32le', '-'])).stdout;
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'am-nle-media-'));
  const tone = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=2.5', '-f', 'lavfi', '-i', 'sine=frequency=660:sample_rate=44100:duration=2.5', '-filter_complex', '[0:a][1:a]amerge=inputs=2[a]', '-map', '[a]'];
  await ffmpeg(...tone, '-c:a', 'libvorbis', '-q:a', '4', join(dir, 'song.ogg'));
  await ffmpeg(...tone, '-c:a', 'flac', '-sample_fmt', 's32', '-bits_per_raw_sample', '24', join(dir, 'song24.flac'));
  await ffmpeg(...tone, '-c:a', 'libopus', '-b:a', '96k', join(dir, 'song.opus'));
  await ffmpeg(...tone, '-c:a', 'pcm_s16le', join(dir, 'song.wav'));
  await ffmpeg(...tone, '-c:a', 'libmp3lame', join(dir, 'song.mp3'));
  await ffmpeg(...tone, '-c:a', 'aac', join(dir, 'song.m4a'));
});

test('WAV, AIFF, MP3 and AAC music is imported as it is; Ogg Vorbis, Opus and FLAC are not', async () => {
  for (const name of ['song.wav', 'song.mp3', 'song.m4a']) assert.equal(musicIsImportable(await probeMedia(join(dir, name))), true, name);
  for (const name of ['song.ogg', 'song.opus', 'song24.flac']) assert.equal(musicIsImportable(await probeMedia(join(dir, name))), false, name);
  const none = await writeMusicEditingCopy(await probeMedia(join(dir, 'song.mp3')), { shared: join(dir, 'unused') });
  assert.equal(none, undefined, 'no copy of importable music');
});

test('the WAV copy of Ogg Vorbis, Opus and 24-bit FLAC music holds every decoded sample, at the source rate, and the source is untouched', async () => {
  const cases: [string, string, number][] = [
    ['song.ogg', 'pcm_f32le', 44100],
    ['song.opus', 'pcm_f32le', 48000], // Opus always decodes at 48 kHz
    ['song24.flac', 'pcm_s24le', 44100],
  ];
  for (const [name, codec, rate] of cases) {
    const source = join(dir, name);
    const before = sha(source);
    const out = join(dir, `out-${name}`);
    mkdirSync(join(out, 'staging'), { recursive: true });
    const copy = await writeMusicEditingCopy(await probeMedia(source), { staged: { stagedPath: (file) => join(out, 'staging', file), finalDir: out } });
    assert.ok(copy, name);
    assert.equal(copy.codec, codec, name);
    assert.equal(copy.path, join(out, copy.name), 'the timelines refer to its final place in the output folder');
    const staged = join(out, 'staging', copy.name);
    const wav = await probeMedia(staged);
    assert.equal(wav.formatName, 'wav');
    assert.equal(wav.audio?.codec, codec);
    assert.equal(wav.audio?.sampleRate, rate, `${name}: the source rate, no resampling`);
    assert.equal(wav.audio?.channels, 2);
    const [fromSource, fromCopy] = await Promise.all([decoded(source), decoded(staged)]);
    assert.equal(fromCopy.length, fromSource.length, `${name}: ${fromCopy.length / 8} vs ${fromSource.length / 8} sample frames`);
    assert.ok(fromCopy.equals(fromSource), `${name}: the same samples`);
    assert.equal(sha(source), before, `${name} is not modified`);
  }
});

test('the companion keeps one WAV copy per source file and reuses it for every version', async () => {
  const shared = join(dir, 'media');
  const media = await probeMedia(join(dir, 'song.ogg'));
  const first = await writeMusicEditingCopy(media, { shared });
  assert.ok(first);
  assert.match(first.name, /^song-[0-9a-f]{12}\.wav$/);
  const written = statSync(first.path).mtimeMs;
  const second = await writeMusicEditingCopy(media, { shared });
  assert.deepEqual(second, first);
  assert.equal(statSync(first.path).mtimeMs, written, 'not written again');
});

test('the PCM format follows the decoder: 16-bit stays 16-bit, 24 bits in 32 become 24-bit, float stays float', () => {
  assert.equal(pcmCodecFor('s16', 16), 'pcm_s16le');
  assert.equal(pcmCodecFor('s16p', 0), 'pcm_s16le');
  assert.equal(pcmCodecFor('s32', 24), 'pcm_s24le');
  assert.equal(pcmCodecFor('s32', 0), 'pcm_s32le');
  assert.equal(pcmCodecFor('fltp', 0), 'pcm_f32le');
});

test('movies a target cannot import are named with the app and the --transcode fix; an MP4 is not', () => {
  const video = (codec: string) => ({ codec, width: 64, height: 36, rate: { num: 25, den: 1 }, frameCount: 25, rotation: 0, variableFrameRate: false });
  const webm = { path: '/m/clip.webm', formatName: 'matroska,webm', video: video('vp8') };
  const mkv = { path: '/m/clip.mkv', formatName: 'matroska,webm', video: video('h264') };
  const theora = { path: '/m/clip.ogv', formatName: 'ogg', video: video('theora') };
  const mp4 = { path: '/m/clip.mp4', formatName: 'mov,mp4,m4a,3gp,3g2,mj2', video: video('h264') };
  const forPremiere = movieImportNotices([webm, mkv, theora, mp4], ['fcp7-xml']);
  assert.deepEqual(forPremiere.map((notice) => notice.path), ['/m/clip.webm', '/m/clip.ogv']);
  assert.match(forPremiere[0]!.message, /^Premiere Pro and DaVinci Resolve cannot import clip\.webm|^Premiere Pro cannot import clip\.webm/);
  assert.match(forPremiere[0]!.message, /--transcode prores \(or dnxhr\)/);
  const forFinalCut = movieImportNotices([webm, mkv, theora, mp4], ['fcpxml']);
  assert.deepEqual(forFinalCut.map((notice) => notice.path), ['/m/clip.webm', '/m/clip.mkv', '/m/clip.ogv']);
  assert.deepEqual(movieImportNotices([mp4], ['fcp7-xml', 'fcpxml', 'edl', 'otio']), []);
});
