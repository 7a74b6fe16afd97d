/**
 * Which emotion encoders a job uses and how the built-in ones are set up. Any id can name a user's
 * encoder (an extension's, or the generic `onnx-shot` / `onnx-music` encoders that load a learned ONNX
 * model from a path), so a learned model can replace any default by configuration.
 * Environment variables give the defaults: AM_YAMNET_PATH, AM_ONNX_DEVICE (cpu | cuda | auto),
 * AM_EMOTION_SHOT_MODEL and AM_EMOTION_MUSIC_MODEL (paths for the generic ONNX encoders).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Diagnostic } from '../../core/errors';
import type { OnnxDevice } from '../onnx/session-pool';
import type { SimilarityWeights } from './similarity';

/** The encoder ids a job uses, by kind. */
export interface EncoderSelection {
  readonly shot: readonly string[];
  readonly music: readonly string[];
}

/** The built-in default: frame affect + faces + soundtrack cues for shots; bar features + YAMNet moods for music. */
export const defaultEncoderIds: EncoderSelection = {
  shot: ['frame-affect', 'faces', 'soundtrack'],
  music: ['music-features', 'music-yamnet'],
};

/** Ids of every built-in encoder, with its kind. */
export const BUILTIN_ENCODERS = [
  { id: 'frame-affect', kind: 'shot', label: 'Frame affect (colour, motion, cut rate)' },
  { id: 'faces', kind: 'shot', label: 'Face expressions (face-api tiny detector + expression CNN)' },
  { id: 'soundtrack', kind: 'shot', label: "Soundtrack cues in the movie's own audio (YAMNet, optional)" },
  { id: 'onnx-shot', kind: 'shot', label: 'A learned ONNX shot encoder from a path' },
  { id: 'music-features', kind: 'music', label: 'Music features (mode, tempo, loudness, brightness, onsets)' },
  { id: 'music-yamnet', kind: 'music', label: 'Music mood classes (YAMNet, optional)' },
  { id: 'onnx-music', kind: 'music', label: 'A learned ONNX music encoder from a path' },
] as const;

export interface FaceSettings {
  /** Side of the detector's input square (a multiple of 32). Default 224 (about 3 ms a frame on one core; 320 finds smaller faces at twice the cost). */
  readonly detectorSize: number;
  /** Smallest face side, in source-frame pixels, whose expression is used. Default 40. */
  readonly minFacePixels: number;
  /** Smallest detector score whose face is used. Default 0.5. */
  readonly minScore: number;
  /** Width the keyframes are decoded at. Default 640. */
  readonly frameWidth: number;
  /** Shots whose mean brightness is below this are not searched for faces (nothing to see). Default 0.03. */
  readonly minBrightness: number;
}

export interface EmotionSettings {
  /** Fusion weight of each encoder id (default 1); a vector counts weight × its confidence. */
  readonly weights: Readonly<Record<string, number>>;
  readonly similarity: SimilarityWeights;
  /** Path of the YAMNet ONNX file (optional model). */
  readonly yamnetPath: string | undefined;
  readonly device: OnnxDevice;
  /** Paths of learned ONNX encoders for the generic `onnx-shot` and `onnx-music` ids. */
  readonly shotModelPath: string | undefined;
  readonly musicModelPath: string | undefined;
  readonly faces: FaceSettings;
}

export const DEFAULT_FUSION_WEIGHTS: Readonly<Record<string, number>> = {
  'frame-affect': 1,
  faces: 1.5,
  soundtrack: 1,
  'onnx-shot': 2,
  'music-features': 1,
  'music-yamnet': 0.8,
  'onnx-music': 2,
};

function envDevice(): OnnxDevice {
  const value = process.env['AM_ONNX_DEVICE'];
  return value === 'cuda' || value === 'auto' ? value : 'cpu';
}

function initialSettings(): EmotionSettings {
  return {
    weights: DEFAULT_FUSION_WEIGHTS,
    similarity: {},
    yamnetPath: process.env['AM_YAMNET_PATH'] || undefined,
    device: envDevice(),
    shotModelPath: process.env['AM_EMOTION_SHOT_MODEL'] || undefined,
    musicModelPath: process.env['AM_EMOTION_MUSIC_MODEL'] || undefined,
    faces: { detectorSize: 224, minFacePixels: 40, minScore: 0.5, frameWidth: 640, minBrightness: 0.03 },
  };
}

let settings = initialSettings();

/** The settings the built-in encoders read when they run. */
export function emotionSettings(): EmotionSettings {
  return settings;
}

/** Changes the built-in encoders' settings (the server/CLI calls this from its configuration). */
export function configureEmotion(changes: Partial<Omit<EmotionSettings, 'faces'>> & { faces?: Partial<FaceSettings> }): EmotionSettings {
  settings = { ...settings, ...changes, weights: { ...settings.weights, ...changes.weights }, faces: { ...settings.faces, ...changes.faces } };
  return settings;
}

/** Back to the defaults (tests). */
export function resetEmotionSettings(): void {
  settings = initialSettings();
}

/** The notice sink of the scoring job whose (async) work is running: jobs run side by side in the server. */
const jobSink = new AsyncLocalStorage<(diagnostic: Diagnostic) => void>();

/**
 * Runs `work` with the notices raised inside it (and in the async work it starts) handed to `sink`, so one
 * job never lists another's notices. Notices are encoders' remarks that are not failures: a missing
 * optional model, a face model that could not be built.
 */
export function withEmotionNotices<T>(sink: (diagnostic: Diagnostic) => void, work: () => Promise<T>): Promise<T> {
  return jobSink.run(sink, work);
}

/** Reports a notice to the job it was raised in (see withEmotionNotices); outside any job it is dropped. */
export function emotionNotice(diagnostic: Diagnostic): void {
  jobSink.getStore()?.(diagnostic);
}
