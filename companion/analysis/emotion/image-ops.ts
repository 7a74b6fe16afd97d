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
  // Source byte offsets of each output column's two samples (−1 = padding, value 0).
  const colLow = new Int32Array(size);
  const colHigh = new Int32Array(size);
  for (let ox = 0; ox < size; ox++) {
    colLow[ox] = cols.low[ox]! < 0 ? -1 : (x0 + cols.low[ox]!) * 3;
    colHigh[ox] = cols.high[ox]! < 0 ? -1 : (x0 + cols.high[ox]!) * 3;
  }
  const colFrac = cols.frac;
  let cachedA = -2;
  let cachedB = -2;
  // Horizontal pass of one source row into `target` (size × 3), zeros for padding rows.
  const horizontal = (sourceRow: number, target: Float32Array): void => {
    if (sourceRow < 0) {
      target.fill(0);
      return;
    }
    const rowBase = (y0 + sourceRow) * frameWidth * 3;
    for (let ox = 0, t = 0; ox < size; ox++, t += 3) {
      const lo = colLow[ox]!;
      const hi = colHigh[ox]!;
      const f = colFrac[ox]!;
      const l0 = lo < 0 ? 0 : rgb[rowBase + lo]!;
      const l1 = lo < 0 ? 0 : rgb[rowBase + lo + 1]!;
      const l2 = lo < 0 ? 0 : rgb[rowBase + lo + 2]!;
      const r0 = hi < 0 ? 0 : rgb[rowBase + hi]!;
      const r1 = hi < 0 ? 0 : rgb[rowBase + hi + 1]!;
      const r2 = hi < 0 ? 0 : rgb[rowBase + hi + 2]!;
      target[t] = l0 + (r0 - l0) * f;
      target[t + 1] = l1 + (r1 - l1) * f;
      target[t + 2] = l2 + (r2 - l2) * f;
    }
  };
  let a = rowA;
  let b = rowB;
  for (let oy = 0; oy < size; oy++) {
    const low = rows.low[oy]!;
    const high = rows.high[oy]!;
    // Reuse the rows already resampled for the previous output row when the sources repeat.
    if (low !== cachedA) {
      if (low === cachedB) {
        const t = a;
        a = b;
        b = t;
        cachedB = cachedA;
      } else horizontal(low, a);
      cachedA = low;
    }
    if (high !== cachedB) {
      horizontal(high, b);
      cachedB = high;
    }
    const f = rows.frac[oy]!;
    const base = offset + oy * size * 3;
    for (let i = 0; i < size * 3; i += 3) {
      out[base + i] = (a[i]! + (b[i]! - a[i]!) * f - m0) / 255;
      out[base + i + 1] = (a[i + 1]! + (b[i + 1]! - a[i + 1]!) * f - m1) / 255;
      out[base + i + 2] = (a[i + 2]! + (b[i + 2]! - a[i + 2]!) * f - m2) / 255;
    }
  }
}
