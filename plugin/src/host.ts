/**
 * The narrow seam between the panel and whatever hosts it. The panel logic and UI see only this interface:
 * plain data, times as tick strings (254016000000 ticks per second, Premiere's unit), and no Premiere object
 * ever leaks out. Three implementations:
 *   - `UxpPremiereHost` (plugin/src/uxp/uxp-premiere-host.ts): the only file that calls require('premierepro'|'uxp').
 *   - `FakePremiereHost` (plugin/src/testing/fake-premiere-host.ts): in-memory sequences; records imports and markers.
 *   - `BrowserHost` (plugin/src/web/browser-host.ts): the web UI for Resolve/Final Cut users; no sequence at all.
 */

/** One clip on a sequence track. All times are tick strings. */
export interface HostClip {
  readonly kind: 'video' | 'audio';
  /** 0-based track index within its kind (0 = V1/A1). */
  readonly track: number;
  readonly name: string;
  /** Absolute path of the media file as the OS writes it; empty for clips without a file (titles, nests). */
  readonly mediaPath: string;
  /** Source in/out, relative to the start of the media (Premiere's project item). [in, out). */
  readonly srcInTicks: string;
  readonly srcOutTicks: string;
  /** Timeline position relative to the sequence start. [start, end). */
  readonly startTicks: string;
  readonly endTicks: string;
  readonly disabled: boolean;
  /** Playback speed when not 1 (2 = twice as fast); the source range above already accounts for it. */
  readonly speed?: number;
  /** Selected on the timeline (absent: not selected, or the host cannot tell). */
  readonly selected?: boolean;
}

/** A clip the host left out of {@link HostSequence.clips}, and why (the panel says so). */
export interface SkippedClip {
  readonly kind: 'video' | 'audio';
  readonly track: number;
  readonly name: string;
  readonly reason: 'offline' | 'multicam' | 'merged' | 'reversed' | 'unreadable';
  readonly detail?: string;
}

/** A sequence: its format and clips. */
export interface HostSequence {
  /** Stable id (Premiere: the sequence guid). */
  readonly id: string;
  readonly name: string;
  /** Frames per second (informative; exact maths uses ticksPerFrame). */
  readonly fps: number;
  readonly ticksPerFrame: number;
  readonly width: number;
  readonly height: number;
  readonly durationTicks: string;
  /** The sequence in/out points, when the editor set them (both absent otherwise). */
  readonly inTicks?: string;
  readonly outTicks?: string;
  readonly clips: readonly HostClip[];
  /** Clips that could not be used (offline, multicam, merged, reversed, unreadable); absent when none. */
  readonly skipped?: readonly SkippedClip[];
}

/** A sequence marker to add. */
export interface HostMarker {
  readonly name: string;
  /** From the sequence start. */
  readonly startTicks: string;
  readonly durationTicks?: string;
  readonly comment?: string;
  /** Premiere's marker colour (Constants.MarkerColor); absent: Premiere's default. */
  readonly colour?: MarkerColour;
}

/** The marker colours the panel uses (a subset of Premiere's Constants.MarkerColor). */
export type MarkerColour = 'green' | 'yellow' | 'red' | 'blue';

/** One clip of a {@link HostCut}: which media, which part of it ([in, out) from the media start) and where. */
export interface HostCutClip {
  readonly kind: 'video' | 'audio';
  /** 0-based track index within its kind. */
  readonly track: number;
  readonly mediaPath: string;
  readonly srcInTicks: string;
  readonly srcOutTicks: string;
  /** From the sequence start. */
  readonly startTicks: string;
}

/** A cut to build inside the project (see {@link PremiereHost.buildCut}). */
export interface HostCut {
  /** The new sequence's name (descriptive: version, music, scenes). */
  readonly name: string;
  /** The one bin every version goes into ("Auto-Montage"). */
  readonly binName: string;
  /** The sequence whose format (rate, frame size) the cut takes: the editor's. */
  readonly templateSequenceId?: string;
  readonly clips: readonly HostCutClip[];
  readonly markers: readonly HostMarker[];
  /** The undo step's label. */
  readonly undoLabel: string;
}

/** What an import did. */
export interface ImportResult {
  /** Ids of sequences that exist after the import and did not before. */
  readonly newSequenceIds: readonly string[];
}

/** The host the panel runs in. Every method may reject; the panel reports it in plain words. */
export interface PremiereHost {
  /** Which UI to show: 'premiere' reads sequences and imports results; 'browser' types paths and downloads files. */
  readonly kind: 'premiere' | 'browser';
  /** Resolves null when no project or no sequence is open. */
  getActiveSequence(): Promise<HostSequence | null>;
  /** Writes a text file to a temporary folder the host can read; returns its native path. */
  writeTempFile(name: string, text: string): Promise<string>;
  /**
   * Imports a timeline file (xmeml) and reports which sequences it created. With `binName`, what the import
   * creates goes into that bin (made once, at the project's root).
   */
  importTimeline(path: string, options?: { readonly binName?: string }): Promise<ImportResult>;
  /**
   * Refine in place: builds a cut as a new sequence in the bin `cut.binName` from the project's own master clips
   * (importing into that bin, once, the media the project lacks), with the UXP sequence-editing actions and the
   * markers in one undoable transaction. Optional; the panel imports the xmeml when it is missing or throws.
   */
  buildCut?(cut: HostCut): Promise<{ readonly sequenceId: string }>;
  /** Opens a file in the Source Monitor at a time (its master clip when the project has one). Optional. */
  showInSourceMonitor?(mediaPath: string, atTicks: string): Promise<boolean>;
  /** Opens a sequence and makes it active. */
  openSequence(id: string): Promise<boolean>;
  /** Adds sequence markers in one undoable transaction. */
  addMarkers(sequenceId: string, markers: readonly HostMarker[]): Promise<boolean>;
  /** The sequence's markers (an xmeml import may already carry bar markers; the panel does not add them twice). Optional. */
  getMarkers?(sequenceId: string): Promise<HostMarker[]>;
  /** Lets the user choose a file (e.g. the music); resolves null when cancelled. Optional. */
  pickFile?(types: readonly string[]): Promise<string | null>;
  /**
   * Where the companion token is kept between sessions: UXP secureStorage in Premiere (encrypted for this user),
   * localStorage in a browser. Optional: without it the token lasts for the session.
   */
  readonly secrets?: SecretStore;
}

/** A small store for secrets. *Note*: UXP's secureStorage is asynchronous and returns bytes; implementations hide that. */
export interface SecretStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  remove(key: string): Promise<void>;
}

/** What the panel needs from a WebSocket: the shape of UXP's and browsers' WebSocket and of the `ws` client. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: { code?: number; reason?: string }) => void) | null;
}

/** Opens a socket: UXP and browsers use the global WebSocket, Node tests use the `ws` client. */
export type SocketFactory = (url: string, protocol: string) => SocketLike;

/** The HTTP fetch the panel uses for /health and artifacts (the global fetch in UXP, browsers and Node). */
export type FetchLike = (url: string, init?: { headers?: Record<string, string> }) => Promise<{
  readonly ok: boolean;
  readonly status: number;
  text(): Promise<string>;
  json(): Promise<unknown>;
}>;
