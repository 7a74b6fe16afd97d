/**
 * Our explicit emotion space. Every encoder reads its cues as pleasure/valence, arousal and dominance
 * (PAD, after Mehrabian & Russell) and turns them into probabilities over the six labels of
 * {@link EMOTION_LABELS} by their nearness to each label's prototype point; the vector keeps valence and
 * arousal. Prototypes: approximate PAD ratings of the emotion terms (Russell & Mehrabian 1977) — excited
 * (+P, +A, +D), relaxed (+P, −A), neutral (centre), sad (−P, −A, −D), tense (−P, +A, +D: the
 * anger/agitation side), fearful (−P, +A, −D: threat with loss of control).
 */
import { EMOTION_LABELS, type EmotionLabel, type EmotionVector } from '../../core/montage';

/** A reading in PAD space, each coordinate in [-1, 1]. */
export interface Pad {
  readonly valence: number;
  readonly arousal: number;
  readonly dominance: number;
}

export const LABEL_PROTOTYPES: Readonly<Record<EmotionLabel, Pad>> = {
  excited: { valence: 0.62, arousal: 0.6, dominance: 0.38 },
  fearful: { valence: -0.6, arousal: 0.55, dominance: -0.5 },
  neutral: { valence: 0, arousal: 0, dominance: 0 },
  relaxed: { valence: 0.6, arousal: -0.5, dominance: 0.1 },
  sad: { valence: -0.6, arousal: -0.45, dominance: -0.35 },
  tense: { valence: -0.45, arousal: 0.6, dominance: 0.35 },
};

/** Dominance counts less than valence and arousal: it is the least reliable of the three cues. */
const DOMINANCE_WEIGHT = 0.5;
/** Softness of the label assignment: smaller is more decisive. */
const DEFAULT_TEMPERATURE = 0.12;

export const clamp = (value: number, low = -1, high = 1) => (Number.isFinite(value) ? Math.min(high, Math.max(low, value)) : 0);

/** Probabilities over the labels for a PAD point: softmax of −(weighted squared distance) / temperature. */
export function padToProbabilities(pad: Pad, temperature = DEFAULT_TEMPERATURE): number[] {
  const logits = EMOTION_LABELS.map((label) => {
    const p = LABEL_PROTOTYPES[label];
    const d = (pad.valence - p.valence) ** 2 + (pad.arousal - p.arousal) ** 2 + DOMINANCE_WEIGHT * (pad.dominance - p.dominance) ** 2;
    return -d / temperature;
  });
  return softmax(logits);
}

export function softmax(logits: readonly number[]): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((v) => v / sum);
}

/** An EmotionVector for a PAD reading. */
export function vectorFromPad(encoderId: string, pad: Pad, confidence: number, temperature?: number): EmotionVector {
  const safe = { valence: clamp(pad.valence), arousal: clamp(pad.arousal), dominance: clamp(pad.dominance) };
  return { encoderId, values: padToProbabilities(safe, temperature), valence: safe.valence, arousal: safe.arousal, confidence: clamp(confidence, 0, 1) };
}

/** An EmotionVector from label probabilities (normalised here); valence/arousal are the expected prototype point. */
export function vectorFromProbabilities(encoderId: string, values: readonly number[], confidence: number): EmotionVector {
  const clean = EMOTION_LABELS.map((_, i) => Math.max(0, Number.isFinite(values[i]) ? (values[i] as number) : 0));
  const sum = clean.reduce((a, b) => a + b, 0);
  const probs = sum > 0 ? clean.map((v) => v / sum) : EMOTION_LABELS.map(() => 1 / EMOTION_LABELS.length);
  let valence = 0;
  let arousal = 0;
  EMOTION_LABELS.forEach((label, i) => {
    valence += (probs[i] ?? 0) * LABEL_PROTOTYPES[label].valence;
    arousal += (probs[i] ?? 0) * LABEL_PROTOTYPES[label].arousal;
  });
  return { encoderId, values: probs, valence: clamp(valence), arousal: clamp(arousal), confidence: sum > 0 ? clamp(confidence, 0, 1) : 0 };
}

/** The "no information" vector: neutral-centred, uniform, confidence 0 (ignored by fusion). */
export function emptyVector(encoderId: string): EmotionVector {
  return { encoderId, values: EMOTION_LABELS.map(() => 1 / EMOTION_LABELS.length), valence: 0, arousal: 0, confidence: 0 };
}

/**
 * Fuses vectors from several encoders: a weighted mean of probabilities and of valence/arousal, each
 * vector weighted by its encoder's weight × its confidence. Confidence of the result: the weighted mean
 * confidence (so one sure cue among silent ones stays sure, but the fused vector is not surer than its parts).
 */
export function fuseVectors(encoderId: string, vectors: readonly EmotionVector[], weights: Readonly<Record<string, number>> = {}): EmotionVector {
  let total = 0;
  let confidenceSum = 0;
  const values = EMOTION_LABELS.map(() => 0);
  let valence = 0;
  let arousal = 0;
  for (const v of vectors) {
    const base = Math.max(0, weights[v.encoderId] ?? 1);
    const w = base * clamp(v.confidence, 0, 1);
    if (w <= 0) continue;
    total += w;
    confidenceSum += w * v.confidence;
    v.values.forEach((p, i) => (values[i] = (values[i] ?? 0) + w * (Number.isFinite(p) ? p : 0)));
    valence += w * v.valence;
    arousal += w * v.arousal;
  }
  if (total <= 0) return emptyVector(encoderId);
  const fused = vectorFromProbabilities(encoderId, values.map((v) => v / total), confidenceSum / total);
  return { ...fused, valence: clamp(valence / total), arousal: clamp(arousal / total) };
}

/** The label with the highest probability. */
export function dominantLabel(vector: Pick<EmotionVector, 'values'>): EmotionLabel {
  let best = 0;
  vector.values.forEach((v, i) => {
    if (v > (vector.values[best] ?? -1)) best = i;
  });
  return EMOTION_LABELS[best] ?? 'neutral';
}
