/**
 * The server fault cases of `npm run bench -- companion` (issue 18 items 2, 4, 5b, 6, 7, 8a, 9): each attacks a
 * real companion on 127.0.0.1 (the real pipeline where the fault is in it, a fake runner where only the server
 * is under test) and counts what came back. "Handled as documented" (a refused upgrade, a pruned folder, a
 * private mode, a rebuilt cache entry, a header present) counts as `typedError`; an AM_ERR_INTERNAL or a 500
 * as `crash`; no answer in time as `hang`. Every case also counts ffmpeg/ffprobe children left behind, and files
 * changed in the folders it gave the server as inputs or outside places.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { PROTOCOL_SUBPROTOCOL, PROTOCOL_VERSION, type AcceptedMessage, type AnalyseResultMessage, type ErrorMessage, type JobStateMessage, type ServerMessage } from '../../companion/protocol/messages';
import type { RunJob } from '../../companion/server/run-job';
import { gatedPipelineRunner, mkfifo, releaseFifoReaders, tamperCacheEntry } from '../../test/hardening/server-support';
import { beatsDir, filmDir, repoRoot, scratchDir } from '../../test/support/paths';
import { childProcesses, connect, connectReady, fakeRunJob, startTestServer, type TestClient } from '../../test/server/ws-client';
import { attempt, noCounts } from './counting';
import type { FaultCase, FaultCounts } from './types';

const movie = join(filmDir, 'big_buck_bunny_first60s.mp4');
const music = join(beatsDir, 'fof_escape_from_chaosland.ogg');
const musicRange = { startSeconds: 30, endSeconds: 40 };

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

/** A typed reply earns typedError; AM_ERR_INTERNAL (or a 500) is a crash; anything else only `tried`. */
function judge(code: string | undefined, expected: string, status?: number): Partial<FaultCounts> {
  if (code === expected) return { typedError: 1 };
  if (code === 'AM_ERR_INTERNAL' || (status !== undefined && status >= 500 && expected !== 'AM_ERR_CONNECTION_LIMIT')) return { crash: 1 };
  return {};
}

/** ffmpeg/ffprobe children of this process still alive, after a short grace for their exit. */
async function leftoverChildren(): Promise<number> {
  const deadline = Date.now() + 2_000;
  let alive = 0;
  do {
    alive = childProcesses().filter((child) => /ffmpeg|ffprobe/.test(child.command)).length;
    if (alive === 0) return 0;
    await new Promise((resolve) => setTimeout(resolve, 100));
  } while (Date.now() < deadline);
  return alive;
}

/** Size and content hash of every file below `dir`, to tell whether anything there was written. */
function snapshot(dir: string): string {
  const hash = createHash('sha256');
  for (const name of (readdirSync(dir, { recursive: true }) as string[]).sort()) {
    const path = join(dir, name);
    const info = statSync(path, { throwIfNoEntry: false });
    hash.update(`${name}:${info?.isFile() ? createHash('sha256').update(readFileSync(path)).digest('hex') : (info?.mode ?? 'gone')}\n`);
  }
  return hash.digest('hex');
}

/** Runs `body` against a server and counts children left behind when it is closed. */
async function withServer(counts: FaultCounts, options: Parameters<typeof startTestServer>[0], body: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startTestServer(options);
  try {
    await body(server);
  } finally {
    await server.close();
    counts.leftoverProcesses += await leftoverChildren();
    rmSync(server.root, { recursive: true, force: true });
  }
}

/** Runs a fake montage to its end; returns its id. */
async function finishedJob(client: TestClient, requestId: string, extra: Record<string, unknown> = {}): Promise<string> {
  client.send({ type: 'montage', requestId, movie: { path: movie }, music: { path: music }, preview: true, ...extra });
  const { jobId } = await client.next<AcceptedMessage>((m) => m.type === 'accepted' && m.requestId === requestId);
  await client.next((m) => m.type === 'result' && m.jobId === jobId, 30_000);
  return jobId;
}

const terminal = (jobId: string) => (m: ServerMessage) => 'jobId' in m && m.jobId === jobId && (m.type === 'error' || m.type === 'result' || m.type === 'cancelled');

const fifoMovie: FaultCase = {
  name: 'fifo-movie',
  probes: 'a FIFO as the movie, given at once or swapped in after acceptance, wedges file I/O (item 2)',
  async run() {
    const counts = noCounts();
    const inputs = scratchDir('faults-fifo');
    const before = () => snapshot(inputs);
    const runner = await gatedPipelineRunner();
    const { runJob, open } = runner;
    const fifos = [0, 1, 2, 3].map((i) => join(inputs, `movie-${i}.mp4`));
    try {
      await withServer(counts, { runJob, concurrency: 4, formats: runner.formats(), cancelGraceMs: 1_000 }, async (server) => {
        const client = await connectReady(server);
        // Given as a FIFO: refused at acceptance.
        const given = join(inputs, 'given.mp4');
        mkfifo(given);
        await attempt(counts, 5_000, async () => {
          client.send({ type: 'analyse', requestId: 'given', movie: { path: given }, music: { path: music, range: musicRange } });
          return judge((await client.next<ErrorMessage>((m) => 'requestId' in m && m.requestId === 'given', 5_000)).code, 'AM_ERR_MEDIA_NOT_A_FILE');
        });
        releaseFifoReaders(given);
        // Swapped in after acceptance: four at once, as many as the thread pool has threads.
        for (const fifo of fifos) writeFileSync(fifo, 'a file at acceptance');
        const jobIds: string[] = [];
        for (const [i, fifo] of fifos.entries()) {
          client.send({ type: 'analyse', requestId: `swap${i}`, movie: { path: fifo }, music: { path: music, range: musicRange } });
          jobIds.push((await client.next<AcceptedMessage>((m) => m.type === 'accepted' && m.requestId === `swap${i}`)).jobId);
        }
        for (const fifo of fifos) {
          rmSync(fifo);
          mkfifo(fifo);
        }
        const snapshotBefore = before(); // the inputs as the jobs will find them
        open();
        await Promise.all(jobIds.map((jobId) => attempt(counts, 60_000, async () => judge((await client.next<ErrorMessage>(terminal(jobId), 60_000)).code, 'AM_ERR_MEDIA_NOT_A_FILE'))));
        // Other clients: a job query and an artifact GET both need the thread pool.
        await attempt(counts, 3_000, async () => {
          client.send({ type: 'job', requestId: 'query', jobId: 'no-such-job' });
          return judge((await client.next<ErrorMessage>((m) => 'requestId' in m && m.requestId === 'query', 3_000)).code, 'AM_ERR_JOB_NOT_FOUND');
        });
        await attempt(counts, 3_000, async () => {
          const response = await fetch(`${server.url}/jobs/${jobIds[0]}/files/plan.json?token=${server.token}`, { signal: AbortSignal.timeout(3_000) });
          return judge(((await response.json()) as { code?: string }).code, 'AM_ERR_JOB_NOT_FOUND', response.status);
        });
        for (const fifo of fifos) releaseFifoReaders(fifo);
        if (before() !== snapshotBefore) counts.writtenOutside += 1;
        await client.close();
      });
    } finally {
      open();
      for (const fifo of fifos) releaseFifoReaders(fifo);
      await runner.dispose();
      rmSync(inputs, { recursive: true, force: true });
    }
    return counts;
  },
};

const interruptedJob: FaultCase = {
  name: 'interrupted-job',
  probes: 'a job running when the companion is killed with SIGKILL reads AM_ERR_JOB_NOT_FOUND after a restart (item 4)',
  async run() {
    const counts = noCounts();
    const root = scratchDir('faults-interrupted');
    const dataDir = join(root, 'data');
    const env = { ...process.env, XDG_CONFIG_HOME: join(root, 'config') };
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'companion', 'main.ts'), 'serve', '--port', '0', '--data', dataDir], { cwd: repoRoot, env, detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      let banner = '';
      const ready = new Promise<{ url: string; token: string }>((resolve, reject) => {
        child.stdout!.on('data', (chunk: Buffer) => {
          banner += chunk.toString();
          const url = /WebSocket: (ws:\/\/\S+)/.exec(banner)?.[1];
          const token = /token: +([0-9a-f]{64})/.exec(banner)?.[1];
          if (url && token) resolve({ url, token });
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      await attempt(counts, 90_000, async () => {
        const { url, token } = await ready;
        const client = await connect(url);
        client.send({ type: 'hello', protocol: PROTOCOL_VERSION, token });
        await client.next((m) => m.type === 'welcome');
        client.send({ type: 'montage', requestId: 'm', movie: { path: movie }, music: { path: music, range: musicRange }, preview: false });
        const { jobId } = await client.next<AcceptedMessage>((m) => m.type === 'accepted', 30_000);
        await client.next((m) => m.type === 'progress' && m.jobId === jobId, 30_000);
        process.kill(child.pid!, 'SIGKILL');
        await client.closed;
        let earned: Partial<FaultCounts> = {};
        await withServer(counts, { dataDir, configDir: join(root, 'config', 'auto-montage'), runJob: fakeRunJob() }, async (server) => {
          const again = await connectReady(server);
          again.send({ type: 'job', requestId: 'state', jobId });
          const state = await again.next<JobStateMessage | ErrorMessage>((m) => 'requestId' in m && m.requestId === 'state');
          earned = judge(state.type === 'jobState' ? state.error?.code : state.code, 'AM_ERR_INTERRUPTED');
          await again.close();
        });
        return earned;
      });
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL'); // the killed companion's ffmpeg children, if any survived it
      } catch {
        // already gone
      }
      rmSync(root, { recursive: true, force: true });
    }
    return counts;
  },
};

const badPercentEncoding: FaultCase = {
  name: 'bad-percent-encoding',
  probes: 'bad percent-encoding in an artifact URL gives AM_ERR_INTERNAL (item 5b)',
  async run() {
    const counts = noCounts();
    await withServer(counts, { runJob: fakeRunJob() }, async (server) => {
      const client = await connectReady(server);
      const jobId = await finishedJob(client, 'm');
      for (const path of [`/jobs/${jobId}/files/%ff`, `/jobs/%ff/files/plan.json`, `/jobs/${jobId}/files/%E0%A4%A`, `/jobs/${jobId}/files/%`, `/jobs/${jobId}/files/%c0%af`, `/jobs/${jobId}/files/a%zz`]) {
        await attempt(counts, 5_000, async () => {
          const response = await fetch(`${server.url}${path}?token=${server.token}`);
          const { code } = (await response.json()) as { code?: string };
          return judge(code, 'AM_ERR_URL_MALFORMED', response.status);
        });
      }
      await client.close();
    });
    return counts;
  },
};

const artifactLinks: FaultCase = {
  name: 'artifact-links',
  probes: 'artifacts served through a symlinked files/ folder, a symbolic or hard link, or a FIFO (item 6)',
  async run() {
    const counts = noCounts();
    const outside = scratchDir('faults-outside');
    writeFileSync(join(outside, 'plan.json'), 'SECRET outside the data folder');
    const outsideBefore = snapshot(outside);
    const swaps: Record<string, (artifact: string, filesDir: string) => void> = {
      'symlinked folder': (_artifact, filesDir) => {
        rmSync(filesDir, { recursive: true });
        symlinkSync(outside, filesDir);
      },
      'hard link': (artifact) => {
        unlinkSync(artifact);
        linkSync(join(outside, 'plan.json'), artifact);
      },
      'symbolic link': (artifact) => {
        unlinkSync(artifact);
        symlinkSync(join(outside, 'plan.json'), artifact);
      },
      FIFO: (artifact) => {
        unlinkSync(artifact);
        mkfifo(artifact);
      },
    };
    try {
      await withServer(counts, { runJob: fakeRunJob() }, async (server) => {
        const client = await connectReady(server);
        for (const [label, swap] of Object.entries(swaps)) {
          const jobId = await finishedJob(client, label.replace(/\W/g, ''));
          const filesDir = join(server.dataDir, 'jobs', jobId, 'files');
          swap(join(filesDir, 'plan.json'), filesDir);
          await attempt(counts, 5_000, async () => {
            const response = await fetch(`${server.url}/jobs/${jobId}/files/plan.json?token=${server.token}`, { signal: AbortSignal.timeout(5_000) });
            const body = await response.text();
            if (body.includes('SECRET')) return {}; // served: only `tried`
            return judge((JSON.parse(body) as { code?: string }).code, 'AM_ERR_PATH_FORBIDDEN', response.status);
          });
          releaseFifoReaders(join(filesDir, 'plan.json'));
        }
        await client.close();
      });
      if (snapshot(outside) !== outsideBefore) counts.writtenOutside += 1;
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
    return counts;
  },
};

/** The close code of a socket, or 'open' when it is still open after `ms`. */
function closedWithin(socket: WebSocket, ms: number): Promise<number | 'open'> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve(-1);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('open'), ms);
    socket.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Opens a raw socket; resolves with it, or with the HTTP status and body of a refused upgrade. */
function openSocket(url: string): Promise<WebSocket | { status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, [PROTOCOL_SUBPROTOCOL]);
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    socket.once('error', reject);
  });
}

const unauthenticatedSockets: FaultCase = {
  name: 'unauthenticated-sockets',
  probes: '100 sockets that never say hello, half of them sending 4 × 1 MiB first, are all accepted and kept (item 7)',
  async run() {
    const counts = noCounts();
    await withServer(counts, { runJob: fakeRunJob() }, async (server) => {
      const opened: WebSocket[] = [];
      const rssBefore = process.memoryUsage().rss;
      // All at once, as an attacker would: the first ones are accepted, the rest must be refused.
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          attempt(counts, 10_000, async () => {
            const socket = await openSocket(server.wsUrl);
            if (!(socket instanceof WebSocket)) return judge((JSON.parse(socket.body) as { code?: string }).code, 'AM_ERR_CONNECTION_LIMIT', socket.status);
            opened.push(socket);
            socket.on('error', () => {});
            if (i % 2 === 0) for (let k = 0; k < 4; k++) socket.send(Buffer.alloc(1024 * 1024, 0x20).toString());
            // Accepted: it must be closed by the hello deadline (4401) or the pre-hello frame limit (1009).
            const code = await closedWithin(socket, 8_000);
            return code === 4401 || code === 1009 ? { typedError: 1 } : code === 'open' ? { hang: 1 } : {};
          }),
        ),
      );
      process.stderr.write(`unauthenticated-sockets: ${opened.length} of 100 accepted, RSS grew ${Math.round((process.memoryUsage().rss - rssBefore) / 1048576)} MB\n`);
      for (const socket of opened) socket.terminate();
    });
    return counts;
  },
};

const wrongTokens: FaultCase = {
  name: 'wrong-tokens',
  probes: 'wrong tokens meet no back-off (200 in the attack; 10 here), and the right token must still get in (item 7)',
  async run() {
    const counts = noCounts();
    await withServer(counts, { runJob: fakeRunJob() }, async (server) => {
      // Sequential guesses: after the free ones, an answer that comes at once means no back-off.
      for (let i = 0; i < 10; i++) {
        await attempt(counts, 10_000, async () => {
          const client = await connect(server.wsUrl);
          const started = Date.now();
          client.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: randomHex() });
          const { code } = await client.next<ErrorMessage>((m) => m.type === 'error', 10_000);
          const slowed = i < 5 || Date.now() - started >= 400;
          client.socket.terminate();
          return slowed ? judge(code, 'AM_ERR_UNAUTHORIZED') : {};
        });
      }
      await attempt(counts, 1_000, async () => {
        const client = await connectReady(server);
        await client.close();
        return { typedError: 1 };
      });
    });
    return counts;
  },
};

function randomHex(): string {
  return createHash('sha256').update(String(Math.random())).digest('hex');
}

const jobFolderRetention: FaultCase = {
  name: 'job-folder-retention',
  probes: 'job folders are never cleaned (176 jobs held 177 MB); a running job must keep its folder (item 7)',
  async run() {
    const counts = noCounts();
    const limitBytes = 0.5 * 1048576;
    const quick = fakeRunJob({ previewBytes: 200_000 });
    const slow = fakeRunJob({ previewBytes: 200_000, stepMs: 6_000 });
    const runJob: RunJob = (request, ...rest) => (request.movie.path === music ? slow : quick)(request, ...rest);
    await withServer(counts, { runJob, concurrency: 2, retention: { maxTotalMegabytes: 0.5 } }, async (server) => {
      const client = await connectReady(server);
      client.send({ type: 'montage', requestId: 'slow', movie: { path: music }, music: { path: music }, preview: true });
      const slowJob = (await client.next<AcceptedMessage>((m) => m.type === 'accepted' && m.requestId === 'slow')).jobId;
      const jobsDir = join(server.dataDir, 'jobs');
      for (let i = 0; i < 10; i++) {
        await attempt(counts, 10_000, async () => {
          await finishedJob(client, `q${i}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
          const bytes = folderBytes(jobsDir, (name) => !name.startsWith('.'));
          const running = readdirSync(jobsDir).includes(`.work-${slowJob}`) || readdirSync(jobsDir).includes(slowJob);
          return bytes <= limitBytes + 250_000 && running ? { typedError: 1 } : {};
        });
      }
      await attempt(counts, 30_000, async () => judge((await client.next(terminal(slowJob), 30_000)).type === 'result' ? 'done' : 'lost', 'done'));
      // Age: a folder 40 days old goes at the next start.
      await attempt(counts, 10_000, async () => {
        const [oldest] = readdirSync(jobsDir).filter((name) => !name.startsWith('.'));
        const longAgo = new Date(Date.now() - 40 * 86_400_000);
        utimesSync(join(jobsDir, oldest!), longAgo, longAgo);
        const restarted = await startTestServer({ dataDir: server.dataDir, configDir: server.configDir, runJob: fakeRunJob() });
        await restarted.close();
        return readdirSync(jobsDir).includes(oldest!) ? {} : { typedError: 1 };
      });
      await client.close();
    });
    return counts;
  },
};

function folderBytes(dir: string, keep: (name: string) => boolean): number {
  let bytes = 0;
  for (const name of readdirSync(dir).filter(keep)) {
    for (const file of readdirSync(join(dir, name), { recursive: true }) as string[]) {
      const info = statSync(join(dir, name, file), { throwIfNoEntry: false });
      if (info?.isFile()) bytes += info.size;
    }
  }
  return bytes;
}

const dataPermissions: FaultCase = {
  name: 'data-permissions',
  probes: 'the data folder is 0755 and its files 0644, readable by other local users (item 8a)',
  async run() {
    const counts = noCounts();
    const root = scratchDir('faults-permissions');
    const dataDir = join(root, 'data');
    mkdirSync(join(dataDir, 'jobs', 'earlier-job', 'files'), { recursive: true, mode: 0o755 });
    writeFileSync(join(dataDir, 'jobs', 'earlier-job', 'files', 'montage.edl'), 'TITLE: x', { mode: 0o644 });
    try {
      await withServer(counts, { runJob: fakeRunJob(), dataDir }, async (server) => {
        const client = await connectReady(server);
        await finishedJob(client, 'm');
        await client.close();
        const paths = [dataDir, ...(readdirSync(join(dataDir, 'jobs'), { recursive: true }) as string[]).map((name) => join(dataDir, 'jobs', name))];
        for (const path of paths) {
          await attempt(counts, 1_000, async () => {
            const info = statSync(path);
            return (info.mode & 0o777) === (info.isDirectory() ? 0o700 : 0o600) ? { typedError: 1 } : {};
          });
        }
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    return counts;
  },
};

const cacheNullNumbers: FaultCase = {
  name: 'cache-null-numbers',
  probes: 'a cache entry with a valid checksum but null numbers is accepted and changes the analysis (item 9a)',
  async run() {
    const counts = noCounts();
    await withServer(counts, { extensionsDir: join(scratchDir('faults-cache-ext'), 'none') }, async (server) => {
      const client = await connectReady(server);
      const analyse = async (requestId: string) => {
        client.send({ type: 'analyse', requestId, movie: { path: movie }, music: { path: music, range: musicRange } });
        const { jobId } = await client.next<AcceptedMessage>((m) => m.type === 'accepted' && m.requestId === requestId);
        return client.next<AnalyseResultMessage | ErrorMessage>(terminal(jobId), 240_000);
      };
      const first = await analyse('first');
      if (first.type !== 'result') throw new Error(`the first analysis failed: ${JSON.stringify(first)}`);
      const cacheDir = join(server.dataDir, 'cache');
      const tampers: Record<string, (value: Record<string, unknown>) => void> = {
        'null bar numbers': (value) => (value.bars = (value.bars as object[]).map((bar) => ({ ...bar, startSeconds: null, tempoBpm: null }))),
        'null tempo': (value) => (value.tempoBpm = null),
        'string beat times': (value) => (value.beats = (value.beats as object[]).map((beat) => ({ ...beat, timeSeconds: '1' }))),
      };
      for (const [label, change] of Object.entries(tampers)) {
        await attempt(counts, 240_000, async () => {
          const entry = readdirSync(cacheDir).find((name) => name.startsWith('music-'))!;
          tamperCacheEntry(join(cacheDir, entry), change);
          const again = await analyse(label.replace(/\W/g, ''));
          if (again.type !== 'result') return judge(again.type === 'error' ? again.code : undefined, 'none');
          return JSON.stringify(again.analysis.bars) === JSON.stringify(first.analysis.bars) && again.analysis.music.tempoBpm === first.analysis.music.tempoBpm ? { typedError: 1 } : {};
        });
      }
      await client.close();
    });
    return counts;
  },
};

const uiFraming: FaultCase = {
  name: 'ui-framing',
  probes: 'the UI page can be framed by another page (item 9b)',
  async run() {
    const counts = noCounts();
    await withServer(counts, { runJob: fakeRunJob() }, async (server) => {
      for (const path of ['/', '/index.html', '/health', '/jobs/x/files/y', '/no-such-page']) {
        await attempt(counts, 5_000, async () => {
          const response = await fetch(`${server.url}${path}`);
          const framingRefused = response.headers.get('x-frame-options') === 'DENY' && /frame-ancestors 'none'/.test(response.headers.get('content-security-policy') ?? '');
          return framingRefused ? { typedError: 1 } : {};
        });
      }
    });
    return counts;
  },
};

export const serverFaultCases: FaultCase[] = [fifoMovie, interruptedJob, badPercentEncoding, artifactLinks, unauthenticatedSockets, wrongTokens, jobFolderRetention, dataPermissions, cacheNullNumbers, uiFraming];
