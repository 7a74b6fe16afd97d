/** Test helpers for the companion: a protocol client over the `ws` package, fake runners, the process table. */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { CancellationError } from '../../companion/core/errors';
import type { CancellationToken, ProgressReport } from '../../companion/core/lifecycle';
import { PROTOCOL_SUBPROTOCOL, PROTOCOL_VERSION, type ClientMessage, type ServerMessage } from '../../companion/protocol/messages';
import type { AnalysisSummary } from '../../companion/protocol/messages';
import type { JobRequest, JobRunOutput, RunJob } from '../../companion/server/run-job';
import { startServer, type RunningServer, type ServerOptions } from '../../companion/server/index';
import { scratchDir } from '../support/paths';

export interface TestClient {
  readonly socket: WebSocket;
  readonly received: ServerMessage[];
  send(message: ClientMessage | Record<string, unknown>): void;
  sendRaw(data: string | Buffer, options?: { binary?: boolean }): void;
  /** The next received frame (from where the cursor is) that matches, waiting up to timeoutMs. */
  next<T extends ServerMessage = ServerMessage>(match: (message: ServerMessage) => boolean, timeoutMs?: number): Promise<T>;
  /** Resolves with the close code. */
  closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

export async function connect(url: string, options: { origin?: string; protocols?: string[]; headers?: Record<string, string> } = {}): Promise<TestClient> {
  const socket = new WebSocket(url, options.protocols ?? [PROTOCOL_SUBPROTOCOL], {
    ...(options.origin ? { origin: options.origin } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  });
  const received: ServerMessage[] = [];
  const waiters: { match: (message: ServerMessage) => boolean; resolve: (message: ServerMessage) => void; from: number }[] = [];
  let cursor = 0;
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as ServerMessage;
    received.push(message);
    for (const waiter of [...waiters]) {
      if (waiter.match(message)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) => reject(Object.assign(new Error(`HTTP ${response.statusCode}`), { statusCode: response.statusCode })));
  });
  return {
    socket,
    received,
    send: (message) => socket.send(JSON.stringify(message)),
    sendRaw: (data, sendOptions = {}) => socket.send(data, { binary: sendOptions.binary ?? false }),
    next: <T extends ServerMessage>(match: (message: ServerMessage) => boolean, timeoutMs = 20_000) =>
      new Promise<T>((resolve, reject) => {
        const found = received.slice(cursor).find(match);
        if (found) {
          cursor = received.indexOf(found) + 1;
          return resolve(found as T);
        }
        const timer = setTimeout(() => reject(new Error(`timed out waiting; received: ${JSON.stringify(received.slice(-5))}`)), timeoutMs);
        waiters.push({
          match,
          from: cursor,
          resolve: (message) => {
            clearTimeout(timer);
            cursor = received.indexOf(message) + 1;
            resolve(message as T);
          },
        });
      }),
    closed,
    close: async () => {
      if (socket.readyState === WebSocket.CLOSED) return;
      socket.close();
      await closed;
    },
  };
}

/** Connects and says hello; resolves after `welcome`. */
export async function connectReady(server: RunningServer, options: { origin?: string } = {}): Promise<TestClient> {
  const client = await connect(server.wsUrl, options);
  client.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: server.token, client: 'test' });
  await client.next((m) => m.type === 'welcome');
  return client;
}

/** A server on a free port with scratch data/config folders. */
export async function startTestServer(options: ServerOptions = {}): Promise<RunningServer & { root: string }> {
  const root = scratchDir('server');
  const server = await startServer({ port: 0, dataDir: join(root, 'data'), configDir: join(root, 'config'), uiDir: join(root, 'ui'), ...options });
  return Object.assign(server, { root });
}

export const fakeAnalysis: AnalysisSummary = {
  movie: { path: '/movie.mp4', durationSeconds: 10, frameRate: { num: 24, den: 1 } },
  music: { path: '/music.ogg', durationSeconds: 8, tempoBpm: 120, beatsPerBar: 4 },
  shots: [0, 1, 2, 3].map((index) => ({ index, sceneIndex: index >> 1, startSeconds: index * 2.5, endSeconds: index * 2.5 + 2.5 })),
  sceneCount: 2,
  bars: [0, 1, 2, 3].map((index) => ({ index, startSeconds: index * 2, durationSeconds: 2 })),
  labels: ['excited', 'fearful', 'neutral', 'relaxed', 'sad', 'tense'],
};

/** Resolves after `ms`, or rejects with CancellationError as soon as the token fires. */
export function sleep(ms: number, token: CancellationToken): Promise<void> {
  return new Promise((resolve, reject) => {
    if (token.isCancellationRequested) return reject(new CancellationError());
    const timer = setTimeout(() => {
      subscription.dispose();
      resolve();
    }, ms);
    const subscription = token.onCancellationRequested(() => {
      clearTimeout(timer);
      reject(new CancellationError());
    });
  });
}

/**
 * A fake RunJob: three stages of `stepMs` each, writes edl/xml/plan/preview files whose contents name the job
 * and echo its request, and reports the pins back as the chosen shots (so a resolve is observable).
 */
export function fakeRunJob(options: { stepMs?: number; fail?: (request: JobRequest) => Error | undefined; previewBytes?: number; onStart?: (request: JobRequest) => void } = {}): RunJob {
  const stepMs = options.stepMs ?? 20;
  return async (request, context, progress, token): Promise<JobRunOutput> => {
    options.onStart?.(request);
    for (const stage of request.kind === 'resolve' ? ['plan'] : ['movie', 'music', 'plan']) {
      for (const fraction of [0, 0.5, 1]) {
        progress.report({ stage, fraction } satisfies ProgressReport);
        await sleep(stepMs / 3, token);
      }
    }
    const failure = options.fail?.(request);
    if (failure) throw failure;
    const analysisData = request.kind === 'resolve' ? undefined : { movie: request.movie.path, scores: new Float32Array([0.5, 0.25, 0.125]) };
    if (request.kind === 'analyse') return { analysis: fakeAnalysis, analysisData };
    mkdirSync(context.outDir, { recursive: true });
    const stamp = JSON.stringify({ jobId: context.jobId, request, analysisData: context.analysisData ?? null }, (_k, v: unknown) => (v instanceof Float32Array ? [...v] : v));
    writeFileSync(join(context.outDir, 'montage.edl'), `TITLE: ${context.jobId}\n${stamp}\n`);
    writeFileSync(join(context.outDir, 'montage.xml'), `<xmeml version="4"><!-- ${context.jobId} --></xmeml>\n`);
    writeFileSync(join(context.outDir, 'plan.json'), stamp);
    const files = [
      { name: 'montage.edl', format: 'edl' },
      { name: 'montage.xml', format: 'fcp7-xml' },
      { name: 'plan.json', format: 'plan' },
    ];
    if (request.preview) {
      const bytes = Buffer.alloc(options.previewBytes ?? 100_000);
      for (let i = 0; i < bytes.length; i++) bytes[i] = i % 251;
      writeFileSync(join(context.outDir, 'montage.mp4'), bytes);
      files.push({ name: 'montage.mp4', format: 'preview' });
    }
    const pins = (request.options.pins ?? []).filter((pin): pin is number => typeof pin === 'number');
    return {
      analysis: fakeAnalysis,
      ...(analysisData ? { analysisData } : {}),
      montage: {
        plan: {
          totalScore: 1,
          durationSeconds: 8,
          barCount: 4,
          shotCount: pins.length,
          sceneCount: 1,
          options: { scenes: request.options.scenes ?? 5, mode: request.options.mode ?? 'hard', granularity: request.options.granularity === undefined || request.options.granularity === 'auto' ? 'bar' : request.options.granularity, trim: true, arc: true, pins: [...pins], bans: (request.options.bans ?? []).filter((ban): ban is number => typeof ban === 'number') },
          diagnostics: [],
          music: { startSeconds: 0, endSeconds: 8 },
        },
        chosen: pins.map((shotIndex, i) => ({ shotIndex, sceneIndex: 0, firstBar: i, barCount: 1, sourceStartSeconds: 0, sourceEndSeconds: 2, recordStartSeconds: 2 * i, recordEndSeconds: 2 * i + 2, score: 0.5, pinned: true })),
        musicEmotion: fakeAnalysis.bars,
        files,
        preview: request.preview ? 'montage.mp4' : null,
        report: `job ${context.jobId}`,
      },
    };
  };
}

/** Child processes of `pid` from the process table (/proc), with their command names. */
export function childProcesses(pid: number = process.pid): { pid: number; command: string }[] {
  const children: { pid: number; command: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may contain spaces and parentheses, so split after the last ')'.
      const close = stat.lastIndexOf(')');
      const command = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      if (Number(fields[1]) === pid && fields[0] !== 'Z') children.push({ pid: Number(entry), command });
    } catch {
      // the process ended while we read
    }
  }
  return children;
}

/** Folders under the server's jobs folder (finished jobs and work folders). */
export function jobFolders(server: { dataDir: string }): string[] {
  return readdirSync(join(server.dataDir, 'jobs')).sort();
}
