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

/** Why a call failed: a server error (with its catalogue code) or the connection itself. */
export type CompanionErrorKind = 'server' | 'unreachable' | 'disconnected' | 'timeout' | 'cancelled';

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

export interface CompanionClientOptions {
  /** Free text for the server's logs. */
  readonly clientName?: string;
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

  /** Opens the socket and says hello. Rejects with a plain-words CompanionError (unreachable, wrong token…). */
  connect(url: string, token: string): Promise<WelcomeMessage> {
    this.close();
    const { ws } = companionUrls(url);
    const timeoutMs = this.options.connectTimeoutMs ?? 5000;
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
        fail(new CompanionError('unreachable', `Could not open ${ws}: ${error instanceof Error ? error.message : String(error)}`));
        return;
      }
      this.socket = socket;
      socket.onopen = () => {
        const hello: HelloMessage = { type: 'hello', protocol: PROTOCOL_VERSION, token, client: this.options.clientName ?? 'auto-montage panel' };
        socket.send(JSON.stringify(hello));
      };
      socket.onerror = () => {
        if (!settled) fail(new CompanionError('unreachable', `The companion is not running at ${ws}.`));
      };
      socket.onclose = (event) => {
        if (!settled) {
          const code = event?.code;
          fail(
            code === CLOSE_CODES.unauthorized
              ? new CompanionError('server', 'The companion refused the token.', { code: 'AM_ERR_UNAUTHORIZED', message: 'The token is missing or wrong.' })
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
            fail(new CompanionError('server', message.message, message));
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

function asCompanionError(error: unknown): CompanionError {
  return error instanceof CompanionError ? error : new CompanionError('server', error instanceof Error ? error.message : String(error));
}
