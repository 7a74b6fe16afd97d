/**
 * Test reader for OpenTimelineIO JSON: Timeline.1 → Stack.1 → Track.1 → Clip.1 | Clip.2 | Gap.1 (transitions
 * take no time), ExternalReference.1, Marker.2 on the stack and on clips. Record positions are the sums of the
 * items' durations; source positions are made relative to the media's available_range start.
 */
import { rate as makeRate, snapRate, type Rate } from '../../../companion/core/rational';
import { pathFromFileUrl, type ReadClip, type ReadMarker, type ReadTimeline, type ReadTrack } from './read-timeline';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- untyped JSON walked by a test reader

/** OTIO stores rates as floats (23.976023976023978); back to the exact fraction. */
export function rateFromFloat(value: number): Rate {
  if (Number.isInteger(value)) return makeRate(value);
  const ntsc = Math.round(value * 1.001);
  if (Math.abs((ntsc * 1000) / 1001 - value) < 1e-9) return makeRate(ntsc * 1000, 1001);
  return snapRate(value);
}

function frames(time: Json | null | undefined, to: Rate): number {
  if (!time) return 0;
  return Math.round((time.value * to.num) / (to.den * time.rate));
}

function readMarkers(list: Json[] | undefined, to: Rate, offset = 0): ReadMarker[] {
  return (list ?? []).map((marker) => ({ name: marker.name ?? '', frame: frames(marker.marked_range?.start_time, to) - offset, comment: marker.comment ?? marker.metadata?.fcp_xml?.comment ?? undefined }));
}

export interface OtioRead extends ReadTimeline {
  readonly schemas: ReadonlySet<string>;
}

export function readOtio(text: string): OtioRead {
  const root = JSON.parse(text) as Json;
  if (root.OTIO_SCHEMA !== 'Timeline.1') throw new Error(`root schema is ${root.OTIO_SCHEMA}, not Timeline.1`);
  const schemas = new Set<string>();
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object') {
      const schema = (value as Json).OTIO_SCHEMA;
      if (typeof schema === 'string') schemas.add(schema);
      Object.values(value).forEach(collect);
    }
  };
  collect(root);
  const stack = root.tracks as Json;
  const firstRate = (): number => {
    for (const track of stack.children ?? []) for (const item of track.children ?? []) if (item.source_range) return item.source_range.duration.rate;
    return 24;
  };
  const rate = rateFromFloat(root.global_start_time?.rate ?? firstRate());
  const tracks: ReadTrack[] = (stack.children as Json[]).map((track, index) => {
    let position = 0;
    const clips: ReadClip[] = [];
    for (const item of track.children as Json[]) {
      if (item.OTIO_SCHEMA?.startsWith('Transition')) continue;
      const duration = frames(item.source_range?.duration, rate);
      if (item.OTIO_SCHEMA?.startsWith('Clip')) {
        const reference: Json | undefined = item.media_reference ?? item.media_references?.[item.active_media_reference_key ?? 'DEFAULT_MEDIA'];
        const available = reference?.available_range;
        const mediaStart = available ? frames(available.start_time, rate) : 0;
        const sourceIn = frames(item.source_range?.start_time, rate) - mediaStart;
        const url: string | undefined = reference?.target_url ?? undefined;
        clips.push({
          name: item.name ?? '',
          recordIn: position,
          recordOut: position + duration,
          sourceIn,
          sourceOut: sourceIn + duration,
          media: reference
            ? {
                name: reference.name ?? undefined,
                url,
                path: url?.startsWith('file:') ? pathFromFileUrl(url) : url,
                durationFrames: available ? frames(available.duration, rate) : undefined,
                startTimecodeFrames: available ? mediaStart : undefined,
              }
            : undefined,
          markers: readMarkers(item.markers, rate, mediaStart),
        });
      }
      position += duration;
    }
    return { kind: track.kind === 'Audio' ? 'audio' : 'video', name: track.name ?? `T${index + 1}`, clips, attributes: {} };
  });
  const durationFrames = Math.max(0, ...tracks.map((t) => Math.max(0, ...t.clips.map((c) => c.recordOut))));
  return {
    name: root.name ?? '',
    rate,
    startFrames: root.global_start_time ? frames(root.global_start_time, rate) : 0,
    dropFrame: root.metadata?.['auto-montage']?.dropFrame === true,
    durationFrames,
    tracks,
    markers: readMarkers(stack.markers, rate),
    schemas,
  };
}
