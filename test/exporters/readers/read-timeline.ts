/**
 * What the test readers give back, the same for every format: tracks of clips with their record range in
 * sequence frames from the timeline start and their source range in media frames from the media's first frame,
 * plus timeline markers. A reader that cannot know something (an EDL has no rate) takes it as a parameter.
 */
import { DOMParser, type Element } from '@xmldom/xmldom';
import type { Rate } from '../../../companion/core/rational';

export interface ReadMedia {
  readonly name: string | undefined;
  /** Decoded file path (`/a/b.mov`, `C:/a/b.mov`), when the format gives a URL. */
  readonly path: string | undefined;
  readonly url: string | undefined;
  readonly durationFrames: number | undefined;
  readonly startTimecodeFrames: number | undefined;
}

export interface ReadMarker {
  readonly name: string;
  /** Sequence frame from the timeline start (timeline markers) or source frame (clip markers). */
  readonly frame: number;
  readonly comment: string | undefined;
}

export interface ReadClip {
  readonly name: string;
  readonly recordIn: number;
  readonly recordOut: number;
  readonly sourceIn: number;
  readonly sourceOut: number;
  readonly media: ReadMedia | undefined;
  readonly markers: readonly ReadMarker[];
}

export interface ReadTrack {
  readonly kind: 'video' | 'audio';
  readonly name: string;
  readonly clips: readonly ReadClip[];
  readonly attributes: Readonly<Record<string, string>>;
}

export interface ReadTimeline {
  readonly name: string;
  readonly rate: Rate;
  readonly startFrames: number;
  readonly dropFrame: boolean;
  readonly durationFrames: number | undefined;
  readonly tracks: readonly ReadTrack[];
  readonly markers: readonly ReadMarker[];
}

/** Parses XML strictly: any well-formedness error throws. */
export function parseXml(text: string): Element {
  const errors: string[] = [];
  const document = new DOMParser({ onError: (level, message) => void (level !== 'warning' && errors.push(message)) }).parseFromString(text, 'text/xml');
  if (errors.length > 0 || !document.documentElement) throw new Error(`XML is not well-formed: ${errors.join('; ')}`);
  return document.documentElement;
}

/** Direct element children, optionally by tag name. */
export function children(element: Element, tag?: string): Element[] {
  const out: Element[] = [];
  for (let node = element.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1 && (tag === undefined || (node as Element).tagName === tag)) out.push(node as Element);
  }
  return out;
}

export function child(element: Element | undefined, tag: string): Element | undefined {
  return element ? children(element, tag)[0] : undefined;
}

/** Text of a direct child, trimmed; undefined when absent. */
export function childText(element: Element | undefined, tag: string): string | undefined {
  const found = child(element, tag);
  return found ? (found.textContent ?? '').trim() : undefined;
}

export function childNumber(element: Element | undefined, tag: string): number | undefined {
  const text = childText(element, tag);
  return text === undefined || text === '' ? undefined : Number(text);
}

/**
 * A file URL back to a path with `/` separators (`C:/…` for a drive, `//host/…` for UNC). Written here, not
 * imported from exporters/shared, so a reader checks the exporters' URLs instead of sharing their code.
 */
export function pathFromFileUrl(url: string): string {
  const match = /^file:\/\/([^/]*)(\/.*)?$/i.exec(url);
  if (!match) return url;
  const host = match[1] ?? '';
  const path = decodeURIComponent(match[2] ?? '/');
  if (host && host.toLowerCase() !== 'localhost') return `//${host}${path}`;
  const drive = /^\/([A-Za-z]:)(\/.*)?$/.exec(path);
  return drive ? `${drive[1]}${drive[2] ?? '/'}` : path;
}
