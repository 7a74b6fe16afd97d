/**
 * SMPTE timecode, non-drop-frame (NDF) and drop-frame (DF). DF exists only at 29.97 and 59.94: it skips
 * 2 (resp. 4) frame numbers at the start of every minute except minutes divisible by 10.
 * Reference: SMPTE 12M; 01:00:00;00 @29.97 DF = frame 107892.
 */
import { isNtsc, timecodeBase, type Rate } from './rational';

export interface TimecodeOptions {
  /** Drop-frame counting; only valid at 29.97 and 59.94. */
  readonly dropFrame?: boolean;
}

/** How a sequence's timecode counts, as the CLI (`--timecode`) and the protocol ask for it: non-drop or drop-frame. */
export type SequenceTimecode = 'ndf' | 'df';
export const SEQUENCE_TIMECODES: readonly SequenceTimecode[] = ['ndf', 'df'];

/** Whether drop-frame timecode is defined for this rate. */
export function supportsDropFrame(r: Rate): boolean {
  const base = timecodeBase(r);
  return isNtsc(r) && (base === 30 || base === 60);
}

function droppedPerMinute(r: Rate): number {
  return timecodeBase(r) === 60 ? 4 : 2;
}

function checkDropFrame(r: Rate, dropFrame: boolean): void {
  if (dropFrame && !supportsDropFrame(r)) {
    throw new RangeError(`drop-frame timecode is only defined at 29.97 and 59.94, not ${r.num}/${r.den}`);
  }
}

/** Frame count → "HH:MM:SS:FF" (NDF) or "HH:MM:SS;FF" (DF). Negative counts are rejected. */
export function framesToTimecode(frames: number, r: Rate, options: TimecodeOptions = {}): string {
  const dropFrame = options.dropFrame ?? false;
  checkDropFrame(r, dropFrame);
  if (!Number.isInteger(frames) || frames < 0) throw new RangeError(`timecode frame ${frames} must be a non-negative integer`);
  const base = timecodeBase(r);
  let count = frames;
  if (dropFrame) {
    const drop = droppedPerMinute(r);
    const framesPer10Minutes = base * 600 - drop * 9;
    const framesPerMinute = base * 60 - drop;
    const tens = Math.floor(count / framesPer10Minutes);
    const rest = count % framesPer10Minutes;
    count += drop * 9 * tens + (rest > drop ? drop * Math.floor((rest - drop) / framesPerMinute) : 0);
  }
  const ff = count % base;
  const totalSeconds = Math.floor(count / base);
  const ss = totalSeconds % 60;
  const mm = Math.floor(totalSeconds / 60) % 60;
  const hh = Math.floor(totalSeconds / 3600) % 24;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(hh)}:${pad(mm)}:${pad(ss)}${dropFrame ? ';' : ':'}${pad(ff)}`;
}

/**
 * "HH:MM:SS:FF" or "HH:MM:SS;FF" (the separator before the frames decides DF unless `dropFrame` is given)
 * → frame count. Returns undefined for malformed text or fields out of range.
 */
export function timecodeToFrames(text: string, r: Rate, options: TimecodeOptions = {}): number | undefined {
  const match = /^(\d{1,2}):(\d{2}):(\d{2})([:;.,])(\d{2,3})$/.exec(text.trim());
  if (!match) return undefined;
  const [hh, mm, ss, ff] = [match[1], match[2], match[3], match[5]].map(Number) as [number, number, number, number];
  const dropFrame = options.dropFrame ?? (match[4] === ';' || match[4] === ',');
  if (dropFrame && !supportsDropFrame(r)) return undefined;
  const base = timecodeBase(r);
  if (mm > 59 || ss > 59 || ff >= base) return undefined;
  const totalMinutes = hh * 60 + mm;
  let frames = (totalMinutes * 60 + ss) * base + ff;
  if (dropFrame) {
    const drop = droppedPerMinute(r);
    if (ss === 0 && ff < drop && mm % 10 !== 0) return undefined; // these frame numbers do not exist in DF
    frames -= drop * (totalMinutes - Math.floor(totalMinutes / 10));
  }
  return frames;
}

/** Frames of 01:00:00:00 at this rate (86400 @24, 108000 @30 NDF, 107892 @29.97 DF). */
export function oneHourFrames(r: Rate, options: TimecodeOptions = {}): number {
  const frames = timecodeToFrames(options.dropFrame ? '01:00:00;00' : '01:00:00:00', r, options);
  if (frames === undefined) throw new RangeError('unreachable: 01:00:00:00 is always valid');
  return frames;
}
