/**
 * Steering (the panel's mood control and emotion arc): the music emotion the planner matches shots to, replaced
 * by the editor's target without a new analysis. The cached shot emotions stay; M(shot, music) and M(shot, bar)
 * are computed again against the target, which is what makes a steering change a fast `resolve`.
 *   - moodTarget: a label steers by its prototype point, a valence/arousal point by that point (its dominance is
 *     the nearest label's, so a point by `fearful` reads fearful, not tense); every bar and the whole track.
 *   - emotionArc: each bar's target is the drawn curve at the bar's middle (linear between points, held beyond
 *     the ends); the whole track reads the arc's mean unless moodTarget sets it.
 */
import { MontageError } from '../core/errors';
import { EMOTION_LABELS, type EmotionLabel, type EmotionVector } from '../core/montage';
import { emotionSettings } from '../analysis/emotion/index';
import { LABEL_PROTOTYPES, vectorFromPad, type Pad } from '../analysis/emotion/emotion-space';
import { emotionSimilarity, shotScores, type SimilarityWeights } from '../analysis/emotion/similarity';
import { arcValueAt } from '../protocol/emotion-arc';
import type { MontageAnalysis } from './run-montage';

/** A valence/arousal point, each −1 … 1. */
export interface SteerPoint {
  readonly valence: number;
  readonly arousal: number;
}

export interface SteeringOptions {
  /** `auto` (or absent): the music's reading; a label or a point replaces it. */
  readonly moodTarget?: 'auto' | EmotionLabel | SteerPoint;
  /** Target points in increasing seconds of the music file; empty or absent: no arc. */
  readonly emotionArc?: readonly (SteerPoint & { readonly seconds: number })[];
}

/** The encoder id steered vectors carry (plan.json shows it). */
export const STEER_ENCODER_ID = 'steering';

/** Whether the options steer at all. */
export function isSteered(options: SteeringOptions): boolean {
  return (options.moodTarget !== undefined && options.moodTarget !== 'auto') || (options.emotionArc?.length ?? 0) > 0;
}

/** Refuses malformed steering with AM_ERR_INVALID_ARGUMENT naming the field (the protocol checks the same at its boundary). */
export function validateSteering(options: SteeringOptions): void {
  const bad = (field: string, message: string) => new MontageError('AM_ERR_INVALID_ARGUMENT', message, { where: { field } });
  const unit = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= -1 && value <= 1;
  const target = options.moodTarget;
  if (target !== undefined) {
    if (typeof target === 'string') {
      if (target !== 'auto' && !(EMOTION_LABELS as readonly string[]).includes(target)) throw bad('moodTarget', `moodTarget must be auto, one of ${EMOTION_LABELS.join(', ')}, or {valence, arousal} (got ${JSON.stringify(target)}).`);
    } else if (!unit(target.valence) || !unit(target.arousal)) {
      throw bad('moodTarget', `moodTarget's valence and arousal must each be between -1 and 1 (got ${JSON.stringify(target)}).`);
    }
  }
  (options.emotionArc ?? []).forEach((point, i, points) => {
    if (!unit(point.valence) || !unit(point.arousal)) throw bad(`emotionArc[${i}]`, `emotionArc[${i}]: valence and arousal must each be between -1 and 1.`);
    if (!Number.isFinite(point.seconds) || point.seconds < 0) throw bad(`emotionArc[${i}].seconds`, `emotionArc[${i}].seconds must be a time ≥ 0 in the music file.`);
    if (i > 0 && !(point.seconds > points[i - 1]!.seconds)) throw bad(`emotionArc[${i}].seconds`, `emotionArc's seconds must increase (point ${i} is at ${point.seconds} s, point ${i - 1} at ${points[i - 1]!.seconds} s).`);
  });
}

/** The emotion vector of a steering target: a label's prototype, or a point with the nearest label's dominance. */
export function targetVector(target: EmotionLabel | SteerPoint): EmotionVector {
  if (typeof target === 'string') return vectorFromPad(STEER_ENCODER_ID, LABEL_PROTOTYPES[target], 1);
  const nearest = EMOTION_LABELS.reduce((best, label) => (distance(LABEL_PROTOTYPES[label], target) < distance(LABEL_PROTOTYPES[best], target) ? label : best));
  const pad: Pad = { valence: target.valence, arousal: target.arousal, dominance: LABEL_PROTOTYPES[nearest].dominance };
  return vectorFromPad(STEER_ENCODER_ID, pad, 1);
}

const distance = (a: SteerPoint, b: SteerPoint) => Math.hypot(a.valence - b.valence, a.arousal - b.arousal);

/**
 * The analysis with its music emotion replaced by the steering target, and every score against it recomputed
 * (the same similarity as scoring). Without steering, the analysis itself.
 */
export function steerAnalysis(analysis: MontageAnalysis, options: SteeringOptions): MontageAnalysis {
  if (!isSteered(options)) return analysis;
  validateSteering(options);
  const { emotions, music } = analysis;
  const target = options.moodTarget !== undefined && options.moodTarget !== 'auto' ? targetVector(options.moodTarget) : undefined;
  const arc = options.emotionArc?.length ? options.emotionArc : undefined;
  // Bars with the same target share one vector (all of them under a mood, the held ends of an arc): scored once.
  const byPoint = new Map<string, EmotionVector>();
  const shared = (point: SteerPoint) => {
    const key = `${point.valence},${point.arousal}`;
    let vector = byPoint.get(key);
    if (!vector) byPoint.set(key, (vector = targetVector(point)));
    return vector;
  };
  const bars = arc ? music.bars.map((bar) => shared(arcValueAt(arc, bar.startSeconds + bar.durationSeconds / 2))) : music.bars.map(() => target!);
  const global = target ?? targetVector(meanPoint(bars));
  const similarity = emotionSettings().similarity;
  const steered = {
    ...emotions,
    music: { global, bars },
    shotScores: shotScores(emotions.shots, global, similarity),
    barScores: targetScores(emotions.shots, bars, similarity),
  };
  // The files' own scores follow too (a plan made from a lone file reads them).
  const files = analysis.files?.map((file) => ({ ...file, emotions: { ...file.emotions, music: steered.music, shotScores: shotScores(file.emotions.shots, global, similarity), barScores: targetScores(file.emotions.shots, bars, similarity) } }));
  return { ...analysis, emotions: steered, ...(files ? { files } : {}) };
}

/** M(shot, bar) for every pair, as the analysis' barScores, computing each distinct bar vector once per shot. */
function targetScores(shots: readonly EmotionVector[], bars: readonly EmotionVector[], similarity: SimilarityWeights): { shots: number; bars: number; values: Float32Array } {
  const distinct = [...new Set(bars)];
  const column = bars.map((bar) => distinct.indexOf(bar));
  const values = new Float32Array(shots.length * bars.length);
  const row = new Float64Array(distinct.length);
  shots.forEach((shot, i) => {
    distinct.forEach((bar, d) => (row[d] = emotionSimilarity(shot, bar, similarity)));
    column.forEach((d, k) => (values[i * bars.length + k] = row[d]!));
  });
  return { shots: shots.length, bars: bars.length, values };
}

function meanPoint(vectors: readonly EmotionVector[]): SteerPoint {
  const n = Math.max(1, vectors.length);
  return { valence: vectors.reduce((sum, v) => sum + v.valence, 0) / n, arousal: vectors.reduce((sum, v) => sum + v.arousal, 0) / n };
}

/** One line for the report's settings: what the plan was steered by. */
export function steeringText(options: SteeringOptions): string {
  const target = options.moodTarget;
  const mood = target === undefined || target === 'auto' ? 'the music' : typeof target === 'string' ? target : `valence ${target.valence.toFixed(2)}, arousal ${target.arousal.toFixed(2)}`;
  const arc = options.emotionArc?.length ? `; a drawn arc of ${options.emotionArc.length} points` : '';
  return `${mood}${arc}`;
}
