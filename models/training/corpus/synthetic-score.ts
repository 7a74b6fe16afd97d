/**
 * Scores we compose ourselves, for what the packaged MIDI lacks: non-percussive textures (piano, strings, choir,
 * pads, brass) in 2/4, 3/4, 4/4 and 6/8, 50–200 BPM, with tempo steps, ritardandi and metre changes. Functional
 * harmony changes on the bar (sometimes every half bar), the melody is a random walk on the scale, the downbeat is
 * accented only by dynamics and harmony, as in real scores. Deterministic per seed.
 */
import { random as mulberry32 } from '../../../test/support/random';
import type { MidiEvent, MidiFile } from './midi';

export type Texture = 'piano' | 'strings' | 'choir' | 'pad' | 'brass' | 'band';

export interface ScoreSpec {
  readonly seed: number;
  readonly texture: Texture;
  /** Bars per metre section, e.g. [{ meter: [3, 4], bars: 16 }]. */
  readonly sections: ReadonlyArray<{ readonly meter: readonly [number, number]; readonly bars: number }>;
  /** Tempo (BPM of the counted beat) at the start of each section. */
  readonly tempos: readonly number[];
  /** Slow the last `ritardandoBars` bars to `ritardandoTo` × tempo. */
  readonly ritardandoBars?: number;
  readonly ritardandoTo?: number;
}

const PPQ = 480;
const PROGRAMS: Record<Texture, readonly number[]> = {
  piano: [0, 0], // acoustic grand for both hands
  strings: [48, 42], // string ensemble, cello
  choir: [52, 52],
  pad: [89, 95],
  brass: [61, 58], // brass section, tuba
  band: [4, 33], // e-piano, bass; drums on channel 10
};
const MAJOR = [0, 2, 4, 5, 7, 9, 11];
const MINOR = [0, 2, 3, 5, 7, 8, 10];
const PROGRESSIONS = [
  [0, 3, 4, 0],
  [0, 5, 3, 4],
  [0, 4, 5, 3],
  [1, 4, 0, 0],
  [0, 3, 1, 4],
  [5, 3, 0, 4],
];

/** A random but musically plausible spec for a seed. */
export function randomSpec(seed: number): ScoreSpec {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const texture = pick<Texture>(['piano', 'piano', 'strings', 'choir', 'pad', 'brass', 'band']);
  const meters: Array<readonly [number, number]> = [[4, 4], [3, 4], [2, 4], [6, 8], [4, 4], [3, 4]];
  const sectionCount = random() < 0.3 ? 2 : 1;
  const sections = Array.from({ length: sectionCount }, () => ({ meter: pick(meters), bars: 12 + 4 * Math.floor(random() * 6) }));
  // Log-uniform tempo, narrower for slow metres so bars stay 1–6 s.
  const tempo = () => Math.round(50 * 4 ** random());
  const tempos = sections.map(tempo);
  return {
    seed,
    texture,
    sections,
    tempos,
    ...(random() < 0.4 ? { ritardandoBars: 2 + Math.floor(random() * 3), ritardandoTo: 0.55 + 0.3 * random() } : {}),
  };
}

export function composeScore(spec: ScoreSpec): MidiFile {
  const random = mulberry32(spec.seed * 7919 + 17);
  const minor = random() < 0.5;
  const scale = minor ? MINOR : MAJOR;
  const root = 48 + Math.floor(random() * 12);
  const [upper, lower] = PROGRAMS[spec.texture];
  const sustained = spec.texture === 'strings' || spec.texture === 'choir' || spec.texture === 'pad' || spec.texture === 'brass';
  const conductor: MidiEvent[] = [];
  const melody: MidiEvent[] = [{ tick: 0, status: 0xc0, data: Uint8Array.of(upper!) }];
  const accompaniment: MidiEvent[] = [{ tick: 0, status: 0xc1, data: Uint8Array.of(lower!) }];
  const drums: MidiEvent[] = [];
  const note = (track: MidiEvent[], channel: number, tick: number, length: number, pitch: number, velocity: number) => {
    track.push({ tick, status: 0x90 | channel, data: Uint8Array.of(pitch, Math.max(1, Math.min(127, Math.round(velocity)))) });
    track.push({ tick: tick + Math.max(1, length), status: 0x80 | channel, data: Uint8Array.of(pitch, 0) });
  };
  const tempoEvent = (tick: number, bpm: number, beatQuarters: number) => {
    const us = Math.round((60e6 / bpm) * (1 / beatQuarters));
    conductor.push({ tick, status: 0xff, metaType: 0x51, data: Uint8Array.of((us >> 16) & 255, (us >> 8) & 255, us & 255) });
  };
  const progression = PROGRESSIONS[Math.floor(random() * PROGRESSIONS.length)]!;
  const totalBars = spec.sections.reduce((sum, s) => sum + s.bars, 0);
  let tick = 0;
  let barNumber = 0;
  let melodyDegree = 7 + Math.floor(random() * 3);
  const halfBarHarmony = random() < 0.25;
  spec.sections.forEach((section, s) => {
    const [numerator, denominator] = section.meter;
    const compound = denominator === 8 && numerator % 3 === 0;
    const beatQuarters = (4 / denominator) * (compound ? 3 : 1);
    const beatTicks = PPQ * beatQuarters;
    const beatsPerBar = compound ? numerator / 3 : numerator;
    conductor.push({ tick, status: 0xff, metaType: 0x58, data: Uint8Array.of(numerator, Math.log2(denominator), 24, 8) });
    const bpm = spec.tempos[s]!;
    tempoEvent(tick, bpm, beatQuarters);
    for (let bar = 0; bar < section.bars; bar++, barNumber++) {
      const fromEnd = totalBars - barNumber;
      if (spec.ritardandoBars && fromEnd <= spec.ritardandoBars) {
        // Slow down beat by beat over the last bars.
        for (let b = 0; b < beatsPerBar; b++) {
          const progress = (spec.ritardandoBars - fromEnd + b / beatsPerBar) / spec.ritardandoBars;
          tempoEvent(tick + b * beatTicks, bpm * (1 - (1 - spec.ritardandoTo!) * progress), beatQuarters);
        }
      }
      const harmonies = halfBarHarmony && beatsPerBar % 2 === 0 ? 2 : 1;
      for (let h = 0; h < harmonies; h++) {
        const degree = progression[(barNumber * harmonies + h) % progression.length]!;
        const chord = [0, 2, 4].map((step) => root + scale[(degree + step) % 7]! + 12 * Math.floor((degree + step) / 7));
        const start = tick + (h * beatsPerBar * beatTicks) / harmonies;
        const span = (beatsPerBar * beatTicks) / harmonies;
        const bass = chord[0]! - 12;
        if (sustained) {
          note(accompaniment, 1, start, span - 10, bass, h === 0 ? 88 : 72);
          for (const pitch of chord) note(accompaniment, 1, start, span - 10, pitch + 12, h === 0 ? 70 : 58);
        } else {
          // Bass on the bar, chords on the other beats (waltz / march / stride patterns).
          const beats = beatsPerBar / harmonies;
          for (let b = 0; b < beats; b++) {
            const at = start + b * beatTicks;
            if (b === 0) note(accompaniment, 1, at, beatTicks * 0.9, bass, 92);
            else for (const pitch of chord) note(accompaniment, 1, at, beatTicks * 0.6, pitch + 12, 62);
          }
        }
      }
      // Melody: a rhythm of beats and half beats, longer notes on slow tempos, an accent on the downbeat.
      let position = 0;
      const barTicks = beatsPerBar * beatTicks;
      while (position < barTicks - 1) {
        const choices = bpm > 130 ? [1, 2] : bpm < 80 ? [0.5, 1] : [0.5, 1, 2];
        const beatsLong = Math.min((barTicks - position) / beatTicks, choices[Math.floor(random() * choices.length)]!);
        melodyDegree = Math.max(4, Math.min(16, melodyDegree + Math.round((random() - 0.5) * 4)));
        const pitch = root + 12 + scale[melodyDegree % 7]! + 12 * Math.floor(melodyDegree / 7);
        const accent = position === 0 ? 100 : position % beatTicks === 0 ? 80 : 68;
        if (random() > 0.1 || position === 0) note(melody, 0, tick + position, beatsLong * beatTicks * (sustained ? 0.98 : 0.8), pitch, accent);
        position += beatsLong * beatTicks;
      }
      if (spec.texture === 'band') {
        for (let b = 0; b < beatsPerBar; b++) {
          const at = tick + b * beatTicks;
          note(drums, 9, at, 60, b === 0 || (beatsPerBar === 4 && b === 2) ? 36 : 38, b === 0 ? 110 : 90);
          note(drums, 9, at, 40, 42, 70);
          note(drums, 9, at + beatTicks / 2, 40, 42, 55);
        }
      }
      tick += barTicks;
    }
  });
  return { format: 1, ppq: PPQ, tracks: [conductor, melody, accompaniment, ...(drums.length ? [drums] : [])] };
}
