/**
 * Standard MIDI files: read, edit (tempo scaling, program remapping, drums removed, truncation), write, and the
 * exact beat/bar grid from the tempo map and time-signature events.
 *
 * Only what the corpus needs: formats 0 and 1 with a PPQ division (SMPTE divisions are refused). Events keep their
 * raw bytes, so a file we do not edit round-trips.
 */
import { MontageError } from '../../../companion/core/errors';

export interface MidiEvent {
  /** Absolute time in ticks. */
  readonly tick: number;
  /** Status byte (0xff for meta, 0xf0/0xf7 for sysex). */
  readonly status: number;
  /** Meta type for status 0xff. */
  readonly metaType?: number;
  /** Data bytes after the status (and after the meta type / length for meta and sysex). */
  readonly data: Uint8Array;
}

export interface MidiFile {
  readonly format: number;
  /** Ticks per quarter note. */
  readonly ppq: number;
  readonly tracks: readonly (readonly MidiEvent[])[];
}

export interface GridBeat {
  readonly time: number;
  /** 1 = downbeat. */
  readonly beatInBar: number;
}

export interface Grid {
  readonly beats: readonly GridBeat[];
  /** The meters used, e.g. ['4/4', '3/4']. */
  readonly meters: readonly string[];
  readonly minBpm: number;
  readonly maxBpm: number;
  /** First and last note-on, seconds. */
  readonly firstNoteSeconds: number;
  readonly lastNoteSeconds: number;
  readonly hasDrums: boolean;
}

const META_TEMPO = 0x51;
const META_TIME_SIGNATURE = 0x58;
const META_END_OF_TRACK = 0x2f;

function bad(message: string, file: string): MontageError {
  return new MontageError('AM_ERR_MEDIA_UNREADABLE', message, { where: { file } });
}

/** Parses a standard MIDI file. */
export function parseMidi(bytes: Uint8Array, file = 'midi'): MidiFile {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 14 || text(0) !== 'MThd') throw bad('not a standard MIDI file (no MThd)', file);
  const format = view.getUint16(8);
  const trackCount = view.getUint16(10);
  const division = view.getUint16(12);
  if (division & 0x8000) throw bad('SMPTE time division is not supported', file);
  let at = 8 + view.getUint32(4);
  const tracks: MidiEvent[][] = [];
  for (let n = 0; n < trackCount && at + 8 <= bytes.length; n++) {
    const length = view.getUint32(at + 4);
    const isTrack = text(at) === 'MTrk';
    const end = Math.min(bytes.length, at + 8 + length);
    if (isTrack) tracks.push(parseTrack(bytes, at + 8, end, file));
    at = end;
  }
  return { format, ppq: division, tracks };
}

function parseTrack(bytes: Uint8Array, start: number, end: number, file: string): MidiEvent[] {
  const events: MidiEvent[] = [];
  let at = start;
  let tick = 0;
  let running = 0;
  const varint = () => {
    let value = 0;
    for (let i = 0; i < 4 && at < end; i++) {
      const byte = bytes[at++]!;
      value = (value << 7) | (byte & 0x7f);
      if (!(byte & 0x80)) break;
    }
    return value;
  };
  while (at < end) {
    tick += varint();
    if (at >= end) break;
    let status = bytes[at]!;
    if (status & 0x80) at++;
    else if (running) status = running;
    else throw bad('running status without a previous status byte', file);
    if (status === 0xff) {
      const metaType = bytes[at++]!;
      const length = varint();
      events.push({ tick, status, metaType, data: bytes.slice(at, at + length) });
      at += length;
      if (metaType === META_END_OF_TRACK) break;
    } else if (status === 0xf0 || status === 0xf7) {
      const length = varint();
      events.push({ tick, status, data: bytes.slice(at, at + length) });
      at += length;
    } else {
      running = status;
      const kind = status & 0xf0;
      const size = kind === 0xc0 || kind === 0xd0 ? 1 : 2;
      events.push({ tick, status, data: bytes.slice(at, at + size) });
      at += size;
    }
  }
  return events;
}

/** Writes a format-1 file (end-of-track events are added). */
export function writeMidi(midi: MidiFile): Uint8Array {
  const chunks: number[] = [];
  const push32 = (value: number) => chunks.push((value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255);
  const varint = (out: number[], value: number) => {
    const stack = [value & 0x7f];
    while ((value >>>= 7) > 0) stack.unshift((value & 0x7f) | 0x80);
    out.push(...stack);
  };
  chunks.push(...[0x4d, 0x54, 0x68, 0x64]);
  push32(6);
  chunks.push(0, 1, (midi.tracks.length >> 8) & 255, midi.tracks.length & 255, (midi.ppq >> 8) & 255, midi.ppq & 255);
  for (const track of midi.tracks) {
    const body: number[] = [];
    let last = 0;
    const sorted = [...track].filter((e) => !(e.status === 0xff && e.metaType === META_END_OF_TRACK)).sort((a, b) => a.tick - b.tick);
    for (const event of sorted) {
      varint(body, event.tick - last);
      last = event.tick;
      body.push(event.status);
      if (event.status === 0xff) {
        body.push(event.metaType!);
        varint(body, event.data.length);
      } else if (event.status === 0xf0 || event.status === 0xf7) {
        varint(body, event.data.length);
      }
      body.push(...event.data);
    }
    body.push(0, 0xff, META_END_OF_TRACK, 0);
    chunks.push(0x4d, 0x54, 0x72, 0x6b);
    push32(body.length);
    chunks.push(...body);
  }
  return Uint8Array.from(chunks);
}

function allEvents(midi: MidiFile): MidiEvent[] {
  return midi.tracks.flat().sort((a, b) => a.tick - b.tick);
}

/** Tempo map as [tick, microseconds per quarter] steps, starting at tick 0 (120 BPM default). */
function tempoMap(midi: MidiFile): Array<{ tick: number; usPerQuarter: number; seconds: number }> {
  const steps = [{ tick: 0, usPerQuarter: 500000, seconds: 0 }];
  for (const event of allEvents(midi)) {
    if (event.status !== 0xff || event.metaType !== META_TEMPO || event.data.length < 3) continue;
    const usPerQuarter = (event.data[0]! << 16) | (event.data[1]! << 8) | event.data[2]!;
    if (usPerQuarter <= 0) continue;
    const last = steps[steps.length - 1]!;
    const seconds = last.seconds + ((event.tick - last.tick) * last.usPerQuarter) / 1e6 / midi.ppq;
    if (event.tick === last.tick) steps[steps.length - 1] = { tick: event.tick, usPerQuarter, seconds: last.seconds };
    else steps.push({ tick: event.tick, usPerQuarter, seconds });
  }
  return steps;
}

/** Converts ticks to seconds with the tempo map. */
export function tickSeconds(midi: MidiFile): (tick: number) => number {
  const steps = tempoMap(midi);
  return (tick) => {
    let lo = 0;
    let hi = steps.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (steps[mid]!.tick <= tick) lo = mid;
      else hi = mid - 1;
    }
    const step = steps[lo]!;
    return step.seconds + ((tick - step.tick) * step.usPerQuarter) / 1e6 / midi.ppq;
  };
}

/**
 * The beat grid. Bars start at tick 0 and at every time-signature change. The beat is the denominator's note in
 * simple meters and the dotted note in compound ones (6/8, 9/8, 12/8: 2, 3, 4 beats per bar), as musicians count.
 */
export function beatGrid(midi: MidiFile): Grid {
  const events = allEvents(midi);
  const seconds = tickSeconds(midi);
  const signatures: Array<{ tick: number; numerator: number; denominator: number }> = [];
  let firstNote = Infinity;
  let lastNote = 0;
  let hasDrums = false;
  for (const event of events) {
    if (event.status === 0xff && event.metaType === META_TIME_SIGNATURE && event.data.length >= 2) {
      const signature = { tick: event.tick, numerator: event.data[0]!, denominator: 2 ** event.data[1]! };
      if (signature.numerator < 1 || signature.denominator > 64) continue;
      if (signatures.length && signatures[signatures.length - 1]!.tick === event.tick) signatures[signatures.length - 1] = signature;
      else signatures.push(signature);
    } else if ((event.status & 0xf0) === 0x90 && event.data[1]! > 0) {
      firstNote = Math.min(firstNote, event.tick);
      lastNote = Math.max(lastNote, event.tick);
      if ((event.status & 0x0f) === 9) hasDrums = true;
    }
  }
  if (!signatures.length || signatures[0]!.tick > 0) signatures.unshift({ tick: 0, numerator: 4, denominator: 4 });
  const beats: GridBeat[] = [];
  const meters = new Set<string>();
  const endTick = lastNote + midi.ppq;
  let minBpm = Infinity;
  let maxBpm = 0;
  for (let s = 0; s < signatures.length; s++) {
    const { tick: start, numerator, denominator } = signatures[s]!;
    const stop = Math.min(endTick, signatures[s + 1]?.tick ?? Infinity);
    const compound = denominator >= 8 && numerator % 3 === 0 && numerator > 3;
    const beatTicks = ((4 * midi.ppq) / denominator) * (compound ? 3 : 1);
    const beatsPerBar = compound ? numerator / 3 : numerator;
    meters.add(`${numerator}/${denominator}`);
    for (let k = 0; start + k * beatTicks < stop; k++) {
      const tick = start + k * beatTicks;
      const time = seconds(tick);
      const bpm = 60 / (seconds(tick + beatTicks) - time);
      minBpm = Math.min(minBpm, bpm);
      maxBpm = Math.max(maxBpm, bpm);
      beats.push({ time, beatInBar: (k % beatsPerBar) + 1 });
    }
  }
  return {
    beats,
    meters: [...meters],
    minBpm,
    maxBpm,
    firstNoteSeconds: Number.isFinite(firstNote) ? seconds(firstNote) : 0,
    lastNoteSeconds: seconds(lastNote),
    hasDrums,
  };
}

export interface MidiEdit {
  /** Tempo factor: 1.25 plays 25 % faster. */
  readonly tempoScale?: number;
  /** Remove channel 10 (GM drums). */
  readonly dropDrums?: boolean;
  /** Replace every melodic program with this GM program (0-based). */
  readonly program?: number;
  /** Drop every event after this many seconds (notes still sounding get their note-off there). */
  readonly maxSeconds?: number;
}

/** Returns an edited copy. */
export function editMidi(midi: MidiFile, edit: MidiEdit): MidiFile {
  const seconds = tickSeconds(midi);
  const scale = edit.tempoScale ?? 1;
  let cutTick = Infinity;
  if (edit.maxSeconds !== undefined) {
    // Smallest tick past maxSeconds (binary search on the monotone map).
    let lo = 0;
    let hi = 1;
    while (seconds(hi) < edit.maxSeconds && hi < 2 ** 30) hi *= 2;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (seconds(mid) < edit.maxSeconds) lo = mid + 1;
      else hi = mid;
    }
    cutTick = lo;
  }
  const tracks = midi.tracks.map((track) => {
    const out: MidiEvent[] = [];
    const sounding = new Set<number>();
    for (const event of track) {
      const channel = event.status & 0x0f;
      const kind = event.status & 0xf0;
      const isChannelEvent = event.status < 0xf0;
      if (isChannelEvent && edit.dropDrums && channel === 9) continue;
      if (event.tick > cutTick) {
        continue;
      }
      if (event.status === 0xff && event.metaType === META_TEMPO && scale !== 1 && event.data.length >= 3) {
        const us = Math.max(1, Math.round(((event.data[0]! << 16) | (event.data[1]! << 8) | event.data[2]!) / scale));
        out.push({ ...event, data: Uint8Array.of((us >> 16) & 255, (us >> 8) & 255, us & 255) });
        continue;
      }
      if (isChannelEvent && kind === 0xc0 && edit.program !== undefined && channel !== 9) {
        out.push({ ...event, data: Uint8Array.of(edit.program) });
        continue;
      }
      if (kind === 0x90 && event.data[1]! > 0) sounding.add((channel << 8) | event.data[0]!);
      if (kind === 0x80 || (kind === 0x90 && event.data[1] === 0)) sounding.delete((channel << 8) | event.data[0]!);
      out.push(event);
    }
    if (Number.isFinite(cutTick)) {
      for (const key of sounding) out.push({ tick: cutTick, status: 0x80 | (key >> 8), data: Uint8Array.of(key & 255, 0) });
    }
    return out;
  });
  if (scale !== 1 && !tracks.some((t) => t.some((e) => e.status === 0xff && e.metaType === META_TEMPO))) {
    const us = Math.round(500000 / scale);
    tracks[0] = [{ tick: 0, status: 0xff, metaType: META_TEMPO, data: Uint8Array.of((us >> 16) & 255, (us >> 8) & 255, us & 255) }, ...(tracks[0] ?? [])];
  }
  if (edit.program !== undefined) {
    // Files that never send a program change play piano on every channel; set it explicitly on each used channel.
    const used = new Set<number>();
    for (const track of tracks) for (const event of track) if (event.status < 0xf0 && (event.status & 0x0f) !== 9) used.add(event.status & 0x0f);
    tracks[0] = [...[...used].map((channel) => ({ tick: 0, status: 0xc0 | channel, data: Uint8Array.of(edit.program!) })), ...(tracks[0] ?? [])];
  }
  return { format: 1, ppq: midi.ppq, tracks };
}
