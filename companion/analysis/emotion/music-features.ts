/**
 * The knowledge-driven music encoder: bar features → pleasure/arousal/dominance → six labels, per bar
 * and for the whole track. Cue weights follow Eerola, Friberg & Bresin (2013): mode > tempo > register
 * (brightness) > dynamics > articulation (onset density); effects mostly additive. Happy = fast, loud,
 * major; sad = slow, soft, minor; tension/threat = minor, dense, loud (tense) or dark and soft (fearful).
 * Each cue is first put on a [-1, 1] scale against fixed reference points (not fitted per track).
 */
import { throwIfCancelled, type CancellationToken } from '../../core/lifecycle';
import type { BarFeatures, EmotionVector } from '../../core/montage';
import type { MusicAnalysis, MusicEmotion, MusicEmotionEncoder } from '../../core/pipeline';
import { clamp, vectorFromPad, type Pad } from './emotion-space';

/** Which cues to use (for ablation); all on by default. */
export interface MusicCues {
  readonly mode?: boolean;
  readonly tempo?: boolean;
  readonly loudness?: boolean;
  readonly brightness?: boolean;
  readonly onsets?: boolean;
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
} as const;

/** Each cue on [-1, 1]. */
export interface MusicCueValues {
  readonly mode: number;
  readonly tempo: number;
  readonly loudness: number;
  readonly brightness: number;
  readonly onsets: number;
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
  };
}

/** The weights of each cue on each PAD axis. */
export const MUSIC_WEIGHTS: Readonly<Record<keyof Pad, Readonly<Record<keyof MusicCueValues, number>>>> = {
  valence: { mode: 0.5, tempo: 0.2, brightness: 0.2, loudness: 0.0, onsets: 0.1 },
  arousal: { mode: 0, tempo: 0.35, loudness: 0.25, brightness: 0.15, onsets: 0.25 },
  dominance: { mode: 0, tempo: 0.1, loudness: 0.5, brightness: -0.1, onsets: 0.3 },
};

/** PAD from cue values, skipping cues switched off (the remaining weights are renormalised per axis). */
export function musicPad(cues: MusicCueValues, enabled: MusicCues = {}): Pad {
  const on = { mode: true, tempo: true, loudness: true, brightness: true, onsets: true, ...enabled };
  const axis = (weights: Readonly<Record<keyof MusicCueValues, number>>) => {
    let sum = 0;
    let norm = 0;
    for (const key of Object.keys(weights) as (keyof MusicCueValues)[]) {
      if (!on[key]) continue;
      sum += weights[key] * cues[key];
      norm += Math.abs(weights[key]);
    }
    const full = Object.values(weights).reduce((a, w) => a + Math.abs(w), 0);
    return norm > 0 ? clamp((sum / norm) * full * 1.6) : 0;
  };
  return { valence: axis(MUSIC_WEIGHTS.valence), arousal: axis(MUSIC_WEIGHTS.arousal), dominance: axis(MUSIC_WEIGHTS.dominance) };
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
  const globalVector: EmotionVector = vectorFromPad(encoderId, musicPad(musicCueValues(global, tempo), options.cues), music.barFeatures.length ? 0.6 : 0);
  const radius = Math.max(0, Math.floor(options.smoothBars ?? 1));
  const cueRows = music.barFeatures.map((f) => musicCueValues(f, Number.isFinite(f.tempoBpm) && f.tempoBpm > 0 ? f.tempoBpm : tempo));
  const bars = music.bars.map((_, k) => {
    let n = 0;
    const acc = { mode: 0, tempo: 0, loudness: 0, brightness: 0, onsets: 0 };
    for (let j = Math.max(0, k - radius); j <= Math.min(cueRows.length - 1, k + radius); j++) {
      const c = cueRows[j];
      if (!c) continue;
      for (const key of Object.keys(acc) as (keyof MusicCueValues)[]) acc[key] += c[key];
      n++;
    }
    if (n === 0) return { ...globalVector, confidence: globalVector.confidence * 0.5 };
    for (const key of Object.keys(acc) as (keyof MusicCueValues)[]) acc[key] /= n;
    return vectorFromPad(encoderId, musicPad(acc, options.cues), 0.5);
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
    return encodeMusicFeatures(music, this.id, this.options);
  }
}
