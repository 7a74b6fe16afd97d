/**
 * Test reader for CMX3600 EDLs as OTIO's cmx_3600 adapter reads them: `TITLE:`, `FCM:`, event lines split on
 * whitespace (8 fields for a cut, 9 with a transition duration), `AUD` lines, `*` comments (FROM CLIP NAME,
 * LOC, read with OTIO's own locator pattern, SOURCE FILE, …) and Resolve marker-EDL lines (`note |C:colour |M:name |D:frames`). CRLF or LF.
 * An EDL carries no rate: the caller gives it.
 */
import type { Rate } from '../../../companion/core/rational';
import { timecodeToFrames } from '../../../companion/core/timecode';

export interface EdlLocator {
  readonly timecode: string;
  readonly frame: number;
  readonly color: string;
  readonly text: string;
}

export interface EdlEvent {
  readonly number: number;
  readonly reel: string;
  readonly channel: string;
  readonly transition: string;
  readonly transitionFrames: number | undefined;
  readonly timecodes: readonly [string, string, string, string];
  /** The four timecodes as frames at the given rate (DF when the timecode has ';'). */
  readonly sourceIn: number;
  readonly sourceOut: number;
  readonly recordIn: number;
  readonly recordOut: number;
  readonly clipName: string | undefined;
  readonly sourceFile: string | undefined;
  readonly locators: readonly EdlLocator[];
  readonly resolveMarker: { readonly note: string; readonly color: string; readonly name: string; readonly durationFrames: number } | undefined;
  readonly comments: readonly string[];
  readonly extraAudio: string | undefined;
}

export interface EdlRead {
  readonly title: string;
  readonly dropFrame: boolean | undefined;
  readonly events: readonly EdlEvent[];
  /** The raw event lines, to check the fixed columns. */
  readonly eventLines: readonly string[];
}

function frames(timecode: string, rate: Rate): number {
  const value = timecodeToFrames(timecode, rate);
  if (value === undefined) throw new Error(`bad timecode "${timecode}"`);
  return value;
}

export function readEdl(text: string, rate: Rate): EdlRead {
  let title = '';
  let dropFrame: boolean | undefined;
  const events: EdlEvent[] = [];
  const eventLines: string[] = [];
  type Mutable = { -readonly [K in keyof EdlEvent]: EdlEvent[K] } & { locators: EdlLocator[]; comments: string[] };
  let current: Mutable | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    if (/^TITLE:/.test(line)) {
      title = line.slice('TITLE:'.length).trim();
      continue;
    }
    if (/^FCM:/.test(line)) {
      dropFrame = /DROP FRAME/.test(line) && !/NON-DROP/.test(line);
      continue;
    }
    if (/^\d{3,}\s/.test(line)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length !== 8 && fields.length !== 9) throw new Error(`event line has ${fields.length} fields: "${line}"`);
      const [number, reel, channel, transition] = fields as [string, string, string, string];
      const timecodes = fields.slice(-4) as [string, string, string, string];
      current = {
        number: Number(number),
        reel,
        channel,
        transition,
        transitionFrames: fields.length === 9 ? Number(fields[4]) : undefined,
        timecodes,
        sourceIn: frames(timecodes[0], rate),
        sourceOut: frames(timecodes[1], rate),
        recordIn: frames(timecodes[2], rate),
        recordOut: frames(timecodes[3], rate),
        clipName: undefined,
        sourceFile: undefined,
        locators: [],
        resolveMarker: undefined,
        comments: [],
        extraAudio: undefined,
      };
      events.push(current);
      eventLines.push(line);
      continue;
    }
    if (!current) continue;
    if (/^AUD\s/.test(line)) {
      current.extraAudio = line.slice(3).trim();
      continue;
    }
    const comment = line.replace(/^\*\s?/, '');
    current.comments.push(comment);
    let match: RegExpExecArray | null;
    if ((match = /^FROM CLIP NAME:\s*(.*?)\s*$/.exec(comment))) current.clipName = match[1];
    else if ((match = /^(?:SOURCE FILE|FROM FILE|FROM CLIP):\s*(.*?)\s*$/.exec(comment))) current.sourceFile = match[1];
    else if (/^LOC\b/.test(comment)) {
      // OTIO's cmx_3600: the comment body after "LOC:" must match (\d\d:\d\d:\d\d:\d\d)\s+(\w*)(\s+|$)(.*), or the
      // locator is silently skipped; its ':' timecode counts non-drop (opentime from_timecode).
      const body = comment.replace(/^LOC:?\s*/, '');
      match = /^(\d\d:\d\d:\d\d:\d\d)\s+(\w*)(\s+|$)(.*)/.exec(body);
      if (!match) throw new Error(`OTIO's EDL reader would skip this locator: "${line}"`);
      current.locators.push({ timecode: match[1]!, frame: frames(match[1]!, rate), color: match[2]!, text: match[4]!.trim() });
    } else if ((match = /^(.*?)\s*\|C:(\S+)\s+\|M:(.*?)\s+\|D:(\d+)\s*$/.exec(line))) {
      current.resolveMarker = { note: match[1]!.trim(), color: match[2]!, name: match[3]!, durationFrames: Number(match[4]) };
    }
  }
  return { title, dropFrame, events, eventLines };
}
