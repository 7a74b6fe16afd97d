/**
 * Music analysis benchmark: `npm run bench -- music`.
 * - music.accuracy: beat and downbeat F-measure (±70 ms, first 5 s ignored, mir_eval conventions) and
 *   CMLt/AMLt on the annotated songs in ../shared/media/beats, per track and the mean.
 * - music.speed: a 4-minute analysis (decoding included) as a multiple of real time; median of 3 runs.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CancellationToken, Progress } from '../companion/core/lifecycle';
import { analyseMusic } from '../companion/analysis/music/analyse-music';
import { evaluateBeats, fMeasure, parseBeatAnnotations, trimEvents } from '../companion/analysis/music/beat-evaluation';

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

export async function run(_args: string[]): Promise<void> {
  const beatsDir = `${shared}beats/`;
  const songs = readdirSync(beatsDir)
    .filter((name) => name.endsWith('.ogg'))
    .map((name) => name.replace(/\.ogg$/, ''))
    .sort();
  const rows: Record<string, number>[] = [];
  for (const song of songs) {
    const reference = parseBeatAnnotations(readFileSync(`${beatsDir}${song}.beats`, 'utf8')).times;
    const referenceDownbeats = parseBeatAnnotations(readFileSync(`${beatsDir}${song}.downbeats`, 'utf8')).times;
    const started = performance.now();
    const analysis = await analyseMusic(`${beatsDir}${song}.ogg`, {}, Progress.None, CancellationToken.None);
    const seconds = (performance.now() - started) / 1000;
    const beats = analysis.beats.map((beat) => beat.timeSeconds);
    const downbeats = analysis.beats.filter((beat) => beat.beatInBar === 1).map((beat) => beat.timeSeconds);
    const scores = evaluateBeats(reference, beats);
    const downbeatF = fMeasure(trimEvents(referenceDownbeats), trimEvents(downbeats)).fMeasure;
    const row = {
      beatF: round(scores.fMeasure),
      downbeatF: round(downbeatF),
      cmlT: round(scores.cmlT),
      amlT: round(scores.amlT),
      tempoBpm: round(analysis.tempoBpm, 2),
      beatsPerBar: analysis.beatsPerBar,
      confidence: round(analysis.confidence),
      realtimeFactor: round(analysis.media.durationSeconds / seconds, 1),
    };
    rows.push(row);
    console.log(JSON.stringify({ bench: 'music.accuracy', track: song, ...row }));
  }
  const mean = (key: string) => round(rows.reduce((sum, row) => sum + row[key]!, 0) / Math.max(1, rows.length));
  console.log(JSON.stringify({ bench: 'music.accuracy', track: 'mean', tracks: rows.length, beatF: mean('beatF'), downbeatF: mean('downbeatF'), cmlT: mean('cmlT'), amlT: mean('amlT') }));

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
