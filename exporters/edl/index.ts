/**
 * Format: CMX3600 edit decision list (EDL), cuts only, as Resolve, Avid and Premiere read it.
 * Reference: CMX 3600 manual (event = number, reel, channel, transition, source in/out, record in/out) as
 * written by OTIO's cmx_3600 adapter and Resolve; ../shared/docs/interchange.md §3.
 * Files: `<base>.edl` (the movie on V with `* LOC:` bar locators) and `<base>-music.edl` (the music as AA
 * events), because Resolve conforms EDLs by source timecode only and a movie and a music file that both start
 * at 00:00:00:00 would be ambiguous in one list. `layout=combined` writes one EDL with V and AA events (Premiere).
 * `resolveMarkers` adds `<base>-markers.edl`, Resolve's marker EDL.
 * Lossy: ASCII only (accents are stripped, other characters become "_"); reels are 8 characters, unique per file
 * (with several files a `* REEL … FILE …` map follows the header); record and source lengths must match, so
 * media at another rate than the sequence is written on the sequence's timebase (its start time, the record
 * length) with its exact source frames in a `* SOURCE FRAMES:` comment; marker colours map to the
 * CMX locator set; `* LOC:` timecodes count non-drop even in a drop-frame list (the only form OTIO reads); clip names are not kept (only the file name in `* FROM CLIP NAME:`); more than 999 events
 * per list cannot be written.
 */
import type { AutoMontageApi, ExportedFile, ExportOptions, Exporter, ExtensionContext, MarkerColor, MediaReference, Timeline } from '../../companion/api/auto-montage';
import { MontageError } from '../../companion/core/errors';
import { framesToTimecode } from '../../companion/core/timecode';
import { layoutTimeline, sameRate, toSequenceFrames, type PlacedClip, type SequenceMarker, type TimelineLayout } from '../shared/timeline-layout';

export interface EdlOptions {
  readonly layout: 'separate' | 'combined';
  readonly reels: 'name' | 'ax';
  readonly resolveMarkers: boolean;
}

export const DEFAULT_EDL_OPTIONS: EdlOptions = { layout: 'separate', reels: 'name', resolveMarkers: false };

/** Keeps text printable ASCII, as CMX readers expect: accents stripped, typographic quotes/dashes simplified, the rest "_". */
export function toAscii(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[“”„‟″]/g, '"')
    .replace(/[‘’‚‛′]/g, "'")
    .replace(/[‐‑‒–—―]/g, '-')
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '_')
    .trim();
}

/** Avid-style reel: the file name without extension, A–Z 0–9 _, at most 8 characters. */
function reelFromName(name: string): string {
  const stem = name.replace(/\.[^.]*$/, '');
  const reel = toAscii(stem).toUpperCase().replace(/[^A-Z0-9_]/g, '').slice(0, 8);
  return reel || 'AX';
}

/** Distinct reels per media (a suffix digit resolves collisions); "AX" for every file in the Premiere style. */
function reelTable(media: readonly MediaReference[], style: 'name' | 'ax'): Map<string, string> {
  const reels = new Map<string, string>();
  const taken = new Set<string>();
  for (const m of media) {
    if (style === 'ax') {
      reels.set(m.id, 'AX');
      continue;
    }
    const base = reelFromName(m.name);
    let reel = base;
    // The suffix replaces the name's last characters (from the name each time: A, A2, A3, not A23).
    for (let n = 2; taken.has(reel); n += 1) reel = `${base.slice(0, 8 - String(n).length)}${n}`;
    taken.add(reel);
    reels.set(m.id, reel);
  }
  return reels;
}

const LOCATOR_COLORS: Record<MarkerColor, string> = {
  red: 'RED',
  green: 'GREEN',
  blue: 'BLUE',
  cyan: 'CYAN',
  magenta: 'MAGENTA',
  yellow: 'YELLOW',
  white: 'WHITE',
  // Not in the safe CMX/OTIO locator set: nearest colours.
  orange: 'YELLOW',
  purple: 'MAGENTA',
};

const RESOLVE_COLORS: Record<MarkerColor, string> = {
  red: 'ResolveColorRed',
  green: 'ResolveColorGreen',
  blue: 'ResolveColorBlue',
  cyan: 'ResolveColorCyan',
  magenta: 'ResolveColorPink',
  yellow: 'ResolveColorYellow',
  white: 'ResolveColorCream',
  orange: 'ResolveColorSand',
  purple: 'ResolveColorPurple',
};

/** One fixed-column event line: `%03d␣␣reel(8)␣channel(5)␣C␣×8 srcIn srcOut recIn recOut` (OTIO and Resolve write it so). */
export function eventLine(number: number, reel: string, channel: string, timecodes: readonly [string, string, string, string]): string {
  return `${String(number).padStart(3, '0')}  ${reel.padEnd(8)} ${channel.padEnd(5)} C        ${timecodes.join(' ')}`;
}

interface EdlEvent {
  readonly placed: PlacedClip;
  readonly channel: 'V' | 'AA';
}

/**
 * One EDL file. `FCM:` says how the timecodes that follow count frames (CMX 3600 §"Frame Code Mode"): the header's
 * is the first event's, and where an event counts otherwise (a drop-frame source after a non-drop one) a new
 * `FCM:` line comes right before it. A reader that follows FCM (OTIO's cmx_3600) then places every event exactly;
 * one wrong FCM makes it drift 2 frames per minute at 29.97 (4 at 59.94).
 */
class EdlWriter {
  private readonly lines: string[] = [];
  private count = 0;
  private frameCode: boolean | undefined;

  constructor(
    title: string,
    /** The counting of the file when it has no event (and of the record timecodes). */
    private readonly defaultDropFrame: boolean,
    private readonly header: readonly string[] = [],
  ) {
    this.lines.push(`TITLE: ${toAscii(title).slice(0, 70) || 'MONTAGE'}`);
  }

  event(reel: string, channel: string, timecodes: readonly [string, string, string, string], comments: readonly string[], dropFrame = this.defaultDropFrame): void {
    this.count += 1;
    if (this.count > 999) {
      throw new MontageError('AM_ERR_TIMELINE_INVALID', 'a CMX3600 EDL holds at most 999 events; this montage needs more', { where: { field: 'tracks' } });
    }
    if (this.frameCode === undefined) this.lines.push(fcmLine(dropFrame), ...this.header, '');
    else if (this.frameCode !== dropFrame) this.lines.push(fcmLine(dropFrame));
    this.frameCode = dropFrame;
    this.lines.push(eventLine(this.count, reel, channel, timecodes), ...comments);
  }

  text(): string {
    const lines = this.frameCode === undefined ? [...this.lines, fcmLine(this.defaultDropFrame), ...this.header, ''] : this.lines;
    return lines.join('\n') + '\n';
  }
}

function fcmLine(dropFrame: boolean): string {
  return `FCM: ${dropFrame ? 'DROP FRAME' : 'NON-DROP FRAME'}`;
}

function checkRates(layout: TimelineLayout): void {
  if (layout.video.length > 1) throw new MontageError('AM_ERR_TIMELINE_INVALID', 'a CMX3600 EDL has one video track; this timeline has more', { where: { field: 'tracks' } });
}

/** Builds the EDL files. Pure. */
export function writeEdl(timeline: Timeline, baseName: string, options: EdlOptions = DEFAULT_EDL_OPTIONS): ExportedFile[] {
  const layout = layoutTimeline(timeline);
  checkRates(layout);
  const rate = timeline.rate;
  const reels = reelTable(layout.usedMedia, options.reels);
  const record = (frame: number) => framesToTimecode(timeline.startFrames + frame, rate, { dropFrame: timeline.dropFrame });
  // Source timecode is absolute: the media's embedded start + the offset, in the media's own DF/NDF counting.
  const source = (media: MediaReference, frame: number) => framesToTimecode(media.startTimecodeFrames + frame, media.rate, { dropFrame: media.dropFrame });
  // CMX source and record lengths must be equal: media at another rate is counted on the sequence's timebase
  // from its start time rounded up (as xmeml does: never a frame before the planned one, which may lie outside the
  // editor's select); the exact source frames go in a comment.
  const onSequence = (media: MediaReference, frame: number) => framesToTimecode(toSequenceFrames(media.startTimecodeFrames + frame, media, rate, 'ceil'), rate, { dropFrame: timeline.dropFrame });
  const timecodes = (placed: PlacedClip): [string, string, string, string] =>
    sameRate(placed.media.rate, rate)
      ? [source(placed.media, placed.sourceIn), source(placed.media, placed.sourceOut), record(placed.recordIn), record(placed.recordOut)]
      : [onSequence(placed.media, placed.sourceIn), framesToTimecode(toSequenceFrames(placed.media.startTimecodeFrames + placed.sourceIn, placed.media, rate, 'ceil') + placed.recordOut - placed.recordIn, rate, { dropFrame: timeline.dropFrame }), record(placed.recordIn), record(placed.recordOut)];
  const rateComment = (placed: PlacedClip): string[] =>
    sameRate(placed.media.rate, rate) ? [] : [`* SOURCE FRAMES: ${placed.sourceIn}-${placed.sourceOut} AT ${placed.media.rate.num}/${placed.media.rate.den} FPS`];
  // With several files, each reel names its file (reels are only 8 characters; Resolve and Avid show comments).
  const reelMap = layout.usedMedia.filter((m) => m.hasVideo).length > 1 ? layout.usedMedia.map((m) => `* REEL ${reels.get(m.id)!.padEnd(8)} FILE ${toAscii(m.path)}`) : [];
  const video: EdlEvent[] = (layout.video[0]?.clips ?? []).map((placed) => ({ placed, channel: 'V' }));
  const music: EdlEvent[] = layout.audio.flatMap((track) => track.clips.map((placed) => ({ placed, channel: 'AA' as const })));

  // Each locator sits under the video event that spans its record time (screening_example.edl; OTIO #169).
  // OTIO's cmx_3600 reads a locator's timecode with `(\d\d:\d\d:\d\d:\d\d)` only (a ';' never matches, so a
  // drop-frame LOC was dropped) and counts a ':' timecode non-drop: the locator's record frame is written so,
  // which puts it on the same frame as the DF record timecodes (01:00:00;00 = 00:59:56:12 non-drop at 29.97).
  const locatorTimecode = (frame: number) => framesToTimecode(timeline.startFrames + frame, rate, { dropFrame: false });
  const locatorsFor = (placed: PlacedClip, isLast: boolean): string[] =>
    layout.markers
      .filter((m: SequenceMarker) => m.frame >= placed.recordIn && (m.frame < placed.recordOut || (isLast && m.frame >= placed.recordOut)))
      .map((m) => `* LOC: ${locatorTimecode(m.frame)} ${(LOCATOR_COLORS[m.color ?? 'red']).padEnd(7)} ${toAscii(m.name)}`);
  const write = (writer: EdlWriter, events: readonly EdlEvent[]) => {
    const lastVideo = events.filter((e) => e.channel === 'V').at(-1);
    for (const event of events) {
      const comments = [`* FROM CLIP NAME: ${toAscii(event.placed.media.name)}`, ...rateComment(event.placed)];
      if (event.channel === 'V') comments.push(...locatorsFor(event.placed, event === lastVideo));
      // The source timecodes count as the media does (a source at another rate is counted on the sequence's).
      const dropFrame = sameRate(event.placed.media.rate, rate) ? event.placed.media.dropFrame : timeline.dropFrame;
      writer.event(reels.get(event.placed.media.id)!, event.channel, timecodes(event.placed), comments, dropFrame);
    }
  };

  const files: ExportedFile[] = [];
  if (options.layout === 'combined') {
    // Sorted by record in, V before A at equal times (as Premiere writes it).
    const events = [...video, ...music].sort((a, b) => a.placed.recordIn - b.placed.recordIn || (a.channel === 'V' ? -1 : 1) - (b.channel === 'V' ? -1 : 1));
    const writer = new EdlWriter(timeline.name, timeline.dropFrame, reelMap);
    write(writer, events);
    files.push({ name: `${baseName}.edl`, contents: writer.text() });
  } else {
    const videoWriter = new EdlWriter(timeline.name, timeline.dropFrame, reelMap);
    write(videoWriter, video);
    files.push({ name: `${baseName}.edl`, contents: videoWriter.text() });
    if (music.length > 0) {
      const musicWriter = new EdlWriter(`${timeline.name} (music)`, timeline.dropFrame, reelMap);
      write(musicWriter, music);
      files.push({ name: `${baseName}-music.edl`, contents: musicWriter.text() });
    }
  }
  if (options.resolveMarkers && layout.markers.length > 0) {
    const writer = new EdlWriter(`${timeline.name} (markers)`, timeline.dropFrame);
    for (const marker of layout.markers) {
      const tcIn = record(marker.frame);
      const tcOut = record(marker.frame + 1);
      // Resolve's own marker EDL: a one-frame event, then "<note> |C:<colour> |M:<name> |D:<frames>".
      writer.event('001', 'V', [tcIn, tcOut, tcIn, tcOut], [`${toAscii(marker.comment)} |C:${RESOLVE_COLORS[marker.color ?? 'blue']} |M:${toAscii(marker.name)} |D:1`]);
    }
    files.push({ name: `${baseName}-markers.edl`, contents: writer.text() });
  }
  return files;
}

/** The exporter as the host sees it. */
export const edlExporter: Exporter = {
  export(timeline: Timeline, options: ExportOptions): ExportedFile[] {
    const values = options.values;
    return writeEdl(timeline, options.baseName, {
      layout: values.layout === 'combined' ? 'combined' : 'separate',
      reels: values.reels === 'ax' ? 'ax' : 'name',
      resolveMarkers: values.resolveMarkers === true,
    });
  },
};

export function activate(context: ExtensionContext, api: AutoMontageApi): void {
  context.subscriptions.push(api.exporters.registerExporter('edl', edlExporter));
}
