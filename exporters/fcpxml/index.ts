/**
 * Format: FCPXML 1.9, 1.10 or 1.11 (default 1.10), Final Cut Pro X's interchange XML, also read by DaVinci Resolve.
 * Reference: https://developer.apple.com/documentation/professional_video_applications/fcpxml_reference and
 * Apple's FCPXMLv1_9/1_10/1_11 DTDs (not redistributable), real FCP exports (DAWFileKit fixtures) and
 * ../shared/docs/interchange.md §2. For what we emit the three versions differ only in the version string.
 * Shape: resources (formats, one asset per file with <media-rep>) → library > event > project > sequence > spine;
 * the movie's clips on the spine (srcEnable="video": the movie's own audio is not used), the music as connected
 * clips at lane −1 under the spine item that covers their start, bar markers on the music clip.
 * Times are rational seconds on the sequence's frame grid (e.g. 1001/24000s per frame), never floats.
 * Lossy: marker colours (FCPXML markers have none); markers outside every clip; two markers on one frame keep
 * the first; only cuts (no transitions, effects, speed changes).
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import type { AutoMontageApi, ExportedFile, ExportOptions, Exporter, ExtensionContext, MediaReference, Rate, Timeline } from '../../companion/api/auto-montage';
import { MontageError } from '../../companion/core/errors';
import { fileUrl } from '../shared/file-url';
import { isSquare, mediaFormat, sequenceFormat as sequenceVideoFormat, type VideoFormat } from '../shared/video-format';
import { frameAt, layoutTimeline, type PlacedClip, type SequenceMarker } from '../shared/timeline-layout';

export type FcpxmlVersion = '1.9' | '1.10' | '1.11';
export const FCPXML_VERSIONS: readonly FcpxmlVersion[] = ['1.9', '1.10', '1.11'];

export interface FcpxmlOptions {
  readonly version: FcpxmlVersion;
}

/** An exact time in seconds, numerator/denominator as BigInt. */
interface Seconds {
  readonly n: bigint;
  readonly d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function seconds(n: bigint, d: bigint): Seconds {
  const divisor = gcd(n, d) || 1n;
  return { n: n / divisor, d: d / divisor };
}

/** `frames` ticks at `rate` as exact seconds. */
function framesToSeconds(frames: number, rate: Rate): Seconds {
  return seconds(BigInt(frames) * BigInt(rate.den), BigInt(rate.num));
}

function add(a: Seconds, b: Seconds): Seconds {
  return seconds(a.n * b.d + b.n * a.d, a.d * b.d);
}

/** The time scale FCP writes for a rate: 24000 for 23.976 (1001/24000s per frame), 2500 for 25 (100/2500s). */
export function timescaleOf(rate: Rate): bigint {
  return rate.den === 1 ? BigInt(rate.num) * 100n : BigInt(rate.num);
}

/** "0s", "3600s", or "N/Ds" with D the rate's timescale when the time falls on it. */
function formatTime(time: Seconds, rate: Rate): string {
  if (time.n === 0n) return '0s';
  if (time.d === 1n) return `${time.n}s`;
  const timescale = timescaleOf(rate);
  if (timescale % time.d === 0n) return `${time.n * (timescale / time.d)}/${timescale}s`;
  return `${time.n}/${time.d}s`;
}

/** A length in samples: "1323000/44100s", or whole seconds ("30s") when it is one. */
function samplesTime(samples: number, sampleRate: number): string {
  if (samples === 0) return '0s';
  return samples % sampleRate === 0 ? `${samples / sampleRate}s` : `${samples}/${sampleRate}s`;
}

const RATE_SUFFIX: Record<string, string> = {
  '24000/1001': '2398',
  '24/1': '24',
  '25/1': '25',
  '30000/1001': '2997',
  '30/1': '30',
  '50/1': '50',
  '60000/1001': '5994',
  '60/1': '60',
};

/**
 * FCP's format names for the common sizes ("FFVideoFormat1080p2398", interlaced "FFVideoFormat1080i50", named by
 * the field rate); undefined for others (the name is optional).
 */
function formatName(format: VideoFormat, rate: Rate): string | undefined {
  const { width, height } = format;
  if (!isSquare(format)) return undefined;
  if (format.fieldOrder !== 'progressive') {
    const fieldRate = FIELD_RATE_SUFFIX[`${rate.num}/${rate.den}`];
    return width === 1920 && height === 1080 && fieldRate ? `FFVideoFormat1080i${fieldRate}` : undefined;
  }
  const suffix = RATE_SUFFIX[`${rate.num}/${rate.den}`];
  if (!suffix) return undefined;
  const size = width === 1920 && height === 1080 ? '1080p' : width === 1280 && height === 720 ? '720p' : width === 3840 && height === 2160 ? '3840x2160p' : width === 4096 && height === 2160 ? '4096x2160p' : undefined;
  return size ? `FFVideoFormat${size}${suffix}` : undefined;
}

/** The colour space FCP gives a format: Rec. 601 for SD PAL and NTSC frames (25i.fcpxml), Rec. 709 otherwise. */
function colorSpaceOf(format: VideoFormat): string {
  if (format.height === 576) return '5-1-6 (Rec. 601 (PAL))';
  if (format.height === 480 || format.height === 486) return '6-1-6 (Rec. 601 (NTSC))';
  return '1-1-1 (Rec. 709)';
}

const FIELD_RATE_SUFFIX: Record<string, string> = { '25/1': '50', '30000/1001': '5994' };

/** The format's `fieldOrder` (FCPXML DTD: "progressive | upper first | lower first"), left out when progressive as FCP does. */
const FIELD_ORDER: Record<VideoFormat['fieldOrder'], string | undefined> = { progressive: undefined, 'upper-first': 'upper first', 'lower-first': 'lower first' };

const AUDIO_RATES: Record<number, string> = { 32000: '32k', 44100: '44.1k', 48000: '48k', 88200: '88.2k', 96000: '96k', 176400: '176.4k', 192000: '192k' };

interface Resources {
  readonly sequenceFormat: string;
  readonly assets: Map<string, { id: string; format: string | undefined; media: MediaReference }>;
}

function writeResources(parent: XMLBuilder, timeline: Timeline, used: readonly MediaReference[]): Resources {
  const resources = parent.ele('resources');
  let next = 1;
  const newId = () => `r${next++}`;
  const formats = new Map<string, string>();
  const videoFormat = (rate: Rate, format: VideoFormat): string => {
    const { width, height, pixelAspectRatio, fieldOrder } = format;
    const key = `${rate.num}/${rate.den}@${width}x${height}:${pixelAspectRatio.num}/${pixelAspectRatio.den}:${fieldOrder}`;
    let id = formats.get(key);
    if (!id) {
      id = newId();
      formats.set(key, id);
      const name = formatName(format, rate);
      const fields = FIELD_ORDER[fieldOrder];
      // Attribute order as Final Cut writes it (25i.fcpxml): fieldOrder before the size, paspH/paspV after it.
      resources.ele('format', {
        id,
        ...(name ? { name } : {}),
        frameDuration: formatTime(framesToSeconds(1, rate), rate),
        ...(fields ? { fieldOrder: fields } : {}),
        width: String(width),
        height: String(height),
        ...(isSquare(format) ? {} : { paspH: String(pixelAspectRatio.num), paspV: String(pixelAspectRatio.den) }),
        colorSpace: colorSpaceOf(format),
      });
    }
    return id;
  };
  const sequenceFormat = videoFormat(timeline.rate, sequenceVideoFormat(timeline));
  const assets = new Map<string, { id: string; format: string | undefined; media: MediaReference }>();
  for (const media of used) {
    // An audio-only asset has no video format, and its duration counts samples, as Final Cut's own exports write it.
    const format = media.hasVideo ? videoFormat(media.rate, mediaFormat(media, timeline)) : undefined;
    const sampleRate = media.sampleRate ?? 48000;
    const samples = media.durationSamples ?? Math.round((media.durationFrames * media.rate.den * sampleRate) / media.rate.num);
    const id = newId();
    // One asset per file, never separate video and audio assets (Resolve import bug, palmier-pro PR #206).
    const asset = resources.ele('asset', {
      id,
      name: media.name,
      // The media's embedded start timecode: Resolve links clips by timecode extents.
      start: formatTime(framesToSeconds(media.startTimecodeFrames, media.rate), media.rate),
      duration: media.hasVideo ? formatTime(framesToSeconds(media.durationFrames, media.rate), media.rate) : samplesTime(samples, sampleRate),
      ...(media.hasVideo ? { hasVideo: '1' } : {}),
      ...(format ? { format } : {}),
      ...(media.hasAudio ? { hasAudio: '1' } : {}),
      ...(media.hasVideo ? { videoSources: '1' } : {}),
      ...(media.hasAudio
        ? { audioSources: '1', audioChannels: String(media.audioChannels ?? 2), audioRate: String(media.sampleRate ?? 48000) }
        : {}),
    });
    // 1.9+ needs <media-rep>; asset@src is gone (FCPXMLv1_9.dtd).
    asset.ele('media-rep', { kind: 'original-media', src: fileUrl(media.path) });
    assets.set(media.id, { id, format, media });
  }
  return { sequenceFormat, assets };
}

/** A spine element (clip or gap) with its sequence position and local time origin. */
interface SpineItem {
  readonly element: XMLBuilder;
  readonly recordIn: number;
  readonly recordOut: number;
  /** Local time at recordIn (the element's `start`). */
  readonly localStart: Seconds;
  /** The clip it shows; undefined for a gap. */
  readonly placed?: PlacedClip;
}

/** Builds the FCPXML document. Pure. */
export function writeFcpxml(timeline: Timeline, options: FcpxmlOptions): string {
  if (!FCPXML_VERSIONS.includes(options.version)) {
    throw new MontageError('AM_ERR_INVALID_ARGUMENT', `FCPXML version must be one of ${FCPXML_VERSIONS.join(', ')}, got "${options.version}"`, { where: { field: 'version' } });
  }
  const layout = layoutTimeline(timeline);
  const rate = timeline.rate;
  const time = (frames: number) => formatTime(framesToSeconds(frames, rate), rate);
  const document = create({ version: '1.0', encoding: 'UTF-8' }).dtd({ name: 'fcpxml' });
  const root = document.ele('fcpxml', { version: options.version });
  const resources = writeResources(root, timeline, layout.usedMedia);
  const musicRate = AUDIO_RATES[layout.audio[0]?.clips[0]?.media.sampleRate ?? 48000] ?? '48k';
  const stereo = (layout.audio[0]?.clips[0]?.media.audioChannels ?? 2) >= 2;

  // Resolve needs the library > event > project wrapper (OTIO #742).
  const project = root.ele('library').ele('event', { name: timeline.name }).ele('project', { name: timeline.name });
  const sequence = project.ele('sequence', {
    format: resources.sequenceFormat,
    duration: time(layout.totalFrames),
    tcStart: time(timeline.startFrames),
    tcFormat: timeline.dropFrame ? 'DF' : 'NDF',
    audioLayout: stereo ? 'stereo' : 'mono',
    audioRate: musicRate,
  });
  const spine = sequence.ele('spine');

  // Spine offsets are sequence time, so the first item's offset is tcStart (TwoClipsMarkers.fcpxml).
  const sequenceTime = (frame: number) => time(timeline.startFrames + frame);
  const spineItems: SpineItem[] = [];
  const mainVideo = layout.video[0];
  if (layout.video.length > 1) {
    throw new MontageError('AM_ERR_TIMELINE_INVALID', 'the FCPXML exporter writes one video track (the spine); this timeline has more', { where: { field: 'tracks' } });
  }
  let position = 0;
  const addGap = (frames: number) => {
    const element = spine.ele('gap', { name: 'Gap', offset: sequenceTime(position), start: '0s', duration: time(frames) });
    spineItems.push({ element, recordIn: position, recordOut: position + frames, localStart: { n: 0n, d: 1n } });
    position += frames;
  };
  for (const placed of mainVideo?.clips ?? []) {
    if (placed.recordIn > position) addGap(placed.recordIn - position);
    const asset = resources.assets.get(placed.media.id)!;
    const start = mediaTime(placed, placed.sourceIn);
    const element = spine.ele('asset-clip', {
      ref: asset.id,
      name: placed.clip.name,
      offset: sequenceTime(placed.recordIn),
      start: formatTime(start, placed.media.rate),
      duration: time(placed.recordOut - placed.recordIn),
      // The movie's own audio stays off; Resolve may drop "-96dB" volume values (buttercut PR #135), so no adjust-volume.
      ...(placed.media.hasAudio ? { srcEnable: 'video' } : {}),
      tcFormat: placed.media.dropFrame ? 'DF' : 'NDF',
    });
    spineItems.push({ element, recordIn: placed.recordIn, recordOut: placed.recordOut, localStart: start, placed });
    position = placed.recordOut;
  }
  if (position < layout.totalFrames) addGap(layout.totalFrames - position);

  const covering = (frame: number): SpineItem => spineItems.find((item) => frame >= item.recordIn && frame < item.recordOut) ?? spineItems[spineItems.length - 1]!;
  const localTime = (item: SpineItem, frame: number) => add(item.localStart, framesToSeconds(frame - item.recordIn, rate));

  // Connected clips and their markers are written after the spine items exist, as children in DTD order:
  // anchored items, then markers (FCPXMLv1_10.dtd, asset-clip content model).
  const placedMarkers = new Set<SequenceMarker>();
  const musicElements: { placed: PlacedClip; element: XMLBuilder; start: Seconds }[] = [];
  layout.audio.forEach((laid, trackIndex) => {
    for (const placed of laid.clips) {
      const parent = covering(placed.recordIn);
      const asset = resources.assets.get(placed.media.id)!;
      const start = mediaTime(placed, placed.sourceIn);
      const element = parent.element.ele('asset-clip', {
        ref: asset.id,
        name: placed.clip.name,
        lane: String(-(trackIndex + 1)),
        // A connected clip's offset is in its parent's local time: parent.start + (position − parent.offset).
        offset: formatTime(localTime(parent, placed.recordIn), rate),
        start: formatTime(start, placed.media.rate),
        duration: time(placed.recordOut - placed.recordIn),
        ...(asset.format ? { format: asset.format } : {}),
        audioRole: 'music',
      });
      musicElements.push({ placed, element, start });
    }
  });
  // Bar markers go on the music clip that plays at their frame (marker start = the music's source time).
  for (const marker of layout.markers) {
    const music = musicElements.find(({ placed }) => marker.frame >= placed.recordIn && marker.frame < placed.recordOut);
    if (music) {
      addMarker(music.element, add(music.start, framesToSeconds(marker.frame - music.placed.recordIn, rate)), marker.name, marker.comment, rate);
      placedMarkers.add(marker);
    }
  }
  for (const music of musicElements) addClipMarkers(music.element, music.placed, rate);
  // Markers no music clip covers sit on the spine item under them; clip markers on their own clip.
  for (const item of spineItems) {
    if (item.placed) addClipMarkers(item.element, item.placed, rate);
    for (const marker of layout.markers) {
      if (placedMarkers.has(marker) || marker.frame < item.recordIn || marker.frame >= item.recordOut) continue;
      addMarker(item.element, localTime(item, marker.frame), marker.name, marker.comment, rate);
      placedMarkers.add(marker);
    }
  }
  return document.end({ prettyPrint: true, indent: '    ' }) + '\n';
}

function addMarker(parent: XMLBuilder, start: Seconds, name: string, note: string, rate: Rate): void {
  parent.ele('marker', {
    start: formatTime(start, rate),
    duration: formatTime(framesToSeconds(1, rate), rate),
    value: name,
    ...(note ? { note } : {}),
  });
}

/** A source frame of the clip's media in the asset's own time (its embedded start timecode + the frame). */
function mediaTime(placed: PlacedClip, frame: number): Seconds {
  return framesToSeconds(placed.media.startTimecodeFrames + frame, placed.media.rate);
}

/** The clip's own markers, in its source time (asset start + source frames). */
function addClipMarkers(element: XMLBuilder, placed: PlacedClip, rate: Rate): void {
  for (const marker of placed.clip.markers ?? []) {
    const frame = frameAt(marker.time, placed.media.rate);
    if (frame < placed.sourceIn || frame >= placed.sourceOut) continue;
    addMarker(element, mediaTime(placed, frame), marker.name, marker.comment ?? '', rate);
  }
}

/** The exporter as the host sees it. */
export const fcpxmlExporter: Exporter = {
  export(timeline: Timeline, options: ExportOptions): ExportedFile[] {
    const version = (options.values.version ?? '1.10') as FcpxmlVersion;
    return [{ name: `${options.baseName}.fcpxml`, contents: writeFcpxml(timeline, { version }) }];
  },
};

export function activate(context: ExtensionContext, api: AutoMontageApi): void {
  context.subscriptions.push(api.exporters.registerExporter('fcpxml', fcpxmlExporter));
}
