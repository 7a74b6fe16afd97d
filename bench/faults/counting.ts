/** Counting helpers shared by the fault cases (server-cases.ts, process-cases.ts). */
import type { FaultCounts } from './types';

export function noCounts(): FaultCounts {
  return { tried: 0, typedError: 0, crash: 0, hang: 0, writtenOutside: 0, leftoverProcesses: 0 };
}

function add(counts: FaultCounts, earned: Partial<FaultCounts>): void {
  for (const [key, value] of Object.entries(earned) as [keyof FaultCounts, number][]) counts[key] += value;
}

/** One attempt: `work` says what it earned; a throw is a crash, running past `deadlineMs` a hang. */
export async function attempt(counts: FaultCounts, deadlineMs: number, work: () => Promise<Partial<FaultCounts>>): Promise<void> {
  counts.tried += 1;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), deadlineMs)));
  try {
    const earned = await Promise.race([work(), deadline]);
    if (earned === 'hang') counts.hang += 1;
    else add(counts, earned);
  } catch (error) {
    process.stderr.write(`fault attempt crashed: ${error instanceof Error ? error.message : String(error)}\n`);
    counts.crash += 1;
  } finally {
    clearTimeout(timer);
  }
}
