/**
 * Music analysis: probe → decode (mono, 11025 Hz, only the chosen range) → bar tracking → per-bar features.
 * Times in the result are music-file seconds even when `rangeSeconds` restricts the analysis. With a
 * `cacheDir`, results are stored in the shared analysis cache (../cache.ts) per file content fingerprint,
 * tracker and options.
 */
import { createHash } from 'node:crypto';
import { MontageError } from '../../core/errors';
import { throwIfCancelled, type CancellationToken, type Progress, type ProgressReport } from '../../core/lifecycle';
import type { Bar, Beat } from '../../core/montage';
import type { BarTracker, BarTrackerOptions, BarTracking, MusicAnalysis, MusicAnalysisOptions, MusicAnalyzer } from '../../core/pipeline';
import { decodeAudio } from '../../media/audio';
import { probeMusic } from '../../media/probe';
import { fingerprint, readCache, writeCache } from '../cache';
import { matchesSchema, musicAnalysisCacheSchema } from '../cache-schemas';
import { computeBarFeatures } from './bar-features';
import { computeSpectralFeatures, type SpectralFeatures } from './spectral-features';
import { BeatNetworkTracker } from './beat-network-tracker';

/** Analysis sample rate: enough for onsets, chroma and a centroid up to 5.5 kHz, and cheap to process. */
export const MUSIC_SAMPLE_RATE = 11025;
/** Bump when results change (a retrained beat network included), so cached analyses are recomputed. */
const CACHE_VERSION = 4;
const STAGE = 'music';

/** The built-in analyzer; pass another BarTracker to replace the beat/bar stage. */
/** The built-in trackers take the analyser's spectral features as a fifth argument. */
type BuiltinTracker = BarTracker & { track(samples: Float32Array, sampleRate: number, options: BarTrackerOptions, token: CancellationToken, features?: SpectralFeatures): ReturnType<BarTracker['track']> };

export class BuiltinMusicAnalyzer implements MusicAnalyzer {
  constructor(private readonly tracker: BarTracker = new BeatNetworkTracker()) {}

  async analyse(path: string, options: MusicAnalysisOptions, progress: Progress<ProgressReport>, token: CancellationToken): Promise<MusicAnalysis> {
    progress.report({ stage: STAGE, fraction: 0, message: 'Reading the music file' });
    const media = await probeMusic(path, token);
    const fileEnd = media.durationSeconds;
    const range = checkRange(options.rangeSeconds, fileEnd, path);

    const cacheDir = options.cacheDir;
    const cacheKey = cacheDir ? await musicCacheKey(path, options, this.tracker.id) : undefined;
    if (cacheDir && cacheKey) {
      const lookup = await readCache(cacheDir, cacheKey, isCachedAnalysis);
      if (lookup.status === 'hit') {
        progress.report({ stage: STAGE, fraction: 1, message: 'Loaded the music analysis from the cache' });
        return { ...lookup.value, media };
      }
    }

    progress.report({ stage: STAGE, fraction: 0.05, message: 'Decoding the music' });
    const decoded = await decodeAudio(path, {
      sampleRate: MUSIC_SAMPLE_RATE,
      startSeconds: range.start,
      ...(range.end !== undefined ? { durationSeconds: range.end - range.start } : {}),
      token,
    });
    throwIfCancelled(token);
    const offset = decoded.startSeconds;
    const analysedSeconds = decoded.samples.length / decoded.sampleRate;
    if (analysedSeconds < 1) throw tooShort(path, analysedSeconds, options.rangeSeconds !== undefined);

    progress.report({ stage: STAGE, fraction: 0.3, message: 'Finding beats and bars' });
    const features = computeSpectralFeatures(decoded.samples, decoded.sampleRate, {}, token);
    progress.report({ stage: STAGE, fraction: 0.7, message: 'Finding beats and bars' });
    // The tracker counts time from the first decoded sample; the editor's downbeat is in file seconds.
    const trackerOptions = options.firstDownbeatSeconds !== undefined ? { ...options, firstDownbeatSeconds: Math.max(0, options.firstDownbeatSeconds - offset) } : options;
    // Our trackers reuse these features (an extension's ignores the extra argument).
    const tracking: BarTracking = await (this.tracker as BuiltinTracker).track(decoded.samples, decoded.sampleRate, trackerOptions, token, features);
    throwIfCancelled(token);
    // Nothing past the end the container states (a decoder may return a few samples more).
    const { beats, bars } = sanitize(tracking, fileEnd > 0 ? Math.min(analysedSeconds, fileEnd - offset) : analysedSeconds);
    if (bars.length === 0) throw tooShort(path, analysedSeconds, options.rangeSeconds !== undefined);

    progress.report({ stage: STAGE, fraction: 0.9, message: 'Measuring each bar' });
    const barFeatures = computeBarFeatures(bars, features);
    const shifted = {
      beats: beats.map((beat) => ({ ...beat, timeSeconds: beat.timeSeconds + offset })),
      bars: bars.map((bar) => ({ ...bar, startSeconds: bar.startSeconds + offset })),
    };
    const result: MusicAnalysis = {
      schema: 'MusicAnalysis.1',
      media,
      beats: shifted.beats,
      bars: shifted.bars,
      tempoBpm: finiteOr(tracking.tempoBpm, 120),
      beatsPerBar: tracking.beatsPerBar,
      confidence: Math.max(0, Math.min(1, finiteOr(tracking.confidence, 0))),
      pulse: tracking.pulse ?? 'steady',
      barFeatures,
    };
    // A cache that cannot be written (read-only folder, full disk) costs the next run time, not this result.
    if (cacheDir && cacheKey) await writeCache(cacheDir, cacheKey, result).catch(() => undefined);
    progress.report({ stage: STAGE, fraction: 1, message: `${bars.length} bars at ${result.tempoBpm.toFixed(1)} BPM` });
    return result;
  }
}

const defaultAnalyzer = new BuiltinMusicAnalyzer();

/** Analyses a music file with the built-in tracker. See {@link BuiltinMusicAnalyzer}. */
export function analyseMusic(path: string, options: MusicAnalysisOptions, progress: Progress<ProgressReport>, token: CancellationToken): Promise<MusicAnalysis> {
  return defaultAnalyzer.analyse(path, options, progress, token);
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}

function tooShort(path: string, seconds: number, ranged: boolean): MontageError {
  return new MontageError(
    'AM_ERR_MUSIC_TOO_SHORT',
    `The music ${ranged ? 'range' : 'file'} ${path} is too short for one whole bar (${seconds.toFixed(2)} s analysed).`,
    { where: { file: path, ...(ranged ? { field: 'rangeSeconds' } : {}) }, details: { analysedSeconds: seconds } },
  );
}

function checkRange(range: MusicAnalysisOptions['rangeSeconds'], fileEnd: number, path: string): { start: number; end: number | undefined } {
  if (!range) return { start: 0, end: undefined };
  const { start, end } = range;
  if (!Number.isFinite(start) || !Number.isFinite(end) || start < 0 || end <= start) {
    throw new MontageError('AM_ERR_INVALID_ARGUMENT', `The music range ${start}–${end} s is not a range of positive length.`, { where: { file: path, field: 'rangeSeconds' } });
  }
  if (fileEnd > 0 && start >= fileEnd) {
    throw new MontageError('AM_ERR_INVALID_ARGUMENT', `The music range starts at ${start} s, after the end of the music (${fileEnd.toFixed(2)} s).`, { where: { file: path, field: 'rangeSeconds' } });
  }
  return { start, end: fileEnd > 0 ? Math.min(end, fileEnd) : end };
}

/**
 * Defends the contract against any tracker (including extensions): finite, increasing beats inside the
 * analysed span, bars of positive length that do not overlap, indices in order.
 */
function sanitize(tracking: BarTracking, endSeconds: number): { beats: Beat[]; bars: Bar[] } {
  const beats: Beat[] = [];
  for (const beat of tracking.beats) {
    if (!Number.isFinite(beat.timeSeconds) || beat.timeSeconds < 0 || beat.timeSeconds > endSeconds) continue;
    if (beats.length > 0 && beat.timeSeconds <= beats[beats.length - 1]!.timeSeconds) continue;
    beats.push({ timeSeconds: beat.timeSeconds, beatInBar: Number.isInteger(beat.beatInBar) && beat.beatInBar >= 1 ? beat.beatInBar : 1 });
  }
  const bars: Bar[] = [];
  for (const bar of tracking.bars) {
    const start = bar.startSeconds;
    const duration = Math.min(bar.durationSeconds, endSeconds - start);
    if (!Number.isFinite(start) || !Number.isFinite(duration) || start < 0 || duration <= 1e-3) continue;
    const previous = bars[bars.length - 1];
    if (previous && start < previous.startSeconds + previous.durationSeconds - 1e-6) continue;
    const beatsPerBar = Number.isInteger(bar.beatsPerBar) && bar.beatsPerBar >= 1 ? bar.beatsPerBar : tracking.beatsPerBar;
    const confidence = Number.isFinite(bar.confidence) ? { confidence: Math.max(0, Math.min(1, bar.confidence!)) } : {};
    bars.push({ index: bars.length, startSeconds: start, durationSeconds: duration, beatsPerBar, tempoBpm: (60 * beatsPerBar) / duration, ...confidence });
  }
  return { beats, bars };
}

/** Content fingerprint of the file, plus everything else the result depends on. */
async function musicCacheKey(path: string, options: MusicAnalysisOptions, trackerId: string): Promise<string> {
  const settings = JSON.stringify({
    trackerId,
    beatsPerBar: options.beatsPerBar ?? null,
    downbeatShift: options.downbeatShift ?? 0,
    bpm: options.bpm ?? null,
    firstDownbeatSeconds: options.firstDownbeatSeconds ?? null,
    range: options.rangeSeconds ?? null,
  });
  return `music-v${CACHE_VERSION}-${await fingerprint(path)}-${createHash('sha256').update(settings).digest('hex').slice(0, 16)}`;
}

/** Shape check for cache entries (a wrong shape counts as corrupt and is rebuilt). */
function isCachedAnalysis(value: unknown): value is Omit<MusicAnalysis, 'media'> {
  const parsed = value as Partial<MusicAnalysis> | null;
  return (
    matchesSchema(musicAnalysisCacheSchema, value) &&
    typeof parsed === 'object' &&
    parsed !== null &&
    parsed.schema === 'MusicAnalysis.1' &&
    Array.isArray(parsed.bars) &&
    Array.isArray(parsed.beats) &&
    Array.isArray(parsed.barFeatures) &&
    parsed.bars.length > 0 &&
    parsed.barFeatures.length === parsed.bars.length
  );
}
