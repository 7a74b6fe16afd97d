/**
 * The face shot encoder: on each shot's keyframe, the face-api TinyFaceDetector finds faces; faces that
 * pass the gate (side ≥ minFacePixels in the decoded frame, detector score ≥ minScore) go through the
 * face-api expression CNN; the 7 expression probabilities map to PAD by a circumplex reading of each
 * expression, and so to the six labels. Shots without a usable face get an empty vector (confidence 0),
 * which fusion ignores. Both models are our own ONNX conversions, built on demand.
 */
import { MontageError } from '../../core/errors';
import { throwIfCancelled, type CancellationToken } from '../../core/lifecycle';
import type { EmotionVector } from '../../core/montage';
import type { MovieAnalysis, RgbFrame, ShotEmotionEncoder } from '../../core/pipeline';
import { extractShotKeyframes, type KeyframeShotSpan } from '../../media/keyframes';
import { toFps } from '../../core/rational';
import { ensureModel, modelRecord } from '../onnx/model-catalogue';
import { ort, sharedSessionPool, type OnnxDevice, type PooledSession } from '../onnx/session-pool';
import { emotionNotice, emotionSettings, type FaceSettings } from './config';
import { clamp, emptyVector, padToProbabilities, type Pad } from './emotion-space';
import {
  EXPRESSION_INPUT_SIZE,
  EXPRESSION_LABELS,
  EXPRESSION_MEAN_RGB,
  FACE_MODEL_BUILDERS,
  TINY_FACE_MEAN_RGB,
  decodeTinyFaceGrid,
  type ExpressionLabel,
  type FaceBox,
} from './faceapi-graphs';
import { letterboxInto } from './image-ops';
import { addTiming, timed } from './timings';

/** Circumplex reading of each expression (valence, arousal after models.md; dominance from PAD ratings). */
export const EXPRESSION_PAD: Readonly<Record<ExpressionLabel, Pad>> = {
  neutral: { valence: 0, arousal: 0, dominance: 0 },
  happy: { valence: 0.8, arousal: 0.5, dominance: 0.4 },
  sad: { valence: -0.7, arousal: -0.4, dominance: -0.4 },
  angry: { valence: -0.6, arousal: 0.7, dominance: 0.5 },
  fearful: { valence: -0.6, arousal: 0.8, dominance: -0.6 },
  disgusted: { valence: -0.7, arousal: 0.3, dominance: 0.2 },
  surprised: { valence: 0.2, arousal: 0.8, dominance: 0 },
};

const EXPRESSION_LABEL_PROBS = EXPRESSION_LABELS.map((label) => padToProbabilities(EXPRESSION_PAD[label]));

/** An emotion vector from expression probabilities (in {@link EXPRESSION_LABELS} order). */
export function vectorFromExpressions(encoderId: string, expression: ArrayLike<number>, confidence: number): EmotionVector {
  const values = [0, 0, 0, 0, 0, 0];
  let valence = 0;
  let arousal = 0;
  let total = 0;
  EXPRESSION_LABELS.forEach((label, e) => {
    const p = Math.max(0, expression[e] ?? 0);
    total += p;
    valence += p * EXPRESSION_PAD[label].valence;
    arousal += p * EXPRESSION_PAD[label].arousal;
    EXPRESSION_LABEL_PROBS[e]?.forEach((q, k) => (values[k] = (values[k] ?? 0) + p * q));
  });
  if (total <= 0) return emptyVector(encoderId);
  return { encoderId, values: values.map((v) => v / total), valence: clamp(valence / total), arousal: clamp(arousal / total), confidence: clamp(confidence, 0, 1) };
}

/** A detected face in frame pixels, with its expression probabilities once classified. */
export interface DetectedFace {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly score: number;
  expression?: Float32Array;
}

interface FaceModels {
  readonly detector: PooledSession;
  readonly expression: PooledSession;
}

/** The models loaded for the configured device (the pool keeps one session per device; so does this). */
let loaded: { readonly device: OnnxDevice; readonly models: Promise<FaceModels> } | undefined;

/** Loads (converting when needed) the two face models into the shared session pool, on the configured device. */
export function loadFaceModels(): Promise<FaceModels> {
  const device = emotionSettings().device;
  if (loaded?.device === device) return loaded.models;
  const models = (async () => {
    const detectorPath = ensureModel('faceapi-tiny-face-detector', FACE_MODEL_BUILDERS).path;
    const expressionPath = ensureModel('faceapi-expression', FACE_MODEL_BUILDERS).path;
    const pool = sharedSessionPool();
    return { detector: await pool.acquire(detectorPath, { device }), expression: await pool.acquire(expressionPath, { device }) };
  })();
  const entry = { device, models };
  loaded = entry;
  models.catch(() => {
    if (loaded === entry) loaded = undefined;
  });
  return models;
}

/** Detects faces in frames (batched), returning boxes in each frame's pixels that pass the gate. */
export async function detectFaces(models: FaceModels, frames: readonly RgbFrame[], settings: FaceSettings): Promise<DetectedFace[][]> {
  const size = Math.max(32, Math.round(settings.detectorSize / 32) * 32);
  const cells = size / 32;
  const batch = 8;
  const results: DetectedFace[][] = [];
  for (let start = 0; start < frames.length; start += batch) {
    const group = frames.slice(start, start + batch);
    const input = new Float32Array(group.length * size * size * 3);
    group.forEach((f, i) => letterboxInto(f.data, f.width, f.height, { x: 0, y: 0, width: f.width, height: f.height }, size, TINY_FACE_MEAN_RGB, false, input, i * size * size * 3));
    const output = await models.detector.run({ input: new ort.Tensor('float32', input, [group.length, size, size, 3]) });
    const grid = output['grid']?.data as Float32Array | undefined;
    if (!grid) throw new MontageError('AM_ERR_MODEL_INVALID', 'The face detector returned no "grid" output.');
    const per = cells * cells * 25;
    group.forEach((f, i) => {
      const side = Math.max(f.width, f.height);
      const boxes = decodeTinyFaceGrid(grid.subarray(i * per, (i + 1) * per), cells, Math.min(settings.minScore, 0.3));
      results.push(
        boxes
          .map((b: FaceBox) => ({ x: b.x * side, y: b.y * side, width: b.width * side, height: b.height * side, score: b.score }))
          .filter((b) => b.score >= settings.minScore && Math.min(b.width, b.height) >= settings.minFacePixels),
      );
    });
  }
  return results;
}

/** Classifies the expression of each face (batched), in place. */
export async function classifyExpressions(models: FaceModels, frames: readonly RgbFrame[], faces: readonly DetectedFace[][]): Promise<void> {
  const size = EXPRESSION_INPUT_SIZE;
  const jobs: { frame: RgbFrame; face: DetectedFace }[] = [];
  frames.forEach((frame, i) => faces[i]?.forEach((face) => jobs.push({ frame, face })));
  const batch = 16;
  for (let start = 0; start < jobs.length; start += batch) {
    const group = jobs.slice(start, start + batch);
    const input = new Float32Array(group.length * size * size * 3);
    group.forEach(({ frame, face }, i) => letterboxInto(frame.data, frame.width, frame.height, face, size, EXPRESSION_MEAN_RGB, true, input, i * size * size * 3));
    const output = await models.expression.run({ input: new ort.Tensor('float32', input, [group.length, size, size, 3]) });
    const probs = output['probs']?.data as Float32Array | undefined;
    if (!probs) throw new MontageError('AM_ERR_MODEL_INVALID', 'The expression model returned no "probs" output.');
    group.forEach(({ face }, i) => (face.expression = probs.slice(i * 7, i * 7 + 7)));
  }
}

/** The shot vector from its classified faces: expressions averaged by face area × score. */
export function vectorFromFaces(encoderId: string, faces: readonly DetectedFace[]): EmotionVector {
  const mix = new Float64Array(7);
  let total = 0;
  let best = 0;
  for (const face of faces) {
    if (!face.expression) continue;
    const w = face.width * face.height * face.score;
    total += w;
    face.expression.forEach((p, e) => (mix[e] = (mix[e] ?? 0) + w * p));
    // Bigger, surer faces are more trustworthy: full trust from about 96 px.
    best = Math.max(best, face.score * Math.min(1, Math.min(face.width, face.height) / 96));
  }
  if (total <= 0) return emptyVector(encoderId);
  return vectorFromExpressions(encoderId, Array.from(mix, (v) => v / total), 0.3 + 0.6 * best);
}

/**
 * Where each searched shot's keyframe may come from: the analysis' keyframe (the middle) as the target;
 * after a dissolve or fade, and before one, up to half a second of blended frames is left out; before a
 * hard cut, two frames (a cut detected a frame late). Spans are in the order of `shots`.
 */
export function faceSpans(movie: MovieAnalysis, shots: readonly number[]): KeyframeShotSpan[] {
  const fps = movie.media.video ? toFps(movie.media.video.rate) : 24;
  return shots.map((i) => {
    const shot = movie.shots[i]!;
    const start = shot.range.start.value;
    const length = shot.range.duration.value;
    const blend = Math.min(Math.round(fps / 2), Math.floor(length / 4));
    const next = movie.shots[i + 1];
    const keyframe = movie.features[i]?.keyframe;
    return {
      start,
      end: start + length,
      ...(keyframe !== undefined ? { target: keyframe } : {}),
      startMargin: shot.transitionIn === 'cut' ? 0 : blend,
      endMargin: next && next.transitionIn !== 'cut' ? blend : 2,
    };
  });
}

export class FaceEncoder implements ShotEmotionEncoder {
  readonly kind = 'shot' as const;
  constructor(readonly id = 'faces') {}

  /** What the vectors depend on besides the movie: the models, the gates, the keyframe rule. Undefined when the models cannot load (empty vectors are not cached). */
  async cacheKey(): Promise<string | undefined> {
    try {
      await loadFaceModels();
    } catch {
      return undefined;
    }
    const models = ['faceapi-tiny-face-detector', 'faceapi-expression'].map((id) => modelRecord(id).sha256);
    return JSON.stringify({ version: 'faces.2', models, faces: emotionSettings().faces });
  }

  async encodeShots(movie: MovieAnalysis, token: CancellationToken): Promise<EmotionVector[]> {
    throwIfCancelled(token);
    const settings = emotionSettings().faces;
    if (!movie.media.video || movie.shots.length === 0) return movie.shots.map(() => emptyVector(this.id));
    let models: FaceModels;
    try {
      models = await timed(this.id, 'computeMs', loadFaceModels);
    } catch (error) {
      const code = error instanceof MontageError ? error.code : 'AM_ERR_MODEL_MISSING';
      emotionNotice({ code, message: `Face expressions are off: ${(error as Error).message}` });
      return movie.shots.map(() => emptyVector(this.id));
    }
    // Only shots bright enough to show a face are searched; the others stay empty.
    const searched = movie.shots.map((_, i) => i).filter((i) => (movie.features[i]?.brightness ?? 1) >= settings.minBrightness);
    const vectors: EmotionVector[] = movie.shots.map(() => emptyVector(this.id));
    const video = movie.media.video;
    // Frames are batched for the models; a full batch is processed while decoding goes on (the extractor
    // pauses ffmpeg while batches are pending, so memory stays a few batches whatever the shot count).
    let batch: { shot: number; frame: RgbFrame }[] = [];
    let chain: Promise<void> = Promise.resolve();
    let computeMs = 0;
    const flush = () => {
      const group = batch;
      batch = [];
      if (group.length === 0) return chain;
      chain = chain.then(async () => {
        throwIfCancelled(token);
        const started = performance.now();
        await timed(this.id, 'computeMs', async () => {
          const frames = group.map((g) => g.frame);
          const faces = await detectFaces(models, frames, settings);
          await classifyExpressions(models, frames, faces);
          faces.forEach((f, j) => {
            const shot = group[j]?.shot;
            if (shot !== undefined) vectors[shot] = vectorFromFaces(this.id, f);
          });
        });
        computeMs += performance.now() - started;
      });
      return chain;
    };
    const started = performance.now();
    try {
      await extractShotKeyframes(movie.media.path, faceSpans(movie, searched), {
        size: { maxWidth: settings.frameWidth },
        video,
        token,
        maxPending: 2,
        onKeyframe: ({ shot, frame }) => {
          const index = searched[shot];
          if (index === undefined) return;
          batch.push({ shot: index, frame });
          return batch.length >= 8 ? flush() : undefined;
        },
      });
      await flush();
    } finally {
      // The wall time not spent in the models is keyframe decoding (ffmpeg's own CPU is counted by the bench).
      addTiming(this.id, 'decodeMs', performance.now() - started - computeMs);
    }
    return vectors;
  }
}
