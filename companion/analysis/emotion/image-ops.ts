/**
 * Pixel helpers for the face models: letterbox + bilinear resize of an RGB24 frame (or a crop of it)
 * into a normalised float NHWC slot, the way face-api prepares its inputs (pad to a square with zeros,
 * then tf.image.resizeBilinear with alignCorners = false and halfPixelCenters = false).
 */

export interface CropBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Writes the crop `box` (integer pixels, clipped to the frame) of an RGB24 frame, padded to a square
 * (at the end when `centre` is false, on both sides when true) and resized to size×size, into
 * `out` at `offset`, as (value − mean[c]) / 255.
 */
export function letterboxInto(
  rgb: Uint8Array,
  frameWidth: number,
  frameHeight: number,
  box: CropBox,
  size: number,
  mean: readonly [number, number, number] | readonly number[],
  centre: boolean,
  out: Float32Array,
  offset: number,
): void {
  const x0 = Math.max(0, Math.min(frameWidth - 1, Math.floor(box.x)));
  const y0 = Math.max(0, Math.min(frameHeight - 1, Math.floor(box.y)));
  const w = Math.max(1, Math.min(frameWidth - x0, Math.round(box.width)));
  const h = Math.max(1, Math.min(frameHeight - y0, Math.round(box.height)));
  const side = Math.max(w, h);
  // Padding before the content on each axis (face-api rounds half the difference for centred inputs).
  const padX = centre && side > w ? side - w - Math.round((side - w) * 0.5) : 0;
  const padY = centre && side > h ? side - h - Math.round((side - h) * 0.5) : 0;
  const scale = side / size;
  const m0 = mean[0] ?? 0;
  const m1 = mean[1] ?? 0;
  const m2 = mean[2] ?? 0;
  // Per output column/row: the two source positions (−1 = padding, value 0) and the blend weight.
  const axis = (count: number, pad: number, extent: number) => {
    const low = new Int32Array(count);
    const high = new Int32Array(count);
    const frac = new Float32Array(count);
    for (let o = 0; o < count; o++) {
      const s = o * scale;
      const l = Math.floor(s);
      const r = Math.min(side - 1, Math.ceil(s));
      frac[o] = s - l;
      low[o] = l - pad >= 0 && l - pad < extent ? l - pad : -1;
      high[o] = r - pad >= 0 && r - pad < extent ? r - pad : -1;
    }
    return { low, high, frac };
  };
  const cols = axis(size, padX, w);
  const rows = axis(size, padY, h);
  const rowA = new Float32Array(size * 3);
  const rowB = new Float32Array(size * 3);
  // Horizontal pass of one source row into `target` (size × 3), zeros for padding rows.
  const horizontal = (sourceRow: number, target: Float32Array) => {
    if (sourceRow < 0) {
      target.fill(0);
      return;
    }
    const rowBase = (y0 + sourceRow) * frameWidth;
    for (let ox = 0; ox < size; ox++) {
      const lo = cols.low[ox]!;
      const hi = cols.high[ox]!;
      const f = cols.frac[ox]!;
      const a = lo < 0 ? -1 : (rowBase + x0 + lo) * 3;
      const b = hi < 0 ? -1 : (rowBase + x0 + hi) * 3;
      for (let c = 0; c < 3; c++) {
        const left = a < 0 ? 0 : rgb[a + c]!;
        const right = b < 0 ? 0 : rgb[b + c]!;
        target[ox * 3 + c] = left + (right - left) * f;
      }
    }
  };
  for (let oy = 0; oy < size; oy++) {
    horizontal(rows.low[oy]!, rowA);
    horizontal(rows.high[oy]!, rowB);
    const f = rows.frac[oy]!;
    const base = offset + oy * size * 3;
    for (let ox = 0; ox < size; ox++) {
      const i = ox * 3;
      out[base + i] = (rowA[i]! + (rowB[i]! - rowA[i]!) * f - m0) / 255;
      out[base + i + 1] = (rowA[i + 1]! + (rowB[i + 1]! - rowA[i + 1]!) * f - m1) / 255;
      out[base + i + 2] = (rowA[i + 2]! + (rowB[i + 2]! - rowA[i + 2]!) * f - m2) / 255;
    }
  }
}
