/**
 * A video frame's pixel shape and scan as the exporters write them: the pixel aspect ratio in lowest terms
 * (absent = square) and the field order (absent = progressive), for a media file or the sequence. Pure.
 */
import type { FieldOrder, MediaReference, PixelAspectRatio, Timeline } from '../../companion/api/auto-montage';

export interface VideoFormat {
  readonly width: number;
  readonly height: number;
  /** In lowest terms; 1:1 for square pixels. */
  readonly pixelAspectRatio: PixelAspectRatio;
  readonly fieldOrder: FieldOrder;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function reduced(ratio: PixelAspectRatio | undefined): PixelAspectRatio {
  if (!ratio) return { num: 1, den: 1 };
  const divisor = gcd(ratio.num, ratio.den);
  return { num: ratio.num / divisor, den: ratio.den / divisor };
}

/** Whether the pixels are square. */
export function isSquare(format: VideoFormat): boolean {
  return format.pixelAspectRatio.num === format.pixelAspectRatio.den;
}

/** The sequence frame's format. */
export function sequenceFormat(timeline: Timeline): VideoFormat {
  return { width: timeline.width, height: timeline.height, pixelAspectRatio: reduced(timeline.pixelAspectRatio), fieldOrder: timeline.fieldOrder ?? 'progressive' };
}

/** A video file's format; its size defaults to the sequence's when the reference has none. */
export function mediaFormat(media: MediaReference, timeline: Timeline): VideoFormat {
  return {
    width: media.width ?? timeline.width,
    height: media.height ?? timeline.height,
    pixelAspectRatio: reduced(media.pixelAspectRatio),
    fieldOrder: media.fieldOrder ?? 'progressive',
  };
}

/** The display aspect ratio (width × pixel aspect / height) as a number, e.g. 16/9 for 720×576 at 64:45. */
export function displayAspect(format: VideoFormat): number {
  return (format.width * format.pixelAspectRatio.num) / (format.height * format.pixelAspectRatio.den);
}
