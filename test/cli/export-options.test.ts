import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { synthesizeMovie, synthesizeMusic } from '../../companion/media/synthesize';
import { cli } from '../support/cli';
import { scratchDir } from '../support/paths';

const dir = scratchDir('export-options');
const movie = join(dir, 'movie.mp4');
const music = join(dir, 'music.m4a');

before(async () => {
  await synthesizeMovie(movie);
  await synthesizeMusic(music, { tempoBpm: 120, beatsPerBar: 4, seconds: 16.5, offsetSeconds: 0.5 });
});

test('--format and --export-option choose the timelines and their options; nothing else is written', async () => {
  const out = join(dir, 'fcpxml-only');
  const run = await cli(['montage', '--movie', movie, '--music', music, '--out', out, '--format', 'fcpxml', '--export-option', 'fcpxml.version=1.11', '--no-preview', '--quiet', '--no-cache', '--scenes', '4']);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(readdirSync(out).sort(), ['montage.fcpxml', 'plan.json', 'report.html', 'report.txt', 'storyboard.json']);
  assert.match(readFileSync(join(out, 'montage.fcpxml'), 'utf8'), /<fcpxml version="1\.11">/);
  // The optional YAMNet model is not configured here: the report says so, and the montage is made anyway.
  if (!process.env['AM_YAMNET_PATH']) assert.match(readFileSync(join(out, 'report.txt'), 'utf8'), /note: AM_ERR_MODEL_MISSING: .*YAMNet is not configured/);
});

test('an exporter option with a bad value or for an unknown exporter is a typed error and writes nothing', async () => {
  const out = join(dir, 'bad-option');
  const bad = await cli(['montage', '--movie', movie, '--music', music, '--out', out, '--export-option', 'fcpxml.version=2.0', '--no-preview', '--quiet', '--no-cache', '--json']);
  assert.equal(bad.code, 1, bad.stderr);
  const error = (JSON.parse(bad.stdout) as { error: { code: string; message: string } }).error;
  assert.match(error.message, /version/);
  assert.ok(!readdirSync(dir).includes('bad-option'), 'the output folder it created is removed again');
  const unknown = await cli(['montage', '--movie', movie, '--music', music, '--out', out, '--export-option', 'aaf.x=1', '--no-preview', '--quiet', '--no-cache', '--json']);
  assert.equal((JSON.parse(unknown.stdout) as { error: { code: string } }).error.code, 'AM_ERR_EXTENSION_NOT_FOUND');
});
