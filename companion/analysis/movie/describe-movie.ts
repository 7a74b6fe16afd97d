/**
 * One decode of the movie into {@link FrameDescriptors}: parallel segment decoders each fill their own
 * store in decode order, then the stores are stitched into movie order (frame-exact, see video-decode.ts).
 */
import type { CancellationToken, Progress, ProgressReport } from '../../core/lifecycle';
import type { VideoStreamInfo } from '../../core/montage';
import { decodeVideoFrames, type VideoDecodeOptions, type VideoDecodeResult } from '../../media/video-decode';
import { ANALYSIS_HEIGHT, ANALYSIS_WIDTH, FrameDescriptors } from './frame-descriptors';

/**
 * Decoder options for analysis: skip the in-loop deblocking filter. It is most of a fifth of H.264
 * decoding time, and at 64×36 its effect averages away (detection results on the benchmark clips are
 * identical with and without it). Decoders that have no loop filter ignore the option.
 */
export const FAST_DECODE_OPTIONS: readonly string[] = ['-skip_loop_filter', 'all'];

export interface DescribeOptions {
  /** Parallel decoders (default: cores). */
  readonly threads?: number;
  /** Passed to the decoder (tests use a short value to force several segments on short clips). */
  readonly minSegmentSeconds?: number;
  /** Decoder input options (default {@link FAST_DECODE_OPTIONS}; [] decodes exactly). */
  readonly inputOptions?: VideoDecodeOptions['inputOptions'];
}

export interface DescribedMovie {
  readonly descriptors: FrameDescriptors;
  readonly frameCount: number;
  readonly decode: Omit<VideoDecodeResult, 'segmentOf' | 'ordinalOf'>;
}

/** Decodes every frame once and returns its descriptors in movie order. Progress: stage 'decode'. */
export async function describeMovie(
  path: string,
  video: VideoStreamInfo,
  options: DescribeOptions,
  progress: Progress<ProgressReport>,
  token?: CancellationToken,
): Promise<DescribedMovie> {
  const stores = new Map<number, FrameDescriptors>();
  const result = await decodeVideoFrames(
    path,
    video,
    {
      width: ANALYSIS_WIDTH,
      height: ANALYSIS_HEIGHT,
      ...(options.threads !== undefined ? { segments: options.threads } : {}),
      ...(options.minSegmentSeconds !== undefined ? { minSegmentSeconds: options.minSegmentSeconds } : {}),
      inputOptions: options.inputOptions ?? FAST_DECODE_OPTIONS,
      onProgress: (decoded, expected) => progress.report({ stage: 'decode', fraction: Math.min(1, decoded / expected) }),
    },
    (segmentId, frameEstimate) => {
      // Sized to the segment, not the movie: one store per parallel decoder (it grows if the estimate is short).
      const store = new FrameDescriptors(frameEstimate + 64);
      stores.set(segmentId, store);
      return (frame) => store.push(frame);
    },
    token,
  );
  const { segmentOf, ordinalOf, ...decode } = result;
  let descriptors: FrameDescriptors;
  if (stores.size === 1 && isIdentity(segmentOf, ordinalOf)) {
    descriptors = stores.values().next().value!;
    descriptors.count = result.frameCount;
  } else {
    descriptors = new FrameDescriptors(result.frameCount);
    const indicesOf = new Map(result.segments.map((segment) => [segment.id, segment.indices]));
    for (let index = 0; index < result.frameCount; index++) {
      const segment = segmentOf[index]!;
      const ordinal = ordinalOf[index]!;
      descriptors.copyFrom(stores.get(segment)!, ordinal, index);
      if (index === 0) continue;
      // The stored pair measures compare with the frame decoded just before in the same stream. That is
      // this frame's predecessor unless the frame repeats one (a filled hole) or its stream had a gap there.
      if (segmentOf[index - 1] === segment && ordinalOf[index - 1] === ordinal) descriptors.clearPair(index);
      else if (ordinal === 0 || indicesOf.get(segment)?.[ordinal - 1] !== index - 1) descriptors.pairFromThumbs(index);
    }
  }
  stores.clear();
  progress.report({ stage: 'decode', fraction: 1 });
  return { descriptors, frameCount: result.frameCount, decode };
}

function isIdentity(segmentOf: Int32Array, ordinalOf: Int32Array): boolean {
  for (let index = 0; index < segmentOf.length; index++) if (segmentOf[index] !== 0 || ordinalOf[index] !== index) return false;
  return true;
}
