/**
 * Movies the target editors cannot import (companion/pipeline/nle-media.ts) through the CLI: a WebM (VP8) movie
 * for the Premiere XML is named before the analysis and in report.txt, with the --transcode fix, and the timeline
 * keeps the file; with --transcode prores the timeline refers to an editing copy holding every frame. Short
 * generated media (a 16 s movie, 12.5 s of music).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { ffmpegPath } from '../../companion/media/binaries';
import { probeMedia } from '../../companion/media/probe';
import { run } from '../../companion/media/process';
import { synthesizeMovie, synthesizeMusic } from '../../companion/media/synthesize';
import { cli } from '../support/cli';
import { scratchDir } from '../support/paths';

const dir = scratchDir('transcode');
const webm = join(dir, 'movie.webm');
const music = join(dir, 'music.m4a');

before(async () => {
  const mp4 = join(dir, 'movie.mp4');
  await synthesizeMovie(mp4);
  await run(ffmpegPath(), ['-nostdin', '-v', 'error', '-y', '-i', mp4, '-t', '16', '-vf', 'scale=320:-2', '-c:v', 'libvpx', '-b:v', '400k', '-deadline', 'realtime', '-c:a', 'libvorbis', webm]);
  await synthesizeMusic(music, { tempoBpm: 120, beatsPerBar: 4, seconds: 12.5, offsetSeconds: 0.5 });
});

const pathurls = (xml: string) => [...xml.matchAll(/<pathurl>([^<]*)<\/pathurl>/g)].map((match) => decodeURIComponent(match[1]!.replace(/^file:\/\/(localhost)?/, '')));

test('a WebM movie is named before the analysis and in the report, with the --transcode fix; the timeline keeps it', async () => {
  const out = join(dir, 'plain');
  const result = await cli(['montage', '--movie', webm, '--music', music, '--out', out, '--format', 'fcp7-xml', '--no-preview', '--no-cache', '--scenes', '4']);
  assert.equal(result.code, 0, result.stderr);
  const note = result.stderr.indexOf('note: Premiere Pro');
  assert.ok(note >= 0, result.stderr);
  assert.ok(note < result.stderr.indexOf('music…'), 'said before the analysis starts');
  assert.match(result.stderr, /cannot import movie\.webm \(matroska\/vp8\).*--transcode prores \(or dnxhr\)/);
  assert.match(readFileSync(join(out, 'report.txt'), 'utf8'), /note: AM_ERR_MEDIA_NOT_IMPORTABLE: Premiere Pro .*movie\.webm/);
  assert.ok(pathurls(readFileSync(join(out, 'montage.xml'), 'utf8')).includes(webm));
});

test('--transcode prores points the timeline at a ProRes copy with every frame of the movie; the WebM is untouched', async () => {
  const out = join(dir, 'prores');
  const before = readFileSync(webm);
  const result = await cli(['montage', '--movie', webm, '--music', music, '--out', out, '--format', 'fcp7-xml', '--no-preview', '--no-cache', '--scenes', '4', '--transcode', 'prores', '--quiet']);
  assert.equal(result.code, 0, result.stderr);
  const copy = join(out, 'movie.prores.mov');
  const paths = pathurls(readFileSync(join(out, 'montage.xml'), 'utf8'));
  assert.ok(paths.includes(copy), paths.join(', '));
  assert.ok(!paths.includes(webm));
  const [source, edited] = await Promise.all([probeMedia(webm), probeMedia(copy)]);
  assert.equal(edited.video?.codec, 'prores');
  assert.deepEqual(edited.video?.rate, source.video?.rate);
  assert.equal(edited.video?.frameCount, source.video?.frameCount);
  assert.doesNotMatch(readFileSync(join(out, 'report.txt'), 'utf8'), /AM_ERR_MEDIA_NOT_IMPORTABLE/);
  assert.ok(readFileSync(webm).equals(before));
  const bad = await cli(['montage', '--movie', webm, '--music', music, '--out', join(dir, 'bad'), '--transcode', 'h264', '--quiet']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--transcode takes prores or dnxhr, not "h264"/);
});
