/** Reads what the panel imports: an xmeml sequence's rate, clips (frames) with their file paths, and markers. */
import { create } from 'xmlbuilder2';

export interface XmemlClip {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly in: number;
  readonly out: number;
  readonly path: string;
  readonly enabled: boolean;
}

export interface XmemlSequence {
  readonly name: string;
  readonly timebase: number;
  readonly ntsc: boolean;
  readonly video: XmemlClip[];
  readonly audio: XmemlClip[];
  readonly markers: { readonly name: string; readonly frame: number }[];
}

interface DomElement {
  readonly nodeName: string;
  readonly textContent: string | null;
  readonly childNodes: ArrayLike<DomElement>;
  getAttribute(name: string): string | null;
  getElementsByTagName(name: string): ArrayLike<DomElement>;
}

const children = (element: DomElement, name: string) => Array.from(element.childNodes).filter((node) => node.nodeName === name);
const child = (element: DomElement, name: string) => children(element, name)[0];
const text = (element: DomElement | undefined, name: string) => (element ? (child(element, name)?.textContent ?? '') : '');

function pathFromUrl(url: string): string {
  const match = /^file:\/\/(?:localhost)?(\/.*)$/.exec(url);
  return match ? decodeURIComponent(match[1] ?? '') : url;
}

export function parseXmeml(xml: string): XmemlSequence {
  const root = create(xml).root().node as unknown as DomElement;
  const sequence = root.getElementsByTagName('sequence')[0];
  if (!sequence) throw new Error('no <sequence>');
  // <file id> is written in full once, then referenced by id.
  const files = new Map<string, string>();
  for (const file of Array.from(sequence.getElementsByTagName('file'))) {
    const url = text(file, 'pathurl');
    if (url) files.set(file.getAttribute('id') ?? '', pathFromUrl(url));
  }
  const media = child(sequence, 'media');
  const clipsOf = (kind: 'video' | 'audio') =>
    (media && child(media, kind) ? children(child(media, kind)!, 'track') : []).flatMap((track) =>
      children(track, 'clipitem').map((clipitem): XmemlClip => {
        const file = child(clipitem, 'file');
        return {
          name: text(clipitem, 'name'),
          start: Number(text(clipitem, 'start')),
          end: Number(text(clipitem, 'end')),
          in: Number(text(clipitem, 'in')),
          out: Number(text(clipitem, 'out')),
          path: files.get(file?.getAttribute('id') ?? '') ?? '',
          enabled: text(clipitem, 'enabled') !== 'FALSE',
        };
      }),
    );
  const rate = child(sequence, 'rate');
  return {
    name: text(sequence, 'name'),
    timebase: Number(text(rate, 'timebase')),
    ntsc: text(rate, 'ntsc') === 'TRUE',
    video: clipsOf('video'),
    audio: clipsOf('audio'),
    markers: children(sequence, 'marker').map((marker) => ({ name: text(marker, 'name'), frame: Number(text(marker, 'in')) })),
  };
}
