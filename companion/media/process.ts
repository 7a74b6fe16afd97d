/**
 * Child processes: argument arrays only (never a shell string), a timeout on each, killed on cancel.
 * Every live child is tracked so a job (or the process on exit) can kill what it started, and handed to
 * the reaper (child-reaper.ts) so it dies with us even when we are killed with no chance to clean up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CancellationError, MontageError } from '../core/errors';
import type { CancellationToken } from '../core/lifecycle';
import { reapWithParent } from './child-reaper';

export interface RunOptions {
  /** Kill the process after this long (default 10 minutes). */
  readonly timeoutMs?: number;
  readonly token?: CancellationToken;
  /** Called with each chunk of stdout; stdout is then not collected. */
  readonly onStdout?: (chunk: Buffer) => void;
  /** Collect at most this many bytes of stdout (default 64 MiB). */
  readonly maxStdoutBytes?: number;
  /** Written to stdin, then stdin is closed. */
  readonly stdin?: Buffer;
  /** Called with each chunk of stderr as it arrives (the tail is still kept for error messages). */
  readonly onStderr?: (chunk: string) => void;
  /** Called once the child has started, with flow control over its stdout (a paused pipe makes the child wait). */
  readonly onSpawn?: (control: StdoutControl) => void;
}

/** Back-pressure on a child's stdout: while paused, nothing is read and the child blocks on its next write. */
export interface StdoutControl {
  pauseStdout(): void;
  resumeStdout(): void;
}

export interface RunResult {
  readonly stdout: Buffer;
  readonly stderr: string;
}

const live = new Set<ChildProcess>();

/** The number of child processes started here that are still running (for tests and /health). */
export function liveProcessCount(): number {
  return live.size;
}

function kill(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
}

process.once('exit', () => {
  for (const child of live) kill(child);
});

/**
 * Runs `command args…` and resolves with its output; rejects with AM_ERR_FFMPEG_FAILED (non-zero exit),
 * AM_ERR_PROCESS_TIMEOUT, AM_ERR_FFMPEG_NOT_FOUND (cannot start) or CancellationError.
 */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const maxStdout = options.maxStdoutBytes ?? 64 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    if (options.token?.isCancellationRequested) return reject(new CancellationError());
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    live.add(child);
    const released = reapWithParent(child);
    const chunks: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let settled = false;
    let failure: Error | undefined;

    const stop = (error: Error) => {
      failure ??= error;
      child.stdout.resume(); // a paused pipe would keep 'close' from ever firing
      kill(child);
    };
    const timer = setTimeout(() => stop(new MontageError('AM_ERR_PROCESS_TIMEOUT', `${name(command)} ran longer than ${Math.round(timeoutMs / 1000)} s and was killed.`)), timeoutMs);
    const cancel = options.token?.onCancellationRequested(() => stop(new CancellationError()));

    child.stdout.on('data', (chunk: Buffer) => {
      if (options.onStdout) {
        try {
          options.onStdout(chunk);
        } catch (error) {
          stop(error instanceof Error ? error : new Error(String(error)));
        }
        return;
      }
      stdoutBytes += chunk.length;
      if (stdoutBytes > maxStdout) return stop(new MontageError('AM_ERR_FFMPEG_FAILED', `${name(command)} wrote more than ${maxStdout} bytes.`));
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (options.onStderr) {
        try {
          options.onStderr(text);
        } catch (error) {
          stop(error instanceof Error ? error : new Error(String(error)));
        }
      }
      stderr = (stderr + text).slice(-64 * 1024); // keep the tail: errors come last
    });
    child.stdin.on('error', () => {}); // the child may exit before reading all of stdin
    if (options.stdin) child.stdin.end(options.stdin);
    else child.stdin.end();
    options.onSpawn?.({ pauseStdout: () => child.stdout.pause(), resumeStdout: () => child.stdout.resume() });

    const finish = (error: Error | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      cancel?.dispose();
      live.delete(child);
      released();
      if (error) reject(error);
      else resolve({ stdout: Buffer.concat(chunks), stderr });
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish(
        error.code === 'ENOENT' || error.code === 'EACCES'
          ? new MontageError('AM_ERR_FFMPEG_NOT_FOUND', `Cannot start ${command}: ${error.message}`, { where: { file: command } })
          : error,
      );
    });
    child.on('close', (code, signal) => {
      if (failure) return finish(failure);
      if (code === 0) return finish(undefined);
      finish(
        new MontageError('AM_ERR_FFMPEG_FAILED', `${name(command)} exited with ${code ?? signal}: ${lastLines(stderr)}`, {
          details: { exitCode: code, signal, stderr: lastLines(stderr, 20) },
        }),
      );
    });
  });
}

function name(command: string): string {
  return command.split(/[\\/]/).pop() ?? command;
}

/** The last non-empty lines of a log, for error messages. */
export function lastLines(text: string, count = 3): string {
  return text.trim().split(/\r?\n/).filter(Boolean).slice(-count).join(' | ');
}
