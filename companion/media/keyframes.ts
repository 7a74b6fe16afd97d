/**
 * One keyframe per shot, for face detection, from few ffmpeg processes and in bounded memory.
 *
 * 1. Key-frame pass: ONE ffmpeg decodes only the stream's key frames (`-skip_frame nokey`, so the cost is
 *    the key frames' decode, not the movie's), scaled to the asked size, with `-copyts` + `showinfo` so each
 *    output frame comes with its timestamp; its movie frame index is round((pts − pts of the first frame) ×
 *    rate), as in the full decode (video-decode.ts). Encoders put key frames at most hard cuts (x264's
 *    scene-cut detection) or at a fixed short period, so most shots contain one. For each shot the key
 *    frame nearest its target (the middle) inside its usable window is kept; the choice is final as soon
 *    as a key frame at or past the target (or past the window) arrives, and the frame is handed to the
 *    consumer then: the pass holds at most one candidate frame.
 * 2. Seeks for the rest: a shot without a key frame in its window gets an exact frame decoded from the key
 *    frame before it. Its frame sits early in the window (at most `maxSeekOffsetFrames` in) because
 *    decoding cost grows with the distance from that key frame. Shots whose seeks start from the same key
 *    frame (or one just after the previous target) share one ffmpeg that seeks once, decodes on and
 *    outputs only the wanted frames (`select` on time, `trim` to stop early, `-frames:v`). Groups run a
 *    few at a time while the key-frame pass goes on.
 * 3. Intra-only material (every frame a key frame) would make the key-frame pass a full decode: it is
 *    detected early and the remaining shots use per-frame seeks (extractFrames), each decoding one frame.
 *
 * The consumer may be asynchronous; while `maxPending` of its calls are unfinished, ffmpeg's output is
 * paused (ffmpeg then blocks), so memory stays O(frame size × maxPending), whatever the shot count.
 */
import { availableParallelism } from 'node:os';
import { MontageError } from '../core/errors';
import { CancellationTokenSource, throwIfCancelled, type CancellationToken } from '../core/lifecycle';
import type { VideoStreamInfo } from '../core/montage';
import type { RgbFrame } from '../core/pipeline';
import { toFps, type Rate } from '../core/rational';
import { ffmpegPath } from './binaries';
import { extractFrames, resolveFrameSize, type FrameSize } from './frames';
import { probeMovie } from './probe';
import { run, type StdoutControl } from './process';
import { frameSplitter, indexOf, rawVideoArgs, ShowinfoReader, StallWatchdog } from './raw-video';

/** A shot's frames [start, end) on the movie's rate, and where in it a keyframe may come from. */
export interface KeyframeShotSpan {
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
  /** The preferred frame (default: the middle). */
  readonly target?: number;
  /** Frames at the start not to use, e.g. the second half of a dissolve (default 0). */
  readonly startMargin?: number;
  /** Frames at the end not to use (default 2: a cut detected a frame or two late leaves the next shot's first frames here). */
  readonly endMargin?: number;
}

/** The frame chosen for one shot. */
export interface ShotKeyframe {
  /** Index of the shot in the spans given. */
  readonly shot: number;
  /** The frame; `frame.index` is its movie frame index (inside the shot's window). */
  readonly frame: RgbFrame;
  /** 'keyframe': a decoded key frame; 'seek': decoded exactly from the key frame before it. */
  readonly source: 'keyframe' | 'seek';
}

export interface ExtractKeyframesOptions {
  readonly size: FrameSize;
  /** Called once per shot with its frame, in no particular order; may return a promise. */
  readonly onKeyframe: (keyframe: ShotKeyframe) => void | Promise<void>;
  /** The movie's stream facts when already probed. */
  readonly video?: VideoStreamInfo;
  readonly token?: CancellationToken;
  /** Consumer calls in flight before decoding pauses (default 4). */
  readonly maxPending?: number;
  /** Seek processes at once (default min(2, cores)). */
  readonly seekProcesses?: number;
  /** How far into its window a seeked shot's frame may be (default half a second of frames). */
  readonly maxSeekOffsetFrames?: number;
  /** A seek group carries on through the next key frame when it is at most this many frames after its last target (default a quarter second). */
  readonly mergeGapFrames?: number;
  /** A process that outputs nothing for this long (while not paused) is killed (default 120 s). */
  readonly stallTimeoutMs?: number;
}

/** What the extraction did. */
export interface KeyframeReport {
  readonly shots: number;
  readonly fromKeyframes: number;
  readonly fromSeeks: number;
  /** Shots for which no frame could be decoded (the consumer was not called for them). */
  readonly missing: number;
  /** Key frames the key-frame pass decoded. */
  readonly keyframesDecoded: number;
  /** ffmpeg processes started (key-frame pass, seek groups, per-frame seeks). */
  readonly processes: number;
  /** Frames the seek groups had to decode (from each group's key frame to its last target). */
  readonly seekFramesDecoded: number;
  /** True when the stream looked intra-only and per-frame seeks were used. */
  readonly intraOnly: boolean;
}

interface Window {
  readonly lo: number;
  readonly hi: number;
  readonly target: number;
}

/** A shot's usable frames [lo, hi) and its target, clamped inside (a shot too short for its margins uses its middle). */
export function shotWindow(span: KeyframeShotSpan): Window {
  const start = Math.max(0, Math.floor(span.start));
  const end = Math.max(start + 1, Math.floor(span.end));
  const middle = start + Math.floor((end - start) / 2);
  let lo = start + Math.max(0, Math.floor(span.startMargin ?? 0));
  let hi = end - Math.max(0, Math.floor(span.endMargin ?? 2));
  if (hi <= lo) {
    lo = middle;
    hi = middle + 1;
  }
  const wanted = span.target !== undefined && span.target >= start && span.target < end ? Math.floor(span.target) : middle;
  return { lo, hi, target: Math.min(hi - 1, Math.max(lo, wanted)) };
}

/** The frame a shot without a key frame is seeked to: its target, but at most `maxOffset` frames into its window. */
export function seekFrame(window: Window, maxOffset: number): number {
  return Math.min(window.target, window.lo + Math.max(0, maxOffset));
}

interface SeekTarget {
  readonly shot: number;
  readonly frame: number;
}

interface SeekGroup {
  /** The key frame the group's decode starts from. */
  readonly key: number;
  readonly targets: SeekTarget[];
}

const MAX_GROUP_TARGETS = 48;

/**
 * Decodes one keyframe per shot and hands each to `options.onKeyframe` as soon as it is final.
 * Resolves when every shot was handled (and every consumer call finished). Throws AM_ERR_NO_VIDEO_STREAM,
 * AM_ERR_FFMPEG_FAILED / AM_ERR_PROCESS_TIMEOUT, a consumer's error, or CancellationError (every ffmpeg
 * it started is killed).
 */
export async function extractShotKeyframes(path: string, spans: readonly KeyframeShotSpan[], options: ExtractKeyframesOptions): Promise<KeyframeReport> {
  const token = options.token;
  throwIfCancelled(token);
  const empty: KeyframeReport = { shots: spans.length, fromKeyframes: 0, fromSeeks: 0, missing: 0, keyframesDecoded: 0, processes: 0, seekFramesDecoded: 0, intraOnly: false };
  if (spans.length === 0) return empty;
  const video = options.video ?? (await probeMovie(path, token)).video;
  const { width, height } = resolveFrameSize(video, options.size);
  const frameBytes = width * height * 3;
  const fps = toFps(video.rate);
  const maxPending = Math.max(1, options.maxPending ?? 4);
  const maxSeekOffset = options.maxSeekOffsetFrames ?? Math.round(fps / 2);
  const mergeGap = options.mergeGapFrames ?? Math.round(fps / 4);
  const seekConcurrency = Math.max(1, options.seekProcesses ?? Math.min(2, availableParallelism()));
  const stallMs = options.stallTimeoutMs ?? 120_000;

  const windows = spans.map(shotWindow);
  const order = windows.map((_, i) => i).sort((a, b) => windows[a]!.lo - windows[b]!.lo || a - b);
  const done = new Uint8Array(spans.length); // handed to the consumer
  const decided = new Uint8Array(spans.length); // handed over, or queued for a seek
  const best: ({ index: number; data: Uint8Array } | undefined)[] = new Array(spans.length);

  // One source for everything started here: a consumer failure or the caller's cancel stops it all.
  const abort = new CancellationTokenSource(token);
  let failure: unknown;
  const fail = (error: unknown) => {
    failure ??= error;
    abort.cancel();
  };

  // ---- consumer back-pressure ----
  const controls = new Set<StdoutControl>();
  let pending = 0;
  let paused = false;
  const drained: (() => void)[] = [];
  const setPaused = (value: boolean) => {
    if (paused === value) return;
    paused = value;
    for (const control of controls) value ? control.pauseStdout() : control.resumeStdout();
  };
  const consumerCalls: Promise<void>[] = [];
  let fromKeyframes = 0;
  let fromSeeks = 0;
  // Frames held here: waiting for the consumer (`ready`), or read from ffmpeg before their timestamp (`held`).
  const ready: ShotKeyframe[] = [];
  let held = 0;
  const updatePause = () => setPaused(pending + ready.length + held >= maxPending);
  const drain = () => {
    while (pending < maxPending && ready.length && failure === undefined) {
      const keyframe = ready.shift()!;
      pending++;
      const call = (async () => {
        try {
          await options.onKeyframe(keyframe);
        } catch (error) {
          fail(error);
        } finally {
          pending--;
          drain();
          updatePause();
          if (pending + ready.length < maxPending) for (const wake of drained.splice(0)) wake();
        }
      })();
      consumerCalls.push(call);
    }
    updatePause();
  };
  const deliver = (shot: number, index: number, data: Uint8Array, source: ShotKeyframe['source']) => {
    if (done[shot]) return;
    done[shot] = 1;
    if (source === 'keyframe') fromKeyframes++;
    else fromSeeks++;
    ready.push({ shot, frame: { index, width, height, data }, source });
    drain();
  };
  const waitForRoom = async () => {
    while (pending + ready.length >= maxPending && !abort.token.isCancellationRequested) await new Promise<void>((resolve) => drained.push(resolve));
  };
  const idleConsumer = async () => {
    while ((pending > 0 || ready.length > 0) && failure === undefined) await new Promise<void>((resolve) => drained.push(resolve));
  };
  abort.token.onCancellationRequested(() => {
    setPaused(false);
    for (const wake of drained.splice(0)) wake();
    wakeAll();
  });

  // ---- seek groups ----
  const keys: number[] = [];
  const seekQueue: SeekGroup[] = [];
  let openGroup: SeekGroup | undefined;
  let seekFramesDecoded = 0;
  let processes = 0;
  const perFrameSeeks: SeekTarget[] = [];
  let timing: { origin: number; timeBase: Rate } | undefined;
  const idle: (() => void)[] = [];
  const wakeAll = () => {
    for (const wake of idle.splice(0)) wake();
  };
  let keyPassFinished = false;

  const closeGroup = () => {
    if (!openGroup) return;
    seekQueue.push(openGroup);
    openGroup = undefined;
    wakeAll();
  };
  const keyBefore = (frame: number): number => {
    // Binary search over the key frames seen (increasing).
    let low = 0;
    let high = keys.length - 1;
    let found = 0;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (keys[mid]! <= frame) {
        found = keys[mid]!;
        low = mid + 1;
      } else high = mid - 1;
    }
    return found;
  };
  const needSeek = (shot: number) => {
    const frame = seekFrame(windows[shot]!, maxSeekOffset);
    const key = keyBefore(frame);
    const last = openGroup?.targets[openGroup.targets.length - 1]?.frame;
    if (openGroup && last !== undefined && (key === openGroup.key || key <= last + mergeGap) && openGroup.targets.length < MAX_GROUP_TARGETS) {
      openGroup.targets.push({ shot, frame });
    } else {
      closeGroup();
      openGroup = { key, targets: [{ shot, frame }] };
    }
  };

  // ---- key-frame pass: choosing ----
  let cursor = 0; // position in `order` of the first shot not yet final
  const finalise = (shot: number) => {
    if (done[shot] || decided[shot]) return;
    decided[shot] = 1;
    const candidate = best[shot];
    best[shot] = undefined;
    if (candidate) deliver(shot, candidate.index, candidate.data, 'keyframe');
    else if (!intraOnly) needSeek(shot);
  };
  let intraOnly = false;
  let keyframesDecoded = 0;
  const onKeyFrame = (index: number, data: Uint8Array) => {
    keyframesDecoded++;
    if (keys.length === 0 || index > keys[keys.length - 1]!) keys.push(index);
    // Shots whose window ends at or before this frame can get no better candidate.
    while (cursor < order.length && windows[order[cursor]!]!.hi <= index) finalise(order[cursor++]!);
    for (let k = cursor; k < order.length; k++) {
      const shot = order[k]!;
      const w = windows[shot]!;
      if (w.lo > index) break;
      if (decided[shot] || index >= w.hi) continue;
      const current = best[shot];
      if (!current || Math.abs(index - w.target) < Math.abs(current.index - w.target)) best[shot] = { index, data: Uint8Array.from(data) };
      // At or past the target, later key frames are only further away.
      if (index >= w.target) finalise(shot);
    }
    while (cursor < order.length && decided[order[cursor]!]) cursor++;
    // A key frame past the open group's reach: no later seek can join it.
    const last = openGroup?.targets[openGroup.targets.length - 1]?.frame;
    if (openGroup && last !== undefined && index > last + mergeGap) closeGroup();
    // Intra-only material: the key-frame pass would decode every frame. Stop it and seek per frame.
    if (keyframesDecoded === 96 && keys.length >= 96 && (keys[keys.length - 1]! - keys[0]!) / (keys.length - 1) < 3) {
      intraOnly = true;
      keyPass.cancel();
    }
  };

  // ---- key-frame pass: the process ----
  const keyPass = new CancellationTokenSource(abort.token);
  const runKeyPass = async () => {
    // One decoder thread: with frame threads the decoder waits on skipped frames and costs twice the CPU.
    const args = rawVideoArgs({ path, width, height, fps, threads: 1, inputOptions: ['-skip_frame', 'nokey'] });
    processes++;
    await runPaired(args, keyPass.token, (pts, timeBase, data) => {
      timing ??= { origin: pts, timeBase };
      onKeyFrame(indexOf(pts, timing.origin, timing.timeBase, video.rate), data);
    });
  };

  // ---- one ffmpeg with frames on stdout paired with showinfo timestamps on stderr ----
  const runPaired = async (args: string[], runToken: CancellationToken, onFrame: (pts: number, timeBase: Rate, data: Uint8Array) => void) => {
    const stamps: number[] = [];
    const early: Uint8Array[] = []; // frames whose timestamp line has not arrived yet (a chunk or two at most)
    const showinfo = new ShowinfoReader((pts) => stamps.push(pts));
    let control: StdoutControl | undefined;
    // Waiting on the consumer (output paused) is not a stall.
    const watchdog = new StallWatchdog(runToken, stallMs, () => paused);
    const pair = () => {
      const timeBase = showinfo.timeBase;
      while (early.length && stamps.length && timeBase) {
        held--;
        onFrame(stamps.shift()!, timeBase, early.shift()!);
      }
      updatePause();
    };
    const frame = (data: Uint8Array) => {
      const timeBase = showinfo.timeBase;
      if (stamps.length && timeBase && !early.length) return onFrame(stamps.shift()!, timeBase, data);
      early.push(Uint8Array.from(data));
      held++;
      updatePause();
    };
    const split = frameSplitter(frameBytes, frame);
    try {
      await run(ffmpegPath(), args, {
        token: watchdog.token,
        timeoutMs: 24 * 3600_000, // the stall watchdog guards hangs
        onSpawn: (c) => {
          control = c;
          controls.add(c);
          if (paused) c.pauseStdout();
        },
        onStdout: (chunk) => {
          watchdog.alive();
          split(chunk);
        },
        onStderr: (text) => {
          watchdog.alive();
          showinfo.push(text);
          pair();
        },
      });
    } catch (error) {
      throw watchdog.timeoutError(path, 'reading keyframes of', error) ?? error;
    } finally {
      watchdog.dispose();
      if (control) controls.delete(control);
      held -= early.length; // frames without a timestamp (a stopped process) are dropped
      early.length = 0;
    }
    showinfo.end();
    pair();
  };

  // ---- a seek group's process ----
  const runGroup = async (group: SeekGroup) => {
    if (!timing) return;
    const { origin, timeBase } = timing;
    const originSeconds = (origin * timeBase.num) / timeBase.den;
    const at = (frame: number) => originSeconds + frame / fps;
    const half = 0.5 / fps;
    const wanted = new Map(group.targets.map((t) => [t.frame, t.shot]));
    const lastFrame = group.targets[group.targets.length - 1]!.frame;
    const select = group.targets.map((t) => `lt(abs(t-${at(t.frame).toFixed(6)})\\,${half.toFixed(6)})`).join('+');
    // One decoder thread: a seek decodes a few dozen frames, where thread start-up and hand-offs cost more than they give.
    // The seek goes half a frame before the key frame, so it lands on it (never on the one before).
    // trim ends the decode after the last target even when a target never comes (a gap in the timestamps).
    const filtersBefore = [`trim=end=${(at(lastFrame) + 1.5 / fps).toFixed(6)}`, `select='${select}'`];
    const args = rawVideoArgs({ path, width, height, fps, threads: 1, seekIndex: group.key, filtersBefore, maxFrames: group.targets.length });
    processes++;
    seekFramesDecoded += lastFrame - group.key + 1;
    await runPaired(args, abort.token, (pts, base, data) => {
      const index = indexOf(pts, origin, base, video.rate);
      const shot = wanted.get(index);
      if (shot !== undefined) deliver(shot, index, Uint8Array.from(data), 'seek');
    });
    for (const t of group.targets) if (!done[t.shot]) perFrameSeeks.push(t);
  };
  const seekWorker = async () => {
    for (;;) {
      if (abort.token.isCancellationRequested) return;
      const group = seekQueue.shift();
      if (!group) {
        if (keyPassFinished) return;
        await new Promise<void>((resolve) => idle.push(resolve));
        continue;
      }
      await waitForRoom();
      try {
        await runGroup(group);
      } catch (error) {
        fail(error);
        return;
      }
    }
  };
  try {
    const workers: Promise<void>[] = [];
    const keyPassDone = (async () => {
      try {
        await runKeyPass();
      } catch (error) {
        // Stopped for intra-only material, or ffmpeg failed on a damaged file: keep what decoded; shots
        // still without a frame are seeked (per frame when the pass gave nothing, with typed errors there).
        if (abort.token.isCancellationRequested) throw error;
        if (!intraOnly && !(error instanceof MontageError && error.code === 'AM_ERR_FFMPEG_FAILED')) throw error;
      } finally {
        if (!intraOnly && keyframesDecoded > 0) {
          while (cursor < order.length) finalise(order[cursor++]!);
          for (const shot of order) finalise(shot);
          closeGroup();
        }
        keyPassFinished = true;
        wakeAll();
      }
    })().catch(fail);
    for (let i = 0; i < seekConcurrency; i++) workers.push(seekWorker());
    await keyPassDone;
    await Promise.all(workers);
    if (failure !== undefined) throw failure;
    throwIfCancelled(token);
    // Whatever is left (intra-only material, a file the key-frame pass could not read, a target the seeks
    // missed): per-frame seeks, a few at a time, past-the-end frames falling back to the last frame.
    const left = order.filter((shot) => !done[shot]);
    if (left.length) {
      const frames = left.map((shot) => perFrameSeeks.find((t) => t.shot === shot)?.frame ?? seekFrame(windows[shot]!, intraOnly ? Infinity : maxSeekOffset));
      const batchSize = Math.max(4, maxPending);
      for (let start = 0; start < left.length; start += batchSize) {
        await waitForRoom();
        if (failure !== undefined) throw failure;
        const batch = frames.slice(start, start + batchSize);
        processes += new Set(batch).size;
        const decoded = await extractFrames(path, batch, { width, height }, abort.token, { video });
        decoded.forEach((f, j) => deliver(left[start + j]!, batch[j]!, f.data, 'seek'));
      }
    }
    await idleConsumer();
    await Promise.all(consumerCalls);
    if (failure !== undefined) throw failure;
    throwIfCancelled(token);
    return { shots: spans.length, fromKeyframes, fromSeeks, missing: spans.length - fromKeyframes - fromSeeks, keyframesDecoded, processes, seekFramesDecoded, intraOnly };
  } catch (error) {
    abort.cancel();
    await Promise.allSettled(consumerCalls);
    throw failure ?? error;
  } finally {
    abort.dispose();
  }
}
