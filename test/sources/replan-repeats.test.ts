/**
 * What a warm re-plan no longer repeats (docs/sources.md): the storyboard's music waveform comes from the cache
 * (the same peaks as a fresh decode), the music emotion is read once for every file of a job, and a fingerprint
 * seen before is still refreshed when the file changes.
 */
import assert from 'node:assert/strict';
import { readdirSync, utimesSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CancellationToken } from '../../companion/core/lifecycle';
import type { MusicAnalysis, MusicEmotionEncoder } from '../../companion/core/pipeline';
import { fingerprint } from '../../companion/analysis/cache';
import { scoreEmotions } from '../../companion/analysis/emotion/index';
import { synthesizeMusic } from '../../companion/media/synthesize';
import { cachedMusicWaveform, musicWaveform } from '../../companion/pipeline/storyboard-model';
import { scratchDir } from '../support/paths';
import { fileAnalysis } from './make-sources';

test('the music waveform is read back from the cache, equal to a fresh decode, per range', async () => {
  const dir = scratchDir('waveform');
  const music = join(dir, 'song.m4a');
  await synthesizeMusic(music, { tempoBpm: 120, beatsPerBar: 4, seconds: 12, offsetSeconds: 0.5 });
  const cacheDir = join(dir, 'cache');
  const fresh = await musicWaveform(music, 1, 9);
  assert.ok(fresh.length > 0 && fresh.some((peak) => peak > 0));
  assert.deepEqual(await cachedMusicWaveform(music, 1, 9, cacheDir), fresh, 'first: decoded and stored');
  assert.equal(readdirSync(cacheDir).filter((name) => name.startsWith('waveform-')).length, 1);
  // Read back without decoding: with no ffmpeg to run, a decode would give no waveform at all.
  const ffmpeg = process.env['FFMPEG_PATH'];
  process.env['FFMPEG_PATH'] = join(dir, 'no-ffmpeg');
  try {
    assert.deepEqual(await musicWaveform(music, 1, 9), [], 'a decode would fail here');
    assert.deepEqual(await cachedMusicWaveform(music, 1, 9, cacheDir), fresh, 'second: read back');
  } finally {
    if (ffmpeg === undefined) delete process.env['FFMPEG_PATH'];
    else process.env['FFMPEG_PATH'] = ffmpeg;
  }
  assert.deepEqual(await cachedMusicWaveform(music, 2, 9, cacheDir), await musicWaveform(music, 2, 9), 'another range is its own entry');
  assert.equal(readdirSync(cacheDir).filter((name) => name.startsWith('waveform-')).length, 2);
  assert.deepEqual(await cachedMusicWaveform(music, 1, 9, undefined), fresh, 'no cache folder: decoded');
});

test('scoring many files against one music reads the music emotion once, and each file still gets its scores', async () => {
  let readings = 0;
  const neutral = { encoderId: 'count', values: [0, 0, 1, 0, 0, 0], valence: 0, arousal: 0, confidence: 1 };
  const musicEncoder: MusicEmotionEncoder = {
    id: 'count',
    kind: 'music',
    encodeMusic: async (music) => {
      readings++;
      return { global: neutral, bars: music.bars.map(() => neutral) };
    },
  } as MusicEmotionEncoder;
  const files = [0, 1, 2].map((i) => fileAnalysis(`/f-${i}.mp4`, 25, [50, 50, 50], 4));
  const music = { bars: Array.from({ length: 4 }, (_, k) => ({ index: k })) } as unknown as MusicAnalysis;
  const shotEncoder = { id: 'shots', kind: 'shot', encodeShots: async (movie: { shots: readonly unknown[] }) => movie.shots.map(() => neutral) };
  const encoders = { shot: [shotEncoder as never], music: [musicEncoder] };
  const scores = await Promise.all(files.map((file) => scoreEmotions(file.movie, music, encoders, CancellationToken.None)));
  assert.equal(readings, 1, 'one reading of the music for three files');
  assert.deepEqual(scores.map((s) => s.shots.length), [3, 3, 3]);
  // Another encoder list (another job) reads it again.
  await scoreEmotions(files[0]!.movie, music, { ...encoders, music: [musicEncoder] }, CancellationToken.None);
  assert.equal(readings, 2);
});

test('a fingerprint seen before follows a change of the file', async () => {
  const dir = scratchDir('fingerprint-memo');
  const file = join(dir, 'clip.bin');
  writeFileSync(file, Buffer.alloc(200_000, 1));
  const first = await fingerprint(file);
  assert.equal(await fingerprint(file), first, 'unchanged: the same');
  appendFileSync(file, 'more');
  const grown = await fingerprint(file);
  assert.notEqual(grown, first, 'grown: another');
  utimesSync(file, new Date(2020, 0, 1), new Date(2020, 0, 1));
  assert.notEqual(await fingerprint(file), grown, 'touched: another');
});
