/**
 * Reads the companion's OpenTimelineIO timeline (Timeline.1 → Stack.1 → Track.1 → Clip.1 | Gap.1, JSON) into the
 * clips of a {@link HostCut}: record positions from the items before each clip, source ranges from the media's
 * first frame (OTIO counts them from the media's available range, which starts at its timecode). Every record time
 * in the companion's OTIO is a whole frame on the timeline's rate and every source start a whole frame of its
 * media, so ticks come out exact. JSON, not xmeml: UXP has
 * no XML parser we can count on.
 */
import type { Rate } from '../../companion/core/rational';
import type { HostCutClip } from './host';
import { TICKS_PER_SECOND, rateFromTicksPerFrame, ticksPerFrame } from './ticks';

interface RationalTime {
  readonly rate: number;
  readonly value: number;
}
interface TimeRange {
  readonly start_time: RationalTime;
  readonly duration: RationalTime;
}
interface Item {
  readonly OTIO_SCHEMA: string;
  readonly source_range?: TimeRange | null;
  readonly media_reference?: { readonly target_url?: string; readonly available_range?: TimeRange | null } | null;
}
interface Track {
  readonly OTIO_SCHEMA: string;
  readonly kind: string;
  readonly children: readonly Item[];
}

/** A file:// URL as a native path ("file:///C:/x" → "C:/x" on Windows drives). */
export function pathFromFileUrl(url: string): string {
  const path = decodeURIComponent(url.replace(/^file:\/\/(localhost)?/i, ''));
  return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
}

/** The clips of the OTIO text on `rate` (the timeline's), track by track. Throws on anything it cannot place exactly. */
export function cutClipsFromOtio(text: string, rate: Rate): HostCutClip[] {
  const timeline = JSON.parse(text) as { OTIO_SCHEMA?: string; tracks?: { children?: readonly Track[] } };
  if (!timeline.OTIO_SCHEMA?.startsWith('Timeline.')) throw new Error('The companion’s OTIO file is not a timeline.');
  const fps = rate.num / rate.den;
  const perFrame = ticksPerFrame(rate);
  const frames = (time: RationalTime | undefined, what: string): bigint => {
    if (!time) return 0n;
    if (Math.abs(time.rate - fps) > 1e-6 || !Number.isInteger(time.value)) throw new Error(`The OTIO ${what} (${time.value} at ${time.rate}) is not a frame on ${fps} fps.`);
    return BigInt(time.value);
  };
  // A whole frame of the media at its own rate, as ticks (exact: every standard rate divides the tick rate).
  const mediaTicks = (time: RationalTime | undefined, what: string): bigint => {
    if (!time) return 0n;
    if (!Number.isInteger(time.value) || !(time.rate > 0)) throw new Error(`The OTIO ${what} (${time.value} at ${time.rate}) is not a whole frame.`);
    return BigInt(time.value) * ticksPerFrame(rateFromTicksPerFrame(Number(TICKS_PER_SECOND) / time.rate));
  };
  const clips: HostCutClip[] = [];
  const trackIndex = { video: 0, audio: 0 };
  for (const track of timeline.tracks?.children ?? []) {
    const kind = track.kind === 'Audio' ? 'audio' : 'video';
    const index = trackIndex[kind]++;
    let at = 0n;
    for (const item of track.children) {
      const range = item.source_range;
      const length = frames(range?.duration, 'duration');
      if (item.OTIO_SCHEMA.startsWith('Clip.') && range && item.media_reference?.target_url) {
        // The source start counts in the media's own frames (a source at another rate than the timeline keeps its
        // frames, docs/sources.md); the length is the record length on the timeline's rate, so the cut plays at
        // real speed and ends on a sequence frame.
        const mediaStart = mediaTicks(item.media_reference.available_range?.start_time, 'media start');
        const sourceIn = mediaTicks(range.start_time, 'source in') - mediaStart;
        clips.push({
          kind,
          track: index,
          mediaPath: pathFromFileUrl(item.media_reference.target_url),
          srcInTicks: sourceIn.toString(),
          srcOutTicks: (sourceIn + length * perFrame).toString(),
          startTicks: (at * perFrame).toString(),
        });
      }
      at += length;
    }
  }
  return clips;
}
