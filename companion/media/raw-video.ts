/**
 * Reading ffmpeg's raw video output: whole frames out of the stdout byte stream, and each frame's timestamp
 * from the `showinfo` filter's lines on stderr (frames and timestamps arrive in the same order).
 */
import type { Rate } from '../core/rational';

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
