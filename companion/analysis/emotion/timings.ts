/**
 * Where emotion encoding spends its time, split into media decoding (ffmpeg: keyframes, audio) and the
 * encoders' own computation, accumulated per encoder id. Read by the benchmark (emotion.overhead) and
 * reports; cheap enough to stay on.
 */

export interface EncoderTiming {
  /** Wall time spent waiting for ffmpeg to decode keyframes or audio. */
  decodeMs: number;
  /** Wall time of the encoder's own work (models, features). */
  computeMs: number;
  /** Process CPU time (all threads, onnxruntime's included) during that work. */
  computeCpuMs: number;
}

const totals = new Map<string, EncoderTiming>();

export function addTiming(encoderId: string, part: keyof EncoderTiming, ms: number): void {
  const entry = totals.get(encoderId) ?? { decodeMs: 0, computeMs: 0, computeCpuMs: 0 };
  entry[part] += Math.max(0, ms);
  totals.set(encoderId, entry);
}

/** Times `work` into `part` of `encoderId`. */
export async function timed<T>(encoderId: string, part: 'decodeMs' | 'computeMs', work: () => Promise<T> | T): Promise<T> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  try {
    return await work();
  } finally {
    addTiming(encoderId, part, performance.now() - start);
    if (part === 'computeMs') {
      const used = process.cpuUsage(cpu);
      addTiming(encoderId, 'computeCpuMs', (used.user + used.system) / 1000);
    }
  }
}

/** The totals so far, by encoder id; `reset` clears them. */
export function encoderTimings(reset = false): Record<string, EncoderTiming> {
  const out = Object.fromEntries([...totals].map(([id, t]) => [id, { ...t }]));
  if (reset) totals.clear();
  return out;
}
