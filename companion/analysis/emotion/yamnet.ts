/**
 * YAMNet (Google, Apache-2.0; 521 AudioSet classes) as an optional model at a configured path: it is not
 * shipped, so when it is absent the encoders that use it say so once (AM_ERR_MODEL_MISSING, a notice)
 * and fall back to their model-free cues. Input: 16 kHz mono windows of 15600 samples (0.975 s).
 */
import { existsSync } from 'node:fs';
import { MontageError } from '../../core/errors';
import { throwIfCancelled, type CancellationToken } from '../../core/lifecycle';
import { emotionNotice, emotionSettings } from './config';
import type { Pad } from './emotion-space';
import { ort, sharedSessionPool, type OnnxDevice, type PooledSession } from '../onnx/session-pool';

export const YAMNET_SAMPLE_RATE = 16_000;
export const YAMNET_WINDOW = 15_600;
export const YAMNET_CLASS_COUNT = 521;

/** AudioSet class indices (yamnet_class_map.csv rows) the emotion encoders read. */
export const YAMNET_CLASSES = {
  speech: 0,
  screaming: 11,
  laughter: 13,
  giggle: 15,
  bellyLaugh: 17,
  crying: 19,
  whimper: 21,
  wail: 22,
  gasp: 39,
  cheering: 61,
  applause: 62,
  music: 132,
  happyMusic: 271,
  sadMusic: 272,
  tenderMusic: 273,
  excitingMusic: 274,
  angryMusic: 275,
  scaryMusic: 276,
  thunder: 281,
  siren: 390,
  explosion: 420,
  gunshot: 421,
  silence: 494,
} as const;

/** The six music-mood classes, and the PAD reading of each (after the label prototypes). */
export const YAMNET_MOODS: readonly { readonly index: number; readonly name: string; readonly pad: Pad }[] = [
  { index: YAMNET_CLASSES.happyMusic, name: 'Happy music', pad: { valence: 0.7, arousal: 0.35, dominance: 0.3 } },
  { index: YAMNET_CLASSES.sadMusic, name: 'Sad music', pad: { valence: -0.6, arousal: -0.45, dominance: -0.35 } },
  { index: YAMNET_CLASSES.tenderMusic, name: 'Tender music', pad: { valence: 0.6, arousal: -0.5, dominance: 0.1 } },
  { index: YAMNET_CLASSES.excitingMusic, name: 'Exciting music', pad: { valence: 0.55, arousal: 0.65, dominance: 0.4 } },
  { index: YAMNET_CLASSES.angryMusic, name: 'Angry music', pad: { valence: -0.45, arousal: 0.6, dominance: 0.35 } },
  { index: YAMNET_CLASSES.scaryMusic, name: 'Scary music', pad: { valence: -0.6, arousal: 0.55, dominance: -0.5 } },
];

/** Per window class scores: `scores[w * 521 + c]`, with each window's start time in seconds. */
export interface YamnetScores {
  readonly windows: number;
  readonly startSeconds: Float64Array;
  readonly scores: Float32Array;
}

/** The YAMNet session, or undefined (with the reason) when no usable model is configured. */
export async function loadYamnet(path: string | undefined, device: OnnxDevice): Promise<{ session?: PooledSession; reason?: MontageError }> {
  if (!path) {
    return { reason: new MontageError('AM_ERR_MODEL_MISSING', 'YAMNet is not configured (set yamnetPath or AM_YAMNET_PATH); its sound and music-mood cues are skipped and the other cues are used.') };
  }
  if (!existsSync(path)) {
    return { reason: new MontageError('AM_ERR_MODEL_MISSING', `The YAMNet model ${path} does not exist; its sound and music-mood cues are skipped and the other cues are used.`, { where: { file: path } }) };
  }
  try {
    const session = await sharedSessionPool().acquire(path, { device });
    if (!session.inputNames.includes('waveform') || !session.outputNames.includes('scores')) {
      return { reason: new MontageError('AM_ERR_MODEL_INVALID', `${path} is not YAMNet: it needs a "waveform" input and a "scores" output.`, { where: { file: path } }) };
    }
    return { session };
  } catch (error) {
    return { reason: error instanceof MontageError ? error : new MontageError('AM_ERR_MODEL_INVALID', String(error), { where: { file: path } }) };
  }
}

/**
 * The YAMNet session an encoder uses (its own path, else the configured one, on the configured device), or
 * undefined after a notice, prefixed with the cue that is skipped, saying why. Both YAMNet encoders open it
 * this way; the session itself is shared through the pool.
 */
export async function openYamnet(path: string | undefined, cue: string): Promise<PooledSession | undefined> {
  const settings = emotionSettings();
  const { session, reason } = await loadYamnet(path ?? settings.yamnetPath, settings.device);
  if (!session && reason) emotionNotice({ code: reason.code, message: `${cue}: ${reason.message}`, ...(reason.where ? { where: reason.where } : {}) });
  return session;
}

/**
 * Runs YAMNet on windows of 16 kHz samples starting at `starts` (sample offsets; windows past the end are
 * zero-padded). Checks the token between windows.
 */
export async function runYamnet(session: PooledSession, samples: Float32Array, starts: readonly number[], token: CancellationToken): Promise<YamnetScores> {
  const scores = new Float32Array(starts.length * YAMNET_CLASS_COUNT);
  const startSeconds = new Float64Array(starts.length);
  for (let w = 0; w < starts.length; w++) {
    throwIfCancelled(token);
    const start = Math.max(0, Math.floor(starts[w] ?? 0));
    const window = new Float32Array(YAMNET_WINDOW);
    window.set(samples.subarray(start, Math.min(samples.length, start + YAMNET_WINDOW)));
    const out = await session.run({ waveform: new ort.Tensor('float32', window, [1, YAMNET_WINDOW]) });
    const data = out['scores']?.data as Float32Array | undefined;
    if (!data || data.length < YAMNET_CLASS_COUNT) throw new MontageError('AM_ERR_MODEL_INVALID', `YAMNet returned ${data?.length ?? 0} scores, not ${YAMNET_CLASS_COUNT}.`);
    scores.set(data.subarray(0, YAMNET_CLASS_COUNT), w * YAMNET_CLASS_COUNT);
    startSeconds[w] = start / YAMNET_SAMPLE_RATE;
  }
  return { windows: starts.length, startSeconds, scores };
}

/** Window starts (samples) covering [0, length) with the given hop, at most `maxWindows` evenly spread. */
export function windowStarts(length: number, hop: number, maxWindows = Infinity): number[] {
  const all: number[] = [];
  for (let s = 0; s + YAMNET_WINDOW / 2 < Math.max(length, 1) || all.length === 0; s += hop) all.push(s);
  if (all.length <= maxWindows) return all;
  const step = all.length / maxWindows;
  return Array.from({ length: maxWindows }, (_, i) => all[Math.floor(i * step)] as number);
}
