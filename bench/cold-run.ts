/**
 * One cold run of a synchronous function with its memory cost, as the planner benches measure it: peakMB is the
 * growth of the process's resident memory during the run (sampled every millisecond by a worker thread, since
 * the run itself blocks this one), heapMB the growth of V8 heap + array buffers. Run with --expose-gc, in a fresh
 * process, for figures that do not depend on what ran before.
 */
import { Worker } from 'node:worker_threads';

const MB = 1024 * 1024;

export interface ColdRun<T> {
  readonly result: T;
  readonly peakMB: number;
  readonly heapMB: number;
  readonly ms: number;
  /** Memory samples taken during the run. */
  readonly samples: number;
}

export async function coldRun<T>(run: () => T): Promise<ColdRun<T>> {
  const shared = new Float64Array(new SharedArrayBuffer(16));
  const sampler = new Worker(
    `const { workerData } = require('node:worker_threads');
     const peak = new Float64Array(workerData);
     const sample = () => { const rss = process.memoryUsage.rss(); if (rss > peak[0]) peak[0] = rss; peak[1]++; };
     sample(); setInterval(sample, 1);`,
    { eval: true, workerData: shared.buffer },
  );
  while (shared[1]! < 3) await new Promise((resolve) => setTimeout(resolve, 5));
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, 20));
  const before = process.memoryUsage();
  shared[0] = before.rss;
  const samplesBefore = shared[1]!;
  const started = performance.now();
  const result = run();
  const ms = performance.now() - started;
  const after = process.memoryUsage();
  await new Promise((resolve) => setTimeout(resolve, 5));
  const peakMB = (Math.max(shared[0]!, after.rss) - before.rss) / MB;
  const samples = shared[1]! - samplesBefore;
  await sampler.terminate();
  const heapMB = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / MB;
  return { result, peakMB, heapMB, ms, samples };
}
