/**
 * Test reader for FCP7 XML (xmeml 4/5): the top-level sequence, its video and audio tracks, clipitems with
 * start/end/in/out (sequence frames; in/out from the media's first frame), `<file>` definitions (the first full
 * one for each id), and sequence markers. Enough to read our output and the reference exports.
 */
import type { Element } from '@xmldom/xmldom';
import { rate as makeRate, type Rate } from '../../../companion/core/rational';
import { child, childNumber, childText, children, parseXml, pathFromFileUrl, type ReadMarker, type ReadMedia, type ReadTimeline, type ReadTrack } from './read-timeline';

export function readRate(element: Element | undefined): Rate {
  const timebase = childNumber(element, 'timebase');
  if (timebase === undefined) throw new Error('a <rate> has no <timebase>');
  return childText(element, 'ntsc') === 'TRUE' ? makeRate(timebase * 1000, 1001) : makeRate(timebase);
}

function readMarkers(element: Element): ReadMarker[] {
  return children(element, 'marker').map((marker) => ({
    name: childText(marker, 'name') ?? '',
    frame: childNumber(marker, 'in') ?? Number.NaN,
    comment: childText(marker, 'comment'),
  }));
}

export interface XmemlRead extends ReadTimeline {
  readonly version: string;
  /** Every `<file id>` with its full definition. */
  readonly files: ReadonlyMap<string, ReadMedia>;
  /** Ids that got more than one full definition (a bug). */
  readonly redefinedFiles: readonly string[];
}

export function readXmeml(text: string): XmemlRead {
  const root = parseXml(text);
  if (root.tagName !== 'xmeml') throw new Error(`root is <${root.tagName}>, not <xmeml>`);
  const sequence = child(root, 'sequence') ?? child(child(child(root, 'project'), 'children'), 'sequence');
  if (!sequence) throw new Error('no top-level <sequence>');

  const files = new Map<string, ReadMedia>();
  const redefinedFiles: string[] = [];
  for (const file of Array.from(root.getElementsByTagName('file'))) {
    const id = file.getAttribute('id') ?? '';
    if (children(file).length === 0) continue;
    if (files.has(id)) redefinedFiles.push(id);
    const url = childText(file, 'pathurl');
    const timecode = child(file, 'timecode');
    files.set(id, {
      name: childText(file, 'name'),
      url,
      path: url ? pathFromFileUrl(url) : undefined,
      durationFrames: childNumber(file, 'duration'),
      startTimecodeFrames: childNumber(timecode, 'frame'),
    });
  }

  const media = child(sequence, 'media');
  const tracks: ReadTrack[] = [];
  for (const kind of ['video', 'audio'] as const) {
    children(child(media, kind) ?? sequence, 'track').forEach((track, index) => {
      const attributes: Record<string, string> = {};
      for (const attribute of Array.from(track.attributes)) attributes[attribute.name] = attribute.value;
      tracks.push({
        kind,
        name: childText(track, 'name') ?? `${kind === 'video' ? 'V' : 'A'}${index + 1}`,
        attributes,
        clips: children(track, 'clipitem').map((clipitem) => {
          const fileId = child(clipitem, 'file')?.getAttribute('id') ?? undefined;
          const start = childNumber(clipitem, 'start') ?? Number.NaN;
          const end = childNumber(clipitem, 'end') ?? Number.NaN;
          const sourceIn = childNumber(clipitem, 'in') ?? Number.NaN;
          const sourceOut = childNumber(clipitem, 'out') ?? Number.NaN;
          return {
            name: childText(clipitem, 'name') ?? '',
            recordIn: start,
            recordOut: end,
            sourceIn,
            sourceOut,
            media: fileId === undefined ? undefined : files.get(fileId),
            markers: readMarkers(clipitem),
          };
        }),
      });
    });
  }
  const timecode = child(sequence, 'timecode');
  return {
    version: root.getAttribute('version') ?? '',
    name: childText(sequence, 'name') ?? '',
    rate: readRate(child(sequence, 'rate')),
    startFrames: childNumber(timecode, 'frame') ?? 0,
    dropFrame: childText(timecode, 'displayformat') === 'DF',
    durationFrames: childNumber(sequence, 'duration'),
    tracks,
    markers: readMarkers(sequence),
    files,
    redefinedFiles,
  };
}
