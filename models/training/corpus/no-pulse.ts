/**
 * Sound with no beat for the corpus: the network's negative examples (every frame's target is 0), so that it
 * stops hearing beats in noise, speech, scattered hits and drones. Generated here, one minute each:
 *   - noise: white, pink or brown (ffmpeg anoisesrc), band-limited, with a slow irregular swell;
 *   - speech: espeak-ng (GPL-3+) reading random words at a random rate and pitch, with pauses (skipped, with a
 *     log line, where espeak-ng is absent);
 *   - hits: percussive noise bursts at Poisson times (rain on a roof, a typewriter, footsteps out of step);
 *   - drones: a few slowly gliding partials with no attacks.
 * The test suite's own generators (test/music/synth.ts: a formant "speech", free-tempo clicks, pink noise at
 * seeds 1, 8, 9) are deliberately not used, so the tests stay out of the training distribution.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { writeWav } from '../../../test/music/synth';
import { random } from '../../../test/support/random';
import type { CorpusItem, Split } from './build-corpus';

const SECONDS = 60;
const RATE = 22050;
const KINDS = ['noise', 'speech', 'hits', 'drone'] as const;
type Kind = (typeof KINDS)[number];
/** Per kind: seeds 1…8 train, 101…102 dev. */
const SEEDS: Readonly<Record<'train' | 'dev', readonly number[]>> = { train: [1, 2, 3, 4, 5, 6, 7, 8], dev: [101, 102] };
const WORDS = 'the river was cold and the road ran north past the old mill where nobody had lived for years a light moved in the window then it was gone again we waited until morning'.split(' ');

function has(tool: string): boolean {
  return spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
}

function ffmpeg(args: string[]): void {
  const result = spawnSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (result.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${result.stderr?.toString().slice(-400)}`);
}

/** Noise bursts (5–80 ms decays, random level) at Poisson times, 0.7–7 a second. */
function hits(seed: number): Float32Array {
  const rng = random(seed * 7919);
  const out = new Float32Array(SECONDS * RATE);
  const rate = 0.7 + 6.3 * rng();
  const brightness = 0.2 + 0.75 * rng();
  for (let t = -Math.log(1 - rng()) / rate; t < SECONDS; t += -Math.log(1 - rng()) / rate) {
    const start = Math.floor(t * RATE);
    const decay = (0.005 + 0.075 * rng()) * RATE;
    const level = 0.05 + 0.4 * rng();
    let state = 0;
    for (let i = 0; i < 6 * decay && start + i < out.length; i++) {
      state = brightness * state + (1 - brightness) * (2 * rng() - 1);
      out[start + i]! += level * Math.exp(-i / decay) * state * 3;
    }
  }
  return out;
}

/** Three to six partials gliding slowly (random walks in pitch and level), no attacks. */
function drone(seed: number): Float32Array {
  const rng = random(seed * 104729);
  const out = new Float32Array(SECONDS * RATE);
  const partials = 3 + Math.floor(4 * rng());
  for (let p = 0; p < partials; p++) {
    let frequency = 60 * 2 ** (5 * rng());
    let level = 0.05 + 0.1 * rng();
    let phase = 0;
    for (let i = 0; i < out.length; i++) {
      if (i % 2205 === 0) {
        frequency *= 2 ** ((rng() - 0.5) * 0.01);
        level = Math.max(0.01, Math.min(0.2, level * 2 ** ((rng() - 0.5) * 0.1)));
      }
      phase += (2 * Math.PI * frequency) / RATE;
      out[i]! += level * Math.sin(phase);
    }
  }
  return out;
}

function render(kind: Kind, seed: number, out: string): void {
  const rng = random(seed * 31 + KINDS.indexOf(kind));
  const partial = `${out}.${process.pid}.partial.wav`;
  if (kind === 'noise') {
    const colour = (['white', 'pink', 'brown'] as const)[seed % 3];
    const cutoff = Math.round(300 + 7000 * rng());
    // A slow swell at an irrational rate, so no period lines up with a tempo.
    ffmpeg(['-f', 'lavfi', '-i', `anoisesrc=d=${SECONDS}:c=${colour}:a=0.3:r=${RATE}:seed=${1000 + seed}`, '-af', `lowpass=f=${cutoff},volume='0.6+0.4*sin(2*PI*t*${(0.013 + 0.05 * rng()).toFixed(4)})':eval=frame`, '-ac', '1', partial]);
  } else if (kind === 'speech') {
    const text = Array.from({ length: 160 }, () => WORDS[Math.floor(rng() * WORDS.length)]! + (rng() < 0.12 ? '.' : '')).join(' ');
    const spoken = `${out}.${process.pid}.espeak.wav`;
    const result = spawnSync('espeak-ng', ['-s', String(Math.round(120 + 80 * rng())), '-p', String(Math.round(20 + 60 * rng())), '-w', spoken, text], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (result.status !== 0) throw new Error(`espeak-ng failed: ${result.stderr?.toString().slice(-300)}`);
    ffmpeg(['-i', spoken, '-af', `apad=whole_dur=${SECONDS}`, '-t', String(SECONDS), '-ac', '1', '-ar', String(RATE), partial]);
    rmSync(spoken, { force: true });
  } else {
    writeWav(partial, kind === 'hits' ? hits(seed) : drone(seed), RATE);
  }
  renameSync(partial, out);
}

/** The no-pulse items of the asked splits, rendered where missing (genre 'no-pulse', no beats). */
export function noPulseItems(audio: (id: string) => string, splits: ReadonlySet<Split>, log: (line: string) => void): CorpusItem[] {
  const items: CorpusItem[] = [];
  const speech = has('espeak-ng');
  if (!speech) log('no espeak-ng: the corpus has no speech negatives (apt-get install espeak-ng)');
  for (const split of ['train', 'dev'] as const) {
    if (!splits.has(split)) continue;
    for (const kind of KINDS) {
      if (kind === 'speech' && !speech) continue;
      for (const seed of SEEDS[split]) {
        const id = `no-pulse/${kind} ${seed}`;
        const out = audio(id);
        if (!existsSync(out)) {
          log(`render ${id}`);
          render(kind, seed, out);
        }
        items.push({ id, piece: id, source: 'generated', genre: 'no-pulse', variant: kind, split, audio: out, beats: [], meters: [], minBpm: 0, maxBpm: 0 });
      }
    }
  }
  return items;
}
