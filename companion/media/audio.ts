/**
 * Audio decoding: ffmpeg turns any audio stream into mono 32-bit float PCM at a chosen sample rate
 * (ffmpeg does the down-mix and the resampling), read from its stdout through {@link run}.
 */
import { MontageError } from '../core/errors';
import type { CancellationToken } from '../core/lifecycle';
import { ffmpegPath } from './binaries';
import { lastLines, run } from './process';

export interface DecodeAudioOptions {
  /** Output sample rate in Hz (ffmpeg resamples). */
  readonly sampleRate: number;
  /** Start of the part to decode, in file seconds (default 0). */
  readonly startSeconds?: number;
  /** Length of the part to decode, in seconds (default: to the end). */
  readonly durationSeconds?: number;
  /** Kill ffmpeg after this long (default 5 minutes). */
  readonly timeoutMs?: number;
  /** Refuse to decode more than this many seconds of audio (default 2 hours), to bound memory. */
  readonly maxSeconds?: number;
  readonly token?: CancellationToken;
}

/** Mono samples and their rate; `startSeconds` is the file time of sample 0. */
export interface DecodedAudio {
  readonly samples: Float32Array;
  readonly sampleRate: number;
  readonly startSeconds: number;
}

/**
 * Decodes the first audio stream of `path` to mono Float32 samples. Throws AM_ERR_MEDIA_UNREADABLE (naming
 * the file) when ffmpeg cannot decode it, AM_ERR_PROCESS_TIMEOUT, or CancellationError.
 */
export async function decodeAudio(path: string, options: DecodeAudioOptions): Promise<DecodedAudio> {
  const sampleRate = Math.round(options.sampleRate);
  if (!(sampleRate >= 1000 && sampleRate <= 192_000)) {
    throw new MontageError('AM_ERR_INVALID_ARGUMENT', `The sample rate ${options.sampleRate} is outside 1000–192000 Hz.`, { where: { field: 'sampleRate' } });
  }
  const startSeconds = Math.max(0, options.startSeconds ?? 0);
  const maxSeconds = options.maxSeconds ?? 2 * 3600;
  const args = ['-nostdin', '-v', 'error', '-threads', '1'];
  // Input seeking: ffmpeg decodes from the previous seek point and drops samples up to the start (accurate seek).
  if (startSeconds > 0) args.push('-ss', startSeconds.toFixed(6));
  args.push('-i', path, '-map', '0:a:0', '-vn', '-sn', '-dn');
  if (options.durationSeconds !== undefined) args.push('-t', Math.max(0, options.durationSeconds).toFixed(6));
  args.push('-ac', '1', '-ar', String(sampleRate), '-f', 'f32le', '-acodec', 'pcm_f32le', 'pipe:1');

  const maxBytes = Math.ceil(maxSeconds * sampleRate) * 4;
  let buffer = Buffer.allocUnsafe(Math.min(maxBytes, 1 << 20));
  let length = 0;
  try {
    await run(ffmpegPath(), args, {
      timeoutMs: options.timeoutMs ?? 5 * 60_000,
      token: options.token,
      onStdout: (chunk) => {
        if (length + chunk.length > maxBytes) {
          throw new MontageError('AM_ERR_INVALID_ARGUMENT', `The audio in ${path} is longer than ${maxSeconds} s, the most that is analysed.`, { where: { file: path } });
        }
        if (length + chunk.length > buffer.length) {
          const grown = Buffer.allocUnsafe(Math.min(maxBytes, Math.max(buffer.length * 2, length + chunk.length)));
          buffer.copy(grown, 0, 0, length);
          buffer = grown;
        }
        chunk.copy(buffer, length);
        length += chunk.length;
      },
    });
  } catch (error) {
    if (error instanceof MontageError && error.code === 'AM_ERR_FFMPEG_FAILED') {
      const reason = String(error.details?.['stderr'] ?? error.message);
      throw new MontageError('AM_ERR_MEDIA_UNREADABLE', `The audio of ${path} could not be decoded: ${lastLines(reason, 1)}`, { where: { file: path }, cause: error });
    }
    throw error;
  }
  const count = Math.floor(length / 4);
  const samples = new Float32Array(count);
  // Copy through a DataView-free path: the Buffer may be unaligned for a Float32Array view.
  new Uint8Array(samples.buffer).set(buffer.subarray(0, count * 4));
  // Guard against NaN/Inf from a broken decoder so nothing downstream sees them.
  for (let i = 0; i < count; i++) {
    const value = samples[i]!;
    if (!Number.isFinite(value)) samples[i] = 0;
  }
  return { samples, sampleRate, startSeconds };
}
