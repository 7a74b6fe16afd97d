/**
 * The one internal timeline every exporter reads, after OpenTimelineIO's small fixed tree:
 * Timeline → tracks → Clip | Gap, plus markers. One sequence rate; every record position is an integer
 * frame on it. Source ranges are integer frames at the media's own rate, counted from the file's first
 * frame (the embedded start timecode is kept on the media and added only by formats that want it).
 */
import { rescale, type Rate, type RationalTime, type TimeRange } from './rational';

/** A pixel's width over its height (ffprobe `sample_aspect_ratio`), e.g. 64:45 for 16:9 PAL at 720×576; 1:1 is square. */
export interface PixelAspectRatio {
  readonly num: number;
  readonly den: number;
}

/**
 * How a video's frames are scanned: progressive, or interlaced with the upper (top) or lower (bottom) field
 * shown first (ffprobe `field_order`: tt/bt → upper-first, bb/tb → lower-first).
 */
export type FieldOrder = 'progressive' | 'upper-first' | 'lower-first';

/** A media file used by the timeline. */
export interface MediaReference {
  /** Unique within the timeline, e.g. "media-1". */
  readonly id: string;
  /** Display name, normally the file name. */
  readonly name: string;
  /** Absolute path as the user's OS writes it (POSIX or Windows). */
  readonly path: string;
  readonly hasVideo: boolean;
  readonly hasAudio: boolean;
  /** Frame rate for video; for audio-only media, the sequence rate (positions are counted on it). */
  readonly rate: Rate;
  /** Available length in `rate` frames. */
  readonly durationFrames: number;
  /** Embedded start timecode in `rate` frames (ffprobe `tags.timecode`), 0 when none. */
  readonly startTimecodeFrames: number;
  /** Whether the embedded timecode counts drop-frame. */
  readonly dropFrame: boolean;
  /** Stored frame size in pixels (not the display size: see `pixelAspectRatio`). */
  readonly width?: number;
  readonly height?: number;
  /** Video: the pixel aspect ratio; absent means square. */
  readonly pixelAspectRatio?: PixelAspectRatio;
  /** Video: the scan; absent means progressive. */
  readonly fieldOrder?: FieldOrder;
  readonly audioChannels?: number;
  readonly sampleRate?: number;
  /** Audio-only media: its length in samples at `sampleRate` (what FCPXML states for an audio asset). */
  readonly durationSamples?: number;
}

export interface Clip {
  readonly kind: 'clip';
  readonly name: string;
  readonly mediaId: string;
  /** The used part of the media, in the media's frames from its first frame: [in, out). */
  readonly sourceRange: TimeRange;
  /**
   * The clip's length on the sequence grid, when its media counts at another rate (the cut stays on the
   * sequence's frame grid while the source keeps its own frames); absent: its source duration rescaled.
   */
  readonly recordDuration?: RationalTime;
  /** Markers attached to the clip, positioned in the clip's source time. */
  readonly markers?: readonly Marker[];
  /** Foreign data sits in a namespace, e.g. { "auto-montage": { shotIndex: 3 } }. */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export interface Gap {
  readonly kind: 'gap';
  /** Length on the sequence rate. */
  readonly duration: RationalTime;
}

export type TrackItem = Clip | Gap;

export interface Track {
  readonly kind: 'video' | 'audio';
  readonly name: string;
  /** Items back to back from the timeline start. Each item's length on the sequence grid is its duration rescaled to the sequence rate. */
  readonly items: readonly TrackItem[];
}

export type MarkerColor = 'red' | 'green' | 'blue' | 'cyan' | 'magenta' | 'yellow' | 'orange' | 'purple' | 'white';

/** A point marker (duration 0 unless given). */
export interface Marker {
  readonly name: string;
  /** For timeline markers: a sequence frame from the timeline start. For clip markers: source frames. */
  readonly time: RationalTime;
  readonly duration?: RationalTime;
  readonly comment?: string;
  readonly color?: MarkerColor;
}

export interface Timeline {
  readonly schema: 'Timeline.1';
  readonly name: string;
  /** The sequence rate (= the movie's rate). */
  readonly rate: Rate;
  /** Record start in sequence frames; 01:00:00:00 by default. */
  readonly startFrames: number;
  readonly dropFrame: boolean;
  readonly width: number;
  readonly height: number;
  /** The sequence frame's pixel aspect ratio (the movie's); absent means square. */
  readonly pixelAspectRatio?: PixelAspectRatio;
  /** The sequence's scan (the movie's); absent means progressive. */
  readonly fieldOrder?: FieldOrder;
  readonly media: readonly MediaReference[];
  readonly tracks: readonly Track[];
  /** Sequence markers (bars), positioned in sequence frames from the timeline start. */
  readonly markers: readonly Marker[];
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** Length of an item on the sequence grid, in frames. */
export function itemFrames(item: TrackItem, sequenceRate: Rate): number {
  const duration = item.kind === 'gap' ? item.duration : (item.recordDuration ?? item.sourceRange.duration);
  return rescale(duration, sequenceRate).value;
}

/** Each clip of a track with its record position [recordIn, recordOut) in sequence frames from the timeline start. */
export function placedClips(timeline: Timeline, track: Track): { clip: Clip; recordIn: number; recordOut: number }[] {
  const out: { clip: Clip; recordIn: number; recordOut: number }[] = [];
  let position = 0;
  for (const item of track.items) {
    const frames = itemFrames(item, timeline.rate);
    if (item.kind === 'clip') out.push({ clip: item, recordIn: position, recordOut: position + frames });
    position += frames;
  }
  return out;
}

/** Total length of the timeline in sequence frames (the longest track). */
export function timelineFrames(timeline: Timeline): number {
  return Math.max(0, ...timeline.tracks.map((track) => track.items.reduce((sum, item) => sum + itemFrames(item, timeline.rate), 0)));
}

