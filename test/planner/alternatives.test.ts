import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slotAlternatives } from '../../companion/planner/alternatives';
import { solvePlan } from '../../companion/planner/index';
import { makeInput } from './make-input';

// Six shots of 2 s (48 frames at 24 fps) in two scenes; three 2 s bars.
const shots = [
  { frames: 48, scene: 0, score: 0.9 },
  { frames: 48, scene: 0, score: 0.2 },
  { frames: 24, scene: 0, score: 0.99 }, // too short for a bar
  { frames: 48, scene: 0, score: 0.5 },
  { frames: 48, scene: 1, score: 0.8 },
  { frames: 48, scene: 1, score: 0.7 },
];

test('each slot lists the unused shots that fit its length, between its neighbours in story order, best first', () => {
  const input = makeInput({ shots, barSeconds: [2, 2, 2], options: { maxScenes: 2, trim: false, arc: false, pins: [0, 3, 4], bans: [] } });
  const plan = solvePlan(input);
  assert.deepEqual(plan.placements.map((p) => p.shotIndex), [0, 3, 4]);
  const alternatives = slotAlternatives(input, plan, [[0], [1], [2]]);
  // Slot 0 (before shot 3): shot 1 (shot 2 is too short); slot 1 (between shots 0 and 4): shot 1 again;
  // slot 2 (after shot 3): shot 5.
  assert.deepEqual(alternatives.map((list) => list.map((a) => a.shot)), [[1], [1], [5]]);
  assert.equal(alternatives[2]![0]!.score, 0.7);
});

test('in hard mode a substitute may not add a scene beyond the limit, and banned shots are never offered', () => {
  const input = makeInput({ shots, barSeconds: [2, 2], options: { maxScenes: 1, trim: false, arc: false, pins: [0, 1], bans: [3] } });
  const plan = solvePlan(input);
  assert.deepEqual(plan.placements.map((p) => p.shotIndex), [0, 1]);
  const alternatives = slotAlternatives(input, plan, [[0], [1]]);
  // After shot 0 only shots of scene 0 may come in: 3 is banned, 2 too short; shots 4 and 5 would be a second scene.
  assert.deepEqual(alternatives[1]!.map((a) => a.shot), []);
  const soft = slotAlternatives({ ...input, options: { ...input.options, mode: 'soft' } }, plan, [[0], [1]]);
  assert.deepEqual(soft[1]!.map((a) => a.shot), [4, 5]);
});

test('with bar scores, substitutes are ranked by their fit to the bars under the slot', () => {
  // Shot 5 fits bar 1 best, shot 4 fits bar 0 best.
  const barScores = [0.5, 0.5, 0.1, 0.1, 0.9, 0.9, 0.5, 0.5, 0.9, 0.1, 0.1, 0.95];
  const input = makeInput({ shots, barSeconds: [2, 2], barScores, options: { maxScenes: 2, trim: false, arc: true, pins: [0, 1], bans: [] } });
  const plan = solvePlan(input);
  const alternatives = slotAlternatives(input, plan, [[0], [1]]);
  assert.deepEqual(alternatives[1]!.map((a) => [a.shot, a.score]), [[5, 0.95], [3, 0.5], [4, 0.1]]);
});
