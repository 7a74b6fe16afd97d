/**
 * Format: OpenTimelineIO JSON (.otio), the "0.14.0" schema set: Timeline.1, Stack.1, Track.1, Clip.1 (one
 * `media_reference`), Gap.1, ExternalReference.1, Marker.2 (colour as a string), TimeRange.1, RationalTime.1.
 * Every OTIO ≥ 0.14 reads it; newer builds upgrade Clip.1 → Clip.2 and Marker.2 → Marker.3 on read.
 * Reference: https://opentimelineio.readthedocs.io/en/latest/tutorials/otio-file-format-specification.html
 * and ../shared/docs/interchange.md §4.
 * Lossy: drop-frame display, the sequence width/height, and a non-square pixel aspect ratio or interlaced
 * scan (of the sequence and of each media reference) have no OTIO field (kept under metadata "auto-montage"); our marker colours orange/purple map to OTIO's ORANGE/PURPLE, the rest by name; two
 * timeline markers on one frame keep the first.
 */
import type { AutoMontageApi, ExportedFile, ExportOptions, Exporter, ExtensionContext, FieldOrder, Marker, MarkerColor, MediaReference, PixelAspectRatio, Rate, Timeline } from '../../companion/api/auto-montage';
import { rescale } from '../../companion/core/rational';
import { fileUrl } from '../shared/file-url';
import { frameAt, layoutTimeline, type SequenceMarker } from '../shared/timeline-layout';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The exact float of the rational rate (24000/1001 → 23.976023976023978), as OTIO stores it. */
function rateFloat(rate: Rate): number {
  return rate.num / rate.den;
}

function rationalTime(value: number, rate: Rate): Json {
  return { OTIO_SCHEMA: 'RationalTime.1', rate: rateFloat(rate), value };
}

function timeRange(start: number, duration: number, rate: Rate): Json {
  return { OTIO_SCHEMA: 'TimeRange.1', duration: rationalTime(duration, rate), start_time: rationalTime(start, rate) };
}

const COLORS: Record<MarkerColor, string> = {
  red: 'RED',
  green: 'GREEN',
  blue: 'BLUE',
  cyan: 'CYAN',
  magenta: 'MAGENTA',
  yellow: 'YELLOW',
  orange: 'ORANGE',
  purple: 'PURPLE',
  white: 'WHITE',
};

function marker(name: string, comment: string, color: MarkerColor | undefined, start: number, duration: number, rate: Rate): Json {
  return {
    OTIO_SCHEMA: 'Marker.2',
    metadata: {},
    name,
    color: COLORS[color ?? 'red'],
    marked_range: timeRange(start, duration, rate),
    comment,
  };
}

function toJson(value: unknown): Json {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as Json);
}

/** A frame's pixel shape and scan, which OTIO has no field for, under our namespace (only when not square or not progressive). */
function frameShape(ratio: PixelAspectRatio | undefined, fieldOrder: FieldOrder | undefined): { [key: string]: Json } {
  return {
    ...(ratio && ratio.num !== ratio.den ? { pixelAspectRatio: `${ratio.num}:${ratio.den}` } : {}),
    ...(fieldOrder && fieldOrder !== 'progressive' ? { fieldOrder } : {}),
  };
}

function externalReference(media: MediaReference): Json {
  const shape = frameShape(media.pixelAspectRatio, media.fieldOrder);
  return {
    OTIO_SCHEMA: 'ExternalReference.1',
    metadata: Object.keys(shape).length > 0 ? { 'auto-montage': shape } : {},
    name: media.name,
    // The whole media, starting at its embedded timecode (premiere_example.otio).
    available_range: timeRange(media.startTimecodeFrames, media.durationFrames, media.rate),
    available_image_bounds: null,
    target_url: fileUrl(media.path),
  };
}

/** The timeline's own metadata plus what OTIO has no field for, under our namespace. */
function namespacedMetadata(timeline: Timeline): Json {
  const metadata = (toJson(timeline.metadata ?? {}) ?? {}) as { [key: string]: Json };
  const ours = metadata['auto-montage'];
  const base = typeof ours === 'object' && ours !== null && !Array.isArray(ours) ? ours : {};
  return { ...metadata, 'auto-montage': { ...base, dropFrame: timeline.dropFrame, width: timeline.width, height: timeline.height, ...frameShape(timeline.pixelAspectRatio, timeline.fieldOrder) } };
}

/** Builds the .otio JSON. Pure. */
export function writeOtio(timeline: Timeline): string {
  const layout = layoutTimeline(timeline);
  const rate = timeline.rate;
  const tracks: Json[] = timeline.tracks.map((track, trackIndex) => {
    const children: Json[] = track.items.map((item): Json => {
      if (item.kind === 'gap') {
        const frames = rescale(item.duration, rate).value;
        return { OTIO_SCHEMA: 'Gap.1', metadata: {}, name: '', source_range: timeRange(0, frames, rate), effects: [], markers: [], enabled: true };
      }
      const media = timeline.media.find((m) => m.id === item.mediaId)!;
      const clipMarkers = (item.markers ?? []).map((m: Marker) =>
        // Clip markers live in the clip's source (media) time, which includes the embedded start timecode.
        marker(m.name, m.comment ?? '', m.color, media.startTimecodeFrames + frameAt(m.time, media.rate), m.duration ? frameAt(m.duration, media.rate) : 0, media.rate),
      );
      return {
        OTIO_SCHEMA: 'Clip.1',
        metadata: toJson(item.metadata ?? {}),
        name: item.name,
        // Media time is absolute: it includes the media's embedded start timecode. Media at another rate than the
        // sequence: the duration is the clip's record length on the sequence rate (OTIO times carry their own
        // rate), so every cut stays on the sequence's frame grid; the start stays a frame of the media.
        source_range: item.recordDuration
          ? { OTIO_SCHEMA: 'TimeRange.1', duration: rationalTime(rescale(item.recordDuration, rate).value, rate), start_time: rationalTime(media.startTimecodeFrames + item.sourceRange.start.value, media.rate) }
          : timeRange(media.startTimecodeFrames + item.sourceRange.start.value, item.sourceRange.duration.value, media.rate),
        effects: [],
        markers: clipMarkers,
        enabled: true,
        media_reference: externalReference(media),
      } satisfies Json;
    });
    return {
      OTIO_SCHEMA: 'Track.1',
      metadata: {},
      name: track.name || `${track.kind === 'video' ? 'V' : 'A'}${trackIndex + 1}`,
      source_range: null,
      effects: [],
      markers: [],
      enabled: true,
      children,
      kind: track.kind === 'video' ? 'Video' : 'Audio',
    };
  });
  // Stack markers are in timeline time from 0 (global_start_time is not added).
  const stackMarkers = layout.markers.map((m: SequenceMarker) => marker(m.name, m.comment, m.color, m.frame, 0, rate));
  const document: Json = {
    OTIO_SCHEMA: 'Timeline.1',
    metadata: namespacedMetadata(timeline),
    name: timeline.name,
    global_start_time: rationalTime(timeline.startFrames, rate),
    tracks: {
      OTIO_SCHEMA: 'Stack.1',
      metadata: {},
      name: 'tracks',
      source_range: null,
      effects: [],
      markers: stackMarkers,
      enabled: true,
      children: tracks,
    },
  };
  return JSON.stringify(document, null, 4) + '\n';
}

/** The exporter as the host sees it. */
export const otioExporter: Exporter = {
  export(timeline: Timeline, options: ExportOptions): ExportedFile[] {
    return [{ name: `${options.baseName}.otio`, contents: writeOtio(timeline) }];
  },
};

export function activate(context: ExtensionContext, api: AutoMontageApi): void {
  context.subscriptions.push(api.exporters.registerExporter('otio', otioExporter));
}
