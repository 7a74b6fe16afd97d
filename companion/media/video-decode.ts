/**
 * Decodes every frame of a movie once, small (e.g. 64×36 RGB24), through ffmpeg pipes, split into
 * segments decoded by parallel ffmpeg processes and stitched frame-exactly.
 *
 * How exactness is kept: each process runs with `-copyts` and a `showinfo` filter after the scaler, so
 * every frame written to stdout comes with its presentation timestamp on stderr. A frame's index on the
 * movie's rate is round((pts − pts of frame 0) × rate), never a count, so a seek that lands a frame early
 * or late cannot shift anything. Segments overlap by a few frames; each frame is taken from the segment
 * that owns its index (else from a neighbour's overlap); any hole left at a seam is re-decoded from an
 * earlier seek, and holes that no decode can fill (variable frame rate gaps, damaged data) repeat the
 * previous frame and are counted. Variable frame rate material lands on the nominal rate's grid the same way.
 */
import { availableParallelism } from 'node:os';
import { CancellationError, MontageError } from '../core/errors';
import { CancellationTokenSource, type CancellationToken } from '../core/lifecycle';
import type { VideoStreamInfo } from '../core/montage';
import { toFps, type Rate } from '../core/rational';
import { ffmpegPath } from './binaries';
import { lastLines, run } from './process';
import { frameSplitter, indexOf, rawVideoArgs, ShowinfoReader, StallWatchdog } from './raw-video';

/** Receives one segment's frames in decode order; `data` is only valid during the call. */
export type SegmentFrameSink = (data: Uint8Array) => void;

export interface VideoDecodeOptions {
  readonly width: number;
  readonly height: number;
  /** Parallel ffmpeg processes (default: cores). Short movies use fewer (see minSegmentSeconds). */
  readonly segments?: number;
  /** Shortest segment worth a process of its own (default 20 s). */
  readonly minSegmentSeconds?: number;
  /** Decoder threads per process (default: cores / segments, at least 1). */
  readonly threadsPerProcess?: number;
  /** Frames decoded on each side of a seam and then discarded (default 3). */
  readonly overlapFrames?: number;
  /** A process that writes nothing for this long is killed (default 120 s). */
  readonly stallTimeoutMs?: number;
  /** Extra input options for the decoder (e.g. ['-skip_loop_filter', 'all']). */
  readonly inputOptions?: readonly string[];
  /** Called with (frames decoded so far, frames expected). */
  readonly onProgress?: (decoded: number, expected: number) => void;
}

export interface DecodedSegment {
  readonly id: number;
  /** The first frame index this segment owns, and the first it does not (undefined: to the end). */
  readonly startIndex: number;
  readonly endIndex: number | undefined;
  /** The movie frame index of each frame pushed to this segment's sink, in push order. */
  readonly indices: readonly number[];
  /** Whether this segment re-decoded a hole at a seam. */
  readonly repair: boolean;
}

export interface VideoDecodeResult {
  /** Frames on the movie's rate: the last decoded index + 1. */
  readonly frameCount: number;
  /** For each frame index: which segment's sink received it, and its position in that sink's order. */
  readonly segmentOf: Int32Array;
  readonly ordinalOf: Int32Array;
  /** Frame indices no decode produced, filled by repeating the previous frame. */
  readonly filledFrames: number;
  readonly segments: readonly DecodedSegment[];
  /** Processes run, including repairs. */
  readonly processes: number;
}

interface SegmentPlan {
  readonly id: number;
  readonly startIndex: number;
  readonly endIndex: number | undefined;
  /** Where to seek (a frame index); 0 decodes from the start without seeking. */
  readonly seekIndex: number;
  /** Output frame cap; undefined runs to the end of the file. */
  readonly maxFrames: number | undefined;
  readonly repair: boolean;
}

/** Splits [0, frameCount) into `count` near-equal owned ranges with seek points `overlap` frames early. */
export function planSegments(frameCount: number, count: number, overlap: number): SegmentPlan[] {
  const plans: SegmentPlan[] = [];
  for (let id = 0; id < count; id++) {
    const startIndex = Math.floor((id * frameCount) / count);
    const last = id === count - 1;
    const endIndex = last ? undefined : Math.floor(((id + 1) * frameCount) / count);
    const seekIndex = id === 0 ? 0 : Math.max(0, startIndex - overlap);
    const maxFrames = endIndex === undefined ? undefined : endIndex - seekIndex + overlap;
    plans.push({ id, startIndex, endIndex, seekIndex, maxFrames, repair: false });
  }
  return plans;
}

/**
 * Decodes the movie's first video stream at `width`×`height` RGB24 into per-segment sinks opened by
 * `openSink(segmentId, frameEstimate)` (about how many frames that segment will push, to size its store),
 * and returns how to read the frames back in movie order. Throws
 * AM_ERR_MEDIA_UNREADABLE when no frame decodes, AM_ERR_PROCESS_TIMEOUT when ffmpeg stalls,
 * AM_ERR_FFMPEG_FAILED, or CancellationError (every process is killed).
 */
export async function decodeVideoFrames(
  path: string,
  video: VideoStreamInfo,
  options: VideoDecodeOptions,
  openSink: (segmentId: number, frameEstimate: number) => SegmentFrameSink,
  token?: CancellationToken,
): Promise<VideoDecodeResult> {
  const cores = availableParallelism();
  const fps = toFps(video.rate);
  const expected = Math.max(1, video.frameCount);
  const durationSeconds = video.frameCount / fps;
  const minSegmentSeconds = options.minSegmentSeconds ?? 20;
  const wanted = Math.max(1, Math.floor(options.segments ?? cores));
  const count = video.frameCount > 0 ? Math.max(1, Math.min(wanted, Math.floor(durationSeconds / minSegmentSeconds))) : 1;
  const overlap = Math.max(1, options.overlapFrames ?? 3);
  const threads = options.threadsPerProcess ?? (count === 1 ? 0 : Math.max(1, Math.floor(cores / count)));
  const source = new CancellationTokenSource(token);
  let decodedTotal = 0;
  const countFrame = () => {
    decodedTotal++;
    if ((decodedTotal & 63) === 0) options.onProgress?.(decodedTotal, expected);
  };

  const results = new Map<number, RawSegment>();
  let processes = 0;
  const decodeOne = async (plan: SegmentPlan) => {
    processes++;
    try {
      const raw = await decodeSegment(path, video.rate, plan, options, threads, openSink(plan.id, plan.maxFrames ?? Math.max(0, video.frameCount - plan.seekIndex)), countFrame, source.token);
      results.set(plan.id, raw);
    } catch (error) {
      source.cancel(); // a failed segment stops the others
      throw error;
    }
  };
  /** Runs segments in parallel; on a failure, waits until every process has exited, then throws. */
  const decode = async (plans: readonly SegmentPlan[]) => {
    const settled = await Promise.allSettled(plans.map((plan) => decodeOne(plan)));
    const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    if (failures.length > 0) throw failures.find((f) => !(f instanceof CancellationError)) ?? failures[0];
  };

  try {
    const plans = planSegments(video.frameCount, count, overlap);
    await decode(plans);
    const first = results.get(0);
    if (!first || first.pts.length === 0) {
      const reason = first ? lastLines(first.stderr, 2) : '';
      throw new MontageError('AM_ERR_MEDIA_UNREADABLE', `No video frame could be decoded from ${path}${reason ? `: ${reason}` : '.'}`, { where: { file: path } });
    }
    const origin = first.pts[0]!;
    const toIndex = (raw: RawSegment) => raw.pts.map((pts) => indexOf(pts, origin, raw.timeBase, video.rate));

    let segments: DecodedSegment[] = plans.map((plan) => ({ ...plan, indices: toIndex(results.get(plan.id)!) }));
    let stitched = stitch(segments);
    // Repair holes at seams: re-decode from a seek well before the hole (a seek that overshot).
    const holes = stitched.holes.filter((hole) => plans.some((plan) => plan.id > 0 && hole.start >= plan.seekIndex - overlap * 4 && hole.start <= plan.startIndex + overlap * 4));
    if (holes.length > 0) {
      let nextId = plans.length;
      const repairs: SegmentPlan[] = holes.map((hole) => {
        const seekIndex = Math.max(0, hole.start - Math.ceil(fps * 2));
        return { id: nextId++, startIndex: hole.start, endIndex: hole.end, seekIndex, maxFrames: hole.end - seekIndex + overlap, repair: true };
      });
      await decode(repairs);
      segments = [...segments, ...repairs.map((plan) => ({ ...plan, indices: toIndex(results.get(plan.id)!) }))];
      stitched = stitch(segments);
    }
    options.onProgress?.(stitched.frameCount, stitched.frameCount);
    return { frameCount: stitched.frameCount, segmentOf: stitched.segmentOf, ordinalOf: stitched.ordinalOf, filledFrames: stitched.filled, segments, processes };
  } finally {
    source.dispose();
  }
}

interface Stitched {
  frameCount: number;
  segmentOf: Int32Array;
  ordinalOf: Int32Array;
  filled: number;
  holes: { start: number; end: number }[];
}

/**
 * Picks, for every frame index, the segment that owns it (else any segment that decoded it), and lists
 * the holes. Holes are filled with the previous frame so the result always covers [0, frameCount).
 */
export function stitch(segments: readonly DecodedSegment[]): Stitched {
  let frameCount = 0;
  for (const segment of segments) for (const index of segment.indices) frameCount = Math.max(frameCount, index + 1);
  const segmentOf = new Int32Array(frameCount).fill(-1);
  const ordinalOf = new Int32Array(frameCount).fill(-1);
  const owns = (segment: DecodedSegment, index: number) => index >= segment.startIndex && (segment.endIndex === undefined || index < segment.endIndex);
  // Pass 1: owners (first occurrence wins, so a VFR pair landing on one index keeps the earlier frame).
  for (const pass of [true, false]) {
    for (const segment of segments) {
      segment.indices.forEach((index, ordinal) => {
        if (index < 0 || index >= frameCount || segmentOf[index] !== -1) return;
        if (pass && !owns(segment, index)) return;
        segmentOf[index] = segment.id;
        ordinalOf[index] = ordinal;
      });
    }
  }
  const holes: { start: number; end: number }[] = [];
  let filled = 0;
  for (let index = 0; index < frameCount; index++) {
    if (segmentOf[index] !== -1) continue;
    const start = index;
    while (index < frameCount && segmentOf[index] === -1) {
      // Frame 0 always exists (it is the origin), so index − 1 is set by now.
      segmentOf[index] = segmentOf[index - 1]!;
      ordinalOf[index] = ordinalOf[index - 1]!;
      filled++;
      index++;
    }
    holes.push({ start, end: index });
  }
  return { frameCount, segmentOf, ordinalOf, filled, holes };
}

interface RawSegment {
  pts: number[];
  timeBase: Rate;
  stderr: string;
}


async function decodeSegment(
  path: string,
  frameRate: Rate,
  plan: SegmentPlan,
  options: VideoDecodeOptions,
  threads: number,
  sink: SegmentFrameSink,
  countFrame: () => void,
  token: CancellationToken,
): Promise<RawSegment> {
  const frameBytes = options.width * options.height * 3;
  // Indices come from pts, so a seek that lands a frame early or late shifts nothing.
  const args = rawVideoArgs({ path, width: options.width, height: options.height, fps: toFps(frameRate), threads, inputOptions: options.inputOptions, seekIndex: plan.seekIndex, maxFrames: plan.maxFrames });

  const raw: RawSegment = { pts: [], timeBase: { num: 1, den: 1 }, stderr: '' };
  let framesOut = 0;
  const showinfo = new ShowinfoReader(
    (pts) => raw.pts.push(pts),
    (line) => (raw.stderr = (raw.stderr + line + '\n').slice(-8192)),
  );

  const watchdog = new StallWatchdog(token, options.stallTimeoutMs ?? 120_000);

  const split = frameSplitter(frameBytes, (frame) => {
    framesOut++;
    sink(frame);
    countFrame();
  });
  try {
    const result = await run(ffmpegPath(), args, {
      token: watchdog.token,
      // The stall watchdog guards hangs; the overall limit only has to exceed any honest decode.
      timeoutMs: 24 * 3600_000,
      onStdout: (chunk) => {
        watchdog.alive();
        split(chunk);
      },
      onStderr: (text) => {
        watchdog.alive();
        showinfo.push(text);
      },
    });
    raw.stderr = (raw.stderr + result.stderr.slice(-2048)).slice(-8192);
  } catch (error) {
    const timeout = watchdog.timeoutError(path, 'decoding', error);
    if (timeout) throw timeout;
    if (error instanceof CancellationError) throw error;
    // A damaged file can make ffmpeg fail after many good frames: keep what decoded, fail only when nothing did.
    if (framesOut === 0 || !(error instanceof MontageError) || error.code !== 'AM_ERR_FFMPEG_FAILED') throw error;
    raw.stderr += String(error.details?.['stderr'] ?? error.message);
  } finally {
    watchdog.dispose();
  }
  showinfo.end();
  if (showinfo.timeBase) raw.timeBase = showinfo.timeBase;
  if (!showinfo.timeBase && framesOut > 0) throw new MontageError('AM_ERR_FFMPEG_FAILED', `ffmpeg did not report frame timestamps while decoding ${path}.`, { where: { file: path } });
  // showinfo can run a frame ahead of the -frames cap; stdout frames are the truth, paired in order.
  raw.pts.length = Math.min(raw.pts.length, framesOut);
  if (raw.pts.length < framesOut) throw new MontageError('AM_ERR_FFMPEG_FAILED', `ffmpeg reported ${raw.pts.length} timestamps for ${framesOut} frames of ${path}.`, { where: { file: path } });
  return raw;
}
