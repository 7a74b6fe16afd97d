/**
 * Small JPEGs from RGB24 frames already in memory (thumbnails): one ffmpeg reads the frames as raw video on
 * stdin, scales them and writes one baseline JPEG per frame to stdout (image2pipe). The stream is split at
 * each image's end marker (FF D9): inside entropy-coded data an FF byte is always followed by 00 or a
 * restart marker, so FF D9 can only end an image (ITU-T T.81 B.1.1.2, F.1.2.3).
 */
import { MontageError } from '../core/errors';
import type { CancellationToken } from '../core/lifecycle';
import { ffmpegPath } from './binaries';
import { run } from './process';

export interface JpegOptions {
  /** Output width (the height keeps the aspect, rounded to even). */
  readonly width: number;
  /** ffmpeg's mjpeg quality scale, 2 (best) … 31 (default 5). */
  readonly quality?: number;
  readonly token?: CancellationToken;
}

/**
 * Encodes frames of one size (`width`×`height` RGB24 each) as JPEGs, in order. Throws AM_ERR_INVALID_ARGUMENT
 * for a frame of the wrong size, AM_ERR_FFMPEG_FAILED when ffmpeg fails or returns another count.
 */
export async function encodeJpegs(frames: readonly Uint8Array[], width: number, height: number, options: JpegOptions): Promise<Buffer[]> {
  if (frames.length === 0) return [];
  const frameBytes = width * height * 3;
  for (const frame of frames) {
    if (frame.length !== frameBytes) throw new MontageError('AM_ERR_INVALID_ARGUMENT', `A ${width}×${height} RGB frame has ${frameBytes} bytes, not ${frame.length}.`, { where: { field: 'frames' } });
  }
  const outWidth = Math.max(2, 2 * Math.round(Math.min(options.width, width) / 2));
  const args = [
    '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', '25', '-i', 'pipe:0',
    '-vf', `scale=${outWidth}:-2:flags=area,format=yuvj420p`,
    '-c:v', 'mjpeg', '-q:v', String(options.quality ?? 5), '-f', 'image2pipe', 'pipe:1',
  ];
  const result = await run(ffmpegPath(), args, { stdin: Buffer.concat(frames), timeoutMs: 60_000 + frames.length * 200, ...(options.token ? { token: options.token } : {}) });
  const images = splitJpegs(result.stdout);
  if (images.length !== frames.length) {
    throw new MontageError('AM_ERR_FFMPEG_FAILED', `ffmpeg encoded ${images.length} JPEGs for ${frames.length} frames.`, { details: { stderr: result.stderr.slice(-2048) } });
  }
  return images;
}

/** Splits concatenated JPEG images at their end markers. */
export function splitJpegs(stream: Buffer): Buffer[] {
  const images: Buffer[] = [];
  let start = 0;
  for (let i = 0; i + 1 < stream.length; i++) {
    if (stream[i] === 0xff && stream[i + 1] === 0xd9) {
      images.push(stream.subarray(start, i + 2));
      start = i + 2;
      i++;
    }
  }
  return images;
}
