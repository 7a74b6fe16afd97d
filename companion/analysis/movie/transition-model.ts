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
 *   - 'hybrid': the classical detector's cuts, less those the network scores near zero (a flash, a whip)
 *     and those inside a confident network transition, plus the network's confident cuts; the network's
 *     gradual spans, plus the classical spans the network does not contradict.
 * Constants were chosen on the dev set's tune part (models/training/shots/tune-decoder.ts).
 */
import { join } from 'node:path';
import { MontageError } from '../../core/errors';
import { toFps, type Rate } from '../../core/rational';
import { packageRoot } from '../onnx/model-catalogue';
import { ort, sharedSessionPool, type PooledSession } from '../onnx/session-pool';
import type { FrameDescriptors } from './frame-descriptors';
import { detectTransitions, isFlat, mergeBoundaries, type Cut, type Gradual, type ShotDetectionOptions, type Transition } from './shot-detector';
import { transitionFeatures, TRANSITION_FEATURES } from './transition-features';

export type LearnedMode = 'model' | 'hybrid';

export interface LearnedDecoderSettings {
  readonly mode: LearnedMode;
  /** A network cut: an activation peak at least this high (mode 'model'; in 'hybrid', cuts the classical detector missed). */
  readonly cutThreshold: number;
  /** Hybrid: a classical cut whose network activation (max over ±2 frames) stays below this is dropped. */
  readonly vetoThreshold: number;
  /** Frames inside a gradual transition: activation at least this high, runs of at least `minGradualFrames`. */
  readonly gradualThreshold: number;
  readonly minGradualFrames: number;
  /** Hybrid: a classical gradual span is kept when its mean gradual activation is at least this. */
  readonly keepClassicalGradual: number;
}

/** Per mode, chosen on the tune part of the action dev set (tune-decoder.ts). */
export const LEARNED_DECODERS: Readonly<Record<LearnedMode, LearnedDecoderSettings>> = {
  model: { mode: 'model', cutThreshold: 0.5, vetoThreshold: 0, gradualThreshold: 0.3, minGradualFrames: 6, keepClassicalGradual: 1.01 },
  hybrid: { mode: 'hybrid', cutThreshold: 0.5, vetoThreshold: 0.02, gradualThreshold: 0.3, minGradualFrames: 6, keepClassicalGradual: 1.01 },
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
    if (end - t + 1 >= minFrames) {
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

function meanGradual(activations: Float32Array, span: { start: number; end: number }): number {
  let sum = 0;
  for (let k = span.start; k <= span.end; k++) sum += activations[k * 2 + 1]!;
  return sum / Math.max(1, span.end - span.start + 1);
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
  const cuts: Cut[] = [];
  for (const t of classical) {
    if (t.kind !== 'cut') continue;
    const p = maxCut(activations, frameCount, t.boundary, 2);
    if (p < settings.vetoThreshold) continue;
    if (inside(t.boundary) && p < 0.5) continue;
    cuts.push({ frame: t.boundary, strength: t.strength });
  }
  for (const cut of peakCuts(activations, frameCount, settings.cutThreshold)) {
    if (cuts.some((other) => Math.abs(other.frame - cut.frame) <= 2) || inside(cut.frame)) continue;
    cuts.push(cut);
  }
  const gradual: Gradual[] = [...spans];
  if (options.gradual !== false) {
    for (const t of classical) {
      if (t.kind === 'cut' || gradual.some((span) => t.start <= span.end && t.end >= span.start)) continue;
      if (meanGradual(activations, t) < settings.keepClassicalGradual) continue;
      gradual.push({ start: t.start, end: t.end, kind: t.kind === 'fade' ? 'fade' : 'dissolve', strength: t.strength });
    }
  }
  const kept = gradual.filter((span) => !cuts.some((cut) => cut.frame > span.start && cut.frame <= span.end));
  return mergeBoundaries(cuts, kept.sort((a, b) => a.start - b.start), minShot, frameCount);
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
