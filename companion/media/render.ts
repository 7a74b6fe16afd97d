/**
 * Renders the preview montage: the chosen shot windows of the movie in order, frame-exact, with the music
 * range as the soundtrack. One ffmpeg process; each window is its own input, accurately seeked, so only
 * the used parts of a long movie are decoded. Written to a temporary name and renamed when complete.
 */
import { rename, rm } from 'node:fs/promises';
import type { CancellationToken, Progress, ProgressReport } from '../core/lifecycle';
import { toFps, type Rate } from '../core/rational';
import type { PixelAspectRatio } from '../core/timeline';
import { ffmpegPath } from './binaries';
import { run } from './process';

/** The preview's audio rate. */
const PREVIEW_SAMPLE_RATE = 48000;

export interface PreviewSegment {
  /** First frame of the window, in its file's frames. */
  readonly startFrame: number;
  readonly frameCount: number;
  /** Another file than the request's movie (a montage of several sources), at its own rate. */
  readonly path?: string;
  readonly rate?: Rate;
  /** The window's length on the preview's (the timeline's) frame grid when its rate differs; default frameCount. */
  readonly recordFrames?: number;
}

export interface PreviewRequest {
  readonly moviePath: string;
  readonly movieRate: Rate;
  readonly movieHeight: number;
  readonly segments: readonly PreviewSegment[];
  readonly musicPath: string;
  readonly musicStartSeconds: number;
  readonly outPath: string;
  /** Preview height in pixels at most (default 540; never more than the frame's). */
  readonly maxHeight?: number;
  /**
   * The sequence's frame (the timeline's): every window is scaled and padded (letterboxed) into its display
   * shape. Required when the windows come from files of several sizes; absent, the movie's own display aspect.
   */
  readonly frame?: PreviewFrame;
}

/** A stored frame size and its pixel shape (absent: square). */
export interface PreviewFrame {
  readonly width: number;
  readonly height: number;
  readonly pixelAspectRatio?: PixelAspectRatio;
}

/** A frame's display size in square pixels: the stored width times the pixel aspect ratio, e.g. 720×576 64:45 → 1024×576. */
export function displaySize(frame: PreviewFrame): { width: number; height: number } {
  const ratio = frame.pixelAspectRatio ?? { num: 1, den: 1 };
  return { width: Math.round((frame.width * ratio.num) / ratio.den), height: frame.height };
}

/**
 * The preview's size for a frame of `display` size: its height (at most `maxHeight`) and the width of its display
 * aspect, both even (x264's 4:2:0), as the single-file path's `2*trunc(h*dar/2)` rounds it.
 */
export function previewSize(display: { width: number; height: number }, maxHeight = 540): { width: number; height: number } {
  const height = 2 * Math.floor(Math.min(maxHeight, display.height) / 2);
  return { width: 2 * Math.trunc((height * display.width) / display.height / 2), height };
}

export async function renderPreview(request: PreviewRequest, progress: Progress<ProgressReport>, token: CancellationToken): Promise<void> {
  const fps = toFps(request.movieRate);
  const recordFrames = (s: PreviewSegment) => s.recordFrames ?? s.frameCount;
  const totalFrames = request.segments.reduce((sum, s) => sum + recordFrames(s), 0);
  const durationSeconds = totalFrames / fps;
  const audioSamples = Math.round((totalFrames * request.movieRate.den * PREVIEW_SAMPLE_RATE) / request.movieRate.num);
  const size = request.frame ? previewSize(displaySize(request.frame), request.maxHeight) : undefined;
  const height = size?.height ?? 2 * Math.floor(Math.min(request.maxHeight ?? 540, request.movieHeight) / 2);
  const args = ['-nostdin', '-hide_banner', '-v', 'error', '-nostats', '-progress', 'pipe:1'];
  request.segments.forEach((segment) => {
    // Seek a quarter frame early so rounding in the container's timestamps never skips the first frame;
    // the trim below keeps exactly frameCount frames from there.
    const ownFps = segment.rate ? toFps(segment.rate) : fps;
    const seekSeconds = Math.max(0, (segment.startFrame - 0.25) / ownFps);
    if (seekSeconds > 0) args.push('-ss', seekSeconds.toFixed(6));
    args.push('-t', ((segment.frameCount + 2) / ownFps).toFixed(6), '-i', segment.path ?? request.moviePath);
  });
  args.push('-ss', request.musicStartSeconds.toFixed(6), '-t', durationSeconds.toFixed(6), '-i', request.musicPath);

  const rateText = `${request.movieRate.num}/${request.movieRate.den}`;
  // Windows of several sizes are fitted into one frame (concat needs one size); a window at another rate is
  // brought to the preview's rate (frames dropped or repeated, real speed kept) and cut to its record length.
  // Non-square pixels (a 720×576 64:45 PAL frame) are shown at their display aspect (960×540, not 676×540):
  // the width comes from the input's display aspect `dar` (iw/ih × sar), and the output's pixels are square.
  // The fit pads by pixel counts, so its input is made square first (a no-op for square pixels).
  const fit = size
    ? `scale='2*trunc(iw*sar/2)':ih,setsar=1,scale=${size.width}:${size.height}:force_original_aspect_ratio=decrease,pad=${size.width}:${size.height}:(ow-iw)/2:(oh-ih)/2`
    : `scale='2*trunc(${height}*dar/2)':${height}`;
  const chains = request.segments.map((segment, i) => {
    const retimed = segment.rate && segment.recordFrames !== undefined && segment.rate.num * request.movieRate.den !== request.movieRate.num * segment.rate.den;
    // Retimed: cut after the rate change, so the window lasts exactly its record frames (the input is read two frames long).
    const cut = retimed ? `setpts=PTS-STARTPTS,fps=${rateText},trim=end_frame=${segment.recordFrames}` : `trim=end_frame=${segment.frameCount}`;
    return `[${i}:v]${cut},setpts=PTS-STARTPTS,${fit},setsar=1,format=yuv420p[v${i}]`;
  });
  const inputs = request.segments.map((_, i) => `[v${i}]`).join('');
  const musicIndex = request.segments.length;
  const filter = [
    ...chains,
    `${inputs}concat=n=${request.segments.length}:v=1:a=0[video]`,
    // Exactly the video's length in samples at 48 kHz: cut there, and padded with silence should the music end sooner.
    `[${musicIndex}:a]aresample=${PREVIEW_SAMPLE_RATE},atrim=end_sample=${audioSamples},asetpts=PTS-STARTPTS,apad=whole_len=${audioSamples}[audio]`,
  ].join(';');
  const temporary = `${request.outPath}.partial.mp4`;
  args.push(
    '-filter_complex', filter,
    '-map', '[video]', '-map', '[audio]',
    '-r', `${request.movieRate.num}/${request.movieRate.den}`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '192k', '-ac', '2', '-ar', String(PREVIEW_SAMPLE_RATE),
    '-movflags', '+faststart', '-y', temporary,
  );

  let buffered = '';
  progress.report({ stage: 'render', fraction: 0 });
  try {
    await run(ffmpegPath(), args, {
      token,
      timeoutMs: 120_000 + durationSeconds * 20_000,
      onStdout: (chunk) => {
        buffered += chunk.toString('utf8');
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const match = /^frame=(\d+)/.exec(line);
          if (match) progress.report({ stage: 'render', fraction: Math.min(1, Number(match[1]) / Math.max(1, totalFrames)) });
        }
      },
    });
    await rename(temporary, request.outPath);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  progress.report({ stage: 'render', fraction: 1 });
}
