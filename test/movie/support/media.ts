/** Small generated clips for the movie tests, made with the product's ffmpeg (the npm 4.1 build works). */
import { join } from 'node:path';
import { ffmpegPath } from '../../../companion/media/binaries';
import { run } from '../../../companion/media/process';

/** Runs ffmpeg with `args` (after -y) and returns `output`. */
export async function ffmpeg(output: string, args: readonly string[]): Promise<string> {
  await run(ffmpegPath(), ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args, output], { timeoutMs: 120_000 });
  return output;
}

/** Distinct lavfi pictures, one per shot. */
const PICTURES = ['testsrc', 'smptebars', 'rgbtestsrc', 'mandelbrot', 'testsrc=alpha=0', 'smptehdbars'] as const;

/**
 * A clip of `shots` visibly different test pictures with hard cuts between them, each `shotFrames` long,
 * at `rate` fps and `size` (an odd size is encoded 4:4:4, since 4:2:0 H.264 needs even sizes).
 */
export async function colourShots(dir: string, name: string, shots: number, shotFrames: number, options: { rate?: number; size?: string } = {}): Promise<string> {
  const rate = options.rate ?? 24;
  const size = options.size ?? '160x90';
  const [width, height] = size.split('x').map(Number) as [number, number];
  const odd = width % 2 === 1 || height % 2 === 1;
  const inputs = Array.from({ length: shots }, (_, i) => {
    const picture = PICTURES[i % PICTURES.length]!;
    const source = picture.includes('=') ? picture.replace('=', `=size=320x180:rate=${rate}:`) : `${picture}=size=320x180:rate=${rate}`;
    return ['-f', 'lavfi', '-i', source];
  }).flat();
  const parts = Array.from({ length: shots }, (_, i) => `[${i}:v]trim=end_frame=${shotFrames},setpts=PTS-STARTPTS,scale=${width}:${height},format=${odd ? 'yuv444p' : 'yuv420p'},setsar=1[s${i}]`);
  const filter = `${parts.join(';')};${parts.map((_, i) => `[s${i}]`).join('')}concat=n=${shots}:v=1:a=0[out]`;
  return ffmpeg(join(dir, `${name}.mp4`), [...inputs, '-filter_complex', filter, '-map', '[out]', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', odd ? 'yuv444p' : 'yuv420p', '-r', String(rate)]);
}
