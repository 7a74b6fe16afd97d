/**
 * Generic learned encoders: a user's ONNX model, loaded from a path, replaces or joins the built-in
 * encoders by configuration (ids `onnx-shot` and `onnx-music`, or any id given to the constructor).
 *
 * Shot models take ONE input, either
 *  - `features` float [N, 7]: brightness, saturation, colourfulness, warmth, contrast, motion, shot seconds
 *    (the movie analysis' ShotFeatures), or
 *  - an image float [N, H, W, 3] (NHWC RGB in [0, 1], the shot's keyframe resized to H×W; H and W must be
 *    fixed in the model).
 * Music models take `features` float [N, 17]: loudnessDb, onsetDensity, spectralCentroidHz, mode, tempoBpm,
 * chroma[12] — one row per bar plus a last row for the whole track.
 * Outputs: the first output is [N, 6] over excited, fearful, neutral, relaxed, sad, tense (probabilities,
 * or logits when any value is negative or rows do not sum to 1 — then softmax is applied); an optional
 * output named `valence_arousal` [N, 2] gives the coordinates (else they come from the probabilities).
 */
import { MontageError } from '../../core/errors';
import { throwIfCancelled, type CancellationToken } from '../../core/lifecycle';
import { EMOTION_LABELS, type BarFeatures, type EmotionVector } from '../../core/montage';
import type { MovieAnalysis, MusicAnalysis, MusicEmotion, MusicEmotionEncoder, ShotEmotionEncoder } from '../../core/pipeline';
import { toSeconds } from '../../core/rational';
import { extractFrames } from '../../media/frames';
import { ort, sharedSessionPool, type PooledSession } from '../onnx/session-pool';
import { emotionNotice, emotionSettings } from './config';
import { clamp, emptyVector, softmax, vectorFromProbabilities } from './emotion-space';
import { letterboxInto } from './image-ops';
import { globalBarFeatures } from './music-features';

export const SHOT_FEATURE_COUNT = 7;
export const MUSIC_FEATURE_COUNT = 17;
const LABELS = EMOTION_LABELS.length;

/** Turns model output rows into vectors. */
export function vectorsFromOutput(encoderId: string, output: Float32Array, rows: number, valenceArousal?: Float32Array, confidence = 0.8): EmotionVector[] {
  if (output.length !== rows * LABELS) throw new MontageError('AM_ERR_MODEL_INVALID', `The model's first output has ${output.length} values, not ${rows} × ${LABELS}.`);
  return Array.from({ length: rows }, (_, r) => {
    const row = Array.from(output.subarray(r * LABELS, (r + 1) * LABELS));
    const sum = row.reduce((a, b) => a + b, 0);
    const probs = row.some((v) => v < 0) || Math.abs(sum - 1) > 1e-3 ? softmax(row) : row;
    const vector = vectorFromProbabilities(encoderId, probs, confidence);
    if (!valenceArousal || valenceArousal.length < rows * 2) return vector;
    return { ...vector, valence: clamp(valenceArousal[r * 2] ?? 0), arousal: clamp(valenceArousal[r * 2 + 1] ?? 0) };
  });
}

async function openModel(path: string | undefined, encoderId: string): Promise<PooledSession | undefined> {
  if (!path) {
    emotionNotice({ code: 'AM_ERR_MODEL_MISSING', message: `Encoder "${encoderId}" has no model path configured; it is skipped.`, where: { extension: encoderId } });
    return undefined;
  }
  try {
    return await sharedSessionPool().acquire(path, { device: emotionSettings().device });
  } catch (error) {
    const e = error instanceof MontageError ? error : new MontageError('AM_ERR_MODEL_INVALID', String(error));
    emotionNotice({ code: e.code, message: `Encoder "${encoderId}": ${e.message}`, where: { file: path, extension: encoderId } });
    return undefined;
  }
}

async function runRows(session: PooledSession, input: Float32Array, dims: number[]): Promise<{ probs: Float32Array; va?: Float32Array }> {
  const name = session.inputNames[0] as string;
  const out = await session.run({ [name]: new ort.Tensor('float32', input, dims) });
  const probs = out[session.outputNames[0] as string]?.data as Float32Array | undefined;
  if (!probs) throw new MontageError('AM_ERR_MODEL_INVALID', `${session.path} returned no output.`, { where: { file: session.path } });
  const va = out['valence_arousal']?.data as Float32Array | undefined;
  return va ? { probs, va } : { probs };
}

export class OnnxShotEncoder implements ShotEmotionEncoder {
  readonly kind = 'shot' as const;
  constructor(
    readonly id = 'onnx-shot',
    private readonly modelPath?: string,
    /** Side of the square image fed to image models (default 224); it must match the model's fixed H and W (they are not read from the model). */
    private readonly imageSize = 224,
  ) {}

  async encodeShots(movie: MovieAnalysis, token: CancellationToken): Promise<EmotionVector[]> {
    throwIfCancelled(token);
    const session = await openModel(this.modelPath ?? emotionSettings().shotModelPath, this.id);
    if (!session || movie.shots.length === 0) return movie.shots.map(() => emptyVector(this.id));
    const n = movie.shots.length;
    const imageModel = !/feature/i.test(session.inputNames[0] ?? '');
    if (!imageModel) {
      const input = new Float32Array(n * SHOT_FEATURE_COUNT);
      movie.shots.forEach((shot, i) => {
        const f = movie.features[i];
        const row = [f?.brightness, f?.saturation, f?.colourfulness, f?.warmth, f?.contrast, f?.motion, toSeconds(shot.range.duration)];
        row.forEach((v, j) => (input[i * SHOT_FEATURE_COUNT + j] = Number.isFinite(v) ? (v as number) : 0));
      });
      const { probs, va } = await runRows(session, input, [n, SHOT_FEATURE_COUNT]);
      return vectorsFromOutput(this.id, probs, n, va);
    }
    const size = this.imageSize;
    const keyframes = movie.shots.map((shot, i) => movie.features[i]?.keyframe ?? shot.range.start.value);
    const vectors: EmotionVector[] = [];
    for (let start = 0; start < n; start += 16) {
      throwIfCancelled(token);
      const frames = await extractFrames(movie.media.path, keyframes.slice(start, start + 16), { width: size, height: size }, token, movie.media.video ? { video: movie.media.video } : {});
      const input = new Float32Array(frames.length * size * size * 3);
      frames.forEach((f, i) => letterboxInto(f.data, f.width, f.height, { x: 0, y: 0, width: f.width, height: f.height }, size, [0, 0, 0], false, input, i * size * size * 3));
      // letterboxInto divides by 255, so values are RGB in [0, 1].
      const { probs, va } = await runRows(session, input, [frames.length, size, size, 3]);
      vectors.push(...vectorsFromOutput(this.id, probs, frames.length, va));
    }
    return vectors;
  }
}

/** One feature row for a bar (or the whole track). */
export function musicFeatureRow(f: BarFeatures): number[] {
  return [f.loudnessDb, f.onsetDensity, f.spectralCentroidHz, f.mode, f.tempoBpm, ...Array.from({ length: 12 }, (_, k) => f.chroma[k] ?? 0)].map((v) => (Number.isFinite(v) ? v : 0));
}

export class OnnxMusicEncoder implements MusicEmotionEncoder {
  readonly kind = 'music' as const;
  constructor(
    readonly id = 'onnx-music',
    private readonly modelPath?: string,
  ) {}

  async encodeMusic(music: MusicAnalysis, token: CancellationToken): Promise<MusicEmotion> {
    throwIfCancelled(token);
    const session = await openModel(this.modelPath ?? emotionSettings().musicModelPath, this.id);
    if (!session) return { global: emptyVector(this.id), bars: music.bars.map(() => emptyVector(this.id)) };
    const rows = [...music.barFeatures.map(musicFeatureRow), musicFeatureRow(globalBarFeatures(music.barFeatures, music.tempoBpm))];
    const { probs, va } = await runRows(session, Float32Array.from(rows.flat()), [rows.length, MUSIC_FEATURE_COUNT]);
    const vectors = vectorsFromOutput(this.id, probs, rows.length, va);
    const global = vectors.pop() ?? emptyVector(this.id);
    return { global, bars: music.bars.map((_, k) => vectors[k] ?? global) };
  }
}
