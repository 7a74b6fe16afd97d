/**
 * Real footage for the many-sources tests and bench, generated with ffmpeg's lavfi sources: a file of hard-cut
 * shots at a given rate and size, each shot a moving pattern of its own (so the detector finds the cuts and the
 * pool keeps them), with a quiet tone as its soundtrack. Written through a temporary name, so a file that exists
 * is complete and can be reused.
 */
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { ffmpegPath } from '../../companion/media/binaries';
import { run } from '../../companion/media/process';

export interface FootageSpec {
  readonly fps: number | string;
  /** Seconds of each shot. */
  readonly shotSeconds: readonly number[];
  /** WxH (default 160x90). */
  readonly size?: string;
  /** Picks the shots' looks: shot i uses look (seed + i) (default 0). */
  readonly seed?: number;
  /** Audio-only file (a WAV of the tone, no video). */
  readonly audioOnly?: boolean;
}

/** Looks that differ in colour and motion, as lavfi sources at `size` and `fps`. */
function look(index: number, size: string, fps: number | string): string {
  const hue = (index * 47) % 360;
  const looks = [
    `testsrc2=size=${size}:rate=${fps},hue=h=${hue}`,
    `mandelbrot=size=${size}:rate=${fps}:start_scale=${1 + (index % 5) / 2}:end_scale=0.05`,
    `life=size=${size}:rate=${fps}:seed=${index + 1}:mold=10:life_color=0x${(0x30a0f0 + index * 0x1357).toString(16).slice(-6)}:death_color=0x101010`,
    `testsrc=size=${size}:rate=${fps},hue=h=${hue}:s=${1 + (index % 3) / 2}`,
    `cellauto=size=${size}:rate=${fps}:seed=${index + 3}:rule=${[30, 90, 110, 150][index % 4]},hue=h=${hue}`,
    `smptehdbars=size=${size}:rate=${fps},hue=h=${hue},drawbox=x='mod(t*40,iw)':y=10:w=20:h=20:color=white:t=fill`,
  ];
  return looks[index % looks.length]!;
}

function fpsNumber(fps: number | string): number {
  const [num, den = '1'] = String(fps).split('/');
  return Number(num) / Number(den);
}

/** Writes `spec` to `path` (H.264 + AAC by the extension's container), unless a file is already there. */
export async function makeFootage(path: string, spec: FootageSpec): Promise<string> {
  if (existsSync(path)) return path;
  const size = spec.size ?? '160x90';
  const seconds = spec.shotSeconds.reduce((sum, s) => sum + s, 0);
  const temporary = `${path}.partial${path.slice(path.lastIndexOf('.'))}`;
  const tone = ['-f', 'lavfi', '-t', String(seconds), '-i', 'sine=frequency=220:sample_rate=44100'];
  const args = spec.audioOnly
    ? [...tone, '-c:a', 'pcm_s16le']
    : [
        ...spec.shotSeconds.flatMap((s, i) => ['-f', 'lavfi', '-t', String(s), '-i', look((spec.seed ?? 0) + i, size, spec.fps)]),
        ...tone,
        '-filter_complex',
        `${spec.shotSeconds.map((_, i) => `[${i}:v]format=yuv420p,setsar=1,fps=${spec.fps}[v${i}]`).join(';')};${spec.shotSeconds.map((_, i) => `[v${i}]`).join('')}concat=n=${spec.shotSeconds.length}:v=1:a=0[video]`,
        '-map', '[video]', '-map', `${spec.shotSeconds.length}:a`,
        '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '28', '-g', String(Math.round(fpsNumber(spec.fps) * 2)),
        '-c:a', 'aac', '-b:a', '48k', '-shortest',
      ];
  try {
    await run(ffmpegPath(), ['-nostdin', '-hide_banner', '-v', 'error', ...args, '-y', temporary], { timeoutMs: 5 * 60_000 });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return path;
}
