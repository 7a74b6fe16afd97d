/**
 * Soundtrack cues from the movie's own audio, per shot:
 *  - sound energy (Hanjalic & Xu 2005): the shot's RMS level against the movie's median → arousal; no model;
 *  - with YAMNet (optional): screaming → fearful, crying/whimpering/wailing → sad, laughter/cheering →
 *    excited, explosions/gunshots/sirens → tense, and the six music-mood classes of the film's score.
 * A movie without audio gets empty vectors. Without YAMNet only energy is used (arousal only, low
 * confidence) and a notice says so.
 */
import { throwIfCancelled, type CancellationToken } from '../../core/lifecycle';
import type { EmotionVector } from '../../core/montage';
import type { MovieAnalysis, ShotEmotionEncoder } from '../../core/pipeline';
import { toSeconds } from '../../core/rational';
import { decodeAudio } from '../../media/audio';
import { fingerprint } from '../cache';
import { emotionSettings } from './config';
import { clamp, emptyVector, vectorFromPad, type Pad } from './emotion-space';
import { TYPICAL_MOOD_SCORES } from './music-yamnet';
import { timed } from './timings';
import type { PooledSession } from '../onnx/session-pool';
import { openYamnet, runYamnet, windowStarts, YAMNET_CLASS_COUNT, YAMNET_CLASSES, YAMNET_MOODS, YAMNET_SAMPLE_RATE, YAMNET_WINDOW, type YamnetScores } from './yamnet';

/** Sound events, the level at which each reads fully, and its PAD reading. */
export const SOUND_EVENTS: readonly { readonly name: string; readonly classes: readonly number[]; readonly fullAt: number; readonly pad: Pad }[] = [
  { name: 'screaming', classes: [YAMNET_CLASSES.screaming, YAMNET_CLASSES.gasp], fullAt: 0.3, pad: { valence: -0.6, arousal: 0.8, dominance: -0.5 } },
  { name: 'crying', classes: [YAMNET_CLASSES.crying, YAMNET_CLASSES.whimper, YAMNET_CLASSES.wail], fullAt: 0.3, pad: { valence: -0.6, arousal: -0.3, dominance: -0.4 } },
  { name: 'laughter', classes: [YAMNET_CLASSES.laughter, YAMNET_CLASSES.giggle, YAMNET_CLASSES.bellyLaugh, YAMNET_CLASSES.cheering, YAMNET_CLASSES.applause], fullAt: 0.3, pad: { valence: 0.7, arousal: 0.5, dominance: 0.3 } },
  { name: 'violence', classes: [YAMNET_CLASSES.explosion, YAMNET_CLASSES.gunshot, YAMNET_CLASSES.siren], fullAt: 0.3, pad: { valence: -0.5, arousal: 0.8, dominance: 0.3 } },
];

/** Movie audio is read one window in two (every 1.95 s). */
const WINDOW_HOP = 2 * YAMNET_WINDOW;

/** Energy arousal: dB above/below the movie's median level, ±8 dB ≈ ±0.76. */
export function energyArousal(shotDb: number, medianDb: number): number {
  return clamp(Math.tanh((shotDb - medianDb) / 8));
}

/** A shot's reading from its mean YAMNet scores and its energy arousal. */
export function soundtrackVector(encoderId: string, mean: Float32Array | undefined, arousalFromEnergy: number): EmotionVector {
  let wSum = 0;
  const acc = { valence: 0, arousal: 0, dominance: 0 };
  if (mean) {
    for (const event of SOUND_EVENTS) {
      const level = event.classes.reduce((a, c) => Math.max(a, mean[c] ?? 0), 0);
      const w = clamp(level / event.fullAt, 0, 1);
      wSum += w;
      acc.valence += w * event.pad.valence;
      acc.arousal += w * event.pad.arousal;
      acc.dominance += w * event.pad.dominance;
    }
    // The score's mood, only when it is music and a mood stands out (log ratio to typical ≥ 1).
    const musicLevel = mean[YAMNET_CLASSES.music] ?? 0;
    YAMNET_MOODS.forEach((m, i) => {
      const ratio = Math.log(Math.max(1e-7, mean[m.index] ?? 0) / (TYPICAL_MOOD_SCORES[i] ?? 1e-3));
      const w = clamp((ratio - 1) / 2, 0, 1) * clamp(musicLevel, 0, 1) * 0.5;
      wSum += w;
      acc.valence += w * m.pad.valence;
      acc.arousal += w * m.pad.arousal;
      acc.dominance += w * m.pad.dominance;
    });
  }
  const energyWeight = 0.5;
  const total = wSum + energyWeight;
  const pad: Pad = {
    valence: wSum > 0 ? acc.valence / total : 0,
    arousal: (acc.arousal + energyWeight * arousalFromEnergy) / total,
    dominance: wSum > 0 ? acc.dominance / total : 0,
  };
  return vectorFromPad(encoderId, pad, clamp(0.15 + 0.6 * Math.min(1, wSum), 0, 0.8));
}

/**
 * The YAMNet windows for shots given as sample spans (in order, not overlapping) of a track of
 * `sampleCount` samples: every other window along the track (half the audio, half the cost), each read
 * by the shot its centre falls in; a shot no grid centre falls in shares the nearest grid window when
 * that centre is within a second of the shot's middle (short shots in fast cutting), else gets a window
 * of its own at its middle, so every shot is heard. `picked[i]` indexes `starts`.
 */
export function soundtrackWindows(spans: readonly { readonly start: number; readonly end: number }[], sampleCount: number): { starts: number[]; picked: number[][] } {
  const picked: number[][] = spans.map(() => []);
  const starts: number[] = [];
  let shot = 0;
  for (const start of windowStarts(sampleCount, WINDOW_HOP)) {
    const centre = start + YAMNET_WINDOW / 2;
    while (shot < spans.length && (spans[shot]?.end ?? 0) <= centre) shot++;
    if (shot < spans.length && (spans[shot]?.start ?? Infinity) <= centre) picked[shot]?.push(starts.length);
    starts.push(start);
  }
  const gridCount = starts.length;
  spans.forEach(({ start, end }, i) => {
    if (picked[i]?.length) return;
    const middle = (start + end) / 2;
    // Grid window w starts at w × WINDOW_HOP: the nearest centre is found by rounding (ties to the earlier).
    const nearest = Math.max(0, Math.min(gridCount - 1, Math.ceil((middle - YAMNET_WINDOW / 2) / WINDOW_HOP - 0.5)));
    if (gridCount > 0 && Math.abs((starts[nearest] ?? 0) + YAMNET_WINDOW / 2 - middle) <= YAMNET_SAMPLE_RATE) {
      picked[i]?.push(nearest);
      return;
    }
    picked[i]?.push(starts.length);
    starts.push(Math.max(0, Math.floor(middle - YAMNET_WINDOW / 2)));
  });
  return { starts, picked };
}

export class SoundtrackEncoder implements ShotEmotionEncoder {
  readonly kind = 'shot' as const;
  constructor(
    readonly id = 'soundtrack',
    private readonly modelPath?: string,
  ) {}

  /** The vectors depend on the movie's audio and the YAMNet file (its content fingerprint, or its absence). */
  async cacheKey(): Promise<string> {
    const path = this.modelPath ?? emotionSettings().yamnetPath;
    const model = path ? await fingerprint(path).catch(() => 'missing') : 'none';
    return JSON.stringify({ version: 'soundtrack.1', yamnet: path ?? null, model });
  }

  async encodeShots(movie: MovieAnalysis, token: CancellationToken): Promise<EmotionVector[]> {
    throwIfCancelled(token);
    if (!movie.media.audio || movie.shots.length === 0) return movie.shots.map(() => emptyVector(this.id));
    const session = await timed(this.id, 'computeMs', () => openYamnet(this.modelPath, 'Soundtrack cues'));
    const audio = await timed(this.id, 'decodeMs', () => decodeAudio(movie.media.path, { sampleRate: YAMNET_SAMPLE_RATE, token }));
    return timed(this.id, 'computeMs', () => this.read(movie, audio.samples, session, token));
  }

  private async read(movie: MovieAnalysis, samples: Float32Array, session: PooledSession | undefined, token: CancellationToken): Promise<EmotionVector[]> {
    const spans = movie.shots.map((shot) => {
      const start = Math.max(0, Math.floor(toSeconds(shot.range.start) * YAMNET_SAMPLE_RATE));
      const end = Math.min(samples.length, Math.max(start + 1, Math.floor((toSeconds(shot.range.start) + toSeconds(shot.range.duration)) * YAMNET_SAMPLE_RATE)));
      return { start, end };
    });
    const levels = spans.map(({ start, end }) => {
      let sum = 0;
      for (let i = start; i < end; i++) sum += (samples[i] ?? 0) ** 2;
      return 10 * Math.log10(Math.max(1e-12, sum / Math.max(1, end - start)));
    });
    const sorted = [...levels].sort((a, b) => a - b);
    const medianDb = sorted[sorted.length >> 1] ?? -60;
    let picked: number[][] = [];
    let scores: YamnetScores | undefined;
    if (session) {
      const windows = soundtrackWindows(spans, samples.length);
      picked = windows.picked;
      scores = await runYamnet(session, samples, windows.starts, token);
    }
    return spans.map((_, i) => {
      let mean: Float32Array | undefined;
      const windows = picked[i] ?? [];
      if (scores && windows.length) {
        mean = new Float32Array(YAMNET_CLASS_COUNT);
        for (const w of windows) for (let c = 0; c < YAMNET_CLASS_COUNT; c++) mean[c] = (mean[c] ?? 0) + (scores.scores[w * YAMNET_CLASS_COUNT + c] ?? 0) / windows.length;
      }
      return soundtrackVector(this.id, mean, energyArousal(levels[i] ?? medianDb, medianDb));
    });
  }
}
