/**
 * What every exporter needs from a Timeline, computed once: the timeline checked (AM_ERR_TIMELINE_INVALID
 * with the bad field), each clip's record range on the sequence grid and source range in media frames, and
 * the sequence markers snapped to unique sequence frames. Pure.
 */
import type { Clip, FieldOrder, MarkerColor, MediaReference, Rate, RationalTime, Timeline, Track } from '../../companion/api/auto-montage';
import { MontageError } from '../../companion/core/errors';
import { rescale, timecodeBase, type Rounding } from '../../companion/core/rational';
import { supportsDropFrame } from '../../companion/core/timecode';
import { itemFrames } from '../../companion/core/timeline';

export interface PlacedClip {
  readonly clip: Clip;
  readonly media: MediaReference;
  /** Index of the clip within its track's clips (0-based). */
  readonly index: number;
  /** Record range in sequence frames from the timeline start: [recordIn, recordOut). */
  readonly recordIn: number;
  readonly recordOut: number;
  /** Source range in media frames from the file's first frame: [sourceIn, sourceOut). */
  readonly sourceIn: number;
  readonly sourceOut: number;
}

export interface LaidOutTrack {
  readonly track: Track;
  /** 0-based among the tracks of its kind. */
  readonly index: number;
  readonly clips: readonly PlacedClip[];
  /** Sum of its items on the sequence grid. */
  readonly frames: number;
}

export interface SequenceMarker {
  readonly name: string;
  readonly comment: string;
  readonly color: MarkerColor | undefined;
  /** Sequence frame from the timeline start. */
  readonly frame: number;
}

export interface TimelineLayout {
  readonly timeline: Timeline;
  readonly totalFrames: number;
  readonly video: readonly LaidOutTrack[];
  readonly audio: readonly LaidOutTrack[];
  /** Snapped to the nearest sequence frame, inside [0, totalFrames), at most one per frame (the first wins), sorted. */
  readonly markers: readonly SequenceMarker[];
  /** Media in first-use order (video tracks first), each once. */
  readonly usedMedia: readonly MediaReference[];
}

const FIELD_ORDERS: readonly FieldOrder[] = ['progressive', 'upper-first', 'lower-first'];

function invalid(message: string, field: string): MontageError {
  return new MontageError('AM_ERR_TIMELINE_INVALID', message, { where: { field } });
}

/** A positive integer fraction (a rate, or a pixel aspect ratio). */
function isRate(rate: unknown): rate is Rate {
  const r = rate as Rate;
  return typeof r === 'object' && r !== null && Number.isInteger(r.num) && Number.isInteger(r.den) && r.num > 0 && r.den > 0;
}

/** Whether two rates are the same fraction (24/1 and 48/2 are). */
export function sameRate(a: Rate, b: Rate): boolean {
  return a.num * b.den === b.num * a.den;
}

/** Checks the timeline and lays it out; throws AM_ERR_TIMELINE_INVALID naming the bad field. */
export function layoutTimeline(timeline: Timeline): TimelineLayout {
  if (timeline?.schema !== 'Timeline.1') throw invalid('the timeline must have schema "Timeline.1"', 'schema');
  if (!isRate(timeline.rate)) throw invalid('the sequence rate must be a positive integer fraction', 'rate');
  if (!Number.isInteger(timeline.startFrames) || timeline.startFrames < 0) throw invalid('startFrames must be a non-negative integer', 'startFrames');
  if (timeline.dropFrame && !supportsDropFrame(timeline.rate)) throw invalid(`drop-frame timecode needs 29.97 or 59.94, not ${timeline.rate.num}/${timeline.rate.den}`, 'dropFrame');
  if (!(timeline.width > 0 && timeline.height > 0)) throw invalid('width and height must be positive', 'width');
  if (timeline.pixelAspectRatio !== undefined && !isRate(timeline.pixelAspectRatio)) throw invalid('the pixel aspect ratio must be a positive integer fraction', 'pixelAspectRatio');
  if (timeline.fieldOrder !== undefined && !FIELD_ORDERS.includes(timeline.fieldOrder)) throw invalid(`the field order must be one of ${FIELD_ORDERS.join(', ')}`, 'fieldOrder');
  const media = new Map<string, MediaReference>();
  timeline.media.forEach((m, index) => {
    const field = `media[${index}]`;
    if (typeof m.id !== 'string' || m.id === '') throw invalid('every media needs an id', `${field}.id`);
    if (media.has(m.id)) throw invalid(`two media share the id "${m.id}"`, `${field}.id`);
    if (typeof m.path !== 'string' || m.path === '') throw invalid(`media "${m.id}" has no path`, `${field}.path`);
    if (!isRate(m.rate)) throw invalid(`media "${m.id}" has no valid rate`, `${field}.rate`);
    if (!Number.isInteger(m.durationFrames) || m.durationFrames <= 0) throw invalid(`media "${m.id}" needs a positive integer durationFrames`, `${field}.durationFrames`);
    if (!Number.isInteger(m.startTimecodeFrames) || m.startTimecodeFrames < 0) throw invalid(`media "${m.id}" needs a non-negative integer startTimecodeFrames`, `${field}.startTimecodeFrames`);
    if (m.dropFrame && !supportsDropFrame(m.rate)) throw invalid(`media "${m.id}" has drop-frame timecode at a rate without it`, `${field}.dropFrame`);
    if (m.pixelAspectRatio !== undefined && !isRate(m.pixelAspectRatio)) throw invalid(`media "${m.id}" needs a pixel aspect ratio of positive integers`, `${field}.pixelAspectRatio`);
    if (m.fieldOrder !== undefined && !FIELD_ORDERS.includes(m.fieldOrder)) throw invalid(`media "${m.id}" has an unknown field order`, `${field}.fieldOrder`);
    media.set(m.id, m);
  });

  const used = new Map<string, MediaReference>();
  const lay = (kind: 'video' | 'audio'): LaidOutTrack[] =>
    timeline.tracks
      .map((track, trackIndex) => ({ track, trackIndex }))
      .filter(({ track }) => track.kind === kind)
      .map(({ track, trackIndex }, index) => {
        const clips: PlacedClip[] = [];
        let position = 0;
        track.items.forEach((item, itemIndex) => {
          const field = `tracks[${trackIndex}].items[${itemIndex}]`;
          if (item.kind === 'gap') {
            if (!isRate(item.duration?.rate) || !Number.isInteger(item.duration.value) || item.duration.value <= 0) throw invalid('a gap needs a positive integer duration', `${field}.duration`);
          } else if (item.kind === 'clip') {
            const m = media.get(item.mediaId);
            if (!m) throw invalid(`clip "${item.name}" uses unknown media "${item.mediaId}"`, `${field}.mediaId`);
            const { start, duration } = item.sourceRange ?? {};
            if (!start || !duration || !Number.isInteger(start.value) || !Number.isInteger(duration.value) || start.value < 0 || duration.value <= 0) {
              throw invalid(`clip "${item.name}" needs a source range of integer frames with a positive duration`, `${field}.sourceRange`);
            }
            if (!sameRate(start.rate, m.rate) || !sameRate(duration.rate, m.rate)) throw invalid(`clip "${item.name}" must count its source range at its media's rate`, `${field}.sourceRange`);
            if (start.value + duration.value > m.durationFrames) {
              throw invalid(`clip "${item.name}" ends at frame ${start.value + duration.value}, after its media's ${m.durationFrames} frames`, `${field}.sourceRange`);
            }
            if (kind === 'video' && !m.hasVideo) throw invalid(`clip "${item.name}" is on a video track but its media has no video`, `${field}.mediaId`);
            item.markers?.forEach((marker, markerIndex) => {
              if (!isRate(marker.time?.rate) || !Number.isFinite(marker.time.value)) throw invalid(`a marker of clip "${item.name}" needs a time`, `${field}.markers[${markerIndex}].time`);
            });
            if (!used.has(m.id)) used.set(m.id, m);
          } else {
            throw invalid('a track item must be a clip or a gap', `${field}.kind`);
          }
          const frames = itemFrames(item, timeline.rate);
          if (frames <= 0) throw invalid('an item is shorter than one sequence frame', field);
          if (item.kind === 'clip') {
            clips.push({
              clip: item,
              media: media.get(item.mediaId)!,
              index: clips.length,
              recordIn: position,
              recordOut: position + frames,
              sourceIn: item.sourceRange.start.value,
              sourceOut: item.sourceRange.start.value + item.sourceRange.duration.value,
            });
          }
          position += frames;
        });
        return { track, index, clips, frames: position };
      });
  const video = lay('video');
  const audio = lay('audio');
  const totalFrames = Math.max(0, ...video.map((t) => t.frames), ...audio.map((t) => t.frames));
  if (totalFrames === 0) throw invalid('the timeline has no clips', 'tracks');

  const byFrame = new Map<number, SequenceMarker>();
  timeline.markers.forEach((marker, index) => {
    if (!isRate(marker.time?.rate) || !Number.isFinite(marker.time.value)) throw invalid('a marker needs a time', `markers[${index}].time`);
    // Snap to the nearest sequence frame (docs/interchange.md §0: never two markers on one frame).
    const frame = frameAt(marker.time, timeline.rate);
    if (frame < 0 || frame >= totalFrames || byFrame.has(frame)) return;
    byFrame.set(frame, { name: marker.name ?? '', comment: marker.comment ?? '', color: marker.color, frame });
  });
  const markers = [...byFrame.values()].sort((a, b) => a.frame - b.frame);
  return { timeline, totalFrames, video, audio, markers, usedMedia: [...used.values()] };
}

/** A marker time (checked by {@link layoutTimeline}) as the nearest whole frame at `rate`. */
export function frameAt(time: RationalTime, rate: Rate): number {
  return rescale({ value: Math.round(time.value), rate: time.rate }, rate).value;
}

/**
 * A media-frame count re-expressed on the sequence grid (exact when the rates agree). A source in at another rate
 * rounds up (`ceil`): the clip then never starts on a frame before the planned one, which may lie outside the
 * editor's select (docs/sources.md).
 */
export function toSequenceFrames(frames: number, media: MediaReference, sequenceRate: Rate, rounding: Rounding = 'nearest'): number {
  return rescale({ value: frames, rate: media.rate }, sequenceRate, rounding).value;
}

/** The timebase/NTSC pair xmeml and EDL count on (24 + NTSC for 23.976). */
export function timebaseOf(rate: Rate): { timebase: number; ntsc: boolean } {
  return { timebase: timecodeBase(rate), ntsc: rate.den === 1001 };
}
