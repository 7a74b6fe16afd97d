/**
 * Visual affect features per shot, averaged over the shot's frames from the per-frame descriptors
 * (brightness, saturation, colourfulness, warmth, contrast, motion), its middle keyframe, and a colour
 * signature (the shot's mean 64-bin RGB histogram, L1-normalised) for scene grouping.
 */
import type { Shot, ShotFeatures } from '../../core/montage';
import { ANALYSIS_HEIGHT, ANALYSIS_WIDTH, FrameDescriptors, HIST_SIZE, PAIR, RGB_BINS, STAT } from './frame-descriptors';

/** Motion is a mean absolute luma difference (0..1); typical footage sits under 0.25, so it is scaled ×4. */
const MOTION_SCALE = 4;
/** Luma spread (σ/128) rarely exceeds 0.5; contrast is scaled ×2 to fill [0, 1]. */
const CONTRAST_SCALE = 2;

function round(value: number, digits = 4): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Features of one frame range [start, end). */
export function featuresOfRange(d: FrameDescriptors, start: number, end: number): ShotFeatures {
  const count = Math.max(1, end - start);
  let brightness = 0;
  let saturation = 0;
  let colourfulness = 0;
  let warmth = 0;
  let contrast = 0;
  let motion = 0;
  let motionFrames = 0;
  const signature = new Float64Array(RGB_BINS);
  for (let frame = start; frame < end; frame++) {
    brightness += d.stat(frame, STAT.luma);
    saturation += d.stat(frame, STAT.saturation);
    colourfulness += d.stat(frame, STAT.colourfulness);
    warmth += d.stat(frame, STAT.warmth);
    contrast += d.stat(frame, STAT.lumaSpread);
    if (frame > start) {
      motion += d.pair(frame, PAIR.plain);
      motionFrames++;
    }
    const base = frame * HIST_SIZE;
    for (let bin = 0; bin < RGB_BINS; bin++) signature[bin] = signature[bin]! + d.hists[base + bin]!;
  }
  const pixels = ANALYSIS_WIDTH * ANALYSIS_HEIGHT * count;
  return {
    brightness: round(brightness / count),
    saturation: round(saturation / count),
    colourfulness: round(colourfulness / count),
    warmth: round(warmth / count),
    contrast: round(Math.min(1, (CONTRAST_SCALE * contrast) / count)),
    motion: round(Math.min(1, motionFrames ? (MOTION_SCALE * motion) / motionFrames : 0)),
    keyframe: start + Math.floor((end - 1 - start) / 2),
    colourSignature: Array.from(signature, (value) => round(value / pixels, 5)),
  };
}

/** Features of every shot, in shot order. */
export function computeShotFeatures(d: FrameDescriptors, shots: readonly Shot[]): ShotFeatures[] {
  return shots.map((shot) => featuresOfRange(d, shot.range.start.value, shot.range.start.value + shot.range.duration.value));
}
