/**
 * Synthetic test movies spliced from the real annotated footage in ../shared/media/film, with ground truth
 * known to the frame: pieces are cut from the inside of annotated shots, joined by hard cuts or by xfade
 * transitions (cross-dissolve, pixel dissolve, fade through black or white) at known frames, optionally
 * darkened, made to move fast (a moving crop), or given flashes (one or two bright frames, not cuts).
 * Pieces may also come from ffmpeg's generators (moving synthetic pictures), carry the hard negatives of
 * action footage (partial and coloured flashes, explosions, luminance pulses, strobe, whip pans, fast
 * zooms, camera shake: see {@link EventEffect}) and be joined by wipes; the action dev set builds on this.
 * Rendering needs an ffmpeg with xfade (Debian's 5.1 at /usr/bin/ffmpeg, or GENERATOR_FFMPEG).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../../companion/media/process';
import { filmDir } from '../../support/paths';
import { random } from '../../support/random';

export const FILM_CLIPS = ['sintel_trailer', 'big_buck_bunny_first60s', 'nosferatu_1922_excerpt'] as const;
export type FilmClip = (typeof FILM_CLIPS)[number];

export interface Annotation {
  readonly name: FilmClip;
  readonly path: string;
  readonly fps: number;
  readonly frameCount: number;
  readonly cuts: readonly number[];
  readonly gradual: readonly { start: number; end: number; type: string }[];
}

export function loadAnnotation(name: FilmClip): Annotation {
  const json = JSON.parse(readFileSync(join(filmDir, `${name}.shots.json`), 'utf8')) as {
    fps: number;
    n_frames: number;
    hard_cuts: { frame: number }[];
    gradual_transitions: { start: number; end: number; type: string }[];
  };
  return {
    name,
    path: join(filmDir, `${name}.mp4`),
    fps: json.fps,
    frameCount: json.n_frames,
    cuts: json.hard_cuts.map((c) => c.frame),
    gradual: json.gradual_transitions.map(({ start, end, type }) => ({ start, end, type })),
  };
}

/** Frame intervals [start, end) inside single shots, away from every annotated transition by `margin`. */
export function cleanIntervals(annotation: Annotation, margin = 4, minimum = 40): { start: number; end: number }[] {
  const blocked = new Uint8Array(annotation.frameCount);
  const block = (from: number, to: number) => {
    for (let f = Math.max(0, from); f <= Math.min(annotation.frameCount - 1, to); f++) blocked[f] = 1;
  };
  for (const cut of annotation.cuts) block(cut - margin, cut + margin - 1);
  for (const g of annotation.gradual) block(g.start - margin, g.end + margin);
  block(0, margin);
  block(annotation.frameCount - margin, annotation.frameCount);
  const intervals: { start: number; end: number }[] = [];
  let start = -1;
  for (let f = 0; f <= annotation.frameCount; f++) {
    const free = f < annotation.frameCount && !blocked[f];
    if (free && start < 0) start = f;
    if (!free && start >= 0) {
      if (f - start >= minimum) intervals.push({ start, end: f });
      start = -1;
    }
  }
  return intervals;
}

/** Nearly flat pieces (black frames, blank cards) make invisible cuts that no detector can see: skip them. */
function isUsable(annotation: Annotation, interval: { start: number; end: number }): boolean {
  // Known blank stretches: Sintel's black gaps and dim cards, all within these annotated ranges.
  const blank: Record<string, [number, number][]> = {
    sintel_trailer: [[226, 247], [277, 286], [391, 397], [422, 435], [521, 526], [674, 680], [1137, 1251]],
    big_buck_bunny_first60s: [[0, 1]],
    nosferatu_1922_excerpt: [],
  };
  return !(blank[annotation.name] ?? []).some(([a, b]) => interval.start <= b && interval.end - 1 >= a);
}

/** Moving synthetic pictures from ffmpeg's lavfi generators (`-t` bounds them; 60 s at 24 fps). */
export const GENERATORS = {
  testsrc2: 'testsrc2=size=640x360',
  mandelbrot: 'mandelbrot=size=640x360',
  life: 'life=size=640x360:mold=10:ratio=0.12:seed=7:life_color=#e8c070:death_color=#402020',
  cellauto: 'cellauto=size=640x360:rule=110:seed=5',
  // Used only by the shot model's training data (models/training/shots), never by the dev set.
  gradients: 'gradients=size=640x360:speed=0.03:n=5:seed=3',
  sierpinski: 'sierpinski=size=640x360:seed=3:jump=100:type=carpet',
} as const;
export type Generator = keyof typeof GENERATORS;
export const GENERATOR_FRAMES = 1440;
export type Source = FilmClip | Generator;

export type JoinKind = 'cut' | 'fade' | 'dissolve' | 'fadeblack' | 'fadewhite' | 'wipeleft' | 'wiperight' | 'wipeup' | 'wipedown';
/**
 * Hard negatives that happen at `flashAt` for `flashLength` frames inside a piece: 'flash' (the original
 * bright flash), 'flash-white' (near white, full frame), 'flash-colour' (a coloured patch over part of the
 * frame: a muzzle flash), 'explosion' (bright, warm, decaying), 'pulse' (a smooth luminance swell),
 * 'strobe' (two frames bright, two normal), 'whip' (a whip pan across the picture, motion-blurred) and
 * 'zoom' (a fast zoom in, motion-blurred).
 */
export const EVENT_EFFECTS = ['flash', 'flash-white', 'flash-colour', 'explosion', 'pulse', 'strobe', 'whip', 'zoom'] as const;
export type EventEffect = (typeof EVENT_EFFECTS)[number];
/**
 * Whole-piece looks: 'dark' (underexposed), 'motion' (a fast moving crop), 'shake' (camera shake, blurred),
 * 'aged' (an old print: monochrome, grain, flicker, gate weave).
 */
export type PieceEffect = 'none' | 'dark' | 'motion' | 'shake' | 'aged' | EventEffect;

export interface Piece {
  readonly clip: Source;
  /** Source frames [start, start + length). */
  readonly start: number;
  readonly length: number;
  readonly effect: PieceEffect;
  /** For an event effect: the first frame (offset inside the piece) and the number of frames it lasts. */
  readonly flashAt?: number;
  readonly flashLength?: number;
  /** For 'flash-colour': the patch as fractions of the frame [x, y, width, height]. */
  readonly region?: readonly [number, number, number, number];
  /** The piece continues the previous piece's shot after a gap (the cut between them is a jump cut). */
  readonly continues?: boolean;
  /** The piece is the shot that follows the previous piece's shot in its film (a cut inside one scene). */
  readonly sameScene?: boolean;
}

export interface SpliceSpec {
  readonly name: string;
  readonly fps: number;
  readonly width: number;
  readonly height: number;
  readonly pieces: readonly Piece[];
  /** joins[i] joins pieces[i] and pieces[i + 1]; transition length in frames (0 for a cut). */
  readonly joins: readonly { kind: JoinKind; frames: number }[];
}

export interface SpliceTruth {
  readonly frameCount: number;
  readonly cuts: readonly number[];
  readonly gradual: readonly { start: number; end: number; kind: JoinKind }[];
  /** Frames that look like cuts but are not (flashes). */
  readonly flashes: readonly number[];
  /** What kind of cut each of `cuts` is: 'similar' (a jump cut inside one shot), 'scene' (to the next shot of the scene), 'dark' (dark on both sides) or 'cut'. */
  readonly cutKinds?: readonly ('cut' | 'similar' | 'scene' | 'dark')[];
  /** Hard negatives: frames [start, end] where no transition is (every event effect, and shaken pieces). */
  readonly negatives?: readonly { start: number; end: number; kind: Exclude<PieceEffect, 'none' | 'dark' | 'motion'> }[];
}


export interface SpliceRecipe {
  readonly name: string;
  readonly seed: number;
  readonly pieces: number;
  /** Joins drawn from this list, cycled in a shuffled order. */
  readonly joins: readonly JoinKind[];
  readonly effects?: readonly PieceEffect[];
  /** Piece length range in frames (default 40..96). */
  readonly pieceFrames?: readonly [number, number];
  /** Gradual length range in frames (default 12..36). */
  readonly transitionFrames?: readonly [number, number];
}

/** The clean, usable intervals of the three annotated clips, in clip order: pieces are cut from these. */
export function filmIntervals(): { clip: FilmClip; start: number; end: number }[] {
  return FILM_CLIPS.flatMap((clip) => {
    const annotation = loadAnnotation(clip);
    return cleanIntervals(annotation).filter((interval) => isUsable(annotation, interval)).map((interval) => ({ clip, ...interval }));
  });
}

/**
 * The length of the transition that joins the last of `pieces` to the one before, as near `want` as fits:
 * each piece keeps at least 8 frames of its own between the transitions on its two sides.
 */
export function fitTransition(pieces: readonly Piece[], joins: readonly { frames: number }[], want: number): number {
  const i = pieces.length - 1;
  const previous = pieces[i - 1]!;
  const previousHead = i >= 2 ? joins[i - 2]!.frames : 0;
  const limit = Math.min(previous.length - previousHead - 8, Math.floor(pieces[i]!.length / 2) - 4);
  return Math.max(6, Math.min(limit, want));
}

/** Draws a splice from the clean intervals of the three annotated clips. */
export function makeSpliceSpec(recipe: SpliceRecipe): SpliceSpec {
  const next = random(recipe.seed);
  const pool = filmIntervals();
  const [minPiece, maxPiece] = recipe.pieceFrames ?? [40, 96];
  const [minTransition, maxTransition] = recipe.transitionFrames ?? [12, 36];
  const pieces: Piece[] = [];
  const joins: { kind: JoinKind; frames: number }[] = [];
  let lastSource = -1;
  for (let i = 0; i < recipe.pieces; i++) {
    let source: number;
    do source = Math.floor(next() * pool.length);
    while (source === lastSource && pool.length > 1);
    lastSource = source;
    const interval = pool[source]!;
    const want = minPiece + Math.floor(next() * (maxPiece - minPiece + 1));
    const length = Math.min(want, interval.end - interval.start);
    const start = interval.start + Math.floor(next() * (interval.end - interval.start - length + 1));
    const effects = recipe.effects ?? ['none'];
    const effect = effects[Math.floor(next() * effects.length)]!;
    const piece: Piece =
      effect === 'flash' && length >= 24
        ? { clip: interval.clip, start, length, effect, flashAt: 8 + Math.floor(next() * (length - 16)), flashLength: 1 + Math.floor(next() * 2) }
        : { clip: interval.clip, start, length, effect: effect === 'flash' ? 'none' : effect };
    pieces.push(piece);
    if (i > 0) {
      const kind = recipe.joins[Math.floor(next() * recipe.joins.length)]!;
      const frames = kind === 'cut' ? 0 : fitTransition(pieces, joins, minTransition + Math.floor(next() * (maxTransition - minTransition + 1)));
      joins.push({ kind, frames });
    }
  }
  return { name: recipe.name, fps: 24, width: 640, height: 360, pieces: placeEvents(pieces, joins), joins };
}

export function isEvent(effect: PieceEffect): effect is EventEffect {
  return (EVENT_EFFECTS as readonly string[]).includes(effect);
}

/** Keeps every event in the middle of its piece, 6 frames clear of the transitions on either side (else drops it). */
export function placeEvents(pieces: readonly Piece[], joins: readonly { kind: JoinKind; frames: number }[]): Piece[] {
  return pieces.map((piece, i): Piece => {
    if (!isEvent(piece.effect) || piece.flashAt === undefined) return piece;
    const head = i > 0 ? joins[i - 1]!.frames : 0;
    const tail = i < joins.length ? joins[i]!.frames : 0;
    const first = head + 6;
    const last = piece.length - tail - 6 - (piece.flashLength ?? 1);
    if (last < first) return { clip: piece.clip, start: piece.start, length: piece.length, effect: 'none', ...(piece.continues ? { continues: true } : {}) };
    return { ...piece, flashAt: Math.min(last, Math.max(first, piece.flashAt)) };
  });
}

/** The ground truth of a spec (frame numbers of the rendered movie). */
export function spliceTruth(spec: SpliceSpec): SpliceTruth {
  const cuts: number[] = [];
  const cutKinds: ('cut' | 'similar' | 'scene' | 'dark')[] = [];
  const gradual: { start: number; end: number; kind: JoinKind }[] = [];
  const flashes: number[] = [];
  const negatives: { start: number; end: number; kind: Exclude<PieceEffect, 'none' | 'dark' | 'motion'> }[] = [];
  let length = 0;
  spec.pieces.forEach((piece, i) => {
    const join = i > 0 ? spec.joins[i - 1]! : undefined;
    const offset = join && join.kind !== 'cut' ? length - join.frames : length;
    if (join?.kind === 'cut') {
      cuts.push(length);
      cutKinds.push(piece.continues ? 'similar' : piece.sameScene ? 'scene' : piece.effect === 'dark' && spec.pieces[i - 1]!.effect === 'dark' ? 'dark' : 'cut');
    } else if (join) gradual.push({ start: offset, end: offset + join.frames - 1, kind: join.kind });
    if (piece.effect === 'flash' && piece.flashAt !== undefined) flashes.push(offset + piece.flashAt);
    if (isEvent(piece.effect) && piece.flashAt !== undefined) {
      negatives.push({ start: offset + piece.flashAt, end: offset + piece.flashAt + (piece.flashLength ?? 1) - 1, kind: piece.effect });
    }
    if (piece.effect === 'shake') {
      const head = join && join.kind !== 'cut' ? join.frames : 0;
      const out = spec.joins[i];
      const tail = out && out.kind !== 'cut' ? out.frames : 0;
      negatives.push({ start: offset + head + 3, end: offset + piece.length - tail - 4, kind: 'shake' });
    }
    length = offset + piece.length;
  });
  return { frameCount: length, cuts, gradual, flashes, cutKinds, negatives };
}

/** The generator ffmpeg (must have xfade): GENERATOR_FFMPEG, else /usr/bin/ffmpeg when present. */
export function generatorFfmpeg(): string | undefined {
  const configured = process.env['GENERATOR_FFMPEG'];
  if (configured && existsSync(configured)) return configured;
  return existsSync('/usr/bin/ffmpeg') ? '/usr/bin/ffmpeg' : undefined;
}

/** Filters for frames [from, to) of a piece (offsets inside the piece), labelled `label`. */
function pieceFilter(spec: SpliceSpec, piece: Piece, from: number, to: number, label: string): string {
  const { width, height, fps } = spec;
  const input = sourceInputs(spec).indexOf(piece.clip);
  // Timestamps are renumbered from the frame count (the 25 fps clip plays 4% faster; nothing is dropped
  // or repeated, which keeps the truth frame-exact); t counts from the piece's first frame so effects
  // run on continuously across the parts of one piece.
  const chain = [`[${input}:v]trim=start_frame=${piece.start + from}:end_frame=${piece.start + to}`, `setpts=(N+${from})/(${fps}*TB)`];
  if (piece.effect === 'motion') {
    // A fast moving crop (about a quarter of the frame per second, back and forth) on a 2× zoom.
    chain.push(`scale=${width * 2}:${height * 2}`, `crop=${width}:${height}:x='${width / 2}+${width / 2}*sin(t*5)':y='${height / 2}+${height / 3}*cos(t*4)'`);
  } else {
    chain.push(`scale=${width}:${height}`);
  }
  if (piece.effect === 'dark') chain.push(`lutyuv=y='16+(val-16)*0.22':u='128+(val-128)*0.4':v='128+(val-128)*0.4'`);
  if (piece.effect === 'aged') {
    // Gate weave (a 1.03× picture wandering by a few pixels), then monochrome with per-frame grain and flicker.
    chain.push(`scale=${Math.round(width * 1.03)}:${Math.round(height * 1.03)}`, `crop=${width}:${height}:x='(iw-ow)/2*(1+0.6*sin(t*13))':y='(ih-oh)/2*(1+0.6*sin(t*17+2))'`);
    chain.push('hue=s=0', 'noise=alls=18:allf=t', `eq=brightness='0.04*sin(t*47)*cos(t*19)':contrast=1.15:eval=frame`);
  }
  if (piece.effect === 'flash' && piece.flashAt !== undefined) {
    const start = (piece.flashAt - 0.25) / fps;
    const end = (piece.flashAt + (piece.flashLength ?? 1) - 0.75) / fps;
    chain.push(`lutyuv=y='min(255,val*1.6+90)':enable='between(t,${start.toFixed(5)},${end.toFixed(5)})'`);
  } else if (isEvent(piece.effect) && piece.flashAt !== undefined) {
    chain.push(...eventFilters(spec, piece));
  }
  if (piece.effect === 'shake') {
    // Camera shake: a 1.25× picture jittered by up to ±40 px (incommensurate sines change every frame), blurred over two frames.
    chain.push(`scale=${Math.round(width * 1.25)}:${Math.round(height * 1.25)}`, `crop=${width}:${height}:x='(iw-ow)/2*(1+0.5*sin(t*37)*cos(t*11))':y='(ih-oh)/2*(1+0.5*sin(t*29+1)*cos(t*7))'`, 'tmix=frames=2');
  }
  chain.push('setsar=1', 'format=yuv420p', `settb=1/${fps}`, 'setpts=N', `fps=${fps}`);
  return `${chain.join(',')}[${label}]`;
}

/**
 * The filters of an event effect (after scaling to the spec's size). `k` is the frame offset from the
 * event's first frame; the timeline window covers exactly its frames.
 */
function eventFilters(spec: SpliceSpec, piece: Piece): string[] {
  const { width, height, fps } = spec;
  const at = piece.flashAt!;
  const frames = piece.flashLength ?? 1;
  const window = `enable='between(t,${((at - 0.25) / fps).toFixed(5)},${((at + frames - 0.75) / fps).toFixed(5)})'`;
  const k = `(t*${fps}-${at})`;
  // Eases 0 → 1 across the event's frames (smoothstep), for moves that start and stop.
  const ease = `(clip((t*${fps}-${at}+1)/${frames + 1},0,1)*clip((t*${fps}-${at}+1)/${frames + 1},0,1)*(3-2*clip((t*${fps}-${at}+1)/${frames + 1},0,1)))`;
  switch (piece.effect) {
    case 'flash-white':
      return [`lutyuv=y='val*0.2+200':u='128+(val-128)*0.3':v='128+(val-128)*0.3':${window}`];
    case 'flash-colour': {
      const [x, y, w, h] = piece.region ?? [0.3, 0.3, 0.4, 0.4];
      const colour = ['0xFFC050', '0xFFF4D0', '0xFF7020'][at % 3]!;
      return [`drawbox=x=${Math.round(x * width)}:y=${Math.round(y * height)}:w=${Math.round(w * width)}:h=${Math.round(h * height)}:color=${colour}@0.85:t=fill:${window}`];
    }
    case 'explosion':
      return [`eq=brightness='0.7*exp(-0.5*${k})':saturation=1.6:gamma_b=0.6:eval=frame:${window}`];
    case 'pulse':
      return [`eq=brightness='0.3*sin(PI*(${k}+1)/${frames + 1})':eval=frame:${window}`];
    case 'strobe':
      return [`eq=brightness='0.6*lt(mod(round(${k}),4),2)':eval=frame:${window}`];
    case 'whip':
      // The crop sweeps across a 2× picture during the event and rests at either end before and after it.
      return [`scale=${width * 2}:${height * 2}`, `crop=${width}:${height}:x='(iw-ow)*${ease}':y='(ih-oh)/2'`, 'tmix=frames=3'];
    case 'zoom':
      return [`scale=w='${width}*(1+1.5*${ease})':h='${height}*(1+1.5*${ease})':eval=frame`, `crop=${width}:${height}`, 'tmix=frames=3'];
    default:
      return [];
  }
}

/** The inputs a spec reads, in input order: the three films, then the generators it uses. */
function sourceInputs(spec: SpliceSpec): Source[] {
  const generators = (Object.keys(GENERATORS) as Generator[]).filter((g) => spec.pieces.some((piece) => piece.clip === g));
  return [...FILM_CLIPS, ...generators];
}

/** Renders a spec to an H.264 file with the generator ffmpeg. */
export async function renderSplice(spec: SpliceSpec, output: string, ffmpeg = generatorFfmpeg()): Promise<SpliceTruth> {
  if (!ffmpeg) throw new Error('No ffmpeg with xfade: install Debian ffmpeg (apt-get install ffmpeg) or set GENERATOR_FFMPEG.');
  const inputs = sourceInputs(spec).flatMap((source) =>
    source in GENERATORS ? ['-f', 'lavfi', '-t', String(GENERATOR_FRAMES / spec.fps), '-i', `${GENERATORS[source as Generator]}:rate=${spec.fps}`] : ['-i', join(filmDir, `${source}.mp4`)],
  );
  // Each piece is split into head | body | tail, where head and tail are the frames it shares with the
  // transitions on either side; every transition is one xfade of exactly two D-frame parts (offset 0),
  // and everything is concatenated. (Chained xfades drift by a frame; this layout is exact.)
  const filters: string[] = [];
  const parts: string[] = [];
  spec.pieces.forEach((piece, i) => {
    const into = i > 0 ? spec.joins[i - 1]! : undefined;
    const out = i < spec.joins.length ? spec.joins[i]! : undefined;
    const head = into && into.kind !== 'cut' ? into.frames : 0;
    const tail = out && out.kind !== 'cut' ? out.frames : 0;
    if (head > 0) {
      filters.push(pieceFilter(spec, piece, 0, head, `h${i}`));
      filters.push(`[t${i - 1}][h${i}]xfade=transition=${into!.kind}:duration=${(head / spec.fps).toFixed(6)}:offset=0[x${i}]`);
      parts.push(`[x${i}]`);
    }
    filters.push(pieceFilter(spec, piece, head, piece.length - tail, `b${i}`));
    parts.push(`[b${i}]`);
    if (tail > 0) filters.push(pieceFilter(spec, piece, piece.length - tail, piece.length, `t${i}`));
  });
  filters.push(`${parts.join('')}concat=n=${parts.length}:v=1:a=0,settb=1/${spec.fps},setpts=N[out]`);
  const current = 'out';
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...inputs, '-filter_complex', filters.join(';'), '-map', `[${current}]`];
  args.push('-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-r', String(spec.fps), '-an', output);
  await run(ffmpeg, args, { timeoutMs: 10 * 60_000 });
  return spliceTruth(spec);
}
