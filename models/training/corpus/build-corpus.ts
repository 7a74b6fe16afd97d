/**
 * The music corpus with exact beat and downbeat annotations, built from Debian packages (nothing is committed):
 *   - MIDI files of `openttd-openmsx` (GPL-2) and `planetblupi-music-midi` (GPL-3+), rendered with fluidsynth and
 *     the GM soundfonts of `fluid-soundfont-gm` (MIT) and `timgm6mb-soundfont` (GPL-2): as written, and
 *     non-percussive (drums removed, every part on piano, strings, brass, choir, organ or harp), tempo-scaled;
 *   - scores we compose (synthetic-score.ts): piano, strings, choir, pads, brass in 2/4, 3/4, 4/4, 6/8, 50–200 BPM,
 *     tempo steps, ritardandi, metre changes;
 *   - the Frets on Fire band recordings (`fretsonfire-songs-*`, CC-BY-SA-3.0 / Expat), with the chart's tempo map;
 *   - LMMS demo projects (`lmms-common`, each under its author's licence in the package's copyright file: GPL-2+,
 *     CC-BY(-SA), Artistic-2.0) rendered with the `lmms` CLI, and Hydrogen demo songs (`hydrogen-data`, GPL-2+)
 *     rendered with `h2cli`: electronic music and drum machines, at the project's one tempo and metre;
 *   - sound with no beat at all (no-pulse.ts): noise, speech, scattered hits, drones.
 * The truth is the tempo map and the time-signature events, so every beat and bar time is exact.
 *
 * Split by piece (a piece and all its variants are on one side). Reserved for independent evaluation and never
 * read here: MuseScore's demo scores, and the Frets on Fire songs Feelings, War of freedom and Armygeddon.
 *
 * `buildCorpus(dir)` renders what is missing (cached per item) and returns the manifest.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { inflateSync } from 'node:zlib';
import { beatGrid, editMidi, parseMidi, writeMidi, type GridBeat, type MidiFile } from './midi';
import { noPulseItems } from './no-pulse';
import { composeScore, randomSpec } from './synthetic-score';

/** 'no-pulse': noise, speech, scattered hits and drones (no-pulse.ts), the network's negative examples. */
export type Genre = 'band' | 'midi-band' | 'non-percussive' | 'electronic' | 'no-pulse';
/** train: the network learns on it; tune: our own scores for choosing the decoder's few constants; dev: reported. */
export type Split = 'train' | 'tune' | 'dev';

export interface CorpusItem {
  readonly id: string;
  /** The piece: the unit of the train/dev split. */
  readonly piece: string;
  readonly source: 'openmsx' | 'blupi' | 'synthetic' | 'fretsonfire' | 'lmms' | 'hydrogen' | 'generated';
  readonly genre: Genre;
  /** e.g. 'gm', 'strings', 'piano ×1.25'. */
  readonly variant: string;
  readonly split: Split;
  /** WAV (or Ogg for band recordings), absolute path. */
  readonly audio: string;
  readonly beats: readonly GridBeat[];
  readonly meters: readonly string[];
  readonly minBpm: number;
  readonly maxBpm: number;
}

const OPENMSX_DIR = '/usr/share/games/openttd/baseset/openmsx';
const BLUPI_DIR = '/usr/share/planetblupi/music';
const FOF_DIR = '/usr/share/games/fretsonfire/data/songs';
const LMMS_DIR = '/usr/share/lmms/projects';
const HYDROGEN_DIR = '/usr/share/hydrogen/data/demo_songs';
const SOUNDFONTS = ['/usr/share/sounds/sf2/FluidR3_GM.sf2', '/usr/share/sounds/sf2/TimGM6mb.sf2'] as const;
/** Reserved for the independent holdout: never rendered, never read. */
const RESERVED = /feelings|war of freedom|armygeddon/i;
/** Band recordings on the dev side (the other three train). */
const FOF_DEV = new Set(['escape from chaosland', 'chaos_god']);
const NON_PERCUSSIVE_PROGRAMS: Record<string, number> = { piano: 0, strings: 48, brass: 61, choir: 52, organ: 19, harp: 46 };
const ROCK_PROGRAM = 29;
const MAX_SECONDS = 100;

/** Where the corpus is rendered: AM_CORPUS_DIR, default .cache/music-corpus. */
export const corpusDir = resolve(process.env['AM_CORPUS_DIR'] ?? '.cache/music-corpus');

export interface CorpusOptions {
  /** Synthetic scores per split (default train 140, tune 40, dev 36). */
  readonly syntheticTrain?: number;
  readonly syntheticTune?: number;
  readonly syntheticDev?: number;
  readonly splits?: readonly Split[];
  readonly log?: (line: string) => void;
}

function hashOf(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0);
}

/** About one piece in four goes to dev, decided by the piece name alone. */
function splitOf(piece: string): Split {
  return hashOf(piece) % 4 === 0 ? 'dev' : 'train';
}

function tool(name: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(name, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10 * 60_000, env });
  if (result.status !== 0) throw new Error(`${name} ${args.join(' ')} failed: ${result.error?.message ?? result.stderr?.toString().slice(-400)}`);
}

/** Renders a MIDI file to 22.05 kHz WAV (atomic: a half-written file is never left under the final name). */
function render(midi: MidiFile, soundfont: string, out: string): void {
  if (existsSync(out)) return;
  const midiPath = `${out}.mid`;
  writeFileSync(midiPath, writeMidi(midi));
  const partial = `${out}.${process.pid}.partial.wav`;
  tool('fluidsynth', ['-ni', '-q', '-g', '0.5', '-r', '22050', '-F', partial, soundfont, midiPath]);
  renameSync(partial, out);
}

function gridItem(base: Omit<CorpusItem, 'beats' | 'meters' | 'minBpm' | 'maxBpm'>, midi: MidiFile): CorpusItem {
  const grid = beatGrid(midi);
  // Annotated span: first to last note (a beat grid over silence is no truth).
  const beats = grid.beats.filter((beat) => beat.time >= grid.firstNoteSeconds - 0.05 && beat.time <= grid.lastNoteSeconds + 0.1);
  return { ...base, beats, meters: grid.meters, minBpm: grid.minBpm, maxBpm: grid.maxBpm };
}

export function buildCorpus(dir: string, options: CorpusOptions = {}): CorpusItem[] {
  const log = options.log ?? (() => undefined);
  const splits = new Set<Split>(options.splits ?? ['train', 'dev']);
  mkdirSync(join(dir, 'audio'), { recursive: true });
  // Both, always: an item's soundfont is part of its definition, and a render is cached by item id alone.
  const missing = SOUNDFONTS.filter((path) => !existsSync(path));
  if (missing.length) throw new Error(`Missing soundfont ${missing.join(', ')}: apt-get install fluid-soundfont-gm timgm6mb-soundfont`);
  const items: CorpusItem[] = [];
  const audio = (id: string) => join(dir, 'audio', `${id.replace(/[^a-z0-9._-]+/gi, '_')}.wav`);

  // Packaged MIDI: each piece as written and non-percussive; train also gets tempo-scaled copies in the other soundfont.
  const packaged = [
    ...(existsSync(OPENMSX_DIR) ? readdirSync(OPENMSX_DIR).filter((f) => f.endsWith('.mid')).map((f) => ({ source: 'openmsx' as const, path: join(OPENMSX_DIR, f) })) : []),
    ...(existsSync(BLUPI_DIR) ? readdirSync(BLUPI_DIR).filter((f) => f.endsWith('.mid')).map((f) => ({ source: 'blupi' as const, path: join(BLUPI_DIR, f) })) : []),
  ];
  if (!packaged.length) log('no packaged MIDI found: apt-get install openttd-openmsx planetblupi-music-midi');
  for (const { source, path } of packaged) {
    const piece = `${source}/${basename(path, '.mid')}`;
    const split = splitOf(piece);
    if (!splits.has(split)) continue;
    const original = parseMidi(readFileSync(path), path);
    const hasDrums = beatGrid(original).hasDrums;
    const programs = Object.keys(NON_PERCUSSIVE_PROGRAMS);
    const pick = (salt: string) => programs[hashOf(piece + salt) % programs.length]!;
    const variants: Array<{ variant: string; tempoScale: number; program?: string; soundfont: string; keepDrums?: boolean }> =
      split === 'dev'
        ? [
            { variant: 'gm', tempoScale: 1, soundfont: SOUNDFONTS[0] },
            { variant: pick('dev'), tempoScale: 1, program: pick('dev'), soundfont: SOUNDFONTS[0] },
          ]
        : [
            { variant: 'gm', tempoScale: 1, soundfont: SOUNDFONTS[0] },
            { variant: 'gm ×0.8', tempoScale: 0.8, soundfont: SOUNDFONTS[1] },
            { variant: `${pick('a')}`, tempoScale: 1, program: pick('a'), soundfont: SOUNDFONTS[1] },
            { variant: `${pick('b')} ×1.25`, tempoScale: 1.25, program: pick('b'), soundfont: SOUNDFONTS[0] },
            // Closer to a band recording: every melodic part on overdriven guitar, drums kept.
            ...(hasDrums ? [{ variant: 'rock ×1.1', tempoScale: 1.1, program: 'rock', soundfont: SOUNDFONTS[0], keepDrums: true }] : []),
          ];
    for (const v of variants) {
      const id = `${piece} ${v.variant}`;
      const edited = editMidi(original, {
        maxSeconds: MAX_SECONDS * v.tempoScale,
        tempoScale: v.tempoScale,
        ...(v.program ? { dropDrums: !v.keepDrums, program: NON_PERCUSSIVE_PROGRAMS[v.program] ?? ROCK_PROGRAM } : {}),
      });
      const out = audio(id);
      log(`render ${id}`);
      render(edited, v.soundfont, out);
      const genre: Genre = (v.program && !v.keepDrums) || !hasDrums ? 'non-percussive' : 'midi-band';
      items.push(gridItem({ id, piece, source, genre, variant: v.variant, split, audio: out }, edited));
    }
  }

  // Our own scores: seeds 1… train, 10001… dev, 20001… tune.
  const synthetic = [['train', 1, options.syntheticTrain ?? 140], ['dev', 10001, options.syntheticDev ?? 36], ['tune', 20001, options.syntheticTune ?? 40]] as const;
  for (const [split, first, count] of synthetic) {
    if (!splits.has(split)) continue;
    for (let seed = first; seed < first + count; seed++) {
      const spec = randomSpec(seed);
      const midi = composeScore(spec);
      const piece = `synthetic/${seed}`;
      const id = `${piece} ${spec.texture}`;
      const out = audio(id);
      log(`render ${id}`);
      render(midi, SOUNDFONTS[seed % SOUNDFONTS.length]!, out);
      const genre: Genre = spec.texture === 'band' ? 'midi-band' : 'non-percussive';
      items.push(gridItem({ id, piece, source: 'synthetic', genre, variant: spec.texture, split, audio: out }, midi));
    }
  }

  // Band recordings: the stems summed; the chart's tempo map, 4/4 from time 0 (as ../shared/media/beats does).
  if (existsSync(FOF_DIR)) {
    for (const pack of readdirSync(FOF_DIR)) {
      const packDir = join(FOF_DIR, pack);
      if (!existsSync(packDir) || pack.endsWith('.ini')) continue;
      for (const song of readdirSync(packDir)) {
        const songDir = join(packDir, song);
        if (RESERVED.test(song) || !existsSync(join(songDir, 'notes.mid'))) continue;
        const split: Split = FOF_DEV.has(song.toLowerCase()) ? 'dev' : 'train';
        if (!splits.has(split)) continue;
        const id = `fretsonfire/${song}`;
        const out = audio(id);
        if (!existsSync(out)) {
          const stems = readdirSync(songDir).filter((f) => f.endsWith('.ogg'));
          const partial = `${out}.${process.pid}.partial.wav`;
          log(`mix ${id}`);
          tool('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...stems.flatMap((s) => ['-i', join(songDir, s)]), '-filter_complex', `amix=inputs=${stems.length}:normalize=0`, '-ac', '1', '-ar', '22050', partial]);
          renameSync(partial, out);
        }
        const midi = parseMidi(readFileSync(join(songDir, 'notes.mid')), join(songDir, 'notes.mid'));
        const grid = beatGrid(midi);
        const span = audibleSpan(out);
        // The charts state 4/4 or nothing, so the grid counts 4 from time 0.
        const beats = grid.beats.filter((b) => b.time >= span.start && b.time <= span.end);
        items.push({ id, piece: id, source: 'fretsonfire', genre: 'band', variant: 'recording', split, audio: out, beats, meters: grid.meters, minBpm: grid.minBpm, maxBpm: grid.maxBpm });
      }
    }
  }
  // Projects of LMMS and Hydrogen: one tempo and metre each (projects with tempo automation are skipped).
  if (!existsSync(LMMS_DIR) || !existsSync(HYDROGEN_DIR)) log('no LMMS or Hydrogen projects: apt-get install lmms hydrogen (their data packages come with them)');
  for (const project of [...lmmsProjects(), ...hydrogenSongs()]) {
    const split = splitOf(project.piece);
    if (!splits.has(split)) continue;
    const out = audio(project.piece);
    if (!existsSync(out)) {
      log(`render ${project.piece}`);
      const rendered = `${out}.${process.pid}.render.wav`;
      const partial = `${out}.${process.pid}.partial.wav`;
      project.render(rendered);
      tool('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', rendered, '-t', String(MAX_SECONDS), '-ac', '1', '-ar', '22050', partial]);
      rmSync(rendered, { force: true });
      renameSync(partial, out);
    }
    const span = audibleSpan(out);
    const period = 60 / project.bpm;
    const beats: GridBeat[] = [];
    for (let k = 0; k * period <= span.end; k++) if (k * period >= span.start - 0.05) beats.push({ time: k * period, beatInBar: (k % project.beatsPerBar) + 1 });
    items.push({ id: project.piece, piece: project.piece, source: project.source, genre: 'electronic', variant: 'project', split, audio: out, beats, meters: [`${project.beatsPerBar}/4`], minBpm: project.bpm, maxBpm: project.bpm });
  }
  items.push(...noPulseItems(audio, splits, log));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(items, null, 1));
  return items;
}

/** First and last time the 16-bit mono WAV is above −45 dBFS (50 ms blocks). */
function audibleSpan(wav: string): { start: number; end: number } {
  const bytes = readFileSync(wav);
  const dataAt = bytes.indexOf('data') + 8;
  const rate = bytes.readUInt32LE(24);
  const samples = new Int16Array(bytes.buffer.slice(bytes.byteOffset + dataAt, bytes.byteOffset + bytes.length - ((bytes.length - dataAt) % 2)));
  const block = Math.round(rate * 0.05);
  const threshold = (32768 * 10 ** (-45 / 20)) ** 2;
  let first = -1;
  let last = -1;
  for (let b = 0; (b + 1) * block <= samples.length; b++) {
    let sum = 0;
    for (let i = b * block; i < (b + 1) * block; i++) sum += samples[i]! * samples[i]!;
    if (sum / block > threshold) {
      if (first < 0) first = b;
      last = b;
    }
  }
  return { start: (first * block) / rate, end: ((last + 1) * block) / rate + 0.07 };
}

interface Project {
  readonly piece: string;
  readonly source: 'lmms' | 'hydrogen';
  readonly bpm: number;
  readonly beatsPerBar: number;
  render(out: string): void;
}

function filesUnder(dir: string, pattern: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path, pattern) : pattern.test(entry.name) ? [path] : [];
  });
}

/**
 * LMMS demo and short projects (.mmp, or .mmpz: a 4-byte length then zlib). The head gives bpm and time
 * signature; a head with children carries tempo automation, and metres other than 2–4/4 are left out.
 */
function lmmsProjects(): Project[] {
  return filesUnder(join(LMMS_DIR, 'demos'), /\.mmpz?$/)
    .concat(filesUnder(join(LMMS_DIR, 'shorties'), /\.mmpz?$/))
    .sort()
    .flatMap((path): Project[] => {
      const bytes = readFileSync(path);
      const xml = (path.endsWith('z') ? inflateSync(bytes.subarray(4)) : bytes).toString('utf8');
      const head = /<head\b([^>]*?)(\/?)>/.exec(xml);
      const attribute = (name: string) => Number(new RegExp(`\\b${name}="([\\d.]+)"`).exec(head?.[1] ?? '')?.[1]);
      const bpm = attribute('bpm');
      const numerator = attribute('timesig_numerator');
      if (!head || head[2] !== '/' || !(bpm > 0) || attribute('timesig_denominator') !== 4 || ![2, 3, 4].includes(numerator)) return [];
      const render = (out: string) => tool('lmms', ['--allowroot', 'render', path, '-o', out, '-f', 'wav', '-s', '44100'], { ...process.env, QT_QPA_PLATFORM: 'offscreen' });
      return [{ piece: `lmms/${basename(path).replace(/\.mmpz?$/, '')}`, source: 'lmms', bpm, beatsPerBar: numerator, render }];
    });
}

/** Hydrogen demo songs: one bpm, and every pattern a 4/4 bar (size 192 at 48 ticks a beat) or the song is left out. */
function hydrogenSongs(): Project[] {
  return filesUnder(HYDROGEN_DIR, /\.h2song$/).sort().flatMap((path): Project[] => {
    const xml = readFileSync(path, 'utf8');
    const bpm = Number(/<bpm>([\d.]+)<\/bpm>/.exec(xml)?.[1]);
    const sizes = [...xml.matchAll(/<size>(\d+)<\/size>/g)].map((m) => Number(m[1]));
    if (!(bpm > 0) || !sizes.length || sizes.some((size) => size !== 192) || /<isTimelineActivated>true/.test(xml)) return [];
    const render = (out: string) => tool('h2cli', ['-s', path, '-o', out, '-r', '44100']);
    return [{ piece: `hydrogen/${basename(path, '.h2song')}`, source: 'hydrogen', bpm, beatsPerBar: 4, render }];
  });
}
