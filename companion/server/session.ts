/**
 * One WebSocket connection speaking protocol v1 (companion/protocol/messages.ts holds the invariants).
 * Every incoming frame passes, in order: rate limit → binary/size/UTF-8 checks → schema → state machine
 * (hello first, once). Every refusal is an `error` frame with a code; the connection keeps serving. When the
 * socket closes, the connection's queued and running jobs are cancelled. Before hello a connection costs
 * little: it must say hello within `helloTimeoutMs` (5 s), in a frame of at most `maxHelloFrameBytes` (4 KiB),
 * and wrong tokens are answered ever later (AuthThrottle), so guessing is slow.
 */
import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { WebSocket } from 'ws';
import { describeFileType } from '../media/regular-file';
import { MontageError, toMontageError, type ErrorCode, type ErrorData } from '../core/errors';
import {
  CLOSE_CODES,
  PROTOCOL_VERSION,
  type AnalyseMessage,
  type ClientMessage,
  type JobStateMessage,
  type MediaSource,
  type MovieSource,
  type MontageMessage,
  type ProtocolLimits,
  type ResolveMessage,
  type ServerMessage,
  type ServerStatus,
} from '../protocol/messages';
import { parseClientFrame } from '../protocol/schema';
import { tokensEqual } from './config';
import type { JobManager, JobSink } from './job-manager';
import type { Pairing } from './pairing';
import { toResultMessage, type ArtifactUrls } from './result-message';
import type { JobRequest } from './run-job';

export interface SessionOptions {
  readonly token: string;
  readonly limits: ProtocolLimits;
  readonly manager: JobManager;
  readonly serverVersion: string;
  readonly formats: () => readonly string[];
  readonly urls: ArtifactUrls;
  /** Close a connection that has not said hello after this long (default 5 s). */
  readonly helloTimeoutMs?: number;
  /** Before hello, a larger frame closes the connection (default 4 KiB: a hello is about 150 bytes). */
  readonly maxHelloFrameBytes?: number;
  /** Delays the answer to wrong tokens; shared by every connection of the server. */
  readonly authThrottle?: AuthThrottle;
  readonly onClose?: (session: Session) => void;
  /** Accepts a pairing code in place of the token (protocol invariant 11); without it, codes are refused. */
  readonly pairing?: Pairing;
  /** The status line's facts sent in `welcome`. */
  readonly status?: () => ServerStatus;
  /** Reads a text output of a finished job for `file` (the same checks as the HTTP artifact route). */
  readonly readArtifact?: (jobId: string, name: string) => Promise<{ format: string; text: string }>;
}

export const DEFAULT_HELLO_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_HELLO_FRAME_BYTES = 4 * 1024;

/** Beyond this many bytes waiting in the socket, progress frames are dropped (terminal frames never are). */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export class Session {
  readonly id = randomBytes(8).toString('hex');
  private state: 'awaiting-hello' | 'ready' | 'closed' = 'awaiting-hello';
  /** Whether hello succeeded; a connection that never did counts against the server's cap on such ones. */
  get authenticated(): boolean {
    return this.welcomed;
  }
  private welcomed = false;
  private readonly bucket: RateLimiter;
  private readonly helloTimer: NodeJS.Timeout;
  /** Frames refused for the rate limit in the current second; a flood far beyond the limit closes the socket. */
  private flood = { windowStart: 0, dropped: 0 };

  constructor(
    private readonly socket: WebSocket,
    private readonly options: SessionOptions,
  ) {
    this.bucket = new RateLimiter(options.limits.maxMessagesPerSecond);
    this.helloTimer = setTimeout(() => {
      if (this.state === 'awaiting-hello') this.refuse('AM_ERR_UNAUTHORIZED', 'No hello frame arrived in time.', CLOSE_CODES.unauthorized);
    }, options.helloTimeoutMs ?? DEFAULT_HELLO_TIMEOUT_MS);
    this.helloTimer.unref();
    socket.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    socket.on('close', () => this.onClose());
    socket.on('error', () => {}); // 'close' follows; the ws library has already answered protocol errors
  }

  private onFrame(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    if (this.state === 'closed') return;
    if (!this.bucket.take()) {
      const now = Date.now();
      if (now - this.flood.windowStart >= 1000) this.flood = { windowStart: now, dropped: 0 };
      if (++this.flood.dropped > 10 * this.options.limits.maxMessagesPerSecond) {
        this.refuse('AM_ERR_PROTOCOL_RATE_LIMITED', 'Far more frames than the rate limit; closing.', CLOSE_CODES.abuse);
        return;
      }
      const buffer = toBuffer(data);
      this.sendError(
        { code: 'AM_ERR_PROTOCOL_RATE_LIMITED', message: `More than ${this.options.limits.maxMessagesPerSecond} frames per second; this frame was dropped.` },
        isBinary || buffer.length > this.options.limits.maxFrameBytes ? undefined : readRequestId(buffer),
      );
      return;
    }
    const buffer = toBuffer(data);
    const maxHelloFrameBytes = this.options.maxHelloFrameBytes ?? DEFAULT_MAX_HELLO_FRAME_BYTES;
    if (this.state === 'awaiting-hello' && buffer.length > maxHelloFrameBytes) {
      this.refuse('AM_ERR_PROTOCOL_FRAME_TOO_LARGE', `The frame is ${buffer.length} bytes; before hello the limit is ${maxHelloFrameBytes}.`, CLOSE_CODES.tooLarge, {
        details: { bytes: buffer.length, maxFrameBytes: maxHelloFrameBytes },
      });
      return;
    }
    if (buffer.length > this.options.limits.maxFrameBytes) {
      this.sendError({
        code: 'AM_ERR_PROTOCOL_FRAME_TOO_LARGE',
        message: `The frame is ${buffer.length} bytes; the limit is ${this.options.limits.maxFrameBytes}.`,
        details: { bytes: buffer.length, maxFrameBytes: this.options.limits.maxFrameBytes },
      });
      return;
    }
    if (isBinary) {
      this.sendError({ code: 'AM_ERR_PROTOCOL_MALFORMED', message: 'Binary frames are not part of the protocol; send JSON text frames.' });
      return;
    }
    if (!isUtf8(buffer)) {
      this.sendError({ code: 'AM_ERR_PROTOCOL_MALFORMED', message: 'The text frame is not valid UTF-8.' });
      return;
    }
    const parsed = parseClientFrame(buffer.toString('utf8'), this.options.limits.maxFrameBytes, buffer.length);
    if (!parsed.ok) {
      this.sendError(parsed.error, parsed.requestId);
      return;
    }
    this.dispatch(parsed.message).catch((error: unknown) => {
      const requestId = 'requestId' in parsed.message ? parsed.message.requestId : undefined;
      this.sendError(toMontageError(error).toJSON(), requestId);
    });
  }

  private starting: Promise<void> = Promise.resolve();

  private async dispatch(message: ClientMessage): Promise<void> {
    if (message.type === 'hello') return this.hello(message.protocol, message.token, message.pairingCode);
    if (this.state !== 'ready') {
      this.sendError({ code: 'AM_ERR_PROTOCOL_OUT_OF_ORDER', message: `A "${message.type}" frame arrived before hello; send hello first.`, where: { field: 'type' } }, message.requestId);
      return;
    }
    switch (message.type) {
      case 'ping':
        return this.send({ type: 'pong', requestId: message.requestId, time: Date.now() });
      case 'analyse':
      case 'montage':
      case 'resolve': {
        // One after another: the acceptance checks are asynchronous, and a connection's jobs are accepted (and
        // queued) in the order it sent them.
        const started = this.starting.then(() => this.startJob(message));
        this.starting = started.catch(() => undefined);
        return started;
      }
      case 'cancel': {
        const status = this.options.manager.cancel(message.jobId, this.id);
        const info = await this.options.manager.info(message.jobId);
        return this.send({ type: 'jobState', requestId: message.requestId, jobId: message.jobId, kind: info?.kind ?? 'montage', status });
      }
      case 'job':
        return this.jobState(message.requestId, message.jobId);
      case 'file': {
        if (!this.options.readArtifact) throw new MontageError('AM_ERR_JOB_NOT_FOUND', 'This companion serves no job files.', { where: { field: 'jobId' } });
        const { format, text } = await this.options.readArtifact(message.jobId, message.name);
        return this.send({ type: 'fileContent', requestId: message.requestId, jobId: message.jobId, name: message.name, format, text });
      }
    }
  }

  private hello(protocol: number, token: string, pairingCode: string | undefined): void {
    if (this.state !== 'awaiting-hello') {
      this.sendError({ code: 'AM_ERR_PROTOCOL_OUT_OF_ORDER', message: 'A second hello on one connection.', where: { field: 'type' } });
      return;
    }
    if (protocol !== PROTOCOL_VERSION) {
      this.refuse('AM_ERR_PROTOCOL_VERSION', `This companion speaks protocol ${PROTOCOL_VERSION}; the client sent ${protocol}. Update the panel or the companion.`, CLOSE_CODES.version, {
        details: { serverProtocol: PROTOCOL_VERSION, clientProtocol: protocol },
      });
      return;
    }
    // A pairing code is tried only when no token came; a right one is used up here (invariant 11).
    const paired = token === '' && pairingCode !== undefined && this.options.pairing?.redeem(pairingCode) === true;
    if (!paired && !tokensEqual(token, this.options.token)) {
      const delayMs = this.options.authThrottle?.failed() ?? 0;
      const message =
        token === '' && pairingCode !== undefined
          ? 'The pairing code is wrong or already used. Type the code `auto-montage serve` printed last.'
          : 'The token is wrong. Copy it from the companion (`auto-montage serve` prints it).';
      const refuse = () => this.refuse('AM_ERR_UNAUTHORIZED', message, CLOSE_CODES.unauthorized);
      if (delayMs === 0) return refuse();
      // Nothing more is read from this connection; the answer comes late.
      this.state = 'closed';
      clearTimeout(this.helloTimer);
      setTimeout(refuse, delayMs).unref();
      return;
    }
    clearTimeout(this.helloTimer);
    this.state = 'ready';
    this.welcomed = true;
    const { limits } = this.options;
    const status = this.options.status?.();
    this.send({
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      serverVersion: this.options.serverVersion,
      sessionId: this.id,
      limits,
      formats: this.options.formats(),
      ...(paired ? { token: this.options.token } : {}),
      ...(status ? { status } : {}),
    });
  }

  private async startJob(message: AnalyseMessage | MontageMessage | ResolveMessage): Promise<void> {
    let request: JobRequest;
    if (message.type === 'resolve') {
      request = {
        kind: 'resolve',
        movie: { path: '' },
        music: { path: '' },
        options: message.options ?? {},
        ...(message.formats ? { formats: message.formats } : {}),
        preview: message.preview ?? false,
        sourceJobId: message.jobId,
      };
    } else {
      // `movie` is the one-file shorthand of `sources` (the schema takes exactly one of them).
      const sources = message.sources;
      const movie = message.movie ?? { path: sources![0]!.path, ...(sources![0]!.range ? { range: sources![0]!.range } : {}) };
      await Promise.all([checkMedia(message.music, 'music'), sources ? checkSources(sources) : checkMedia(movie, 'movie')]);
      request = {
        kind: message.type,
        movie,
        ...(sources ? { sources } : {}),
        ...(message.rate ? { rate: message.rate } : {}),
        music: message.music,
        options: message.options ?? {},
        ...(message.type === 'montage' && message.formats ? { formats: message.formats } : {}),
        preview: message.type === 'montage' ? (message.preview ?? true) : false,
      };
    }
    if (request.formats) {
      const known = this.options.formats();
      const unknown = request.formats.filter((format) => !known.includes(format));
      if (known.length > 0 && unknown.length > 0) {
        throw new MontageError('AM_ERR_EXTENSION_NOT_FOUND', `No exporter ${unknown.map((f) => `"${f}"`).join(', ')}; available: ${known.join(', ')}.`, { where: { field: 'formats' } });
      }
    }
    let jobId = '';
    const pending: (() => ServerMessage)[] = [];
    let accepted = false;
    // Frames of the job wait until `accepted` has gone out (invariant 4). They are made when sent: the job may
    // report before submit has returned its id.
    const emit = (frame: () => ServerMessage, droppable = false) => (accepted ? this.send(frame(), droppable) : pending.push(frame));
    const sink: JobSink = {
      progress: (report) => emit(() => ({ type: 'progress', jobId, ...report }), true),
      finished: (result) => emit(() => toResultMessage(jobId, result, this.options.urls)),
      failed: (error) => emit(() => ({ type: 'error', jobId, ...error })),
      cancelled: () => emit(() => ({ type: 'cancelled', jobId })),
    };
    const submitted = await this.options.manager.submit(request, this.id, sink);
    jobId = submitted.jobId;
    this.send({ type: 'accepted', requestId: message.requestId, jobId, kind: request.kind, queuePosition: submitted.queuePosition });
    accepted = true;
    for (const frame of pending.splice(0)) this.send(frame());
    if (this.state === 'closed') this.options.manager.cancelOwner(this.id); // closed while submitting
  }

  private async jobState(requestId: string, jobId: string): Promise<void> {
    const info = await this.options.manager.info(jobId);
    if (!info) throw new MontageError('AM_ERR_JOB_NOT_FOUND', `No job ${JSON.stringify(jobId)}.`, { where: { field: 'jobId' } });
    const frame: JobStateMessage = {
      type: 'jobState',
      requestId,
      jobId,
      kind: info.kind,
      status: info.status,
      ...(info.result ? { result: toResultMessage(jobId, info.result, this.options.urls) } : {}),
      ...(info.error ? { error: info.error } : {}),
    };
    this.send(frame);
  }

  private send(frame: ServerMessage, droppable = false): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (droppable && this.socket.bufferedAmount > MAX_BUFFERED_BYTES) return;
    this.socket.send(JSON.stringify(frame));
  }

  private sendError(error: ErrorData, requestId?: string): void {
    this.send({ type: 'error', ...(requestId === undefined ? {} : { requestId }), ...error });
  }

  /** Sends an error and closes the connection with an application close code. */
  private refuse(code: ErrorCode, message: string, closeCode: number, extra: { details?: Record<string, unknown> } = {}): void {
    this.sendError({ code, message, ...extra });
    this.state = 'closed';
    this.socket.close(closeCode, code);
  }

  private onClose(): void {
    this.state = 'closed';
    clearTimeout(this.helloTimer);
    this.options.manager.cancelOwner(this.id);
    this.options.onClose?.(this);
  }

  /** Closes the connection (server shutdown). */
  close(code: number = CLOSE_CODES.shutdown, reason = 'shutdown'): void {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) this.socket.close(code, reason);
  }
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  return Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/** The requestId of a frame that is dropped unread (rate limit), so the client can still match the reply. */
function readRequestId(buffer: Buffer): string | undefined {
  try {
    const value = JSON.parse(buffer.toString('utf8')) as { requestId?: unknown };
    return typeof value?.requestId === 'string' && value.requestId.length >= 1 && value.requestId.length <= 64 ? value.requestId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Fails fast, before queueing, when a media path is relative, names nothing, or names something other than a
 * regular file (a FIFO would block the job's first read; the pipeline checks again when it opens the file).
 */
async function checkMedia(source: MediaSource, field: 'movie' | 'music'): Promise<void> {
  const where = { file: source.path, field: `${field}.path` };
  if (!isAbsolute(source.path)) {
    throw new MontageError('AM_ERR_INVALID_ARGUMENT', `The ${field} path must be absolute: ${source.path}`, { where });
  }
  const info = await stat(source.path).catch(() => undefined);
  if (!info) throw new MontageError('AM_ERR_FILE_NOT_FOUND', `The ${field} file does not exist: ${source.path}`, { where });
  if (!info.isFile()) throw new MontageError('AM_ERR_MEDIA_NOT_A_FILE', `The ${field} path names ${describeFileType(info)}, not a regular file: ${source.path}`, { where });
}

/**
 * The sources' paths as {@link checkMedia} checks the movie's, except that a missing or unreadable file among
 * several is left to the job (it becomes a notice there and the others are used); a relative path is refused.
 */
async function checkSources(sources: readonly MovieSource[]): Promise<void> {
  if (sources.length === 1) return checkMedia(sources[0]!, 'movie');
  sources.forEach((source, i) => {
    if (!isAbsolute(source.path)) throw new MontageError('AM_ERR_INVALID_ARGUMENT', `The source path must be absolute: ${source.path}`, { where: { file: source.path, field: `sources[${i}].path` } });
  });
}

/**
 * Back-off for wrong tokens, across all connections: the first few in a minute are answered at once, then each
 * answer waits twice as long as the one before (0.5 s, 1 s, 2 s, … up to 5 s). A right token is never delayed,
 * so the panel still connects while someone guesses.
 */
export class AuthThrottle {
  private failures: number[] = [];

  constructor(
    private readonly freeAttempts = 5,
    private readonly windowMs = 60_000,
    private readonly maxDelayMs = 5_000,
  ) {}

  /** Records a wrong token; returns how long to wait before answering it. */
  failed(now = Date.now()): number {
    this.failures = this.failures.filter((time) => now - time < this.windowMs).slice(-64);
    this.failures.push(now);
    const beyond = this.failures.length - this.freeAttempts;
    return beyond <= 0 ? 0 : Math.min(this.maxDelayMs, 500 * 2 ** (beyond - 1));
  }
}

/** A token bucket: `perSecond` frames per second on average, bursts up to twice that. */
export class RateLimiter {
  private tokens: number;
  private last = Date.now();
  private readonly capacity: number;

  constructor(private readonly perSecond: number) {
    this.capacity = Math.max(1, perSecond * 2);
    this.tokens = this.capacity;
  }

  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
