/**
 * Storyboard.1: the editor's view of a montage, as report.html draws it and the web UI's result view shows it
 * (plugin/src/ui/storyboard.ts, plugin/src/ui/music-timeline.ts). Pure data; times in seconds from the montage
 * start unless a name says otherwise; images are data URIs (JPEG), so a page built from it needs no server.
 */
import type { EmotionLabel } from '../core/montage';
import type { ExclusionReason } from '../core/shot-pool';

/** One score part of a placement, for the "why" of a hover. */
export interface ScorePart {
  readonly label: string;
  readonly value: number;
}

/** A shot that could take a slot's place (same length, keeps the plan feasible). */
export interface SlotAlternative {
  /** Plan shot index (pins and bans name it). */
  readonly shot: number;
  readonly score: number;
  readonly label?: EmotionLabel;
  readonly thumbnail?: string;
  readonly sourceStartSeconds: number;
}

/** One chosen shot on the montage. */
export interface StoryboardSlot {
  /** Position in record order, from 0. */
  readonly index: number;
  /** Plan shot index. */
  readonly shot: number;
  readonly scene: number;
  readonly firstBar: number;
  readonly barCount: number;
  readonly startSeconds: number;
  readonly durationSeconds: number;
  /** Where it comes from, in seconds of its source file. */
  readonly sourceStartSeconds: number;
  readonly sourceName: string;
  readonly label?: EmotionLabel;
  readonly valence?: number;
  readonly arousal?: number;
  /** The shot's fit to the music under it: mean M(shot, bar) over the bars it covers. */
  readonly fit: number;
  readonly parts: readonly ScorePart[];
  readonly thumbnail?: string;
  /** A few frames across the part that plays. */
  readonly strip: readonly string[];
  readonly alternatives: readonly SlotAlternative[];
}

/** One unit of the music (a bar, or the unit the plan cuts on). */
export interface StoryboardBar {
  readonly index: number;
  readonly startSeconds: number;
  readonly durationSeconds: number;
  readonly label?: EmotionLabel;
  readonly valence?: number;
  readonly arousal?: number;
}

/** A shot left out of the pool, or trimmed. */
export interface StoryboardExclusion {
  /** Analysis shot index (the plan index when the shot is in the plan's input). */
  readonly shot: number;
  readonly planShot?: number;
  readonly reason: ExclusionReason;
  readonly detail: string;
  readonly trimmed: boolean;
  /** For a near-duplicate: the (analysis) shot kept in its place. */
  readonly duplicateOf?: number;
  readonly sourceStartSeconds: number;
  readonly thumbnail?: string;
}

export interface StoryboardModel {
  readonly schema: 'Storyboard.1';
  readonly title: string;
  readonly durationSeconds: number;
  readonly music: {
    readonly name: string;
    /** The music file's second where the montage starts. */
    readonly startSeconds: number;
    readonly tempoBpm: number;
    readonly beatsPerBar: number;
    readonly mood?: EmotionLabel;
    /** Peak level (0 … 1) of equal slices of the montage's music, for the waveform. */
    readonly waveform: readonly number[];
  };
  readonly bars: readonly StoryboardBar[];
  readonly slots: readonly StoryboardSlot[];
  readonly excluded: readonly StoryboardExclusion[];
  /** The run's settings, as label → value. */
  readonly settings: readonly { readonly label: string; readonly value: string }[];
  readonly diagnostics: readonly string[];
}
