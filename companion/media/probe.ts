/** Media facts from ffprobe (JSON output), mapped to the core MediaInfo. */
import { MontageError } from '../core/errors';
import type { CancellationToken } from '../core/lifecycle';
import type { AudioStreamInfo, MediaInfo, VideoStreamInfo } from '../core/montage';
import type { FieldOrder, PixelAspectRatio } from '../core/timeline';
import { parseRate, snapRate, toFps } from '../core/rational';
import { ffprobePath } from './binaries';
import { lastLines, run } from './process';
import { openRegularFile } from './regular-file';

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  nb_frames?: string;
  duration?: string;
  channels?: number;
  sample_rate?: string;
  sample_aspect_ratio?: string;
  field_order?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
  side_data_list?: { rotation?: number }[];
}

interface ProbeOutput {
  streams?: ProbeStream[];
  format?: { format_name?: string; duration?: string; tags?: Record<string, string> };
}

/**
 * Checks, by opening it, that a path names a regular file this user may read, and returns its size. Throws
 * AM_ERR_FILE_NOT_FOUND (missing), AM_ERR_MEDIA_UNREADABLE (no permission) or AM_ERR_MEDIA_NOT_A_FILE.
 */
export async function assertReadableFile(path: string, role: string): Promise<number> {
  try {
    const { handle, info } = await openRegularFile(path);
    await handle.close();
    return info.size;
  } catch (error) {
    if (!(error instanceof MontageError)) throw error;
    throw new MontageError(error.code, `The ${role} file ${error.message}`, { where: { file: path }, cause: error });
  }
}

/** Probes a file. Throws AM_ERR_FILE_NOT_FOUND or AM_ERR_MEDIA_UNREADABLE naming the file. */
export async function probeMedia(path: string, token?: CancellationToken, role = 'media'): Promise<MediaInfo> {
  const sizeBytes = await assertReadableFile(path, role);
  let output: ProbeOutput;
  try {
    const { stdout } = await run(ffprobePath(), ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '--', path], { timeoutMs: 60_000, token });
    output = JSON.parse(stdout.toString('utf8')) as ProbeOutput;
  } catch (error) {
    if (error instanceof MontageError && error.code !== 'AM_ERR_FFMPEG_FAILED') throw error;
    const reason = error instanceof MontageError ? String(error.details?.['stderr'] ?? error.message) : String(error);
    throw new MontageError('AM_ERR_MEDIA_UNREADABLE', `The ${role} file ${path} is not readable media: ${lastLines(reason, 1)}`, { where: { file: path }, cause: error });
  }
  const streams = output.streams ?? [];
  const formatDuration = Number(output.format?.duration);
  const videoStream = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audioStream = streams.find((s) => s.codec_type === 'audio');
  if (!videoStream && !audioStream) {
    throw new MontageError('AM_ERR_MEDIA_UNREADABLE', `The ${role} file ${path} has no video or audio stream.`, { where: { file: path } });
  }
  const durationSeconds = Number.isFinite(formatDuration) && formatDuration > 0 ? formatDuration : Number(videoStream?.duration ?? audioStream?.duration ?? 0);
  const video = videoStream ? toVideoInfo(videoStream, durationSeconds, output.format?.tags) : undefined;
  const audio: AudioStreamInfo | undefined = audioStream
    ? { codec: audioStream.codec_name ?? 'unknown', channels: audioStream.channels ?? 2, sampleRate: Number(audioStream.sample_rate) || 48000 }
    : undefined;
  return {
    path,
    sizeBytes,
    durationSeconds: Number.isFinite(durationSeconds) ? durationSeconds : 0,
    formatName: output.format?.format_name ?? 'unknown',
    ...(video ? { video } : {}),
    ...(audio ? { audio } : {}),
  };
}

function toVideoInfo(stream: ProbeStream, formatDuration: number, formatTags: Record<string, string> | undefined): VideoStreamInfo {
  const nominal = parseRate(stream.r_frame_rate ?? '') ?? parseRate(stream.avg_frame_rate ?? '');
  const average = parseRate(stream.avg_frame_rate ?? '');
  const measured = average ?? nominal;
  const rate = snapRate(measured ? toFps(measured) : 25);
  const variableFrameRate = !!(nominal && average && Math.abs(toFps(nominal) - toFps(average)) / toFps(average) > 0.01);
  const streamDuration = Number(stream.duration);
  const duration = Number.isFinite(streamDuration) && streamDuration > 0 ? streamDuration : formatDuration;
  const declaredFrames = Number(stream.nb_frames);
  const frameCount = Number.isInteger(declaredFrames) && declaredFrames > 0 && !variableFrameRate ? declaredFrames : Math.max(0, Math.round(duration * toFps(rate)));
  const rotationRaw = stream.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation ?? Number(stream.tags?.['rotate'] ?? 0);
  const rotation = (((Math.round(rotationRaw / 90) * 90) % 360) + 360) % 360;
  const swap = rotation === 90 || rotation === 270;
  const width = stream.width ?? 0;
  const height = stream.height ?? 0;
  const startTimecode = stream.tags?.['timecode'] ?? formatTags?.['timecode'];
  const sampleAspect = pixelAspectRatio(stream.sample_aspect_ratio);
  const pixelAspect = sampleAspect && swap ? { num: sampleAspect.den, den: sampleAspect.num } : sampleAspect;
  const fieldOrder = FIELD_ORDERS[stream.field_order ?? ''];
  return {
    codec: stream.codec_name ?? 'unknown',
    width: swap ? height : width,
    height: swap ? width : height,
    rate,
    frameCount,
    rotation,
    variableFrameRate,
    ...(startTimecode ? { startTimecode } : {}),
    ...(pixelAspect ? { pixelAspectRatio: pixelAspect } : {}),
    ...(fieldOrder ? { fieldOrder } : {}),
  };
}

/**
 * ffprobe's `field_order` (which field is coded and which shown first) as the field shown first: `tt` and `bt`
 * show the top field first, `bb` and `tb` the bottom one. `progressive` and `unknown` are left out.
 */
const FIELD_ORDERS: Record<string, FieldOrder> = { tt: 'upper-first', bt: 'upper-first', bb: 'lower-first', tb: 'lower-first' };

/** "64:45" → {64, 45} in lowest terms; undefined for square ("1:1"), unknown ("0:1") or malformed values. */
export function pixelAspectRatio(text: string | undefined): PixelAspectRatio | undefined {
  const match = /^(\d+):(\d+)$/.exec(text ?? '');
  if (!match) return undefined;
  let [num, den] = [Number(match[1]), Number(match[2])];
  if (num <= 0 || den <= 0 || num === den) return undefined;
  for (let a = num, b = den; ; ) {
    if (b === 0) {
      [num, den] = [num / a, den / a];
      break;
    }
    [a, b] = [b, a % b];
  }
  return { num, den };
}

/** Probes the movie; throws AM_ERR_NO_VIDEO_STREAM when it has none. */
export async function probeMovie(path: string, token?: CancellationToken): Promise<MediaInfo & { video: VideoStreamInfo }> {
  const info = await probeMedia(path, token, 'movie');
  if (!info.video || info.video.width <= 0 || info.video.height <= 0) {
    throw new MontageError('AM_ERR_NO_VIDEO_STREAM', `The movie file ${path} has no video stream.`, { where: { file: path } });
  }
  return info as MediaInfo & { video: VideoStreamInfo };
}

/** Probes the music; throws AM_ERR_NO_AUDIO_STREAM when it has none. */
export async function probeMusic(path: string, token?: CancellationToken): Promise<MediaInfo & { audio: AudioStreamInfo }> {
  const info = await probeMedia(path, token, 'music');
  if (!info.audio) {
    throw new MontageError('AM_ERR_NO_AUDIO_STREAM', `The music file ${path} has no audio stream.`, { where: { file: path } });
  }
  return info as MediaInfo & { audio: AudioStreamInfo };
}
