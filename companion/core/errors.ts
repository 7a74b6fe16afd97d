/**
 * One catalogue of error codes for the whole product. Every code is documented under its own anchor in
 * docs/errors.md (a test keeps the two in step). Problems in user data carry `where` (file, field, time);
 * cancellation is {@link CancellationError}, not a failure.
 */

/** Every error code, with a one-line summary. Append new codes; never reuse or renumber one. */
export const ERROR_CODES = {
  AM_ERR_INVALID_ARGUMENT: 'An option or argument has a bad value.',
  AM_ERR_FILE_NOT_FOUND: 'An input file does not exist or cannot be read.',
  AM_ERR_MEDIA_UNREADABLE: 'A file is not media that ffprobe/ffmpeg can read, or it is corrupt or truncated.',
  AM_ERR_MEDIA_NOT_IMPORTABLE: 'A movie is in a container or codec the target editing application cannot import (a notice; --transcode writes an editing copy).',
  AM_ERR_NO_VIDEO_STREAM: 'The movie has no video stream.',
  AM_ERR_NO_AUDIO_STREAM: 'The music has no audio stream.',
  AM_ERR_MUSIC_TOO_SHORT: 'The music (or the chosen music range) is shorter than one bar.',
  AM_ERR_TOO_FEW_SHOTS: 'The movie has too few usable shots to fill the music.',
  AM_ERR_NO_EXACT_FILL: 'No choice of shots fills the bars exactly under the constraints.',
  AM_ERR_PLAN_CONSTRAINTS: 'Pins, bans or locked ranges contradict each other or the input.',
  AM_ERR_OUTPUT_EXISTS: 'The output already exists and overwriting was not allowed.',
  AM_ERR_OUTPUT_WRITE: 'An output file could not be written.',
  AM_ERR_FFMPEG_NOT_FOUND: 'The ffmpeg or ffprobe executable could not be found or started.',
  AM_ERR_FFMPEG_FAILED: 'An ffmpeg or ffprobe process failed.',
  AM_ERR_PROCESS_TIMEOUT: 'A child process ran past its time limit and was killed.',
  AM_ERR_CANCELLED: 'The work was cancelled.',
  AM_ERR_CACHE_CORRUPT: 'A cache entry was unreadable (it is rebuilt).',
  AM_ERR_MODEL_MISSING: 'An optional model file is absent; defaults are used.',
  AM_ERR_MODEL_INVALID: 'A model file exists but does not match its expected inputs, outputs or checksum.',
  AM_ERR_EXTENSION_MANIFEST: 'An extension manifest is invalid.',
  AM_ERR_EXTENSION_NOT_FOUND: 'No extension contributes the requested id.',
  AM_ERR_EXTENSION_DUPLICATE_ID: 'Two extensions contribute or register the same id.',
  AM_ERR_EXTENSION_ACTIVATION: 'An extension failed to activate or did not register what it declared.',
  AM_ERR_EXTENSION_FAILED: 'An extension threw while doing its work.',
  AM_ERR_EXTENSION_TIMEOUT: 'An extension ignored cancellation or ran past its time limit.',
  AM_ERR_TIMELINE_INVALID: 'A timeline given to an exporter is malformed.',
  AM_ERR_INTERCHANGE_PARSE: 'A timeline interchange file (xmeml, FCPXML, EDL, OTIO) could not be parsed.',
  AM_ERR_PROTOCOL_MALFORMED: 'A protocol frame is not valid JSON or does not match the schema.',
  AM_ERR_PROTOCOL_UNKNOWN_TYPE: 'A protocol frame has an unknown type.',
  AM_ERR_PROTOCOL_FRAME_TOO_LARGE: 'A protocol frame exceeds the size limit.',
  AM_ERR_PROTOCOL_RATE_LIMITED: 'A client sent frames faster than the rate limit.',
  AM_ERR_PROTOCOL_VERSION: 'The client speaks an unsupported protocol version.',
  AM_ERR_PROTOCOL_OUT_OF_ORDER: 'A frame arrived out of order (for example before hello).',
  AM_ERR_UNAUTHORIZED: 'The token is missing or wrong.',
  AM_ERR_FORBIDDEN_ORIGIN: 'The request came from a foreign origin.',
  AM_ERR_PATH_FORBIDDEN: 'A requested path lies outside the allowed folders.',
  AM_ERR_JOB_NOT_FOUND: 'No job has this id.',
  AM_ERR_QUEUE_FULL: 'The job queue is full.',
  AM_ERR_MEDIA_NOT_A_FILE: 'An input path names something that is not a regular file (a FIFO, a device, a folder).',
  AM_ERR_INTERRUPTED: 'A job was queued or running when the companion stopped (crash, kill or power loss).',
  AM_ERR_URL_MALFORMED: 'An HTTP request path is malformed (for example bad percent-encoding).',
  AM_ERR_CONNECTION_LIMIT: 'Too many connections are waiting to say hello; try again shortly.',
  AM_ERR_QUEUE_UNAVAILABLE: 'The job queue (Redis, for --redis) cannot be reached.',
  AM_ERR_NO_USABLE_SOURCE: 'None of the movies or media ranges given can be used (every one is missing, unreadable, audio-only or empty).',
  AM_ERR_SOURCE_DUPLICATE: 'The same media range was given twice (a notice: it is used once).',
  AM_ERR_INTERNAL: 'An unexpected internal error (a bug: please report it).',
} as const satisfies Record<`AM_ERR_${string}`, string>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Where a problem is: any of a file, a field (JSON path or option name), a time, an extension. */
export interface ErrorLocation {
  readonly file?: string;
  readonly field?: string;
  readonly timeSeconds?: number;
  readonly extension?: string;
}

/** A problem found in user data, collected with others rather than thrown one at a time. */
export interface Diagnostic {
  readonly code: ErrorCode;
  readonly message: string;
  readonly where?: ErrorLocation;
}

/** The serialised form of an error, as sent over the protocol and printed by `--json`. */
export interface ErrorData {
  readonly code: ErrorCode;
  readonly message: string;
  readonly where?: ErrorLocation;
  readonly diagnostics?: readonly Diagnostic[];
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The one error type of the product. */
export class MontageError extends Error {
  override readonly name: string = 'MontageError';
  readonly code: ErrorCode;
  readonly where: ErrorLocation | undefined;
  readonly diagnostics: readonly Diagnostic[];
  /** Machine-readable figures behind the message (e.g. bars needed and bars available). */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { where?: ErrorLocation; diagnostics?: readonly Diagnostic[]; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.where = options.where;
    this.diagnostics = options.diagnostics ?? [];
    this.details = options.details;
  }

  toJSON(): ErrorData {
    return {
      code: this.code,
      message: this.message,
      ...(this.where ? { where: this.where } : {}),
      ...(this.diagnostics.length ? { diagnostics: this.diagnostics } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

/** Thrown when work stops because its CancellationToken fired. It is not a failure. */
export class CancellationError extends MontageError {
  override readonly name = 'CancellationError';
  constructor(message = 'Cancelled.') {
    super('AM_ERR_CANCELLED', message);
  }
}

/** Wraps anything thrown into a MontageError (unknown errors become AM_ERR_INTERNAL). */
export function toMontageError(value: unknown): MontageError {
  if (value instanceof MontageError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new MontageError('AM_ERR_INTERNAL', message, { cause: value });
}

/** "file: message" style one-liner for humans. */
export function formatError(error: ErrorData): string {
  const where = error.where;
  const place = where
    ? [where.extension && `[extension: ${where.extension}]`, where.file, where.field && `(${where.field})`, where.timeSeconds !== undefined && `at ${where.timeSeconds.toFixed(3)} s`]
        .filter(Boolean)
        .join(' ')
    : '';
  const lines = [`${error.code}: ${error.message}${place ? ` — ${place}` : ''}`];
  for (const d of error.diagnostics ?? []) lines.push(`  - ${d.code}: ${d.message}${d.where?.field ? ` (${d.where.field})` : ''}`);
  return lines.join('\n');
}
