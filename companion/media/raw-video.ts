/**
 * Running ffmpeg for raw video with timestamps, shared by the full decode (video-decode.ts) and the keyframe
 * passes (keyframes.ts): the command line (`-copyts`, a half-frame-early accurate seek, scaler + `showinfo`,
 * RGB24 on stdout), whole frames out of the stdout byte stream, each frame's timestamp from showinfo's lines
 * on stderr (frames and timestamps arrive in the same order), its frame index on the movie's rate, and a
 * stall watchdog.
 */
import { MontageError } from '../core/errors';
import { CancellationTokenSource, type CancellationToken } from '../core/lifecycle';
import type { Rate } from '../core/rational';

/**
 * Where an accurate input seek (`-ss` before `-i`) to frame `frameIndex` goes: half a frame early, since the
 * seek keeps frames at or after the target and a decimal a hair after frame i's time would drop frame i.
 */
export function seekSeconds(frameIndex: number, fps: number): number {
  return Math.max(0, (frameIndex - 0.5) / fps);
}

export interface RawVideoCommand {
  readonly path: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** Decoder threads (0: ffmpeg's choice). */
  readonly threads: number;
  /** Extra input options, before `-i` (e.g. ['-skip_frame', 'nokey']). */
  readonly inputOptions?: readonly string[];
  /** Seek to this frame index first (see {@link seekSeconds}); 0 or undefined decodes from the start. */
  readonly seekIndex?: number;
  /** Filters run before the scaler (e.g. trim, select). */
  readonly filtersBefore?: readonly string[];
  /** Output frame cap; undefined runs to the end. */
  readonly maxFrames?: number;
}

/**
 * ffmpeg arguments that write the first video stream as `width`×`height` RGB24 frames to stdout, with input
 * timestamps kept (`-copyts`, `-vsync passthrough`) and one showinfo line per output frame on stderr.
 */
export function rawVideoArgs(command: RawVideoCommand): string[] {
  const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info', '-threads', String(command.threads), ...(command.inputOptions ?? []), '-copyts'];
  if (command.seekIndex !== undefined && command.seekIndex > 0) args.push('-ss', seekSeconds(command.seekIndex, command.fps).toFixed(6));
  args.push('-i', command.path, '-map', '0:v:0', '-an', '-sn', '-dn', '-vsync', 'passthrough');
  const filters = [...(command.filtersBefore ?? []), `scale=${command.width}:${command.height}:flags=area`, 'format=rgb24', 'showinfo'];
  args.push('-vf', filters.join(','));
  if (command.maxFrames !== undefined) args.push('-frames:v', String(command.maxFrames));
  args.push('-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
  return args;
}

/** Frame index of a timestamp: round((pts − origin) × timeBase × rate), in exact integer arithmetic where it fits. */
export function indexOf(pts: number, origin: number, timeBase: Rate, frameRate: Rate): number {
  const numerator = (pts - origin) * timeBase.num * frameRate.num;
  const denominator = timeBase.den * frameRate.den;
  return Math.round(numerator / denominator);
}

/**
 * Kills a process that outputs nothing for `stallMs` (a hang, not a slow decode): give `token` to `run`,
 * call `alive()` on every output, and in the catch throw `timeoutError(...)` when it is set.
 */
export class StallWatchdog {
  private readonly source: CancellationTokenSource;
  private timer: NodeJS.Timeout | undefined;
  private stalled = false;

  constructor(
    private readonly parent: CancellationToken,
    readonly stallMs: number,
    /** While true, silence is waiting (e.g. on a consumer), not a stall. */
    private readonly isPaused: () => boolean = () => false,
  ) {
    this.source = new CancellationTokenSource(parent);
    this.alive();
  }

  /** Cancelled by the parent, or by the watchdog on a stall. */
  get token(): CancellationToken {
    return this.source.token;
  }

  alive(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.isPaused()) return this.alive();
      this.stalled = true;
      this.source.cancel();
    }, this.stallMs);
  }

  /** AM_ERR_PROCESS_TIMEOUT when the watchdog (not the parent) stopped the process, else undefined. */
  timeoutError(path: string, activity: string, cause: unknown): MontageError | undefined {
    if (!this.stalled || this.parent.isCancellationRequested) return undefined;
    return new MontageError('AM_ERR_PROCESS_TIMEOUT', `ffmpeg produced no frame for ${Math.round(this.stallMs / 1000)} s while ${activity} ${path} and was killed.`, { where: { file: path }, cause });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.source.dispose();
  }
}

/**
 * Cuts rawvideo stdout chunks into frames of `frameBytes`. A frame that spans chunks is assembled in one
 * reused buffer, so `onFrame` must copy what it keeps beyond the call.
 */
export function frameSplitter(frameBytes: number, onFrame: (frame: Uint8Array) => void): (chunk: Buffer) => void {
  const partial = Buffer.alloc(frameBytes);
  let partialBytes = 0;
  return (chunk) => {
    let offset = 0;
    if (partialBytes > 0) {
      const take = Math.min(frameBytes - partialBytes, chunk.length);
      chunk.copy(partial, partialBytes, 0, take);
      partialBytes += take;
      offset = take;
      if (partialBytes < frameBytes) return;
      onFrame(partial);
      partialBytes = 0;
    }
    while (chunk.length - offset >= frameBytes) {
      onFrame(chunk.subarray(offset, offset + frameBytes));
      offset += frameBytes;
    }
    if (offset < chunk.length) {
      chunk.copy(partial, 0, offset);
      partialBytes = chunk.length - offset;
    }
  };
}

const SHOWINFO = /\bn:\s*\d+\s+pts:\s*(-?\d+)/;
const TIME_BASE = /config in time_base:\s*(\d+)\/(\d+)/;

/** Parses stderr text as it arrives: the showinfo time base (once), then one pts per output frame. */
export class ShowinfoReader {
  /** The filter's time base, once its configuration line has been read. */
  timeBase: Rate | undefined;
  private rest = '';

  constructor(
    private readonly onPts: (pts: number) => void,
    /** Every stderr line that is not showinfo's (ffmpeg's own messages), for error reports. */
    private readonly onOtherLine: (line: string) => void = () => {},
  ) {}

  push(text: string): void {
    const lines = (this.rest + text).split('\n');
    this.rest = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  /** Reads a last line that had no newline. Call once the process has ended. */
  end(): void {
    if (this.rest.includes('showinfo')) this.line(this.rest);
    this.rest = '';
  }

  private line(line: string): void {
    if (!line.includes('showinfo')) return this.onOtherLine(line);
    if (!this.timeBase) {
      const base = TIME_BASE.exec(line);
      if (base) {
        this.timeBase = { num: Number(base[1]), den: Number(base[2]) };
        return;
      }
    }
    const match = SHOWINFO.exec(line);
    if (match) this.onPts(Number(match[1]));
  }
}
