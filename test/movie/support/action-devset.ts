/**
 * The action dev set: splices built by script (see splice.ts) with the hard cases of action footage, in two
 * parts that share no source material, so detection is tuned on one ('tune') and reported on the other
 * ('dev'). Each film's annotated shots are split in two runs (the first half of its clean intervals to
 * 'tune', the second to 'dev', so neighbouring shots of one scene stay together), and each part has its own
 * two ffmpeg generators.
 *
 * Four movies per part:
 *   negatives  hard cuts between pieces that each carry one hard negative: white and coloured partial
 *              flashes (1–4 frames), explosions (4–6), luminance pulses, strobe, whip pans and fast zooms
 *              with motion blur, camera shake;
 *   similar    cuts to the next shot of the same scene, jump cuts inside one shot (a gap of 2–4 s: the
 *              picture moved on, the look stayed), cuts between two dark pieces;
 *   gradual    dissolves (6–30 frames, mostly between moving pieces), pixel dissolves, fades through black
 *              and white, wipes, and a few cuts;
 *   action     short pieces (20–60 frames), mostly hard cuts, a few short dissolves, with every negative
 *              and moving, shaken and dark pieces mixed in.
 * Rendered into the gitignored .bench/movie by the bench (a few minutes once, then reused).
 */
import { random } from '../../support/random';
import {
  GENERATORS,
  GENERATOR_FRAMES,
  filmIntervals,
  fitTransition,
  placeEvents,
  type EventEffect,
  type Generator,
  type JoinKind,
  type Piece,
  type PieceEffect,
  type Source,
  type SpliceSpec,
} from './splice';

export type DevsetPart = 'tune' | 'dev';
export type DevsetKind = 'negatives' | 'similar' | 'gradual' | 'action';

export interface DevsetRecipe {
  readonly name: string;
  readonly part: DevsetPart;
  readonly kind: DevsetKind;
  readonly seed: number;
  readonly pieces: number;
}

const KINDS: readonly DevsetKind[] = ['negatives', 'similar', 'gradual', 'action'];
const PIECES: Record<DevsetKind, number> = { negatives: 32, similar: 40, gradual: 24, action: 36 };

export const DEVSET_RECIPES: readonly DevsetRecipe[] = (['tune', 'dev'] as const).flatMap((part, p) =>
  KINDS.map((kind, k) => ({ name: `devset-${part}-${kind}`, part, kind, seed: 1600 + 10 * p + k, pieces: PIECES[kind] })),
);

/** Each part's generators: moving synthetic pictures the other part never sees. */
const PART_GENERATORS: Record<DevsetPart, readonly Generator[]> = { tune: ['testsrc2', 'life'], dev: ['mandelbrot', 'cellauto'] };

/** The hard negatives, with how many frames each lasts. */
const NEGATIVE_FRAMES: Record<Exclude<EventEffect, 'flash'>, readonly [number, number]> = {
  'flash-white': [1, 3],
  'flash-colour': [1, 4],
  explosion: [4, 6],
  pulse: [8, 16],
  strobe: [8, 16],
  whip: [4, 10],
  zoom: [6, 14],
};
const NEGATIVES = [...(Object.keys(NEGATIVE_FRAMES) as (keyof typeof NEGATIVE_FRAMES)[]), 'shake'] as const;

interface Interval {
  readonly clip: Source;
  readonly start: number;
  readonly end: number;
}

/** The source intervals of one part: half the clean intervals of each film (in story order), and the part's generators. */
export function partIntervals(part: DevsetPart): Interval[] {
  const films = filmIntervals();
  const mine = films.filter((interval) => {
    const clip = films.filter((other) => other.clip === interval.clip);
    return clip.indexOf(interval) < clip.length / 2 === (part === 'tune');
  });
  return [...mine, ...PART_GENERATORS[part].map((clip) => ({ clip, start: 0, end: GENERATOR_FRAMES }))];
}

/**
 * Clean intervals whose picture barely changes over 2 s (title cards, a held frame: under 0.005 mean
 * thumbnail change 48 frames apart, measured once): a jump cut inside them would be invisible.
 */
const STILL: Partial<Record<Source, readonly number[]>> = { sintel_trailer: [1021], nosferatu_1922_excerpt: [5, 244] };

function isStill(interval: Interval): boolean {
  return STILL[interval.clip]?.includes(interval.start) ?? false;
}

/** Draws one dev set movie. */
export function makeDevsetSpec(recipe: DevsetRecipe): SpliceSpec {
  const next = random(recipe.seed);
  const between = (low: number, high: number) => low + Math.floor(next() * (high - low + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const pool = partIntervals(recipe.part);
  const generators = pool.filter((interval) => interval.clip in GENERATORS);
  const films = pool.filter((interval) => !generators.includes(interval));
  const negatives = [...NEGATIVES].sort(() => next() - 0.5);
  const pieces: Piece[] = [];
  const joins: { kind: JoinKind; frames: number }[] = [];
  let last: Interval | undefined;
  for (let i = 0; i < recipe.pieces; i++) {
    const [minLength, maxLength] = recipe.kind === 'action' ? [20, 60] : recipe.kind === 'similar' ? [24, 44] : [48, 90];
    const want = between(minLength, maxLength);
    let effect: PieceEffect = 'none';
    let join: JoinKind = 'cut';
    let transition = 0;
    const previous = pieces[pieces.length - 1];
    // A jump cut: the same shot again after a gap, in the same look.
    if (recipe.kind === 'similar' && previous && last && !isStill(last) && next() < 0.6) {
      const start = previous.start + previous.length + between(48, 96);
      if (last.end - start >= 24) {
        pieces.push({ clip: last.clip, start, length: Math.min(want, last.end - start), effect: previous.effect, continues: true });
        joins.push({ kind: 'cut', frames: 0 });
        continue;
      }
    }
    // A cut to the next shot of the same scene (the next annotated shot of the same film), in the same look.
    const following = last && pool[pool.indexOf(last) + 1];
    if (recipe.kind === 'similar' && previous && following && following.clip === last!.clip && next() < 0.5) {
      last = following;
      const length = Math.min(want, following.end - following.start);
      pieces.push({ clip: following.clip, start: following.start, length, effect: previous.effect, sameScene: true });
      joins.push({ kind: 'cut', frames: 0 });
      continue;
    }
    if (recipe.kind === 'negatives') effect = negatives[i % negatives.length]!;
    else if (recipe.kind === 'similar') effect = next() < (previous?.effect === 'dark' ? 0.7 : 0.35) ? 'dark' : 'none';
    else if (recipe.kind === 'gradual') {
      effect = next() < 0.6 ? 'motion' : 'none';
      join = pick<JoinKind>(['fade', 'fade', 'fade', 'dissolve', 'fadeblack', 'fadewhite', 'wipeleft', 'wiperight', 'wipeup', 'wipedown', 'cut']);
      transition = between(6, 30);
    } else {
      effect = pick<PieceEffect>(['none', 'none', 'motion', 'dark', 'shake', ...NEGATIVES]);
      join = next() < 0.12 ? 'fade' : 'cut';
      transition = between(8, 16);
    }
    let interval: Interval;
    do interval = next() < 0.25 ? pick(generators) : pick(films);
    while (interval === last && pool.length > 1);
    last = interval;
    const length = Math.min(want, interval.end - interval.start);
    const start = interval.start + Math.floor(next() * (interval.end - interval.start - length + 1));
    let piece: Piece = { clip: interval.clip, start, length, effect };
    if (effect !== 'none' && effect !== 'dark' && effect !== 'motion' && effect !== 'shake') {
      const [low, high] = NEGATIVE_FRAMES[effect as keyof typeof NEGATIVE_FRAMES];
      const frames = between(low, high);
      piece = { ...piece, flashAt: between(6, Math.max(6, length - frames - 6)), flashLength: frames };
      if (effect === 'flash-colour') {
        const w = 0.3 + 0.4 * next();
        const h = 0.3 + 0.4 * next();
        piece = { ...piece, region: [(1 - w) * next(), (1 - h) * next(), w, h] };
      }
    }
    pieces.push(piece);
    if (i > 0) joins.push({ kind: join, frames: join === 'cut' ? 0 : fitTransition(pieces, joins, transition) });
  }
  return { name: recipe.name, fps: 24, width: 640, height: 360, pieces: placeEvents(pieces, joins), joins };
}
