/**
 * The built-in BarTracker: spectral-flux onsets → tempo (autocorrelation × Fourier salience with a prior,
 * plus a local tempo curve) → the pulse at twice the tempo by dynamic programming → the beats chosen out of
 * it by low-band accents → meter and downbeats from beat-synchronous accents → bars. An extension can
 * replace it through the BarTracker interface. See README.md in this folder.
 */
import { throwIfCancelled, type CancellationToken } from '../../core/lifecycle';
import type { BarTracker, BarTrackerOptions, BarTracking } from '../../core/pipeline';
import { gridBeats, layoutBars, type LabelledBeats } from './bars';
import { validateTrackerOptions } from './tracker-options';
import { chooseBeatsFromPulses } from './beat-phase';
import { trackBeats, trimSilentEnds } from './beat-tracker';
import { beatAccents, estimateMeter, maxAround } from './meter';
import { computeSpectralFeatures, type SpectralFeatures } from './spectral-features';
import { estimateTempo, onsetEnvelope } from './tempo';

/** Mean spectral flux per frame below which the sound is treated as having no onsets (music is about 1–4). */
const MIN_MEAN_FLUX = 0.1;
/** Tempo of the fallback grid when no pulse is found. */
const FALLBACK_BPM = 120;
/**
 * Added to every beat time. Flux peaks come about 10 ms before an instant attack (the window sees the rise
 * before its centre reaches it: −9.6 ms on click tracks), but real instruments rise more slowly: on the
 * annotated songs the beats land −1 to +30 ms from the annotations. So no correction is applied.
 */
const ONSET_LAG_SECONDS = 0;

/** What the built-in tracker found, with the figures behind its confidence (for diagnostics and tests). */
export interface SpectralBarTracking extends BarTracking {
  readonly diagnostics: {
    readonly tempoPeakRatio: number;
    readonly localPeakRatio: number;
    readonly meanFlux: number;
    readonly beatContrast: number;
    readonly hitRate: number;
    readonly meterConfidence: number;
    readonly repetition: { readonly three: number; readonly four: number };
    readonly fallback: boolean;
    readonly tempoCandidates: readonly { readonly bpm: number; readonly salience: number }[];
  };
}

export interface SpectralBarTrackerOptions {
  /** Centre of the tempo prior (BPM), 120 by default. */
  readonly priorBpm?: number;
}

export class SpectralBarTracker implements BarTracker {
  readonly id = 'builtin.spectral-flux';
  private readonly priorBpm: number;

  constructor(options: SpectralBarTrackerOptions = {}) {
    this.priorBpm = options.priorBpm ?? 120;
  }

  /** `features`: the samples' spectral features where the caller has them already (the analyser needs them too). */
  track(samples: Float32Array, sampleRate: number, options: BarTrackerOptions, token: CancellationToken, features: SpectralFeatures = computeSpectralFeatures(samples, sampleRate, {}, token)): SpectralBarTracking {
    validateTrackerOptions(options);
    const durationSeconds = samples.length / sampleRate;
    const frameRate = features.frameRate;
    const envelope = onsetEnvelope(features.onset, frameRate);
    throwIfCancelled(token);
    const tempo = estimateTempo(envelope, frameRate, { priorBpm: this.priorBpm }, token);
    throwIfCancelled(token);

    const meanFlux = features.frameCount > 0 ? features.onset.reduce((sum, value) => sum + value, 0) / features.frameCount : 0;
    let labelled: LabelledBeats | undefined;
    let beatContrast = 0;
    let hitRate = 0;
    let meterConfidence = 0;
    let repetition = { three: 0, four: 0 };
    // Below this mean flux nothing changes in the sound (silence, a steady tone): any "pulse" would be rounding noise.
    if (tempo.bpm > 0 && meanFlux >= MIN_MEAN_FLUX) {
      // Track the pulse at twice the tempo, then pick the beats out of it (see beat-phase.ts).
      const halfPeriods = tempo.localPeriodFrames.map((period) => period / 2);
      const pulses = trackBeats(envelope, halfPeriods, {}, token);
      // Trim at the beat level: half the pulses of a sparse rhythm are empty, which would fool the median.
      const frames = trimSilentEnds(chooseBeatsFromPulses(pulses, features.lowOnset, envelope, frameRate), envelope, tempo.localPeriodFrames, 0.3);
      const times = frames.map((frame) => Math.max(0, frame / frameRate + ONSET_LAG_SECONDS));
      if (times.length >= 2) {
        beatContrast = contrastAtBeats(envelope, frames, frameRate);
        hitRate = onsetHitRate(envelope, frames, frameRate);
        const accents = beatAccents(times, features, envelope);
        const meter = estimateMeter(accents, options.beatsPerBar !== undefined ? { beatsPerBar: options.beatsPerBar } : {});
        meterConfidence = meter.confidence;
        repetition = meter.repetition;
        labelled = { times, positions: meter.positions, beatsPerBar: meter.beatsPerBar };
      }
    }
    const beatsPerBar = labelled?.beatsPerBar ?? options.beatsPerBar ?? 4;
    let layout = labelled ? layoutBars(labelled, durationSeconds, options.downbeatShift ?? 0) : undefined;
    const fallback = !layout || layout.bars.length === 0;
    if (fallback) {
      // No pulse (silence, noise, free time) or too little of it: a steady grid keeps the montage possible; confidence 0.
      layout = layoutBars(gridBeats(0, durationSeconds, FALLBACK_BPM, beatsPerBar), durationSeconds, options.downbeatShift ?? 0);
    }
    // Confidence: a steady pulse (local tempo salience well above the average; 5–10 for noise or speech,
    // 12–25 for the annotated songs, 30+ for click tracks), beats that land on onsets that stand out,
    // something audible, and (less) a clear downbeat.
    const periodicity = clamp01((tempo.localPeakRatio - 7) / 7);
    const hits = clamp01((hitRate - 0.5) / 0.4);
    // Onset strength at the beats against the track's average: 4.2–5.2 for pink noise (whose onsets are
    // everywhere, so every beat "hits" one), 6.2–13 for the annotated and mood-labelled songs.
    const accent = clamp01((beatContrast - 5) / 1.5);
    const level = clamp01((meanFlux - MIN_MEAN_FLUX) / 0.3);
    // A few seconds cannot show a steady pulse: no confidence at 2 s, full from 10 s.
    const length = clamp01((durationSeconds - 2) / 8);
    const confidence = fallback ? 0 : clamp01(periodicity * hits * accent * level * length * (0.7 + 0.3 * meterConfidence));
    const beats = layout!.beats;
    const bars = layout!.bars;
    const tempoBpm = beats.length >= 2 ? medianTempo(beats.map((b) => b.timeSeconds)) : FALLBACK_BPM;
    return {
      beats,
      bars,
      tempoBpm,
      beatsPerBar,
      confidence,
      diagnostics: { tempoPeakRatio: tempo.peakRatio, localPeakRatio: tempo.localPeakRatio, meanFlux, beatContrast, hitRate, meterConfidence, repetition, fallback, tempoCandidates: tempo.candidates },
    };
  }
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.max(0, Math.min(1, value)) : 0;
}

/** Mean envelope at the beats (±40 ms peak) over the mean envelope across the tracked span. */
function contrastAtBeats(envelope: Float32Array, frames: readonly number[], frameRate: number): number {
  if (frames.length < 2) return 0;
  const first = Math.max(0, Math.floor(frames[0]!));
  const last = Math.min(envelope.length - 1, Math.ceil(frames[frames.length - 1]!));
  let overall = 0;
  for (let t = first; t <= last; t++) overall += envelope[t]!;
  overall /= Math.max(1, last - first + 1);
  const half = Math.round(0.04 * frameRate);
  let atBeats = 0;
  for (const frame of frames) atBeats += maxAround(envelope, Math.round(frame), half);
  atBeats /= frames.length;
  return overall > 1e-9 ? atBeats / overall : 0;
}

/**
 * Share of beats with a clear onset within ±50 ms: at least 30% of the level that the strongest quarter of
 * beats reach. Beats placed by the tracker through gaps (free-tempo music) miss.
 */
function onsetHitRate(envelope: Float32Array, frames: readonly number[], frameRate: number): number {
  if (frames.length === 0) return 0;
  const half = Math.round(0.05 * frameRate);
  const peaks = frames.map((frame) => maxAround(envelope, Math.round(frame), half));
  const sorted = [...peaks].sort((a, b) => a - b);
  const level = sorted[Math.floor(sorted.length * 0.75)]!;
  if (!(level > 0)) return 0;
  return peaks.filter((peak) => peak >= 0.3 * level).length / peaks.length;
}

function medianTempo(times: readonly number[]): number {
  const intervals: number[] = [];
  for (let i = 1; i < times.length; i++) intervals.push(times[i]! - times[i - 1]!);
  intervals.sort((a, b) => a - b);
  const median = intervals[Math.floor(intervals.length / 2)]!;
  return median > 0 ? 60 / median : FALLBACK_BPM;
}
