/**
 * Movie analysis: probe, one parallel decode into per-frame descriptors, shots (cuts, dissolves, fades),
 * per-shot visual features, scenes; cached by the movie's content fingerprint so a second run (with other
 * music) skips decoding. Progress stages: 'decode', 'shots', 'features', 'scenes' (each 0 → 1).
 */
import { CancellationError, MontageError, type Diagnostic } from '../../core/errors';
import { throwIfCancelled, type CancellationToken, type Progress, type ProgressReport } from '../../core/lifecycle';
import type { MediaInfo, Scene, Shot, VideoStreamInfo } from '../../core/montage';
import { toFps } from '../../core/rational';
import type { MovieAnalysis, MovieAnalysisOptions } from '../../core/pipeline';
import { probeMovie } from '../../media/probe';
import { fingerprint, readCache, settingsHash, writeCache } from '../cache';
import { inDecodeLane } from '../decode-lane';
import { matchesSchema, movieAnalysisCacheSchema } from '../cache-schemas';
import { describeMovie, type DescribeOptions } from './describe-movie';
import { SimilarityWindowSceneGrouper } from './scene-grouper';
import { detectTransitions, learnedShotMode, transitionsToShots, type ShotDetectionOptions, type Transition } from './shot-detector';
import { detectTransitionsLearned, LEARNED_DECODERS } from './transition-model';
import { computeShotFeatures } from './shot-features';
import { readShotPool, type ReadShotPoolOptions } from './shot-pool';

/** Bump when detection, features or the probed media info change, so old cache entries are not reused (6: pixel aspect and field order; 7: the shot model's new hybrid decoding; 8: jump cuts below the cut threshold; 9: by their structure too). */
export const MOVIE_ANALYSIS_VERSION = 9;

/** A transition as stored with the analysis (frames, inclusive span). */
export interface TransitionSpan {
  readonly kind: Transition['kind'];
  readonly start: number;
  readonly end: number;
  readonly boundary: number;
}

/** What analyseMovie returns: the pipeline's MovieAnalysis plus the transitions and how it was made. */
export interface MovieAnalysisResult extends MovieAnalysis {
  readonly transitions: readonly TransitionSpan[];
  /** Notices about the movie (a truncated file), for the report. */
  readonly diagnostics: readonly Diagnostic[];
  readonly decode: {
    /** Frames the probe announced and frames actually decoded (a truncated file decodes fewer). */
    readonly expectedFrames: number;
    readonly decodedFrames: number;
    /** Frames no decode produced (variable frame rate gaps, damage), filled by repeating the previous one. */
    readonly filledFrames: number;
    readonly processes: number;
    /** True when this result came from the cache. */
    readonly cached: boolean;
  };
}

/** Options beyond the pipeline's: detection tuning and decoder knobs (tests and benchmarks). */
export interface MovieAnalysisExtraOptions extends MovieAnalysisOptions {
  readonly detection?: ShotDetectionOptions;
  readonly minSegmentSeconds?: DescribeOptions['minSegmentSeconds'];
  readonly inputOptions?: DescribeOptions['inputOptions'];
  /**
   * Read the clean shot pool too (sampled frames: text, hashes, thumbnails; shot-pool.ts), cached beside the
   * analysis; progress stage 'pool'. Off by default (the pipeline asks for it). A pool that cannot be read is a
   * notice in `diagnostics`, never a failed analysis.
   */
  readonly shotPool?: boolean | Omit<ReadShotPoolOptions, 'cacheDir'>;
}

/**
 * Analyses a movie. Throws AM_ERR_FILE_NOT_FOUND, AM_ERR_MEDIA_UNREADABLE, AM_ERR_NO_VIDEO_STREAM,
 * AM_ERR_FFMPEG_FAILED, AM_ERR_PROCESS_TIMEOUT or CancellationError (ffmpeg processes are killed).
 */
export async function analyseMovie(
  path: string,
  options: MovieAnalysisExtraOptions,
  progress: Progress<ProgressReport>,
  token: CancellationToken,
): Promise<MovieAnalysisResult> {
  const result = await analyseMovieOnly(path, options, progress, token);
  if (!options.shotPool) return result;
  try {
    const settings = options.shotPool === true ? {} : options.shotPool;
    return { ...result, pool: await readShotPool(result, { ...settings, ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}) }, progress, token) };
  } catch (error) {
    if (error instanceof CancellationError) throw error;
    const message = `The shot pool could not be read, so no shot is excluded and there are no thumbnails: ${(error as Error).message}`;
    progress.report({ stage: 'pool', fraction: 1, message });
    return { ...result, diagnostics: [...result.diagnostics, { code: error instanceof MontageError ? error.code : 'AM_ERR_INTERNAL', message, where: { file: path } }] };
  }
}

async function analyseMovieOnly(
  path: string,
  options: MovieAnalysisExtraOptions,
  progress: Progress<ProgressReport>,
  token: CancellationToken,
): Promise<MovieAnalysisResult> {
  throwIfCancelled(token);
  // The cache is looked up before probing: a hit needs no ffprobe (the entry holds the media info).
  const learned = learnedShotMode(options.detection);
  const detectionKey = options.detection || learned !== 'off' ? `-${settingsHash({ ...options.detection, learned })}` : '';
  const cacheKey = options.cacheDir ? `movie-v${MOVIE_ANALYSIS_VERSION}-${await fingerprint(path)}${detectionKey}` : undefined;
  if (options.cacheDir && cacheKey) {
    const lookup = await readCache<MovieAnalysisResult>(options.cacheDir, cacheKey, isMovieAnalysis);
    if (lookup.status === 'hit') {
      for (const stage of ['decode', 'shots', 'features', 'scenes']) progress.report({ stage, fraction: 1, message: 'from cache' });
      return { ...lookup.value, media: { ...lookup.value.media, path }, decode: { ...lookup.value.decode, cached: true } };
    }
    if (lookup.status === 'corrupt') progress.report({ stage: 'decode', fraction: 0, message: `cache entry was corrupt (${lookup.reason}); rebuilding` });
  }
  // Files analysed side by side decode one at a time (analysis/decode-lane.ts).
  return inDecodeLane(() => decodeAndDetect(path, options, learned, cacheKey, progress, token));
}

async function decodeAndDetect(
  path: string,
  options: MovieAnalysisExtraOptions,
  learned: ReturnType<typeof learnedShotMode>,
  cacheKey: string | undefined,
  progress: Progress<ProgressReport>,
  token: CancellationToken,
): Promise<MovieAnalysisResult> {
  const media = await probeMovie(path, token);

  progress.report({ stage: 'decode', fraction: 0 });
  const described = await describeMovie(
    path,
    media.video,
    {
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      ...(options.minSegmentSeconds !== undefined ? { minSegmentSeconds: options.minSegmentSeconds } : {}),
      ...(options.inputOptions ? { inputOptions: options.inputOptions } : {}),
    },
    progress,
    token,
  );
  throwIfCancelled(token);
  const frameCount = described.frameCount;
  const video: VideoStreamInfo = { ...media.video, frameCount };
  const truncation = truncationNotice(path, media, frameCount);
  if (truncation) progress.report({ stage: 'decode', fraction: 1, message: truncation.message });

  progress.report({ stage: 'shots', fraction: 0 });
  const notices: Diagnostic[] = truncation ? [truncation] : [];
  let transitions: Transition[];
  if (learned === 'off') transitions = detectTransitions(described.descriptors, frameCount, video.rate, options.detection);
  else {
    try {
      transitions = await detectTransitionsLearned(described.descriptors, frameCount, video.rate, options.detection, LEARNED_DECODERS[learned]);
    } catch (error) {
      if (!(error instanceof MontageError) || (error.code !== 'AM_ERR_MODEL_MISSING' && error.code !== 'AM_ERR_MODEL_INVALID')) throw error;
      // Without a usable model the classical detector does the work; the report says so.
      const message = `The shot model could not be used (${error.message}), so shots were found by the classical detector alone. Restore models/shots/transition-tcn.onnx (or set AM_SHOT_MODEL) to use it.`;
      notices.push({ code: error.code, message, where: { file: process.env['AM_SHOT_MODEL'] ?? 'models/shots/transition-tcn.onnx' } });
      progress.report({ stage: 'shots', fraction: 0, message });
      transitions = detectTransitions(described.descriptors, frameCount, video.rate, options.detection);
    }
  }
  const detectedShots = transitionsToShots(transitions, frameCount, video.rate);
  progress.report({ stage: 'shots', fraction: 1, message: `${detectedShots.length} shots` });
  throwIfCancelled(token);

  progress.report({ stage: 'features', fraction: 0 });
  const features = computeShotFeatures(described.descriptors, detectedShots);
  progress.report({ stage: 'features', fraction: 1 });

  progress.report({ stage: 'scenes', fraction: 0 });
  const grouped = new SimilarityWindowSceneGrouper().group(detectedShots, features, video);
  progress.report({ stage: 'scenes', fraction: 1, message: `${grouped.scenes.length} scenes` });

  const result: MovieAnalysisResult = {
    schema: 'MovieAnalysis.1',
    // A truncated file lasts as long as what decodes, not as long as its header says.
    media: { ...media, video, ...(truncation ? { durationSeconds: frameCount / toFps(video.rate) } : {}) } as MediaInfo,
    shots: grouped.shots,
    scenes: grouped.scenes,
    features,
    transitions: transitions.map(({ kind, start, end, boundary }) => ({ kind, start, end, boundary })),
    diagnostics: notices,
    decode: {
      expectedFrames: media.video.frameCount,
      decodedFrames: frameCount,
      filledFrames: described.decode.filledFrames,
      processes: described.decode.processes,
      cached: false,
    },
  };
  assertCoverage(result.shots, result.scenes, frameCount, path);
  if (options.cacheDir && cacheKey) {
    // A cache that cannot be written (read-only folder, full disk) costs the next run time, not this result.
    try {
      await writeCache(options.cacheDir, cacheKey, result);
    } catch (error) {
      progress.report({ stage: 'scenes', fraction: 1, message: `analysis not cached: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  return result;
}

/**
 * The notice for a movie that decodes to clearly fewer frames than its header announces (a copy cut short, a
 * download that stopped): more than a second and more than 2 % short. Small shortfalls are normal (the
 * header's duration covers the audio, or rounds).
 */
function truncationNotice(path: string, media: MediaInfo & { video: VideoStreamInfo }, decodedFrames: number): Diagnostic | undefined {
  const fps = toFps(media.video.rate);
  const expectedFrames = Math.max(media.video.frameCount, Math.round(media.durationSeconds * fps));
  const missing = expectedFrames - decodedFrames;
  if (missing <= fps || missing <= expectedFrames * 0.02) return undefined;
  const decodedSeconds = decodedFrames / fps;
  return {
    code: 'AM_ERR_MEDIA_UNREADABLE',
    message: `The movie ${path} is probably truncated: its header announces ${media.durationSeconds.toFixed(1)} s, but only ${decodedSeconds.toFixed(1)} s (${decodedFrames} of ${expectedFrames} frames) decode; the analysis uses what decodes.`,
    where: { file: path, timeSeconds: decodedSeconds },
  };
}

/** Shape check for cache entries (a wrong shape counts as corrupt and is rebuilt). */
function isMovieAnalysis(value: unknown): value is MovieAnalysisResult {
  if (!matchesSchema(movieAnalysisCacheSchema, value)) return false;
  const v = value as Partial<MovieAnalysisResult> | null;
  if (!v || v.schema !== 'MovieAnalysis.1' || !Array.isArray(v.shots) || !Array.isArray(v.scenes) || !Array.isArray(v.features)) return false;
  if (v.shots.length !== v.features.length || !v.media?.video || !v.decode || !Array.isArray(v.diagnostics)) return false;
  try {
    assertCoverage(v.shots, v.scenes, v.media.video.frameCount, v.media.path ?? '');
    return true;
  } catch {
    return false;
  }
}

/** The invariants every result keeps: shots tile [0, frameCount), scenes tile the shots. */
function assertCoverage(shots: readonly Shot[], scenes: readonly Scene[], frameCount: number, path: string): void {
  let next = 0;
  shots.forEach((shot, index) => {
    if (shot.index !== index || shot.range.start.value !== next || shot.range.duration.value <= 0) {
      throw new MontageError('AM_ERR_INTERNAL', `Shot ${index} of ${path} does not continue the previous one.`, { where: { file: path } });
    }
    next += shot.range.duration.value;
  });
  if (next !== frameCount) throw new MontageError('AM_ERR_INTERNAL', `The shots of ${path} cover ${next} of ${frameCount} frames.`, { where: { file: path } });
  let shot = 0;
  scenes.forEach((scene, index) => {
    if (scene.index !== index || scene.firstShot !== shot || scene.shotCount <= 0) {
      throw new MontageError('AM_ERR_INTERNAL', `Scene ${index} of ${path} does not continue the previous one.`, { where: { file: path } });
    }
    shot += scene.shotCount;
  });
  if (shot !== shots.length) throw new MontageError('AM_ERR_INTERNAL', `The scenes of ${path} cover ${shot} of ${shots.length} shots.`, { where: { file: path } });
}

