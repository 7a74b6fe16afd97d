import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MontageError } from '../../companion/core/errors';
import type { Bar, MontagePlan } from '../../companion/core/montage';
import { cutUnits, layoutUnits, musicSections, solveMontage, type MusicPlanInput } from '../../companion/planner/index';
import { makeInput, type ShotSpec } from './make-input';

/** A music-level input: 4/4 bars of the given seconds, a beat every quarter bar, relax and granularity as given. */
function musicInput(shots: readonly ShotSpec[], barSeconds: readonly number[], options: Partial<MusicPlanInput['options']> = {}, granularity: MusicPlanInput['granularity'] = 'auto'): MusicPlanInput {
  const input = makeInput({ shots, barSeconds, options: { trim: true, relax: 'auto', ...options } });
  const beatTimes = input.bars.flatMap((bar) => [0, 1, 2, 3].map((b) => bar.startSeconds + (b * bar.durationSeconds) / 4));
  const { barScores: _, ...rest } = input;
  return { ...rest, beatTimes, granularity };
}

function errorOf(run: () => unknown): MontageError {
  try {
    run();
  } catch (error) {
    return error as MontageError;
  }
  assert.fail('expected an error');
}

/** The rules every plan keeps: contiguous exact fill of plan.bars, story order, the scene limit, windows inside shots. */
function assertRules(plan: MontagePlan): void {
  let bar = 0;
  let lastShot = -1;
  for (const p of plan.placements) {
    assert.equal(p.firstBar, bar, 'no hole, no overlap');
    bar += p.barCount;
    assert.ok(p.shotIndex > lastShot, 'story order');
    lastShot = p.shotIndex;
    const shot = plan.shots[p.shotIndex]!;
    assert.ok(p.sourceRange.start.value >= shot.range.start.value && p.sourceRange.start.value + p.sourceRange.duration.value <= shot.range.start.value + shot.range.duration.value, 'window inside its shot');
  }
  assert.equal(bar, plan.bars.length, 'every unit filled exactly once');
  assert.ok(new Set(plan.placements.map((p) => p.sceneIndex)).size <= plan.options.maxScenes, 'scene limit');
}

const long = (scene: number, score = 0.5): ShotSpec => ({ frames: 24 * 5, scene, score });
const short = (scene: number, score = 0.5): ShotSpec => ({ frames: 60, scene, score }); // 2.5 s at 24 fps

test('auto keeps bars when long shots fill them, and says which units it weighed', () => {
  const solution = solveMontage(musicInput([long(0), long(0), long(1), long(1)], [4, 4, 4, 4]));
  assert.equal(solution.granularity.unit, 'bar');
  assert.deepEqual(solution.relaxations, []);
  assert.deepEqual(solution.granularity.candidates.map((c) => c.unit), ['bar', '2bars', 'halfbar', 'beat']);
  assert.match(solution.granularity.reason, /^the best objective per cut \(bars unless another unit is over 10 % better\): bars \d\.\d{3}/);
  assertRules(solution.plan);
});

test('short shots under slow bars cut on half bars, with a notice naming the lengths', () => {
  // 2.5 s shots, 4 s bars: no shot holds a bar; a half bar (2 s) fits each.
  const shots = [short(0), short(0), short(0), short(0), short(1), short(1), short(1), short(1)];
  const solution = solveMontage(musicInput(shots, [4, 4, 4]));
  assert.equal(solution.granularity.unit, 'halfbar');
  assert.equal(solution.plan.bars.length, 6);
  assert.ok(solution.plan.bars.every((b) => Math.abs(b.durationSeconds - 2) < 1e-9), 'cuts on half bars');
  assert.deepEqual(solution.relaxations.map((r) => [r.relax, r.from, r.to]), [['granularity', 'bar', 'halfbar']]);
  assert.equal(solution.relaxations[0]!.message, 'used half-bars instead of bars: shots average 2.5 s, bars are 4.0 s (half-bars 2.0 s)');
  assert.match(solution.plan.diagnostics[0]!.message, /Relaxed: used half-bars instead of bars/);
  assertRules(solution.plan);

  // Forbidding it keeps today's typed error with its numbers.
  const refused = errorOf(() => solveMontage(musicInput(shots, [4, 4, 4], { relax: 'none' })));
  assert.equal(refused.code, 'AM_ERR_TOO_FEW_SHOTS');
  assert.match(refused.message, /needs 3 bars, .* has 0 usable shots .* holding only 0 bars/);
  assert.deepEqual(solution.relaxations[0]!.alternatives, [], 'nothing else makes a plan of bars');
});

test('a fixed unit moves to a finer one only when relax allows granularity', () => {
  const shots = [short(0), short(0), short(0), short(0)];
  const fixed = solveMontage(musicInput(shots, [4, 4], { relax: ['granularity'] }, 'bar'));
  assert.equal(fixed.granularity.unit, 'halfbar');
  assert.equal(fixed.granularity.requested, 'bar');
  assertRules(fixed.plan);
  assert.equal(errorOf(() => solveMontage(musicInput(shots, [4, 4], { relax: ['scenes', 'trim'] }, 'bar'))).code, 'AM_ERR_TOO_FEW_SHOTS');
});

test('a plan that needs two relaxations gets both, with a notice each', () => {
  // Bars of 4 s hold none of the 2.5 s shots, and one scene (three shots) holds only three of six half bars.
  const shots = [short(0), short(0), short(0), short(1), short(1), short(1)];
  const solution = solveMontage(musicInput(shots, [4, 4, 4], { maxScenes: 1, relax: 'auto' }, 'bar'));
  assert.deepEqual(solution.relaxations.map((r) => r.relax), ['granularity', 'scenes']);
  assert.equal(solution.relaxations[1]!.message, 'allowed 2 scenes instead of 1');
  assert.equal(solution.plan.options.maxScenes, 2);
  assert.equal(solution.plan.bars.length, 6);
  assertRules(solution.plan);
  // Undoing the scenes relaxation leaves a shorter montage on half bars.
  assert.deepEqual(solution.relaxations[1]!.alternatives, ['granularity', 'music']);
});

test('music longer than the footage ends the montage early, saying by how much', () => {
  const solution = solveMontage(musicInput([long(0), long(0)], [2, 2, 2, 2, 2, 2, 2, 2], { relax: 'auto' }));
  assert.deepEqual(solution.relaxations.map((r) => r.relax), ['music']);
  assert.equal(solution.plan.bars.length, 4);
  assert.equal(solution.relaxations[0]!.message, 'ended the montage after 4 of 8 bars (music at 8.00 s instead of 16.00 s: 8.00 s shorter)');
  assertRules(solution.plan);
});

test('tempo sections start where the bar length changes by more than 15 % and last at least four bars', () => {
  const bars = (seconds: number[]): Bar[] => {
    let t = 0;
    return seconds.map((s, index) => {
      const bar = { index, startSeconds: t, durationSeconds: s, beatsPerBar: 4, tempoBpm: 240 / s };
      t += s;
      return bar;
    });
  };
  assert.deepEqual(musicSections(bars([2, 2.1, 2, 2, 1, 1, 1, 1, 1])), [{ firstBar: 0, barCount: 4 }, { firstBar: 4, barCount: 5 }]);
  // A single odd bar (tracker noise) joins its section.
  assert.deepEqual(musicSections(bars([2, 2, 2, 2, 3, 2, 2, 2])), [{ firstBar: 0, barCount: 8 }]);
  // 3/4 bars split 2 + 1 on half bars; a layout gives each section its own unit.
  const grid = { bars: bars([3, 3]), beatTimes: [0, 1, 2, 3, 4, 5] };
  assert.deepEqual(cutUnits(grid, 'halfbar').units.map((u) => [u.startSeconds, u.durationSeconds]), [[0, 2], [2, 1], [3, 2], [5, 1]]);
  const mixed = layoutUnits(grid, [{ firstBar: 0, barCount: 1, unit: 'bar' }, { firstBar: 1, barCount: 1, unit: 'beat' }]);
  assert.deepEqual(mixed.units.map((u) => u.durationSeconds), [3, 1, 1, 1]);
  assert.deepEqual(mixed.barOfUnit, [[0], [1], [1], [1]]);
});

test('where the tempo doubles, auto weighs one unit per section and cuts on it', () => {
  // Four slow bars (4 s) and four fast ones (2 s); 2.5 s shots: half bars fit the slow part, bars the fast one.
  const shots = Array.from({ length: 12 }, (_, i) => short(Math.floor(i / 6)));
  const input = musicInput(shots, [4, 4, 4, 4, 2, 2, 2, 2], { maxScenes: 2 });
  const solution = solveMontage(input);
  // No single unit fills it (bars are too long for the shots in the slow part, half bars too many in the fast one).
  assert.equal(solution.granularity.unit, 'mixed');
  assert.deepEqual(solution.granularity.sections.map((s) => [s.unit, s.startSeconds, s.endSeconds, s.unitSeconds]), [['halfbar', 0, 16, 2], ['bar', 16, 24, 2]]);
  assert.deepEqual(solution.plan.bars.map((b) => b.durationSeconds), Array(12).fill(2), 'cuts every 2 s in both sections');
  assert.equal(solution.relaxations[0]!.relax, 'granularity');
  assertRules(solution.plan);
});

test('a pin shorter than a bar leaves the bar out of the choice, and cutting finer is the notice', () => {
  const shots = [long(0), short(0), long(0), long(1)];
  const solution = solveMontage(musicInput(shots, [4, 4, 4], { pins: [1] }));
  assert.equal(solution.granularity.candidates.some((c) => c.unit === 'bar'), false);
  assert.deepEqual(solution.relaxations.map((r) => [r.relax, r.from]), [['granularity', 'bar']]);
  assert.ok(solution.plan.placements.some((p) => p.shotIndex === 1), 'the pinned shot is used');
  assertRules(solution.plan);
  // Without the granularity relaxation the pin's own error stands.
  assert.equal(errorOf(() => solveMontage(musicInput(shots, [4, 4, 4], { pins: [1], relax: 'none' }))).code, 'AM_ERR_PLAN_CONSTRAINTS');
});

test('auto keeps the bar unless another unit scores more than 10 % better per cut', () => {
  let barKept = 0;
  let otherWon = 0;
  for (let seed = 1; seed <= 12; seed++) {
    // Long shots (hold bars) and short ones (hold only half bars) with scores that vary by seed.
    const shots = Array.from({ length: 10 }, (_, i) => (i % 3 === seed % 3 ? short(i >> 2, 0.3 + ((seed * 7 + i) % 5) / 5) : long(i >> 2, 0.3 + ((seed * 3 + i) % 4) / 6)));
    const solution = solveMontage(musicInput(shots, [4, 4, 4], { maxScenes: 3 }));
    const perCut = new Map(solution.granularity.candidates.filter((c) => c.scorePerCut !== undefined).map((c) => [c.unit, c.scorePerCut!]));
    const bar = perCut.get('bar');
    if (bar === undefined) continue;
    const chosen = perCut.get(solution.granularity.unit)!;
    if (solution.granularity.unit === 'bar') {
      barKept++;
      assert.ok([...perCut.values()].every((value) => value <= bar * 1.1 + 1e-3), `seed ${seed}: a unit over 110 % of the bar's lost`);
    } else {
      otherWon++;
      assert.ok(chosen > bar * 1.1 - 1e-3, `seed ${seed}: ${solution.granularity.unit} ${chosen} won against bar ${bar}`);
    }
    assertRules(solution.plan);
  }
  assert.ok(barKept > 0, 'some inputs keep the bar');
});
