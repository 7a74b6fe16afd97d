/**
 * Exact rational time, after OpenTimelineIO: a {@link RationalTime} is an integer count of ticks at a
 * {@link Rate}; a {@link TimeRange} includes its start and excludes its end. Times are computed in
 * integer frames (or samples) and converted to seconds only at the edges.
 */

/** A rate as an exact fraction of ticks per second, e.g. 24000/1001 (never 23.976). */
export interface Rate {
  readonly num: number;
  readonly den: number;
}

/** A point in time: `value` ticks at `rate`. `value` is an integer for frame- or sample-exact times. */
export interface RationalTime {
  readonly value: number;
  readonly rate: Rate;
}

/** A half-open range [start, start + duration). Both parts share one rate. */
export interface TimeRange {
  readonly start: RationalTime;
  readonly duration: RationalTime;
}

/** Makes a normalised rate; throws on a non-positive or non-integer fraction. */
export function rate(num: number, den = 1): Rate {
  if (!Number.isInteger(num) || !Number.isInteger(den) || num <= 0 || den <= 0) {
    throw new RangeError(`rate ${num}/${den} must be a positive integer fraction`);
  }
  const divisor = gcd(num, den);
  return { num: num / divisor, den: den / divisor };
}

/** The common video rates by their nominal names. */
export const RATES = {
  '23.976': rate(24000, 1001),
  '24': rate(24),
  '25': rate(25),
  '29.97': rate(30000, 1001),
  '30': rate(30),
  '50': rate(50),
  '59.94': rate(60000, 1001),
  '60': rate(60),
} as const;

/** Parses an ffprobe-style rate such as "24000/1001", "25/1" or "25". Returns undefined when not a positive rate. */
export function parseRate(text: string): Rate | undefined {
  const match = /^\s*(\d+)(?:\s*\/\s*(\d+))?\s*$/.exec(text);
  if (!match) return undefined;
  const num = Number(match[1]);
  const den = match[2] === undefined ? 1 : Number(match[2]);
  return num > 0 && den > 0 ? rate(num, den) : undefined;
}

/**
 * Snaps a measured frame rate (e.g. 23.9760239 from a container) to the nearest standard rate when it is
 * within 0.05%, else returns it as an exact fraction over 1001 or 1000.
 */
export function snapRate(fps: number): Rate {
  for (const standard of Object.values(RATES)) {
    if (Math.abs(toFps(standard) - fps) / fps < 5e-4) return standard;
  }
  return rate(Math.round(fps * 1000), 1000);
}

export function toFps(r: Rate): number {
  return r.num / r.den;
}

export function ratesEqual(a: Rate, b: Rate): boolean {
  return a.num === b.num && a.den === b.den;
}

/** The integer frames-per-second used for timecode counting (24 for 23.976, 30 for 29.97, 60 for 59.94). */
export function timecodeBase(r: Rate): number {
  return Math.round(toFps(r));
}

/** True for rates that timecode marks with NTSC (x/1001). */
export function isNtsc(r: Rate): boolean {
  return r.den === 1001;
}

export function time(value: number, r: Rate): RationalTime {
  return { value, rate: r };
}

export function range(start: number, duration: number, r: Rate): TimeRange {
  return { start: time(start, r), duration: time(duration, r) };
}

export function toSeconds(t: RationalTime): number {
  return (t.value * t.rate.den) / t.rate.num;
}

export function rangeEnd(r: TimeRange): RationalTime {
  return time(r.start.value + r.duration.value, r.start.rate);
}

/** Whether `t` (same rate) lies inside the half-open range. */
export function rangeContains(r: TimeRange, value: number): boolean {
  return value >= r.start.value && value < r.start.value + r.duration.value;
}

export type Rounding = 'nearest' | 'floor' | 'ceil';

function roundWith(x: number, rounding: Rounding): number {
  // A tiny tolerance absorbs float noise such as 2.9999999999 frames.
  const epsilon = 1e-9;
  if (rounding === 'floor') return Math.floor(x + epsilon);
  if (rounding === 'ceil') return Math.ceil(x - epsilon);
  return Math.round(x);
}

/** Seconds → integer ticks at `r`. */
export function secondsToValue(seconds: number, r: Rate, rounding: Rounding = 'nearest'): number {
  return roundWith((seconds * r.num) / r.den, rounding);
}

export function fromSeconds(seconds: number, r: Rate, rounding: Rounding = 'nearest'): RationalTime {
  return time(secondsToValue(seconds, r, rounding), r);
}

/** Re-expresses a time at another rate, rounding to an integer tick there. Exact when the rates agree. */
export function rescale(t: RationalTime, to: Rate, rounding: Rounding = 'nearest'): RationalTime {
  if (ratesEqual(t.rate, to)) return t;
  // value * (to.num / to.den) / (from.num / from.den), computed with BigInt to stay exact for long media.
  const numerator = BigInt(t.value) * BigInt(to.num) * BigInt(t.rate.den);
  const denominator = BigInt(to.den) * BigInt(t.rate.num);
  return time(divideRounded(numerator, denominator, rounding), to);
}

function divideRounded(numerator: bigint, denominator: bigint, rounding: Rounding): number {
  const sign = (numerator < 0n) !== (denominator < 0n) ? -1n : 1n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  let quotient = n / d;
  const remainder = n % d;
  if (remainder !== 0n) {
    const up =
      rounding === 'nearest' ? remainder * 2n >= d : rounding === 'ceil' ? sign > 0n : sign < 0n;
    if (up) quotient += 1n;
  }
  return Number(sign * quotient);
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
