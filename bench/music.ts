/**
 * Music analysis benchmark: `npm run bench -- music [--shared-only]`. The network tracker and the old spectral
 * tracker side by side, with the conventions of ../shared/docs/evaluation.md (beat/downbeat F ±70 ms, first 5 s
 * dropped; bar length = median inter-downbeat interval within 4 %):
 * - music.dev: every item of the corpus's dev split (pieces never trained on; rendered on first use), then
 *   music.dev.mean per genre (band, midi-band, electronic, non-percussive), for tempo/metre changes and for metres
 *   other than 4/4; sound with no beat (genre no-pulse) reports its confidence and how often it reads as free pulse;
 * - music.shared: the annotated songs in ../shared/media/beats;
 * - music.speed: a 4-minute analysis (decoding included) as a multiple of real time; median of 3 runs.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CancellationToken, Progress } from '../companion/core/lifecycle';
import type { MusicAnalysis } from '../companion/core/pipeline';
import { analyseMusic, BuiltinMusicAnalyzer } from '../companion/analysis/music/analyse-music';
import { parseBeatAnnotations, scoreReading } from '../companion/analysis/music/beat-evaluation';
import { BeatNetworkTracker } from '../companion/analysis/music/beat-network-tracker';
import { SpectralBarTracker } from '../companion/analysis/music/spectral-bar-tracker';
import { buildCorpus, corpusDir } from '../models/training/corpus/build-corpus';

const shared = fileURLToPath(new URL('../../shared/media/', import.meta.url));

/**
 * CPU seconds of this process's finished children (ffmpeg) from /proc/self/stat (cutime + cstime, in clock
 * ticks of 1/100 s on Linux); undefined elsewhere. With the process's own CPU time this is the one-core cost,
 * which other load on the machine does not inflate the way it inflates wall time.
 */
function childCpuSeconds(): number | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ');
  const user = Number(fields?.[13]);
  const system = Number(fields?.[14]);
  return Number.isFinite(user) && Number.isFinite(system) ? (user + system) / 100 : undefined;
}

function round(value: number, digits = 3): number {
  return Number(value.toFixed(digits));
}

interface Row {
  readonly beatF: number;
  readonly downbeatF: number;
  readonly barLengthOk: number;
  readonly tempoBpm: number;
  readonly beatsPerBar: number;
  readonly confidence: number;
}

/** Scores one reading against the truth (beat/downbeat F at ±70 ms with the first 5 s dropped; bar length within 4 %). */
function score(referenceBeats: readonly number[], referenceDownbeats: readonly number[], analysis: MusicAnalysis): Row {
  const scores = scoreReading(referenceBeats, referenceDownbeats, analysis.beats);
  return {
    beatF: round(scores.beatF),
    downbeatF: round(scores.downbeatF),
    barLengthOk: scores.barLengthOk,
    tempoBpm: round(analysis.tempoBpm, 1),
    beatsPerBar: analysis.beatsPerBar,
    confidence: round(analysis.confidence),
  };
}

const TRACKERS = { network: new BuiltinMusicAnalyzer(new BeatNetworkTracker()), spectral: new BuiltinMusicAnalyzer(new SpectralBarTracker()) };

async function both(path: string, referenceBeats: readonly number[], referenceDownbeats: readonly number[]): Promise<Record<keyof typeof TRACKERS, Row>> {
  const rows = {} as Record<keyof typeof TRACKERS, Row>;
  for (const [name, analyzer] of Object.entries(TRACKERS) as Array<[keyof typeof TRACKERS, BuiltinMusicAnalyzer]>) {
    rows[name] = score(referenceBeats, referenceDownbeats, await analyzer.analyse(path, {}, Progress.None, CancellationToken.None));
  }
  return rows;
}

/** Sound with no beat (noise, speech, hits, drones): the reading's confidence, and whether it was read as free pulse. */
async function noPulseRow(path: string): Promise<Record<keyof typeof TRACKERS, { confidence: number; free: boolean }>> {
  const rows = {} as Record<keyof typeof TRACKERS, { confidence: number; free: boolean }>;
  for (const [name, analyzer] of Object.entries(TRACKERS) as Array<[keyof typeof TRACKERS, BuiltinMusicAnalyzer]>) {
    const analysis = await analyzer.analyse(path, {}, Progress.None, CancellationToken.None);
    rows[name] = { confidence: round(analysis.confidence), free: analysis.pulse === 'free' };
  }
  return rows;
}

function summarise(bench: string, group: string, rows: ReadonlyArray<Record<keyof typeof TRACKERS, Row>>): void {
  const mean = (name: keyof typeof TRACKERS, key: keyof Row) => round(rows.reduce((sum, row) => sum + row[name][key], 0) / Math.max(1, rows.length));
  const figures = (name: keyof typeof TRACKERS) => ({ beatF: mean(name, 'beatF'), downbeatF: mean(name, 'downbeatF'), barLengthOk: mean(name, 'barLengthOk') });
  console.log(JSON.stringify({ bench, group, items: rows.length, network: figures('network'), spectral: figures('spectral') }));
}

export async function run(args: string[]): Promise<void> {
  // Dev part of the generated corpus (models/training/corpus): never trained or tuned on.
  if (!args.includes('--shared-only')) {
    const dev = buildCorpus(corpusDir, { splits: ['dev'], log: (line) => console.error(line) }).filter((item) => item.split === 'dev');
    const groups = new Map<string, Array<Record<keyof typeof TRACKERS, Row>>>();
    const noPulse: Array<Record<keyof typeof TRACKERS, { confidence: number; free: boolean }>> = [];
    for (const item of dev) {
      if (item.genre === 'no-pulse') {
        const row = await noPulseRow(item.audio);
        noPulse.push(row);
        console.log(JSON.stringify({ bench: 'music.dev', item: item.id, genre: item.genre, ...row }));
        continue;
      }
      const rows = await both(item.audio, item.beats.map((b) => b.time), item.beats.filter((b) => b.beatInBar === 1).map((b) => b.time));
      const truthBpm = round(item.minBpm, 1) === round(item.maxBpm, 1) ? round(item.minBpm, 1) : `${round(item.minBpm, 0)}–${round(item.maxBpm, 0)}`;
      console.log(JSON.stringify({ bench: 'music.dev', item: item.id, genre: item.genre, meters: item.meters.join(' '), truthBpm, ...rows }));
      const keys = [item.genre, 'all', ...(item.meters.length > 1 || item.minBpm < item.maxBpm * 0.97 ? ['tempo-or-metre-changes'] : []), ...(item.meters.some((m) => m !== '4/4') ? ['not-4/4'] : [])];
      for (const key of keys) groups.set(key, [...(groups.get(key) ?? []), rows]);
    }
    for (const [group, rows] of groups) summarise('music.dev.mean', group, rows);
    const noPulseMean = (name: keyof typeof TRACKERS) => ({
      meanConfidence: round(noPulse.reduce((sum, row) => sum + row[name].confidence, 0) / Math.max(1, noPulse.length)),
      readAsFree: round(noPulse.filter((row) => row[name].free).length / Math.max(1, noPulse.length)),
    });
    if (noPulse.length) console.log(JSON.stringify({ bench: 'music.dev.mean', group: 'no-pulse', items: noPulse.length, network: noPulseMean('network'), spectral: noPulseMean('spectral') }));
  }

  // The shared annotated songs (what the old constants were tuned on; three of the five are in the network's training set).
  const beatsDir = `${shared}beats/`;
  const songs = readdirSync(beatsDir).filter((name) => name.endsWith('.ogg')).map((name) => name.replace(/\.ogg$/, '')).sort();
  const sharedRows = [];
  for (const song of songs) {
    const reference = parseBeatAnnotations(readFileSync(`${beatsDir}${song}.beats`, 'utf8')).times;
    const referenceDownbeats = parseBeatAnnotations(readFileSync(`${beatsDir}${song}.downbeats`, 'utf8')).times;
    const rows = await both(`${beatsDir}${song}.ogg`, reference, referenceDownbeats);
    sharedRows.push(rows);
    console.log(JSON.stringify({ bench: 'music.shared', track: song, ...rows }));
  }
  summarise('music.shared.mean', 'shared', sharedRows);

  // Speed: the first 240 s of the longest track in ../shared/media/music (decode included).
  const musicDir = `${shared}music/`;
  const track = 'frozen-bubble_frozen-mainzik-1p.ogg';
  const durationSeconds = 240;
  const times: number[] = [];
  const cpu: number[] = [];
  const decodeCpu: number[] = [];
  for (let i = 0; i < 5; i++) {
    const cpuStart = process.cpuUsage();
    const childStart = childCpuSeconds();
    const started = performance.now();
    await analyseMusic(`${musicDir}${track}`, { rangeSeconds: { start: 0, end: durationSeconds } }, Progress.None, CancellationToken.None);
    times.push((performance.now() - started) / 1000);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1e6);
    const childEnd = childCpuSeconds();
    if (childStart !== undefined && childEnd !== undefined) decodeCpu.push(childEnd - childStart);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const wall = median(times);
  const analysisCpu = median(cpu);
  const ffmpegCpu = decodeCpu.length ? median(decodeCpu) : undefined;
  const oneCore = analysisCpu + (ffmpegCpu ?? 0);
  console.log(
    JSON.stringify({
      bench: 'music.speed',
      track,
      durationSeconds,
      wallSeconds: round(wall),
      analysisCpuSeconds: round(analysisCpu),
      ...(ffmpegCpu !== undefined ? { ffmpegCpuSeconds: round(ffmpegCpu), cpuSeconds: round(oneCore), cpuRealtimeFactor: round(durationSeconds / oneCore, 1) } : {}),
      // Wall-clock figure: the one to quote on an idle machine; under load the CPU figure is the fairer one.
      realtimeFactor: round(durationSeconds / wall, 1),
    }),
  );
}
