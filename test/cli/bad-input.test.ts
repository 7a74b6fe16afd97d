import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { synthesizeMovie, synthesizeMusic } from '../../companion/media/synthesize';
import { cli } from '../support/cli';
import { filmDir, musicDir, scratchDir } from '../support/paths';

const dir = scratchDir('bad-input');
const realMovie = join(filmDir, 'nosferatu_1922_excerpt.mp4'); // video only, no audio stream
const realMusic = join(musicDir, 'singularity_chimes_they_fade.ogg'); // audio only
const corrupt = join(dir, 'corrupt.mp4');
const oneShotMovie = join(dir, 'one-shot.mp4');
const shortMusic = join(dir, 'short.m4a');
const longMusic = join(dir, 'long.m4a');

before(async () => {
  writeFileSync(corrupt, Buffer.concat([Buffer.from('\x00\x00\x00\x18ftypmp42'), Buffer.alloc(4096, 0x5a)]));
  await synthesizeMovie(oneShotMovie, [{ source: 'testsrc2=size=160x90:rate=25', seconds: 3 }]);
  await synthesizeMusic(shortMusic, { tempoBpm: 100, beatsPerBar: 4, seconds: 1.2 });
  await synthesizeMusic(longMusic, { tempoBpm: 120, beatsPerBar: 4, seconds: 40 });
});

/** Runs a montage into a folder holding one file of the user's, and checks the error and that nothing new appears. */
async function expectError(code: string, movie: string, music: string, extra: string[] = []): Promise<string> {
  const out = join(scratchDir('out'), 'montage');
  mkdirSync(out);
  writeFileSync(join(out, 'notes.txt'), 'mine');
  const run = await cli(['montage', '--movie', movie, '--music', music, '--out', out, '--json', '--quiet', '--no-cache', ...extra]);
  assert.equal(run.code, 1, run.stderr);
  const result = JSON.parse(run.stdout) as { ok: boolean; error: { code: string; message: string; where?: { file?: string } } };
  assert.equal(result.ok, false);
  assert.equal(result.error.code, code, result.error.message);
  assert.match(run.stderr, new RegExp(`^${code}: `, 'm'));
  assert.deepEqual(readdirSync(out), ['notes.txt'], 'the output folder holds nothing new');
  assert.equal(readFileSync(join(out, 'notes.txt'), 'utf8'), 'mine');
  return result.error.message + JSON.stringify(result.error.where ?? {});
}

test('a missing movie file is reported with its path', async () => {
  const text = await expectError('AM_ERR_FILE_NOT_FOUND', join(dir, 'nope.mp4'), realMusic);
  assert.match(text, /nope\.mp4/);
});

test('a corrupt movie file is reported as unreadable media', async () => {
  const text = await expectError('AM_ERR_MEDIA_UNREADABLE', corrupt, realMusic);
  assert.match(text, /corrupt\.mp4/);
});

test('music without an audio stream is refused', async () => {
  const text = await expectError('AM_ERR_NO_AUDIO_STREAM', realMovie, realMovie);
  assert.match(text, /nosferatu/);
});

test('a movie without a video stream is refused', async () => {
  const text = await expectError('AM_ERR_NO_VIDEO_STREAM', realMusic, realMusic);
  assert.match(text, /chimes/);
});

test('music shorter than one bar is refused', async () => {
  const text = await expectError('AM_ERR_MUSIC_TOO_SHORT', oneShotMovie, shortMusic);
  assert.match(text, /short\.m4a/);
});

test('a movie with too few usable shots for the music is refused with the numbers', async () => {
  const text = await expectError('AM_ERR_TOO_FEW_SHOTS', oneShotMovie, longMusic, ['--relax', 'none']);
  assert.match(text, /\d+ bars/);
});

test('existing outputs are never overwritten without --force', async () => {
  const out = join(scratchDir('exists'), 'montage');
  mkdirSync(out);
  writeFileSync(join(out, 'plan.json'), '{"mine":true}');
  const run = await cli(['montage', '--movie', realMovie, '--music', longMusic, '--out', out, '--json', '--quiet', '--no-cache']);
  assert.equal(run.code, 1);
  assert.equal((JSON.parse(run.stdout) as { error: { code: string } }).error.code, 'AM_ERR_OUTPUT_EXISTS');
  assert.deepEqual(readdirSync(out), ['plan.json']);
  assert.equal(readFileSync(join(out, 'plan.json'), 'utf8'), '{"mine":true}');
});

test('bad usage exits with status 2 and says which option is wrong', async () => {
  const missing = await cli(['montage', '--movie', realMovie]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--music is required/);
  const badMode = await cli(['montage', '--movie', realMovie, '--music', realMusic, '--out', dir, '--mode', 'medium']);
  assert.equal(badMode.code, 2);
  assert.match(badMode.stderr, /--mode must be one of hard, soft/);
  const badRange = await cli(['montage', '--movie', realMovie, '--music', realMusic, '--out', dir, '--music-range', '50:10']);
  assert.equal(badRange.code, 2);
  assert.match(badRange.stderr, /--music-range/);
});

test('--help documents every montage option', async () => {
  const help = await cli(['--help']);
  assert.equal(help.code, 0);
  for (const option of ['--movie', '--music', '--out', '--music-range', '--scenes', '--mode', '--format', '--json', '--force', '--granularity', '--pin', '--ban']) {
    assert.ok(help.stdout.includes(option), option);
  }
});
