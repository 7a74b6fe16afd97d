/**
 * Beat tracking by dynamic programming (after Ellis, "Beat tracking by dynamic programming", 2007), with a
 * local target period so the beats follow tempo drift: the best score of a beat at frame t is its onset
 * strength plus the best earlier beat τ, penalised by how far t − τ strays from the local period (squared
 * log ratio). The best chain is read back from the end.
 */
import { throwIfCancelled, type CancellationToken } from '../../core/lifecycle';

export interface BeatTrackerOptions {
  /** Weight of the period penalty: higher keeps the spacing closer to the local period. */
  readonly tightness?: number;
}

/**
 * Beat frames (fractional, after sub-frame peak refinement) in increasing order.
 * `envelope` is the unit-variance onset envelope, `periodFrames` the local beat period per frame.
 */
export function trackBeats(envelope: Float32Array, periodFrames: Float32Array, options: BeatTrackerOptions = {}, token?: CancellationToken): number[] {
  const n = envelope.length;
  if (n === 0) return [];
  const tightness = options.tightness ?? 300;
  const score = new Float64Array(n);
  const previous = new Int32Array(n).fill(-1);
  for (let t = 0; t < n; t++) {
    if ((t & 8191) === 0) throwIfCancelled(token);
    const period = periodFrames[t]!;
    if (!(period > 1)) {
      score[t] = envelope[t]!;
      continue;
    }
    const from = Math.max(0, t - Math.round(2 * period));
    const to = t - Math.max(1, Math.round(period / 2));
    let best = 0;
    let bestIndex = -1;
    for (let tau = from; tau <= to; tau++) {
      const ratio = Math.log((t - tau) / period);
      const candidate = score[tau]! - tightness * ratio * ratio;
      if (candidate > best) {
        best = candidate;
        bestIndex = tau;
      }
    }
    score[t] = envelope[t]! + best;
    previous[t] = bestIndex;
  }

  // The last beat: the best score within one period of the end.
  const lastPeriod = Math.max(2, Math.round(periodFrames[n - 1]!));
  let end = Math.max(0, n - lastPeriod);
  for (let t = end; t < n; t++) if (score[t]! > score[end]!) end = t;
  const frames: number[] = [];
  for (let t = end; t >= 0; t = previous[t]!) frames.push(t);
  frames.reverse();
  // No trimming here: the caller trims once it knows which pulses are beats (see trimSilentEnds).
  return frames.map((frame) => refinePeak(envelope, frame));
}

/**
 * Drops beats at the start and end where there is (almost) nothing in the envelope within half a period:
 * less than `threshold` × the median over all beats.
 */
export function trimSilentEnds(frames: number[], envelope: Float32Array, periodFrames: Float32Array, threshold: number): number[] {
  if (frames.length === 0) return frames;
  const local = frames.map((frame) => {
    const half = Math.max(1, Math.round((periodFrames[Math.round(frame)] ?? 2) / 2));
    let sum = 0;
    for (let t = Math.max(0, Math.round(frame) - half); t <= Math.min(envelope.length - 1, Math.round(frame) + half); t++) sum += envelope[t]!;
    return sum;
  });
  const sorted = [...local].sort((a, b) => a - b);
  const typical = sorted[Math.floor(sorted.length / 2)]!;
  if (!(typical > 0)) return frames;
  let first = 0;
  while (first < frames.length && local[first]! < threshold * typical) first++;
  let last = frames.length - 1;
  while (last > first && local[last]! < threshold * typical) last--;
  return frames.slice(first, last + 1);
}

/** Moves a beat to the vertex of a parabola through the envelope at frame−1, frame, frame+1 when frame is a peak. */
function refinePeak(envelope: Float32Array, frame: number): number {
  const centre = envelope[frame] ?? 0;
  const left = envelope[frame - 1];
  const right = envelope[frame + 1];
  if (left === undefined || right === undefined || centre < left || centre < right) return frame;
  const curvature = left - 2 * centre + right;
  if (curvature >= 0) return frame;
  return frame + Math.max(-0.5, Math.min(0.5, (0.5 * (left - right)) / curvature));
}
