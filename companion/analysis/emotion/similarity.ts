/**
 * M, the emotion consistency between a shot and the music (the paper's S_i = cos(f_i, f_m), in our
 * explicit space): half the Bhattacharyya coefficient of the two label distributions, half the nearness
 * of their valence/arousal points. Symmetric, in [0, 1], 1 for identical vectors; higher is better.
 */
import type { EmotionVector } from '../../core/montage';

export interface SimilarityWeights {
  /** Weight of the label-distribution term (the rest goes to valence/arousal). Default 0.5. */
  readonly labels?: number;
}

const MAX_VA_DISTANCE = 2 * Math.SQRT2;

/** M(a, b) in [0, 1]. */
export function emotionSimilarity(a: EmotionVector, b: EmotionVector, weights: SimilarityWeights = {}): number {
  const wLabels = Math.min(1, Math.max(0, weights.labels ?? 0.5));
  let bc = 0;
  const n = Math.min(a.values.length, b.values.length);
  for (let i = 0; i < n; i++) bc += Math.sqrt(Math.max(0, a.values[i] ?? 0) * Math.max(0, b.values[i] ?? 0));
  const dv = (a.valence ?? 0) - (b.valence ?? 0);
  const da = (a.arousal ?? 0) - (b.arousal ?? 0);
  const va = 1 - Math.min(1, Math.hypot(dv, da) / MAX_VA_DISTANCE);
  const m = wLabels * Math.min(1, bc) + (1 - wLabels) * va;
  return Number.isFinite(m) ? m : 0;
}

/** M(shot i, music) for every shot. */
export function shotScores(shots: readonly EmotionVector[], music: EmotionVector, weights?: SimilarityWeights): number[] {
  return shots.map((s) => emotionSimilarity(s, music, weights));
}

/** M(shot i, bar k), row-major shots × bars. */
export function barScores(shots: readonly EmotionVector[], bars: readonly EmotionVector[], weights?: SimilarityWeights): { shots: number; bars: number; values: Float32Array } {
  const values = new Float32Array(shots.length * bars.length);
  shots.forEach((s, i) => bars.forEach((b, k) => (values[i * bars.length + k] = emotionSimilarity(s, b, weights))));
  return { shots: shots.length, bars: bars.length, values };
}
