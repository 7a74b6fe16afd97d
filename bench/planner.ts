/**
 * `npm run bench -- planner`: the montage solver's time and peak memory on a movie-sized input
 * (n = 3000 shots in ~100 scenes, 240 bars with tempo drift, N_e = 10), one JSON line per case:
 *   planner.hard / planner.soft / planner.arc — solvePlan end to end (trimming on, as by default; arc only in .arc),
 *   planner.*-notrim — the paper's fixed lengths; planner.soft-scale* — soft mode at a coarser weight scale,
 *   planner.scale.* — how the kernel's time (ms wall, cpuMs CPU, medians of 5) and table size grow with n, bars and N_e;
 *   planner.relax — planner.hard's input with N_e = 2, which no plan fills: the failed solve, the relaxation
 *     search (O(n · L) bounds) and the one relaxed solve; relaxedSolveMs is a plain solve of the relaxed input
 *     (N_e raised to what the relaxation found), so relaxOverhead = cpuMs / relaxedSolveCpuMs is the cost of
 *     relaxing in solves (about 2 at most: the failed one and the relaxed one, plus the bounds);
 *   planner.granularity-auto — solveMontage with granularity auto on the same movie and music (a beat every
 *     quarter bar): bounds first, then an exact solve per unit that fits; autoOverBar = cpuMs / barSolveCpuMs.
 * Each main case runs in a fresh child process: peakMB is the growth of the process's resident memory during
 * one cold solve (sampled every millisecond by a worker thread) and heapMB the growth of V8 heap + array
 * buffers; ms is the median wall time of 9 warm solves (minMs the fastest, cpuMs the median CPU time of the
 * process, which other processes on a busy machine do not inflate). Children run under `taskset -c 0` when it
 * exists, so the solver and its GC share one core. Timings taken while other work runs are pessimistic.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PLAN_OPTIONS, type Bar, type PlanInput, type PlanOptions, type Scene, type Shot } from '../companion/core/montage';
import { range, rate } from '../companion/core/rational';
import { solveMontage, solvePlan, type MusicPlanInput } from '../companion/planner/index';
import { preparePlan } from '../companion/planner/prepare-plan';
import { runKernel } from '../companion/planner/solve-plan';
import { random } from '../test/support/random';
import { coldRun } from './cold-run';

interface BenchCase {
  readonly name: string;
  readonly shots: number;
  readonly bars: number;
  readonly maxScenes: number;
  readonly options: Partial<PlanOptions>;
  /** `montage`: solveMontage with granularity auto on the music's bars and beats (default: solvePlan). */
  readonly solver?: 'plan' | 'montage';
}

const MAIN_CASES: BenchCase[] = [
  { name: 'planner.hard', shots: 3000, bars: 240, maxScenes: 10, options: { mode: 'hard', trim: true, arc: false } },
  { name: 'planner.soft', shots: 3000, bars: 240, maxScenes: 10, options: { mode: 'soft', trim: true, arc: false } },
  { name: 'planner.arc', shots: 3000, bars: 240, maxScenes: 10, options: { mode: 'hard', trim: true, arc: true } },
  { name: 'planner.hard-notrim', shots: 3000, bars: 240, maxScenes: 10, options: { mode: 'hard', trim: false, arc: false } },
  { name: 'planner.soft-notrim', shots: 3000, bars: 240, maxScenes: 10, options: { mode: 'soft', trim: false, arc: false } },
  { name: 'planner.soft-arc', shots: 3000, bars: 240, maxScenes: 10, options: { mode: 'soft', trim: true, arc: true } },
  // The soft budget is N_e × softScale weight units, so its cost is linear in the scale (default 12).
  { name: 'planner.soft-scale6', shots: 3000, bars: 240, maxScenes: 10, options: { mode: 'soft', trim: true, arc: false, softScale: 6 } },
  { name: 'planner.soft-scale4', shots: 3000, bars: 240, maxScenes: 10, options: { mode: 'soft', trim: true, arc: false, softScale: 4 } },
  { name: 'planner.relax', shots: 3000, bars: 240, maxScenes: 2, options: { mode: 'hard', trim: true, arc: false, relax: 'auto' } },
  { name: 'planner.granularity-auto', shots: 3000, bars: 240, maxScenes: 10, options: { mode: 'hard', trim: true, arc: false, relax: 'auto' }, solver: 'montage' },
];

export async function run(args: string[]): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const taskset = existsSync('/usr/bin/taskset') ? ['/usr/bin/taskset', '-c', '0'] : [];
  const only = args.filter((a) => !a.startsWith('-'));
  const children: string[][] = [...MAIN_CASES.filter((c) => !only.length || only.some((o) => c.name.includes(o))).map((c) => ['--planner-case', JSON.stringify(c)])];
  if (!only.length || only.includes('scale')) children.push(['--planner-scale']);
  for (const childArgs of children) {
    const [command, ...rest] = [...taskset, process.execPath, '--expose-gc', '--import', 'tsx', self, ...childArgs];
    const child = spawnSync(command!, rest, { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (child.status !== 0) {
      console.error(child.stderr);
      throw new Error(`planner bench child failed (${childArgs[0]})`);
    }
    process.stdout.write(child.stdout);
  }
}


/**
 * A movie-like input: shot lengths log-normal (median 3.5 s at 24 fps), scenes of 10–50 shots, bars of a
 * 4/4 track around 120 BPM drifting ±3%, scores = scene mood + shot noise, per-bar scores following a slow arc.
 */
export function benchInput(c: BenchCase, seed = 1): PlanInput {
  const next = random(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const movieRate = rate(24000, 1001);
  const fps = 24000 / 1001;
  const shots: Shot[] = [];
  const scenes: Scene[] = [];
  const shotScores: number[] = [];
  const moods: number[] = [];
  let frame = 0;
  while (shots.length < c.shots) {
    const size = Math.min(c.shots - shots.length, 10 + Math.floor(next() * 41));
    const mood = next();
    scenes.push({ index: scenes.length, firstShot: shots.length, shotCount: size });
    for (let s = 0; s < size; s++) {
      const frames = Math.max(6, Math.round(3.5 * fps * Math.exp(0.8 * gaussian())));
      shots.push({ index: shots.length, range: range(frame, frames, movieRate), sceneIndex: scenes.length - 1, transitionIn: 'cut' });
      shotScores.push(Math.min(1, Math.max(0, 0.7 * mood + 0.3 * next())));
      moods.push(mood);
      frame += frames;
    }
  }
  const bars: Bar[] = [];
  let t = 12.5;
  for (let k = 0; k < c.bars; k++) {
    const bpm = 120 * (1 + 0.03 * Math.sin(k / 17));
    const seconds = (4 * 60) / bpm;
    bars.push({ index: k, startSeconds: t, durationSeconds: seconds, beatsPerBar: 4, tempoBpm: bpm });
    t += seconds;
  }
  const values = new Float32Array(c.shots * c.bars);
  for (let i = 0; i < c.shots; i++) {
    for (let k = 0; k < c.bars; k++) {
      const musicMood = 0.5 + 0.5 * Math.sin((2 * Math.PI * k) / c.bars);
      values[i * c.bars + k] = 1 - Math.abs(moods[i]! - musicMood) + 0.1 * (shotScores[i]! - 0.5);
    }
  }
  return {
    movie: { path: 'bench.mp4', rate: movieRate, frameCount: frame },
    music: { path: 'bench.wav', startSeconds: bars[0]!.startSeconds, endSeconds: t },
    shots,
    scenes,
    bars,
    shotScores,
    barScores: { shots: c.shots, bars: c.bars, values },
    options: { ...DEFAULT_PLAN_OPTIONS, maxScenes: c.maxScenes, ...c.options },
  };
}

const MB = 1024 * 1024;

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** The bench input at the music's bars with a beat every quarter bar, for solveMontage. */
function musicBenchInput(input: PlanInput): MusicPlanInput {
  const beatTimes = input.bars.flatMap((bar) => [0, 1, 2, 3].map((b) => bar.startSeconds + (b * bar.durationSeconds) / 4));
  return { ...input, beatTimes, granularity: 'auto' };
}

/** Median CPU time of `runs` warm calls (other work on a busy machine does not inflate it, unlike wall time). */
function medianCpuMs(run: () => unknown, runs = 9): number {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const cpu = process.cpuUsage();
    run();
    const used = process.cpuUsage(cpu);
    times.push((used.user + used.system) / 1000);
  }
  return times.sort((x, y) => x - y)[Math.floor(runs / 2)]!;
}

async function mainCase(c: BenchCase): Promise<void> {
  const input = benchInput(c);
  const music = musicBenchInput(input);
  const solve = c.solver === 'montage' ? () => solveMontage(music).plan : () => solvePlan(input);
  // Peak memory of one cold solve (cold-run.ts).
  const { result: plan, peakMB, heapMB, samples } = await coldRun(solve);

  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let r = 0; r < 12; r++) {
    const start = performance.now();
    const cpu = process.cpuUsage();
    solve();
    const used = process.cpuUsage(cpu);
    if (r >= 3) {
      times.push(performance.now() - start);
      cpuTimes.push((used.user + used.system) / 1000);
    }
  }
  cpuTimes.sort((x, y) => x - y);
  times.sort((x, y) => x - y);
  const prepared = preparePlan(input);
  const tableMB = runKernel(prepared).bytes / MB;
  let usable = 0;
  for (const u of prepared.usable) usable += u;
  const ms = times[Math.floor(times.length / 2)]!;
  const cpuMs = cpuTimes[Math.floor(cpuTimes.length / 2)]!;
  const extra: Record<string, unknown> = {};
  if (c.options.relax && c.solver !== 'montage') {
    // The same input with the relaxed options, solved plainly: the yardstick for the relaxation's cost.
    const relaxedInput = { ...input, options: { ...input.options, maxScenes: plan.options.maxScenes, trim: plan.options.trim, relax: 'none' as const } };
    const relaxedSolveCpuMs = medianCpuMs(() => solvePlan(relaxedInput));
    Object.assign(extra, { relaxed: plan.diagnostics.map((d) => d.message.replace(/^.* Relaxed: /, '')), relaxedSolveCpuMs: round(relaxedSolveCpuMs), relaxOverhead: round(cpuMs / relaxedSolveCpuMs) });
  }
  if (c.solver === 'montage') {
    const solution = solveMontage(music);
    const barSolveCpuMs = medianCpuMs(() => solvePlan(input));
    Object.assign(extra, { unit: solution.granularity.unit, reason: solution.granularity.reason, candidates: solution.granularity.candidates, barSolveCpuMs: round(barSolveCpuMs), autoOverBar: round(cpuMs / barSolveCpuMs) });
  }
  console.log(
    JSON.stringify({
      bench: c.name,
      n: c.shots,
      bars: c.bars,
      maxScenes: c.maxScenes,
      mode: plan.options.mode,
      trim: plan.options.trim,
      arc: plan.options.arc,
      ms: round(ms),
      minMs: round(times[0]!),
      cpuMs: round(cpuMs),
      peakMB: round(peakMB),
      heapMB: round(heapMB),
      tableMB: round(tableMB),
      memorySamples: samples,
      usableShots: usable,
      placements: plan.placements.length,
      scenesUsed: new Set(plan.placements.map((p) => p.sceneIndex)).size,
      totalScore: round(plan.totalScore),
      ...extra,
    }),
  );
}

/** Kernel time (prepare + DP + backtrack, median of 5) and table size as n, bars and N_e grow. */
function scaleCases(): void {
  const base = { shots: 3000, bars: 240, maxScenes: 10 };
  const variants: [string, Partial<typeof base>][] = [
    ['n', { shots: 750 }], ['n', { shots: 1500 }], ['n', { shots: 3000 }], ['n', { shots: 6000 }], ['n', { shots: 12000 }],
    ['bars', { bars: 60 }], ['bars', { bars: 120 }], ['bars', { bars: 480 }], ['bars', { bars: 960 }],
    ['maxScenes', { maxScenes: 2 }], ['maxScenes', { maxScenes: 5 }], ['maxScenes', { maxScenes: 20 }], ['maxScenes', { maxScenes: 40 }],
  ];
  for (const mode of ['hard', 'soft', 'arc'] as const) {
    for (const [axis, change] of variants) {
      const size = { ...base, ...change };
      const c: BenchCase = { name: `planner.scale.${mode}`, ...size, options: { mode: mode === 'soft' ? 'soft' : 'hard', trim: true, arc: mode === 'arc' } };
      const input = benchInput(c);
      const times: number[] = [];
      const cpuTimes: number[] = [];
      let bytes = 0;
      let feasible = false;
      for (let r = 0; r < 7; r++) {
        const start = performance.now();
        const cpu = process.cpuUsage();
        const prepared = preparePlan(input);
        const result = runKernel(prepared);
        feasible = result.best(prepared.barCount) > -Infinity;
        if (feasible) result.backtrack(prepared.barCount);
        const used = process.cpuUsage(cpu);
        if (r >= 2) {
          times.push(performance.now() - start);
          cpuTimes.push((used.user + used.system) / 1000);
        }
        bytes = result.bytes;
      }
      times.sort((x, y) => x - y);
      cpuTimes.sort((x, y) => x - y);
      console.log(JSON.stringify({ bench: c.name, axis, n: size.shots, bars: size.bars, maxScenes: size.maxScenes, ms: round(times[2]!), cpuMs: round(cpuTimes[2]!), tableMB: round(bytes / MB), feasible }));
      gc();
    }
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

if (process.argv[2] === '--planner-case') await mainCase(JSON.parse(process.argv[3]!) as BenchCase);
else if (process.argv[2] === '--planner-scale') scaleCases();
