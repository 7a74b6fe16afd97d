/**
 * Music mood from YAMNet's six AudioSet mood classes (Happy, Sad, Tender, Exciting, Angry, Scary music).
 * Their scores are tiny (≈1e-4…1e-2), so each is read relative to its typical level on music — the
 * geometric mean over the 15 tracks in ../shared/media (music + beats), computed without their labels —
 * and the moods that stand out above typical decide the reading. When no mood stands out, the reading
 * shrinks toward neutral and its confidence falls. Optional: without a configured model the encoder
 * returns empty vectors (confidence 0) and a notice.
 */
import { throwIfCancelled, type CancellationToken } from '../../core/lifecycle';
import type { EmotionVector } from '../../core/montage';
import type { MusicAnalysis, MusicEmotion, MusicEmotionEncoder } from '../../core/pipeline';
import { decodeAudio } from '../../media/audio';
import { clamp, emptyVector, softmax, vectorFromPad } from './emotion-space';
import { timed } from './timings';
import { openYamnet, runYamnet, windowStarts, YAMNET_CLASS_COUNT, YAMNET_CLASSES, YAMNET_MOODS, YAMNET_SAMPLE_RATE, YAMNET_WINDOW, type YamnetScores } from './yamnet';

/** Typical score of each mood class on music (same order as YAMNET_MOODS). */
export const TYPICAL_MOOD_SCORES = [2.71e-4, 2.66e-4, 1.62e-3, 2.34e-3, 6.8e-5, 4.46e-4] as const;

/** The most windows read per track (evenly spread); 400 windows ≈ 6.5 minutes at one window per 0.975 s. */
const MAX_WINDOWS = 400;

/** The vector for mean mood scores (and the mean "Music" score, which says whether this is music at all). */
export function moodVector(encoderId: string, moodScores: readonly number[], musicScore: number, baseConfidence: number): EmotionVector {
  const logRatios = YAMNET_MOODS.map((_, i) => Math.log(Math.max(1e-7, moodScores[i] ?? 0) / (TYPICAL_MOOD_SCORES[i] ?? 1e-3)));
  const weights = softmax(logRatios);
  let valence = 0;
  let arousal = 0;
  let dominance = 0;
  YAMNET_MOODS.forEach((m, i) => {
    valence += (weights[i] ?? 0) * m.pad.valence;
    arousal += (weights[i] ?? 0) * m.pad.arousal;
    dominance += (weights[i] ?? 0) * m.pad.dominance;
  });
  // How far the strongest mood stands above its typical level (natural-log units): ≥ 2 reads fully.
  const strength = clamp(Math.max(...logRatios) / 2, 0, 1);
  const isMusic = clamp(musicScore, 0, 1);
  return vectorFromPad(encoderId, { valence: valence * strength, arousal: arousal * strength, dominance: dominance * strength }, baseConfidence * (0.3 + 0.7 * strength) * isMusic);
}

function meanScores(scores: YamnetScores, windows: readonly number[]): { moods: number[]; music: number } {
  const moods = YAMNET_MOODS.map(() => 0);
  let music = 0;
  for (const w of windows) {
    YAMNET_MOODS.forEach((m, i) => (moods[i] = (moods[i] ?? 0) + (scores.scores[w * YAMNET_CLASS_COUNT + m.index] ?? 0)));
    music += scores.scores[w * YAMNET_CLASS_COUNT + YAMNET_CLASSES.music] ?? 0;
  }
  const n = Math.max(1, windows.length);
  return { moods: moods.map((v) => v / n), music: music / n };
}

/** Mood readings of a track from its YAMNet scores: globally and for each bar (windows around the bar). */
export function musicEmotionFromYamnet(encoderId: string, music: MusicAnalysis, scores: YamnetScores, offsetSeconds: number): MusicEmotion {
  const all = Array.from({ length: scores.windows }, (_, w) => w);
  const global = meanScores(scores, all);
  const windowSeconds = YAMNET_WINDOW / YAMNET_SAMPLE_RATE;
  const centres = Array.from(scores.startSeconds, (s) => offsetSeconds + s + windowSeconds / 2);
  const bars = music.bars.map((bar) => {
    const from = bar.startSeconds - 1;
    const to = bar.startSeconds + bar.durationSeconds + 1;
    let windows = all.filter((w) => (centres[w] ?? -1) >= from && (centres[w] ?? -1) <= to);
    if (windows.length === 0 && all.length) {
      const middle = bar.startSeconds + bar.durationSeconds / 2;
      const nearest = all.reduce((best, w) => (Math.abs((centres[w] ?? 0) - middle) < Math.abs((centres[best] ?? 0) - middle) ? w : best), 0);
      windows = [nearest];
    }
    const local = meanScores(scores, windows);
    return moodVector(encoderId, local.moods, local.music, 0.4);
  });
  return { global: moodVector(encoderId, global.moods, global.music, 0.6), bars };
}

export class YamnetMusicEncoder implements MusicEmotionEncoder {
  readonly kind = 'music' as const;
  constructor(
    readonly id = 'music-yamnet',
    private readonly modelPath?: string,
  ) {}

  async encodeMusic(music: MusicAnalysis, token: CancellationToken): Promise<MusicEmotion> {
    throwIfCancelled(token);
    const session = await timed(this.id, 'computeMs', () => openYamnet(this.modelPath, 'Music mood (YAMNet)'));
    if (!session) return { global: emptyVector(this.id), bars: music.bars.map(() => emptyVector(this.id)) };
    const first = music.bars[0];
    const last = music.bars[music.bars.length - 1];
    const startSeconds = first ? Math.max(0, first.startSeconds) : 0;
    const endSeconds = last ? last.startSeconds + last.durationSeconds : music.media.durationSeconds;
    const audio = await timed(this.id, 'decodeMs', () => decodeAudio(music.media.path, { sampleRate: YAMNET_SAMPLE_RATE, startSeconds, durationSeconds: Math.max(1, endSeconds - startSeconds), token }));
    return timed(this.id, 'computeMs', async () => {
      const scores = await runYamnet(session, audio.samples, windowStarts(audio.samples.length, YAMNET_WINDOW, MAX_WINDOWS), token);
      return musicEmotionFromYamnet(this.id, music, scores, audio.startSeconds);
    });
  }
}
