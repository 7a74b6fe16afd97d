/**
 * The built-in BarTracker: our beat/downbeat activation network (models/beats, trained by
 * models/training/beats) run in onnxruntime-node, then the two-stage HMM of beat-decoder.ts.
 *
 *   samples → log-mel + rises (beat-spectrogram.ts) → network → P(beat), P(downbeat) per 10 ms
 *           → beats (tempo/phase Viterbi) → bar positions (metre/phase Viterbi + posteriors) → bars
 *
 * Music with no steady pulse (ambient, free tempo: the beat activation stays low on the best path) is not given
 * an invented grid: it is cut on its strongest onsets into phrase-length segments, marked `pulse: 'free'`.
 * The editor's overrides (bpm, beatsPerBar, firstDownbeatSeconds, downbeatShift) constrain the decoding.
 */
import { join } from 'node:path';
import { throwIfCancelled, type CancellationToken } from '../../core/lifecycle';
import type { Bar, Beat } from '../../core/montage';
import type { BarTracker, BarTrackerOptions, BarTracking } from '../../core/pipeline';
import { ort, sharedSessionPool } from '../onnx/session-pool';
import { packageRoot } from '../onnx/model-catalogue';
import { layoutBars } from './bars';
import { SpectralBarTracker } from './spectral-bar-tracker';
import type { SpectralFeatures } from './spectral-features';
import { validateTrackerOptions } from './tracker-options';
import { decodeBars, decodeBeats, METER_PRIOR } from './beat-decoder';
import { BEAT_FEATURES, BEAT_FRAME_RATE, computeBeatSpectrogram } from './beat-spectrogram';

/** Median activation at the tracked beats, above the median over the span, below which there is no steady pulse. */
const FREE_PULSE_ACTIVATION = 0.12;
/** Frames of context on each side of an inference chunk (the network sees ±5.1 s). */
const CHUNK_MARGIN = 600;
const CHUNK_FRAMES = 12_000;
/**
 * When the network hears no steady pulse, the spectral tracker (an independent, onset-based method) gets a say:
 * a reading of its with at least this confidence (noise and speech read ≤ 0.15 on its scale) is used instead.
 * It guards against the network missing the pulse of music unlike its training data (a dense metal mix).
 */
const SECOND_OPINION_CONFIDENCE = 0.3;
/** Free-pulse segments: about this long (seconds), never shorter than the minimum. */
const PHRASE_SECONDS = 4;
const MIN_PHRASE_SECONDS = 2;

export interface Activations {
  readonly beat: Float32Array;
  readonly downbeat: Float32Array;
  /** The input's spectral flatness (see BeatSpectrogram); absent = not known. */
  readonly flatness?: number;
}

/**
 * Noise is not music: the network, never shown noise, hears beats in it. Confidence falls from full at a
 * spectral flatness of 0.72 (denser than the densest metal mix we measured, 0.68) to none at 0.78 (pink
 * noise 0.81, white 0.96).
 */
function noiseFactor(flatness: number | undefined): number {
  return flatness === undefined ? 1 : Math.max(0, Math.min(1, (0.78 - flatness) / 0.06));
}

export function defaultBeatModelPath(): string {
  return process.env['AM_BEAT_MODEL'] ?? join(packageRoot(), 'models', 'beats', 'beat-tcn.onnx');
}

export class BeatNetworkTracker implements BarTracker {
  readonly id = 'builtin.beat-network';

  private readonly secondOpinion = new SpectralBarTracker();

  constructor(private readonly modelPath: string = defaultBeatModelPath()) {}

  /** `spectral`: the samples' spectral features where the caller has them already, for the second opinion. */
  async track(samples: Float32Array, sampleRate: number, options: BarTrackerOptions, token: CancellationToken, spectral?: SpectralFeatures): Promise<BarTracking> {
    validateTrackerOptions(options);
    const activations = await this.activations(samples, sampleRate, token);
    throwIfCancelled(token);
    const tracking = trackFromActivations(activations, samples.length / sampleRate, options);
    if (tracking.pulse !== 'free') return tracking;
    const second = this.secondOpinion.track(samples, sampleRate, options, token, spectral);
    if (second.confidence < SECOND_OPINION_CONFIDENCE) return tracking;
    const { diagnostics: _, ...reading } = second;
    return { ...reading, bars: reading.bars.map((bar) => ({ ...bar, confidence: second.confidence })), pulse: 'steady' };
  }

  /** The network's output, 100 frames a second, run in overlapping chunks so memory stays bounded. */
  async activations(samples: Float32Array, sampleRate: number, token: CancellationToken): Promise<Activations> {
    const spectrogram = computeBeatSpectrogram(samples, sampleRate, token);
    const session = await sharedSessionPool().acquire(this.modelPath);
    const frames = spectrogram.frameCount;
    const beat = new Float32Array(frames);
    const downbeat = new Float32Array(frames);
    for (let start = 0; start < frames; start += CHUNK_FRAMES) {
      throwIfCancelled(token);
      const from = Math.max(0, start - CHUNK_MARGIN);
      const to = Math.min(frames, start + CHUNK_FRAMES + CHUNK_MARGIN);
      const input = spectrogram.data.subarray(from * BEAT_FEATURES, to * BEAT_FEATURES);
      const output = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, [1, to - from, BEAT_FEATURES]) });
      const values = output[session.outputNames[0]!]!.data as Float32Array;
      for (let t = start; t < Math.min(frames, start + CHUNK_FRAMES); t++) {
        beat[t] = values[(t - from) * 2]!;
        downbeat[t] = values[(t - from) * 2 + 1]!;
      }
    }
    return { beat, downbeat, flatness: spectrogram.flatness };
  }
}

/** The decoder's few constants, chosen on the corpus's tune split (models/training/beats/tune-decoder.ts). */
export interface DecoderSettings {
  readonly freePulseActivation: number;
  readonly transitionLambda: number;
  readonly meterPrior: Readonly<Record<number, number>>;
  readonly barPriorWeight: number;
  readonly relativeDownbeats: boolean;
  /** Per bar line. */
  readonly meterChange: number;
  /** Per beat. */
  readonly barRestart: number;
}

export const DECODER_SETTINGS: DecoderSettings = {
  freePulseActivation: FREE_PULSE_ACTIVATION,
  transitionLambda: 100,
  meterPrior: METER_PRIOR,
  barPriorWeight: 0.5,
  relativeDownbeats: true,
  meterChange: 1e-3,
  barRestart: 1e-3,
};

/** Beats and bars from the activations (pure: the tests and the bench call it directly). */
export function trackFromActivations(activations: Activations, durationSeconds: number, options: BarTrackerOptions = {}, settings: DecoderSettings = DECODER_SETTINGS): BarTracking {
  const { beat, downbeat } = activations;
  const fps = BEAT_FRAME_RATE;
  const decoded = decodeBeats(beat, {
    frameRate: fps,
    transitionLambda: settings.transitionLambda,
    ...(options.bpm !== undefined ? { minBpm: options.bpm * 0.97, maxBpm: options.bpm * 1.03 } : { minBpm: 45, maxBpm: 230 }),
  });
  // The path runs through leading and trailing silence too: drop its beats there.
  const strength = decoded.frames.map((frame) => maxNear(beat, frame, 2));
  let first = 0;
  let last = strength.length - 1;
  while (first <= last && strength[first]! < 0.05) first++;
  while (last >= first && strength[last]! < 0.05) last--;
  const frames = decoded.frames.slice(first, last + 1);
  const beatStrength = strength.slice(first, last + 1);
  // A pulse stands out from the activation around it (a constant output, as on silence or a steady tone, is none).
  const span = frames.length ? beat.subarray(Math.floor(frames[0]!), Math.ceil(frames[frames.length - 1]!) + 1) : beat;
  const pulseStrength = median(beatStrength) - median(Array.from(span));
  if (frames.length < 4 || (options.bpm === undefined && pulseStrength < settings.freePulseActivation)) {
    return freePulse(beat, durationSeconds, pulseStrength);
  }

  const times = frames.map((frame) => frame / fps);
  const downbeatAt = options.firstDownbeatSeconds !== undefined ? nearest(times, options.firstDownbeatSeconds) : undefined;
  const bars = decodeBars(
    frames.map((frame) => maxNear(downbeat, frame, 2)),
    {
      meterPrior: settings.meterPrior,
      barPriorWeight: settings.barPriorWeight,
      relative: settings.relativeDownbeats,
      meterChange: settings.meterChange,
      // A metre or a downbeat the editor sets is kept bar after bar (no early restarts).
      restart: options.beatsPerBar !== undefined || downbeatAt !== undefined ? 0 : settings.barRestart,
      ...(options.beatsPerBar !== undefined ? { meters: [options.beatsPerBar] } : {}),
      ...(downbeatAt !== undefined ? { downbeatAt } : {}),
    },
  );
  const beatsPerBar = mode(bars.meters);
  const layout = layoutBars({ times, positions: bars.positions, beatsPerBar }, durationSeconds, options.downbeatShift ?? 0);
  // A pulse but not one whole bar (a clip of a few seconds): phrase segments, as for music with no pulse.
  if (layout.bars.length === 0) return freePulse(beat, durationSeconds, pulseStrength);
  // Each bar's confidence: its beats' activations (clipped at 0.5) × the posterior that its first beat is a downbeat.
  const beatIndex = new Map(times.map((time, i) => [time, i]));
  const barsWithConfidence: Bar[] = layout.bars.map((bar) => {
    const i = beatIndex.get(bar.startSeconds) ?? nearest(times, bar.startSeconds);
    let sum = 0;
    for (let k = i; k < Math.min(times.length, i + bar.beatsPerBar); k++) sum += Math.min(1, beatStrength[k]! / 0.5);
    const confidence = (sum / bar.beatsPerBar) * (options.downbeatShift ? 1 : bars.downbeatProbability[i]!) * bars.meterProbability[i]! * noiseFactor(activations.flatness);
    return { ...bar, confidence: round3(confidence) };
  });
  // From the refined beat times (the decoder's periods are whole frames).
  const tempoBpm = 60 / median(times.slice(1).map((t, i) => t - times[i]!));
  return {
    beats: layout.beats,
    bars: barsWithConfidence,
    tempoBpm: options.bpm ?? tempoBpm,
    beatsPerBar,
    confidence: round3(median(barsWithConfidence.map((b) => b.confidence ?? 0)) * lengthFactor(durationSeconds)),
    pulse: 'steady',
  };
}

/**
 * No steady pulse: segments of about PHRASE_SECONDS ending on the strongest onsets (dynamic programming over
 * the activation's peaks), each a one-beat "bar". With no onsets at all, even segments.
 */
function freePulse(beat: Float32Array, durationSeconds: number, pulseStrength: number): BarTracking {
  const fps = BEAT_FRAME_RATE;
  // Shorter than one phrase: no bar (the analyser reports the music as too short).
  if (durationSeconds < MIN_PHRASE_SECONDS) return { beats: [], bars: [], tempoBpm: 0, beatsPerBar: 1, confidence: 0, pulse: 'free' };
  const peaks: number[] = [0];
  for (let t = 1; t < beat.length - 1; t++) if (beat[t]! >= beat[t - 1]! && beat[t]! > beat[t + 1]! && beat[t]! > 0.02) peaks.push(t);
  const end = Math.floor(durationSeconds * fps);
  // best[k]: best score of a segmentation of [0, peaks[k]); a segment's cost is its squared log-length error.
  const best = new Float64Array(peaks.length).fill(-Infinity);
  const from = new Int32Array(peaks.length).fill(-1);
  best[0] = 0;
  for (let k = 1; k < peaks.length; k++) {
    for (let j = k - 1; j >= 0; j--) {
      const length = (peaks[k]! - peaks[j]!) / fps;
      if (length > 3 * PHRASE_SECONDS) break;
      if (length < MIN_PHRASE_SECONDS || best[j] === -Infinity) continue;
      const value = best[j]! + beat[peaks[k]!]! * 4 - Math.log(length / PHRASE_SECONDS) ** 2;
      if (value > best[k]!) {
        best[k] = value;
        from[k] = j;
      }
    }
  }
  let cuts: number[] = [];
  let tail = -1;
  for (let k = peaks.length - 1; k >= 1; k--) {
    if (best[k]! > -Infinity && (end - peaks[k]!) / fps < 3 * PHRASE_SECONDS) {
      if (tail < 0 || best[k]! > best[tail]!) tail = k;
    }
  }
  for (let k = tail; k > 0; k = from[k]!) cuts.push(peaks[k]! / fps);
  cuts.push(0);
  cuts = cuts.reverse();
  if (cuts.length < 2) cuts = Array.from({ length: Math.max(1, Math.floor(durationSeconds / PHRASE_SECONDS)) }, (_, i) => i * PHRASE_SECONDS);
  const boundaries = [...cuts, durationSeconds].filter((t, i, all) => i === 0 || t - all[i - 1]! >= 0.1);
  const beats: Beat[] = [];
  const bars: Bar[] = [];
  for (let i = 0; i + 1 < boundaries.length; i++) {
    const start = boundaries[i]!;
    const duration = boundaries[i + 1]! - start;
    beats.push({ timeSeconds: start, beatInBar: 1 });
    bars.push({ index: i, startSeconds: start, durationSeconds: duration, beatsPerBar: 1, tempoBpm: 60 / duration, confidence: 0 });
  }
  const confidence = round3(Math.max(0, Math.min(0.3, pulseStrength)) * lengthFactor(durationSeconds));
  return { beats, bars, tempoBpm: bars.length ? (60 * bars.length) / durationSeconds : 0, beatsPerBar: 1, confidence, pulse: 'free' };
}

/** A few seconds cannot show a pulse, or its absence: no confidence at 2 s, full from 10 s. */
function lengthFactor(durationSeconds: number): number {
  return Math.max(0, Math.min(1, (durationSeconds - 2) / 8));
}

function maxNear(values: Float32Array, frame: number, radius: number): number {
  let max = 0;
  const centre = Math.round(frame);
  for (let t = Math.max(0, centre - radius); t <= Math.min(values.length - 1, centre + radius); t++) max = Math.max(max, values[t]!);
  return max;
}

function nearest(times: readonly number[], time: number): number {
  let best = 0;
  for (let i = 1; i < times.length; i++) if (Math.abs(times[i]! - time) < Math.abs(times[best]! - time)) best = i;
  return best;
}

function median(values: readonly number[]): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function mode(values: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best = 4;
  let bestCount = 0;
  for (const [value, count] of counts) if (count > bestCount) [best, bestCount] = [value, count];
  return best;
}

function round3(value: number): number {
  return Number.isFinite(value) ? Math.round(value * 1000) / 1000 : 0;
}
