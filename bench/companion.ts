/**
 * Companion soak: N sequential montage jobs (default 100) through the real WebSocket protocol against the real
 * server on 127.0.0.1, running the real pipeline on ../shared/media (analysis cached after the first job,
 * no preview), then re-solves. Prints:
 *   {"bench":"companion.soak", jobs, rssGrowthPct, rssStartMb, rssEndMb, heapGrowthPct, jobMsP50, jobMsP95, …}
 *   {"bench":"companion.resolve", count, p50Ms, p95Ms, maxMs}
 * RSS is measured after a warm-up of `--warmup` jobs (default 5) and at the end, each after a full GC.
 * Then the fault-injection cases of issue 18 (bench/faults/index.ts), one line per case and a total:
 *   {"bench":"companion.faults", case, probes, tried, typedError, crash, hang, writtenOutside, leftoverProcesses}
 * Options: --jobs N, --warmup N, --fake (a fake runner: the server's own overhead only), --faults-only (no soak),
 * --no-faults (soak only), --case NAME (only that fault case; repeatable).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import WebSocket from 'ws';
import type { AcceptedMessage, ServerMessage } from '../companion/protocol/messages';
import { PROTOCOL_SUBPROTOCOL, PROTOCOL_VERSION } from '../companion/protocol/messages';
import { startServer } from '../companion/server/index';
import type { RunJob } from '../companion/server/run-job';
import { runFaultCases } from './faults/index';

const shared = fileURLToPath(new URL('../../shared/media/', import.meta.url));
const movie = join(shared, 'film', 'sintel_trailer.mp4');
const music = join(shared, 'beats', 'fof_escape_from_chaosland.ogg');

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  const value = index >= 0 ? Number(args[index + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** A minimal protocol client: send a request, wait for the job's terminal frame. */
async function client(url: string, token: string) {
  const socket = new WebSocket(url, [PROTOCOL_SUBPROTOCOL]);
  let listener: ((message: ServerMessage) => void) | undefined;
  socket.on('message', (data) => listener?.(JSON.parse(String(data)) as ServerMessage));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const until = (match: (message: ServerMessage) => boolean) =>
    new Promise<ServerMessage>((resolve) => {
      listener = (message) => {
        if (match(message)) resolve(message);
      };
    });
  const welcome = until((m) => m.type === 'welcome' || m.type === 'error');
  socket.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, token, client: 'bench' }));
  if ((await welcome).type !== 'welcome') throw new Error('hello refused');
  let jobId = '';
  return {
    async job(request: Record<string, unknown>): Promise<{ jobId: string; terminal: ServerMessage }> {
      const done = until((m) => (m.type === 'accepted' && !jobId ? ((jobId = m.jobId), false) : (m.type === 'result' || m.type === 'error' || m.type === 'cancelled') && 'jobId' in m && m.jobId === jobId) || (m.type === 'error' && !('jobId' in m && m.jobId)));
      jobId = '';
      socket.send(JSON.stringify(request));
      const terminal = await done;
      if (terminal.type !== 'result') throw new Error(`job failed: ${JSON.stringify(terminal).slice(0, 300)}`);
      return { jobId: (terminal as { jobId: string }).jobId, terminal };
    },
    close: () => socket.close(),
  };
}

const fakeRunJob: RunJob = async (request, _context, progress) => {
  progress.report({ stage: 'plan', fraction: 1 });
  const analysis = { movie: { path: movie, durationSeconds: 1, frameRate: { num: 24, den: 1 } }, music: { path: music, durationSeconds: 1, tempoBpm: 120, beatsPerBar: 4 }, shots: [], sceneCount: 0, bars: [], labels: [] };
  if (request.kind !== 'resolve') return { analysis, analysisData: { filler: new Float32Array(10_000) } };
  const plan = { totalScore: 0, durationSeconds: 0, barCount: 0, shotCount: 0, sceneCount: 0, options: { scenes: 1, mode: 'hard' as const, granularity: 'bar' as const, trim: true, arc: true, pins: [], bans: [] }, diagnostics: [], music: { startSeconds: 0, endSeconds: 0 } };
  return { analysis, montage: { plan, chosen: [], musicEmotion: [], files: [], preview: null, report: '' } };
};

export async function run(args: string[]): Promise<void> {
  if (!args.includes('--faults-only')) await soak(args);
  if (!args.includes('--no-faults')) await runFaultCases(args.flatMap((arg, i) => (args[i - 1] === '--case' ? [arg] : [])));
}

async function soak(args: string[]): Promise<void> {
  const jobs = option(args, 'jobs', 100);
  const warmup = Math.min(option(args, 'warmup', 5), jobs - 1);
  const fake = args.includes('--fake');
  const root = mkdtempSync(join(tmpdir(), 'am-bench-companion-'));
  const server = await startServer({ port: 0, dataDir: join(root, 'data'), configDir: join(root, 'config'), extensionsDir: join(root, 'extensions'), ...(fake ? { runJob: fakeRunJob } : {}) });
  const connection = await client(server.wsUrl, server.token);
  try {
    const request = (i: number) =>
      fake
        ? { type: 'analyse', requestId: `a${i}`, movie: { path: movie }, music: { path: music } }
        : { type: 'montage', requestId: `m${i}`, movie: { path: movie }, music: { path: music, range: { startSeconds: 30, endSeconds: 40 } }, options: { scenes: 3 + (i % 4) }, formats: ['edl', 'fcp7-xml'], preview: false };
    const durations: number[] = [];
    let rssStart = 0;
    let heapStart = 0;
    let lastJob = '';
    for (let i = 0; i < jobs; i++) {
      if (i === warmup) {
        collectGarbage();
        rssStart = process.memoryUsage().rss;
        heapStart = process.memoryUsage().heapUsed;
      }
      const started = performance.now();
      lastJob = (await connection.job(request(i))).jobId;
      durations.push(performance.now() - started);
    }
    collectGarbage();
    const { rss: rssEnd, heapUsed: heapEnd } = process.memoryUsage();
    const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
    console.log(
      JSON.stringify({
        bench: 'companion.soak',
        jobs,
        runner: fake ? 'fake' : 'pipeline',
        rssGrowthPct: Math.round(((rssEnd - rssStart) / rssStart) * 1000) / 10,
        rssStartMb: mb(rssStart),
        rssEndMb: mb(rssEnd),
        heapGrowthPct: Math.round(((heapEnd - heapStart) / heapStart) * 1000) / 10,
        jobMsP50: Math.round(percentile(durations, 50)),
        jobMsP95: Math.round(percentile(durations, 95)),
        firstJobMs: Math.round(durations[0] ?? 0),
        measuredAfterJobs: warmup,
      }),
    );

    const resolves: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      await connection.job({ type: 'resolve', requestId: `r${i}`, jobId: lastJob, options: { bans: [i % 5], scenes: 2 + (i % 5) } });
      resolves.push(performance.now() - started);
    }
    console.log(JSON.stringify({ bench: 'companion.resolve', count: resolves.length, runner: fake ? 'fake' : 'pipeline', p50Ms: Math.round(percentile(resolves, 50)), p95Ms: Math.round(percentile(resolves, 95)), maxMs: Math.round(Math.max(...resolves)) }));
  } finally {
    connection.close();
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
}

// `npx tsx bench/companion.ts --jobs 20` runs it directly, with options.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await run(process.argv.slice(2));
