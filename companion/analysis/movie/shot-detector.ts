/**
 * Shot boundary detection on {@link FrameDescriptors}: hard cuts, gradual transitions (dissolves, fades),
 * flash suppression and a minimum shot length, with frame-exact boundaries.
 *
 * Hard cuts: the evidence at frame t (first frame of a new shot) is the structural distance between
 * frame t and its block motion-compensated prediction from frame t−1 (moving content predicts itself,
 * a new shot does not), plus half the colour-histogram change. A cut must stand out from the evidence
 * around it (median of ±8 frames), so fast motion and noisy dark footage do not fire, while a cut
 * between two dark shots or from black to a dim title still does (the structural distance ignores level).
 * Flashes: when a frame within a few frames after t looks again like t−1, the jump was a flash.
 *
 * Gradual transitions: over windows [a, b] of several lengths, a dissolve or fade turns frame a into frame
 * b in a straight line: the end-to-end change is most of the summed frame-to-frame change (motion wanders,
 * a blend does not), no single step dominates (that would be a cut), and every frame between is close to
 * a blend of the two ends. A window that ends or starts on a flat dark or bright frame is a fade.
 */
import type { Shot, TransitionKind, VideoStreamInfo } from '../../core/montage';
import type { FrameSink, RgbFrame, ShotDetector } from '../../core/pipeline';
import { range, toFps, type Rate } from '../../core/rational';
import { FrameDescriptors, HIST_SIZE, LUMA_BINS, PAIR, RGB_BINS, STAT, THUMB_SIZE, ANALYSIS_HEIGHT, ANALYSIS_WIDTH } from './frame-descriptors';

/** A detected boundary. For a cut, start = end = the first frame of the new shot. */
export interface Transition {
  readonly kind: TransitionKind;
  /** First and last frame of the transition, inclusive. */
  readonly start: number;
  readonly end: number;
  /** The first frame of the new shot. */
  readonly boundary: number;
  /** How sure, roughly 0..1+. */
  readonly strength: number;
}

export interface ShotDetectionOptions {
  /** Shortest shot, in frames (default: 0.2 s). Closer boundaries keep the stronger. */
  readonly minShotFrames?: number;
  /** Cut evidence threshold (default 0.3). */
  readonly cutThreshold?: number;
  /** Detect dissolves and fades (default true). */
  readonly gradual?: boolean;
}

/** Runs detection over the first `frameCount` frames of `descriptors`. */
export function detectTransitions(descriptors: FrameDescriptors, frameCount: number, frameRate: Rate, options: ShotDetectionOptions = {}): Transition[] {
  const fps = toFps(frameRate);
  const minShot = Math.max(2, options.minShotFrames ?? Math.round(0.2 * fps));
  const evidence = cutEvidence(descriptors, frameCount);
  const cuts = findCuts(descriptors, evidence, frameCount, fps, options.cutThreshold ?? 0.3);
  const gradual = options.gradual === false ? [] : findGradual(descriptors, frameCount, fps, cuts);
  return mergeBoundaries(cuts, gradual, minShot, frameCount);
}

/** Per frame t ≥ 1: structural distance after motion compensation + half the histogram change. */
export function cutEvidence(d: FrameDescriptors, frameCount: number): Float32Array {
  const evidence = new Float32Array(frameCount);
  for (let t = 1; t < frameCount; t++) {
    evidence[t] = d.pair(t, PAIR.compensatedStructure) + 0.5 * histDistance(d, t - 1, t);
  }
  return evidence;
}

/** Half the L1 distance of the RGB histograms, in [0, 1]. */
export function histDistance(d: FrameDescriptors, a: number, b: number): number {
  let sum = 0;
  const baseA = a * HIST_SIZE;
  const baseB = b * HIST_SIZE;
  for (let i = 0; i < RGB_BINS; i++) sum += Math.abs(d.hists[baseA + i]! - d.hists[baseB + i]!);
  return sum / 2 / (ANALYSIS_WIDTH * ANALYSIS_HEIGHT);
}

/** Half the L1 distance of the luma histograms, in [0, 1]. */
export function lumaHistDistance(d: FrameDescriptors, a: number, b: number): number {
  let sum = 0;
  const baseA = a * HIST_SIZE + RGB_BINS;
  const baseB = b * HIST_SIZE + RGB_BINS;
  for (let i = 0; i < LUMA_BINS; i++) sum += Math.abs(d.hists[baseA + i]! - d.hists[baseB + i]!);
  return sum / 2 / (ANALYSIS_WIDTH * ANALYSIS_HEIGHT);
}

/** Mean absolute difference of two thumbnails (RGB), in [0, 1]. */
export function thumbDistance(d: FrameDescriptors, a: number, b: number): number {
  let sum = 0;
  const baseA = a * THUMB_SIZE;
  const baseB = b * THUMB_SIZE;
  for (let i = 0; i < THUMB_SIZE; i++) sum += Math.abs(d.thumbs[baseA + i]! - d.thumbs[baseB + i]!);
  return sum / THUMB_SIZE / 255;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  values.sort((a, b) => a - b);
  const middle = values.length >> 1;
  return values.length % 2 ? values[middle]! : 0.5 * (values[middle - 1]! + values[middle]!);
}

interface Cut {
  frame: number;
  strength: number;
}

function findCuts(d: FrameDescriptors, evidence: Float32Array, frameCount: number, fps: number, threshold: number): Cut[] {
  const radius = Math.max(4, Math.round(fps / 3));
  const flashWindow = Math.max(3, Math.round(fps / 4));
  const cuts: Cut[] = [];
  for (let t = 1; t < frameCount; t++) {
    const e = evidence[t]!;
    if (e < threshold) continue;
    if (e < (evidence[t - 1] ?? 0) || e < (evidence[t + 1] ?? 0)) continue;
    const around: number[] = [];
    for (let k = t - radius; k <= t + radius; k++) if (k >= 1 && k < frameCount && Math.abs(k - t) > 1) around.push(evidence[k]!);
    const background = median(around);
    if (e < background + 0.17 || e < 1.6 * background) continue;
    if (isFlash(d, t, frameCount, flashWindow, e)) continue;
    cuts.push({ frame: t, strength: e });
  }
  return cuts;
}

/** True when a frame within `window` after t resembles t−1 again (a flash or a one-frame glitch). */
function isFlash(d: FrameDescriptors, t: number, frameCount: number, window: number, evidence: number): boolean {
  const before = t - 1;
  const jump = thumbDistance(d, before, t) + histDistance(d, before, t);
  if (jump < 0.02) return false;
  for (let k = t + 1; k <= Math.min(frameCount - 1, t + window); k++) {
    const back = thumbDistance(d, before, k) + histDistance(d, before, k);
    if (back < 0.35 * jump && evidence > 0) return true;
  }
  return false;
}

interface Gradual {
  start: number;
  end: number;
  kind: 'dissolve' | 'fade';
  strength: number;
}

function findGradual(d: FrameDescriptors, frameCount: number, fps: number, cuts: readonly Cut[]): Gradual[] {
  if (frameCount < 8) return [];
  const steps = new Float32Array(frameCount);
  for (let t = 1; t < frameCount; t++) steps[t] = thumbDistance(d, t - 1, t);
  const prefix = new Float64Array(frameCount + 1);
  for (let t = 1; t < frameCount; t++) prefix[t + 1] = prefix[t]! + steps[t]!;
  const pathBetween = (a: number, b: number) => prefix[b + 1]! - prefix[a + 1]!; // steps a+1..b
  const cutFrames = new Uint8Array(frameCount + 1);
  for (const cut of cuts) cutFrames[cut.frame] = 1;

  const scale = fps / 24;
  const lengths = [6, 9, 13, 18, 25, 34, 46].map((length) => Math.max(4, Math.round(length * scale)));
  const candidates: Gradual[] = [];
  for (const length of lengths) {
    const stride = Math.max(1, Math.floor(length / 6));
    for (let a = 0; a + length < frameCount; a += stride) {
      const b = a + length;
      const path = pathBetween(a, b);
      if (path < 0.04) continue;
      const chord = thumbDistance(d, a, b);
      if (chord < 0.035 || chord < 0.55 * path) continue;
      let hasCut = false;
      let maxStep = 0;
      for (let t = a + 1; t <= b; t++) {
        if (cutFrames[t]) hasCut = true;
        maxStep = Math.max(maxStep, steps[t]!);
      }
      if (hasCut || maxStep > 0.4 * path) continue;
      const colour = histDistance(d, a, b);
      const luma = lumaHistDistance(d, a, b);
      if (Math.max(colour, luma) < 0.25) continue;
      const blend = blendFit(d, a, b);
      if (blend.residual > 0.2 || blend.monotonic < 0.85) continue;
      const strength = (chord / path) * Math.min(1, chord / 0.1) * (1 - blend.residual);
      const flatA = isFlat(d, a);
      const flatB = isFlat(d, b);
      if (flatA && flatB) continue;
      candidates.push({ start: a + 1, end: b - 1, kind: flatA || flatB ? 'fade' : 'dissolve', strength });
    }
  }
  // Strongest first, no overlaps.
  candidates.sort((x, y) => y.strength - x.strength || x.start - y.start);
  const chosen: Gradual[] = [];
  for (const candidate of candidates) {
    if (chosen.some((c) => candidate.start <= c.end + 1 && candidate.end >= c.start - 1)) continue;
    chosen.push(tighten(candidate, steps));
  }
  return chosen.sort((x, y) => x.start - y.start);
}

/** Trims the quiet ends of a span: the frames where little changes belong to the shots, not the transition. */
function tighten(span: Gradual, steps: Float32Array): Gradual {
  let total = 0;
  for (let t = span.start; t <= span.end + 1; t++) total += steps[t] ?? 0;
  const mean = total / (span.end - span.start + 2);
  let start = span.start;
  let end = span.end;
  while (start < end && (steps[start] ?? 0) < 0.3 * mean) start++;
  while (end > start && (steps[end + 1] ?? 0) < 0.3 * mean) end--;
  return { ...span, start, end };
}

function isFlat(d: FrameDescriptors, frame: number): boolean {
  return d.stat(frame, STAT.lumaSpread) < 0.04 && (d.stat(frame, STAT.luma) < 0.12 || d.stat(frame, STAT.luma) > 0.88);
}

/** How well frames a+1..b−1 are blends of frames a and b: mean relative residual, and how steadily the mix moves. */
function blendFit(d: FrameDescriptors, a: number, b: number): { residual: number; monotonic: number } {
  const baseA = a * THUMB_SIZE;
  const baseB = b * THUMB_SIZE;
  let norm = 0;
  for (let i = 0; i < THUMB_SIZE; i++) {
    const u = d.thumbs[baseB + i]! - d.thumbs[baseA + i]!;
    norm += u * u;
  }
  if (norm === 0) return { residual: 1, monotonic: 0 };
  let residualSum = 0;
  let previous = 0;
  let forward = 0;
  let moves = 0;
  for (let t = a + 1; t < b; t++) {
    const base = t * THUMB_SIZE;
    let dot = 0;
    for (let i = 0; i < THUMB_SIZE; i++) dot += (d.thumbs[base + i]! - d.thumbs[baseA + i]!) * (d.thumbs[baseB + i]! - d.thumbs[baseA + i]!);
    const alpha = dot / norm;
    let residual = 0;
    for (let i = 0; i < THUMB_SIZE; i++) {
      const predicted = d.thumbs[baseA + i]! + alpha * (d.thumbs[baseB + i]! - d.thumbs[baseA + i]!);
      const r = d.thumbs[base + i]! - predicted;
      residual += r * r;
    }
    residualSum += residual / norm;
    if (alpha >= previous - 0.02) forward++;
    moves++;
    previous = alpha;
  }
  return { residual: residualSum / Math.max(1, moves), monotonic: moves ? forward / moves : 1 };
}

/** Combines cuts and gradual spans into transitions, enforcing the minimum shot length. */
function mergeBoundaries(cuts: readonly Cut[], gradual: readonly Gradual[], minShot: number, frameCount: number): Transition[] {
  const all: Transition[] = [
    ...cuts.map((cut): Transition => ({ kind: 'cut', start: cut.frame, end: cut.frame, boundary: cut.frame, strength: cut.strength })),
    ...gradual.map((g): Transition => ({ kind: g.kind, start: g.start, end: g.end, boundary: Math.min(frameCount - 1, Math.max(1, Math.round((g.start + g.end + 1) / 2))), strength: g.strength })),
  ];
  // Stronger first; a boundary closer than minShot to a kept one is dropped. Gradual spans that contain a
  // kept cut are dropped too. Hard cuts win ties (their evidence is sharper).
  all.sort((x, y) => y.strength + (y.kind === 'cut' ? 1 : 0) - (x.strength + (x.kind === 'cut' ? 1 : 0)));
  const kept: Transition[] = [];
  for (const transition of all) {
    if (transition.boundary <= 0 || transition.boundary >= frameCount) continue;
    const clash = kept.some((k) => Math.abs(k.boundary - transition.boundary) < minShot);
    if (clash) continue;
    kept.push(transition);
  }
  return kept.sort((x, y) => x.boundary - y.boundary);
}

/** Builds shots covering [0, frameCount) from transitions (sorted by boundary). */
export function transitionsToShots(transitions: readonly Transition[], frameCount: number, frameRate: Rate): Shot[] {
  const shots: Shot[] = [];
  let start = 0;
  let kind: TransitionKind = 'cut';
  for (const transition of transitions) {
    if (transition.boundary <= start || transition.boundary >= frameCount) continue;
    shots.push({ index: shots.length, range: range(start, transition.boundary - start, frameRate), sceneIndex: 0, transitionIn: kind });
    start = transition.boundary;
    kind = transition.kind;
  }
  if (frameCount > start) shots.push({ index: shots.length, range: range(start, frameCount - start, frameRate), sceneIndex: 0, transitionIn: kind });
  return shots;
}

/** The built-in detector as a pipeline {@link ShotDetector}: frames pushed in order, in any size is fine as long as it is 64×36. */
export class DescriptorShotDetector implements ShotDetector {
  readonly id = 'auto-montage.shots.descriptor';
  /** The transitions of the last finished pass (for evaluation and diagnostics). */
  lastTransitions: readonly Transition[] = [];

  constructor(private readonly options: ShotDetectionOptions = {}) {}

  start(video: VideoStreamInfo): FrameSink<Shot[]> {
    const descriptors = new FrameDescriptors(Math.max(16, video.frameCount));
    return {
      push: (frame: RgbFrame) => {
        if (frame.width !== ANALYSIS_WIDTH || frame.height !== ANALYSIS_HEIGHT) {
          throw new RangeError(`DescriptorShotDetector takes ${ANALYSIS_WIDTH}×${ANALYSIS_HEIGHT} frames, got ${frame.width}×${frame.height}`);
        }
        descriptors.push(frame.data);
      },
      finish: () => {
        const transitions = detectTransitions(descriptors, descriptors.count, video.rate, this.options);
        this.lastTransitions = transitions;
        return transitionsToShots(transitions, descriptors.count, video.rate);
      },
    };
  }
}
