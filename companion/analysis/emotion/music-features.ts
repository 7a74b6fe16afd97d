/**
 * The knowledge-driven music encoder: bar features → valence, energy and tension → six labels, per bar
 * and for the whole track. Music emotion is read on the three dimensions of Eerola & Vuoskoski (2011),
 * whose discrete emotions sit at: happy/exciting (V+, E+, T−), tender/peaceful (V+, E−, T−), sad (V−, E−),
 * anger/agitation (V−, E+, T+), fear (V−, E moderate, T+ high): tension is what separates fear from
 * sadness. Cue weights follow Eerola, Friberg & Bresin (2013): mode > tempo > register (brightness) >
 * dynamics > articulation (onset density); effects mostly additive. Tension rises with minor mode, dark
 * timbre, loudness and dissonance (here: a flat, unclear chroma). Each cue is put on a [-1, 1] scale
 * against fixed reference points (not fitted per track); the vector's arousal is the energy.
 */
import { throwIfCancelled, type CancellationToken } from '../../core/lifecycle';
import type { BarFeatures, EmotionVector } from '../../core/montage';
import type { MusicAnalysis, MusicEmotion, MusicEmotionEncoder } from '../../core/pipeline';
import { EMOTION_LABELS, type EmotionLabel } from '../../core/montage';
import { clamp, softmax } from './emotion-space';
import { timed } from './timings';

/** Which cues to use (for ablation); all on by default. */
export interface MusicCues {
  readonly mode?: boolean;
  readonly tempo?: boolean;
  readonly loudness?: boolean;
  readonly brightness?: boolean;
  readonly onsets?: boolean;
  readonly dissonance?: boolean;
}

/**
 * Reference points: a cue at its reference reads 0; `scale` is the step that reads about ±0.76 (tanh 1).
 * Tempo follows the literature (≈ 120 BPM is moderate). Loudness, centroid and onset density are on the
 * music analysis' own scales (RMS dBFS of the mono mix, centroid of an 11 kHz spectrum, detected onsets per
 * second), so their references are the medians over the 15 tracks in ../shared/media, taken without labels.
 */
export const MUSIC_REFERENCES = {
  tempoBpm: { reference: 120, scale: 30 },
  loudnessDb: { reference: -16, scale: 5 },
  /** log2 octaves around 440 Hz. */
  centroidHz: { reference: 440, scale: 1 },
  /** log2 around 5.2 onsets per second. */
  onsetsPerSecond: { reference: 5.2, scale: 0.5 },
  /** Mean normalised chroma entropy of the bars (1 = flat, no pitch class stands out). */
  chromaEntropy: { reference: 0.965, scale: 0.03 },
} as const;

/** Each cue on [-1, 1]. */
export interface MusicCueValues {
  readonly mode: number;
  readonly tempo: number;
  readonly loudness: number;
  readonly brightness: number;
  readonly onsets: number;
  readonly dissonance: number;
}

/** Normalised entropy of a chroma vector in [0, 1]. */
export function chromaEntropy(chroma: readonly number[]): number {
  const sum = chroma.reduce((a, b) => a + Math.max(0, b), 0);
  if (!(sum > 0)) return 1;
  let h = 0;
  for (const v of chroma) if (v > 0) h -= (v / sum) * Math.log(v / sum);
  return h / Math.log(12);
}

export function musicCueValues(f: BarFeatures, tempoBpm: number): MusicCueValues {
  const r = MUSIC_REFERENCES;
  const finite = (v: number, fallback: number) => (Number.isFinite(v) ? v : fallback);
  return {
    mode: clamp(finite(f.mode, 0)),
    tempo: Math.tanh((finite(tempoBpm, r.tempoBpm.reference) - r.tempoBpm.reference) / r.tempoBpm.scale),
    loudness: Math.tanh((finite(f.loudnessDb, r.loudnessDb.reference) - r.loudnessDb.reference) / r.loudnessDb.scale),
    brightness: Math.tanh(Math.log2(Math.max(50, finite(f.spectralCentroidHz, r.centroidHz.reference)) / r.centroidHz.reference) / r.centroidHz.scale),
    onsets: Math.tanh(Math.log2(Math.max(0.05, finite(f.onsetDensity, r.onsetsPerSecond.reference)) / r.onsetsPerSecond.reference) / r.onsetsPerSecond.scale),
    dissonance: Math.tanh((chromaEntropy(f.chroma) - r.chromaEntropy.reference) / r.chromaEntropy.scale),
  };
}

/** A reading on the three music dimensions, each in [-1, 1]. */
export interface MusicDimensions {
  readonly valence: number;
  readonly energy: number;
  readonly tension: number;
}

/** The weights of each cue on each dimension (signs: minor mode and dark timbre raise tension). */
export const MUSIC_WEIGHTS: Readonly<Record<keyof MusicDimensions, Readonly<Record<keyof MusicCueValues, number>>>> = {
  valence: { mode: 0.5, tempo: 0.25, brightness: 0.25, loudness: 0, onsets: 0, dissonance: 0 },
  energy: { mode: 0, tempo: 0.35, loudness: 0.3, onsets: 0.25, brightness: 0.1, dissonance: 0 },
  tension: { mode: -0.35, brightness: -0.25, loudness: 0.2, dissonance: 0.2, tempo: 0, onsets: 0 },
};

/** Where each label sits on the music dimensions (after Eerola & Vuoskoski 2011). */
export const MUSIC_PROTOTYPES: Readonly<Record<EmotionLabel, MusicDimensions>> = {
  excited: { valence: 0.6, energy: 0.6, tension: -0.1 },
  fearful: { valence: -0.5, energy: -0.1, tension: 0.6 },
  neutral: { valence: 0, energy: 0, tension: 0 },
  relaxed: { valence: 0.5, energy: -0.5, tension: -0.5 },
  sad: { valence: -0.6, energy: -0.5, tension: -0.1 },
  tense: { valence: -0.4, energy: 0.6, tension: 0.5 },
};

const MUSIC_TEMPERATURE = 0.2;

/** The three dimensions from cue values, skipping cues switched off (remaining weights renormalised per axis). */
export function musicDimensions(cues: MusicCueValues, enabled: MusicCues = {}): MusicDimensions {
  const on = { mode: true, tempo: true, loudness: true, brightness: true, onsets: true, dissonance: true, ...enabled };
  const axis = (weights: Readonly<Record<keyof MusicCueValues, number>>) => {
    let sum = 0;
    let norm = 0;
    for (const key of Object.keys(weights) as (keyof MusicCueValues)[]) {
      if (!on[key]) continue;
      sum += weights[key] * cues[key];
      norm += Math.abs(weights[key]);
    }
    return norm > 0 ? clamp((sum / norm) * 1.6) : 0;
  };
  return { valence: axis(MUSIC_WEIGHTS.valence), energy: axis(MUSIC_WEIGHTS.energy), tension: axis(MUSIC_WEIGHTS.tension) };
}

/** The vector for a reading: labels by nearness to the prototypes; valence, and energy as arousal. */
export function vectorFromMusicDimensions(encoderId: string, d: MusicDimensions, confidence: number): EmotionVector {
  const logits = EMOTION_LABELS.map((label) => {
    const p = MUSIC_PROTOTYPES[label];
    return -((d.valence - p.valence) ** 2 + (d.energy - p.energy) ** 2 + (d.tension - p.tension) ** 2) / MUSIC_TEMPERATURE;
  });
  return { encoderId, values: softmax(logits), valence: clamp(d.valence), arousal: clamp(d.energy), confidence: clamp(confidence, 0, 1) };
}

function median(values: number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The whole track's features: medians of the bars, loudness as the mean power. */
export function globalBarFeatures(bars: readonly BarFeatures[], tempoBpm: number): BarFeatures {
  const power = bars.reduce((a, b) => a + 10 ** ((Number.isFinite(b.loudnessDb) ? b.loudnessDb : -90) / 10), 0) / Math.max(1, bars.length);
  const chroma = Array.from({ length: 12 }, (_, k) => bars.reduce((a, b) => a + (b.chroma[k] ?? 0), 0) / Math.max(1, bars.length));
  return {
    loudnessDb: 10 * Math.log10(Math.max(1e-9, power)),
    onsetDensity: median(bars.map((b) => b.onsetDensity)),
    spectralCentroidHz: median(bars.map((b) => b.spectralCentroidHz)),
    chroma,
    mode: median(bars.map((b) => b.mode)),
    tempoBpm,
  };
}

export interface MusicFeatureOptions {
  readonly cues?: MusicCues;
  /** Bars on each side averaged into a bar's reading (smooths single-bar noise). Default 1. */
  readonly smoothBars?: number;
}

export function encodeMusicFeatures(music: MusicAnalysis, encoderId = 'music-features', options: MusicFeatureOptions = {}): MusicEmotion {
  const tempo = Number.isFinite(music.tempoBpm) && music.tempoBpm > 0 ? music.tempoBpm : MUSIC_REFERENCES.tempoBpm.reference;
  const global = globalBarFeatures(music.barFeatures, tempo);
  const radius = Math.max(0, Math.floor(options.smoothBars ?? 1));
  const cueRows = music.barFeatures.map((f) => musicCueValues(f, Number.isFinite(f.tempoBpm) && f.tempoBpm > 0 ? f.tempoBpm : tempo));
  // Dissonance is a per-bar property (the mean chroma of a whole track is always flatter): average it.
  const globalCues = { ...musicCueValues(global, tempo), dissonance: cueRows.reduce((a, c) => a + c.dissonance, 0) / Math.max(1, cueRows.length) };
  const globalVector: EmotionVector = vectorFromMusicDimensions(encoderId, musicDimensions(globalCues, options.cues), music.barFeatures.length ? 0.6 : 0);
  const bars = music.bars.map((_, k) => {
    let n = 0;
    const acc = { mode: 0, tempo: 0, loudness: 0, brightness: 0, onsets: 0, dissonance: 0 };
    for (let j = Math.max(0, k - radius); j <= Math.min(cueRows.length - 1, k + radius); j++) {
      const c = cueRows[j];
      if (!c) continue;
      for (const key of Object.keys(acc) as (keyof MusicCueValues)[]) acc[key] += c[key];
      n++;
    }
    if (n === 0) return { ...globalVector, confidence: globalVector.confidence * 0.5 };
    for (const key of Object.keys(acc) as (keyof MusicCueValues)[]) acc[key] /= n;
    return vectorFromMusicDimensions(encoderId, musicDimensions(acc, options.cues), 0.5);
  });
  return { global: globalVector, bars };
}

export class MusicFeatureEncoder implements MusicEmotionEncoder {
  readonly kind = 'music' as const;
  constructor(
    readonly id = 'music-features',
    private readonly options: MusicFeatureOptions = {},
  ) {}

  async encodeMusic(music: MusicAnalysis, token: CancellationToken): Promise<MusicEmotion> {
    throwIfCancelled(token);
    return timed(this.id, 'computeMs', () => encodeMusicFeatures(music, this.id, this.options));
  }
}
