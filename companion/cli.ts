/**
 * The `auto-montage` command line. A composition root: it parses options, wires the host and the pipeline,
 * draws progress on stderr, and returns an exit code (main.ts is the only place that exits).
 *   0 success · 1 a MontageError (its code is printed) · 2 bad usage · 130 cancelled (Ctrl-C)
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CancellationError, formatError, toMontageError } from './core/errors';
import { CancellationTokenSource } from './core/lifecycle';
import { SEQUENCE_TIMECODES, type SequenceTimecode } from './core/timecode';
import type { GranularityOption, PlanRelaxation, RelaxKind, SceneMode } from './core/montage';
import { configureEmotion, defaultEncoderIds } from './analysis/emotion/index';
import { createExtensionHost } from './host/index';
import { synthesizeMovie, synthesizeMusic } from './media/synthesize';
import { MAX_BEATS_PER_BAR, MAX_TEMPO_BPM, MIN_BEATS_PER_BAR, MIN_TEMPO_BPM, runMontage, type MontageOptions, type MontageRequest, type MontageOutcome, type SecondsRange } from './pipeline/run-montage';
import { analyseMusicReading, formatMusicReading } from './pipeline/music-reading';
import { MOOD_CHOICES, type MoodChoice } from './analysis/emotion/fixed-mood';
import { ProgressBar } from './progress-bar';
import { cliSources, parseShotList, parseTimelineRate } from './cli-sources';
import { formatServerBanner, startServer } from './server/index';
import { EDITING_CODECS, type EditingCodec } from './pipeline/nle-media';
import { parseRedisUrl } from './queue/redis-url';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const HELP = `auto-montage ${version}: an emotion-aware, music-driven montage of a movie, cut on the music's bars.

Usage:
  auto-montage montage --movie FILE --music FILE --out DIR [options]
  auto-montage demo [--out DIR] [--force]      generate a movie and music, then montage them
  auto-montage serve [--port N] [--data DIR]   start the companion for the Premiere panel and the web UI
  auto-montage formats                         list the timeline formats (exporters) available
  auto-montage analyse-music FILE [--music-range S:E] [--json] [--bpm N] [--beats-per-bar N]
                            [--first-downbeat SECONDS] [--shift-downbeat N] [--mood auto|LABEL] [--cache DIR]
                                               print the music reading: tempo, metre, beats, bars, mood
  auto-montage worker --redis URL [--concurrency N] [--cache DIR] [--lock-seconds N] [--json]
                                               run analysis and montage jobs from the queue (Ctrl-C: finish, then stop)
  auto-montage enqueue --redis URL FILE|DIR… [--wait] [--json] [--force]
                                               queue the analysis of files and folders; prints job ids
  auto-montage enqueue --redis URL --movie FILE --music FILE --out DIR [montage options] [--wait]
                                               queue a montage, made by a worker into DIR (shared storage)
  auto-montage jobs --redis URL [--json] [--cancel JOB]   each queued job's state and progress
  auto-montage serve --redis URL [--cache DIR] the companion, with its jobs' analyses on the workers

Montage options:
  --movie FILE              the movie (any format ffmpeg reads); repeat it for several files (docs/sources.md)
  --sources FILE.json|DIR   media ranges from a JSON list [{path, range?, timelineSeconds?, id?}] or a folder
  --rate N                  the timeline's frame rate, e.g. 25 or 30000/1001 (default: the first movie's)
  --timecode ndf|df         the sequence timecode: non-drop (default) or drop-frame, which only 29.97 and
                            59.94 fps timelines have (any other rate is refused); every timeline file counts so
  --music FILE              the music; the montage lasts its whole bars
  --out DIR                 output folder: montage.mp4, plan.json, report.txt and the timeline files
  --music-range START:END   use only this part of the music, in seconds (e.g. 30:90)
  --movie-range START:END   use only this part of the movie, in seconds; with several --movie, once per
                            --movie in the same order (all: the whole file)
  --scenes N                at most N scenes (default 5)
  --mode hard|soft          hard: at most N scenes; soft: a scene budget favouring emotion (default hard)
  --granularity auto|bar|2bars|halfbar|beat   the cut unit (default auto: the unit with the best objective
                            per cut among those the shots fill, per tempo section where the tempo changes)
  --relax auto|none|LIST    when the footage cannot fill the music as asked, loosen the fewest of
                            granularity,trim,scenes,music (default auto: any, in that order; none: refuse)
  --beats-per-bar N         override the detected metre (2–12 beats per bar)
  --bpm N                   override the detected tempo (30–300 BPM; beats stay on the music's pulse)
  --first-downbeat SECONDS  put a downbeat on the beat nearest this time (the bar phase follows)
  --shift-downbeat N        move the downbeat by N beats (when the detected bar start is off)
  --mood auto|excited|fearful|neutral|relaxed|sad|tense   the music's mood (default auto: read from the music)
  --pin LIST / --ban LIST   shot indices (from plan.json) that must / must not be used, e.g. 3,17, or a
                            source's shot as SOURCE:INDEX, e.g. source-2:4
  --no-trim                 use shots only at their full length in bars (the paper's method)
  --keep-text-shots         keep title cards, credits, logos and text-heavy shots in the pool
  --keep-duplicates         keep every near-duplicate shot, not only the best of each group
  --keep-blank-shots        keep black, white and frozen shots (report.txt lists every shot left out)
  --no-arc                  score shots against the whole music, not the bars they land on
  --format ID               a timeline format to write (repeatable; default: all, see 'formats')
  --export-option ID.NAME=VALUE   an exporter option (repeatable), e.g. fcp7-xml.flavor=resolve,
                            fcpxml.version=1.11, edl.resolveMarkers=true ('formats' lists them)
  --no-preview              do not render montage.mp4
  --transcode prores|dnxhr  write an editing copy (ProRes 422 HQ / DNxHR HQ .mov) of each movie the target
                            editor cannot import (WebM, Ogg, MKV…) and point the timelines at it
  --shot-encoders IDS       emotion encoders for shots (default frame-affect,faces,soundtrack)
  --music-encoders IDS      emotion encoders for the music (default music-features,music-yamnet)
  --yamnet FILE             the optional YAMNet model (yamnet_waveform.onnx); also AM_YAMNET_PATH
  --cache DIR               analysis cache folder (default ~/.cache/auto-montage); --no-cache disables it
  --extensions DIR          folder of user extensions (default ~/.config/auto-montage/extensions)
  --force                   overwrite existing outputs in --out (never the movie or the music)
  --json                    print a machine-readable result (or error) on stdout
  --quiet                   no progress on stderr
  -h, --help                this help;  -v, --version  the version

analyse-music prints (with --json, one object): tempoBpm, beatsPerBar, confidence, pulse (steady|free),
beats [{time, beatInBar}], bars [{start, duration, confidence, valence, arousal, mood}], mood, valence, arousal,
moodConfidence; times in seconds of the music file. It takes the music options above and --music-encoders.

Queue options (docs/scale-out.md):
  --redis URL               the Redis of the worker pool, e.g. redis://127.0.0.1:6379 (without it, nothing
                            uses a queue: serve and montage run everything in their own process)
  --concurrency N           worker: jobs at once (default 1); serve: companion jobs at once (default 2)
  --cache DIR               the analysis cache every worker and companion shares (default ~/.cache/auto-montage)
  --lock-seconds N          worker: a job whose worker stops answering goes to another after N s (default 30)
  --wait                    enqueue: wait until every job has ended, with progress on stderr
  --force                   enqueue: run finished jobs again (a montage also overwrites its outputs)
  --cancel JOB              jobs: remove a waiting job from the queue, or stop a running one on its worker

Environment: FFMPEG_PATH / FFPROBE_PATH choose the ffmpeg and ffprobe executables.
Errors print as CODE: message — where; docs/errors.md explains each code.`;

class UsageError extends Error {}

const options = {
  movie: { type: 'string', multiple: true },
  sources: { type: 'string' },
  rate: { type: 'string' },
  timecode: { type: 'string' },
  music: { type: 'string' },
  out: { type: 'string' },
  'music-range': { type: 'string' },
  'movie-range': { type: 'string', multiple: true },
  scenes: { type: 'string' },
  mode: { type: 'string' },
  granularity: { type: 'string' },
  relax: { type: 'string' },
  'beats-per-bar': { type: 'string' },
  'shift-downbeat': { type: 'string' },
  bpm: { type: 'string' },
  'first-downbeat': { type: 'string' },
  mood: { type: 'string' },
  pin: { type: 'string', multiple: true },
  ban: { type: 'string', multiple: true },
  trim: { type: 'boolean' },
  'no-trim': { type: 'boolean' },
  'no-arc': { type: 'boolean' },
  'keep-text-shots': { type: 'boolean' },
  'keep-duplicates': { type: 'boolean' },
  'keep-blank-shots': { type: 'boolean' },
  format: { type: 'string', multiple: true },
  'export-option': { type: 'string', multiple: true },
  'no-preview': { type: 'boolean' },
  transcode: { type: 'string' },
  cache: { type: 'string' },
  'shot-encoders': { type: 'string' },
  'music-encoders': { type: 'string' },
  yamnet: { type: 'string' },
  'no-cache': { type: 'boolean' },
  extensions: { type: 'string' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  port: { type: 'string' },
  redis: { type: 'string' },
  concurrency: { type: 'string' },
  'lock-seconds': { type: 'string' },
  wait: { type: 'boolean' },
  cancel: { type: 'string' },
  data: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

function parseRange(text: string | undefined, field: string): SecondsRange | undefined {
  if (text === undefined) return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!match || Number(match[2]) <= Number(match[1])) throw new UsageError(`--${field} must be START:END in seconds with START < END (got "${text}")`);
  return { startSeconds: Number(match[1]), endSeconds: Number(match[2]) };
}

function parseInteger(text: string | undefined, field: string, allowed?: readonly number[]): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || (allowed ? !allowed.includes(value) : value < 0)) {
    throw new UsageError(`--${field} must be ${allowed ? allowed.join(' or ') : 'a whole number ≥ 0'} (got "${text}")`);
  }
  return value;
}

function parseNumber(text: string | undefined, field: string, low: number, high: number, { whole = false } = {}): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < low || value > high || (whole && !Number.isInteger(value))) {
    throw new UsageError(`--${field} must be a ${whole ? 'whole number' : 'number'} from ${low} to ${high} (got "${text}")`);
  }
  return value;
}

/** The editor's overrides of the music reading, shared by montage and analyse-music. */
function musicOverrides(values: Values): Pick<MontageOptions, 'beatsPerBar' | 'downbeatShift' | 'bpm' | 'firstDownbeatSeconds' | 'mood'> {
  const beatsPerBar = parseNumber(values['beats-per-bar'], 'beats-per-bar', MIN_BEATS_PER_BAR, MAX_BEATS_PER_BAR, { whole: true });
  const downbeatShift = parseNumber(values['shift-downbeat'], 'shift-downbeat', -MAX_BEATS_PER_BAR, MAX_BEATS_PER_BAR, { whole: true });
  const bpm = parseNumber(values.bpm, 'bpm', MIN_TEMPO_BPM, MAX_TEMPO_BPM);
  const firstDownbeatSeconds = parseNumber(values['first-downbeat'], 'first-downbeat', 0, 24 * 3600);
  const mood = parseChoice<MoodChoice>(values.mood, 'mood', MOOD_CHOICES);
  return {
    ...(beatsPerBar ? { beatsPerBar } : {}),
    ...(downbeatShift ? { downbeatShift } : {}),
    ...(bpm !== undefined ? { bpm } : {}),
    ...(firstDownbeatSeconds !== undefined ? { firstDownbeatSeconds } : {}),
    ...(mood ? { mood } : {}),
  };
}

function parseChoice<T extends string>(text: string | undefined, field: string, choices: readonly T[]): T | undefined {
  if (text === undefined) return undefined;
  if (!choices.includes(text as T)) throw new UsageError(`--${field} must be one of ${choices.join(', ')} (got "${text}")`);
  return text as T;
}

/** --relax: auto, none, or a comma list of granularity, trim, scenes, music. */
function parseRelax(text: string | undefined): PlanRelaxation | undefined {
  if (text === undefined || text === 'auto' || text === 'none') return text;
  const kinds: RelaxKind[] = ['granularity', 'trim', 'scenes', 'music'];
  const list = text.split(',').map((k) => k.trim());
  if (!list.length || list.some((k) => !kinds.includes(k as RelaxKind))) throw new UsageError(`--relax must be auto, none, or a list of ${kinds.join(', ')} (got "${text}")`);
  return list as RelaxKind[];
}

function parseExportOptions(values: readonly string[] | undefined): Record<string, Record<string, string>> | undefined {
  if (!values?.length) return undefined;
  const options: Record<string, Record<string, string>> = {};
  for (const text of values) {
    const match = /^([\w.-]+?)\.(\w+)=(.*)$/.exec(text);
    if (!match) throw new UsageError(`--export-option must be ID.NAME=VALUE, e.g. fcp7-xml.flavor=resolve (got "${text}")`);
    (options[match[1]!] ??= {})[match[2]!] = match[3]!;
  }
  return options;
}

function idList(text: string | undefined): string[] | undefined {
  return text === undefined ? undefined : text.split(',').map((id) => id.trim()).filter(Boolean);
}

function defaultCacheDir(): string {
  return join(process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'auto-montage');
}

function defaultExtensionsDir(): string {
  return join(process.env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'auto-montage', 'extensions');
}

function montageRequest(values: Values): MontageRequest {
  if (!values.movie?.length && values.sources === undefined) throw new UsageError('--movie (or --sources) is required');
  for (const required of ['music', 'out'] as const) {
    if (!values[required]) throw new UsageError(`--${required} is required`);
  }
  const scenes = parseInteger(values.scenes, 'scenes');
  if (scenes === 0) throw new UsageError('--scenes must be at least 1');
  const mode = parseChoice<SceneMode>(values.mode, 'mode', ['hard', 'soft']);
  const granularity = parseChoice<GranularityOption>(values.granularity, 'granularity', ['auto', 'bar', '2bars', 'halfbar', 'beat']);
  const relax = parseRelax(values.relax);
  const movies = values.movie ?? [];
  const ranges = values['movie-range'] ?? [];
  // Several movies, per-movie ranges or a source list become media ranges (docs/sources.md); one movie stays as it was.
  const sources = cliSources(movies, ranges, values.sources, (text) => parseRange(text, 'movie-range')!, values.music);
  const movieRange = sources ? undefined : parseRange(ranges[0], 'movie-range');
  const rate = parseTimelineRate(values.rate);
  const timecode = parseChoice<SequenceTimecode>(values.timecode, 'timecode', [...SEQUENCE_TIMECODES]);
  const musicRange = parseRange(values['music-range'], 'music-range');
  const exportOptions = parseExportOptions(values['export-option']);
  return {
    moviePath: resolve(movies[0] ?? sources![0]!.path),
    ...(sources ? { sources } : {}),
    ...(rate ? { rate } : {}),
    ...(timecode ? { timecode } : {}),
    musicPath: resolve(values.music!),
    ...(movieRange ? { movieRange } : {}),
    ...(musicRange ? { musicRange } : {}),
    options: {
      ...(scenes !== undefined ? { maxScenes: scenes } : {}),
      ...(mode ? { mode } : {}),
      ...(granularity ? { granularity } : {}),
      ...(relax ? { relax } : {}),
      ...musicOverrides(values),
      ...(values['no-trim'] ? { trim: false } : {}),
      ...(values['no-arc'] ? { arc: false } : {}),
      ...(values['keep-text-shots'] ? { keepTextShots: true } : {}),
      ...(values['keep-duplicates'] ? { keepDuplicates: true } : {}),
      ...(values['keep-blank-shots'] ? { keepBlankShots: true } : {}),
      pins: parseShotList(values.pin, 'pin'),
      bans: parseShotList(values.ban, 'ban'),
    },
    ...(values.format?.length ? { formats: values.format } : {}),
    ...(exportOptions ? { exportOptions } : {}),
    ...(values['shot-encoders'] || values['music-encoders']
      ? { encoders: { shot: idList(values['shot-encoders']) ?? defaultEncoderIds.shot, music: idList(values['music-encoders']) ?? defaultEncoderIds.music } }
      : {}),
  };
}

interface Io {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

function parseTranscode(value: string): EditingCodec {
  const codec = EDITING_CODECS.find((candidate) => candidate === value);
  if (!codec) throw new UsageError(`--transcode takes ${EDITING_CODECS.join(' or ')}, not "${value}"`);
  return codec;
}

async function montage(request: MontageRequest, values: Values, io: Io, token: CancellationTokenSource): Promise<MontageOutcome> {
  const host = await createExtensionHost({ userExtensionsDir: resolve(values.extensions ?? defaultExtensionsDir()) });
  const progress = new ProgressBar(io.stderr, !values.quiet);
  try {
    return await runMontage(
      request,
      {
        host,
        outDir: resolve(values.out!),
        force: !!values.force,
        preview: !values['no-preview'],
        ...(values.transcode !== undefined ? { transcode: parseTranscode(values.transcode) } : {}),
        ...(values['no-cache'] ? {} : { cacheDir: resolve(values.cache ?? defaultCacheDir()) }),
      },
      progress,
      token.token,
    );
  } finally {
    progress.done();
    host.dispose();
  }
}

function printOutcome(outcome: MontageOutcome, outDir: string, values: Values, io: Io): void {
  const { plan } = outcome;
  const summary = {
    bars: plan.bars.length,
    shots: plan.placements.length,
    scenes: new Set(plan.placements.map((p) => p.sceneIndex)).size,
    durationSeconds: plan.music.endSeconds - plan.music.startSeconds,
    totalScore: plan.totalScore,
    granularity: outcome.granularity.unit,
    granularityReason: outcome.granularity.reason,
    relaxations: outcome.relaxations,
    ...(outcome.pool ? { excludedShots: outcome.pool.excluded.length, trimmedShots: outcome.pool.trimmed.length } : {}),
  };
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ ok: true, outDir, files: outcome.files, summary })}\n`);
    return;
  }
  io.stdout.write(`${outcome.report}\nWrote ${outcome.files.length} files to ${outDir}:\n${outcome.files.map((f) => `  ${f}`).join('\n')}\n`);
}

async function demo(values: Values, io: Io, token: CancellationTokenSource): Promise<number> {
  const outDir = resolve(values.out ?? 'out/demo');
  const inputs = join(outDir, 'inputs');
  const moviePath = join(inputs, 'demo-movie.mp4');
  const musicPath = join(inputs, 'demo-music.m4a');
  await mkdir(inputs, { recursive: true });
  if (!values.quiet) io.stderr.write(`Generating the demo movie and music in ${inputs}…\n`);
  if (values.force || !existsSync(moviePath)) await synthesizeMovie(moviePath, undefined, token.token);
  if (values.force || !existsSync(musicPath)) await synthesizeMusic(musicPath, { tempoBpm: 120, beatsPerBar: 4, seconds: 40.5, offsetSeconds: 0.5, mode: 'major' }, token.token);
  const request: MontageRequest = { moviePath, musicPath, options: { maxScenes: 3 } };
  const outcome = await montage(request, { ...values, force: true, out: outDir, 'no-cache': true }, io, token);
  printOutcome(outcome, outDir, values, io);
  if (!values.json) io.stdout.write(`\nOpen ${join(outDir, 'montage.mp4')} to watch the montage; import the .xml into Premiere, the .edl or .otio into Resolve, the .fcpxml into Final Cut.\n`);
  return 0;
}

async function serve(values: Values, io: Io, token: CancellationTokenSource): Promise<number> {
  const port = parseInteger(values.port, 'port');
  const redisUrl = values.redis === undefined ? undefined : parseRedisUrl(values.redis);
  const concurrency = parseNumber(values.concurrency, 'concurrency', 1, 64, { whole: true });
  const server = await startServer({
    ...(redisUrl ? { queue: { redisUrl, cacheDir: resolve(values.cache ?? defaultCacheDir()) } } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(values.data ? { dataDir: resolve(values.data) } : {}),
    extensionsDir: resolve(values.extensions ?? defaultExtensionsDir()),
    onPairingCode: (code) => io.stdout.write(`Paired. Next pairing code: ${code}\n`),
  });
  io.stdout.write(`${formatServerBanner(server)}\nCtrl-C stops it.\n`);
  await new Promise<void>((done) => token.token.onCancellationRequested(() => done()));
  await server.close();
  return 0;
}

async function formats(values: Values, io: Io): Promise<number> {
  const host = await createExtensionHost({ userExtensionsDir: resolve(values.extensions ?? defaultExtensionsDir()) });
  try {
    const list = host.listExporters();
    if (values.json) io.stdout.write(`${JSON.stringify(list)}\n`);
    else {
      for (const exporter of list) {
        io.stdout.write(`${exporter.id.padEnd(10)} ${exporter.label} (${exporter.fileExtension}) [extension: ${exporter.extensionId}]\n`);
        for (const option of exporter.options ?? []) {
          const choices = option.type === 'enum' ? (option.values ?? []).join('|') : option.type;
          io.stdout.write(`             --export-option ${exporter.id}.${option.name}=${choices} (default ${String(option.default)}): ${option.description ?? ''}\n`);
        }
      }
    }
    return 0;
  } finally {
    host.dispose();
  }
}

async function analyseMusicCommand(file: string | undefined, values: Values, io: Io, token: CancellationTokenSource): Promise<number> {
  const path = file ?? values.music;
  if (!path) throw new UsageError('analyse-music needs a music FILE');
  const range = parseRange(values['music-range'], 'music-range');
  if (values.yamnet) configureEmotion({ yamnetPath: resolve(values.yamnet) });
  const host = await createExtensionHost({ userExtensionsDir: resolve(values.extensions ?? defaultExtensionsDir()) });
  const progress = new ProgressBar(io.stderr, !values.quiet && !values.json);
  try {
    const reading = await analyseMusicReading(
      resolve(path),
      {
        ...musicOverrides(values),
        ...(range ? { range } : {}),
        ...(values['no-cache'] ? {} : { cacheDir: resolve(values.cache ?? defaultCacheDir()) }),
        ...(values['music-encoders'] ? { encoders: idList(values['music-encoders'])! } : {}),
      },
      host,
      progress,
      token.token,
    );
    progress.done();
    io.stdout.write(values.json ? `${JSON.stringify(reading)}\n` : `${formatMusicReading(reading)}\n`);
    return 0;
  } finally {
    progress.done();
    host.dispose();
  }
}

/** worker, enqueue and jobs: they need --redis; loaded only when used, so no other command loads BullMQ. */
async function queueCommand(command: 'worker' | 'enqueue' | 'jobs', files: string[], values: Values, io: Io, token: CancellationTokenSource): Promise<number> {
  if (values.redis === undefined) throw new UsageError(`${command} needs --redis URL (e.g. --redis redis://127.0.0.1:6379)`);
  const redisUrl = parseRedisUrl(values.redis);
  const commands = await import('./queue-commands');
  const json = !!values.json;
  if (command === 'worker') {
    const concurrency = parseNumber(values.concurrency, 'concurrency', 1, 64, { whole: true });
    const lockSeconds = parseNumber(values['lock-seconds'], 'lock-seconds', 1, 3600);
    if (values.yamnet) configureEmotion({ yamnetPath: resolve(values.yamnet) });
    return commands.workerCommand(
      {
        redisUrl,
        cacheDir: resolve(values.cache ?? defaultCacheDir()),
        extensionsDir: resolve(values.extensions ?? defaultExtensionsDir()),
        json,
        ...(concurrency !== undefined ? { concurrency } : {}),
        ...(lockSeconds !== undefined ? { lockMs: lockSeconds * 1000 } : {}),
      },
      io,
      token,
    );
  }
  if (command === 'enqueue') {
    const enqueueOptions = { redisUrl, wait: !!values.wait, json, quiet: !!values.quiet, again: !!values.force };
    if (values.out !== undefined || values.music !== undefined) {
      // A montage made on a worker: the montage command's options, into a folder the workers share.
      if (files.length) throw new UsageError('enqueue takes FILE|DIR… or a montage (--movie --music --out), not both');
      const request = montageRequest(values);
      return commands.enqueueMontageCommand({ path: resolve(values.out!), request, preview: !values['no-preview'], force: !!values.force }, enqueueOptions, io, token);
    }
    if (!files.length) throw new UsageError('enqueue needs at least one FILE or DIR');
    return commands.enqueueCommand(files, enqueueOptions, io, token);
  }
  return commands.jobsCommand({ redisUrl, json, ...(values.cancel !== undefined ? { cancel: values.cancel } : {}) }, io);
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: Io = { stdout: process.stdout, stderr: process.stderr }, token = new CancellationTokenSource()): Promise<number> {
  let values: Values;
  let command: string | undefined;
  let file: string | undefined;
  let files: string[] = [];
  try {
    const parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    values = parsed.values;
    command = parsed.positionals[0];
    // analyse-music takes its file as an argument (or --music); enqueue takes any number.
    const takesFile = command === 'analyse-music' || command === 'analyze-music';
    file = takesFile ? parsed.positionals[1] : undefined;
    files = command === 'enqueue' ? parsed.positionals.slice(1) : [];
    const extra = command === 'enqueue' ? undefined : parsed.positionals[takesFile ? 2 : 1];
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
  } catch (error) {
    io.stderr.write(`auto-montage: ${(error as Error).message}\nRun 'auto-montage --help' for the options.\n`);
    return 2;
  }
  if (values.version) {
    io.stdout.write(`${version}\n`);
    return 0;
  }
  if (values.help || !command || command === 'help') {
    io.stdout.write(`${HELP}\n`);
    return command || values.help ? 0 : 2;
  }
  try {
    switch (command) {
      case 'montage': {
        const request = montageRequest(values);
        if (values.yamnet) configureEmotion({ yamnetPath: resolve(values.yamnet) });
        printOutcome(await montage(request, values, io, token), resolve(values.out!), values, io);
        return 0;
      }
      case 'demo':
        return await demo(values, io, token);
      case 'serve':
        return await serve(values, io, token);
      case 'formats':
        return await formats(values, io);
      case 'analyse-music':
      case 'analyze-music':
        return await analyseMusicCommand(file, values, io, token);
      case 'worker':
      case 'enqueue':
      case 'jobs':
        return await queueCommand(command, files, values, io, token);
      default:
        throw new UsageError(`unknown command "${command}" (montage, demo, serve, formats, analyse-music, worker, enqueue, jobs)`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`auto-montage: ${error.message}\nRun 'auto-montage --help' for the options.\n`);
      return 2;
    }
    const failure = toMontageError(error);
    if (values.json) io.stdout.write(`${JSON.stringify({ ok: false, error: failure.toJSON() })}\n`);
    io.stderr.write(`${failure instanceof CancellationError ? 'Cancelled.' : formatError(failure.toJSON())}\n`);
    if (failure.code === 'AM_ERR_INTERNAL' && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return failure instanceof CancellationError ? 130 : 1;
  }
}

