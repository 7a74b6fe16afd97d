/**
 * `--timecode ndf|df` (and the protocol's `options.timecode`): a drop-frame sequence timecode in all four
 * timeline files where the timeline's rate has one (29.97 here, a 25 fps movie conformed with --rate), and a
 * typed refusal, before any analysis, where it has none.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { synthesizeMovie, synthesizeMusic } from '../../companion/media/synthesize';
import { montageSchema } from '../../companion/protocol/schema';
import { cli } from '../support/cli';
import { scratchDir } from '../support/paths';

const dir = scratchDir('timecode');
const movie = join(dir, 'movie.mp4');
const music = join(dir, 'music.m4a');

before(async () => {
  await synthesizeMovie(movie);
  await synthesizeMusic(music, { tempoBpm: 120, beatsPerBar: 4, seconds: 16.5, offsetSeconds: 0.5 });
});

test('--timecode df on a 29.97 timeline writes drop-frame sequence timecode in every format', async () => {
  const out = join(dir, 'df');
  const run = await cli(['montage', '--movie', movie, '--music', music, '--out', out, '--rate', '30000/1001', '--timecode', 'df', '--no-preview', '--quiet', '--no-cache', '--scenes', '4']);
  assert.equal(run.code, 0, run.stderr);
  const xml = readFileSync(join(out, 'montage.xml'), 'utf8');
  // The sequence's own timecode is the last <timecode> (after its media): 01:00:00;00 is frame 107892 in DF.
  assert.match(xml, /<timecode>\s*<rate>\s*<timebase>30<\/timebase>\s*<ntsc>TRUE<\/ntsc>\s*<\/rate>\s*<string>01:00:00;00<\/string>\s*<frame>107892<\/frame>\s*<displayformat>DF<\/displayformat>\s*<\/timecode>\s*<marker>/);
  assert.match(readFileSync(join(out, 'montage.fcpxml'), 'utf8'), /<sequence [^>]*tcStart="107999892\/30000s" tcFormat="DF"/);
  const edl = readFileSync(join(out, 'montage.edl'), 'utf8');
  const records = [...edl.matchAll(/^\d{3} .* (\d\d:\d\d:\d\d[:;]\d\d) (\d\d:\d\d:\d\d[:;]\d\d)$/gm)].flatMap((m) => [m[1]!, m[2]!]);
  assert.ok(records.length > 0 && records.every((tc) => tc.includes(';')), `record timecodes: ${records.join(' ')}`);
  assert.equal(records[0], '01:00:00;00');
  const otio = JSON.parse(readFileSync(join(out, 'montage.otio'), 'utf8')) as { metadata: { 'auto-montage': { dropFrame: boolean } }; global_start_time: { value: number } };
  assert.equal(otio.metadata['auto-montage'].dropFrame, true);
  assert.equal(otio.global_start_time.value, 107892);
});

test('--timecode df at a rate without drop-frame is refused with a typed error before the analysis, and writes nothing', async () => {
  for (const args of [[], ['--rate', '25']]) {
    const out = join(dir, `refused-${args.length}`);
    const started = Date.now();
    const run = await cli(['montage', '--movie', movie, '--music', music, '--out', out, ...args, '--timecode', 'df', '--no-preview', '--quiet', '--no-cache', '--json']);
    assert.equal(run.code, 1, run.stderr);
    const error = (JSON.parse(run.stdout) as { error: { code: string; message: string; where?: { field?: string } } }).error;
    assert.equal(error.code, 'AM_ERR_INVALID_ARGUMENT');
    assert.equal(error.where?.field, 'timecode');
    assert.match(error.message, /only at 29\.97 and 59\.94 fps; this timeline runs at 25 fps/);
    assert.ok(Date.now() - started < 20_000, 'refused without analysing the movie');
    assert.equal(existsSync(out), false);
  }
  const bad = await cli(['montage', '--movie', movie, '--music', music, '--out', join(dir, 'bad'), '--timecode', 'drop', '--quiet']);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /--timecode must be one of ndf, df \(got "drop"\)/);
});

test('the protocol takes options.timecode "ndf" or "df" and refuses anything else, naming the field', () => {
  const frame = (timecode: unknown) => ({ type: 'montage', requestId: 'r1', movie: { path: '/m.mp4' }, music: { path: '/s.wav' }, options: { timecode } });
  assert.equal(montageSchema.safeParse(frame('df')).success, true);
  assert.equal(montageSchema.safeParse(frame('ndf')).success, true);
  const refused = montageSchema.safeParse(frame('DF'));
  assert.equal(refused.success, false);
  assert.deepEqual(refused.error?.issues[0]?.path, ['options', 'timecode']);
});
