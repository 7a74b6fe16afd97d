/**
 * How an `emotionArc` (messages.ts) is read, by the companion when it steers and by the panel when it draws:
 * one function on both sides, so the curve an editor draws is the curve the planner follows.
 */
import { MAX_EMOTION_ARC_POINTS, type EmotionArcPoint, type EmotionPoint } from './messages';

/** The arc's value at `seconds`: linear between its points, held beyond its ends. */
export function arcValueAt(arc: readonly EmotionArcPoint[], seconds: number): EmotionPoint {
  const first = arc[0]!;
  if (seconds <= first.seconds) return first;
  for (let i = 1; i < arc.length; i++) {
    const b = arc[i]!;
    if (seconds <= b.seconds) {
      const a = arc[i - 1]!;
      const t = (seconds - a.seconds) / (b.seconds - a.seconds);
      return { valence: a.valence + t * (b.valence - a.valence), arousal: a.arousal + t * (b.arousal - a.arousal) };
    }
  }
  return arc[arc.length - 1]!;
}

/** At most {@link MAX_EMOTION_ARC_POINTS} points (a long song cut on beats has more units): every k-th, and the last. */
export function thinArc(points: readonly EmotionArcPoint[]): EmotionArcPoint[] {
  if (points.length <= MAX_EMOTION_ARC_POINTS) return [...points];
  const step = Math.ceil(points.length / (MAX_EMOTION_ARC_POINTS - 1));
  return points.filter((_, i) => i % step === 0 || i === points.length - 1);
}
