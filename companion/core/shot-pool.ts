/**
 * The clean shot pool: what the analysis read from sampled frames of every shot (text, perceptual hash), and the
 * verdicts drawn from it (shots excluded or trimmed, each with its reason). Pure data, shared by the analysis,
 * the pipeline, plan.json, the report and the UI. The editor can re-enable any exclusion ({@link PoolOptions}).
 */

/** Why a shot left the pool (or lost part of its usable range, for `text`). */
export type ExclusionReason = 'text' | 'black' | 'white' | 'frozen' | 'duplicate';
export const EXCLUSION_REASONS: readonly ExclusionReason[] = ['text', 'black', 'white', 'frozen', 'duplicate'];

/** One sampled frame of a shot. */
export interface PoolSample {
  /** Movie frame index (on the movie's rate). */
  readonly frame: number;
  /** Fraction of the frame the text detector marks as text, 0 … 1; absent when no detector ran. */
  readonly textFraction?: number;
  /** 64-bit difference hash of the frame's luma, 16 hex digits. */
  readonly hash: string;
  /** Mean luma and its standard deviation, 0 … 1 (black and white frames). */
  readonly luma?: number;
  readonly spread?: number;
  /** A small JPEG of the frame (base64), the shot's thumbnail and strip; absent when it could not be encoded. */
  readonly jpeg?: string;
}

/** The pool reading of one movie, cached with its analysis. */
export interface ShotPoolReading {
  readonly schema: 'ShotPool.1';
  /** Per shot, in shot order: its samples in frame order (at least one). */
  readonly samples: readonly (readonly PoolSample[])[];
  /** The text detector used (model id), or absent when it could not run (see `notice`). */
  readonly textDetector?: string;
  /** Why text detection did not run, for the report. */
  readonly notice?: string;
  /** Milliseconds: the whole sampling pass (wall), and within it the text detector's runs and the thumbnail encoding. */
  readonly timings: { readonly decodeMs: number; readonly detectMs: number; readonly thumbnailMs: number };
}

/** What the editor re-enables. */
export interface PoolOptions {
  /** Keep title cards, credits and other text-heavy shots (CLI --keep-text-shots). */
  readonly keepTextShots?: boolean;
  /** Keep every near-duplicate, not only the best of each group (CLI --keep-duplicates). */
  readonly keepDuplicates?: boolean;
  /** Keep black, white and frozen shots. */
  readonly keepBlankShots?: boolean;
  /** Analysis shot indices (combined numbering with several files) kept whatever their verdict. */
  readonly keepShots?: readonly number[];
}

/** A shot left out of the pool. */
export interface ShotExclusion {
  /** Analysis shot index (combined numbering with several files). */
  readonly shot: number;
  readonly reason: ExclusionReason;
  /** For people: "text covers 6.3 % of 2 of 2 sampled frames". */
  readonly detail: string;
  /** For `duplicate`: the shot kept in its place. */
  readonly duplicateOf?: number;
}

/** A shot kept with a shorter usable range: text over part of it (a title faded in over a long shot). */
export interface ShotTrim {
  readonly shot: number;
  readonly reason: 'text';
  /** The frames kept, [startFrame, endFrame) in the movie's frames. */
  readonly startFrame: number;
  readonly endFrame: number;
  readonly detail: string;
}

/** The pool's verdicts for one montage. */
export interface PoolVerdict {
  readonly excluded: readonly ShotExclusion[];
  readonly trimmed: readonly ShotTrim[];
  /** Exclusions the editor re-enabled (kept in the pool), so the UI can offer to exclude them again. */
  readonly reenabled: readonly ShotExclusion[];
}
