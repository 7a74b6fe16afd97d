/**
 * The montage domain: media facts, shots, scenes, bars, emotion vectors, and the plan the solver returns.
 * Pure data (JSON-serialisable), shared by analysis, planner, exporters, server and panel.
 */
import type { Diagnostic } from './errors';
import type { Rate, TimeRange } from './rational';
import type { FieldOrder, PixelAspectRatio } from './timeline';

/** What ffprobe tells about a media file. */
export interface MediaInfo {
  readonly path: string;
  readonly sizeBytes: number;
  readonly durationSeconds: number;
  readonly formatName: string;
  readonly video?: VideoStreamInfo;
  readonly audio?: AudioStreamInfo;
}

export interface VideoStreamInfo {
  readonly codec: string;
  /** Display size, after rotation. */
  readonly width: number;
  readonly height: number;
  /** The frame rate the analysis counts frames on (snapped to a standard rate when close). */
  readonly rate: Rate;
  /** Frames on `rate` (estimated from the duration when the container does not say). */
  readonly frameCount: number;
  /** Rotation in degrees from the display matrix (0, 90, 180, 270). */
  readonly rotation: number;
  /** True when the average and nominal rates disagree (variable frame rate). */
  readonly variableFrameRate: boolean;
  /** Embedded start timecode ("01:00:00:00"), when the file has one. */
  readonly startTimecode?: string;
  /** Pixel aspect ratio (ffprobe `sample_aspect_ratio`, after rotation), when not square. */
  readonly pixelAspectRatio?: PixelAspectRatio;
  /** Interlaced scan (ffprobe `field_order`), when the stream says so; absent means progressive. */
  readonly fieldOrder?: FieldOrder;
}

export interface AudioStreamInfo {
  readonly codec: string;
  readonly channels: number;
  readonly sampleRate: number;
}

/** The six emotion categories, in this fixed order everywhere (vectors index into it). */
export const EMOTION_LABELS = ['excited', 'fearful', 'neutral', 'relaxed', 'sad', 'tense'] as const;
export type EmotionLabel = (typeof EMOTION_LABELS)[number];

/** An encoder's reading of one shot or one stretch of music. */
export interface EmotionVector {
  /** Which encoder produced it (the fused vector names the fusion, e.g. "fusion"). */
  readonly encoderId: string;
  /** Probabilities over {@link EMOTION_LABELS}, same order, summing to 1. */
  readonly values: readonly number[];
  /** Pleasure/valence in [-1, 1]. */
  readonly valence: number;
  /** Arousal in [-1, 1]. */
  readonly arousal: number;
  /** How much to trust it, in [0, 1]. */
  readonly confidence: number;
}

/** How a shot begins. */
export type TransitionKind = 'cut' | 'dissolve' | 'fade';

/**
 * One media range a montage draws from: a file, the part of it the editor selected, and where that part sat on
 * the editor's sequence. Shots and scenes are found per range (a scene never straddles two ranges); two ranges
 * may share a file (it is decoded once).
 */
export interface MontageSource {
  /** Unique within the plan ("source-1", …); placements, pins and bans name it. */
  readonly id: string;
  readonly path: string;
  /** The file's frame rate: inFrame and outFrame count on it. */
  readonly rate: Rate;
  /** The file's length in its frames. */
  readonly frameCount: number;
  /** The selected part, [inFrame, outFrame) in the file's frames from its first frame. */
  readonly inFrame: number;
  readonly outFrame: number;
  /** Where the range sat on the editor's sequence (seconds from its start), which orders the story; absent: file order. */
  readonly timelineSeconds?: number;
  readonly width?: number;
  readonly height?: number;
}

/** A shot named by its source and its index among that source's shots (0-based, in story order). */
export interface ShotRef {
  readonly source: string;
  readonly shot: number;
}

/**
 * A shot: a frame-exact half-open range of its source file, in that file's frames (the range's rate says which).
 * *Note*: with several sources the planner sees each shot on the timeline's frame grid (see {@link PlanInput.sources}).
 */
export interface Shot {
  readonly index: number;
  readonly range: TimeRange;
  /** Index into the plan's `sources`; absent with a single movie. */
  readonly source?: number;
  readonly sceneIndex: number;
  readonly transitionIn: TransitionKind;
  /**
   * The part of `range` free of gradual transitions, which the planner places from; absent when it is all
   * of `range`. *Note*: the frames of a dissolve or fade blend two shots, so they belong to neither.
   */
  readonly usable?: TimeRange;
}

/** Consecutive shots that belong together: shots firstShot .. firstShot + shotCount − 1. */
export interface Scene {
  readonly index: number;
  readonly firstShot: number;
  readonly shotCount: number;
}

/** Visual affect features of a shot, each roughly in [0, 1]. */
export interface ShotFeatures {
  readonly brightness: number;
  readonly saturation: number;
  readonly colourfulness: number;
  /** 0 = cold (blue), 1 = warm (red/yellow). */
  readonly warmth: number;
  readonly contrast: number;
  /** Mean absolute frame difference inside the shot. */
  readonly motion: number;
  /** The middle frame, used as the shot's representative keyframe. */
  readonly keyframe: number;
  /** A small colour histogram used for scene grouping (L1-normalised). */
  readonly colourSignature: readonly number[];
}

/** A beat, in music-file seconds. `beatInBar` counts from 1 (1 = downbeat). */
export interface Beat {
  readonly timeSeconds: number;
  readonly beatInBar: number;
}

/** A bar: downbeat to next downbeat, in music-file seconds. */
export interface Bar {
  readonly index: number;
  readonly startSeconds: number;
  readonly durationSeconds: number;
  readonly beatsPerBar: number;
  readonly tempoBpm: number;
  /** How sure the tracker is of this bar's tempo, meter and phase, 0 (a guess) … 1; absent from trackers that do not say. */
  readonly confidence?: number;
}

/** Per-bar music features for emotion encoders. */
export interface BarFeatures {
  /** RMS loudness in dBFS. */
  readonly loudnessDb: number;
  /** Onsets per second. */
  readonly onsetDensity: number;
  readonly spectralCentroidHz: number;
  /** 12 pitch classes from C, L1-normalised. */
  readonly chroma: readonly number[];
  /** +1 clearly major … −1 clearly minor. */
  readonly mode: number;
  readonly tempoBpm: number;
}

export type SceneMode = 'hard' | 'soft';
/** How often to cut: on every bar, every second bar, every half bar (on its middle beat), or every beat. */
export type CutGranularity = 'bar' | '2bars' | 'halfbar' | 'beat';
/** A cut granularity, or `auto`: the planner weighs them (companion/planner/solve-montage.ts). */
export type GranularityOption = CutGranularity | 'auto';

const UNIT_MARKER_WORDS: Readonly<Record<CutGranularity, string>> = { bar: 'Bar', '2bars': 'Two-bar', halfbar: 'Half-bar', beat: 'Beat' };

/**
 * The name of the marker at the start of a plan's unit `index` (0-based): the unit it is cut on and its number
 * from the montage's first unit, "Bar 3", "Beat 12", "Half-bar 5", "Two-bar 2". Every timeline format and the
 * panel name markers so.
 */
export function unitMarkerName(unit: CutGranularity, index: number): string {
  return `${UNIT_MARKER_WORDS[unit]} ${index + 1}`;
}

/**
 * The unit each of a plan's units is cut on, from the sections of the music (each with its unit, in music-file
 * seconds): the section a unit starts in. A unit outside every section (none given) counts as a bar.
 */
export function unitsOfBars(bars: readonly Pick<Bar, 'startSeconds'>[], sections: readonly { readonly startSeconds: number; readonly endSeconds: number; readonly unit: CutGranularity }[]): CutGranularity[] {
  return bars.map((bar) => {
    const section = sections.find((s) => bar.startSeconds >= s.startSeconds - 1e-6 && bar.startSeconds < s.endSeconds - 1e-6) ?? sections[sections.length - 1];
    return section?.unit ?? 'bar';
  });
}

export interface PlanOptions {
  /** N_e: the most scenes the montage may touch (hard), or the scene budget (soft). */
  readonly maxScenes: number;
  readonly mode: SceneMode;
  /** Let a long shot fill fewer bars than it could (and choose where its window sits). */
  readonly trim: boolean;
  /** Score a shot by the music under the bars it covers, not by the whole track. */
  readonly arc: boolean;
  /** Shot indices that must be used. */
  readonly pins: readonly number[];
  /** Shot indices that must not be used. */
  readonly bans: readonly number[];
  /**
   * Placements of an earlier plan to keep exactly as they were (same shot, same bars, same source window),
   * e.g. from `lockRange(plan, …)` in the planner. Locked shots are used even when not pinned.
   */
  readonly locked?: readonly LockedPlacement[];
  /**
   * What the planner may loosen when no exact fill exists: `none` (default: throw AM_ERR_NO_EXACT_FILL),
   * `granularity` (cut on a finer unit; only where the planner is given the beats), `trim` (allow trimming),
   * `scenes` (raise maxScenes to the fewest that work), `music` (end the montage at the last bar that can be
   * filled exactly), a list of these, or `auto` (all four): the fewest that work, first in that order.
   */
  readonly relax?: PlanRelaxation;
  /** Where a shot's kept window sits when the shot is longer than its bars (default `best`, which is `centre` without profiles). */
  readonly trimAlign?: TrimAlign;
  /** Soft mode: the integer scale of the scene weights 1/|scene| (weight = max(1, floor(scale / |scene|))); default 12. */
  readonly softScale?: number;
}

/** A placement kept from an earlier plan: bars firstBar .. firstBar + barCount − 1 play this shot. */
export interface LockedPlacement {
  readonly shotIndex: number;
  readonly firstBar: number;
  readonly barCount: number;
  /** The first movie frame of the kept window; when absent the window is aligned by `trimAlign`. */
  readonly sourceStart?: number;
}

/** See {@link PlanOptions.relax}. */
export type PlanRelaxation = 'none' | 'auto' | RelaxKind | readonly RelaxKind[];
/** One thing the planner may loosen (see {@link PlanOptions.relax}), in the order it tries them. */
export type RelaxKind = 'granularity' | 'trim' | 'scenes' | 'music';

/** What a relaxed solve changed, for plan.json, the report, the CLI and the panel. */
export interface RelaxationNotice {
  readonly relax: RelaxKind;
  /** What changed and by how much, e.g. "used beats instead of bars: shots average 2.3 s, bars are 4.5 s". */
  readonly message: string;
  /** The value before and after: a unit name, trim on/off, the scene limit, the music's end in seconds. */
  readonly from: string | number | boolean;
  readonly to: string | number | boolean;
  /**
   * The relaxations a solve with this one forbidden would use instead (its "undo"); empty when forbidding it
   * leaves no plan.
   */
  readonly alternatives: readonly RelaxKind[];
}

/** See {@link PlanOptions.trimAlign}. */
export type TrimAlign = 'start' | 'centre' | 'best';

export const DEFAULT_PLAN_OPTIONS: PlanOptions = { maxScenes: 5, mode: 'hard', trim: true, arc: true, pins: [], bans: [] };

/** Everything the planner needs. Scores are M(shot, music) values; higher is better. */
export interface PlanInput {
  /** The (first) movie; its `rate` is the timeline's rate, which every cut sits on. */
  readonly movie: { readonly path: string; readonly rate: Rate; readonly frameCount: number };
  /**
   * The media ranges the shots come from (shot.source indexes it), in story order. A source at another rate than
   * the timeline's is conformed by the rule in docs/sources.md: its shots are seen on the timeline grid as the
   * whole timeline frames inside them (start rounded up, end down); a placement keeps the source's own frames,
   * from the one showing at the cut (rounded down) for round(record frames × source rate / timeline rate) frames.
   */
  readonly sources?: readonly MontageSource[];
  readonly music: { readonly path: string; readonly startSeconds: number; readonly endSeconds: number };
  readonly shots: readonly Shot[];
  readonly scenes: readonly Scene[];
  /** The units to fill, in music-file seconds (bars, or beats at beat granularity). */
  readonly bars: readonly Bar[];
  /** S_i = M(shot i, whole music). */
  readonly shotScores: readonly number[];
  /** Optional M(shot i, bar k), row-major n × bars, for arc matching. */
  readonly barScores?: { readonly shots: number; readonly bars: number; readonly values: Float32Array | readonly number[] };
  /**
   * Optional per-shot score profiles for placing a trimmed window where the shot is strongest: entry i holds
   * scores sampled at equal steps across shot i (any count ≥ 1); absent or empty entries mean "centre".
   */
  readonly shotProfiles?: readonly (readonly number[] | undefined)[];
  readonly options: PlanOptions;
}

/** One chosen shot on the montage. */
export interface Placement {
  readonly shotIndex: number;
  readonly sceneIndex: number;
  /** Index into the plan's `sources` of the file that plays; absent with a single movie. */
  readonly source?: number;
  /** The first bar it covers (index into plan.bars) and how many. */
  readonly firstBar: number;
  readonly barCount: number;
  /** The part of the source that plays, in the source file's frames (at its rate). */
  readonly sourceRange: TimeRange;
  /** Where it plays, in sequence frames from the montage start. */
  readonly recordRange: TimeRange;
  /** Its contribution to the objective. */
  readonly score: number;
}

/** The solver's answer, as written to plan.json. */
export interface MontagePlan {
  readonly schema: 'MontagePlan.1';
  readonly movie: PlanInput['movie'];
  /** The media ranges the shots come from (absent with a single movie). */
  readonly sources?: readonly MontageSource[];
  /** The music range the montage covers: the first used bar's start to the last used bar's end. */
  readonly music: PlanInput['music'];
  readonly options: PlanOptions;
  readonly shots: readonly (Shot & { readonly score: number })[];
  readonly scenes: readonly Scene[];
  readonly bars: readonly Bar[];
  /** In story order; together they cover every bar exactly once. */
  readonly placements: readonly Placement[];
  readonly totalScore: number;
  readonly diagnostics: readonly Diagnostic[];
}
