/**
 * The editor's controls of the music reading (BarTrackerOptions) and their ranges: one check, shared by the
 * built-in trackers and the pipeline (which checks before any analysis). The CLI, the protocol and the panel
 * use the same limits.
 */
import { MontageError } from '../../core/errors';
import type { BarTrackerOptions } from '../../core/pipeline';

export const MIN_BEATS_PER_BAR = 2;
export const MAX_BEATS_PER_BAR = 12;
export const MIN_TEMPO_BPM = 30;
export const MAX_TEMPO_BPM = 300;

/** Throws AM_ERR_INVALID_ARGUMENT naming the first bad field. */
export function validateTrackerOptions(options: BarTrackerOptions): void {
  const { beatsPerBar, downbeatShift, bpm, firstDownbeatSeconds } = options;
  const bad = (field: string, message: string) => new MontageError('AM_ERR_INVALID_ARGUMENT', message, { where: { field } });
  if (beatsPerBar !== undefined && (!Number.isInteger(beatsPerBar) || beatsPerBar < MIN_BEATS_PER_BAR || beatsPerBar > MAX_BEATS_PER_BAR)) {
    throw bad('beatsPerBar', `beatsPerBar must be a whole number from ${MIN_BEATS_PER_BAR} to ${MAX_BEATS_PER_BAR} (got ${beatsPerBar}).`);
  }
  if (downbeatShift !== undefined && !Number.isInteger(downbeatShift)) throw bad('downbeatShift', `downbeatShift must be a whole number of beats (got ${downbeatShift}).`);
  if (bpm !== undefined && (!Number.isFinite(bpm) || bpm < MIN_TEMPO_BPM || bpm > MAX_TEMPO_BPM)) {
    throw bad('bpm', `bpm must be a tempo from ${MIN_TEMPO_BPM} to ${MAX_TEMPO_BPM} BPM (got ${bpm}).`);
  }
  if (firstDownbeatSeconds !== undefined && (!Number.isFinite(firstDownbeatSeconds) || firstDownbeatSeconds < 0)) {
    throw bad('firstDownbeatSeconds', `firstDownbeatSeconds must be a time ≥ 0 in seconds of the music file (got ${firstDownbeatSeconds}).`);
  }
}
