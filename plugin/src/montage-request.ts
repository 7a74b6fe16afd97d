/**
 * From what the editor has (a Premiere sequence, or typed paths in the web UI) to a protocol `montage` request.
 * The sequence's enabled video clips are the footage, each with its own source in/out (the editor's selects) and
 * its place on the sequence, or only the selected clips when some are (docs/sources.md); the music is an audio clip of the sequence or a file; its length is the whole
 * music or the part that falls inside the sequence in/out. Pure: no host calls, no DOM.
 */
import { MUSIC_OPTION_LIMITS, RELAX_KINDS, type MediaSource, type MovieSource, type MontageMessage, type MontageOptions, type GranularityOption, type MusicMood, type RelaxKind, type RelaxOption, type SceneMode } from '../../companion/protocol/messages';
import type { HostClip, HostSequence } from './host';
import { maxTicks, minTicks, parseTicks, rateFromTicksPerFrame, subtractTicks, ticksToSeconds } from './ticks';

/** Where the music comes from. */
export type MusicChoice = { readonly kind: 'clip'; readonly clipKey: string } | { readonly kind: 'file'; readonly path: string };
/** How long the montage is: the whole music (clip or file) or the sequence in/out. */
export type LengthChoice = 'music' | 'inout';

/** The options the panel exposes. The music ones are absent (or `auto`) when the companion reads them from the music. */
export interface PanelMontageOptions {
  readonly scenes: number;
  readonly mode: SceneMode;
  /** `auto` (default): the companion weighs bar, two bars, half bar and beat. */
  readonly granularity: GranularityOption;
  /** What the companion may loosen when the footage cannot fill the music as asked (default `auto`). */
  readonly relax: RelaxOption;
  /** Force the tempo (30–300 BPM). */
  readonly bpm?: number;
  /** Force the metre (2–12 beats per bar). */
  readonly beatsPerBar?: number;
  /** A downbeat on the beat nearest this time, in seconds of the music file. */
  readonly firstDownbeatSeconds?: number;
  readonly mood: MusicMood;
}

export const DEFAULT_PANEL_OPTIONS: PanelMontageOptions = { scenes: 5, mode: 'hard', granularity: 'auto', relax: 'auto', mood: 'auto' };

/** The relaxations an option value allows, in the companion's order. */
export function allowedRelaxations(relax: RelaxOption): RelaxKind[] {
  if (relax === 'auto') return [...RELAX_KINDS];
  if (relax === 'none') return [];
  const list: readonly RelaxKind[] = typeof relax === 'string' ? [relax] : relax;
  return RELAX_KINDS.filter((kind) => list.includes(kind));
}

/** The relax value that forbids `kind` and keeps the rest ("undo this relaxation"). */
export function withoutRelaxation(relax: RelaxOption, kind: RelaxKind): RelaxOption {
  const rest = allowedRelaxations(relax).filter((k) => k !== kind);
  return rest.length === 0 ? 'none' : rest;
}

/** A request problem the user can fix, in plain words. */
export class RequestProblem extends Error {
  override readonly name = 'RequestProblem';
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

/**
 * The request options for the panel's choices: the planner's always, the music overrides only where the editor set
 * them (so the companion reads the rest from the music). Throws {@link RequestProblem} for a value out of range.
 */
export function requestOptions(options: PanelMontageOptions): MontageOptions {
  const { bpm, beatsPerBar, firstDownbeatSeconds, mood } = options;
  const limits = MUSIC_OPTION_LIMITS;
  if (bpm !== undefined && !(Number.isFinite(bpm) && bpm >= limits.bpm.min && bpm <= limits.bpm.max)) {
    throw new RequestProblem(`The tempo ${bpm} BPM is out of range.`, `Type a tempo from ${limits.bpm.min} to ${limits.bpm.max} BPM, or clear the field to let the companion find it.`);
  }
  if (beatsPerBar !== undefined && !(Number.isInteger(beatsPerBar) && beatsPerBar >= limits.beatsPerBar.min && beatsPerBar <= limits.beatsPerBar.max)) {
    throw new RequestProblem(`${beatsPerBar} beats per bar is not a metre the companion can use.`, `Choose ${limits.beatsPerBar.min} to ${limits.beatsPerBar.max} beats per bar, or Auto.`);
  }
  if (firstDownbeatSeconds !== undefined && !(Number.isFinite(firstDownbeatSeconds) && firstDownbeatSeconds >= 0)) {
    throw new RequestProblem(`The first downbeat "${firstDownbeatSeconds}" is not a time in the music.`, 'Type the seconds into the music file where a bar starts, e.g. 1.25, or clear the field.');
  }
  return {
    scenes: options.scenes,
    mode: options.mode,
    granularity: options.granularity,
    ...(options.relax !== 'auto' ? { relax: options.relax } : {}),
    ...(bpm !== undefined ? { bpm } : {}),
    ...(beatsPerBar !== undefined ? { beatsPerBar } : {}),
    ...(firstDownbeatSeconds !== undefined ? { firstDownbeatSeconds } : {}),
    ...(mood !== 'auto' ? { mood } : {}),
  };
}

/** A stable key for an audio clip of a sequence (track + start). */
export function clipKey(clip: HostClip): string {
  return `${clip.kind}:${clip.track}:${clip.startTicks}`;
}

/** Audio clips that can be the music: enabled, with a file that is not one of the movie files (their own sound). */
export function musicClips(sequence: HostSequence): HostClip[] {
  const moviePaths = new Set(sequence.clips.filter((clip) => clip.kind === 'video').map((clip) => clip.mediaPath));
  return sequence.clips.filter((clip) => clip.kind === 'audio' && !clip.disabled && clip.mediaPath !== '' && !moviePaths.has(clip.mediaPath));
}

/** The file name of a path (POSIX or Windows), for labels. */
export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export interface BuiltRequest {
  readonly request: Omit<MontageMessage, 'requestId'>;
  /** Things the user should know (e.g. a second movie file that is not used). */
  readonly warnings: readonly string[];
}

/** Still images and graphics: a clip of one is an overlay, not footage to cut from. */
const STILL_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'tif', 'tiff', 'psd', 'ai', 'gif', 'bmp', 'exr', 'dpx', 'tga', 'svg', 'webp', 'heic']);

function isStill(path: string): boolean {
  return STILL_EXTENSIONS.has(path.split('.').pop()?.toLowerCase() ?? '');
}

/** The footage of a sequence as media ranges, and what the editor should know about the choice. */
export interface SequenceSources {
  /** In sequence order: each clip's file, its own source in/out (the editor's select) and its place on the sequence. */
  readonly sources: readonly MovieSource[];
  /** Only the selected clips are used (some moving-picture clips are selected). */
  readonly selected: boolean;
  readonly warnings: readonly string[];
}

/**
 * Every enabled video clip with a media file (stills and graphics left out) as a media range: its source in/out
 * and its start on the sequence, in sequence order (then track order). With clips selected on a video track,
 * only the selected ones. Throws {@link RequestProblem} when no clip is left.
 */
export function sequenceSources(sequence: HostSequence): SequenceSources {
  const footage = sequence.clips.filter((clip) => clip.kind === 'video' && !clip.disabled && clip.mediaPath !== '' && parseTicks(clip.srcOutTicks) > parseTicks(clip.srcInTicks));
  const stills = footage.filter((clip) => isStill(clip.mediaPath));
  const moving = footage.filter((clip) => !isStill(clip.mediaPath));
  const selected = moving.filter((clip) => clip.selected);
  const clips = (selected.length > 0 ? selected : moving).slice().sort((a, b) => Number(parseTicks(a.startTicks) - parseTicks(b.startTicks)) || a.track - b.track);
  if (clips.length === 0) {
    throw new RequestProblem(`The sequence "${sequence.name}" has no enabled video clip with a movie file.`, 'Put the footage on a video track of the active sequence (or open the sequence that has it) and try again.');
  }
  const warnings: string[] = [];
  if (selected.length > 0) warnings.push(`The montage uses the ${selected.length} selected video clip${selected.length === 1 ? '' : 's'} of ${moving.length}.`);
  if (stills.length > 0) warnings.push(`Left out ${stills.length} still image${stills.length === 1 ? '' : 's'} (${[...new Set(stills.map((clip) => baseName(clip.mediaPath)))].join(', ')}).`);
  return {
    sources: clips.map((clip) => ({ path: clip.mediaPath, range: { startSeconds: ticksToSeconds(clip.srcInTicks), endSeconds: ticksToSeconds(clip.srcOutTicks) }, timelineSeconds: ticksToSeconds(clip.startTicks) })),
    selected: selected.length > 0,
    warnings,
  };
}

/**
 * Builds the montage request from a Premiere sequence: every video clip's select as a source (or the selected
 * clips'), on the sequence's rate. Throws {@link RequestProblem} with a fix.
 */
export function buildSequenceRequest(sequence: HostSequence, music: MusicChoice, length: LengthChoice, options: PanelMontageOptions, extra: Partial<MontageOptions> = {}): BuiltRequest {
  const { sources, warnings } = sequenceSources(sequence);
  const inOut = length === 'inout' ? sequenceInOut(sequence) : undefined;
  let musicSource: MediaSource;
  if (music.kind === 'clip') {
    const clip = musicClips(sequence).find((candidate) => clipKey(candidate) === music.clipKey);
    if (!clip) throw new RequestProblem('The chosen music clip is no longer on the sequence.', 'Press Refresh and choose the music again.');
    musicSource = { path: clip.mediaPath, range: clipMusicRange(clip, inOut) };
  } else {
    const path = music.path.trim();
    if (!path) throw new RequestProblem('No music file is chosen.', 'Choose a music clip on the sequence, or type or pick the path of a music file.');
    musicSource = inOut ? { path, range: { startSeconds: 0, endSeconds: ticksToSeconds(subtractTicks(inOut.outTicks, inOut.inTicks)) } } : { path };
  }
  return {
    request: {
      type: 'montage',
      sources,
      ...(sequence.ticksPerFrame > 0 ? { rate: rateFromTicksPerFrame(sequence.ticksPerFrame) } : {}),
      music: musicSource,
      options: { ...requestOptions(options), ...extra },
      formats: ['fcp7-xml'],
      preview: false,
    },
    warnings,
  };
}

/** What the web UI's form holds. Empty strings are "not given". */
export interface TypedInputs {
  readonly moviePath: string;
  readonly movieStartSeconds?: string;
  readonly movieEndSeconds?: string;
  readonly musicPath: string;
  readonly musicStartSeconds?: string;
  readonly musicEndSeconds?: string;
}

/** Builds the montage request from typed paths (web UI). Throws {@link RequestProblem} with a fix. */
export function buildTypedRequest(inputs: TypedInputs, options: PanelMontageOptions, extra: Partial<MontageOptions> = {}): BuiltRequest {
  const moviePath = inputs.moviePath.trim();
  const musicPath = inputs.musicPath.trim();
  if (!moviePath) throw new RequestProblem('No movie file is given.', 'Type the full path of the movie file on this computer, for example /Users/me/Movies/film.mp4.');
  if (!musicPath) throw new RequestProblem('No music file is given.', 'Type the full path of the music file, for example /Users/me/Music/song.mp3.');
  const movieRange = typedRange(inputs.movieStartSeconds, inputs.movieEndSeconds, 'movie');
  const musicRange = typedRange(inputs.musicStartSeconds, inputs.musicEndSeconds, 'music');
  return {
    request: {
      type: 'montage',
      movie: movieRange ? { path: moviePath, range: movieRange } : { path: moviePath },
      music: musicRange ? { path: musicPath, range: musicRange } : { path: musicPath },
      options: { ...requestOptions(options), ...extra },
      preview: true,
    },
    warnings: [],
  };
}

function typedRange(start: string | undefined, end: string | undefined, what: string): { startSeconds: number; endSeconds: number } | undefined {
  const startText = (start ?? '').trim();
  const endText = (end ?? '').trim();
  if (!startText && !endText) return undefined;
  const startSeconds = startText ? Number(startText) : 0;
  const endSeconds = endText ? Number(endText) : Number.NaN;
  if (!Number.isFinite(startSeconds) || startSeconds < 0) throw new RequestProblem(`The ${what} start "${startText}" is not a number of seconds.`, 'Type seconds, e.g. 12.5, or leave it empty.');
  if (!endText) throw new RequestProblem(`The ${what} range has a start but no end.`, 'Type the end in seconds too, or clear both to use the whole file.');
  if (!Number.isFinite(endSeconds) || endSeconds <= startSeconds) {
    throw new RequestProblem(`The ${what} end "${endText}" must be a number of seconds after the start.`, 'Type an end later than the start, or clear both to use the whole file.');
  }
  return { startSeconds, endSeconds };
}

function sequenceInOut(sequence: HostSequence): { inTicks: string; outTicks: string } {
  if (sequence.inTicks === undefined || sequence.outTicks === undefined || parseTicks(sequence.outTicks) <= parseTicks(sequence.inTicks)) {
    throw new RequestProblem(`The sequence "${sequence.name}" has no In and Out points.`, 'Mark In and Out on the sequence (I and O keys), or choose "Whole music" as the length.');
  }
  return { inTicks: sequence.inTicks, outTicks: sequence.outTicks };
}

/** The music clip's source range, cut to the part of the clip that lies between the sequence in/out when given. */
function clipMusicRange(clip: HostClip, inOut: { inTicks: string; outTicks: string } | undefined): { startSeconds: number; endSeconds: number } {
  if (!inOut) return { startSeconds: ticksToSeconds(clip.srcInTicks), endSeconds: ticksToSeconds(clip.srcOutTicks) };
  const from = maxTicks(clip.startTicks, inOut.inTicks);
  const to = minTicks(clip.endTicks, inOut.outTicks);
  if (parseTicks(to) <= parseTicks(from)) {
    throw new RequestProblem(`The music clip "${clip.name}" lies outside the sequence In and Out.`, 'Move the In/Out marks over the music, or choose "Whole music".');
  }
  const sourceStart = parseTicks(clip.srcInTicks) + (parseTicks(from) - parseTicks(clip.startTicks));
  const sourceEnd = sourceStart + (parseTicks(to) - parseTicks(from));
  return { startSeconds: ticksToSeconds(sourceStart.toString()), endSeconds: ticksToSeconds(sourceEnd.toString()) };
}
