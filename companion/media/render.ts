/**
 * Renders the preview montage: the chosen shot windows of the movie in order, frame-exact, with the music
 * range as the soundtrack. One ffmpeg process; each window is its own input, accurately seeked, so only
 * the used parts of a long movie are decoded. Written to a temporary name and renamed when complete.
 */
import { rename, rm } from 'node:fs/promises';
import type { CancellationToken, Progress, ProgressReport } from '../core/lifecycle';
import { toFps, type Rate } from '../core/rational';
import { ffmpegPath } from './binaries';
import { run } from './process';

export interface PreviewSegment {
  /** First movie frame of the window. */
  readonly startFrame: number;
  readonly frameCount: number;
}

export interface PreviewRequest {
  readonly moviePath: string;
  readonly movieRate: Rate;
  readonly movieHeight: number;
  readonly segments: readonly PreviewSegment[];
  readonly musicPath: string;
  readonly musicStartSeconds: number;
  readonly outPath: string;
  /** Preview height in pixels (default: the movie's, at most 540). */
  readonly maxHeight?: number;
}

export async function renderPreview(request: PreviewRequest, progress: Progress<ProgressReport>, token: CancellationToken): Promise<void> {
  const fps = toFps(request.movieRate);
  const totalFrames = request.segments.reduce((sum, s) => sum + s.frameCount, 0);
  const durationSeconds = totalFrames / fps;
  const height = 2 * Math.floor(Math.min(request.maxHeight ?? 540, request.movieHeight) / 2);
  const args = ['-nostdin', '-hide_banner', '-v', 'error', '-nostats', '-progress', 'pipe:1'];
  request.segments.forEach((segment) => {
    // Seek a quarter frame early so rounding in the container's timestamps never skips the first frame;
    // the trim below keeps exactly frameCount frames from there.
    const seekSeconds = Math.max(0, (segment.startFrame - 0.25) / fps);
    if (seekSeconds > 0) args.push('-ss', seekSeconds.toFixed(6));
    args.push('-t', ((segment.frameCount + 2) / fps).toFixed(6), '-i', request.moviePath);
  });
  args.push('-ss', request.musicStartSeconds.toFixed(6), '-t', durationSeconds.toFixed(6), '-i', request.musicPath);

  const chains = request.segments.map(
    (segment, i) => `[${i}:v]trim=end_frame=${segment.frameCount},setpts=PTS-STARTPTS,scale=-2:${height},setsar=1,format=yuv420p[v${i}]`,
  );
  const inputs = request.segments.map((_, i) => `[v${i}]`).join('');
  const musicIndex = request.segments.length;
  const filter = [
    ...chains,
    `${inputs}concat=n=${request.segments.length}:v=1:a=0[video]`,
    `[${musicIndex}:a]atrim=duration=${durationSeconds.toFixed(6)},asetpts=PTS-STARTPTS[audio]`,
  ].join(';');
  const temporary = `${request.outPath}.partial.mp4`;
  args.push(
    '-filter_complex', filter,
    '-map', '[video]', '-map', '[audio]',
    '-r', `${request.movieRate.num}/${request.movieRate.den}`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '192k', '-ac', '2',
    '-frames:v', String(totalFrames),
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
