/**
 * Generates media with ffmpeg's lavfi sources: the demo's inputs and test fixtures. A "movie" of shots that
 * differ clearly in colour and motion, grouped into scenes, and music with a steady beat and accented downbeats.
 */
import { rename, rm } from 'node:fs/promises';
import type { CancellationToken } from '../core/lifecycle';
import { ffmpegPath } from './binaries';
import { run } from './process';

/** One generated shot: a lavfi source expression and a length. */
export interface SyntheticShot {
  readonly source: string;
  readonly seconds: number;
}

const size = '320x180';

/** The demo movie: 4 scenes × 3–4 shots; each scene has its own palette and pace. */
export const DEMO_SHOTS: readonly SyntheticShot[] = [
  // Scene 1: bright, colourful, fast (excited)
  { source: `testsrc2=size=${size}:rate=25`, seconds: 6 },
  { source: `mandelbrot=size=${size}:rate=25:start_scale=1.5:end_scale=0.05`, seconds: 7 },
  { source: `testsrc2=size=${size}:rate=25,hue=h=120:s=1.5`, seconds: 5 },
  // Scene 2: dark and still blue (sad / calm)
  { source: `color=c=0x0a1a40:size=${size}:rate=25,drawbox=x=40:y=30:w=80:h=60:color=0x203060:t=fill`, seconds: 9 },
  { source: `color=c=0x102050:size=${size}:rate=25,drawbox=x=180:y=90:w=100:h=60:color=0x304080:t=fill`, seconds: 8 },
  { source: `color=c=0x081530:size=${size}:rate=25,drawgrid=w=40:h=40:t=1:c=0x203050`, seconds: 10 },
  // Scene 3: red, chaotic motion (tense)
  { source: `life=size=${size}:rate=25:seed=7:mold=10:life_color=0xff3020:death_color=0x400000`, seconds: 6 },
  { source: `cellauto=size=${size}:rate=25:seed=3:rule=30,negate,colorchannelmixer=rr=1:gg=0.2:bb=0.1`, seconds: 7 },
  { source: `life=size=${size}:rate=25:seed=11:ratio=0.3:life_color=0xffa000:death_color=0x300000`, seconds: 5 },
  // Scene 4: warm, soft, slow (relaxed)
  { source: `color=c=0xf0c080:size=${size}:rate=25,drawbox=x=100:y=50:w=120:h=80:color=0xffe0b0:t=fill`, seconds: 9 },
  { source: `color=c=0xe0b070:size=${size}:rate=25,drawgrid=w=80:h=60:t=2:c=0xfff0d0`, seconds: 8 },
  { source: `smptehdbars=size=${size}:rate=25,hue=s=0.4,eq=brightness=0.1`, seconds: 7 },
];

async function encode(args: string[], outPath: string, token: CancellationToken | undefined): Promise<void> {
  const temporary = `${outPath}.partial${outPath.slice(outPath.lastIndexOf('.'))}`;
  try {
    await run(ffmpegPath(), ['-nostdin', '-hide_banner', '-v', 'error', ...args, '-y', temporary], { timeoutMs: 5 * 60_000, token });
    await rename(temporary, outPath);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Writes an H.264 movie made of `shots` joined with hard cuts, plus a quiet tone as its soundtrack. */
export async function synthesizeMovie(outPath: string, shots: readonly SyntheticShot[] = DEMO_SHOTS, token?: CancellationToken): Promise<void> {
  const inputs = shots.flatMap((shot) => ['-f', 'lavfi', '-t', String(shot.seconds), '-i', shot.source]);
  const total = shots.reduce((sum, s) => sum + s.seconds, 0);
  const chains = shots.map((_, i) => `[${i}:v]format=yuv420p,setsar=1,fps=25[v${i}]`);
  const filter = `${chains.join(';')};${shots.map((_, i) => `[v${i}]`).join('')}concat=n=${shots.length}:v=1:a=0[video]`;
  await encode(
    [...inputs, '-f', 'lavfi', '-t', String(total), '-i', 'sine=frequency=220:sample_rate=44100', '-filter_complex', filter, '-map', '[video]', '-map', `${shots.length}:a`, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '26', '-g', '50', '-c:a', 'aac', '-b:a', '64k', '-shortest'],
    outPath,
    token,
  );
}

export interface SyntheticMusic {
  readonly tempoBpm: number;
  readonly beatsPerBar: number;
  readonly seconds: number;
  /** Seconds of silence before the first downbeat. */
  readonly offsetSeconds?: number;
  /** Major (bright) or minor (dark) pad under the beat. */
  readonly mode?: 'major' | 'minor';
}

/**
 * Writes music with a steady beat: a kick and a high click on every downbeat, a softer click on the other
 * beats, and a sustained triad pad. Downbeats fall at offset + k·(beatsPerBar·60/tempo).
 */
export async function synthesizeMusic(outPath: string, music: SyntheticMusic, token?: CancellationToken): Promise<void> {
  const beat = 60 / music.tempoBpm;
  const bar = beat * music.beatsPerBar;
  const offset = music.offsetSeconds ?? 0;
  const third = music.mode === 'minor' ? 311.13 : 329.63;
  const t = `max(t-${offset},0)`;
  const sinceBeat = `mod(${t},${beat})`;
  const isDownbeat = `lt(mod(${t},${bar}),${beat / 2})`;
  const started = `gte(t,${offset})`;
  const kick = `${isDownbeat}*0.9*sin(2*PI*(55+90*exp(-30*${sinceBeat}))*${sinceBeat})*exp(-12*${sinceBeat})`;
  const click = `if(${isDownbeat},0.6,0.3)*sin(2*PI*if(${isDownbeat},1760,880)*t)*exp(-40*${sinceBeat})`;
  const pad = `0.05*(sin(2*PI*261.63*t)+sin(2*PI*${third}*t)+sin(2*PI*392*t))`;
  const expression = `${started}*(${kick}+${click}+${pad})`;
  await encode(['-f', 'lavfi', '-i', `aevalsrc='${expression}|${expression}':s=44100:d=${music.seconds}`, '-c:a', 'aac', '-b:a', '128k'], outPath, token);
}
