/**
 * What the process hardening tests (test/hardening/process-*.test.ts) and bench/faults/process-cases.ts share:
 * small real inputs made with ffmpeg, the real CLI as a child process (optionally under strace), and the
 * process table. Linux only where it reads /proc or runs strace.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ffmpegPath } from '../../companion/media/binaries';
import { run } from '../../companion/media/process';
import { synthesizeMovie, synthesizeMusic, type SyntheticShot } from '../../companion/media/synthesize';
import { repoRoot } from '../support/paths';

const size = '320x180';

/** Four clearly different 12-second shots: about 2 s of analysis, and a render of a few seconds. */
export const SMALL_MOVIE_SHOTS: readonly SyntheticShot[] = [
  { source: `testsrc2=size=${size}:rate=25`, seconds: 12 },
  { source: `color=c=0x0a1a40:size=${size}:rate=25,drawbox=x=40:y=30:w=80:h=60:color=0x203060:t=fill`, seconds: 12 },
  { source: `life=size=${size}:rate=25:seed=7:mold=10:life_color=0xff3020:death_color=0x400000`, seconds: 12 },
  { source: `color=c=0xf0c080:size=${size}:rate=25,drawgrid=w=80:h=60:t=2:c=0xfff0d0`, seconds: 12 },
];

export interface SmallInputs {
  readonly movie: string;
  readonly music: string;
}

/** A 48-second movie and 40 seconds of 120 BPM music in `dir` (made once per folder). */
export async function smallInputs(dir: string): Promise<SmallInputs> {
  mkdirSync(dir, { recursive: true });
  const movie = join(dir, 'movie.mp4');
  const music = join(dir, 'music.m4a');
  if (!existsSync(movie)) await synthesizeMovie(movie, SMALL_MOVIE_SHOTS);
  if (!existsSync(music)) await synthesizeMusic(music, { tempoBpm: 120, beatsPerBar: 4, seconds: 40 });
  return { movie, music };
}

/**
 * `movie` cut at half its bytes, as `name` in `dir`. With `indexFirst` (+faststart, as most delivered files) the
 * header survives and still announces the whole length; without it the index at the end is lost.
 */
export async function truncatedCopy(movie: string, dir: string, name: string, indexFirst: boolean): Promise<string> {
  const whole = join(dir, `whole-${name}`);
  await run(ffmpegPath(), ['-nostdin', '-v', 'error', '-i', movie, '-c', 'copy', ...(indexFirst ? ['-movflags', '+faststart'] : []), '-y', whole]);
  const bytes = readFileSync(whole);
  const truncated = join(dir, name);
  writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
  return truncated;
}

/**
 * A child Node process rendering a long preview of `inputs` to `outPath` (process-render-child.ts); resolves
 * once its ffmpeg is writing, so it can be killed mid-render. The render writes `${outPath}.partial.mp4`.
 */
export async function startRenderChild(inputs: SmallInputs, outPath: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test', 'hardening', 'process-render-child.ts'), inputs.movie, inputs.music, outPath], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolveStarted, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('rendering') && resolveStarted());
    child.on('exit', (code) => reject(new Error(`the render child exited (${code}) before rendering`)));
  });
  return child;
}

export interface ChildRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface StartedCli {
  readonly child: ChildProcess;
  /** Resolves when the child has exited. */
  readonly done: Promise<ChildRun>;
  /** Resolves when stderr (the progress lines) matches `pattern`. */
  stderrMatches(pattern: RegExp): Promise<void>;
}

/**
 * The real `auto-montage` command (node + tsx on the sources) as a child, optionally under
 * `strace -ff -o traceDir/trace`, or (when we are root) as another user id.
 */
export function startCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; traceDir?: string; asUser?: number } = {}): StartedCli {
  const node = [process.execPath, '--import', 'tsx', join(repoRoot, 'companion', 'main.ts'), ...args];
  const user = options.asUser === undefined ? [] : ['setpriv', `--reuid=${options.asUser}`, `--regid=${options.asUser}`, '--clear-groups', '--'];
  const [command, ...rest] = options.traceDir ? ['strace', ...straceArgs(options.traceDir), ...user, ...node] : [...user, ...node];
  const child = spawn(command!, rest, { cwd: repoRoot, env: options.env ?? process.env });
  let stdout = '';
  let stderr = '';
  const waiting: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
    for (const w of waiting.splice(0)) if (w.pattern.test(stderr)) w.resolve(); else waiting.push(w);
  });
  const done = new Promise<ChildRun>((resolveRun, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolveRun({ code, signal, stdout, stderr }));
  });
  return {
    child,
    done,
    stderrMatches: (pattern) =>
      new Promise<void>((resolveMatch, reject) => {
        if (pattern.test(stderr)) return resolveMatch();
        waiting.push({ pattern, resolve: resolveMatch });
        void done.then((run) => reject(new Error(`the CLI ended (${run.code ?? run.signal}) before stderr matched ${pattern}: ${run.stderr.slice(-2000)}`)));
      }),
  };
}

/** The user id `startCliAsUser` runs as when we are root (who reads a mode-000 file and runs any x bit). */
export const NOBODY = 65534;
export const runningAsRoot = process.getuid?.() === 0;

/** Why permission checks cannot be made here (root without setpriv, or no POSIX modes), or undefined. */
export function permissionChecksMissing(): string | undefined {
  if (process.platform === 'win32') return 'POSIX modes only';
  if (runningAsRoot && spawnSync('setpriv', ['--version']).status !== 0) return 'running as root, who reads mode-000 files and runs any x bit, and setpriv (to run as another user) is absent';
  return undefined;
}

/**
 * The CLI as an ordinary user: this one, or "nobody" (through setpriv) when we are root, with a HOME and
 * temp folder of its own inside `parent` (which that user must be able to reach).
 */
export function startCliAsUser(args: readonly string[], parent: string, extraEnv: NodeJS.ProcessEnv = {}): StartedCli {
  const home = join(parent, `home-${Math.random().toString(36).slice(2)}`);
  mkdirSync(home, { mode: 0o755 });
  if (runningAsRoot) chownSync(home, NOBODY, NOBODY);
  const env = { PATH: process.env['PATH'], HOME: home, TMPDIR: home, LANG: 'C.UTF-8', ...extraEnv };
  return startCli(args, { env, ...(runningAsRoot ? { asUser: NOBODY } : {}) });
}

/** Why strace cannot be used here, or undefined when it can. */
export function straceMissing(): string | undefined {
  if (process.platform !== 'linux') return 'strace traces Linux only';
  const probe = spawnSync('strace', ['-V'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return 'strace is not installed (apt-get install strace; .ci/run installs it)';
  const traced = spawnSync('strace', ['-qq', '-e', 'trace=getpid', '-o', '/dev/null', 'true']);
  if (traced.status !== 0) return `strace cannot trace here (ptrace refused: ${String(traced.stderr).trim()})`;
  return undefined;
}

const TRACED = ['connect', 'sendto', 'sendmsg', 'open', 'openat', 'creat', 'mkdir', 'mkdirat', 'rename', 'renameat', 'renameat2', 'link', 'linkat', 'symlink', 'symlinkat', 'unlink', 'unlinkat', 'truncate'];

function straceArgs(traceDir: string): string[] {
  mkdirSync(traceDir, { recursive: true });
  // -ff: one file per process, so no call is split into "unfinished … resumed"; -y: file descriptors as paths.
  return ['-f', '-ff', '-qq', '-y', '-s', '512', '-e', `trace=${TRACED.join(',')}`, '-o', join(traceDir, 'trace')];
}

export interface TraceFindings {
  /** Network lookups and non-loopback connections (DNS on any address counts). */
  readonly lookups: string[];
  /** Files created, written, renamed or removed outside `allowedRoots`. */
  readonly writesOutside: string[];
  /** Every path opened, for checks that the traced run did what it should (e.g. loaded a model). */
  readonly opened: string[];
}

/** Reads an strace -ff -y trace. Relative paths resolve against `cwd` (the traced process's). */
export function readTrace(traceDir: string, allowedRoots: readonly string[], cwd: string = repoRoot): TraceFindings {
  const lookups: string[] = [];
  const writesOutside: string[] = [];
  const opened: string[] = [];
  const allowed = (path: string) => allowedRoots.some((root) => path === root || path.startsWith(`${root}/`));
  // Creating a folder on the way to an allowed one (mkdir -p of ~/.cache/auto-montage makes ~/.cache) is fine.
  const onTheWay = (path: string) => allowedRoots.some((root) => root.startsWith(`${path}/`));
  const outside = (path: string, call: string) => {
    if (!allowed(path) && !(call.startsWith('mkdir') && onTheWay(path))) writesOutside.push(`${call} ${path}`);
  };
  for (const name of readdirSync(traceDir)) {
    for (const line of readFileSync(join(traceDir, name), 'utf8').split('\n')) {
      const call = /^(\w+)\((.*)\)\s+=\s+(-?\d+)/.exec(line);
      if (!call) continue;
      const [, syscall, args = '', result] = call;
      if (Number(result) < 0) continue; // a refused call (EEXIST, ENOENT…) changed nothing
      const paths = [...args.matchAll(/(?:(\d+|AT_FDCWD)(?:<([^>]*)>)?,\s*)?"((?:[^"\\]|\\.)*)"/g)].map(([, dirfd, dirPath, path = '']) =>
        path.startsWith('/') ? path : resolve(dirPath ?? (dirfd && dirfd !== 'AT_FDCWD' ? `/proc/self/fd/${dirfd}` : cwd), path),
      );
      if (syscall === 'open' || syscall === 'openat') {
        const path = paths[0];
        if (!path) continue;
        opened.push(path);
        if (/O_WRONLY|O_RDWR|O_CREAT|O_TRUNC/.test(args)) outside(path, syscall);
        if (path === '/etc/resolv.conf') lookups.push(`${syscall} ${path}`);
      } else if (['creat', 'mkdir', 'mkdirat', 'rename', 'renameat', 'renameat2', 'link', 'linkat', 'symlink', 'symlinkat', 'unlink', 'unlinkat', 'truncate'].includes(syscall!)) {
        // symlink(target, linkpath): only the link is written.
        for (const path of syscall!.startsWith('symlink') ? paths.slice(-1) : paths) outside(path, syscall!);
      }
    }
    // Network calls count whether or not they succeeded: an attempt already says where data would go.
    for (const line of readFileSync(join(traceDir, name), 'utf8').split('\n')) {
      if (!/^(connect|sendto|sendmsg)\(/.test(line)) continue;
      const inet = /sa_family=AF_INET6?, sin6?_port=htons\((\d+)\).*?(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)")/.exec(line);
      if (inet) {
        const [, port, v4, v6] = inet;
        const address = v4 ?? v6 ?? '';
        const loopback = address.startsWith('127.') || address === '::1';
        if (!loopback || port === '53') lookups.push(line.slice(0, 200));
      } else if (/sun_path="[^"]*(nscd|resolve)/.test(line)) lookups.push(line.slice(0, 200));
    }
  }
  return { lookups, writesOutside, opened };
}

/**
 * A 16-second montage of `inputs` under strace, as a user with a fresh HOME (no XDG overrides, no telemetry
 * switch of their own) runs it, and what the trace shows against the folders it may write: its output, its
 * cache (~/.cache/auto-montage), its temp folder, /dev/null and the terminal.
 */
export async function tracedMontage(inputs: SmallInputs, root: string): Promise<{ run: ChildRun; trace: TraceFindings }> {
  const [home, tmp, out, traceDir] = ['home', 'tmp', 'out', 'trace'].map((name) => join(root, name)) as [string, string, string, string];
  for (const dir of [home, tmp]) mkdirSync(dir, { recursive: true });
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: home, TMPDIR: tmp, LANG: 'C.UTF-8' };
  const run = await startCli(['montage', '--movie', inputs.movie, '--music', inputs.music, '--music-range', '0:16', '--out', out, '--json'], { env, traceDir }).done;
  return { run, trace: readTrace(traceDir, [out, join(home, '.cache', 'auto-montage'), tmp, '/dev/null', '/dev/tty']) };
}

/** Live processes (not zombies) whose command line contains `text`. */
export function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) found.push(Number(entry));
    } catch {
      // ended while we read
    }
  }
  return found;
}

/** Waits until `check` is true, polling every 50 ms; false when `timeoutMs` passed first. */
export async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}
