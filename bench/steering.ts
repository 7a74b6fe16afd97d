/**
 * Steering (the panel's mood control and emotion arc): what a steering re-solve costs.
 *   {"bench":"steering.scores", target, shots, bars, ms}: steerAnalysis alone (the scores against the target,
 *     recomputed from the shot emotions) on hand-made analyses up to a feature film's size;
 *   {"bench":"steering.resolve", film, target, count, p50Ms, maxMs, elapsedMsP50, changedShots}: `resolve` frames over
 *     the real WebSocket protocol against the real companion on the shared films (one montage, then re-solves per
 *     target; wall time from the frame sent to the result, and the job's own elapsedMs); changedShots says whether
 *     the chosen shots differ from the unsteered plan.
 * Options: --count N re-solves per target (default 5), --scores-only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { EMOTION_LABELS } from '../companion/core/montage';
import { LABEL_PROTOTYPES, vectorFromPad } from '../companion/analysis/emotion/emotion-space';
import { barScores, shotScores } from '../companion/analysis/emotion/similarity';
import type { EmotionScores } from '../companion/analysis/emotion/index';
import type { MontageAnalysis } from '../companion/pipeline/run-montage';
import { steerAnalysis, type SteeringOptions } from '../companion/pipeline/steer-emotions';
import { PROTOCOL_SUBPROTOCOL, PROTOCOL_VERSION, type AcceptedMessage, type MontageResultMessage, type ServerMessage } from '../companion/protocol/messages';
import { startServer } from '../companion/server/index';

const shared = fileURLToPath(new URL('../../shared/media/', import.meta.url));

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  const value = index >= 0 ? Number(args[index + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** A hand-made analysis: shots cycling through the labels, neutral music on 2 s bars. */
function handMade(shotCount: number, barCount: number): MontageAnalysis {
  const shots = Array.from({ length: shotCount }, (_, i) => vectorFromPad('fusion', LABEL_PROTOTYPES[EMOTION_LABELS[i % EMOTION_LABELS.length]!], 1));
  const neutral = vectorFromPad('fusion', LABEL_PROTOTYPES.neutral, 1);
  const bars = Array.from({ length: barCount }, (_, index) => ({ index, startSeconds: index * 2, durationSeconds: 2, beatsPerBar: 4, tempoBpm: 120 }));
  const emotions: EmotionScores = { shots, music: { global: neutral, bars: bars.map(() => neutral) }, shotScores: shotScores(shots, neutral), barScores: barScores(shots, bars.map(() => neutral)), byEncoder: { shot: {}, music: {} }, diagnostics: [] };
  return { music: { bars }, emotions } as unknown as MontageAnalysis;
}

function scoreCosts(): void {
  for (const [shots, bars] of [[300, 100], [2000, 500], [5000, 1000]] as const) {
    const analysis = handMade(shots, bars);
    const arc = Array.from({ length: bars }, (_, k) => ({ seconds: k * 2 + 1, valence: Math.sin(k / 10), arousal: Math.cos(k / 10) }));
    for (const [target, options] of [['mood', { moodTarget: 'sad' }], ['point', { moodTarget: { valence: 0.3, arousal: -0.6 } }], ['arc', { emotionArc: arc }]] as const) {
      steerAnalysis(analysis, options as SteeringOptions);
      const started = performance.now();
      for (let r = 0; r < 3; r++) steerAnalysis(analysis, options as SteeringOptions);
      console.log(JSON.stringify({ bench: 'steering.scores', target, shots, bars, ms: Math.round(((performance.now() - started) / 3) * 10) / 10 }));
    }
  }
}

/** A minimal protocol client: send a request, wait for the job's result. */
async function client(url: string, token: string) {
  const socket = new WebSocket(url, [PROTOCOL_SUBPROTOCOL]);
  const waiters = new Set<(message: ServerMessage) => void>();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as ServerMessage;
    for (const waiter of [...waiters]) waiter(message);
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const next = (match: (message: ServerMessage) => boolean) =>
    new Promise<ServerMessage>((resolve) => {
      const waiter = (message: ServerMessage) => {
        if (!match(message)) return;
        waiters.delete(waiter);
        resolve(message);
      };
      waiters.add(waiter);
    });
  const welcome = next((m) => m.type === 'welcome');
  socket.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, token }));
  await welcome;
  return {
    async job(frame: Record<string, unknown>): Promise<MontageResultMessage> {
      const accepted = next((m) => 'requestId' in m && m.requestId === frame.requestId);
      socket.send(JSON.stringify(frame));
      const reply = await accepted;
      if (reply.type !== 'accepted') throw new Error(JSON.stringify(reply));
      const end = await next((m) => 'jobId' in m && m.jobId === (reply as AcceptedMessage).jobId && (m.type === 'result' || m.type === 'error' || m.type === 'cancelled'));
      if (end.type !== 'result' || end.kind === 'analyse') throw new Error(JSON.stringify(end).slice(0, 400));
      return end;
    },
    close: () => socket.close(),
  };
}

async function resolves(count: number): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'am-bench-steering-'));
  const server = await startServer({ port: 0, dataDir: join(root, 'data'), configDir: join(root, 'config'), extensionsDir: join(root, 'extensions') });
  const connection = await client(server.wsUrl, server.token);
  let n = 0;
  try {
    for (const [film, song, start, end] of [
      ['sintel_trailer.mp4', 'fof_escape_from_chaosland.ogg', 30, 60],
      ['big_buck_bunny_first60s.mp4', 'fof_metal_madness.ogg', 20, 50],
      ['nosferatu_1922_excerpt.mp4', 'fof_chaos_god.ogg', 20, 80],
    ] as const) {
      const base = await connection.job({ type: 'montage', requestId: `m${n++}`, movie: { path: join(shared, 'film', film) }, music: { path: join(shared, 'beats', song), range: { startSeconds: start, endSeconds: end } }, options: { scenes: 6 }, formats: ['fcp7-xml'], preview: false });
      const shotsOf = (result: MontageResultMessage) => result.montage.chosen.map((c) => c.shotIndex).join(',');
      const units = base.montage.musicEmotion;
      const arc = units.map((unit, i) => ({ seconds: unit.startSeconds + unit.durationSeconds / 2, valence: 0.8 - (1.6 * i) / Math.max(1, units.length - 1), arousal: 0.5 }));
      for (const [target, options] of [
        ['mood sad', { moodTarget: 'sad' }],
        ['mood excited', { moodTarget: 'excited' }],
        ['point', { moodTarget: { valence: -0.4, arousal: 0.7 } }],
        ['arc', { moodTarget: 'auto', emotionArc: arc }],
      ] as const) {
        const walls: number[] = [];
        const elapsed: number[] = [];
        let last = base;
        for (let i = 0; i < count; i++) {
          const started = performance.now();
          last = await connection.job({ type: 'resolve', requestId: `r${n++}`, jobId: base.jobId, options, preview: false });
          walls.push(performance.now() - started);
          elapsed.push(last.elapsedMs);
        }
        console.log(JSON.stringify({ bench: 'steering.resolve', film, target, shots: base.analysis.shots.length, units: units.length, count, p50Ms: Math.round(percentile(walls, 50)), maxMs: Math.round(Math.max(...walls)), elapsedMsP50: Math.round(percentile(elapsed, 50)), changedShots: shotsOf(last) !== shotsOf(base) }));
      }
    }
  } finally {
    connection.close();
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
}

export async function run(args: string[]): Promise<void> {
  scoreCosts();
  if (!args.includes('--scores-only')) await resolves(option(args, 'count', 5));
}

// `npx tsx bench/steering.ts --count 3` runs it directly, with options.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await run(process.argv.slice(2));
