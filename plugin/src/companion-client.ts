/**
 * The panel's side of protocol v1 (companion/protocol/messages.ts): one WebSocket, `hello` first, then
 * requests that each get exactly one direct reply and jobs that end in exactly one terminal frame.
 * When the socket closes, every pending request and job fails at once (a {@link CompanionError} of kind
 * "disconnected"), so no caller waits forever.
 * DOM-free: it runs in UXP, browsers and Node tests alike (the socket comes from a {@link SocketFactory}).
 */
import {
  CLOSE_CODES,
  DEFAULT_PORT,
  PROTOCOL_SUBPROTOCOL,
  PROTOCOL_VERSION,
  WEBSOCKET_PATH,
  type AcceptedMessage,
  type ClientMessage,
  type FileContentMessage,
  type HelloMessage,
  type JobStateMessage,
  type MontageMessage,
  type MontageResultMessage,
  type ProgressMessage,
  type ResolveMessage,
  type ServerMessage,
  type WelcomeMessage,
  type WireError,
} from '../../companion/protocol/messages';
import type { SocketFactory, SocketLike } from './host';

/** The companion URL the panel tries first. 127.0.0.1, not localhost: Node may bind IPv6-only and macOS webviews block http://localhost. */
export const DEFAULT_COMPANION_URL = `http://127.0.0.1:${DEFAULT_PORT}`;

/**
 * Why a call failed: a server error (with its catalogue code), or the connection itself: nothing answers at the
 * address (`unreachable`), the host refused to open it (`permission`: UXP's manifest network.domains), the
 * companion refused the panel's Origin (`forbidden-origin`), it dropped, or it did not answer in time.
 */
export type CompanionErrorKind = 'server' | 'unreachable' | 'permission' | 'forbidden-origin' | 'disconnected' | 'timeout' | 'cancelled';

export class CompanionError extends Error {
  override readonly name = 'CompanionError';
  constructor(
    readonly kind: CompanionErrorKind,
    message: string,
    /** The server's error, for kind "server". */
    readonly wire?: WireError,
  ) {
    super(message);
  }
}

/** Turns what the user typed ("127.0.0.1:7391", "http://localhost:7391/") into the http base and the ws URL. */
export function companionUrls(input: string): { http: string; ws: string } {
  let text = input.trim() || DEFAULT_COMPANION_URL;
  if (!/^[a-z]+:\/\//i.test(text)) text = `http://${text}`;
  const match = /^(https?|wss?):\/\/([^/?#]+)/i.exec(text);
  if (!match) throw new CompanionError('unreachable', `"${input}" is not a companion address such as ${DEFAULT_COMPANION_URL}.`);
  const scheme = (match[1] ?? 'http').toLowerCase();
  const authority = match[2] ?? '';
  const secure = scheme === 'https' || scheme === 'wss';
  return { http: `${secure ? 'https' : 'http'}://${authority}`, ws: `${secure ? 'wss' : 'ws'}://${authority}${WEBSOCKET_PATH}` };
}

type WithoutRequestId<T> = T extends unknown ? Omit<T, 'requestId'> : never;
/** Any request after hello, without its requestId (the client adds one). */
type ClientRequest = WithoutRequestId<Exclude<ClientMessage, HelloMessage>>;
/** A job request without its requestId. */
export type JobRequest = WithoutRequestId<MontageMessage | ResolveMessage>;

/** A job in flight: its id once accepted, its end, and a way to cancel it. */
export interface JobHandle {
  readonly accepted: Promise<AcceptedMessage>;
  readonly done: Promise<MontageResultMessage>;
  cancel(): void;
}

interface PendingRequest {
  resolve(message: ServerMessage): void;
  reject(error: CompanionError): void;
}

interface PendingJob {
  onProgress(message: ProgressMessage): void;
  resolve(message: MontageResultMessage): void;
  reject(error: CompanionError): void;
}

/** How to say hello: with the token, or once with the pairing code the companion prints (protocol invariant 11). */
export type Credentials = { readonly token: string } | { readonly pairingCode: string };

/** The messages UXP's WebSocket gives when the manifest's network.domains does not list an address. */
const PERMISSION_WORDS = /permission|not permitted|not allowed|manifest|network\.domains|denied/i;

export interface CompanionClientOptions {
  /** Free text for the server's logs. */
  readonly clientName?: string;
  /**
   * The WebSocket origins the host lets the panel open (UXP: manifest.json's network.domains). An address outside
   * them fails at once with kind "permission" instead of a confusing "not running".
   */
  readonly allowedSocketOrigins?: readonly string[];
  /** How long to wait for the socket to open and for `welcome`. */
  readonly connectTimeoutMs?: number;
}

const SOCKET_OPEN = 1;

export class CompanionClient {
  private socket: SocketLike | undefined;
  private welcome: WelcomeMessage | undefined;
  private nextRequest = 1;
  private readonly requests = new Map<string, PendingRequest>();
  private readonly jobs = new Map<string, PendingJob>();
  /** Job frames that arrive before their `accepted` reply has been processed (never in order, but cheap to allow). */
  private readonly early = new Map<string, ServerMessage[]>();
  private closeListeners = new Set<(reason: string) => void>();

  constructor(
    private readonly socketFactory: SocketFactory,
    private readonly options: CompanionClientOptions = {},
  ) {}

  /** True after a successful hello, until the socket closes. */
  get connected(): boolean {
    return this.welcome !== undefined && this.socket?.readyState === SOCKET_OPEN;
  }

  /** Calls `listener` once when an established connection drops. Returns an unsubscribe function. */
  onClose(listener: (reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /**
   * Opens the socket and says hello. Rejects with a plain-words CompanionError (unreachable, wrong token…).
   * After a pairing code, the welcome carries the token to keep for the next hellos.
   */
  connect(url: string, credentials: Credentials | string): Promise<WelcomeMessage> {
    this.close();
    const { ws } = companionUrls(url);
    const timeoutMs = this.options.connectTimeoutMs ?? 5000;
    const allowed = this.options.allowedSocketOrigins;
    const origin = /^wss?:\/\/[^/]+/i.exec(ws)?.[0]?.toLowerCase() ?? ws;
    if (allowed && !allowed.some((domain) => domain.toLowerCase() === origin)) {
      return Promise.reject(new CompanionError('permission', `The panel may open only ${allowed.join(', ')} (manifest.json network.domains), not ${origin}.`));
    }
    const secret: Credentials = typeof credentials === 'string' ? { token: credentials } : credentials;
    return new Promise<WelcomeMessage>((resolve, reject) => {
      let settled = false;
      let socket: SocketLike;
      const fail = (error: CompanionError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        try {
          socket?.close();
        } catch {
          // already closed
        }
        reject(error);
      };
      const timer = setTimeout(() => fail(new CompanionError('timeout', `The companion at ${ws} did not answer within ${timeoutMs} ms.`)), timeoutMs);
      try {
        socket = this.socketFactory(ws, PROTOCOL_SUBPROTOCOL);
      } catch (error) {
        const words = error instanceof Error ? error.message : String(error);
        fail(new CompanionError(PERMISSION_WORDS.test(words) ? 'permission' : 'unreachable', `Could not open ${ws}: ${words}`));
        return;
      }
      this.socket = socket;
      socket.onopen = () => {
        const hello: HelloMessage = {
          type: 'hello',
          protocol: PROTOCOL_VERSION,
          ...('token' in secret ? { token: secret.token } : { token: '', pairingCode: secret.pairingCode }),
          client: this.options.clientName ?? 'auto-montage panel',
        };
        socket.send(JSON.stringify(hello));
      };
      socket.onerror = (event) => {
        const words = errorWords(event);
        if (!settled) fail(new CompanionError(PERMISSION_WORDS.test(words) ? 'permission' : 'unreachable', PERMISSION_WORDS.test(words) ? `${ws}: ${words}` : `The companion is not running at ${ws}.`));
      };
      socket.onclose = (event) => {
        if (!settled) {
          const code = event?.code;
          fail(
            code === CLOSE_CODES.unauthorized
              ? new CompanionError('server', 'The companion refused the token.', { code: 'AM_ERR_UNAUTHORIZED', message: 'The token is missing or wrong.' })
              : code === CLOSE_CODES.forbiddenOrigin
                ? new CompanionError('forbidden-origin', 'The companion refused this panel’s Origin.', { code: 'AM_ERR_FORBIDDEN_ORIGIN', message: event?.reason || 'Origin refused.' })
                : new CompanionError('unreachable', `The companion is not running at ${ws}.`),
          );
          return;
        }
        this.handleClose(event?.reason || `the connection closed (code ${event?.code ?? 'unknown'})`);
      };
      socket.onmessage = (event) => {
        const message = parseServerFrame(event.data);
        if (!message) return;
        if (!settled) {
          if (message.type === 'welcome') {
            settled = true;
            clearTimeout(timer);
            this.welcome = message;
            resolve(message);
          } else if (message.type === 'error') {
            fail(new CompanionError(message.code === 'AM_ERR_FORBIDDEN_ORIGIN' ? 'forbidden-origin' : 'server', message.message, message));
          }
          return;
        }
        this.dispatch(message);
      };
    });
  }

  /** Starts a montage or re-solve job. `onProgress` sees every progress frame of the job. */
  startJob(request: JobRequest, onProgress: (message: ProgressMessage) => void = () => {}): JobHandle {
    let jobId: string | undefined;
    let cancelRequested = false;
    let resolveDone!: (message: MontageResultMessage) => void;
    let rejectDone!: (error: CompanionError) => void;
    const done = new Promise<MontageResultMessage>((resolve, reject) => {
      resolveDone = resolve;
      rejectDone = reject;
    });
    const accepted = this.request(request).then((reply) => {
      if (reply.type !== 'accepted') throw new CompanionError('server', `Unexpected reply "${reply.type}" to ${request.type}.`);
      jobId = reply.jobId;
      this.jobs.set(reply.jobId, { onProgress, resolve: resolveDone, reject: rejectDone });
      for (const message of this.early.get(reply.jobId) ?? []) this.dispatch(message);
      this.early.delete(reply.jobId);
      if (cancelRequested) this.cancelJob(reply.jobId);
      return reply;
    });
    accepted.catch((error: unknown) => rejectDone(asCompanionError(error)));
    // Callers that only await `done` must not see an unhandled rejection from `accepted`.
    done.catch(() => {});
    return {
      accepted,
      done,
      cancel: () => {
        cancelRequested = true;
        if (jobId) this.cancelJob(jobId);
      },
    };
  }

  /** Reads a text output of a finished job over the WebSocket (no http://: macOS blocks it in UXP). */
  async readFile(jobId: string, name: string): Promise<FileContentMessage> {
    const reply = await this.request({ type: 'file', jobId, name });
    if (reply.type !== 'fileContent') throw new CompanionError('server', `Unexpected reply "${reply.type}" to file.`);
    return reply;
  }

  /** Asks the server to cancel a job; its `done` then rejects with kind "cancelled". */
  cancelJob(jobId: string): Promise<JobStateMessage | undefined> {
    return this.request({ type: 'cancel', jobId }).then(
      (reply) => (reply.type === 'jobState' ? reply : undefined),
      () => undefined,
    );
  }

  /** Closes the socket; pending work fails with kind "disconnected". */
  close(): void {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.onerror = null;
      try {
        socket.close(1000, 'client closed');
      } catch {
        // already closed
      }
      if (this.welcome) this.failAll('The panel closed the connection to the companion.');
    }
    this.welcome = undefined;
  }

  private request(frame: ClientRequest): Promise<ServerMessage> {
    const socket = this.socket;
    if (!socket || !this.welcome || socket.readyState !== SOCKET_OPEN) {
      return Promise.reject(new CompanionError('disconnected', 'Not connected to the companion.'));
    }
    const requestId = `r${this.nextRequest++}`;
    return new Promise<ServerMessage>((resolve, reject) => {
      this.requests.set(requestId, { resolve, reject });
      socket.send(JSON.stringify({ ...frame, requestId }));
    });
  }

  private dispatch(message: ServerMessage): void {
    if ('requestId' in message && message.requestId !== undefined && this.requests.has(message.requestId)) {
      const pending = this.requests.get(message.requestId);
      this.requests.delete(message.requestId);
      if (message.type === 'error') pending?.reject(new CompanionError('server', message.message, message));
      else pending?.resolve(message);
      return;
    }
    const jobId = 'jobId' in message ? message.jobId : undefined;
    if (jobId === undefined) return;
    const job = this.jobs.get(jobId);
    if (!job) {
      if (message.type === 'progress' || message.type === 'result' || message.type === 'error' || message.type === 'cancelled') {
        const list = this.early.get(jobId) ?? [];
        list.push(message);
        this.early.set(jobId, list);
      }
      return;
    }
    switch (message.type) {
      case 'progress':
        job.onProgress(message);
        return;
      case 'result':
        this.jobs.delete(jobId);
        if (message.kind === 'analyse') job.reject(new CompanionError('server', 'The companion returned an analysis where a montage was expected.'));
        else job.resolve(message);
        return;
      case 'error':
        this.jobs.delete(jobId);
        job.reject(new CompanionError('server', message.message, message));
        return;
      case 'cancelled':
        this.jobs.delete(jobId);
        job.reject(new CompanionError('cancelled', 'Cancelled.'));
        return;
      default:
        return;
    }
  }

  private handleClose(reason: string): void {
    this.socket = undefined;
    const wasConnected = this.welcome !== undefined;
    this.welcome = undefined;
    this.failAll(`Lost the connection to the companion: ${reason}.`);
    if (wasConnected) for (const listener of [...this.closeListeners]) listener(reason);
  }

  private failAll(message: string): void {
    const error = new CompanionError('disconnected', message);
    for (const pending of this.requests.values()) pending.reject(error);
    for (const job of this.jobs.values()) job.reject(error);
    this.requests.clear();
    this.jobs.clear();
    this.early.clear();
  }
}

/** Parses one server frame; ignores anything that is not a JSON object with a string `type`. */
function parseServerFrame(data: unknown): ServerMessage | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(data);
    if (value && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string') return value as ServerMessage;
  } catch {
    // not JSON: ignore
  }
  return undefined;
}

/** The words an error event carries, if any (UXP and browsers give an Event, the ws client an Error-like object). */
function errorWords(event: unknown): string {
  if (!event || typeof event !== 'object') return '';
  const { message, error } = event as { message?: unknown; error?: unknown };
  if (typeof message === 'string') return message;
  if (error instanceof Error) return error.message;
  return '';
}

function asCompanionError(error: unknown): CompanionError {
  return error instanceof CompanionError ? error : new CompanionError('server', error instanceof Error ? error.message : String(error));
}
