/**
 * Training data for the learned transition model (models/shots/transition-tcn.onnx), `npm run train:shots`
 * step 1. Seeded, so every run draws the same movies.
 *
 * Movies are spliced (test/movie/support/splice.ts, Debian's ffmpeg 5.1) from the dev set's *tune* material
 * only: the first half of the Sintel and Big Buck Bunny clean shots (never Nosferatu's), the tune generators
 * (testsrc2, life) and two generators nothing else uses (gradients, sierpinski). Never the dev part's shots
 * or generators (the model is scored on those), never Tears of Steel. Each movie mixes random transitions
 * (hard cuts, jump cuts, cuts to the next shot of a scene, cross and pixel dissolves of 6–30 frames, fades
 * through black and white, wipes) with the hard negatives (flashes, coloured partial flashes, explosions,
 * pulses, strobe, whip pans, fast zooms, shake) and moving, dark and aged (old-print) pieces.
 *
 * The rendered movies are decoded by the product's own path (probeMovie + describeMovie: the 64×36 frames
 * and descriptors the analysis keeps), and written under .cache/shots (gitignored), per movie:
 *   NAME.features.f32  frames × TRANSITION_FEATURES (transition-features.ts)
 *   NAME.labels.u8     frames × 2: first frame of a new shot after a cut; frame inside a gradual transition
 *   NAME.descriptors.bin and NAME.json (the truth and sizes), for tuning the decoder without decoding again.
 * The action dev set (both parts) and the shared synthetic splices are decoded the same way (rendered into
 * .bench/movie in the bench's own format, so `npm run bench -- movie` reuses them): the tune part is the
 * validation set, the dev part and the shared set are only scored.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeMovie } from '../../../companion/analysis/movie/describe-movie';
import { transitionFeatures, TRANSITION_FEATURES } from '../../../companion/analysis/movie/transition-features';
import { probeMovie } from '../../../companion/media/probe';
import { DEVSET_RECIPES, makeDevsetSpec, partIntervals } from '../../../test/movie/support/action-devset';
import { ACCURACY_RECIPES } from '../../../test/movie/support/recipes';
import {
  FILM_CLIPS,
  GENERATOR_FRAMES,
  fitTransition,
  generatorFfmpeg,
  loadAnnotation,
  makeSpliceSpec,
  placeEvents,
  renderSplice,
  type EventEffect,
  type JoinKind,
  type Piece,
  type PieceEffect,
  type Source,
  type SpliceSpec,
} from '../../../test/movie/support/splice';
import { random } from '../../../test/support/random';
import { filmDir, repoRoot } from '../../../test/support/paths';
import { saveDescriptors } from './descriptor-file';

export const dataDir = join(repoRoot, '.cache', 'shots');
const benchDir = join(repoRoot, '.bench', 'movie');
/** Training movies drawn (about 2,000 frames each). */
export const TRAINING_MOVIES = 26;
const TRAINING_SEED = 4216;

const EVENT_FRAMES: Record<Exclude<EventEffect, 'flash'>, readonly [number, number]> = {
  'flash-white': [1, 4],
  'flash-colour': [1, 5],
  explosion: [3, 8],
  pulse: [6, 20],
  strobe: [6, 20],
  whip: [3, 12],
  zoom: [5, 16],
};
const EVENTS = Object.keys(EVENT_FRAMES) as (keyof typeof EVENT_FRAMES)[];
const JOINS: readonly JoinKind[] = ['cut', 'cut', 'cut', 'cut', 'cut', 'cut', 'fade', 'fade', 'fade', 'dissolve', 'fadeblack', 'fadewhite', 'wipeleft', 'wiperight', 'wipeup', 'wipedown'];

interface Interval {
  readonly clip: Source;
  readonly start: number;
  readonly end: number;
}

/**
 * Films the weights may not be derived from: the Nosferatu excerpt's transfer is unnamed and the clip is for
 * tests only (../shared/media/SOURCES.md). It stays in the dev set, which only scores.
 */
const NOT_FOR_TRAINING: readonly Source[] = ['nosferatu_1922_excerpt'];

/** The training material: the tune part's intervals (less the films above) and two generators of their own. */
function trainingIntervals(): Interval[] {
  const own: Interval[] = (['gradients', 'sierpinski'] as const).map((clip) => ({ clip, start: 0, end: GENERATOR_FRAMES }));
  const tune = partIntervals('tune').filter((interval) => !NOT_FOR_TRAINING.includes(interval.clip));
  for (const interval of tune) if (interval.clip === 'mandelbrot' || interval.clip === 'cellauto') throw new Error('dev material in the training pool');
  return [...tune, ...own];
}

/** The look a piece from the same shot or scene keeps: the previous piece's, when it is a whole-piece grade. */
const sameLook = (effect: PieceEffect): PieceEffect => (effect === 'dark' || effect === 'aged' ? effect : 'none');

/** One training movie. */
export function trainingSpec(index: number): SpliceSpec {
  const next = random(TRAINING_SEED + 31 * index);
  const between = (low: number, high: number) => low + Math.floor(next() * (high - low + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const pool = trainingIntervals();
  const generators = pool.filter((interval) => !(FILM_CLIPS as readonly string[]).includes(interval.clip));
  const films = pool.filter((interval) => !generators.includes(interval));
  const pieces: Piece[] = [];
  const joins: { kind: JoinKind; frames: number }[] = [];
  let last: Interval | undefined;
  const count = 44;
  for (let i = 0; i < count; i++) {
    const short = next() < 0.35;
    const want = short ? between(16, 40) : between(40, 90);
    const previous = pieces[pieces.length - 1];
    // Jump cuts and cuts to the next shot of the scene, in the previous piece's look.
    if (previous && last && !(last.clip in { gradients: 1, sierpinski: 1 }) && next() < 0.12) {
      const start = previous.start + previous.length + between(24, 96);
      if (last.end - start >= 16) {
        pieces.push({ clip: last.clip, start, length: Math.min(want, last.end - start), effect: sameLook(previous.effect), continues: true });
        joins.push({ kind: 'cut', frames: 0 });
        continue;
      }
    }
    const following = last && pool[pool.indexOf(last) + 1];
    if (previous && following && following.clip === last!.clip && next() < 0.1) {
      last = following;
      pieces.push({ clip: following.clip, start: following.start, length: Math.min(want, following.end - following.start), effect: sameLook(previous.effect), sameScene: true });
      joins.push({ kind: 'cut', frames: 0 });
      continue;
    }
    const roll = next();
    const effect: PieceEffect = roll < 0.26 ? 'none' : roll < 0.41 ? 'motion' : roll < 0.5 ? 'dark' : roll < 0.57 ? 'shake' : roll < 0.65 ? 'aged' : pick(EVENTS);
    let interval: Interval;
    do interval = next() < 0.3 ? pick(generators) : pick(films);
    while (interval === last && pool.length > 1);
    last = interval;
    const length = Math.min(want, interval.end - interval.start);
    const start = interval.start + Math.floor(next() * (interval.end - interval.start - length + 1));
    let piece: Piece = { clip: interval.clip, start, length, effect };
    if (effect in EVENT_FRAMES) {
      const [low, high] = EVENT_FRAMES[effect as keyof typeof EVENT_FRAMES];
      const frames = between(low, high);
      piece = { ...piece, flashAt: between(6, Math.max(6, length - frames - 6)), flashLength: frames };
      if (effect === 'flash-colour') {
        const w = 0.25 + 0.5 * next();
        const h = 0.25 + 0.5 * next();
        piece = { ...piece, region: [(1 - w) * next(), (1 - h) * next(), w, h] };
      }
    }
    pieces.push(piece);
    if (i > 0) {
      const kind = pick(JOINS);
      joins.push({ kind, frames: kind === 'cut' ? 0 : fitTransition(pieces, joins, between(6, 30)) });
    }
  }
  return { name: `shots-train-${String(index).padStart(2, '0')}`, fps: 24, width: 640, height: 360, pieces: placeEvents(pieces, joins), joins };
}

interface Truth {
  readonly frameCount: number;
  readonly cuts: readonly number[];
  readonly gradual: readonly { start: number; end: number }[];
}

/** Renders a spec into `dir` in the bench's format (NAME.mp4, NAME.truth.json, NAME.spec.json), reused while unchanged. */
async function rendered(spec: SpliceSpec, dir: string, ffmpeg: string): Promise<{ movie: string; truth: Truth }> {
  mkdirSync(dir, { recursive: true });
  const specText = JSON.stringify(spec);
  const movie = join(dir, `${spec.name}.mp4`);
  const truthFile = join(dir, `${spec.name}.truth.json`);
  const specFile = join(dir, `${spec.name}.spec.json`);
  if (existsSync(movie) && existsSync(truthFile) && existsSync(specFile) && readFileSync(specFile, 'utf8') === specText) {
    return { movie, truth: JSON.parse(readFileSync(truthFile, 'utf8')) as Truth };
  }
  const truth = await renderSplice(spec, movie, ffmpeg);
  writeFileSync(truthFile, JSON.stringify(truth));
  writeFileSync(specFile, specText);
  return { movie, truth };
}

/** Decodes a movie the product's way and writes its features, labels and descriptors. */
async function extract(name: string, movie: string, truth: Truth, set: string): Promise<void> {
  const stamp = join(dataDir, `${name}.json`);
  const movieStamp = `${movie}:${readFileSync(movie).length}`;
  if (existsSync(stamp) && (JSON.parse(readFileSync(stamp, 'utf8')) as { movie?: string }).movie === movieStamp) return;
  const media = await probeMovie(movie);
  const described = await describeMovie(movie, media.video, {}, { report: () => {} });
  const frames = described.frameCount;
  const features = transitionFeatures(described.descriptors, frames);
  const labels = new Uint8Array(frames * 2);
  for (const cut of truth.cuts) if (cut < frames) labels[cut * 2] = 1;
  for (const g of truth.gradual) for (let t = g.start; t <= Math.min(frames - 1, g.end); t++) labels[t * 2 + 1] = 1;
  writeFileSync(join(dataDir, `${name}.features.f32`), Buffer.from(features.buffer, features.byteOffset, features.byteLength));
  writeFileSync(join(dataDir, `${name}.labels.u8`), labels);
  saveDescriptors(join(dataDir, `${name}.descriptors.bin`), described.descriptors, frames);
  writeFileSync(stamp, JSON.stringify({ name, set, movie: movieStamp, frames, features: TRANSITION_FEATURES, fps: media.video.rate, truth }));
  console.log(`${set} ${name}: ${frames} frames, ${truth.cuts.length} cuts, ${truth.gradual.length} gradual`);
}

export async function main(): Promise<void> {
  const ffmpeg = generatorFfmpeg();
  if (!ffmpeg) throw new Error('No ffmpeg with xfade: install Debian ffmpeg (apt-get install ffmpeg) or set GENERATOR_FFMPEG.');
  mkdirSync(dataDir, { recursive: true });
  // `--from N`: start the training movies at N (to render two ranges at once).
  const fromArg = process.argv.indexOf('--from');
  const firstMovie = fromArg > 0 ? Number(process.argv[fromArg + 1]) : 0;
  const only = process.argv.slice(2).filter((arg, i, all) => arg !== '--from' && all[i - 1] !== '--from');
  const wanted = (set: string) => only.length === 0 || only.includes(set);
  if (wanted('devset')) {
    for (const recipe of DEVSET_RECIPES) {
      const spec = makeDevsetSpec(recipe);
      const { movie, truth } = await rendered(spec, benchDir, ffmpeg);
      await extract(spec.name, movie, truth, recipe.part);
    }
  }
  if (wanted('shared')) {
    for (const recipe of ACCURACY_RECIPES) {
      const spec = makeSpliceSpec(recipe);
      const { movie, truth } = await rendered(spec, benchDir, ffmpeg);
      await extract(`shared-${spec.name}`, movie, truth, 'shared');
    }
    for (const clip of FILM_CLIPS) {
      const annotation = loadAnnotation(clip);
      await extract(`real-${clip}`, join(filmDir, `${clip}.mp4`), annotation, 'real');
    }
  }
  if (wanted('train')) {
    for (let i = firstMovie; i < TRAINING_MOVIES; i++) {
      const spec = trainingSpec(i);
      const { movie, truth } = await rendered(spec, join(dataDir, 'movies'), ffmpeg);
      await extract(spec.name, movie, truth, 'train');
    }
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) await main();
