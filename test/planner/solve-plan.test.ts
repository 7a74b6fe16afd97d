import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MontageError } from '../../companion/core/errors';
import type { MontagePlan, PlanInput } from '../../companion/core/montage';
import { rate } from '../../companion/core/rational';
import { lockRange, solvePlan, suggestRelaxations, type ShortfallDetails } from '../../companion/planner/index';
import { makeInput, type ShotSpec } from './make-input';

/** 24 fps, 2-second bars = 48 frames each. */
const SIX_SHOTS: ShotSpec[] = [
  { frames: 48, scene: 0, score: 0.9 }, // t = 1, p = 0.9 + 0.5 = 1.4
  { frames: 96, scene: 0, score: 0.1 }, // t = 2, p = 0.6
  { frames: 48, scene: 1, score: 0.5 }, // t = 1, p = 0.5 + 0.55 = 1.05
  { frames: 100, scene: 1, score: 0.6 }, // t = 2, p = 1.15
  { frames: 30, scene: 2, score: 1.0 }, // shorter than a bar: never used
  { frames: 50, scene: 2, score: 0.2 }, // t = 1, p = 0.2 + 0.6 = 0.8
];

function summary(plan: MontagePlan): [number, number, number][] {
  return plan.placements.map((p) => [p.shotIndex, p.firstBar, p.barCount]);
}

function close(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≈ ${expected}`);
}

function errorOf(fn: () => unknown): MontageError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof MontageError, String(error));
    return error;
  }
  assert.fail('expected a MontageError');
}

test('hard mode picks the best shots of at most N_e scenes, in story order, at their bar frames', () => {
  const plan = solvePlan(makeInput({ shots: SIX_SHOTS, barSeconds: [2, 2, 2, 2], options: { maxScenes: 2, trimAlign: 'centre' } }));
  // Scenes 0 and 1: shot 0 (1 bar) + shot 2 (1 bar) + shot 3 (2 bars) = 1.4 + 1.05 + 1.15.
  assert.deepEqual(summary(plan), [[0, 0, 1], [2, 1, 1], [3, 2, 2]]);
  close(plan.totalScore, 3.6);
  assert.deepEqual(plan.placements.map((p) => [p.recordRange.start.value, p.recordRange.duration.value]), [[0, 48], [48, 48], [96, 96]]);
  // Shot 3 starts at frame 192 and lasts 100 frames; its 96-frame window is centred: 2 frames in.
  assert.deepEqual(plan.placements.map((p) => p.sourceRange.start.value), [0, 144, 194]);
  close(plan.shots[3]!.score, 1.15);
  assert.deepEqual(plan.music, { path: '/music/music.wav', startSeconds: 0, endSeconds: 8 });
  assert.equal(plan.schema, 'MontagePlan.1');
});

test('trimAlign start keeps the head of a shot, as in the paper', () => {
  const plan = solvePlan(makeInput({ shots: SIX_SHOTS, barSeconds: [2, 2, 2, 2], options: { maxScenes: 2, trimAlign: 'start' } }));
  assert.equal(plan.placements[2]!.sourceRange.start.value, 192);
});

test('hard mode takes the best over k ≤ N_e scenes, not exactly N_e', () => {
  const shots: ShotSpec[] = [
    { frames: 96, scene: 0, score: 1.0 }, // p = 2.0, fills both bars alone
    { frames: 48, scene: 1, score: 0.1 }, // p = 0.2
    { frames: 48, scene: 2, score: 0.1 }, // p = 0.2
  ];
  const plan = solvePlan(makeInput({ shots, barSeconds: [2, 2], options: { maxScenes: 2 } }));
  assert.deepEqual(summary(plan), [[0, 0, 2]]);
  close(plan.totalScore, 2);
});

test('soft mode spends a weight budget of max(1, floor(scale / |scene|)) per shot and may touch more scenes', () => {
  // Two scenes of 4 one-bar shots: weight 12 / 4 = 3 each, budget 1 × 12 = 12 buys any four shots.
  const shots: ShotSpec[] = [1, 0, 0, 0, 1, 0, 0, 0].map((score, i) => ({ frames: 48, scene: i < 4 ? 0 : 1, score }));
  const input = makeInput({ shots, barSeconds: [2, 2, 2, 2], options: { maxScenes: 1 } });
  const hard = solvePlan(input);
  close(hard.totalScore, 1.25 + 0.25 * 3);
  const soft = solvePlan({ ...input, options: { ...input.options, mode: 'soft' } });
  // Shots 0 and 4 (p = 1.25 each) plus two more (0.25 each), across both scenes.
  close(soft.totalScore, 3);
  assert.deepEqual(soft.placements.map((p) => p.shotIndex).filter((i) => i === 0 || i === 4), [0, 4]);
  assert.equal(new Set(soft.placements.map((p) => p.sceneIndex)).size, 2);
  // At scale 3 a shot weighs max(1, floor(3 / 4)) = 1 and the budget of 3 buys only three one-bar shots.
  const tight = errorOf(() => solvePlan({ ...input, options: { ...input.options, mode: 'soft', softScale: 3 } }));
  assert.equal(tight.code, 'AM_ERR_NO_EXACT_FILL');
});

test('arc matching scores a shot by the music under the bars it lands on', () => {
  const shots: ShotSpec[] = [
    { frames: 48, scene: 0, score: 0.5 },
    { frames: 48, scene: 0, score: 0.5 },
    { frames: 48, scene: 0, score: 0.4 },
  ];
  // M(shot, bar), row-major: A fits bar 0, C fits bar 1.
  const barScores = [0.9, 0.1, 0.8, 0.2, 0.1, 0.7];
  const input = makeInput({ shots, barSeconds: [2, 2], barScores });
  assert.deepEqual(summary(solvePlan(input)), [[0, 0, 1], [1, 1, 1]]);
  const arc = solvePlan({ ...input, options: { ...input.options, arc: true } });
  assert.deepEqual(summary(arc), [[0, 0, 1], [2, 1, 1]]);
  const sceneMean = 1.4 / 3;
  close(arc.totalScore, 2 * sceneMean + 0.9 + 0.7);
  assert.equal(arc.options.arc, true);
});

test('arc matching without per-bar scores falls back to the whole-track score', () => {
  const plan = solvePlan(makeInput({ shots: SIX_SHOTS, barSeconds: [2, 2, 2, 2], options: { maxScenes: 2, arc: true } }));
  assert.equal(plan.options.arc, false);
  close(plan.totalScore, 3.6);
});

test('trimming lets a long shot fill fewer bars for its share of the score', () => {
  const shots: ShotSpec[] = [
    { frames: 48, scene: 0, score: 0.8 }, // t = 2 at 1-second bars, p = 1.4
    { frames: 50, scene: 0, score: 0.4 }, // t = 2, p = 1.0
  ];
  const input = makeInput({ shots, barSeconds: [1, 1, 1] });
  assert.equal(errorOf(() => solvePlan(input)).code, 'AM_ERR_NO_EXACT_FILL');
  const plan = solvePlan({ ...input, options: { ...input.options, trim: true, trimAlign: 'start' } });
  // Shot 0 whole (1.4) + half of shot 1 (0.5) beats half of shot 0 (0.7) + shot 1 whole (1.0).
  assert.deepEqual(summary(plan), [[0, 0, 2], [1, 2, 1]]);
  close(plan.totalScore, 1.9);
  assert.equal(plan.placements[1]!.sourceRange.start.value, 48);
});

test('a trimmed window sits where the shot profile is highest, or centred without one', () => {
  const shots: ShotSpec[] = [
    { frames: 48, scene: 0, score: 0.8 },
    { frames: 50, scene: 0, score: 0.4 },
  ];
  const profile = Array.from({ length: 50 }, (_, s) => (s >= 40 ? 1 : 0));
  const input = makeInput({ shots, barSeconds: [1, 1, 1], options: { trim: true }, shotProfiles: [undefined, profile] });
  // Shot 1 starts at frame 48; the 24-frame window ending at its last frame covers all ten strong samples.
  assert.equal(solvePlan(input).placements[1]!.sourceRange.start.value, 48 + 26);
  const centred = solvePlan({ ...input, options: { ...input.options, trimAlign: 'centre' } });
  assert.equal(centred.placements[1]!.sourceRange.start.value, 48 + 13);
});

test('a shot covers bars only if it lasts as long as their real total', () => {
  // Bars of 1, 1.5 and 1 s at 24 fps: boundaries 0, 24, 60, 84; the unit is 28 frames.
  const input = makeInput({
    shots: [
      { frames: 30, scene: 0, score: 0.5 },
      { frames: 40, scene: 0, score: 0.5 },
      { frames: 30, scene: 0, score: 0.5 },
    ],
    barSeconds: [1, 1.5, 1],
  });
  const plan = solvePlan(input);
  assert.deepEqual(plan.placements.map((p) => [p.recordRange.start.value, p.recordRange.duration.value]), [[0, 24], [24, 36], [60, 24]]);
  // 35 frames cannot hold the 36-frame middle bar, and the 30-frame shots cannot either.
  const short = { ...input, shots: input.shots.map((s, i) => (i === 1 ? { ...s, range: { ...s.range, duration: { ...s.range.duration, value: 35 } } } : s)) };
  assert.equal(errorOf(() => solvePlan(short)).code, 'AM_ERR_NO_EXACT_FILL');
});

test('cuts land on the frame nearest each real bar time, with no drift over hundreds of bars', () => {
  const fps = 30000 / 1001;
  const barSeconds = Array.from({ length: 300 }, (_, k) => 1.9 + 0.05 * Math.sin(k / 7));
  const shots: ShotSpec[] = Array.from({ length: 300 }, () => ({ frames: 70, scene: 0, score: 0.5 }));
  const input = makeInput({ shots, barSeconds, rate: rate(30000, 1001), musicStartSeconds: 3.3, options: { maxScenes: 1 } });
  const plan = solvePlan(input);
  assert.equal(plan.placements.length, 300);
  for (const p of plan.placements) {
    const exact = (input.bars[p.firstBar]!.startSeconds - 3.3) * fps;
    assert.ok(Math.abs(p.recordRange.start.value - exact) <= 0.5, `bar ${p.firstBar}: ${p.recordRange.start.value} vs ${exact}`);
  }
  const last = plan.placements[299]!;
  const end = (input.bars[299]!.startSeconds + input.bars[299]!.durationSeconds - 3.3) * fps;
  assert.ok(Math.abs(last.recordRange.start.value + last.recordRange.duration.value - end) <= 0.5);
});

test('bans keep a shot out and pins force one in', () => {
  const input = makeInput({ shots: SIX_SHOTS, barSeconds: [2, 2, 2, 2], options: { maxScenes: 2 } });
  const banned = solvePlan({ ...input, options: { ...input.options, bans: [0] } });
  // Without shot 0, scene 0 only offers shot 1 (2 bars, 0.6); best: shot 2 + shot 3 + shot 5 = 1.05 + 1.15 + 0.8.
  assert.deepEqual(summary(banned), [[2, 0, 1], [3, 1, 2], [5, 3, 1]]);
  close(banned.totalScore, 3.0);
  const pinned = solvePlan({ ...input, options: { ...input.options, pins: [1] } });
  // Shot 1 takes 2 bars; the best 2 more within one more scene: shot 0 (1.4, same scene) + shot 2 (1.05) beats shot 3 (1.15).
  assert.deepEqual(summary(pinned), [[0, 0, 1], [1, 1, 2], [2, 3, 1]]);
  close(pinned.totalScore, 3.05);
});

test('contradicting pins and bans are reported as AM_ERR_PLAN_CONSTRAINTS with every problem listed', () => {
  const input = makeInput({ shots: SIX_SHOTS, barSeconds: [2, 2, 2, 2], options: { maxScenes: 2 } });
  const both = errorOf(() => solvePlan({ ...input, options: { ...input.options, pins: [0, 4, 9], bans: [0] } }));
  assert.equal(both.code, 'AM_ERR_PLAN_CONSTRAINTS');
  const messages = both.diagnostics.map((d) => d.message).join('\n');
  assert.match(messages, /shot 0 is both pinned and banned/);
  assert.match(messages, /pinned shot 4 lasts 30 frames, shorter than one bar/);
  assert.match(messages, /options\.pins\[2\] = 9 is not a shot index/);
  const scenes = errorOf(() => solvePlan({ ...input, options: { ...input.options, pins: [0, 2, 5] } }));
  assert.equal(scenes.code, 'AM_ERR_PLAN_CONSTRAINTS');
  assert.match(scenes.message, /3 scenes but at most 2/);
  // Pins 1 and 3 need 4 bars in 2 scenes, which fits; pins 1, 3 and 0 need 5 bars.
  const bars = errorOf(() => solvePlan({ ...input, options: { ...input.options, pins: [0, 1, 3] } }));
  assert.match(bars.message, /at least 5 bars but there are only 4/);
});

test('pins that no exact fill can include are told apart from music that cannot be filled at all', () => {
  const shots: ShotSpec[] = [
    { frames: 96, scene: 0, score: 0.5 },
    { frames: 96, scene: 0, score: 0.5 },
    { frames: 48, scene: 1, score: 0.9 },
  ];
  const input = makeInput({ shots, barSeconds: [2, 2, 2, 2], options: { maxScenes: 1 } });
  assert.deepEqual(summary(solvePlan(input)), [[0, 0, 2], [1, 2, 2]]);
  // Pinning shot 2 forces scene 1, which alone holds 1 bar of 4.
  const error = errorOf(() => solvePlan({ ...input, options: { ...input.options, pins: [2] } }));
  assert.equal(error.code, 'AM_ERR_PLAN_CONSTRAINTS');
  assert.match(error.message, /The 1 pinned or locked shot cannot be part of any exact fill of 4 bars with at most 1 scene; without them the bars can be filled/);
  // Without the pin but with scene 0's shots banned, nothing fills the bars: that is no exact fill.
  const none = errorOf(() => solvePlan({ ...input, options: { ...input.options, bans: [0] } }));
  assert.equal(none.code, 'AM_ERR_NO_EXACT_FILL');
});

test('locked placements of an earlier plan are kept exactly when re-solving', () => {
  const input = makeInput({ shots: SIX_SHOTS, barSeconds: [2, 2, 2, 2], options: { maxScenes: 2, trimAlign: 'start' } });
  const first = solvePlan(input);
  const locked = lockRange(first, 2, 1); // bar 2 lies in shot 3's placement (bars 2–3)
  assert.deepEqual(locked, [{ shotIndex: 3, firstBar: 2, barCount: 2, sourceStart: 192 }]);
  // Re-solve centred, with shot 0 banned: shot 3 keeps its bars and its source window.
  const second = solvePlan({ ...input, options: { ...input.options, trimAlign: 'centre', bans: [0], locked } });
  const kept = second.placements.find((p) => p.shotIndex === 3)!;
  assert.deepEqual([kept.firstBar, kept.barCount, kept.sourceRange.start.value], [2, 2, 192]);
  assert.deepEqual(summary(second), [[1, 0, 2], [3, 2, 2]]);
  // A lock that overlaps another is a contradiction.
  const overlap = errorOf(() => solvePlan({ ...input, options: { ...input.options, locked: [...locked, { shotIndex: 5, firstBar: 3, barCount: 1 }] } }));
  assert.equal(overlap.code, 'AM_ERR_PLAN_CONSTRAINTS');
  assert.match(overlap.message, /overlap at bar 3/);
});

test('no exact fill says why in numbers and offers the nearest relaxations', () => {
  // Ten bars; every scene holds at most 3 bars of usable shots.
  const shots: ShotSpec[] = [
    { frames: 48, scene: 0, score: 0.9 },
    { frames: 96, scene: 0, score: 0.5 },
    { frames: 48, scene: 1, score: 0.4 },
    { frames: 48, scene: 1, score: 0.4 },
    { frames: 96, scene: 2, score: 0.3 },
    { frames: 20, scene: 2, score: 0.9 },
    { frames: 144, scene: 3, score: 0.2 },
  ];
  const input = makeInput({ shots, barSeconds: Array(10).fill(2), options: { maxScenes: 1 } });
  const error = errorOf(() => solvePlan(input));
  assert.equal(error.code, 'AM_ERR_NO_EXACT_FILL');
  assert.match(error.message, /^10 bars needed; the best 1 scene holds 3 bars of usable shots\./);
  const details = error.details as unknown as ShortfallDetails;
  assert.equal(details.barsNeeded, 10);
  assert.equal(details.barsAvailable, 3);
  assert.equal(details.closestFill, 3);
  assert.equal(details.scenesNeeded, 4);
  assert.deepEqual(details.suggestions.map((s) => s.relax), ['scenes', 'music']);
  assert.match(error.message, /allow 4 scenes; or end the montage after bar 3 \(music at 6\.00 s\)/);
  assert.deepEqual(suggestRelaxations(input), details.suggestions);

  const music = solvePlan({ ...input, options: { ...input.options, relax: 'music' } });
  assert.equal(music.bars.length, 3);
  assert.equal(music.music.endSeconds, 6);
  assert.equal(music.placements.reduce((n, p) => n + p.barCount, 0), 3);
  assert.equal(music.diagnostics[0]!.code, 'AM_ERR_NO_EXACT_FILL');
  const scenes = solvePlan({ ...input, options: { ...input.options, relax: 'auto' } });
  assert.equal(scenes.options.maxScenes, 4);
  assert.equal(scenes.placements.reduce((n, p) => n + p.barCount, 0), 10);
  assert.match(scenes.diagnostics[0]!.message, /Relaxed: allowed 4 scenes instead of 1$/);
});

test('relax auto tries trimming first when it is off', () => {
  const shots: ShotSpec[] = [
    { frames: 48, scene: 0, score: 0.8 },
    { frames: 50, scene: 0, score: 0.4 },
  ];
  const input = makeInput({ shots, barSeconds: [1, 1, 1] });
  const error = errorOf(() => solvePlan(input));
  assert.deepEqual((error.details as unknown as ShortfallDetails).suggestions.map((s) => s.relax), ['trim', 'music']);
  const plan = solvePlan({ ...input, options: { ...input.options, relax: 'auto' } });
  assert.equal(plan.options.trim, true);
  close(plan.totalScore, 1.9);
  assert.equal(plan.diagnostics[0]!.code, 'AM_ERR_NO_EXACT_FILL');
  assert.match(plan.diagnostics[0]!.message, /Relaxed: let long shots fill fewer bars \(trimming\): 1 of 2 shots are cut shorter$/);
  // The relaxed plan is the plan of the same input solved with trimming on.
  const trimmed = solvePlan({ ...input, options: { ...input.options, trim: true } });
  assert.deepEqual(summary(plan), summary(trimmed));
  assert.deepEqual(plan.placements, trimmed.placements);
  assert.deepEqual(solvePlan({ ...input, options: { ...input.options, relax: 'trim' } }).placements, trimmed.placements);
});

test('bad input is rejected with the field it concerns', () => {
  const input = makeInput({ shots: SIX_SHOTS, barSeconds: [2, 2] });
  const scores = errorOf(() => solvePlan({ ...input, shotScores: [1, 2] }));
  assert.equal(scores.code, 'AM_ERR_INVALID_ARGUMENT');
  assert.equal(scores.where?.field, 'shotScores');
  const scenes = errorOf(() => solvePlan({ ...input, scenes: input.scenes.slice(1) }));
  assert.equal(scenes.code, 'AM_ERR_INVALID_ARGUMENT');
  assert.match(scenes.diagnostics.map((d) => d.message).join('\n'), /scenes must be contiguous/);
  const nan = errorOf(() => solvePlan({ ...input, shotScores: input.shotScores.map((s, i) => (i === 2 ? Number.NaN : s)) }));
  assert.equal(nan.where?.field, 'shotScores[2]');
  const grid = errorOf(() => solvePlan({ ...input, barScores: { shots: 6, bars: 3, values: Array(18).fill(0) }, options: { ...input.options, arc: true } }));
  assert.equal(grid.where?.field, 'barScores');
  assert.equal(errorOf(() => solvePlan({ ...input, bars: [] })).code, 'AM_ERR_MUSIC_TOO_SHORT');
  assert.equal(errorOf(() => solvePlan({ ...input, shots: [], scenes: [], shotScores: [] })).code, 'AM_ERR_TOO_FEW_SHOTS');
  assert.equal(errorOf(() => solvePlan({ ...input, options: { ...input.options, maxScenes: 0 } })).where?.field, 'options.maxScenes');
});

test('the same input always gives the same plan, and the plan survives JSON', () => {
  const input: PlanInput = makeInput({ shots: SIX_SHOTS, barSeconds: [2, 2, 2, 2], options: { maxScenes: 3, trim: true, mode: 'soft' } });
  const first = solvePlan(input);
  assert.deepEqual(solvePlan(input), first);
  assert.deepEqual(JSON.parse(JSON.stringify(first)), first);
});
