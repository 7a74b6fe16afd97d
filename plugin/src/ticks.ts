/**
 * Premiere ticks: 254016000000 per second. One second exceeds 2^32 and an hour of ticks exceeds 2^53 after
 * ~9.8 h, so ticks travel as decimal strings and are added or scaled with BigInt, never as float seconds
 * (seconds drift at 29.97 and 23.976).
 */
import type { Rate } from '../../companion/core/rational';

export const TICKS_PER_SECOND = 254016000000n;

/** Parses a tick string; throws RangeError on anything but an optionally signed integer. */
export function parseTicks(ticks: string): bigint {
  if (!/^-?\d+$/.test(ticks.trim())) throw new RangeError(`"${ticks}" is not a tick count`);
  return BigInt(ticks.trim());
}

/** Ticks per frame at a rate; exact (an integer) for every standard rate. */
export function ticksPerFrame(rate: Rate): bigint {
  return (TICKS_PER_SECOND * BigInt(rate.den)) / BigInt(rate.num);
}

/** Frame index → tick string at a rate. */
export function framesToTicks(frames: number, rate: Rate): string {
  return ((BigInt(Math.round(frames)) * TICKS_PER_SECOND * BigInt(rate.den)) / BigInt(rate.num)).toString();
}

/** Tick string → the nearest frame at a rate. */
export function ticksToFrames(ticks: string, rate: Rate): number {
  const numerator = parseTicks(ticks) * BigInt(rate.num);
  const denominator = TICKS_PER_SECOND * BigInt(rate.den);
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  return Number(remainder * 2n >= denominator ? quotient + 1n : quotient);
}

/** Seconds → the nearest tick string (for music-file seconds, where the source is already a float). */
export function secondsToTicks(seconds: number): string {
  // Split into whole and fractional seconds so large values keep their precision.
  const whole = Math.floor(seconds);
  const fraction = Math.round((seconds - whole) * Number(TICKS_PER_SECOND));
  return (BigInt(whole) * TICKS_PER_SECOND + BigInt(fraction)).toString();
}

/** Tick string → seconds (for display and for music ranges, which the companion takes in seconds). */
export function ticksToSeconds(ticks: string): number {
  const value = parseTicks(ticks);
  const whole = value / TICKS_PER_SECOND;
  const rest = value % TICKS_PER_SECOND;
  return Number(whole) + Number(rest) / Number(TICKS_PER_SECOND);
}

/** a − b on tick strings. */
export function subtractTicks(a: string, b: string): string {
  return (parseTicks(a) - parseTicks(b)).toString();
}

/** The tick string with the smaller value. */
export function minTicks(a: string, b: string): string {
  return parseTicks(a) <= parseTicks(b) ? a : b;
}

export function maxTicks(a: string, b: string): string {
  return parseTicks(a) >= parseTicks(b) ? a : b;
}

/** Guesses the exact rate of a sequence from its ticks per frame (Premiere's timebase). */
export function rateFromTicksPerFrame(ticksPerFrameValue: number): Rate {
  const fps = Number(TICKS_PER_SECOND) / ticksPerFrameValue;
  const ntsc = [24000, 30000, 60000, 48000, 120000];
  for (const num of ntsc) {
    if (Math.abs(fps - num / 1001) < 1e-3) return { num, den: 1001 };
  }
  if (Math.abs(fps - Math.round(fps)) < 1e-3) return { num: Math.round(fps), den: 1 };
  return { num: Math.round(fps * 1000), den: 1000 };
}
