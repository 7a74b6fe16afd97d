/**
 * The learned transition model (models/shots/transition-tcn.onnx, trained by models/training/shots; see its
 * MODEL_CARD.md): a small temporal convolutional network over the per-frame features of
 * transition-features.ts that gives, per frame, P(first frame of a new shot after a hard cut) and P(inside a
 * gradual transition). It runs on the descriptors the analysis already has (no second decode), in chunks so
 * memory stays bounded, through the shared ONNX session pool.
 *
 * Decoding, with the classical detector ({@link detectTransitions}) as the other opinion:
 *   - 'model': the network alone: cuts are activation peaks, gradual transitions are runs of frames
 *     (reported with their span; 'fade' when a frame of the run is black or white);
 *   - 'hybrid' (the default, see learnedShotMode): the classical result, changed only where the network
 *     is confident. Every classical cut is kept unless the network scores it near zero *and* the picture
 *     comes back across it (a flash, an explosion, a whip and back: frame t−k resembles frame t+k); cuts
 *     the classical detector missed are added only when `addCutThreshold` allows (the tune part chose
 *     not to). The network's gradual spans are added (with their span; a span holding a kept cut is
 *     not), and a classical span none of them overlaps is kept unless the network's gradual activation
 *     stays low on every one of its frames (and the span is no longer than the transitions the network
 *     was trained on).
 * Constants were chosen on the dev set's tune part only (models/training/shots/tune-decoder.ts; ties go to
 * the setting that changes the classical result least).
 */
import { join } from 'node:path';
import { MontageError } from '../../core/errors';
import { toFps, type Rate } from '../../core/rational';
import { packageRoot } from '../onnx/model-catalogue';
import { ort, sharedSessionPool, type PooledSession } from '../onnx/session-pool';
import type { FrameDescriptors } from './frame-descriptors';
import { cutEvidence, detectTransitions, histDistance, isFlat, mergeBoundaries, shiftedThumbDistance, type Cut, type Gradual, type ShotDetectionOptions, type Transition } from './shot-detector';
import { transitionFeatures, TRANSITION_FEATURES } from './transition-features';

export type LearnedMode = 'model' | 'hybrid';

export interface LearnedDecoderSettings {
  readonly mode: LearnedMode;
  /** Mode 'model': a cut is an activation peak at least this high. */
  readonly cutThreshold: number;
  /**
   * Hybrid: a classical cut is dropped only when the network's cut activation (max over ±2 frames) stays
   * below this *and* the picture comes back within `returnSeconds` (a flash, an explosion, a whip and back).
   */
  readonly vetoThreshold: number;
  /** Hybrid: how far each side of a cut to look for the picture coming back, and how close it must come (share of the cut's own change). */
  readonly returnSeconds: number;
  readonly returnRatio: number;
  /**
   * Hybrid: a cut the classical detector missed is added when the network's peak is at least this high (above
   * 1: never), the classical cut evidence there at least `addCutEvidence`, and the picture does not come back.
   */
  readonly addCutThreshold: number;
  readonly addCutEvidence: number;
  /** Frames inside a gradual transition: activation at least this high, runs of at least `minGradualFrames`. */
  readonly gradualThreshold: number;
  readonly minGradualFrames: number;
  /**
   * Hybrid: a classical gradual span no network span overlaps is dropped when its gradual activation stays below
   * this on every frame (0: never), unless it lasts longer than `trustedGradualSeconds`.
   */
  readonly dropClassicalGradual: number;
  /** The longest transition the network was trained on (30 frames at 24 fps); of longer ones it knows nothing. */
  readonly trustedGradualSeconds: number;
}

/** Per mode, chosen on the tune part of the action dev set (tune-decoder.ts). */
export const LEARNED_DECODERS: Readonly<Record<LearnedMode, LearnedDecoderSettings>> = {
  model: { mode: 'model', cutThreshold: 0.9, vetoThreshold: 0, returnSeconds: 0, returnRatio: 0, addCutThreshold: 2, addCutEvidence: 0, gradualThreshold: 0.5, minGradualFrames: 4, dropClassicalGradual: 0, trustedGradualSeconds: 1.25 },
  hybrid: { mode: 'hybrid', cutThreshold: 0.5, vetoThreshold: 0.01, returnSeconds: 0.25, returnRatio: 0.5, addCutThreshold: 2, addCutEvidence: 0, gradualThreshold: 0.5, minGradualFrames: 4, dropClassicalGradual: 0.5, trustedGradualSeconds: 1.25 },
};
export const LEARNED_DECODER: LearnedDecoderSettings = LEARNED_DECODERS.hybrid;

export function defaultShotModelPath(): string {
  return process.env['AM_SHOT_MODEL'] ?? join(packageRoot(), 'models', 'shots', 'transition-tcn.onnx');
}

const CHUNK_FRAMES = 4096;
/** Context each side of a chunk: the network sees ±32 frames. */
const CHUNK_MARGIN = 48;

/** Per frame [P(cut), P(gradual)], frames × 2. Throws AM_ERR_MODEL_MISSING / AM_ERR_MODEL_INVALID. */
export async function transitionActivations(d: FrameDescriptors, frameCount: number, modelPath = defaultShotModelPath()): Promise<Float32Array> {
  const session: PooledSession = await sharedSessionPool().acquire(modelPath, { threads: 1 });
  const out = new Float32Array(frameCount * 2);
  for (let start = 0; start < frameCount; start += CHUNK_FRAMES) {
    const from = Math.max(0, start - CHUNK_MARGIN);
    const to = Math.min(frameCount, start + CHUNK_FRAMES + CHUNK_MARGIN);
    const input = transitionFeatures(d, frameCount, from, to);
    let values: Float32Array;
    try {
      const result = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, [1, to - from, TRANSITION_FEATURES]) });
      values = result[session.outputNames[0]!]!.data as Float32Array;
    } catch (error) {
      throw new MontageError('AM_ERR_MODEL_INVALID', `The shot model ${modelPath} does not take ${TRANSITION_FEATURES} features per frame: ${(error as Error).message}`, { where: { file: modelPath }, cause: error });
    }
    if (values.length !== (to - from) * 2) throw new MontageError('AM_ERR_MODEL_INVALID', `The shot model ${modelPath} does not give two activations per frame.`, { where: { file: modelPath } });
    const end = Math.min(frameCount, start + CHUNK_FRAMES);
    out.set(values.subarray((start - from) * 2, (end - from) * 2), start * 2);
  }
  return out;
}

/** Runs of frames whose gradual activation is at least `threshold` (gaps of one frame bridged), `minFrames` long or more. */
function gradualRuns(d: FrameDescriptors, activations: Float32Array, frameCount: number, threshold: number, minFrames: number): Gradual[] {
  const spans: Gradual[] = [];
  const on = (t: number) => t < frameCount && activations[t * 2 + 1]! >= threshold;
  for (let t = 1; t < frameCount; t++) {
    if (!on(t)) continue;
    let end = t;
    while (on(end + 1) || on(end + 2)) end += on(end + 1) ? 1 : 2;
    // A run into the movie's last frame has no shot after it: the network reading the end of the input.
    if (end - t + 1 >= minFrames && end < frameCount - 1) {
      let sum = 0;
      let flat = false;
      for (let k = t; k <= end; k++) {
        sum += activations[k * 2 + 1]!;
        flat ||= isFlat(d, k);
      }
      spans.push({ start: t, end, kind: flat ? 'fade' : 'dissolve', strength: sum / (end - t + 1) });
    }
    t = end;
  }
  return spans;
}

function peakCuts(activations: Float32Array, frameCount: number, threshold: number): Cut[] {
  const cuts: Cut[] = [];
  for (let t = 1; t < frameCount; t++) {
    const p = activations[t * 2]!;
    if (p < threshold) continue;
    let peak = true;
    for (let k = Math.max(1, t - 2); k <= Math.min(frameCount - 1, t + 2); k++) if (activations[k * 2]! > p || (k < t && activations[k * 2]! === p)) peak = false;
    if (peak) cuts.push({ frame: t, strength: p });
  }
  return cuts;
}

function maxCut(activations: Float32Array, frameCount: number, frame: number, radius: number): number {
  let best = 0;
  for (let k = Math.max(0, frame - radius); k <= Math.min(frameCount - 1, frame + radius); k++) best = Math.max(best, activations[k * 2]!);
  return best;
}

function maxGradual(activations: Float32Array, span: { start: number; end: number }): number {
  let best = 0;
  for (let k = span.start; k <= span.end; k++) best = Math.max(best, activations[k * 2 + 1]!);
  return best;
}

/**
 * True when the picture comes back across frame t: some frame in [t − window, t − 1] resembles some frame in
 * [t, t + window] much more than t − 1 resembles t (compared at the best small shift, as the classical flash
 * test does). A flash, an explosion or a whip pan and back returns; a cut does not.
 */
function pictureReturns(d: FrameDescriptors, t: number, frameCount: number, window: number, ratio: number): boolean {
  const distance = (a: number, b: number) => shiftedThumbDistance(d, a, b) + histDistance(d, a, b);
  const jump = distance(t - 1, t);
  if (jump < 0.02) return false;
  for (let before = t - 1; before >= Math.max(0, t - window); before--) {
    for (let after = t; after <= Math.min(frameCount - 1, t + window); after++) {
      if (before === t - 1 && after === t) continue;
      if (distance(before, after) < ratio * jump) return true;
    }
  }
  return false;
}

/** Transitions from the network's activations (and, in 'hybrid', the classical detector's transitions). */
export function decodeTransitions(
  d: FrameDescriptors,
  activations: Float32Array,
  frameCount: number,
  frameRate: Rate,
  settings: LearnedDecoderSettings = LEARNED_DECODER,
  classical?: readonly Transition[],
  options: ShotDetectionOptions = {},
): Transition[] {
  const fps = toFps(frameRate);
  const minShot = Math.max(2, options.minShotFrames ?? Math.round(0.2 * fps));
  const spans = options.gradual === false ? [] : gradualRuns(d, activations, frameCount, settings.gradualThreshold, settings.minGradualFrames);
  const inside = (frame: number) => spans.some((span) => frame >= span.start && frame <= span.end + 1);
  if (settings.mode === 'model' || !classical) {
    const cuts = peakCuts(activations, frameCount, settings.cutThreshold).filter((cut) => !inside(cut.frame) || cut.strength > 0.95);
    return mergeBoundaries(cuts, spans.filter((span) => !cuts.some((cut) => cut.frame > span.start && cut.frame <= span.end)), minShot, frameCount);
  }
  // Hybrid: the classical result, changed only where the network is confident.
  const window = Math.max(1, Math.round(settings.returnSeconds * fps));
  const cuts: Cut[] = [];
  for (const t of classical) {
    if (t.kind !== 'cut') continue;
    const p = maxCut(activations, frameCount, t.boundary, 2);
    if (p < settings.vetoThreshold && pictureReturns(d, t.boundary, frameCount, window, settings.returnRatio)) continue;
    cuts.push({ frame: t.boundary, strength: t.strength });
  }
  if (settings.addCutThreshold <= 1) {
    const evidence = cutEvidence(d, frameCount);
    for (const cut of peakCuts(activations, frameCount, settings.addCutThreshold)) {
      if (cuts.some((other) => Math.abs(other.frame - cut.frame) <= 2) || inside(cut.frame)) continue;
      if (evidence[cut.frame]! < settings.addCutEvidence || pictureReturns(d, cut.frame, frameCount, window, settings.returnRatio)) continue;
      cuts.push(cut);
    }
  }
  // The network's spans with no kept cut inside, then the classical spans none of those overlap.
  const trusted = Math.round(settings.trustedGradualSeconds * fps);
  const holdsCut = (span: { start: number; end: number }) => cuts.some((cut) => cut.frame > span.start && cut.frame <= span.end);
  const gradual: Gradual[] = spans.filter((span) => !holdsCut(span));
  if (options.gradual !== false) {
    for (const t of classical) {
      if (t.kind === 'cut' || holdsCut(t) || gradual.some((span) => t.start <= span.end && t.end >= span.start)) continue;
      if (t.end - t.start + 1 <= trusted && maxGradual(activations, t) < settings.dropClassicalGradual) continue;
      gradual.push({ start: t.start, end: t.end, kind: t.kind === 'fade' ? 'fade' : 'dissolve', strength: t.strength });
    }
  }
  return mergeBoundaries(cuts, gradual.sort((a, b) => a.start - b.start), minShot, frameCount);
}

/** Classical detection, then the network's decoding on top (see the module comment). */
export async function detectTransitionsLearned(
  d: FrameDescriptors,
  frameCount: number,
  frameRate: Rate,
  options: ShotDetectionOptions = {},
  settings: LearnedDecoderSettings = LEARNED_DECODER,
  modelPath = defaultShotModelPath(),
): Promise<Transition[]> {
  const activations = await transitionActivations(d, frameCount, modelPath);
  const classical = settings.mode === 'hybrid' ? detectTransitions(d, frameCount, frameRate, options) : undefined;
  return decodeTransitions(d, activations, frameCount, frameRate, settings, classical, options);
}
