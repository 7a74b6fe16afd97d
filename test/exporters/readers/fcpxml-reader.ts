/**
 * Test reader for FCPXML 1.8–1.11: resources (formats, assets with media-rep or 1.8's asset@src), the first
 * sequence, its spine (asset-clip, clip, gap, title, …) and the connected items below/above it (by lane), and
 * markers. Times are parsed as exact fractions; a time that is not on the sequence frame grid is listed in
 * `offGrid` (our output must have none).
 */
import type { Element } from '@xmldom/xmldom';
import { rate as makeRate, type Rate } from '../../../companion/core/rational';
import { child, children, parseXml, pathFromFileUrl, type ReadClip, type ReadMarker, type ReadMedia, type ReadTimeline, type ReadTrack } from './read-timeline';

/** An exact time in seconds. */
export interface Fraction {
  readonly n: bigint;
  readonly d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function fraction(n: bigint, d: bigint): Fraction {
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}

/** "1001/24000s", "3600s", "0s" → exact seconds. */
export function parseTime(text: string | null | undefined): Fraction {
  if (!text) return { n: 0n, d: 1n };
  const match = /^(-?\d+)(?:\/(\d+))?s$/.exec(text);
  if (!match) throw new Error(`bad FCPXML time "${text}"`);
  return fraction(BigInt(match[1]!), BigInt(match[2] ?? '1'));
}

const sub = (a: Fraction, b: Fraction) => fraction(a.n * b.d - b.n * a.d, a.d * b.d);

export interface FcpxmlAsset extends ReadMedia {
  readonly id: string;
  readonly start: Fraction;
  readonly duration: Fraction;
  readonly format: string | undefined;
  readonly hasMediaRep: boolean;
}

export interface FcpxmlRead extends ReadTimeline {
  readonly version: string;
  readonly tcFormat: string | undefined;
  readonly formats: ReadonlyMap<string, { name: string | undefined; frameDuration: Fraction | undefined }>;
  readonly assets: ReadonlyMap<string, FcpxmlAsset>;
  /** Element counts by tag inside the spine (story elements only, not markers). */
  readonly spineElements: readonly string[];
  /** Attribute times not on the sequence frame grid, as "element@attribute=value". */
  readonly offGrid: readonly string[];
}

export function readFcpxml(text: string): FcpxmlRead {
  const root = parseXml(text);
  if (root.tagName !== 'fcpxml') throw new Error(`root is <${root.tagName}>, not <fcpxml>`);
  const resources = child(root, 'resources');
  const formats = new Map<string, { name: string | undefined; frameDuration: Fraction | undefined }>();
  for (const format of children(resources!, 'format')) {
    const frameDuration = format.getAttribute('frameDuration');
    formats.set(format.getAttribute('id')!, { name: format.getAttribute('name') ?? undefined, frameDuration: frameDuration ? parseTime(frameDuration) : undefined });
  }
  // The project's sequence; compound clips (<media>) carry sequences of their own.
  const project = root.getElementsByTagName('project')[0];
  const sequence = (project ? child(project, 'sequence') : undefined) ?? root.getElementsByTagName('sequence')[0];
  if (!sequence) throw new Error('no <sequence>');
  const sequenceFrame = formats.get(sequence.getAttribute('format') ?? '')?.frameDuration;
  if (!sequenceFrame) throw new Error('the sequence format has no frameDuration');
  const rate: Rate = makeRate(Number(sequenceFrame.d), Number(sequenceFrame.n));
  const toFrames = (time: Fraction) => (time.n * sequenceFrame.d) / (time.d * sequenceFrame.n);
  const onGrid = (time: Fraction) => (time.n * sequenceFrame.d) % (time.d * sequenceFrame.n) === 0n;

  const assets = new Map<string, FcpxmlAsset>();
  for (const asset of children(resources!, 'asset')) {
    const mediaRep = child(asset, 'media-rep');
    const url = mediaRep?.getAttribute('src') ?? asset.getAttribute('src') ?? undefined;
    const format = asset.getAttribute('format') ?? undefined;
    const frameDuration = (format && formats.get(format)?.frameDuration) || sequenceFrame;
    const start = parseTime(asset.getAttribute('start'));
    const duration = parseTime(asset.getAttribute('duration'));
    assets.set(asset.getAttribute('id')!, {
      id: asset.getAttribute('id')!,
      name: asset.getAttribute('name') ?? undefined,
      url,
      path: url ? pathFromFileUrl(url) : undefined,
      start,
      duration,
      format,
      hasMediaRep: mediaRep !== undefined,
      durationFrames: Number((duration.n * frameDuration.d) / (duration.d * frameDuration.n)),
      startTimecodeFrames: Number((start.n * frameDuration.d) / (start.d * frameDuration.n)),
    });
  }

  const offGrid: string[] = [];
  const check = (element: Element, attribute: string) => {
    const value = element.getAttribute(attribute);
    if (value && !onGrid(parseTime(value))) offGrid.push(`${element.tagName}@${attribute}=${value}`);
  };
  const tcStart = parseTime(sequence.getAttribute('tcStart'));
  check(sequence, 'tcStart');
  check(sequence, 'duration');
  const lanes = new Map<string, ReadClip[]>();
  const markers: ReadMarker[] = [];
  const spineElements: string[] = [];

  /** Reads a story element placed at `recordIn` (sequence frames from the start), its markers and connected items. */
  const visit = (element: Element, recordIn: number, lane: string) => {
    const start = parseTime(element.getAttribute('start'));
    const duration = parseTime(element.getAttribute('duration'));
    for (const attribute of ['offset', 'start', 'duration']) check(element, attribute);
    const ref = element.getAttribute('ref') ?? child(element, 'video')?.getAttribute('ref') ?? child(element, 'audio')?.getAttribute('ref') ?? undefined;
    const asset = ref ? assets.get(ref) : undefined;
    const recordOut = recordIn + Number(toFrames(duration));
    const clipMarkers: ReadMarker[] = [];
    for (const marker of [...children(element, 'marker'), ...children(element, 'chapter-marker')]) {
      check(marker, 'start');
      const markerStart = parseTime(marker.getAttribute('start'));
      const frame = recordIn + Number(toFrames(sub(markerStart, start)));
      const read = { name: marker.getAttribute('value') ?? '', frame, comment: marker.getAttribute('note') ?? undefined };
      markers.push(read);
      clipMarkers.push({ ...read, frame: Number(toFrames(sub(markerStart, asset?.start ?? { n: 0n, d: 1n }))) });
    }
    if (element.tagName !== 'gap' || lane !== 'spine') {
      const sourceIn = asset ? Number(toFrames(sub(start, asset.start))) : Number(toFrames(start));
      const clips = lanes.get(lane) ?? [];
      clips.push({ name: element.getAttribute('name') ?? '', recordIn, recordOut, sourceIn, sourceOut: sourceIn + (recordOut - recordIn), media: asset, markers: clipMarkers });
      lanes.set(lane, clips);
    }
    for (const connected of children(element)) {
      const connectedLane = connected.getAttribute('lane');
      if (connectedLane === null || connected.tagName === 'marker') continue;
      // A connected item's offset is in its parent's local time.
      const offset = parseTime(connected.getAttribute('offset'));
      visit(connected, recordIn + Number(toFrames(sub(offset, start))), `lane ${connectedLane}`);
    }
  };
  for (const item of children(child(sequence, 'spine')!)) {
    spineElements.push(item.tagName);
    visit(item, Number(toFrames(sub(parseTime(item.getAttribute('offset')), tcStart))), 'spine');
  }
  const tracks: ReadTrack[] = [...lanes.entries()].map(([name, clips]) => ({
    kind: name === 'spine' || !name.startsWith('lane -') ? 'video' : 'audio',
    name,
    clips,
    attributes: {},
  }));
  return {
    version: root.getAttribute('version') ?? '',
    name: (sequence.parentNode as Element | null)?.getAttribute('name') ?? '',
    rate,
    startFrames: Number(toFrames(tcStart)),
    dropFrame: sequence.getAttribute('tcFormat') === 'DF',
    tcFormat: sequence.getAttribute('tcFormat') ?? undefined,
    durationFrames: Number(toFrames(parseTime(sequence.getAttribute('duration')))),
    tracks,
    markers: markers.sort((a, b) => a.frame - b.frame),
    formats,
    assets,
    spineElements,
    offGrid,
  };
}
