/**
 * Auto-Montage companion protocol, version 1: the frames a client (the Premiere UXP panel, the browser UI, a
 * test) and the companion server exchange over one WebSocket. Documented in docs/protocol.md.
 *
 * This file is types and constants only: no node:* imports and no runtime dependencies, so the panel can
 * `import type` from it. The zod schemas that validate incoming frames live in ./schema.ts.
 *
 * Invariants (the server keeps them; clients may rely on them):
 *  1. Every frame is one UTF-8 JSON object in a WebSocket *text* frame, with a string `type`. Binary frames,
 *     non-objects, unknown `type`s and unknown keys are refused with an `error` frame naming the bad key.
 *  2. The first client frame is `hello` (protocol version + token). Any other frame before a successful hello,
 *     or a second hello, gets AM_ERR_PROTOCOL_OUT_OF_ORDER. A wrong token gets AM_ERR_UNAUTHORIZED and a wrong
 *     version AM_ERR_PROTOCOL_VERSION; in both cases the server then closes the socket (code 4401 / 4400).
 *  3. Every client request after hello carries a client-chosen `requestId` (1–64 chars). The server answers
 *     each one with exactly one direct reply carrying the same `requestId`: `accepted` (a job was queued),
 *     `jobState`, `pong`, or `error`. A malformed frame whose requestId cannot be read is answered with an
 *     `error` without one.
 *  4. A job's frames, in order: `accepted`, then zero or more `progress`, then exactly one terminal frame:
 *     `result`, `error` (with `jobId`) or `cancelled`. Within one stage, `fraction` never decreases.
 *  5. Jobs belong to the connection that started them. When it closes, its queued and running jobs are
 *     cancelled (their child processes killed); finished results stay on disk and can be fetched again with
 *     `job` from a later connection (they survive a server restart).
 *  6. A job's outputs appear atomically: a file listed in a `result` is complete; a cancelled or failed job
 *     leaves no output files behind.
 *  7. Times on the wire are seconds (floating point) from the start of the media file; shots and bars are
 *     identified by their 0-based index in the job's analysis. Emotion vectors follow EMOTION_LABELS' order.
 *  8. Artifact URLs in a `result` are absolute http URLs on the companion and carry the token
 *     (`?token=`), so they work directly in a <video> element; an `Authorization: Bearer <token>` header is
 *     accepted too.
 *  9. Limits: a text frame over `limits.maxFrameBytes` gets AM_ERR_PROTOCOL_FRAME_TOO_LARGE (the socket stays
 *     open; frames far beyond it close the socket with 1009); more than `limits.maxMessagesPerSecond` frames
 *     per second (sustained, with a burst allowance) get AM_ERR_PROTOCOL_RATE_LIMITED and are dropped.
 * 10. `resolve` re-solves a finished job's cached analysis with new pins/bans/options. It does not decode
 *     media again and answers in well under 2 s (no preview video unless asked for).
 * 11. Pairing: a `hello` may carry the short `pairingCode` the companion prints instead of the token. A right
 *     code is used up (the companion prints the next one) and the `welcome` carries the token, which the client
 *     keeps (UXP secureStorage) for its next hellos. A wrong code is refused like a wrong token.
 * 12. Everything the panel needs also travels over the WebSocket (macOS blocks http:// in UXP): `welcome`
 *     carries the status line's facts, and `file` returns a text output of a finished job (a timeline file).
 */
import type { Diagnostic, ErrorData } from '../core/errors';
import type { RelaxationNotice, RelaxKind } from '../core/montage';

/** The protocol version this file describes. */
export const PROTOCOL_VERSION = 1;

/** The WebSocket subprotocol clients should offer (UXP needs one; the server also accepts none). */
export const PROTOCOL_SUBPROTOCOL = 'automontage.v1';

/** The companion's fixed default port. */
export const DEFAULT_PORT = 7391;

/** The WebSocket endpoint path on the companion. */
export const WEBSOCKET_PATH = '/ws';

// ---------------------------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------------------------

/** A range of a media file in seconds, [startSeconds, endSeconds). */
export interface SecondsRange {
  readonly startSeconds: number;
  readonly endSeconds: number;
}

/** A media file on the companion's machine, optionally with an in/out range. */
export interface MediaSource {
  /** An absolute path on the companion's machine. */
  readonly path: string;
  readonly range?: SecondsRange;
}

/**
 * One media range of a montage's footage: a file, the editor's in/out in it (the clip's source in/out), and where
 * the clip sits on the editor's sequence. Several ranges may name one file (it is analysed once).
 */
export interface MovieSource extends MediaSource {
  /** Seconds from the sequence start; orders the story (the list's order when any source lacks it). */
  readonly timelineSeconds?: number;
  /** 1–64 letters, digits, `-`, `_`, `.`; pins and bans name shots by it. Default `source-N` (1-based position). */
  readonly id?: string;
}

/** A shot named by its source's id and its index among that source's shots (0-based, story order). */
export interface ShotRef {
  readonly source: string;
  readonly shot: number;
}

/** A frame rate as a fraction (24000/1001, never 23.976). */
export interface FrameRate {
  readonly num: number;
  readonly den: number;
}

export type SceneMode = 'hard' | 'soft';
/** How often to cut: on every bar, every second bar, every half bar, or every beat. */
export type CutGranularity = 'bar' | '2bars' | 'halfbar' | 'beat';
/** A cut granularity, or `auto` (the default): the planner weighs them by objective among those the shots fill. */
export type GranularityOption = CutGranularity | 'auto';
export const GRANULARITY_OPTIONS = ['auto', 'bar', '2bars', 'halfbar', 'beat'] as const satisfies readonly GranularityOption[];
/** What the planner may loosen (RelaxKind, in the order it tries them) and what a relaxation changed: the planner's own types. */
export type { RelaxationNotice, RelaxKind };
export const RELAX_KINDS = ['granularity', 'trim', 'scenes', 'music'] as const satisfies readonly RelaxKind[];
/** `auto` (default): any of them, the fewest that work; `none`: refuse with the numbers; one kind or a list of kinds. */
export type RelaxOption = 'auto' | 'none' | RelaxKind | readonly RelaxKind[];
/** The music's mood: `auto` reads it from the music; a label (EMOTION_LABELS) fixes it for every bar. */
export type MusicMood = 'auto' | 'excited' | 'fearful' | 'neutral' | 'relaxed' | 'sad' | 'tense';
export const MUSIC_MOODS = ['auto', 'excited', 'fearful', 'neutral', 'relaxed', 'sad', 'tense'] as const satisfies readonly MusicMood[];
/** A point of the emotion space: valence and arousal, each −1 … 1. */
export interface EmotionPoint {
  readonly valence: number;
  readonly arousal: number;
}
/**
 * Steering the plan's mood without a new analysis: `auto` follows the music's own reading, a label steers by that
 * label's prototype point, a point by that valence/arousal.
 */
export type MoodTarget = 'auto' | Exclude<MusicMood, 'auto'> | EmotionPoint;
/** One point of a drawn emotion arc: the target valence/arousal at that second of the music file. */
export interface EmotionArcPoint extends EmotionPoint {
  readonly seconds: number;
}
/** The most points an emotion arc may have. */
export const MAX_EMOTION_ARC_POINTS = 1000;
/** The ranges of the music options (inclusive); the server refuses values outside them. */
export const MUSIC_OPTION_LIMITS = {
  beatsPerBar: { min: 2, max: 12 },
  downbeatShift: { min: 0, max: 11 },
  bpm: { min: 30, max: 300 },
} as const;
/** The timeline formats the built-in exporters write (extensions may add more ids). */
export type TimelineFormat = 'fcp7-xml' | 'fcpxml' | 'edl' | 'otio' | (string & {});

/** Options for planning a montage. Every field is optional; the server fills defaults. */
export interface MontageOptions {
  /** The most scenes the montage may touch (hard mode) or the scene budget (soft mode); 1–1000. */
  readonly scenes?: number;
  readonly mode?: SceneMode;
  readonly granularity?: GranularityOption;
  /** What the planner may loosen when the footage cannot fill the music as asked (default `auto`). */
  readonly relax?: RelaxOption;
  /** Let a long shot fill fewer bars than it could. */
  readonly trim?: boolean;
  /** Score a shot by the music under the bars it covers, not by the whole track. */
  readonly arc?: boolean;
  /** Shots that must be used: job shot indices, or a shot by source id and index in that source. */
  readonly pins?: readonly (number | ShotRef)[];
  /** Shots that must not be used (as `pins`). */
  readonly bans?: readonly (number | ShotRef)[];
  /** Force the metre: 2–12 beats per bar. */
  readonly beatsPerBar?: number;
  /** Shift the downbeat by this many beats (0–11). */
  readonly downbeatShift?: number;
  /** Force the tempo, 30–300 BPM (the beats stay on the music's own pulse). */
  readonly bpm?: number;
  /** Put a downbeat on the beat nearest this time, in seconds of the music file; the bar phase follows. */
  readonly firstDownbeatSeconds?: number;
  /** The music's mood (default `auto`); a label replaces the music emotion of every bar with that label's. */
  readonly mood?: MusicMood;
  /**
   * Steers the music's emotion the planner matches shots to, without a new analysis (so a `resolve` may change it):
   * `auto` (default) keeps the music's reading (or `mood`'s); a label or a valence/arousal point replaces the whole
   * track's and every bar's. Scores are recomputed from the cached shot emotions.
   */
  readonly moodTarget?: MoodTarget;
  /**
   * A drawn target curve over the music: each bar's target is the curve at the bar's middle (linear between the
   * points, held beyond the first and last); it replaces the bars' music emotion for arc matching (`arc`), and its
   * mean the whole track's unless `moodTarget` sets that. Points in increasing `seconds`; an empty list clears it.
   */
  readonly emotionArc?: readonly EmotionArcPoint[];
  /** Keep title cards, credits and other text-heavy shots in the pool (default: left out). */
  readonly keepTextShots?: boolean;
  /** Keep every near-duplicate shot (default: the best of each group). */
  readonly keepDuplicates?: boolean;
  /** Keep black, white and frozen shots (default: left out). */
  readonly keepBlankShots?: boolean;
  /** Shots kept in the pool whatever its verdict: the indices plan.json's `pool` lists (every file's shots back to back). */
  readonly keepShots?: readonly number[];
  /**
   * The sequence timecode of every timeline file: `ndf` (non-drop, the default) or `df` (drop-frame), which only
   * 29.97 and 59.94 fps timelines have: at any other rate the job fails with AM_ERR_INVALID_ARGUMENT (field `timecode`).
   */
  readonly timecode?: SequenceTimecode;
}

/** A sequence timecode's counting: non-drop or drop-frame. */
export type SequenceTimecode = 'ndf' | 'df';

/**
 * The options that change the analysis (the bars or the music's emotion). A `resolve` reuses the analysis, so
 * it refuses a value here that differs from its source job's (AM_ERR_INVALID_ARGUMENT): send a `montage`.
 */
export const ANALYSIS_OPTIONS = ['beatsPerBar', 'downbeatShift', 'bpm', 'firstDownbeatSeconds', 'mood'] as const satisfies readonly (keyof MontageOptions)[];
export type AnalysisOption = (typeof ANALYSIS_OPTIONS)[number];

/** The serialised error of the product: MontageError's toJSON (see companion/core/errors.ts and docs/errors.md). */
export type WireError = ErrorData;

/** The kinds of job. */
export type JobKind = 'analyse' | 'montage' | 'resolve';
export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

// ---------------------------------------------------------------------------------------------------------
// Client → server
// ---------------------------------------------------------------------------------------------------------

/** First frame of every connection. */
export interface HelloMessage {
  readonly type: 'hello';
  /** Must equal {@link PROTOCOL_VERSION}. */
  readonly protocol: number;
  /** The companion's token (printed by `auto-montage serve`, kept in the user's config folder); empty when pairing. */
  readonly token: string;
  /** The short pairing code `auto-montage serve` prints (e.g. "K7QM-4XZ2"), instead of the token (invariant 11). */
  readonly pairingCode?: string;
  /** Free text for logs, e.g. "premiere-panel 0.1.0". */
  readonly client?: string;
}

/** Analyse a movie and a piece of music (shots, scenes, bars, emotions) without planning. */
export interface AnalyseMessage {
  readonly type: 'analyse';
  readonly requestId: string;
  /** One movie: shorthand for `sources: [movie]` (older clients). Give `movie` or `sources`, not both. */
  readonly movie?: MediaSource;
  /** The media ranges to draw from (1–2000), e.g. every clip of a sequence with its own source in/out. */
  readonly sources?: readonly MovieSource[];
  /** The timeline's frame rate (the sequence's); default the first usable source's. */
  readonly rate?: FrameRate;
  readonly music: MediaSource;
  readonly options?: Pick<MontageOptions, AnalysisOption | 'granularity'>;
}

/** Analyse (from cache when possible), plan, and export a montage. */
export interface MontageMessage {
  readonly type: 'montage';
  readonly requestId: string;
  /** One movie: shorthand for `sources: [movie]` (older clients). Give `movie` or `sources`, not both. */
  readonly movie?: MediaSource;
  /** The media ranges to draw from (1–2000), e.g. every clip of a sequence with its own source in/out. */
  readonly sources?: readonly MovieSource[];
  /** The timeline's frame rate (the sequence's); default the first usable source's. */
  readonly rate?: FrameRate;
  readonly music: MediaSource;
  readonly options?: MontageOptions;
  /** Timeline formats to write (default: every built-in format). */
  readonly formats?: readonly TimelineFormat[];
  /** Render a preview video (default true). */
  readonly preview?: boolean;
}

/** Re-solve a finished job's analysis with new options (pins, bans, scenes, mode…). Fast: no decoding. */
export interface ResolveMessage {
  readonly type: 'resolve';
  readonly requestId: string;
  /** A finished `analyse`, `montage` or `resolve` job. */
  readonly jobId: string;
  /**
   * Replaces the source job's options field by field (pins/bans replace, not merge). The {@link ANALYSIS_OPTIONS}
   * may only repeat the source job's values.
   */
  readonly options?: MontageOptions;
  readonly formats?: readonly TimelineFormat[];
  /** Render a preview video (default false: re-solving must stay fast). */
  readonly preview?: boolean;
}

/** Cancel a queued or running job of this connection. Answered by `jobState`; the job then ends `cancelled`. */
export interface CancelMessage {
  readonly type: 'cancel';
  readonly requestId: string;
  readonly jobId: string;
}

/** Ask for a job's state (and its result when finished), also for jobs of earlier connections or runs. */
export interface JobQueryMessage {
  readonly type: 'job';
  readonly requestId: string;
  readonly jobId: string;
}

export interface PingMessage {
  readonly type: 'ping';
  readonly requestId: string;
}

/**
 * Ask for a text output of a finished job (a timeline file, plan.json, the report), answered by `fileContent`:
 * the panel imports the timeline without any http:// request (invariant 12). Binary files (the preview) are refused.
 */
export interface FileMessage {
  readonly type: 'file';
  readonly requestId: string;
  readonly jobId: string;
  /** A file name the job's result lists. */
  readonly name: string;
}

/** Every frame a client may send. */
export type ClientMessage = HelloMessage | AnalyseMessage | MontageMessage | ResolveMessage | CancelMessage | JobQueryMessage | PingMessage | FileMessage;
export type ClientMessageType = ClientMessage['type'];
export const CLIENT_MESSAGE_TYPES = ['hello', 'analyse', 'montage', 'resolve', 'cancel', 'job', 'ping', 'file'] as const satisfies readonly ClientMessageType[];

// ---------------------------------------------------------------------------------------------------------
// Server → client
// ---------------------------------------------------------------------------------------------------------

/** The limits the server enforces on this connection. */
export interface ProtocolLimits {
  readonly maxFrameBytes: number;
  readonly maxMessagesPerSecond: number;
  /** Jobs that may wait in the queue (all connections together) before AM_ERR_QUEUE_FULL. */
  readonly maxQueuedJobs: number;
}

export interface WelcomeMessage {
  readonly type: 'welcome';
  readonly protocol: typeof PROTOCOL_VERSION;
  readonly serverVersion: string;
  /** This connection's id (for logs). */
  readonly sessionId: string;
  readonly limits: ProtocolLimits;
  /** Timeline formats this server can write. */
  readonly formats: readonly TimelineFormat[];
  /** Present only when the hello paired with a pairing code: the token to say hello with from now on. */
  readonly token?: string;
  /** What the companion runs on and how busy it is (the panel's status line; GET /health says the same). */
  readonly status?: ServerStatus;
}

/** The companion's compute and queue, as the panel's status line shows them. */
export interface ServerStatus {
  readonly gpu: { readonly inUse: boolean; readonly provider: string; readonly device?: string };
  readonly queue: { readonly running: number; readonly queued: number };
}

/** A request became a job. */
export interface AcceptedMessage {
  readonly type: 'accepted';
  readonly requestId: string;
  readonly jobId: string;
  readonly kind: JobKind;
  /** 0: the job starts now; n ≥ 1: it waits, n-th in line. */
  readonly queuePosition: number;
}

export interface ProgressMessage {
  readonly type: 'progress';
  readonly jobId: string;
  /** e.g. "probe", "shots", "music", "emotion", "plan", "export", "preview". */
  readonly stage: string;
  /** 0..1 within the stage; never decreases within a stage. */
  readonly fraction: number;
  readonly message?: string;
}

/** An emotion reading: probabilities over EMOTION_LABELS plus valence/arousal. */
export interface EmotionSummary {
  readonly values: readonly number[];
  readonly valence: number;
  readonly arousal: number;
  /** The most probable label. */
  readonly label: string;
}

/** One shot of the movie. */
export interface ShotSummary {
  readonly index: number;
  readonly sceneIndex: number;
  /** The id of the source it comes from (several sources only); times are in that source's file. */
  readonly source?: string;
  /** Its index among that source's shots (what a {@link ShotRef} names). */
  readonly sourceShot?: number;
  readonly startSeconds: number;
  readonly endSeconds: number;
  readonly emotion?: EmotionSummary;
  /** M(shot, whole music) when known. */
  readonly score?: number;
}

/** One bar (or beat, at beat granularity) of the music with its emotion. */
export interface BarSummary {
  readonly index: number;
  readonly startSeconds: number;
  readonly durationSeconds: number;
  readonly emotion?: EmotionSummary;
}

/** What an analysis found. */
export interface AnalysisSummary {
  readonly movie: { readonly path: string; readonly durationSeconds: number; readonly frameRate: { readonly num: number; readonly den: number }; readonly width?: number; readonly height?: number };
  readonly music: { readonly path: string; readonly durationSeconds: number; readonly tempoBpm: number; readonly beatsPerBar: number };
  /** The media ranges used, in story order (several sources only; skipped ones are in `notices`). */
  readonly sources?: readonly { readonly id: string; readonly path: string; readonly startSeconds: number; readonly endSeconds: number; readonly timelineSeconds?: number; readonly frameRate: FrameRate }[];
  /** Sources skipped or merged (missing, unreadable, audio-only, empty range, duplicate). */
  readonly notices?: readonly Diagnostic[];
  readonly shots: readonly ShotSummary[];
  readonly sceneCount: number;
  readonly bars: readonly BarSummary[];
  readonly labels: readonly string[];
}

/** One chosen shot on the montage, in story order. */
export interface ChosenShot {
  readonly shotIndex: number;
  readonly sceneIndex: number;
  /** The id of the source that plays (several sources only); source times are in its file. */
  readonly source?: string;
  readonly firstBar: number;
  readonly barCount: number;
  /** The part of the movie that plays. */
  readonly sourceStartSeconds: number;
  readonly sourceEndSeconds: number;
  /** Where it plays, from the montage start. */
  readonly recordStartSeconds: number;
  readonly recordEndSeconds: number;
  readonly score: number;
  readonly emotion?: EmotionSummary;
  readonly pinned: boolean;
}

export interface PlanSummary {
  readonly totalScore: number;
  readonly durationSeconds: number;
  readonly barCount: number;
  readonly shotCount: number;
  readonly sceneCount: number;
  /** The options the plan was solved with (after any relaxation); `granularity` is the unit cut on. */
  readonly options: Required<Pick<MontageOptions, 'scenes' | 'mode' | 'trim' | 'arc'>> & { readonly pins: readonly number[]; readonly bans: readonly number[]; readonly granularity: CutGranularity | 'mixed' };
  readonly diagnostics: readonly Diagnostic[];
  /** Which unit the montage cuts on and why (granularity `auto` weighs them). */
  readonly granularity?: GranularitySummary;
  /** What the planner loosened to find a plan, in the order applied; empty when nothing was. */
  readonly relaxations?: readonly RelaxationNotice[];
  /** The music range the montage covers. */
  readonly music: SecondsRange;
}

export interface GranularitySummary {
  readonly requested: GranularityOption;
  readonly unit: CutGranularity | 'mixed';
  readonly reason: string;
  /** The unit of each stretch of the music (more than one only where the tempo changes). */
  readonly sections: readonly { readonly startSeconds: number; readonly endSeconds: number; readonly unit: CutGranularity; readonly unitSeconds: number }[];
}

/** A file the job wrote, downloadable from the companion. */
export interface ArtifactFile {
  readonly name: string;
  /** The exporter id for timeline files, "plan" for plan.json and storyboard.json, "preview" for the video, "report" for report.txt and report.html. */
  readonly format: string;
  readonly sizeBytes: number;
  readonly url: string;
}

export interface MontageResultData {
  readonly plan: PlanSummary;
  readonly chosen: readonly ChosenShot[];
  /** The music's emotion per bar (the bars of the analysis, at the job's granularity). */
  readonly musicEmotion: readonly BarSummary[];
  readonly files: readonly ArtifactFile[];
  /** The preview video's URL, or null when no preview was rendered. */
  readonly previewUrl: string | null;
  /** A short human-readable report. */
  readonly report: string;
}

interface ResultBase {
  readonly type: 'result';
  readonly jobId: string;
  /** The job whose analysis this one reused (resolve), when any. */
  readonly sourceJobId?: string;
  readonly elapsedMs: number;
}
export interface AnalyseResultMessage extends ResultBase {
  readonly kind: 'analyse';
  readonly analysis: AnalysisSummary;
}
export interface MontageResultMessage extends ResultBase {
  readonly kind: 'montage' | 'resolve';
  readonly analysis: AnalysisSummary;
  readonly montage: MontageResultData;
}
export type ResultMessage = AnalyseResultMessage | MontageResultMessage;

export interface CancelledMessage {
  readonly type: 'cancelled';
  readonly jobId: string;
}

/** A job's state, answering `cancel` and `job`. */
export interface JobStateMessage {
  readonly type: 'jobState';
  readonly requestId: string;
  readonly jobId: string;
  readonly kind: JobKind;
  readonly status: JobStatus;
  /** Present when status is "done". */
  readonly result?: ResultMessage;
  /** Present when status is "failed". */
  readonly error?: WireError;
}

/** The text of one output file, answering `file`. */
export interface FileContentMessage {
  readonly type: 'fileContent';
  readonly requestId: string;
  readonly jobId: string;
  readonly name: string;
  readonly format: string;
  /** The whole file, UTF-8. */
  readonly text: string;
}

export interface PongMessage {
  readonly type: 'pong';
  readonly requestId: string;
  /** Server time, ms since the epoch. */
  readonly time: number;
}

/**
 * A refused frame (with `requestId` when it could be read) or a failed job (with `jobId`, terminal for it).
 * Fields of {@link WireError} are flattened into the frame.
 */
export interface ErrorMessage extends WireError {
  readonly type: 'error';
  readonly requestId?: string;
  readonly jobId?: string;
}

/** Every frame the server may send. */
export type ServerMessage = WelcomeMessage | AcceptedMessage | ProgressMessage | ResultMessage | CancelledMessage | JobStateMessage | PongMessage | FileContentMessage | ErrorMessage;
export type ServerMessageType = ServerMessage['type'];

/** WebSocket close codes the server uses (4000–4999 are application codes). */
export const CLOSE_CODES = {
  /** Wrong or missing token. */
  unauthorized: 4401,
  /** Unsupported protocol version. */
  version: 4400,
  /** Too many refused frames in a row. */
  abuse: 4408,
  /** The WebSocket's Origin is not the panel, the companion's page or a local tool (sent with an error frame). */
  forbiddenOrigin: 4403,
  /** The server is shutting down. */
  shutdown: 1001,
  /** ws: a frame beyond the hard size cap. */
  tooLarge: 1009,
} as const;
