/**
 * One fault-injection case of `npm run bench -- companion` (printed as {"bench":"companion.faults", case, …}).
 * Each case attacks a real companion (or a real CLI run) and counts what came back; the goal is 0 in every column
 * but `tried` and `typedError`.
 */
export interface FaultCounts {
  /** Attempts made. */
  tried: number;
  /** Attempts answered with the expected typed error (code + message + where), or handled as documented. */
  typedError: number;
  /** Attempts that crashed the companion or the CLI (non-typed error, process exit, AM_ERR_INTERNAL). */
  crash: number;
  /** Attempts that got no answer within the case's deadline, or stalled other clients. */
  hang: number;
  /** Attempts that wrote or replaced a file outside the data, cache and output folders (an input included). */
  writtenOutside: number;
  /** Child processes (ffmpeg, ffprobe) still alive after the attempt ended. */
  leftoverProcesses: number;
}

export interface FaultCase {
  /** Short id, e.g. "fifo-movie", "force-overwrites-input". */
  readonly name: string;
  /** The defect it probes (the wording), for the bench's reader. */
  readonly probes: string;
  run(): Promise<FaultCounts>;
}
