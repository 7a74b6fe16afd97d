/**
 * The soft kernel's branch and bound against the same DP with every state kept: on movie-like inputs of a few
 * hundred shots (where the bound drops most states), with mixed scene sizes (weights 1..scale), trimming, arc
 * matching, real bar durations and pins, the bounded solve returns bit for bit the same optimum, the same plan,
 * and the same best value for every shorter fill; and the Lagrangian bound brackets the optimum.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlanInput } from '../../companion/core/montage';
import { preparePlan } from '../../companion/planner/prepare-plan';
import { lagrangeBound, solveSoftKnapsack, solveSoftKnapsackFull } from '../../companion/planner/soft-scene-knapsack';
import { makeInput, type ShotSpec } from './make-input';
import { random } from '../support/random';


/** A movie-like input: scenes of 1–30 shots, log-normal shot lengths, ~2 s bars drifting, scene moods. */
function movieInput(seed: number): PlanInput {
  const next = random(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const shotCount = 150 + Math.floor(next() * 250);
  const barCount = 20 + Math.floor(next() * 40);
  const shots: ShotSpec[] = [];
  let scene = 0;
  while (shots.length < shotCount) {
    const size = next() < 0.2 ? 1 + Math.floor(next() * 4) : 5 + Math.floor(next() * 26);
    const mood = next();
    for (let s = 0; s < size && shots.length < shotCount; s++) {
      shots.push({ frames: Math.max(6, Math.round(84 * Math.exp(0.8 * gaussian()))), scene, score: Math.min(1, Math.max(0, 0.7 * mood + 0.3 * next())) });
    }
    scene++;
  }
  const barSeconds = Array.from({ length: barCount }, (_, k) => 2 * (1 + 0.03 * Math.sin(k / 7)));
  const arc = next() < 0.4;
  const barScores = arc ? Array.from({ length: shotCount * barCount }, () => next()) : undefined;
  const pins = next() < 0.3 ? [Math.floor(next() * shotCount)] : [];
  return makeInput({
    shots,
    barSeconds,
    barScores,
    options: {
      mode: 'soft',
      maxScenes: 2 + Math.floor(next() * 6),
      softScale: [1, 4, 12, 12, 30][Math.floor(next() * 5)]!,
      trim: next() < 0.7,
      arc,
      pins,
    },
  });
}

test('The bounded soft solve equals the full table: same optimum, same plan, same shorter fills', () => {
  let bounded = 0;
  let solved = 0;
  let retried = 0;
  for (let seed = 1; seed <= 24; seed++) {
    let plan;
    try {
      plan = preparePlan(movieInput(seed));
    } catch {
      continue; // a pin the instance cannot hold
    }
    const L = plan.barCount;
    const fast = solveSoftKnapsack(plan);
    const full = solveSoftKnapsackFull(plan);
    assert.ok(Object.is(fast.best(L), full.best(L)), `seed ${seed}: optimum ${fast.best(L)} vs ${full.best(L)}`);
    if (full.best(L) > -Infinity) {
      solved++;
      assert.deepEqual(fast.backtrack(L), full.backtrack(L), `seed ${seed}: the same plan`);
    }
    for (let j = 1; j < L; j += 7) assert.ok(Object.is(fast.best(j), full.best(j)), `seed ${seed}: best fill of ${j} bars`);
    const bound = lagrangeBound(plan);
    if (bound) {
      bounded++;
      // A first floor above the optimum makes the pruned table come up short: the next floor must be tried.
      if (bound.floors[0]! > full.best(L) + bound.margin) retried++;
    }
  }
  assert.ok(solved >= 12, `${solved} instances had an exact fill`);
  assert.ok(bounded >= 12, `${bounded} instances went through the bound`);
  assert.ok(retried >= 1, `${retried} instances had to fall back to a lower floor`);
});

test('The Lagrangian bound brackets the optimum: its last floor is a real plan, its first at most min D', () => {
  let checked = 0;
  let tight = 0;
  for (let seed = 100; seed < 112; seed++) {
    let plan;
    try {
      plan = preparePlan(movieInput(seed));
    } catch {
      continue;
    }
    const bound = lagrangeBound(plan);
    const optimum = solveSoftKnapsackFull(plan).best(plan.barCount);
    if (!bound) {
      assert.equal(optimum, -Infinity, `seed ${seed}: no bound only when nothing fits`);
      continue;
    }
    checked++;
    assert.ok(bound.lambda >= 0);
    const floors = bound.floors;
    assert.ok(floors.length >= 1);
    for (let k = 1; k < floors.length; k++) assert.ok(floors[k]! <= floors[k - 1]!, 'floors descend');
    // The last floor is the value of a plan within the budget, so it cannot exceed the optimum.
    assert.ok(floors[floors.length - 1]! <= optimum + bound.margin, `seed ${seed}: floor ${floors[floors.length - 1]} ≤ optimum ${optimum}`);
    // The completion table is the one at λ: D(λ) = completion from shot 0, bar 0 + λ·budget bounds the optimum
    // from above (weak duality), and no floor lies above it.
    assert.ok(bound.margin > 0);
    const dual = bound.completion[0]! + bound.lambda * plan.softBudget;
    assert.ok(dual >= optimum - bound.margin, `seed ${seed}: D(λ) ${dual} ≥ optimum ${optimum}`);
    assert.ok(floors[0]! <= dual + bound.margin, `seed ${seed}: first floor ${floors[0]} ≤ D(λ) ${dual}`);
    if (dual - optimum <= bound.margin) tight++;
  }
  assert.ok(checked >= 6, `${checked} instances checked`);
  // The point of the bound: on movie-like inputs the duality gap is usually nil, so nearly every state is pruned.
  assert.ok(tight * 2 >= checked, `${tight} of ${checked} bounds equal the optimum`);
});
