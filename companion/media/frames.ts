/**
 * Single frames at a chosen size, for keyframes and face detection: one accurate seek per frame
 * (`-ss` before `-i` decodes from the previous keyframe and drops what lies before the target),
 * a few ffmpeg processes at a time. Frame indices count on the movie's rate from 0, as in Shot ranges.
 */
import { availableParallelism } from 'node:os';
import { MontageError } from '../core/errors';
import { throwIfCancelled, type CancellationToken } from '../core/lifecycle';
import type { VideoStreamInfo } from '../core/montage';
import type { RgbFrame } from '../core/pipeline';
import { toFps } from '../core/rational';
import { ffmpegPath } from './binaries';
import { probeMovie } from './probe';
import { run } from './process';
import { frameSplitter, seekSeconds } from './raw-video';

/** An exact output size, or a largest width (the height keeps the display aspect ratio, rounded to even). */
export type FrameSize = { readonly width: number; readonly height: number } | { readonly maxWidth: number };

export interface ExtractFramesOptions {
  /** The movie's stream facts when already probed (saves one ffprobe). */
  readonly video?: VideoStreamInfo;
  /** ffmpeg processes at once (default: min(4, cores)). */
  readonly concurrency?: number;
  /** Per frame (default 60 s). */
  readonly timeoutMs?: number;
}

/** The output size for a display size and a {@link FrameSize}; always at least 2×2 and even. */
export function resolveFrameSize(video: { width: number; height: number }, size: FrameSize): { width: number; height: number } {
  const even = (value: number) => Math.max(2, 2 * Math.round(value / 2));
  if ('maxWidth' in size) {
    const width = even(Math.min(size.maxWidth, video.width));
    return { width, height: even((width * video.height) / Math.max(1, video.width)) };
  }
  return { width: even(size.width), height: even(size.height) };
}

/**
 * Decodes the frames at `frameIndices` (movie frames on the probed rate) as RGB24 at `size`.
 * Returns them in the order asked; an index past the end yields the last frame that exists.
 * Throws AM_ERR_INVALID_ARGUMENT for a negative or non-integer index, AM_ERR_NO_VIDEO_STREAM,
 * AM_ERR_MEDIA_UNREADABLE when no frame can be decoded, or CancellationError.
 */
export async function extractFrames(
  path: string,
  frameIndices: readonly number[],
  size: FrameSize,
  token?: CancellationToken,
  options: ExtractFramesOptions = {},
): Promise<RgbFrame[]> {
  for (const index of frameIndices) {
    if (!Number.isInteger(index) || index < 0) {
      throw new MontageError('AM_ERR_INVALID_ARGUMENT', `Frame index ${index} is not a non-negative integer.`, { where: { file: path, field: 'frameIndices' } });
    }
  }
  if (frameIndices.length === 0) return [];
  const video = options.video ?? (await probeMovie(path, token)).video;
  const { width, height } = resolveFrameSize(video, size);
  const fps = toFps(video.rate);
  const frameBytes = width * height * 3;
  const unique = [...new Set(frameIndices)];
  const decoded = new Map<number, RgbFrame>();
  const concurrency = Math.max(1, options.concurrency ?? Math.min(4, availableParallelism()));

  const decodeOne = async (index: number): Promise<void> => {
    throwIfCancelled(token);
    const args = ['-hide_banner', '-nostdin', '-v', 'error', '-ss', seekSeconds(index, fps).toFixed(6), '-i', path, '-map', '0:v:0', '-an', '-sn', '-dn'];
    args.push('-vf', `scale=${width}:${height}:flags=area,format=rgb24`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
    const { stdout } = await run(ffmpegPath(), args, { timeoutMs: options.timeoutMs ?? 60_000, token, maxStdoutBytes: frameBytes * 2 });
    if (stdout.length >= frameBytes) decoded.set(index, { index, width, height, data: new Uint8Array(stdout.buffer, stdout.byteOffset, frameBytes) });
  };

  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < unique.length && failure === undefined) {
      const index = unique[next++]!;
      try {
        await decodeOne(index);
      } catch (error) {
        failure ??= error; // the other workers stop after their current frame
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, unique.length) }, worker));
  if (failure !== undefined) throw failure;

  // A seek past the end decodes nothing: fall back to the last frame that exists, found once.
  const missing = unique.filter((index) => !decoded.has(index));
  if (missing.length > 0) {
    const last = await decodeLastFrame(path, width, height, frameBytes, token, options.timeoutMs);
    for (const index of missing) decoded.set(index, { ...last, index });
  }
  return frameIndices.map((index) => decoded.get(index)!);
}

async function decodeLastFrame(path: string, width: number, height: number, frameBytes: number, token: CancellationToken | undefined, timeoutMs = 60_000): Promise<RgbFrame> {
  // -sseof seeks relative to the end; a few seconds back then keep the final frame.
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-sseof', '-3', '-i', path, '-map', '0:v:0', '-an', '-sn', '-dn'];
  args.push('-vf', `scale=${width}:${height}:flags=area,format=rgb24`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
  let last: Uint8Array | undefined;
  const split = frameSplitter(frameBytes, (frame) => {
    if (last) last.set(frame);
    else last = Uint8Array.from(frame);
  });
  await run(ffmpegPath(), args, { timeoutMs, token, onStdout: split });
  if (!last) throw new MontageError('AM_ERR_MEDIA_UNREADABLE', `No frame could be decoded from ${path}.`, { where: { file: path } });
  return { index: -1, width, height, data: last };
}
