/**
 * The planner against exhaustive search: on hundreds of random small instances (≤ 14 shots, random scenes,
 * lengths, bar durations, scores, pins, bans and locks), in every mode (hard/soft × trimming × arc matching), the
 * solver's optimum equals the best plan found by enumerating every story-ordered choice of shots and bar counts,
 * every plan it returns satisfies every constraint, and when no plan exists it says so with the right figures.
 * The reference below is written from the rules in docs (method.md, shot-windows.ts) and shares no code with the solver.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MontageError } from '../../companion/core/errors';
import type { LockedPlacement, MontagePlan, PlanInput, PlanOptions } from '../../companion/core/montage';
import { rate as makeRate, type Rate } from '../../companion/core/rational';
import { solvePlan } from '../../companion/planner/index';
import { makeInput, type ShotSpec } from './make-input';
import { random } from '../support/random';


interface Model {
  readonly n: number;
  readonly L: number;
  readonly boundaries: number[];
  readonly frames: number[];
  readonly starts: number[];
  readonly lengths: number[];
  readonly scene: number[];
  readonly sceneSize: number[];
  readonly sceneMean: number[];
  readonly weighted: number[];
  readonly weights: number[];
  readonly budget: number;
  readonly banned: Set<number>;
  readonly required: Set<number>;
  readonly locks: Map<number, LockedPlacement>;
  readonly options: PlanOptions;
  readonly arc: boolean;
  readonly barScores: readonly number[] | undefined;
}

/** The rules, restated independently of the solver. */
function model(input: PlanInput): Model {
  const r: Rate = input.movie.rate;
  const L = input.bars.length;
  const first = input.bars[0]!.startSeconds;
  const last = input.bars[L - 1]!;
  const edges = [...input.bars.map((b) => b.startSeconds), last.startSeconds + last.durationSeconds];
  const boundaries = edges.map((s) => Math.round(((s - first) * r.num) / r.den));
  const unit = boundaries[L]! / L;
  const n = input.shots.length;
  const frames = input.shots.map((s) => s.range.duration.value);
  const starts = input.shots.map((s) => s.range.start.value);
  const scene = input.shots.map((s) => s.sceneIndex);
  const sceneSize = input.scenes.map((s) => s.shotCount);
  const sceneMean = input.scenes.map((s) => input.shotScores.slice(s.firstShot, s.firstShot + s.shotCount).reduce((x, y) => x + y, 0) / s.shotCount);
  const options = input.options;
  const scale = options.softScale ?? 12;
  return {
    n,
    L,
    boundaries,
    frames,
    starts,
    lengths: frames.map((f) => Math.min(L, Math.floor(f / unit + 1e-9))),
    scene,
    sceneSize,
    sceneMean: scene.map((s) => sceneMean[s]!),
    weighted: input.shotScores.map((s, i) => s + sceneMean[scene[i]!]!),
    weights: scene.map((s) => Math.max(1, Math.floor(scale / sceneSize[s]!))),
    budget: options.maxScenes * scale,
    banned: new Set(options.bans),
    required: new Set([...options.pins, ...(options.locked ?? []).map((l) => l.shotIndex)]),
    locks: new Map((options.locked ?? []).map((l) => [l.shotIndex, l])),
    options,
    arc: options.arc && input.barScores !== undefined,
    barScores: input.barScores?.values as readonly number[] | undefined,
  };
}

function valueOf(m: Model, i: number, firstBar: number, count: number): number {
  const divisor = Math.max(1, m.lengths[i]!);
  if (!m.arc) return (m.weighted[i]! * count) / divisor;
  let sum = 0;
  for (let k = firstBar; k < firstBar + count; k++) sum += m.sceneMean[i]! + m.barScores![i * m.L + k]!;
  return sum / divisor;
}

/** Bar counts shot i may take starting at bar a. */
function choices(m: Model, i: number, a: number): number[] {
  if (m.banned.has(i)) return [];
  const lock = m.locks.get(i);
  const counts = lock ? (lock.firstBar === a ? [lock.barCount] : []) : m.lengths[i]! < 1 ? [] : m.options.trim ? Array.from({ length: m.lengths[i]! }, (_, x) => x + 1) : [m.lengths[i]!];
  return counts.filter((c) => a + c <= m.L && m.boundaries[a + c]! - m.boundaries[a]! <= m.frames[i]!);
}

interface Enumeration {
  /** best[j] = map from scene cost (scene count or weight) to the best value filling exactly j bars. */
  readonly best: Map<number, number>[];
}

/** Every story-ordered choice of shots and bar counts, with every required shot taken. */
function enumerate(m: Model): Enumeration {
  const best = Array.from({ length: m.L + 1 }, () => new Map<number, number>());
  const soft = m.options.mode === 'soft';
  const walk = (i: number, j: number, scenes: number, weight: number, value: number) => {
    if (i === m.n) {
      const cost = soft ? weight : bitCount(scenes);
      const previous = best[j]!.get(cost);
      if (previous === undefined || value > previous) best[j]!.set(cost, value);
      return;
    }
    if (!m.required.has(i)) walk(i + 1, j, scenes, weight, value);
    for (const count of choices(m, i, j)) walk(i + 1, j + count, scenes | (1 << m.scene[i]!), weight + m.weights[i]!, value + valueOf(m, i, j, count));
  };
  walk(0, 0, 0, 0, 0);
  return { best };
}

function bitCount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}

function limitOf(m: Model): number {
  return m.options.mode === 'soft' ? m.budget : m.options.maxScenes;
}

function bestWithin(e: Enumeration, j: number, limit: number): number | undefined {
  let top: number | undefined;
  for (const [cost, value] of e.best[j]!) if (cost <= limit && (top === undefined || value > top)) top = value;
  return top;
}

/** Checks every rule on a returned plan; returns its value recomputed from the rules. */
function checkPlan(m: Model, input: PlanInput, plan: MontagePlan, barLimit: number, limit: number): number {
  assert.equal(plan.bars.length, barLimit);
  assert.equal(plan.music.startSeconds, input.bars[0]!.startSeconds);
  assert.equal(plan.shots.length, m.n);
  plan.shots.forEach((s, i) => assert.ok(Math.abs(s.score - m.weighted[i]!) < 1e-12));
  let bar = 0;
  let previousShot = -1;
  let total = 0;
  const scenes = new Set<number>();
  let weight = 0;
  for (const p of plan.placements) {
    const i = p.shotIndex;
    assert.ok(i > previousShot, 'placements are in story order');
    previousShot = i;
    assert.equal(p.firstBar, bar, 'placements cover the bars back to back');
    assert.ok(choices(m, i, p.firstBar).includes(p.barCount), `shot ${i} may take ${p.barCount} bars at bar ${p.firstBar}`);
    const frames = m.boundaries[p.firstBar + p.barCount]! - m.boundaries[p.firstBar]!;
    assert.equal(p.recordRange.start.value, m.boundaries[p.firstBar], 'the cut sits at its bar time on the frame grid');
    assert.equal(p.recordRange.duration.value, frames);
    assert.equal(p.sourceRange.duration.value, frames, 'source and record lengths agree');
    assert.ok(p.sourceRange.start.value >= m.starts[i]! && p.sourceRange.start.value + frames <= m.starts[i]! + m.frames[i]!, 'the window lies inside the shot');
    const lock = m.locks.get(i);
    if (lock?.sourceStart !== undefined) assert.equal(p.sourceRange.start.value, lock.sourceStart);
    assert.equal(p.sceneIndex, m.scene[i]);
    const value = valueOf(m, i, p.firstBar, p.barCount);
    assert.ok(Math.abs(p.score - value) < 1e-9);
    total += value;
    scenes.add(m.scene[i]!);
    weight += m.weights[i]!;
    bar += p.barCount;
  }
  assert.equal(bar, barLimit, 'every bar is filled');
  for (const i of m.required) assert.ok(plan.placements.some((p) => p.shotIndex === i), `required shot ${i} is used`);
  if (m.options.mode === 'soft') assert.ok(weight <= limit, `weight ${weight} within ${limit}`);
  else assert.ok(scenes.size <= limit, `${scenes.size} scenes within ${limit}`);
  assert.ok(Math.abs(plan.totalScore - total) < 1e-9);
  return total;
}

function randomInstance(seed: number, combo: number): PlanInput {
  const next = random(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  const rate = pick([makeRate(24), makeRate(25), makeRate(30000, 1001)]);
  const L = 1 + Math.floor(next() * 11);
  const barBase = 0.5 + next() * 1.5;
  const drift = next() < 0.5 ? 0 : 0.15;
  const barSeconds = Array.from({ length: L }, () => barBase * (1 + drift * (2 * next() - 1)));
  const unitFrames = (barBase * rate.num) / rate.den;
  const n = 1 + Math.floor(next() * 14);
  let label = 0;
  const shots: ShotSpec[] = Array.from({ length: n }, (_, i) => {
    if (i > 0 && next() < 0.4) label++;
    const exact = next() < 0.2;
    // Some shots are long enough (t > 4) to take the solver's deque path when trimming.
    const units = next() < 0.12 ? 5 + next() * 6 : 0.3 + next() * 4.3;
    const frames = exact ? Math.max(1, Math.round(unitFrames * (1 + Math.floor(next() * 3)))) : Math.max(1, Math.round(unitFrames * units));
    const score = next() < 0.3 ? Math.round(next() * 4) / 4 : next();
    return { frames, scene: label, score };
  });
  const bans = Array.from({ length: n }, (_, i) => i).filter(() => next() < 0.08);
  const pins = Array.from({ length: n }, (_, i) => i).filter(() => next() < 0.07);
  const locked: LockedPlacement[] = [];
  if (next() < 0.15) {
    const i = Math.floor(next() * n);
    const firstBar = Math.floor(next() * L);
    const barCount = 1 + Math.floor(next() * Math.min(3, L - firstBar));
    locked.push({ shotIndex: i, firstBar, barCount });
  }
  const mode = combo & 1 ? 'soft' : 'hard';
  const trim = (combo & 2) !== 0;
  const arc = (combo & 4) !== 0;
  const barScores = arc ? Array.from({ length: n * L }, () => (next() < 0.3 ? Math.round(next() * 4) / 4 : next())) : undefined;
  return makeInput({
    shots,
    barSeconds,
    rate,
    musicStartSeconds: Math.floor(next() * 10) * 0.37,
    ...(barScores ? { barScores } : {}),
    options: { mode, trim, arc, maxScenes: 1 + Math.floor(next() * 4), softScale: pick([1, 2, 3, 4, 6, 12]), pins, bans, locked, trimAlign: pick(['start', 'centre', 'best'] as const) },
  });
}

const INSTANCES = 520;
const COMBOS = 8; // hard/soft × trimming off/on × arc off/on

test('on 520 random small instances in all 8 modes the solver finds the exhaustive optimum and every plan keeps every rule', (t) => {
  const counts = { solved: 0, noFill: 0, constraints: 0, relaxedMusic: 0, relaxedScenes: 0 };
  for (let seed = 1; seed <= INSTANCES; seed++) {
    for (let combo = 0; combo < COMBOS; combo++) {
      const input = randomInstance(seed * 7919 + combo, combo);
      const m = model(input);
      const e = enumerate(m);
      const limit = limitOf(m);
      const optimum = bestWithin(e, m.L, limit);
      const label = `seed ${seed}, combo ${combo}`;
      let plan: MontagePlan | undefined;
      let error: unknown;
      try {
        plan = solvePlan(input);
      } catch (caught) {
        error = caught;
      }
      if (optimum !== undefined) {
        assert.ok(plan, `${label}: expected a plan worth ${optimum}, got ${String(error)}`);
        const value = checkPlan(m, input, plan, m.L, limit);
        assert.ok(Math.abs(value - optimum) < 1e-9, `${label}: solver ${value} vs exhaustive ${optimum}`);
        counts.solved++;
        continue;
      }
      assert.ok(error instanceof MontageError, `${label}: expected an error, got a plan`);
      if (error.code === 'AM_ERR_PLAN_CONSTRAINTS') {
        assert.ok(m.required.size > 0, `${label}: constraint errors only come with pins or locks`);
        counts.constraints++;
        continue;
      }
      assert.equal(error.code, 'AM_ERR_NO_EXACT_FILL', `${label}: ${error.message}`);
      counts.noFill++;
      const details = error.details as { closestFill: number; scenesNeeded: number | null; barsNeeded: number };
      assert.equal(details.barsNeeded, m.L);
      let closest = 0;
      for (let j = m.L - 1; j >= 1; j--) {
        if (bestWithin(e, j, limit) !== undefined) {
          closest = j;
          break;
        }
      }
      assert.equal(details.closestFill, closest, `${label}: closest exact fill`);
      const costs = [...e.best[m.L]!.keys()];
      const minimum = costs.length ? Math.min(...costs) : null;
      const scale = input.options.softScale ?? 12;
      const expectedScenes = minimum === null ? null : input.options.mode === 'soft' ? Math.ceil(minimum / scale) : minimum;
      assert.equal(details.scenesNeeded, expectedScenes, `${label}: scenes needed`);
      if (closest > 0) {
        const relaxed = solvePlan({ ...input, options: { ...input.options, relax: 'music' } });
        const value = checkPlan(m, input, relaxed, closest, limit);
        assert.ok(Math.abs(value - bestWithin(e, closest, limit)!) < 1e-9, `${label}: music relaxation is optimal`);
        assert.equal(relaxed.diagnostics[0]?.code, 'AM_ERR_NO_EXACT_FILL');
        counts.relaxedMusic++;
      }
      if (expectedScenes !== null && expectedScenes > input.options.maxScenes) {
        const relaxed = solvePlan({ ...input, options: { ...input.options, relax: 'scenes' } });
        const wider = input.options.mode === 'soft' ? expectedScenes * scale : expectedScenes;
        const value = checkPlan(m, input, relaxed, m.L, wider);
        assert.ok(Math.abs(value - bestWithin(e, m.L, wider)!) < 1e-9, `${label}: scenes relaxation is optimal`);
        assert.equal(relaxed.options.maxScenes, expectedScenes);
        counts.relaxedScenes++;
      }
    }
  }
  t.diagnostic(`outcomes ${JSON.stringify(counts)}`);
  // The generator must exercise every outcome, not just the easy one.
  assert.ok(counts.solved > 1500, JSON.stringify(counts));
  assert.ok(counts.noFill > 300 && counts.constraints > 20 && counts.relaxedMusic > 100 && counts.relaxedScenes > 50, JSON.stringify(counts));
});

/** The best value filling exactly L bars by a plain top-down recurrence over (shot, bars, scenes or weight, scene open). */
function recurrence(m: Model): number | undefined {
  const soft = m.options.mode === 'soft';
  const limit = limitOf(m);
  const memo = new Map<string, number>();
  const go = (i: number, j: number, cost: number, open: boolean): number => {
    if (i === m.n) return j === m.L ? 0 : -Infinity;
    const key = `${i},${j},${cost},${open ? 1 : 0}`;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    const sceneStarts = i === 0 || m.scene[i] !== m.scene[i - 1];
    const isOpen = sceneStarts ? false : open;
    let best = m.required.has(i) ? -Infinity : go(i + 1, j, cost, isOpen);
    const extra = soft ? m.weights[i]! : isOpen ? 0 : 1;
    if (cost + extra <= limit) {
      for (const count of choices(m, i, j)) best = Math.max(best, valueOf(m, i, j, count) + go(i + 1, j + count, cost + extra, true));
    }
    memo.set(key, best);
    return best;
  };
  const value = go(0, 0, 0, false);
  return value === -Infinity ? undefined : value;
}

test('on medium instances with long shots and many bars the solver agrees with a plain recurrence in every mode', (t) => {
  let solved = 0;
  for (let seed = 1; seed <= 48; seed++) {
    const next = random(seed * 104729);
    const combo = seed % COMBOS;
    const L = seed % 3 === 0 ? 140 + Math.floor(next() * 60) : 20 + Math.floor(next() * 140);
    const n = 20 + Math.floor(next() * 30);
    let label = 0;
    // Short bars (a beat) so some shots span well over 100 of them: wide back-pointers and the deque path.
    const shots: ShotSpec[] = Array.from({ length: n }, (_, i) => {
      if (i > 0 && next() < 0.2) label++;
      const long = next() < 0.15;
      const frames = long ? Math.round(12 * (100 + next() * 100)) : Math.round(12 * (0.5 + next() * 12));
      return { frames, scene: label, score: long ? 0.5 + next() : next() };
    });
    const barSeconds = Array.from({ length: L }, (_, k) => 0.5 * (1 + 0.1 * Math.sin(k / 5)));
    const arc = (combo & 4) !== 0;
    const input = makeInput({
      shots,
      barSeconds,
      ...(arc ? { barScores: Array.from({ length: n * L }, () => next()) } : {}),
      options: { mode: combo & 1 ? 'soft' : 'hard', trim: (combo & 2) !== 0, arc, maxScenes: 2 + Math.floor(next() * 4), softScale: 4, pins: next() < 0.3 ? [Math.floor(next() * n)] : [] },
    });
    const m = model(input);
    const expected = recurrence(m);
    let plan: MontagePlan | undefined;
    try {
      plan = solvePlan(input);
    } catch (error) {
      assert.ok(error instanceof MontageError && (error.code === 'AM_ERR_NO_EXACT_FILL' || error.code === 'AM_ERR_PLAN_CONSTRAINTS'), String(error));
    }
    assert.equal(plan !== undefined, expected !== undefined, `seed ${seed}: solver ${plan ? 'found' : 'found no'} plan`);
    if (!plan) continue;
    const value = checkPlan(m, input, plan, m.L, limitOf(m));
    assert.ok(Math.abs(value - expected!) < 1e-9, `seed ${seed}: solver ${value} vs recurrence ${expected}`);
    solved++;
  }
  t.diagnostic(`${solved} of 48 medium instances have a plan`);
  assert.ok(solved >= 20, `${solved} medium instances solved`);
});
