/** Helpers for the worker-pool tests and the scale bench: generated media, worker processes with their event logs. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { synthesizeMovie, synthesizeMusic } from '../../companion/media/synthesize';
import type { WorkerEvent } from '../../companion/queue/analysis-worker';
import { repoRoot } from '../support/paths';

const size = '320x180';

/** A movie of `shots` shots of `seconds` each, different per `seed` (so each file has its own fingerprint). */
export async function generateMovie(path: string, seed: number, shots = 3, seconds = 2): Promise<string> {
  const sources = [
    (i: number) => `testsrc2=size=${size}:rate=25,hue=h=${(seed * 47 + i * 20) % 360}`,
    (i: number) => `color=c=0x${(0x102040 + seed * 0x0a0b0c + i * 0x101010).toString(16).slice(-6)}:size=${size}:rate=25`,
    (i: number) => `life=size=${size}:rate=25:seed=${seed * 10 + i}:life_color=0xff3020:death_color=0x200000`,
  ];
  await synthesizeMovie(path, Array.from({ length: shots }, (_, i) => ({ source: sources[i % sources.length]!(i), seconds })));
  return path;
}

export async function generateMusic(path: string, tempoBpm: number, seconds = 10): Promise<string> {
  await synthesizeMusic(path, { tempoBpm, beatsPerBar: 4, seconds, mode: tempoBpm % 2 ? 'minor' : 'major' });
  return path;
}

/** The library of the e2e test: four movies and two music files in `dir` (generated two at a time). */
export async function generateLibrary(dir: string): Promise<{ movies: string[]; music: string[] }> {
  mkdirSync(dir, { recursive: true });
  const movies = [0, 1, 2, 3].map((i) => join(dir, `film-${i}.mp4`));
  const music = [0, 1].map((i) => join(dir, `song-${i}.m4a`));
  await Promise.all([generateMovie(movies[0]!, 0), generateMovie(movies[1]!, 1)]);
  await Promise.all([generateMovie(movies[2]!, 2), generateMovie(movies[3]!, 3)]);
  await Promise.all([generateMusic(music[0]!, 120), generateMusic(music[1]!, 97)]);
  return { movies, music };
}

export type LoggedEvent = (WorkerEvent | { type: 'ready'; worker: string; cacheDir: string }) & { at?: string };

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly events: LoggedEvent[];
  /** host:pid as the worker names itself (from its ready line). */
  name: string;
  stderr: string;
  /** The first event (already logged or to come) that matches. */
  next(match: (event: LoggedEvent) => boolean, timeoutMs?: number): Promise<LoggedEvent>;
  /** Resolves with the exit code (or signal). */
  readonly exited: Promise<number | string>;
}

/** `auto-montage worker --json` as a child process; resolves once it says it is ready. */
export async function startWorkerProcess(redisUrl: string, cacheDir: string, extraArgs: readonly string[] = []): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'companion', 'main.ts'), 'worker', '--redis', redisUrl, '--cache', cacheDir, '--json', '--extensions', join(cacheDir, '..', 'no-extensions'), ...extraArgs], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: LoggedEvent[] = [];
  const waiters: { match: (event: LoggedEvent) => boolean; resolve: (event: LoggedEvent) => void }[] = [];
  let buffer = '';
  const worker: WorkerProcess = {
    child,
    events,
    name: '',
    stderr: '',
    next: (match, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const found = events.find(match);
        if (found) return resolve(found);
        const timer = setTimeout(() => reject(new Error(`worker ${worker.name}: no matching event in ${timeoutMs} ms; events: ${JSON.stringify(events.slice(-6))}; stderr: ${worker.stderr.slice(-2000)}`)), timeoutMs);
        timer.unref(); // a race between workers leaves the loser's wait behind
        waiters.push({
          match,
          resolve: (event) => {
            clearTimeout(timer);
            resolve(event);
          },
        });
      }),
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1))),
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (!line.trim()) continue;
      const event = JSON.parse(line) as LoggedEvent;
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.match(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (worker.stderr += chunk.toString()));
  const ready = (await Promise.race([worker.next((e) => e.type === 'ready', 60_000), worker.exited.then((code) => Promise.reject(new Error(`worker exited (${code}): ${worker.stderr}`)))])) as { worker: string };
  worker.name = ready.worker;
  return worker;
}

/** Stops a worker process (SIGTERM: it finishes its running jobs) and waits for it. */
export async function stopWorkerProcess(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill('SIGTERM');
  const timer = setTimeout(() => worker.child.kill('SIGKILL'), 15_000);
  await worker.exited;
  clearTimeout(timer);
}
