/**
 * The small interfaces the montage pipeline is wired through. Each stage can be deepened or replaced
 * (built-in or through an extension) without touching the others:
 *   movie → ShotDetector + SceneGrouper (+ features) → MovieAnalysis
 *   music → BarTracker (+ features) → MusicAnalysis
 *   both → emotion encoders → scores → planner (solvePlan) → MontagePlan → Timeline → exporters → files
 */
import type { Diagnostic } from './errors';
import type { CancellationToken, Progress, ProgressReport } from './lifecycle';
import type { ShotPoolReading } from './shot-pool';
import type { Bar, BarFeatures, Beat, EmotionVector, MediaInfo, Scene, Shot, ShotFeatures, VideoStreamInfo } from './montage';

/** One decoded frame, RGB24, row-major. */
export interface RgbFrame {
  /** Frame index on the movie's rate, from 0. */
  readonly index: number;
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Push-based consumer of every frame in order, so one decode can feed several consumers. */
export interface FrameSink<T> {
  push(frame: RgbFrame): void;
  finish(): T;
}

export interface ShotDetector {
  readonly id: string;
  /** Starts a pass over the movie's frames; `finish()` returns shots covering every frame (sceneIndex unset = 0). */
  start(video: VideoStreamInfo): FrameSink<Shot[]>;
}

export interface SceneGrouper {
  readonly id: string;
  /** Groups consecutive shots into scenes. Returns the scenes and the shots with their sceneIndex set. */
  group(shots: readonly Shot[], features: readonly ShotFeatures[], video: VideoStreamInfo): { shots: Shot[]; scenes: Scene[] };
}

export interface MovieAnalysis {
  readonly schema: 'MovieAnalysis.1';
  readonly media: MediaInfo;
  readonly shots: readonly Shot[];
  readonly scenes: readonly Scene[];
  /** Per shot, same order as `shots`. */
  readonly features: readonly ShotFeatures[];
  /** Notices about the movie (a truncated file), listed in the report. */
  readonly diagnostics?: readonly Diagnostic[];
  /** Sampled frames per shot (text, hash, thumbnail) for the clean shot pool; absent when not read. */
  readonly pool?: ShotPoolReading;
}

export interface MovieAnalysisOptions {
  /** Folder for the analysis cache; no cache when absent. */
  readonly cacheDir?: string;
  /** Parallel decoders (default: the number of cores). */
  readonly threads?: number;
}

export interface BarTrackerOptions {
  /** Force the meter: beats per bar (2–12). */
  readonly beatsPerBar?: number;
  /** Shift the downbeat by this many beats. */
  readonly downbeatShift?: number;
  /** Force the tempo (beats per minute, 30–300); the beats are still placed on the music's own pulse. */
  readonly bpm?: number;
  /** Put a downbeat on the beat nearest this time (music-file seconds); the bar phase follows from it. */
  readonly firstDownbeatSeconds?: number;
}

export interface BarTracking {
  readonly beats: readonly Beat[];
  readonly bars: readonly Bar[];
  readonly tempoBpm: number;
  readonly beatsPerBar: number;
  /** 0 (a guess) … 1 (certain). */
  readonly confidence: number;
  /**
   * 'steady': a beat grid was found. 'free': no steady pulse (ambient, free tempo); the bars are phrase or onset
   * segments, not a metrical grid. Absent from trackers that do not say (read as 'steady').
   */
  readonly pulse?: 'steady' | 'free';
}

export interface BarTracker {
  readonly id: string;
  /** Tracks beats and bars in mono samples. Times are seconds from the first sample. */
  track(samples: Float32Array, sampleRate: number, options: BarTrackerOptions, token: CancellationToken): BarTracking | Promise<BarTracking>;
}

export interface MusicAnalysis extends BarTracking {
  readonly schema: 'MusicAnalysis.1';
  readonly media: MediaInfo;
  /** Per bar, same order as `bars`. */
  readonly barFeatures: readonly BarFeatures[];
}

export interface MusicAnalysisOptions extends BarTrackerOptions {
  /** Only this part of the file, in seconds; bars stay in file time. */
  readonly rangeSeconds?: { readonly start: number; readonly end: number };
  readonly cacheDir?: string;
}

export interface MusicAnalyzer {
  analyse(path: string, options: MusicAnalysisOptions, progress: Progress<ProgressReport>, token: CancellationToken): Promise<MusicAnalysis>;
}

export interface ShotEmotionEncoder {
  readonly id: string;
  readonly kind: 'shot';
  /** One vector per shot, same order as movie.shots. */
  encodeShots(movie: MovieAnalysis, token: CancellationToken): Promise<EmotionVector[]>;
}

export interface MusicEmotion {
  readonly global: EmotionVector;
  /** One per bar of the analysis. */
  readonly bars: readonly EmotionVector[];
}

export interface MusicEmotionEncoder {
  readonly id: string;
  readonly kind: 'music';
  encodeMusic(music: MusicAnalysis, token: CancellationToken): Promise<MusicEmotion>;
}

export type EmotionEncoder = ShotEmotionEncoder | MusicEmotionEncoder;

/** A file an exporter produces: a name relative to the output folder and its text. */
export interface ExportedFile {
  readonly name: string;
  readonly contents: string;
}

