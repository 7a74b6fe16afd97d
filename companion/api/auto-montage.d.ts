/**
 * The Auto-Montage extension API: the whole public surface an extension sees, in one file (after VS Code's
 * `vscode.d.ts`). Built-in extensions (the exporters under `exporters/`, the emotion encoders) are written
 * against exactly this file; third-party extensions are too.
 *
 * An extension is a folder with
 *  - `package.json`, its manifest: `name` (the extension id), `version`, `main` (the entry module, ESM),
 *    `engines: { "auto-montage": "^0.1.0" }` and `contributes` ({@link ExtensionContributions}), and
 *  - the entry module, which exports {@link ExtensionModule.activate} and optionally `deactivate`.
 *
 * Rules the host enforces (a broken extension is reported with its id and never takes the companion down):
 *  - every id an extension registers must be declared in its manifest's `contributes`, and every declared id
 *    must be registered by `activate`;
 *  - ids are unique across all extensions;
 *  - an extension is activated lazily, on the first use of one of its contributed ids;
 *  - long work takes a {@link CancellationToken} last and must stop soon after it fires.
 *
 * Types here are structural copies of the companion's internal types (`companion/core`), so an object
 * written against either passes as the other. This file has no runtime part: runtime services come through
 * the {@link AutoMontageApi} object given to `activate`.
 *
 * Times are exact: a {@link RationalTime} is an integer count of ticks (frames or samples) at a
 * {@link Rate}; ranges include their start and exclude their end.
 */

// ─────────────────────────────────────────────── lifecycle ───────────────────────────────────────────────

/** Something that holds a resource or a registration; `dispose()` releases it. Calling it twice is harmless. */
export interface Disposable {
  dispose(): void;
}

/**
 * An event: call it with a listener to subscribe; the returned {@link Disposable} unsubscribes.
 *
 * @example token.onCancellationRequested(() => child.kill())
 */
export type Event<T> = (listener: (event: T) => void) => Disposable;

/**
 * Tells long work that it should stop. Check {@link CancellationToken.isCancellationRequested} between units
 * of work, or subscribe to {@link CancellationToken.onCancellationRequested}.
 *
 * *Note*: when a token fires, stop within the host's grace period (a few seconds) by throwing
 * (`api.errors.cancelled()`) or returning. An extension that keeps running is reported as
 * `AM_ERR_EXTENSION_TIMEOUT` and its result is ignored.
 */
export interface CancellationToken {
  readonly isCancellationRequested: boolean;
  readonly onCancellationRequested: Event<void>;
}

/** Receives progress reports from long work. */
export interface Progress<T> {
  report(value: T): void;
}

/** What long work reports: its stage, how far it is (0..1), and an optional message. */
export interface ProgressReport {
  readonly stage: string;
  readonly fraction: number;
  readonly message?: string;
}

// ───────────────────────────────────────────────── time ─────────────────────────────────────────────────

/** A rate as an exact fraction of ticks per second, e.g. `{ num: 24000, den: 1001 }` for 23.976 (never 23.976). */
export interface Rate {
  readonly num: number;
  readonly den: number;
}

/** A point in time: `value` ticks at `rate`. `value` is an integer for frame- or sample-exact times. */
export interface RationalTime {
  readonly value: number;
  readonly rate: Rate;
}

/** A half-open range [start, start + duration). Both parts share one rate. */
export interface TimeRange {
  readonly start: RationalTime;
  readonly duration: RationalTime;
}

// ─────────────────────────────────────────────── timeline ───────────────────────────────────────────────

/** A pixel's width over its height (ffprobe `sample_aspect_ratio`), e.g. 64:45 for 16:9 PAL at 720×576; 1:1 is square. */
export interface PixelAspectRatio {
  readonly num: number;
  readonly den: number;
}

/**
 * How a video's frames are scanned: progressive, or interlaced with the upper (top) or lower (bottom) field
 * shown first (ffprobe `field_order`: tt/bt → upper-first, bb/tb → lower-first).
 */
export type FieldOrder = 'progressive' | 'upper-first' | 'lower-first';

/**
 * A media file used by the timeline.
 *
 * *Note*: source ranges of clips count frames from the file's first frame; the embedded start timecode is
 * kept here ({@link MediaReference.startTimecodeFrames}) and added only by formats that want absolute
 * source timecode (EDL, FCPXML `start`, OTIO).
 */
export interface MediaReference {
  /** Unique within the timeline, e.g. "media-1". */
  readonly id: string;
  /** Display name, normally the file name. */
  readonly name: string;
  /** Absolute path as the user's OS writes it (POSIX `/a/b.mov` or Windows `C:\a\b.mov`). */
  readonly path: string;
  readonly hasVideo: boolean;
  readonly hasAudio: boolean;
  /** Frame rate for video; for audio-only media, the sequence rate (positions are counted on it). */
  readonly rate: Rate;
  /** Available length in `rate` frames. */
  readonly durationFrames: number;
  /** Embedded start timecode in `rate` frames (ffprobe `tags.timecode`), 0 when none. */
  readonly startTimecodeFrames: number;
  /** Whether the embedded timecode counts drop-frame. */
  readonly dropFrame: boolean;
  /** Stored frame size in pixels (not the display size: see {@link MediaReference.pixelAspectRatio}). */
  readonly width?: number;
  readonly height?: number;
  /** Video: the pixel aspect ratio; absent means square. */
  readonly pixelAspectRatio?: PixelAspectRatio;
  /** Video: the scan; absent means progressive. */
  readonly fieldOrder?: FieldOrder;
  readonly audioChannels?: number;
  readonly sampleRate?: number;
  /** Audio-only media: its length in samples at `sampleRate` (what FCPXML states for an audio asset). */
  readonly durationSamples?: number;
}

/** A marker colour; formats without a colour ignore it, formats with a smaller palette map it. */
export type MarkerColor = 'red' | 'green' | 'blue' | 'cyan' | 'magenta' | 'yellow' | 'orange' | 'purple' | 'white';

/** A point marker (duration 0 unless given). */
export interface Marker {
  readonly name: string;
  /** For timeline markers: a sequence frame from the timeline start. For clip markers: source frames. */
  readonly time: RationalTime;
  readonly duration?: RationalTime;
  readonly comment?: string;
  readonly color?: MarkerColor;
}

/** A used part of one media file. */
export interface Clip {
  readonly kind: 'clip';
  readonly name: string;
  /** The {@link MediaReference.id} it plays. */
  readonly mediaId: string;
  /** The used part of the media, in the media's frames from its first frame: [in, out). */
  readonly sourceRange: TimeRange;
  /**
   * The clip's length on the sequence grid when its media counts at another rate than the sequence (the cut
   * stays on the sequence grid, the source keeps its own frames). Absent: the source duration rescaled.
   * *Note*: exporters read record positions from it; a clip may then last a fraction of a frame more or less
   * in the source than on the record side.
   */
  readonly recordDuration?: RationalTime;
  /** Markers attached to the clip, positioned in the clip's source time. */
  readonly markers?: readonly Marker[];
  /** Foreign data sits in a namespace, e.g. `{ "auto-montage": { shotIndex: 3 } }`. */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** Empty space on a track. */
export interface Gap {
  readonly kind: 'gap';
  /** Length on the sequence rate. */
  readonly duration: RationalTime;
}

export type TrackItem = Clip | Gap;

export interface Track {
  readonly kind: 'video' | 'audio';
  readonly name: string;
  /**
   * Items back to back from the timeline start. Each item's length on the sequence grid is its duration
   * rescaled to the sequence rate (normally the media rate equals the sequence rate, so it is exact).
   */
  readonly items: readonly TrackItem[];
}

/**
 * The one timeline every exporter reads (after OpenTimelineIO): one sequence rate, tracks of clips and gaps,
 * and sequence markers (bars). The montage has one video track (the movie's shots) and one audio track
 * (the music under the whole thing).
 */
export interface Timeline {
  readonly schema: 'Timeline.1';
  readonly name: string;
  /** The sequence rate (= the movie's rate). */
  readonly rate: Rate;
  /** Record start in sequence frames; 01:00:00:00 by default (86400 at 24 fps). */
  readonly startFrames: number;
  /** Whether sequence timecode counts drop-frame (only at 29.97 and 59.94). */
  readonly dropFrame: boolean;
  readonly width: number;
  readonly height: number;
  /** The sequence frame's pixel aspect ratio (the movie's); absent means square. */
  readonly pixelAspectRatio?: PixelAspectRatio;
  /** The sequence's scan (the movie's); absent means progressive. */
  readonly fieldOrder?: FieldOrder;
  readonly media: readonly MediaReference[];
  readonly tracks: readonly Track[];
  /** Sequence markers (bars), positioned in sequence frames from the timeline start. */
  readonly markers: readonly Marker[];
  readonly metadata?: Readonly<Record<string, unknown>>;
}

// ─────────────────────────────────────────────── exporters ───────────────────────────────────────────────

/** A file an exporter produces: a name relative to the output folder and its text. */
export interface ExportedFile {
  readonly name: string;
  readonly contents: string;
}

/** A value of an exporter option (declared in the manifest, see {@link ExporterOptionContribution}). */
export type ExportOptionValue = string | number | boolean;

/** What the host hands an exporter along with the timeline. */
export interface ExportOptions {
  /** Stem for the files' names, e.g. "montage" → "montage.xml". Plain file name, no folder. */
  readonly baseName: string;
  /**
   * One value for every option the exporter declares in its manifest: validated by the host against the
   * declared type and enum values, with the declared default filled in.
   */
  readonly values: Readonly<Record<string, ExportOptionValue>>;
}

/**
 * Turns a {@link Timeline} into interchange files.
 *
 * *Note*: exporters are pure: no file or media I/O, no probing. Everything they need is in the timeline.
 * Throw `api.errors.invalidTimeline(...)` for a timeline the format cannot express.
 */
export interface Exporter {
  export(timeline: Timeline, options: ExportOptions, token: CancellationToken): ExportedFile[] | Promise<ExportedFile[]>;
}

// ─────────────────────────────────────────── analysis stages ───────────────────────────────────────────

/** What ffprobe tells about a media file. */
export interface MediaInfo {
  readonly path: string;
  readonly sizeBytes: number;
  readonly durationSeconds: number;
  readonly formatName: string;
  readonly video?: VideoStreamInfo;
  readonly audio?: AudioStreamInfo;
}

export interface VideoStreamInfo {
  readonly codec: string;
  /** Display size, after rotation. */
  readonly width: number;
  readonly height: number;
  /** The frame rate frames are counted on (snapped to a standard rate when close). */
  readonly rate: Rate;
  /** Frames on `rate`. */
  readonly frameCount: number;
  /** Rotation in degrees (0, 90, 180, 270). */
  readonly rotation: number;
  /** True when the average and nominal rates disagree (variable frame rate). */
  readonly variableFrameRate: boolean;
  /** Embedded start timecode ("01:00:00:00"), when the file has one. */
  readonly startTimecode?: string;
  /** Pixel aspect ratio (ffprobe `sample_aspect_ratio`, after rotation), when not square. */
  readonly pixelAspectRatio?: PixelAspectRatio;
  /** Interlaced scan (ffprobe `field_order`), when the stream says so; absent means progressive. */
  readonly fieldOrder?: FieldOrder;
}

export interface AudioStreamInfo {
  readonly codec: string;
  readonly channels: number;
  readonly sampleRate: number;
}

/** How a shot begins. */
export type TransitionKind = 'cut' | 'dissolve' | 'fade';

/** A shot: a frame-exact half-open range of the movie, in movie frames. */
export interface Shot {
  readonly index: number;
  readonly range: TimeRange;
  readonly sceneIndex: number;
  readonly transitionIn: TransitionKind;
}

/** Consecutive shots that belong together: shots firstShot .. firstShot + shotCount − 1. */
export interface Scene {
  readonly index: number;
  readonly firstShot: number;
  readonly shotCount: number;
}

/** Visual affect features of a shot, each roughly in [0, 1]. */
export interface ShotFeatures {
  readonly brightness: number;
  readonly saturation: number;
  readonly colourfulness: number;
  /** 0 = cold (blue), 1 = warm (red/yellow). */
  readonly warmth: number;
  readonly contrast: number;
  /** Mean absolute frame difference inside the shot. */
  readonly motion: number;
  /** The middle frame, the shot's representative keyframe. */
  readonly keyframe: number;
  /** A small colour histogram (L1-normalised). */
  readonly colourSignature: readonly number[];
}

/** A beat, in music-file seconds. `beatInBar` counts from 1 (1 = downbeat). */
export interface Beat {
  readonly timeSeconds: number;
  readonly beatInBar: number;
}

/** A bar: downbeat to next downbeat, in music-file seconds. */
export interface Bar {
  readonly index: number;
  readonly startSeconds: number;
  readonly durationSeconds: number;
  readonly beatsPerBar: number;
  readonly tempoBpm: number;
  /** How sure the tracker is of this bar's tempo, meter and phase, 0 (a guess) … 1; absent from trackers that do not say. */
  readonly confidence?: number;
}

/** Per-bar music features. */
export interface BarFeatures {
  /** RMS loudness in dBFS. */
  readonly loudnessDb: number;
  /** Onsets per second. */
  readonly onsetDensity: number;
  readonly spectralCentroidHz: number;
  /** 12 pitch classes from C, L1-normalised. */
  readonly chroma: readonly number[];
  /** +1 clearly major … −1 clearly minor. */
  readonly mode: number;
  readonly tempoBpm: number;
}

/**
 * An encoder's reading of one shot or one stretch of music. `values` are probabilities over the six labels
 * excited, fearful, neutral, relaxed, sad, tense (in that order), summing to 1.
 */
export interface EmotionVector {
  /** Which encoder produced it. */
  readonly encoderId: string;
  readonly values: readonly number[];
  /** Pleasure/valence in [-1, 1]. */
  readonly valence: number;
  /** Arousal in [-1, 1]. */
  readonly arousal: number;
  /** How much to trust it, in [0, 1]. */
  readonly confidence: number;
}

/** The result of analysing a movie: shots, scenes and per-shot features. */
export interface MovieAnalysis {
  readonly schema: 'MovieAnalysis.1';
  readonly media: MediaInfo;
  readonly shots: readonly Shot[];
  readonly scenes: readonly Scene[];
  /** Per shot, same order as `shots`. */
  readonly features: readonly ShotFeatures[];
}

export interface BarTrackerOptions {
  /** Force the meter: beats per bar (2–12). */
  readonly beatsPerBar?: number;
  /** Shift the downbeat by this many beats. */
  readonly downbeatShift?: number;
  /** Force the tempo (beats per minute, 30–300); the beats are still placed on the music's own pulse. */
  readonly bpm?: number;
  /** Put a downbeat on the beat nearest this time (music-file seconds); the bar phase follows from it. */
  readonly firstDownbeatSeconds?: number;
}

export interface BarTracking {
  readonly beats: readonly Beat[];
  readonly bars: readonly Bar[];
  readonly tempoBpm: number;
  readonly beatsPerBar: number;
  /** 0 (a guess) … 1 (certain). */
  readonly confidence: number;
  /** 'steady': a beat grid was found; 'free': no steady pulse, the bars are phrase or onset segments. Absent = 'steady'. */
  readonly pulse?: 'steady' | 'free';
}

/** The result of analysing the music: beats, bars and per-bar features. */
export interface MusicAnalysis extends BarTracking {
  readonly schema: 'MusicAnalysis.1';
  readonly media: MediaInfo;
  /** Per bar, same order as `bars`. */
  readonly barFeatures: readonly BarFeatures[];
}

/** Reads the emotion of each shot. `id` must equal the id it is registered under. */
export interface ShotEmotionEncoder {
  readonly id: string;
  readonly kind: 'shot';
  /** One vector per shot, same order as `movie.shots`. */
  encodeShots(movie: MovieAnalysis, token: CancellationToken): Promise<EmotionVector[]>;
}

export interface MusicEmotion {
  readonly global: EmotionVector;
  /** One per bar of the analysis. */
  readonly bars: readonly EmotionVector[];
}

/** Reads the emotion of the music, globally and per bar. `id` must equal the id it is registered under. */
export interface MusicEmotionEncoder {
  readonly id: string;
  readonly kind: 'music';
  encodeMusic(music: MusicAnalysis, token: CancellationToken): Promise<MusicEmotion>;
}

export type EmotionEncoder = ShotEmotionEncoder | MusicEmotionEncoder;

/** One decoded frame, RGB24, row-major. */
export interface RgbFrame {
  /** Frame index on the movie's rate, from 0. */
  readonly index: number;
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Push-based consumer of every frame in order, so one decode can feed several consumers. */
export interface FrameSink<T> {
  push(frame: RgbFrame): void;
  finish(): T;
}

/** Finds shot boundaries. `id` must equal the id it is registered under. */
export interface ShotDetector {
  readonly id: string;
  /** Starts a pass over the movie's frames; `finish()` returns shots covering every frame. */
  start(video: VideoStreamInfo): FrameSink<Shot[]>;
}

/** Finds beats and bars. `id` must equal the id it is registered under. */
export interface BarTracker {
  readonly id: string;
  /** Tracks beats and bars in mono samples. Times are seconds from the first sample. */
  track(samples: Float32Array, sampleRate: number, options: BarTrackerOptions, token: CancellationToken): BarTracking | Promise<BarTracking>;
}

// ─────────────────────────────────────────────── the API ───────────────────────────────────────────────

/** The registry of exporters (`api.exporters`). */
export interface ExporterRegistry {
  /**
   * Registers the exporter for an id declared in `contributes.exporters`.
   * @returns a Disposable that unregisters it; push it onto `context.subscriptions`.
   */
  registerExporter(id: string, exporter: Exporter): Disposable;
}

/** The registry of emotion encoders (`api.emotion`). */
export interface EmotionEncoderRegistry {
  /**
   * Registers an encoder for an id declared in `contributes.emotionEncoders` with the same `kind`.
   * *Note*: `encoder.id` must equal `id`.
   */
  registerEncoder(id: string, encoder: EmotionEncoder): Disposable;
}

/** The registry of shot detectors (`api.shots`). */
export interface ShotDetectorRegistry {
  /** Registers a detector for an id declared in `contributes.shotDetectors`; `detector.id` must equal `id`. */
  registerDetector(id: string, detector: ShotDetector): Disposable;
}

/** The registry of bar trackers (`api.bars`). */
export interface BarTrackerRegistry {
  /** Registers a tracker for an id declared in `contributes.barTrackers`; `tracker.id` must equal `id`. */
  registerTracker(id: string, tracker: BarTracker): Disposable;
}

/** Errors an extension may throw; the host reports them with the extension's id. */
export interface ErrorFactory {
  /** The error to throw when a {@link CancellationToken} fired. Cancellation is not a failure. */
  cancelled(message?: string): Error;
  /** Throws {@link ErrorFactory.cancelled} when the token has fired. Call it between units of work. */
  throwIfCancelled(token: CancellationToken): void;
  /** The timeline cannot be expressed in this format (AM_ERR_TIMELINE_INVALID); `field` names the bad part. */
  invalidTimeline(message: string, field?: string): Error;
}

/** What the host gives `activate`, next to the context: the registries and a few services. */
export interface AutoMontageApi {
  /** The API version (semver), e.g. "0.1.0"; the manifest's `engines["auto-montage"]` range must accept it. */
  readonly version: string;
  readonly exporters: ExporterRegistry;
  readonly emotion: EmotionEncoderRegistry;
  readonly shots: ShotDetectorRegistry;
  readonly bars: BarTrackerRegistry;
  readonly errors: ErrorFactory;
}

/** The extension's own facts and the list that owns its registrations. */
export interface ExtensionContext {
  /**
   * Disposables owned by the extension: every registration goes here. They are disposed when the extension
   * is deactivated (host disposal), after `deactivate()`.
   */
  readonly subscriptions: Disposable[];
  /** The extension id (the manifest's `name`). */
  readonly extensionId: string;
  /** The manifest's `version`. */
  readonly extensionVersion: string;
  /** The extension's folder for user extensions; undefined for built-ins (they are bundled). */
  readonly extensionPath: string | undefined;
  /** Writes a line to the host's log, tagged with the extension id. */
  log(message: string): void;
}

/**
 * The entry module of an extension.
 *
 * *Note*: `activate` only wires features (registers what the manifest declares); it must not do the work
 * itself. It may be async. It runs once, on first use of any id the extension contributes.
 */
export interface ExtensionModule {
  activate(context: ExtensionContext, api: AutoMontageApi): void | Promise<void>;
  deactivate?(): void | Promise<void>;
}

// ─────────────────────────────────────────────── manifest ───────────────────────────────────────────────

/** An option an exporter accepts, shown by the CLI (`--option name=value`) and the panel. */
export interface ExporterOptionContribution {
  /** camelCase name, e.g. "flavor". */
  readonly name: string;
  readonly type: 'string' | 'number' | 'boolean' | 'enum';
  /** For `enum`: the allowed values. */
  readonly values?: readonly string[];
  /** Used when the caller gives none. */
  readonly default: ExportOptionValue;
  readonly description: string;
}

export interface ExporterContribution {
  /** Unique id, `[a-z0-9][a-z0-9-]*`, e.g. "fcp7-xml". */
  readonly id: string;
  /** Human name, e.g. "Final Cut Pro 7 XML (Premiere Pro, Resolve)". */
  readonly label: string;
  /** The main file's extension with its dot, e.g. ".xml". */
  readonly fileExtension: string;
  readonly options?: readonly ExporterOptionContribution[];
}

export interface EmotionEncoderContribution {
  readonly id: string;
  readonly kind: 'shot' | 'music';
  readonly label?: string;
}

export interface StageContribution {
  readonly id: string;
  readonly label?: string;
}

/** `contributes` in package.json. Every id declared here must be registered by `activate`, and vice versa. */
export interface ExtensionContributions {
  readonly exporters?: readonly ExporterContribution[];
  readonly emotionEncoders?: readonly EmotionEncoderContribution[];
  readonly shotDetectors?: readonly StageContribution[];
  readonly barTrackers?: readonly StageContribution[];
}

/** The fields of package.json the host reads. */
export interface ExtensionManifest {
  /** The extension id: `[a-z0-9][a-z0-9._-]*` (an npm-style name, optionally `@scope/name`). */
  readonly name: string;
  /** semver of the extension. */
  readonly version: string;
  readonly displayName?: string;
  readonly description?: string;
  /** Entry module relative to the folder (ESM); default "index.js". Ignored for built-ins. */
  readonly main?: string;
  /** The API range the extension was written for, e.g. `{ "auto-montage": "^0.1.0" }`. */
  readonly engines: { readonly 'auto-montage': string };
  readonly contributes: ExtensionContributions;
}
