import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { toFps } from '../../companion/core/rational';
import { DEMO_SHOTS, synthesizeMovie, synthesizeMusic } from '../../companion/media/synthesize';
import type { PlanJson } from '../../companion/pipeline/plan-json';
import { cli } from '../support/cli';
import { scratchDir } from '../support/paths';

// Real media made here with ffmpeg: a fast cut (the demo's twelve shots in three looks, 2.5 s each) and two
// click tracks, one slow (60 BPM, 4 s bars) and one at 120 BPM (2 s bars) longer than the movie.
const dir = scratchDir('relax');
const cache = join(dir, 'cache');
const fastCut = join(dir, 'fast-cut.mp4');
const slowMusic = join(dir, 'slow.m4a');
const longMusic = join(dir, 'long.m4a');
// The tracker may read a click track at double tempo; the editor's metre keeps the bars what the test means.
const slow = ['--bpm', '60', '--beats-per-bar', '4'];
const brisk = ['--bpm', '120', '--beats-per-bar', '4'];

before(async () => {
  await synthesizeMovie(fastCut, DEMO_SHOTS.map((shot) => ({ source: shot.source, seconds: 2.5 })));
  await synthesizeMusic(slowMusic, { tempoBpm: 60, beatsPerBar: 4, seconds: 17, offsetSeconds: 0.5 });
  await synthesizeMusic(longMusic, { tempoBpm: 120, beatsPerBar: 4, seconds: 40.5, offsetSeconds: 0.5 });
});

interface Montage {
  readonly plan: PlanJson;
  readonly report: string;
  readonly summary: { relaxations: { relax: string; message: string }[]; granularity: string };
}

async function montage(music: string, args: readonly string[]): Promise<Montage> {
  const out = join(scratchDir('relax-out'), 'montage');
  const run = await cli(['montage', '--movie', fastCut, '--music', music, '--out', out, '--json', '--quiet', '--no-preview', '--cache', cache, ...args]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const { summary } = JSON.parse(run.stdout) as { summary: Montage['summary'] };
  return { plan: JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')) as PlanJson, report: readFileSync(join(out, 'report.txt'), 'utf8'), summary };
}

/** Every relaxation reaches plan.json, the report and the CLI's result, with the same words. */
function assertNotices(result: Montage, expected: readonly [string, RegExp][]): void {
  assert.deepEqual(result.plan.relaxations.map((r) => r.relax), expected.map(([kind]) => kind));
  expected.forEach(([, message], i) => {
    const notice = result.plan.relaxations[i]!;
    assert.match(notice.message, message);
    assert.ok(result.report.includes(`Relaxed ${notice.message}`), `the report says: ${notice.message}`);
    assert.equal(result.summary.relaxations[i]?.message, notice.message, 'the CLI result says it too');
  });
}

/** The montage's rules: cuts on the chosen unit's frame boundaries, exact fill, the scene limit, story order. */
function assertRules({ plan }: Montage): void {
  const fps = toFps(plan.movie.rate);
  const origin = plan.bars[0]!.startSeconds;
  const boundary = (k: number) => Math.round(((k < plan.bars.length ? plan.bars[k]!.startSeconds : plan.music.endSeconds) - origin) * fps);
  const [section] = plan.granularity.sections;
  assert.equal(plan.granularity.sections.length, 1);
  for (const unit of plan.bars) assert.ok(Math.abs(unit.durationSeconds - section!.unitSeconds) < 0.25 * section!.unitSeconds, `unit of ${unit.durationSeconds} s is a ${section!.unit}`);
  let filled = 0;
  let previousShot = -1;
  let previousSource = -1;
  for (const p of plan.placements) {
    assert.equal(p.firstBar, filled, 'contiguous');
    assert.equal(p.recordRange.start.value, boundary(p.firstBar), 'the cut sits on a unit boundary');
    assert.equal(p.recordRange.duration.value, boundary(p.firstBar + p.barCount) - boundary(p.firstBar), 'and lasts its units exactly');
    assert.equal(p.sourceRange.duration.value, p.recordRange.duration.value);
    assert.ok(p.shotIndex > previousShot && p.sourceRange.start.value >= previousSource, 'story order');
    previousShot = p.shotIndex;
    previousSource = p.sourceRange.start.value + p.sourceRange.duration.value;
    const shot = plan.shots[p.shotIndex]!;
    assert.ok(p.sourceRange.start.value >= shot.range.start.value && previousSource <= shot.range.start.value + shot.range.duration.value, 'inside its shot');
    filled += p.barCount;
  }
  assert.equal(filled, plan.bars.length, 'exact fill');
  assert.ok(new Set(plan.placements.map((p) => p.sceneIndex)).size <= plan.options.maxScenes, 'scene limit');
}

test('short shots under slow music cut on half bars, with a notice of the lengths; --relax none keeps the typed error', { timeout: 120_000 }, async () => {
  const result = await montage(slowMusic, slow);
  assert.equal(result.plan.granularity.unit, 'halfbar');
  assert.equal(result.summary.granularity, 'halfbar');
  assertNotices(result, [['granularity', /^used half-bars instead of bars: shots average 2\.\d s, bars are 4\.0 s \(half-bars 2\.0 s\)$/]]);
  assert.match(result.report, /^Cuts {4}on half-bars of 2\.00 s \(granularity auto: bars do not fit the shots/m);
  assert.equal(result.plan.bars.length, 8);
  assertRules(result);

  const out = join(scratchDir('relax-none'), 'montage');
  const refused = await cli(['montage', '--movie', fastCut, '--music', slowMusic, '--out', out, '--json', '--quiet', '--no-preview', '--cache', cache, '--relax', 'none', ...slow]);
  assert.equal(refused.code, 1);
  const error = (JSON.parse(refused.stdout) as { error: { code: string; message: string; details: { barsNeeded: number; barsAvailable: number } } }).error;
  assert.equal(error.code, 'AM_ERR_TOO_FEW_SHOTS');
  assert.match(error.message, /^The music needs 4 bars, but the movie .* has 0 usable shots \(at least one bar of 4\.00 s long\) holding only 0 bars\./);
  assert.deepEqual([error.details.barsNeeded, error.details.barsAvailable], [4, 0]);
  assert.equal(existsSync(out), false, 'nothing is written');
});

test('too few scenes: the scene limit rises to the fewest that fill the music, and says from what', { timeout: 120_000 }, async () => {
  // Twenty seconds of 2 s bars; no look of the movie lasts more than about ten.
  const result = await montage(longMusic, [...brisk, '--music-range', '0:20.6', '--scenes', '1']);
  assertNotices(result, [['scenes', /^allowed [23] scenes instead of 1$/]]);
  assert.ok(result.plan.options.maxScenes > 1);
  assert.ok(Math.abs(result.plan.music.endSeconds - result.plan.music.startSeconds - 20) < 0.01, 'the whole range is filled');
  assertRules(result);
});

test('music longer than the footage can fill ends the montage early, by a stated amount', { timeout: 120_000 }, async () => {
  const result = await montage(longMusic, brisk);
  const pattern = /^ended the montage after (\d+) of 20 bars \(music at (\d+\.\d\d) s instead of (\d+\.\d\d) s: (\d+\.\d\d) s shorter\)$/;
  assertNotices(result, [['music', pattern]]);
  const [, bars, end, full, shorter] = pattern.exec(result.plan.relaxations[0]!.message)!.map(Number);
  assert.equal(result.plan.bars.length, bars);
  assert.ok(Math.abs(result.plan.music.endSeconds - end!) < 0.01);
  assert.ok(Math.abs(full! - 40.5) < 0.05, 'the full music ends with the track');
  assert.ok(Math.abs(full! - end! - shorter!) < 0.011);
  assert.ok(result.plan.music.endSeconds - result.plan.music.startSeconds <= 30.2, 'no longer than the movie');
  assertRules(result);
});

test('a plan that needs two relaxations gets both: a finer unit and one more scene', { timeout: 120_000 }, async () => {
  const result = await montage(slowMusic, [...slow, '--granularity', 'bar', '--scenes', '1']);
  assertNotices(result, [
    ['granularity', /^used half-bars instead of bars/],
    ['scenes', /^allowed 2 scenes instead of 1$/],
  ]);
  assert.equal(result.plan.granularity.requested, 'bar');
  assertRules(result);
  // Each notice says what undoing it would use instead.
  assert.deepEqual(result.plan.relaxations.map((r) => r.alternatives), [[], ['granularity', 'music']]);
});
