/**
 * Format: Final Cut Pro 7 XML interchange ("xmeml"), version 4 (Premiere flavour) or 5 (Resolve flavour).
 * Reference: Apple's "Final Cut Pro XML Interchange Format" (no redistributable DTD), a real Premiere Pro
 * export (premiere_example.xml) and the rules in ../shared/docs/interchange.md §1.
 * Read by: Premiere Pro (File > Import), DaVinci Resolve (File > Import > Timeline).
 * Lossy: only cuts (no transitions, effects, speed changes); the movie's own audio is dropped (its `<media>`
 * declaration stays); marker colours are dropped (xmeml markers have none); two markers on one frame keep
 * the first; the media's full codec description is not written (the NLE reads it from the file); a non-square
 * pixel shape xmeml has no name for (only PAL-601, NTSC-601 with or without anamorphic, and the HD-(…) ones)
 * is written square.
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import type { AutoMontageApi, ExportedFile, ExportOptions, Exporter, ExtensionContext, MediaReference, Rate, Timeline } from '../../companion/api/auto-montage';
import { framesToTimecode } from '../../companion/core/timecode';
import { xmemlPathUrl } from '../shared/file-url';
import { isSquare, mediaFormat, sequenceFormat, type VideoFormat } from '../shared/video-format';
import { frameAt, layoutTimeline, timebaseOf, toSequenceFrames, type PlacedClip, type TimelineLayout } from '../shared/timeline-layout';

export type XmemlFlavor = 'premiere' | 'resolve';

export interface XmemlOptions {
  readonly flavor: XmemlFlavor;
}

function addRate(parent: XMLBuilder, rate: Rate): void {
  const { timebase, ntsc } = timebaseOf(rate);
  const element = parent.ele('rate');
  element.ele('timebase').txt(String(timebase));
  element.ele('ntsc').txt(ntsc ? 'TRUE' : 'FALSE');
}

function addTimecode(parent: XMLBuilder, rate: Rate, frames: number, dropFrame: boolean, reel?: string): void {
  const timecode = parent.ele('timecode');
  addRate(timecode, rate);
  timecode.ele('string').txt(framesToTimecode(frames, rate, { dropFrame }));
  timecode.ele('frame').txt(String(frames));
  timecode.ele('displayformat').txt(dropFrame ? 'DF' : 'NDF');
  if (reel !== undefined) timecode.ele('reel').ele('name').txt(reel);
}

/**
 * The pixel aspect names xmeml knows (Apple's FCP7 XML reference, "pixelaspectratio"), with `anamorphic` TRUE for
 * 16:9 SD. Premiere writes 720×576 64:45 as PAL-601 + anamorphic. Ratios are matched within 3 %: ffmpeg writes
 * 16:15 and 64:45 where Final Cut and Premiere use the ITU 59:54 and 118:81, the same shapes.
 */
const PIXEL_ASPECTS: readonly { name: string; heights: readonly number[]; ratio: number; anamorphic: boolean }[] = [
  { name: 'PAL-601', heights: [576], ratio: 59 / 54, anamorphic: false },
  { name: 'PAL-601', heights: [576], ratio: 118 / 81, anamorphic: true },
  { name: 'NTSC-601', heights: [480, 486], ratio: 10 / 11, anamorphic: false },
  { name: 'NTSC-601', heights: [480, 486], ratio: 40 / 33, anamorphic: true },
  { name: 'HD-(960x720)', heights: [720], ratio: 4 / 3, anamorphic: false },
  { name: 'HD-(1280x1080)', heights: [1080], ratio: 3 / 2, anamorphic: false },
  { name: 'HD-(1440x1080)', heights: [1080], ratio: 4 / 3, anamorphic: false },
];

/** xmeml's name for a pixel shape; a non-square shape it has no name for is written square (lossy). */
export function xmemlPixelAspect(format: VideoFormat): { name: string; anamorphic: boolean } {
  if (isSquare(format)) return { name: 'square', anamorphic: false };
  const ratio = format.pixelAspectRatio.num / format.pixelAspectRatio.den;
  const known = PIXEL_ASPECTS.find((p) => p.heights.includes(format.height) && Math.abs(ratio / p.ratio - 1) < 0.03);
  return known ? { name: known.name, anamorphic: known.anamorphic } : { name: 'square', anamorphic: false };
}

const FIELD_DOMINANCE: Record<VideoFormat['fieldOrder'], string> = { progressive: 'none', 'upper-first': 'upper', 'lower-first': 'lower' };

/** `<samplecharacteristics>` of a video frame, for a file's `<video>` and the sequence `<format>`. */
function addVideoCharacteristics(parent: XMLBuilder, rate: Rate, format: VideoFormat): void {
  const characteristics = parent.ele('samplecharacteristics');
  addRate(characteristics, rate);
  characteristics.ele('width').txt(String(format.width));
  characteristics.ele('height').txt(String(format.height));
  const aspect = xmemlPixelAspect(format);
  characteristics.ele('anamorphic').txt(aspect.anamorphic ? 'TRUE' : 'FALSE');
  characteristics.ele('pixelaspectratio').txt(aspect.name);
  characteristics.ele('fielddominance').txt(FIELD_DOMINANCE[format.fieldOrder]);
}

/** Writes `<file id>` in full the first time a file appears in document order, empty after that (Premiere does so). */
class FileTable {
  private readonly ids = new Map<string, string>();
  private readonly written = new Set<string>();

  constructor(
    media: readonly MediaReference[],
    private readonly timeline: Timeline,
  ) {
    media.forEach((m, index) => this.ids.set(m.id, `file-${index + 1}`));
  }

  id(media: MediaReference): string {
    return this.ids.get(media.id)!;
  }

  masterClipId(media: MediaReference): string {
    return `masterclip-${this.id(media).slice('file-'.length)}`;
  }

  add(parent: XMLBuilder, media: MediaReference): void {
    const id = this.id(media);
    if (this.written.has(id)) {
      parent.ele('file', { id });
      return;
    }
    this.written.add(id);
    const file = parent.ele('file', { id });
    file.ele('name').txt(media.name);
    file.ele('pathurl').txt(xmemlPathUrl(media.path));
    addRate(file, media.rate);
    file.ele('duration').txt(String(media.durationFrames));
    // The media's own start timecode (Resolve links clips by timecode extents); <in>/<out> stay offsets from the first frame.
    addTimecode(file, media.rate, media.startTimecodeFrames, media.dropFrame);
    const described = file.ele('media');
    if (media.hasVideo) addVideoCharacteristics(described.ele('video'), media.rate, mediaFormat(media, this.timeline));
    if (media.hasAudio) {
      const audio = described.ele('audio');
      const characteristics = audio.ele('samplecharacteristics');
      characteristics.ele('depth').txt('16');
      characteristics.ele('samplerate').txt(String(media.sampleRate ?? 48000));
      audio.ele('channelcount').txt(String(media.audioChannels ?? 2));
    }
  }
}

interface ClipTiming {
  readonly start: number;
  readonly end: number;
  readonly in: number;
  readonly out: number;
}

/** xmeml positions: start/end on the sequence from 0, in/out from the media's first frame on the sequence grid (buttercut PR #133). */
function timing(placed: PlacedClip, sequenceRate: Rate): ClipTiming {
  // Media at another rate: the source in rounds up onto the sequence timebase, never before the planned frame.
  const sourceIn = toSequenceFrames(placed.sourceIn, placed.media, sequenceRate, 'ceil');
  return { start: placed.recordIn, end: placed.recordOut, in: sourceIn, out: sourceIn + (placed.recordOut - placed.recordIn) };
}

function addClipBody(clipitem: XMLBuilder, placed: PlacedClip, files: FileTable, sequenceRate: Rate): void {
  const t = timing(placed, sequenceRate);
  clipitem.ele('masterclipid').txt(files.masterClipId(placed.media));
  clipitem.ele('name').txt(placed.clip.name);
  clipitem.ele('enabled').txt('TRUE');
  // Premiere writes the full media length here, not the clip's.
  clipitem.ele('duration').txt(String(toSequenceFrames(placed.media.durationFrames, placed.media, sequenceRate)));
  addRate(clipitem, sequenceRate);
  clipitem.ele('start').txt(String(t.start));
  clipitem.ele('end').txt(String(t.end));
  clipitem.ele('in').txt(String(t.in));
  clipitem.ele('out').txt(String(t.out));
}

function addClipMarkers(clipitem: XMLBuilder, placed: PlacedClip, sequenceRate: Rate): void {
  for (const marker of placed.clip.markers ?? []) {
    const frame = frameAt(marker.time, sequenceRate);
    const element = clipitem.ele('marker');
    element.ele('name').txt(marker.name);
    element.ele('comment').txt(marker.comment ?? '');
    element.ele('in').txt(String(frame));
    element.ele('out').txt('-1');
  }
}

/** Builds the xmeml document. Pure. */
export function writeXmeml(timeline: Timeline, options: XmemlOptions): string {
  const layout = layoutTimeline(timeline);
  const premiere = options.flavor === 'premiere';
  const rate = timeline.rate;
  const files = new FileTable(layout.usedMedia, timeline);
  let nextClipItem = 1;
  const newClipItemId = () => `clipitem-${nextClipItem++}`;

  const document = create({ version: '1.0', encoding: 'UTF-8' }).dtd({ name: 'xmeml' });
  const xmeml = document.ele('xmeml', { version: premiere ? '4' : '5' });
  const sequence = xmeml.ele('sequence', premiere ? { id: 'sequence-1', explodedTracks: 'true' } : { id: 'sequence-1' });
  sequence.ele('name').txt(timeline.name);
  sequence.ele('duration').txt(String(layout.totalFrames));
  addRate(sequence, rate);
  const media = sequence.ele('media');

  const video = media.ele('video');
  // Resolve 17 shows no timeline or black clips without <video><format> (OTIO #839 / PR #1287).
  addVideoCharacteristics(video.ele('format'), rate, sequenceFormat(timeline));
  for (const laid of layout.video) {
    const track = video.ele('track');
    for (const placed of laid.clips) {
      const clipitem = track.ele('clipitem', { id: newClipItemId() });
      addClipBody(clipitem, placed, files, rate);
      files.add(clipitem, placed.media);
      addClipMarkers(clipitem, placed, rate);
    }
    track.ele('enabled').txt('TRUE');
    track.ele('locked').txt('FALSE');
  }

  const audio = media.ele('audio');
  audio.ele('numOutputChannels').txt('2');
  const audioCharacteristics = audio.ele('format').ele('samplecharacteristics');
  audioCharacteristics.ele('depth').txt('16');
  audioCharacteristics.ele('samplerate').txt(String(layout.audio[0]?.clips[0]?.media.sampleRate ?? 48000));
  writeAudioTracks(audio, layout, files, premiere, newClipItemId);

  addTimecode(sequence, rate, timeline.startFrames, timeline.dropFrame);
  for (const marker of layout.markers) {
    const element = sequence.ele('marker');
    element.ele('name').txt(marker.name);
    element.ele('comment').txt(marker.comment);
    element.ele('in').txt(String(marker.frame));
    // -1 marks a point marker, as Premiere writes it.
    element.ele('out').txt('-1');
  }
  return document.end({ prettyPrint: true, indent: '  ' }) + '\n';
}

function writeAudioTracks(audio: XMLBuilder, layout: TimelineLayout, files: FileTable, premiere: boolean, newClipItemId: () => string): void {
  const rate = layout.timeline.rate;
  let trackNumber = 0;
  for (const laid of layout.audio) {
    const stereo = premiere && laid.clips.every((placed) => (placed.media.audioChannels ?? 2) >= 2);
    // Premiere reads a stereo source as the exploded pair A1/A2 (channel = currentExplodedTrackIndex); a mono
    // source must be one "Mono" track (auto-editor PR #1139). Resolve gets one plain track per music track.
    const channels = stereo ? 2 : 1;
    const firstTrack = trackNumber + 1;
    const ids = laid.clips.map(() => Array.from({ length: channels }, () => newClipItemId()));
    for (let channel = 0; channel < channels; channel += 1) {
      trackNumber += 1;
      const attributes: Record<string, string> = premiere
        ? stereo
          ? { currentExplodedTrackIndex: String(channel), totalExplodedTrackCount: '2', premiereTrackType: 'Stereo' }
          : { premiereTrackType: 'Mono' }
        : {};
      const track = audio.ele('track', attributes);
      laid.clips.forEach((placed, clipIndex) => {
        const clipitem = track.ele('clipitem', premiere ? { id: ids[clipIndex]![channel]!, premiereChannelType: stereo ? 'stereo' : 'mono' } : { id: ids[clipIndex]![channel]! });
        addClipBody(clipitem, placed, files, rate);
        files.add(clipitem, placed.media);
        const sourceTrack = clipitem.ele('sourcetrack');
        sourceTrack.ele('mediatype').txt('audio');
        sourceTrack.ele('trackindex').txt(String(channel + 1));
        if (channels > 1) {
          // Link the pair so they move together; these are the fields Premiere writes.
          for (let linked = 0; linked < channels; linked += 1) {
            const link = clipitem.ele('link');
            link.ele('linkclipref').txt(ids[clipIndex]![linked]!);
            link.ele('mediatype').txt('audio');
            link.ele('trackindex').txt(String(firstTrack + linked));
            link.ele('clipindex').txt(String(clipIndex + 1));
            link.ele('groupindex').txt('1');
          }
        }
        addClipMarkers(clipitem, placed, rate);
      });
      track.ele('enabled').txt('TRUE');
      track.ele('locked').txt('FALSE');
      if (premiere) track.ele('outputchannelindex').txt(String(channel + 1));
    }
  }
}

/** The exporter as the host sees it. */
export const xmemlExporter: Exporter = {
  export(timeline: Timeline, options: ExportOptions): ExportedFile[] {
    const flavor = options.values.flavor === 'resolve' ? 'resolve' : 'premiere';
    return [{ name: `${options.baseName}.xml`, contents: writeXmeml(timeline, { flavor }) }];
  },
};

export function activate(context: ExtensionContext, api: AutoMontageApi): void {
  context.subscriptions.push(api.exporters.registerExporter('fcp7-xml', xmemlExporter));
}
