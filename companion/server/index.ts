/**
 * The companion server: protocol v1 over WebSocket at /ws, plus HTTP (health, artifacts, web UI), bound to
 * 127.0.0.1 only. `startServer` wires the parts; the CLI's `auto-montage serve` calls it and prints
 * `formatServerBanner`. No domain logic lives here: jobs go to a RunJob (the montage pipeline by default).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { MontageError } from '../core/errors';
import { CLOSE_CODES, DEFAULT_PORT, PROTOCOL_SUBPROTOCOL, WEBSOCKET_PATH, type ProtocolLimits } from '../protocol/messages';
import { defaultConfigDir, defaultDataDir, defaultUiDir, loadOrCreateToken, loadServerConfig, packageVersion } from './config';
import { createHttpApp } from './http-app';
import { JobManager, type QueueStats } from './job-manager';
import { JobStore } from './job-store';
import type { GpuStatus, RunJob } from './run-job';
import { DEFAULT_RETENTION, type RetentionPolicy } from './retention';
import { AuthThrottle, Session } from './session';
import { Pairing } from './pairing';
import { extname } from 'node:path';
import { definedOnly } from '../core/objects';

export type { GpuStatus, JobRequest, JobRunContext, JobRunOutput, MontageOutput, OutputFile, RunJob } from './run-job';
export { defaultConfigDir, defaultDataDir, defaultUiDir, loadOrCreateToken, loadServerConfig, type ServerConfig } from './config';
export { DEFAULT_RETENTION, type RetentionPolicy } from './retention';

/** The one address the companion listens on. */
export const HOST = '127.0.0.1';

/** Connections that have not said hello, at most (each may hold a frame's worth of memory). */
export const DEFAULT_MAX_UNAUTHENTICATED_CONNECTIONS = 16;

/** Safe defaults; user options are spread over them. */
export const DEFAULT_LIMITS: ProtocolLimits = {
  maxFrameBytes: 256 * 1024,
  maxMessagesPerSecond: 50,
  maxQueuedJobs: 32,
};

export interface ServerOptions {
  /** TCP port on 127.0.0.1 (default 7391; 0 picks a free one, for tests). */
  readonly port?: number;
  /** Job folders and the analysis cache (default: $XDG_DATA_HOME/auto-montage). */
  readonly dataDir?: string;
  /** Where the token lives (default: $XDG_CONFIG_HOME/auto-montage). */
  readonly configDir?: string;
  /** Analyse/montage jobs that run at once (default 2). */
  readonly concurrency?: number;
  readonly limits?: Partial<ProtocolLimits>;
  /** Does the work (default: the montage pipeline, see ./pipeline-runner.ts). */
  readonly runJob?: RunJob;
  /** User extensions for the pipeline's extension host (default: $XDG_CONFIG_HOME/auto-montage/extensions). */
  readonly extensionsDir?: string;
  /** Timeline formats offered in `welcome` (default: the pipeline's exporters; with runJob: none listed). */
  readonly formats?: readonly string[];
  readonly gpu?: () => GpuStatus;
  /** The web UI bundle (default: <package>/dist/web). */
  readonly uiDir?: string;
  /** WebSocket Origins accepted besides none, http://127.0.0.1:<port>, http://localhost:<port> and uxp:// ones. */
  readonly allowedOrigins?: readonly string[];
  /** Close a connection that has not said hello within this long (default 5 s). */
  readonly helloTimeoutMs?: number;
  /** Before hello, a frame larger than this closes the connection (default 4 KiB). */
  readonly maxHelloFrameBytes?: number;
  /** Connections that have not (yet) said hello; more are refused with HTTP 503 (default 16). */
  readonly maxUnauthenticatedConnections?: number;
  /** Job folder retention; overrides `<configDir>/server.json` field by field (default 30 days, 2048 MB). */
  readonly retention?: Partial<RetentionPolicy>;
  readonly cancelGraceMs?: number;
  /** Called with each new pairing code once the previous one was used (the CLI prints it). */
  readonly onPairingCode?: (code: string) => void;
  /**
   * Queue the jobs' analyses on a BullMQ/Redis worker pool (`serve --redis`); the workers and this companion
   * share `cacheDir`. Without it everything runs in this process, as always.
   */
  readonly queue?: { readonly redisUrl: string; readonly cacheDir: string };
}

export interface RunningServer {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** ws://127.0.0.1:<port>/ws */
  readonly wsUrl: string;
  /** The web UI with the token in the fragment (never sent to the server in a request line). */
  readonly uiUrl: string;
  readonly port: number;
  readonly token: string;
  /** The pairing code the panel may send once instead of the token (a new one after each use). */
  pairingCode(): string;
  readonly dataDir: string;
  readonly configDir: string;
  /** The Redis URL the analyses are queued on (`serve --redis`), or undefined: in-process. */
  readonly queue: string | undefined;
  stats(): QueueStats;
  /** Cancels every job (killing their child processes), closes every connection, stops listening. */
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const requestedPort = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
    throw new MontageError('AM_ERR_INVALID_ARGUMENT', `The port must be a whole number from 0 to 65535 (got ${requestedPort}).`, { where: { field: 'port' } });
  }
  const configDir = options.configDir ?? defaultConfigDir();
  const dataDir = options.dataDir ?? defaultDataDir();
  const token = await loadOrCreateToken(configDir);
  const config = await loadServerConfig(configDir);
  const retention: RetentionPolicy = { ...DEFAULT_RETENTION, ...definedOnly(config.retention ?? {}), ...definedOnly(options.retention ?? {}) };
  const store = new JobStore(dataDir);
  await store.init();
  await store.prune(retention);

  let runJob = options.runJob;
  let formats = options.formats ?? [];
  let gpu = options.gpu ?? (() => ({ inUse: false, provider: 'cpu' }));
  let disposeRunner = async () => {};
  if (!runJob) {
    // Loaded here, not at the top, so tests with a fake runJob never load the pipeline.
    const { createPipelineRunner } = await import('./pipeline-runner');
    const runner = await createPipelineRunner(options.extensionsDir ? { userExtensionsDir: options.extensionsDir } : {});
    runJob = runner.runJob;
    formats = options.formats ?? runner.formats();
    gpu = options.gpu ?? runner.gpu;
    disposeRunner = runner.dispose;
  }
  let closeQueue = async () => {};
  if (options.queue) {
    // Loaded only with a queue: without one the companion never loads BullMQ.
    const { queuedRunJob } = await import('./queued-run-job');
    const queued = await queuedRunJob(runJob, options.queue).catch(async (error: unknown) => {
      await disposeRunner();
      throw error;
    });
    runJob = queued.runJob;
    closeQueue = () => queued.close();
  }

  const limits: ProtocolLimits = { ...DEFAULT_LIMITS, ...definedOnly(options.limits ?? {}) };
  const manager = new JobManager({
    store,
    runJob,
    concurrency: options.concurrency ?? 2,
    maxQueuedJobs: limits.maxQueuedJobs,
    retention,
    ...(options.cancelGraceMs === undefined ? {} : { cancelGraceMs: options.cancelGraceMs }),
  });

  let port = requestedPort;
  const allowedHosts = () => [`${HOST}:${port}`, `localhost:${port}`];
  const sessions = new Set<Session>();
  const authThrottle = new AuthThrottle();
  const pairing = new Pairing(options.onPairingCode);
  // Timeline files go over the WebSocket too (macOS blocks http:// in UXP); only text outputs, at most this big.
  const readArtifact = async (jobId: string, name: string) => {
    const info = await manager.info(jobId);
    if (!info || info.status !== 'done' || !info.result) throw new MontageError('AM_ERR_JOB_NOT_FOUND', `No finished job ${JSON.stringify(jobId)}.`, { where: { field: 'jobId' } });
    const listed = info.result.montage?.files ?? [];
    const file = listed.find((candidate) => candidate.name === name);
    if (file && (file.format === 'preview' || !TEXT_ARTIFACT_EXTENSIONS.has(extname(name).toLowerCase()))) {
      throw new MontageError('AM_ERR_INVALID_ARGUMENT', `${name} is not a text file; fetch it over HTTP.`, { where: { field: 'name', file: name } });
    }
    const opened = await store.openArtifact(jobId, name, listed);
    try {
      if (opened.info.size > MAX_TEXT_ARTIFACT_BYTES) throw new MontageError('AM_ERR_INVALID_ARGUMENT', `${name} is ${opened.info.size} bytes, more than a frame may carry.`, { where: { field: 'name', file: name } });
      return { format: file?.format ?? '', text: await opened.handle.readFile('utf8') };
    } finally {
      await opened.handle.close().catch(() => {});
    }
  };
  const maxUnauthenticated = options.maxUnauthenticatedConnections ?? DEFAULT_MAX_UNAUTHENTICATED_CONNECTIONS;
  const app = createHttpApp({
    token,
    manager,
    store,
    version: packageVersion(),
    uiDir: options.uiDir ?? defaultUiDir(),
    allowedHosts,
    gpu,
    connections: () => sessions.size,
    startedAt: Date.now(),
  });
  const server = createServer(app);
  // Express bodies are not used; keep request heads and idle sockets small and short-lived.
  server.maxHeadersCount = 64;
  server.headersTimeout = 10_000;
  server.requestTimeout = 0; // the preview video may stream for a long time

  const wss = new WebSocketServer({
    noServer: true,
    // Frames a little over the protocol limit get a typed error from the session; far beyond it ws closes (1009).
    maxPayload: limits.maxFrameBytes * 4,
    // The session checks UTF-8 itself so a bad frame gets a typed error instead of a close.
    skipUTF8Validation: true,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(PROTOCOL_SUBPROTOCOL) ? PROTOCOL_SUBPROTOCOL : false),
  });

  const originAllowed = (origin: string | undefined) => {
    if (origin === undefined) return true; // not a browser: the token is the guard
    const value = origin.toLowerCase();
    if (value === `http://${HOST}:${port}` || value === `http://localhost:${port}`) return true;
    // The Premiere UXP panel is not a web page; its origin (when it sends one) uses the uxp: scheme, which no
    // web page can claim.
    if (value.startsWith('uxp:')) return true;
    return (options.allowedOrigins ?? []).some((allowed) => allowed.toLowerCase() === value);
  };

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? '').split('?')[0];
    const origin = request.headers.origin;
    const host = String(request.headers.host ?? '').toLowerCase();
    if (path !== WEBSOCKET_PATH) return rejectUpgrade(socket, 404, 'AM_ERR_FILE_NOT_FOUND', `The WebSocket endpoint is ${WEBSOCKET_PATH}.`);
    if (!allowedHosts().includes(host)) return rejectUpgrade(socket, 403, 'AM_ERR_FORBIDDEN_ORIGIN', `The Host ${JSON.stringify(host)} is not the companion.`);
    if (!originAllowed(origin)) {
      // Completed, then closed with a reason: a browser or UXP socket never sees an HTTP status, and a bare 403
      // would read as "not running" in the panel. Nothing the socket sends is read.
      return wss.handleUpgrade(request, socket, head, (ws) => {
        ws.send(JSON.stringify({ type: 'error', code: 'AM_ERR_FORBIDDEN_ORIGIN', message: `WebSocket connections from ${JSON.stringify(origin)} are refused.`, details: { origin } }));
        ws.close(CLOSE_CODES.forbiddenOrigin, 'AM_ERR_FORBIDDEN_ORIGIN');
      });
    }
    // Each connection that has not said hello may hold up to a frame of memory: their number is bounded.
    const unauthenticated = [...sessions].filter((session) => !session.authenticated).length;
    if (unauthenticated >= maxUnauthenticated) {
      return rejectUpgrade(socket, 503, 'AM_ERR_CONNECTION_LIMIT', `${unauthenticated} connections are waiting to say hello (the limit is ${maxUnauthenticated}); try again shortly.`);
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const session = new Session(ws, {
        token,
        limits,
        manager,
        serverVersion: packageVersion(),
        formats: () => formats,
        urls: { fileUrl: (jobId, name) => `http://${HOST}:${port}/jobs/${jobId}/files/${encodeURIComponent(name)}?token=${token}` },
        authThrottle,
        pairing,
        readArtifact,
        status: () => {
          const { provider, inUse, ...rest } = gpu();
          const { running, queued } = manager.stats();
          const device = 'device' in rest ? rest.device : undefined;
          return { gpu: { inUse, provider, ...(device ? { device } : {}) }, queue: { running, queued } };
        },
        ...definedOnly({ helloTimeoutMs: options.helloTimeoutMs, maxHelloFrameBytes: options.maxHelloFrameBytes }),
        onClose: (closed) => sessions.delete(closed),
      });
      sessions.add(session);
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new MontageError('AM_ERR_INVALID_ARGUMENT', `Port ${requestedPort} on ${HOST} is in use (is a companion already running?). Choose another with --port.`, { where: { field: 'port' }, cause: error })
          : error,
      );
    };
    server.once('error', onError);
    server.listen(requestedPort, HOST, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : requestedPort;
  const url = `http://${HOST}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    wsUrl: `ws://${HOST}:${port}${WEBSOCKET_PATH}`,
    uiUrl: `${url}/#token=${token}`,
    port,
    token,
    pairingCode: () => pairing.display,
    dataDir,
    configDir,
    queue: options.queue?.redisUrl,
    stats: () => manager.stats(),
    close: () =>
      (closing ??= (async () => {
        await manager.close();
        await closeQueue();
        for (const session of sessions) session.close(CLOSE_CODES.shutdown, 'shutdown');
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await disposeRunner();
      })()),
  };
}

/** What `auto-montage serve` prints. */
export function formatServerBanner(server: RunningServer): string {
  return [
    `Auto-Montage companion listening on ${server.url}`,
    `  web UI:    ${server.uiUrl}`,
    `  WebSocket: ${server.wsUrl}`,
    `  token:     ${server.token}`,
    `  pairing:   ${server.pairingCode()}  (type it once in the Premiere panel; a new code follows each use)`,
    `  data:      ${server.dataDir}`,
    ...(server.queue ? [`  queue:     ${redactedUrl(server.queue)} (analyses run on the workers)`] : []),
  ].join('\n');
}

/** A Redis URL without its password, for the banner. */
function redactedUrl(text: string): string {
  const url = new URL(text);
  if (url.password) url.password = '***';
  return url.toString();
}

/** Outputs `file` may return over the WebSocket. */
const TEXT_ARTIFACT_EXTENSIONS = new Set(['.xml', '.fcpxml', '.edl', '.otio', '.json', '.txt', '.html', '.csv']);
const MAX_TEXT_ARTIFACT_BYTES = 32 * 1024 * 1024;

function rejectUpgrade(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ code, message });
  const reason = status === 403 ? 'Forbidden' : status === 503 ? 'Service Unavailable' : 'Not Found';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
