/**
 * The process and media fault cases of `npm run bench -- companion` (issue 18 items 1, 3, 4, 5a, 5c, 10): real
 * CLI runs, real renders killed mid-way, real files made unreadable or truncated. Each attempt counts once in
 * `tried` and in each column it earns; "handled as documented" (a clean run without lookups, the decoded length
 * with a notice) counts as `typedError`. An attempt that neither fails typed nor is handled counts only in `tried`.
 * Cases that need strace, /proc or another user report tried: 0 where those are absent (the reason on stderr).
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, linkSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { analyseMovie } from '../../companion/analysis/movie/analyse-movie';
import { MontageError } from '../../companion/core/errors';
import { CancellationToken, Progress } from '../../companion/core/lifecycle';
import { synthesizeMovie } from '../../companion/media/synthesize';
import { createPipelineRunner } from '../../companion/server/pipeline-runner';
import { scratchDir } from '../../test/support/paths';
import {
  eventually,
  permissionChecksMissing,
  processesMentioning,
  smallInputs,
  startCli,
  startCliAsUser,
  startRenderChild,
  straceMissing,
  tracedMontage,
  truncatedCopy,
  type ChildRun,
  type SmallInputs,
} from '../../test/hardening/process-support';
import { attempt, noCounts } from './counting';
import type { FaultCase, FaultCounts } from './types';

const CODE_LINE = /^(AM_ERR_[A-Z_]+): /m;

/**
 * A CLI run's verdict: the expected code naming `file` is typed; a failure without a code, AM_ERR_INTERNAL or a
 * signal is a crash.
 */
function verdict(run: ChildRun, expected: string, file: string): Partial<FaultCounts> {
  const code = CODE_LINE.exec(run.stderr)?.[1];
  if (code === expected && run.stderr.includes(file)) return { typedError: 1 };
  if (run.code === 0) return {}; // it went ahead: the other columns say what that cost
  if (!code || code === 'AM_ERR_INTERNAL' || run.code === null) return { crash: 1 };
  return {};
}

const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

let inputsMade: Promise<SmallInputs> | undefined;
/** The small generated movie and music, made once per bench run. */
function inputs(): Promise<SmallInputs> {
  inputsMade ??= smallInputs(scratchDir('faults-inputs'));
  return inputsMade;
}

function skipped(name: string, reason: string): FaultCounts {
  process.stderr.write(`fault case ${name}: not tried (${reason})\n`);
  return noCounts();
}

const telemetryLookups: FaultCase = {
  name: 'telemetry-lookups',
  probes: 'ONNX Runtime telemetry: lookups of mobile.events.data.microsoft.com, events queued in ~/.cache/Microsoft (a montage under strace; a lookup counts as written outside)',
  async run() {
    const missing = straceMissing();
    if (missing) return skipped(this.name, missing);
    const counts = noCounts();
    const small = await inputs();
    await attempt(counts, 180_000, async () => {
      const { run, trace } = await tracedMontage(small, scratchDir('faults-telemetry'));
      const leaked = trace.lookups.length + trace.writesOutside.length > 0;
      return { ...(run.code === 0 ? (leaked ? {} : { typedError: 1 }) : { crash: 1 }), writtenOutside: leaked ? 1 : 0 };
    });
    return counts;
  },
};

const forceOverwritesInput: FaultCase = {
  name: 'force-overwrites-input',
  probes: '--force overwrites the montage\'s own inputs (named as outputs, through a symlink, a hardlink named as an exporter\'s file)',
  async run() {
    const counts = noCounts();
    const { movie, music } = await inputs();
    // Each layout: the inputs to give, the file whose mtime must not move, the output the error must name.
    const layouts: ((dir: string) => { movie: string; music: string; watched: string; named: string })[] = [
      (dir) => (copyFileSync(movie, join(dir, 'montage.mp4')), copyFileSync(music, join(dir, 'plan.json')), { movie: join(dir, 'montage.mp4'), music: join(dir, 'plan.json'), watched: join(dir, 'montage.mp4'), named: join(dir, 'plan.json') }),
      (dir) => (symlinkSync(movie, join(dir, 'montage.mp4')), { movie, music, watched: movie, named: join(dir, 'montage.mp4') }),
      (dir) => (linkSync(music, join(dir, 'montage.otio')), { movie, music: join(dir, 'montage.otio'), watched: music, named: join(dir, 'montage.otio') }),
    ];
    for (const layout of layouts) {
      await attempt(counts, 120_000, async () => {
        const dir = scratchDir('faults-force');
        const paths = layout(dir);
        const before = [digest(paths.movie), digest(paths.music), statSync(paths.watched).mtimeMs];
        const run = await startCli(['montage', '--movie', paths.movie, '--music', paths.music, '--music-range', '0:16', '--out', dir, '--force', '--no-cache']).done;
        const after = [digest(paths.movie), digest(paths.music), statSync(paths.watched).mtimeMs];
        return { ...verdict(run, 'AM_ERR_OUTPUT_EXISTS', paths.named), writtenOutside: JSON.stringify(before) === JSON.stringify(after) ? 0 : 1 };
      });
    }
    return counts;
  },
};

const orphanedFfmpeg: FaultCase = {
  name: 'orphaned-ffmpeg',
  probes: 'kill -9 or SIGHUP mid-render orphans the render ffmpeg, which writes on into an abandoned folder',
  async run() {
    if (process.platform !== 'linux') return skipped(this.name, 'reads the process table from /proc');
    const counts = noCounts();
    const small = await inputs();
    // kill -9 of a process rendering: its ffmpeg must end, and the partial file must stop growing.
    await attempt(counts, 120_000, async () => {
      const out = join(scratchDir('faults-kill'), 'preview.mp4');
      const partial = `${out}.partial.mp4`;
      const child = await startRenderChild(small, out);
      child.kill('SIGKILL');
      const gone = await eventually(() => processesMentioning(partial).length === 0, 3000);
      const size = existsSync(partial) ? statSync(partial).size : 0;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const grew = (existsSync(partial) ? statSync(partial).size : 0) > size;
      const left = processesMentioning(partial);
      for (const pid of left) process.kill(pid, 'SIGKILL');
      return { ...(gone ? { typedError: 1 } : {}), leftoverProcesses: left.length, writtenOutside: grew ? 1 : 0 };
    });
    // SIGHUP of the CLI mid-render: cancelled (exit 130), nothing left.
    await attempt(counts, 120_000, async () => {
      const out = join(scratchDir('faults-hup'), 'out');
      const cli = startCli(['montage', '--movie', small.movie, '--music', small.music, '--out', out, '--no-cache']);
      await cli.stderrMatches(/^render…$/m);
      cli.child.kill('SIGHUP');
      const run = await cli.done;
      await eventually(() => processesMentioning(out).length === 0, 3000);
      const left = processesMentioning(out);
      for (const pid of left) process.kill(pid, 'SIGKILL');
      return { ...(run.code === 130 ? { typedError: 1 } : run.code === null ? { crash: 1 } : {}), leftoverProcesses: left.length };
    });
    return counts;
  },
};

const unreadableMovie: FaultCase = {
  name: 'unreadable-movie',
  probes: 'an unreadable (mode 000) movie gives AM_ERR_INTERNAL instead of AM_ERR_MEDIA_UNREADABLE (with and without the cache)',
  async run() {
    const missing = permissionChecksMissing();
    if (missing) return skipped(this.name, missing);
    const counts = noCounts();
    const small = await inputs();
    const dir = scratchDir('faults-unreadable');
    chmodSync(dir, 0o755);
    const locked = join(dir, 'locked.mp4');
    copyFileSync(small.movie, locked);
    chmodSync(locked, 0o000);
    const music = join(dir, 'music.m4a'); // readable by the other user: only the movie is locked
    copyFileSync(small.music, music);
    chmodSync(music, 0o644);
    for (const cache of [true, false]) {
      await attempt(counts, 60_000, async () => {
        const run = await startCliAsUser(['montage', '--movie', locked, '--music', music, '--out', join(dir, `out-${cache}`), ...(cache ? [] : ['--no-cache'])], dir).done;
        return verdict(run, 'AM_ERR_MEDIA_UNREADABLE', locked);
      });
    }
    return counts;
  },
};

const oneSecondAnalyse: FaultCase = {
  name: 'one-second-analyse',
  probes: 'analyse of a 1-second movie fails with a planning error instead of returning the analysis',
  async run() {
    const counts = noCounts();
    const small = await inputs();
    const dir = scratchDir('faults-one-second');
    const movie = join(dir, 'one-second.mp4');
    await synthesizeMovie(movie, [{ source: 'testsrc2=size=320x180:rate=25', seconds: 1 }]);
    const runner = await createPipelineRunner({ userExtensionsDir: join(dir, 'no-extensions') });
    try {
      await attempt(counts, 60_000, async () => {
        try {
          const output = await runner.runJob(
            { kind: 'analyse', movie: { path: movie }, music: { path: small.music }, options: {}, preview: false },
            { jobId: 'one-second', outDir: join(dir, 'out'), cacheDir: join(dir, 'cache') },
            Progress.None,
            CancellationToken.None,
          );
          return output.analysis.shots.length === 1 ? { typedError: 1 } : {};
        } catch (error) {
          return error instanceof MontageError && error.code !== 'AM_ERR_INTERNAL' ? {} : { crash: 1 };
        }
      });
    } finally {
      await runner.dispose();
    }
    return counts;
  },
};

const truncatedMovie: FaultCase = {
  name: 'truncated-movie',
  probes: 'a movie truncated at 50 % is reported as long as its header says (index first), or must be a typed error (index lost)',
  async run() {
    const counts = noCounts();
    const small = await inputs();
    const dir = scratchDir('faults-truncated');
    for (const indexFirst of [true, false]) {
      await attempt(counts, 120_000, async () => {
        const movie = await truncatedCopy(small.movie, dir, `truncated-${indexFirst}.mp4`, indexFirst);
        try {
          const result = await analyseMovie(movie, {}, Progress.None, CancellationToken.None);
          const decodedSeconds = result.decode.decodedFrames / 25;
          const honest = result.media.durationSeconds === decodedSeconds && result.diagnostics.some((d) => d.code === 'AM_ERR_MEDIA_UNREADABLE');
          return honest ? { typedError: 1 } : {};
        } catch (error) {
          return error instanceof MontageError && error.code === 'AM_ERR_MEDIA_UNREADABLE' ? { typedError: 1 } : { crash: 1 };
        }
      });
    }
    return counts;
  },
};

/** One case per process and media defect of issue 18; part B's runner prints them as companion.faults. */
export const processFaultCases: FaultCase[] = [telemetryLookups, forceOverwritesInput, orphanedFfmpeg, unreadableMovie, oneSecondAnalyse, truncatedMovie];
