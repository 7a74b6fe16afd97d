/**
 * `companion.faults`: runs every fault case — the server's (./server-cases.ts) and the process and media ones
 * (./process-cases.ts, when present) — and prints one line per case and a total:
 *   {"bench":"companion.faults","case":"fifo-movie","probes":"…","tried":9,"typedError":9,"crash":0,"hang":0,"writtenOutside":0,"leftoverProcesses":0}
 * The goal is 0 in every column but `tried` and `typedError`.
 */
import { existsSync } from 'node:fs';
import { serverFaultCases } from './server-cases';
import type { FaultCase, FaultCounts } from './types';

const COLUMNS = ['tried', 'typedError', 'crash', 'hang', 'writtenOutside', 'leftoverProcesses'] as const satisfies readonly (keyof FaultCounts)[];

/** The process cases, written separately; absent from a checkout that does not have them yet. */
async function processFaultCases(): Promise<FaultCase[]> {
  const file = new URL('./process-cases.ts', import.meta.url);
  if (!existsSync(file)) return [];
  return ((await import(file.href)) as { processFaultCases: FaultCase[] }).processFaultCases;
}

/** Runs the cases (all, or those whose names are in `only`) and prints their lines; returns the totals. */
export async function runFaultCases(only: readonly string[] = []): Promise<FaultCounts> {
  const cases = [...serverFaultCases, ...(await processFaultCases())].filter((fault) => only.length === 0 || only.includes(fault.name));
  const total: FaultCounts = { tried: 0, typedError: 0, crash: 0, hang: 0, writtenOutside: 0, leftoverProcesses: 0 };
  for (const fault of cases) {
    let counts: FaultCounts;
    try {
      counts = await fault.run();
    } catch (error) {
      // A case that cannot even finish is one crashed attempt.
      process.stderr.write(`fault case ${fault.name} crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      counts = { tried: 1, typedError: 0, crash: 1, hang: 0, writtenOutside: 0, leftoverProcesses: 0 };
    }
    for (const column of COLUMNS) total[column] += counts[column];
    console.log(JSON.stringify({ bench: 'companion.faults', case: fault.name, probes: fault.probes, ...pick(counts) }));
  }
  console.log(JSON.stringify({ bench: 'companion.faults', case: 'total', probes: `${cases.length} cases`, ...pick(total) }));
  return total;
}

function pick(counts: FaultCounts): FaultCounts {
  return Object.fromEntries(COLUMNS.map((column) => [column, counts[column]])) as unknown as FaultCounts;
}
