/**
 * The per-frame input of the learned transition model (models/shots/transition-tcn.onnx): a few dozen
 * numbers per frame computed from the {@link FrameDescriptors} the analysis already keeps, so the model sees
 * exactly what the classical detector sees and costs no extra decode. Training (models/training/shots)
 * calls this same function on the same descriptors.
 *
 * Per frame t (the first frame of a new shot, for a cut):
 *   - the four pair measures with t−1 (block-compensated and plain difference, plain and compensated
 *     structural distance);
 *   - thumbnail, RGB-histogram and luma-histogram distance to t−k and the thumbnail-luma structural
 *     distance to t−k, for k in {@link LAGS} (a straight change over many frames is a blend, a change that
 *     comes back is a flash; the network reads both from the lags at neighbouring frames);
 *   - the frame's statistics (luma, spread, saturation, colourfulness, warmth, dark and bright share, edges).
 * Distances go in as square roots, which spreads the small values where most decisions are made.
 */
import { FrameDescriptors, HIST_SIZE, LUMA_BINS, PAIR_SIZE, RGB_BINS, STAT_SIZE, THUMB_HEIGHT, THUMB_SIZE, THUMB_WIDTH, structuralDistance } from './frame-descriptors';

/** Frame lags compared. */
export const LAGS = [1, 2, 3, 4, 6, 8, 12, 16] as const;
const PER_LAG = 4;
/** Numbers per frame. */
export const TRANSITION_FEATURES = PAIR_SIZE + LAGS.length * PER_LAG + STAT_SIZE;

const THUMB_PIXELS = THUMB_WIDTH * THUMB_HEIGHT;
const PIXELS = 64 * 36;

/**
 * The features of frames [from, to) (default: all `frameCount`), row-major ((to − from) × {@link TRANSITION_FEATURES});
 * computed a chunk at a time by the runtime, so a long film never holds them all.
 */
export function transitionFeatures(d: FrameDescriptors, frameCount: number, from = 0, to = frameCount): Float32Array {
  const out = new Float32Array((to - from) * TRANSITION_FEATURES);
  const first = Math.max(0, from - LAGS[LAGS.length - 1]!);
  const lumas = new Float32Array((to - first) * THUMB_PIXELS);
  for (let t = first; t < to; t++) {
    const base = t * THUMB_SIZE;
    const row = (t - first) * THUMB_PIXELS;
    for (let i = 0; i < THUMB_PIXELS; i++) lumas[row + i] = 0.299 * d.thumbs[base + i * 3]! + 0.587 * d.thumbs[base + i * 3 + 1]! + 0.114 * d.thumbs[base + i * 3 + 2]!;
  }
  const luma = (t: number) => lumas.subarray((t - first) * THUMB_PIXELS, (t - first + 1) * THUMB_PIXELS);
  for (let t = from; t < to; t++) {
    const row = (t - from) * TRANSITION_FEATURES;
    for (let p = 0; p < PAIR_SIZE; p++) out[row + p] = Math.sqrt(Math.max(0, d.pairs[t * PAIR_SIZE + p]!));
    let column = row + PAIR_SIZE;
    for (const lag of LAGS) {
      // Before the first frame, compare with the first frame (no change).
      const s = Math.max(0, t - lag);
      out[column++] = Math.sqrt(thumbMeanAbs(d.thumbs, s, t));
      out[column++] = Math.sqrt(histPart(d.hists, s, t, 0, RGB_BINS));
      out[column++] = Math.sqrt(histPart(d.hists, s, t, RGB_BINS, LUMA_BINS));
      out[column++] = Math.sqrt(Math.max(0, structuralDistance(luma(s), luma(t))));
    }
    for (let k = 0; k < STAT_SIZE; k++) out[column++] = d.stats[t * STAT_SIZE + k]!;
  }
  return out;
}

function thumbMeanAbs(thumbs: Uint8Array, a: number, b: number): number {
  let sum = 0;
  const baseA = a * THUMB_SIZE;
  const baseB = b * THUMB_SIZE;
  for (let i = 0; i < THUMB_SIZE; i++) sum += Math.abs(thumbs[baseA + i]! - thumbs[baseB + i]!);
  return sum / THUMB_SIZE / 255;
}

function histPart(hists: Uint16Array, a: number, b: number, offset: number, bins: number): number {
  let sum = 0;
  const baseA = a * HIST_SIZE + offset;
  const baseB = b * HIST_SIZE + offset;
  for (let i = 0; i < bins; i++) sum += Math.abs(hists[baseA + i]! - hists[baseB + i]!);
  return sum / 2 / PIXELS;
}
