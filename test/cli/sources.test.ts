/**
 * The CLI's footage options on real generated media (docs/sources.md): --movie repeated, --movie-range per movie,
 * --sources FILE.json|DIR, --rate and SOURCE:INDEX pins; a missing or audio-only file among several is a notice,
 * and bad values are typed errors naming the option.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { MontagePlan } from '../../companion/core/montage';
import { toSeconds } from '../../companion/core/rational';
import { synthesizeMusic } from '../../companion/media/synthesize';
import { cli } from '../support/cli';
import { scratchDir } from '../support/paths';
import { makeFootage } from '../sources/make-footage';

const dir = scratchDir('cli-sources');
const cache = join(dir, 'cache');
const footage = join(dir, 'footage');
// A folder as an editor leaves it: three clips (two at 25 fps, one at 30), the music, a voice-over without
// picture, and a note. The names sort as b-roll, interview, street, then the rest.
const aPath = join(footage, 'interview.mp4');
const bPath = join(footage, 'street.mov');
const cPath = join(footage, 'b-roll.mp4');
const voice = join(footage, 'voice-over.wav');
const music = join(footage, 'song.m4a');
const tempo = ['--bpm', '120', '--beats-per-bar', '4'];

before(async () => {
  mkdirSync(footage, { recursive: true });
  await makeFootage(aPath, { fps: 25, shotSeconds: [3, 3, 3, 3] });
  await makeFootage(bPath, { fps: 30, shotSeconds: [3, 3, 3, 3], seed: 4 });
  await makeFootage(cPath, { fps: 25, shotSeconds: [2.4, 2.4, 2.4, 2.4], seed: 8 });
  await makeFootage(voice, { fps: 25, shotSeconds: [4], audioOnly: true });
  // 8 bars of 2 s.
  await synthesizeMusic(music, { tempoBpm: 120, beatsPerBar: 4, seconds: 16.5, offsetSeconds: 0.5 });
  writeFileSync(join(footage, 'notes.txt'), 'selects: interview 0-9 s');
});

interface Result {
  readonly code: number;
  readonly plan: MontagePlan;
  readonly report: string;
  readonly out: string;
}

async function montage(args: readonly string[]): Promise<Result> {
  const out = join(scratchDir('cli-sources-out'), 'montage');
  const run = await cli(['montage', '--music', music, '--out', out, '--json', '--quiet', '--no-preview', '--cache', cache, '--scenes', '8', ...tempo, ...args]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  return { code: run.code, plan: JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')) as MontagePlan, report: readFileSync(join(out, 'report.txt'), 'utf8'), out };
}

async function failure(args: readonly string[]): Promise<{ code: string; message: string; where?: { field?: string; file?: string }; details?: Record<string, unknown> }> {
  const out = join(scratchDir('cli-sources-bad'), 'montage');
  const run = await cli(['montage', '--music', music, '--out', out, '--json', '--quiet', '--no-preview', '--cache', cache, ...tempo, ...args]);
  assert.equal(run.code, 1, run.stdout + run.stderr);
  const result = JSON.parse(run.stdout) as { ok: boolean; error: { code: string; message: string } };
  assert.equal(result.ok, false);
  assert.match(run.stderr, new RegExp(`^${result.error.code}: `, 'm'));
  return result.error;
}

/** Every placement plays frames of its source inside the source's selected range and inside its shot. */
function assertInsideSelects(plan: MontagePlan): void {
  for (const p of plan.placements) {
    const source = plan.sources![p.source!]!;
    const { start, duration } = p.sourceRange;
    assert.deepEqual(start.rate, source.rate, `${source.id} counts in its own frames`);
    assert.ok(start.value >= source.inFrame && start.value + duration.value <= source.outFrame, `${source.id} ${start.value}+${duration.value} inside ${source.inFrame}..${source.outFrame}`);
    const shot = plan.shots[p.shotIndex]!;
    assert.equal(shot.source, p.source);
    assert.ok(start.value >= shot.range.start.value && start.value + duration.value <= shot.range.start.value + shot.range.duration.value, 'inside its shot');
  }
}

test('--movie repeated with one --movie-range each draws from every movie, in the given order, inside each range', { timeout: 180_000 }, async () => {
  const { plan } = await montage(['--movie', aPath, '--movie', bPath, '--movie', cPath, '--movie-range', '0:9', '--movie-range', 'all', '--movie-range', '2.5:10']);
  assert.deepEqual(
    plan.sources!.map((s) => [s.id, s.path, s.rate.num, s.inFrame, s.outFrame]),
    [
      ['source-1', aPath, 25, 0, 225],
      ['source-2', bPath, 30, 0, 360],
      ['source-3', cPath, 25, 63, 240],
    ],
  );
  // The timeline takes the first source's rate; the 30 fps file keeps its own frames.
  assert.deepEqual(plan.movie.rate, { num: 25, den: 1 });
  assertInsideSelects(plan);
  assert.ok(new Set(plan.placements.map((p) => p.source)).size >= 2, 'more than one movie is used');
  // Story order: the movies' order, then each movie's frames in order.
  const order = plan.placements.map((p) => [p.source!, p.sourceRange.start.value] as const);
  assert.deepEqual(order, [...order].sort((x, y) => x[0] - y[0] || x[1] - y[1]));
  // A source's shot pinned by SOURCE:INDEX is placed.
  const pinned = await montage(['--movie', aPath, '--movie', bPath, '--movie-range', '0:9', '--movie-range', 'all', '--pin', 'source-2:2']);
  const shotOfB = pinned.plan.shots.filter((s) => s.source === 1)[2]!;
  assert.ok(pinned.plan.placements.some((p) => p.shotIndex === shotOfB.index), 'the pinned shot of source-2 is used');
});

test('--rate sets the timeline rate: cuts on its grid, every source in its own frames', { timeout: 180_000 }, async () => {
  for (const [rate, expected] of [['30', { num: 30, den: 1 }], ['30000/1001', { num: 30000, den: 1001 }], ['29.97', { num: 30000, den: 1001 }]] as const) {
    const { plan, out } = await montage(['--movie', aPath, '--movie', bPath, '--rate', rate]);
    assert.deepEqual(plan.movie.rate, expected, `--rate ${rate}`);
    assertInsideSelects(plan);
    let record = 0;
    for (const p of plan.placements) {
      assert.deepEqual(p.recordRange.start, { value: record, rate: expected }, 'back to back on the timeline grid');
      record += p.recordRange.duration.value;
      // Real speed: the source plays as long as the slot, within half a source frame.
      const source = plan.sources![p.source!]!;
      assert.ok(Math.abs(toSeconds(p.sourceRange.duration) - toSeconds(p.recordRange.duration)) <= 0.5 / (source.rate.num / source.rate.den) + 1e-9);
    }
    const xml = readFileSync(join(out, 'montage.xml'), 'utf8');
    assert.match(xml, new RegExp(`<sequence[^]*?<rate>\\s*<timebase>30</timebase>\\s*<ntsc>${expected.den === 1001 ? 'TRUE' : 'FALSE'}</ntsc>`));
  }
});

test('--sources DIR takes the folder’s videos in name order, skips the music and the note, and the voice-over is a notice', { timeout: 180_000 }, async () => {
  const { plan, report } = await montage(['--sources', footage]);
  assert.deepEqual(plan.sources!.map((s) => s.path), [cPath, aPath, bPath]);
  assert.ok(!plan.sources!.some((s) => s.path === music));
  const notice = plan.diagnostics.find((d) => d.code === 'AM_ERR_NO_VIDEO_STREAM');
  assert.equal(notice?.where?.file, voice, 'plan.json names the audio-only file');
  assert.match(report, /voice-over\.wav has no video \(audio only\); it is skipped/);
  assertInsideSelects(plan);
});

test('--sources FILE.json reads paths relative to it, ranges, sequence places and ids; pins name the ids', { timeout: 180_000 }, async () => {
  const list = join(dir, 'selects.json');
  writeFileSync(
    list,
    JSON.stringify([
      { path: 'footage/street.mov', range: { startSeconds: 1, endSeconds: 8 }, timelineSeconds: 30, id: 'street' },
      { path: 'footage/interview.mp4', range: { startSeconds: 3, endSeconds: 12 }, timelineSeconds: 0, id: 'talk' },
      'footage/b-roll.mp4',
    ]),
  );
  // Without a sequence place on every source, the story keeps the list's order.
  const given = await montage(['--sources', list]);
  assert.deepEqual(given.plan.sources!.map((s) => [s.id, s.inFrame, s.outFrame]), [['street', 30, 240], ['talk', 75, 300], ['source-3', 0, 240]]);
  writeFileSync(list, JSON.stringify([{ path: 'footage/street.mov', range: { startSeconds: 1, endSeconds: 8 }, timelineSeconds: 30, id: 'street' }, { path: 'footage/interview.mp4', range: { startSeconds: 3, endSeconds: 12 }, timelineSeconds: 0, id: 'talk' }]));
  const { plan } = await montage(['--sources', list, '--pin', 'street:1']);
  assert.deepEqual(plan.sources!.map((s) => s.id), ['talk', 'street'], 'ordered by their place on the sequence');
  assertInsideSelects(plan);
  const pinned = plan.shots.filter((s) => s.source === 1)[1]!;
  assert.ok(plan.placements.some((p) => p.shotIndex === pinned.index));
});

test('a missing file among several is a notice in plan.json and the report, and the others are used', { timeout: 180_000 }, async () => {
  const gone = join(dir, 'gone.mp4');
  const { plan, report } = await montage(['--movie', aPath, '--movie', gone, '--movie', bPath]);
  assert.deepEqual(plan.sources!.map((s) => s.path), [aPath, bPath]);
  const notice = plan.diagnostics.find((d) => d.code === 'AM_ERR_FILE_NOT_FOUND');
  assert.equal(notice?.where?.file, gone);
  assert.ok(report.includes(`note: AM_ERR_FILE_NOT_FOUND: ${gone} is skipped`), report);
  // The same movie twice is used once, with its notice.
  const twice = await montage(['--movie', aPath, '--movie', aPath, '--movie', bPath]);
  assert.deepEqual(twice.plan.sources!.map((s) => s.id), ['source-1', 'source-3']);
  assert.ok(twice.plan.diagnostics.some((d) => d.code === 'AM_ERR_SOURCE_DUPLICATE'));
});

test('bad footage options are typed errors naming the option or every file', { timeout: 180_000 }, async () => {
  const cases: [string[], string, string | undefined, RegExp][] = [
    [['--movie', aPath, '--movie', bPath, '--movie-range', '0:9'], 'AM_ERR_INVALID_ARGUMENT', 'movie-range', /once applies to a single --movie/],
    [['--movie', aPath, '--movie', bPath, '--movie', cPath, '--movie-range', '0:9', '--movie-range', 'all'], 'AM_ERR_INVALID_ARGUMENT', 'movie-range', /given 2 times for 3 --movie/],
    [['--movie', aPath, '--rate', 'fast'], 'AM_ERR_INVALID_ARGUMENT', 'rate', /"fast"/],
    [['--movie', aPath, '--rate', '0'], 'AM_ERR_INVALID_ARGUMENT', 'rate', /1 to 240 fps/],
    [['--movie', aPath, '--pin', 'street:one'], 'AM_ERR_INVALID_ARGUMENT', 'pin', /SOURCE:INDEX/],
    [['--movie', aPath, '--movie', bPath, '--pin', 'source-7:0'], 'AM_ERR_PLAN_CONSTRAINTS', 'options.pins[0]', /source-7/],
    [['--sources', join(dir, 'nowhere')], 'AM_ERR_FILE_NOT_FOUND', 'sources', /nowhere/],
  ];
  const json = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
    return path;
  };
  cases.push(
    [['--sources', json('broken.json', '[{"path": ')], 'AM_ERR_INVALID_ARGUMENT', 'sources', /not a JSON list/],
    [['--sources', json('empty.json', [])], 'AM_ERR_INVALID_ARGUMENT', 'sources', /non-empty JSON list/],
    [['--sources', json('unknown-key.json', [{ path: 'a.mp4', speed: 2 }])], 'AM_ERR_INVALID_ARGUMENT', 'sources[0].speed', /unknown key "speed"/],
    [['--sources', json('bad-range.json', [{ path: 'a.mp4' }, { path: 'b.mp4', range: { startSeconds: 5, endSeconds: 2 } }])], 'AM_ERR_INVALID_ARGUMENT', 'sources[1].range', /startSeconds < endSeconds/],
    [['--sources', json('bad-id.json', [{ path: 'a.mp4', id: 'two words' }])], 'AM_ERR_INVALID_ARGUMENT', 'sources[0].id', /letters, digits/],
  );
  const emptyFolder = join(dir, 'empty-folder');
  mkdirSync(emptyFolder);
  writeFileSync(join(emptyFolder, 'readme.txt'), 'nothing here');
  cases.push([['--sources', emptyFolder], 'AM_ERR_NO_USABLE_SOURCE', 'sources', /holds no media file/]);
  for (const [args, code, field, message] of cases) {
    const error = await failure(args);
    assert.equal(error.code, code, `${args.join(' ')}: ${error.message}`);
    assert.equal(error.where?.field, field, args.join(' '));
    assert.match(error.message, message);
  }
  // Nothing usable: one error naming every file and why.
  const gone = join(dir, 'gone.mp4');
  const error = await failure(['--movie', gone, '--movie', voice]);
  assert.equal(error.code, 'AM_ERR_NO_USABLE_SOURCE');
  assert.ok(error.message.includes(gone) && error.message.includes(voice), error.message);
  assert.deepEqual((error.details?.files as { path: string; code: string }[]).map((f) => [f.path, f.code]), [[gone, 'AM_ERR_FILE_NOT_FOUND'], [voice, 'AM_ERR_NO_VIDEO_STREAM']]);
});
