/**
 * `npm run bench -- sources`: a montage from many sources (docs/sources.md), on generated footage.
 *
 *   sources.footage   200 files, 3 hours in all (96x54, 10 or 15 fps, hard-cut shots of 2–5 s, generated once with
 *                     ffmpeg's lavfi into .cache/bench-sources and reused by later runs).
 *   sources.analyse   the analysis of 240 media ranges (40 files give two ranges each) on a 25 fps timeline, from an
 *                     empty cache: decodes (files analysed, not read from the cache; one per file is the target),
 *                     the ffmpeg decode processes they ran, shots, wall time.
 *   sources.replan    a re-plan from the warm cache, end to end: runMontage in process (analysis from the cache,
 *                     planning, plan.json, report, the four timelines; no preview) and the CLI as a user runs it
 *                     (a child process: node + tsx start-up), against the 5 s target; wall and CPU times (CPU is
 *                     what a busy machine does not inflate; loadAverage says how busy it was).
 *   sources.memory    the planner's peak memory at the analysis' shots over 240 sources (its 240 bars, 10 scenes,
 *                     solvePlan in a fresh child process, peak RSS growth sampled every ms) beside today's bound,
 *                     planner.hard of `npm run bench -- planner` (3,000 shots of one movie, 240 bars, 10 scenes);
 *                     sources.memory-3000 the same at the first 3,000 shots.
 * Options: --keep-cache (reuse the analysis cache: sources.analyse then measures the warm path).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PlanInput } from '../companion/core/montage';
import { CancellationToken, type Progress, type ProgressReport } from '../companion/core/lifecycle';
import { synthesizeMusic } from '../companion/media/synthesize';
import { createExtensionHost } from '../companion/host/index';
import { analyseInputs, buildPlanInput, runMontage, type MontageRequest } from '../companion/pipeline/run-montage';
import type { SourceRequest } from '../companion/pipeline/sources';
import { solvePlan } from '../companion/planner/index';
import { makeFootage } from '../test/sources/make-footage';
import { random } from '../test/support/random';
import { coldRun } from './cold-run';
import { benchInput } from './planner';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const benchDir = join(repoRoot, '.cache', 'bench-sources');
const footageDir = join(benchDir, 'footage');
const FILES = 200;
const FOOTAGE_SECONDS = 3 * 3600;
const SPLIT = 40;
const BARS = 240;

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The footage: file i lasts about 54 s (± 24 s, 3 hours in all) in shots of 2–5 s; every third file at 15 fps. */
function footagePlan(): { path: string; fps: number; shotSeconds: number[] }[] {
  const next = random(14);
  const lengths = Array.from({ length: FILES }, () => 30 + 48 * next());
  const scale = FOOTAGE_SECONDS / lengths.reduce((a, b) => a + b, 0);
  return lengths.map((length, i) => {
    const seconds = Math.round(length * scale * 10) / 10;
    const shotSeconds: number[] = [];
    let left = seconds;
    while (left > 0) {
      const shot = Math.min(left, Math.round((2 + 3 * next()) * 10) / 10);
      shotSeconds.push(left - shot < 1 ? left : shot);
      left = left - shot < 1 ? 0 : Math.round((left - shot) * 10) / 10;
    }
    return { path: join(footageDir, `clip-${String(i + 1).padStart(3, '0')}.mp4`), fps: i % 3 === 2 ? 15 : 10, shotSeconds };
  });
}

/** 240 ranges: every file whole, except the first 40, each given as two ranges (its halves, a second apart). */
function sourceList(files: ReturnType<typeof footagePlan>): SourceRequest[] {
  return files.flatMap((file, i) => {
    const seconds = file.shotSeconds.reduce((a, b) => a + b, 0);
    if (i >= SPLIT) return [{ path: file.path }];
    const half = Math.floor(seconds / 2);
    return [{ path: file.path, range: { startSeconds: 0, endSeconds: half } }, { path: file.path, range: { startSeconds: half + 1, endSeconds: seconds } }];
  });
}

export async function run(args: string[]): Promise<void> {
  mkdirSync(footageDir, { recursive: true });
  const files = footagePlan();
  let started = performance.now();
  const missing = files.filter((file) => !existsSync(file.path)).length;
  for (const file of files) await makeFootage(file.path, { fps: file.fps, shotSeconds: file.shotSeconds, size: '96x54', seed: files.indexOf(file) * 5 });
  const music = join(benchDir, 'music-240-bars.m4a');
  if (!existsSync(music)) await synthesizeMusic(music, { tempoBpm: 120, beatsPerBar: 4, seconds: BARS * 2 + 1, offsetSeconds: 0.5 });
  const footageSeconds = files.reduce((sum, f) => sum + f.shotSeconds.reduce((a, b) => a + b, 0), 0);
  console.log(JSON.stringify({ bench: 'sources.footage', files: files.length, footageSeconds: round(footageSeconds, 1), generated: missing, generateMs: Math.round(performance.now() - started) }));

  const cacheDir = join(benchDir, 'cache');
  if (!args.includes('--keep-cache')) rmSync(cacheDir, { recursive: true, force: true });
  const sources = sourceList(files);
  const request: MontageRequest = {
    moviePath: sources[0]!.path,
    musicPath: music,
    sources,
    rate: { num: 25, den: 1 },
    options: { mode: 'hard', trim: true, arc: false, maxScenes: 10, granularity: 'bar', bpm: 120, beatsPerBar: 4 },
    formats: ['fcp7-xml', 'fcpxml', 'edl', 'otio'],
  };
  const host = await createExtensionHost({ userExtensionsDir: join(benchDir, 'no-extensions') });
  const progress: Progress<ProgressReport> = { report: () => {} };
  try {
    started = performance.now();
    const cpu = process.cpuUsage();
    const analysis = await analyseInputs(request, { host, cacheDir }, progress, CancellationToken.None);
    const analyseMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const decodes = analysis.files!.map((f) => (f.movie as { decode?: { cached: boolean; processes: number } }).decode);
    console.log(
      JSON.stringify({
        bench: 'sources.analyse',
        files: analysis.files!.length,
        ranges: sources.length,
        sourcesUsed: analysis.sources!.length,
        shots: analysis.files!.reduce((n, f) => n + f.movie.shots.length, 0),
        decodes: decodes.filter((d) => d && !d.cached).length,
        decodeProcesses: decodes.reduce((n, d) => n + (d && !d.cached ? d.processes : 0), 0),
        notices: analysis.sourceNotices?.length ?? 0,
        analyseMs: Math.round(analyseMs),
        cpuMs: Math.round((used.user + used.system) / 1000),
        msPerFootageMinute: round(analyseMs / (footageSeconds / 60), 1),
      }),
    );

    // Re-plan from the cache: the whole job in process, then as the CLI.
    const outDir = join(benchDir, 'out');
    started = performance.now();
    const replanCpu = process.cpuUsage();
    const outcome = await runMontage(request, { host, outDir, force: true, preview: false, cacheDir }, progress, CancellationToken.None);
    const replanMs = performance.now() - started;
    const replanUsed = process.cpuUsage(replanCpu);
    const list = join(benchDir, 'sources.json');
    writeFileSync(list, JSON.stringify(sources));
    const cliArgs = ['--import', 'tsx', join(repoRoot, 'companion', 'main.ts'), 'montage', '--sources', list, '--music', music, '--rate', '25', '--scenes', '10', '--mode', 'hard', '--granularity', 'bar', '--bpm', '120', '--beats-per-bar', '4', '--no-arc', '--out', join(benchDir, 'out-cli'), '--force', '--no-preview', '--cache', cacheDir, '--quiet', '--json'];
    // bash's `time` gives the CLI's CPU with its children's (ffprobe, workers).
    const cli = spawnSync('bash', ['-c', 'TIMEFORMAT="%R %U %S"; time "$0" "$@"', process.execPath, ...cliArgs], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 1 << 26 });
    if (cli.status !== 0) throw new Error(`the CLI re-plan failed: ${cli.stdout}${cli.stderr}`);
    const [cliWall, cliUser, cliSystem] = cli.stderr.trim().split('\n').pop()!.split(' ').map(Number) as [number, number, number];
    const { plan } = outcome;
    console.log(
      JSON.stringify({
        bench: 'sources.replan',
        ms: Math.round(replanMs),
        cpuMs: Math.round((replanUsed.user + replanUsed.system) / 1000),
        cliMs: Math.round(cliWall * 1000),
        cliCpuMs: Math.round((cliUser + cliSystem) * 1000),
        loadAverage: round(loadavg()[0]!, 1),
        targetMs: 5000,
        bars: plan.bars.length,
        placements: plan.placements.length,
        sourcesUsed: new Set(plan.placements.map((p) => p.source)).size,
        scenesUsed: new Set(plan.placements.map((p) => p.sceneIndex)).size,
        relaxations: outcome.relaxations.map((r) => r.relax),
        files: outcome.files.length,
      }),
    );

    // The planner's memory at this input, and at today's bound (planner.hard), each in a fresh process.
    const { input } = buildPlanInput(analysis, request);
    const bound = memory('planner.hard');
    // The analysis' shots, and its first 3,000 (today's bound is at 3,000 shots).
    for (const shots of [input.shots.length, 3000]) {
      const inputPath = join(benchDir, `plan-input-${shots}.json`);
      writeFileSync(inputPath, JSON.stringify(firstShots(input, shots)));
      const figures = memory(inputPath);
      console.log(
        JSON.stringify({
          bench: shots === 3000 ? 'sources.memory-3000' : 'sources.memory',
          sources: new Set(firstShots(input, shots).shots.map((shot) => shot.source)).size,
          maxScenes: input.options.maxScenes,
          ...figures,
          boundPeakMB: bound.peakMB,
          boundHeapMB: bound.heapMB,
          boundMs: bound.ms,
          boundCase: `planner.hard (n ${bound.n}, ${bound.bars} bars, one movie)`,
        }),
      );
    }
  } finally {
    host.dispose();
  }
}

/** The input cut to its first `count` shots (scenes cut with them), as JSON-ready data. */
function firstShots(input: PlanInput, count: number): PlanInput & { barScores?: { shots: number; bars: number; values: number[] } } {
  const shots = input.shots.slice(0, count);
  const bars = input.barScores?.bars ?? 0;
  const scenes = input.scenes.filter((scene) => scene.firstShot < count).map((scene) => ({ ...scene, shotCount: Math.min(scene.shotCount, count - scene.firstShot) }));
  return {
    ...input,
    shots,
    scenes,
    shotScores: input.shotScores.slice(0, count),
    ...(input.barScores ? { barScores: { shots: shots.length, bars, values: Array.from(input.barScores.values).slice(0, shots.length * bars) } } : {}),
  } as PlanInput & { barScores?: { shots: number; bars: number; values: number[] } };
}

interface MemoryFigures {
  readonly n: number;
  readonly bars: number;
  readonly peakMB: number;
  readonly heapMB: number;
  readonly ms: number;
  readonly placements: number;
}

function memory(what: string): MemoryFigures {
  const taskset = existsSync('/usr/bin/taskset') ? ['/usr/bin/taskset', '-c', '0'] : [];
  const [command, ...rest] = [...taskset, process.execPath, '--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--memory-child', what];
  const child = spawnSync(command!, rest, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (child.status !== 0) throw new Error(`memory child failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as MemoryFigures;
}

/** One cold solvePlan with its peak RSS growth (cold-run.ts), as bench/planner.ts measures it. */
async function memoryChild(what: string): Promise<void> {
  let input: PlanInput;
  if (what === 'planner.hard') input = benchInput({ name: what, shots: 3000, bars: 240, maxScenes: 10, options: { mode: 'hard', trim: true, arc: false } });
  else {
    const raw = JSON.parse(readFileSync(what, 'utf8')) as PlanInput & { barScores?: { shots: number; bars: number; values: number[] } };
    input = { ...raw, ...(raw.barScores ? { barScores: { ...raw.barScores, values: Float32Array.from(raw.barScores.values) } } : {}) };
  }
  const { result: plan, peakMB, heapMB, ms } = await coldRun(() => solvePlan(input));
  console.log(JSON.stringify({ n: input.shots.length, bars: input.bars.length, peakMB: round(peakMB), heapMB: round(heapMB), ms: Math.round(ms), placements: plan.placements.length }));
}

if (process.argv[2] === '--memory-child') await memoryChild(process.argv[3]!);
