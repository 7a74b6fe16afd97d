/**
 * From labelled beats to bars (downbeat to next downbeat), applying the editor's "shift the downbeat"
 * control, plus the fallback grid used when no pulse can be found. Pure functions; times in seconds.
 */
import type { Bar, Beat } from '../../core/montage';

/** Beats closer than this are merged, so no bar or beat interval can have zero length. */
const MIN_BEAT_GAP_SECONDS = 0.1;

export interface LabelledBeats {
  readonly times: readonly number[];
  /** Bar position per beat, 0 = downbeat. */
  readonly positions: ArrayLike<number>;
  readonly beatsPerBar: number;
}

export interface BarLayout {
  readonly beats: Beat[];
  readonly bars: Bar[];
}

/**
 * Builds beats (with beatInBar) and bars. `downbeatShift` moves every downbeat that many beats later
 * (negative: earlier). The last downbeat closes a final bar only when its projected end (one bar at the
 * last beat period) lies within `endSeconds`.
 */
export function layoutBars(input: LabelledBeats, endSeconds: number, downbeatShift = 0): BarLayout {
  const m = Math.max(1, Math.round(input.beatsPerBar));
  const shift = Math.round(Number.isFinite(downbeatShift) ? downbeatShift : 0);
  const times: number[] = [];
  const positions: number[] = [];
  for (let i = 0; i < input.times.length; i++) {
    const time = input.times[i]!;
    if (!Number.isFinite(time) || time < 0 || time > endSeconds) continue;
    if (times.length > 0 && time - times[times.length - 1]! < MIN_BEAT_GAP_SECONDS) continue;
    times.push(time);
    positions.push(((((input.positions[i] ?? 0) - shift) % m) + m) % m);
  }
  const beats: Beat[] = times.map((timeSeconds, i) => ({ timeSeconds, beatInBar: positions[i]! + 1 }));
  const downbeats: number[] = [];
  for (let i = 0; i < times.length; i++) if (positions[i] === 0) downbeats.push(i);
  const bars: Bar[] = [];
  for (let k = 0; k + 1 < downbeats.length; k++) {
    const first = downbeats[k]!;
    const next = downbeats[k + 1]!;
    const start = times[first]!;
    const duration = times[next]! - start;
    const beatCount = next - first;
    bars.push({ index: bars.length, startSeconds: start, durationSeconds: duration, beatsPerBar: beatCount, tempoBpm: (60 * beatCount) / duration });
  }
  const lastDownbeat = downbeats[downbeats.length - 1];
  if (lastDownbeat !== undefined && times.length >= 2) {
    const lastIndex = times.length - 1;
    const period = (times[lastIndex]! - times[Math.max(0, lastIndex - m)]!) / Math.min(m, lastIndex) || times[1]! - times[0]!;
    const start = times[lastDownbeat]!;
    const end = start + m * period;
    // Allow a few milliseconds of rounding at the very end of the file.
    if (period > 0 && end <= endSeconds + 0.005) {
      const duration = Math.min(end, endSeconds) - start;
      if (duration > 0) bars.push({ index: bars.length, startSeconds: start, durationSeconds: duration, beatsPerBar: m, tempoBpm: (60 * m) / duration });
    }
  }
  return { beats, bars };
}

/** A steady grid (used when there is no pulse): beats at `tempoBpm` from `startSeconds`, every `beatsPerBar` a downbeat. */
export function gridBeats(startSeconds: number, endSeconds: number, tempoBpm: number, beatsPerBar: number): LabelledBeats {
  const period = 60 / tempoBpm;
  const times: number[] = [];
  const positions: number[] = [];
  for (let k = 0; startSeconds + k * period <= endSeconds + 1e-9; k++) {
    times.push(startSeconds + k * period);
    positions.push(k % beatsPerBar);
  }
  return { times, positions, beatsPerBar };
}
