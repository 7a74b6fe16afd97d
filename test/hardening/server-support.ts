/** Scenario helpers shared by the server hardening tests and the faults bench (bench/faults/server-cases.ts). */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, constants, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createPipelineRunner } from '../../companion/server/pipeline-runner';
import type { RunJob } from '../../companion/server/run-job';

/** Makes a FIFO at `path`; throws if mkfifo fails. */
export function mkfifo(path: string): void {
  const made = spawnSync('mkfifo', [path]);
  if (made.status !== 0) throw new Error(`mkfifo ${path} failed: ${String(made.stderr)}`);
}

/** Unblocks any reader stuck in open() on a FIFO, without the thread pool. */
export function releaseFifoReaders(path: string): void {
  try {
    closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // no reader waiting
  }
}

/** The real pipeline behind a gate: jobs are accepted at once and run only after `open()` (e.g. once a test has swapped an input). */
export async function gatedPipelineRunner(): Promise<{ runJob: RunJob; open: () => void; formats: () => readonly string[]; dispose: () => Promise<void> }> {
  const runner = await createPipelineRunner();
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const runJob: RunJob = async (...args) => {
    await gate;
    return runner.runJob(...args);
  };
  return { runJob, open, formats: () => runner.formats(), dispose: () => runner.dispose() };
}

/** Rewrites a cache entry's value and its checksum, as someone with access to the cache folder could. */
export function tamperCacheEntry(file: string, change: (value: Record<string, unknown>) => void): void {
  const entry = JSON.parse(readFileSync(file, 'utf8')) as { payload: string; sha256: string };
  const value = JSON.parse(entry.payload) as Record<string, unknown>;
  change(value);
  entry.payload = JSON.stringify(value);
  entry.sha256 = createHash('sha256').update(entry.payload).digest('hex');
  writeFileSync(file, JSON.stringify(entry));
}
