/**
 * Compact per-frame descriptors computed from the small decoded frames (64×36 RGB24), kept for every
 * frame of the movie (about 0.6 KB each, so a 2-hour film at 24 fps needs about 110 MB):
 *   - a 16×9 RGB thumbnail (pixel and blend tests),
 *   - a 64-bin RGB histogram and a 16-bin luma histogram (colour change, scene signatures),
 *   - a few statistics (luma mean/spread, saturation, colourfulness, warmth, dark fraction, edges).
 * Shot detection, scene grouping and shot features all read from here, so the movie is decoded once.
 */

/** The size every frame is decoded at for analysis. */
export const ANALYSIS_WIDTH = 64;
export const ANALYSIS_HEIGHT = 36;
export const THUMB_WIDTH = 16;
export const THUMB_HEIGHT = 9;
/** Bytes per thumbnail (RGB). */
export const THUMB_SIZE = THUMB_WIDTH * THUMB_HEIGHT * 3;
export const RGB_BINS = 64;
export const LUMA_BINS = 16;
export const HIST_SIZE = RGB_BINS + LUMA_BINS;

/** Offsets into each frame's statistics. Every value is in [0, 1]. */
export const STAT = {
  luma: 0,
  lumaSpread: 1,
  saturation: 2,
  colourfulness: 3,
  warmth: 4,
  darkFraction: 5,
  edges: 6,
  brightFraction: 7,
} as const;
export const STAT_SIZE = 8;

/**
 * Offsets into each frame's comparison with the frame decoded just before it (same stream), measured on
 * the full 64×36 luma: block motion-compensated difference, plain difference, and structural distance
 * (1 − regularised correlation, so two flat frames are 0 apart and flat → textured is near 1).
 */
export const PAIR = {
  compensated: 0,
  plain: 1,
  structure: 2,
  compensatedStructure: 3,
} as const;
export const PAIR_SIZE = 4;

/** Struct-of-arrays storage for `capacity` frames (grows by doubling). */
export class FrameDescriptors {
  count = 0;
  thumbs: Uint8Array;
  hists: Uint16Array;
  stats: Float32Array;
  pairs: Float32Array;
  /** The previous frame's luma, for the pair measures of the next push. */
  private previousLuma: Float32Array | undefined;

  constructor(capacity = 1024) {
    const size = Math.max(16, capacity);
    this.thumbs = new Uint8Array(size * THUMB_SIZE);
    this.hists = new Uint16Array(size * HIST_SIZE);
    this.stats = new Float32Array(size * STAT_SIZE);
    this.pairs = new Float32Array(size * PAIR_SIZE);
  }

  get capacity(): number {
    return this.stats.length / STAT_SIZE;
  }

  private grow(minimum: number): void {
    let size = this.capacity;
    while (size < minimum) size *= 2;
    const thumbs = new Uint8Array(size * THUMB_SIZE);
    thumbs.set(this.thumbs.subarray(0, this.count * THUMB_SIZE));
    const hists = new Uint16Array(size * HIST_SIZE);
    hists.set(this.hists.subarray(0, this.count * HIST_SIZE));
    const stats = new Float32Array(size * STAT_SIZE);
    stats.set(this.stats.subarray(0, this.count * STAT_SIZE));
    const pairs = new Float32Array(size * PAIR_SIZE);
    pairs.set(this.pairs.subarray(0, this.count * PAIR_SIZE));
    this.thumbs = thumbs;
    this.hists = hists;
    this.stats = stats;
    this.pairs = pairs;
  }

  /** Appends the descriptor of one ANALYSIS_WIDTH×ANALYSIS_HEIGHT RGB24 frame. */
  push(rgb: Uint8Array): void {
    if (this.count + 1 > this.capacity) this.grow(this.count + 1);
    describeFrame(rgb, this, this.count);
    const luma = lumaPlane.slice();
    if (this.previousLuma) comparePair(this.previousLuma, luma, this.pairs, this.count * PAIR_SIZE);
    else this.pairs.fill(0, this.count * PAIR_SIZE, (this.count + 1) * PAIR_SIZE);
    this.previousLuma = luma;
    this.count++;
  }

  /** Copies frame `from` of `source` into slot `to` of this store (which must have room). */
  copyFrom(source: FrameDescriptors, from: number, to: number): void {
    if (to + 1 > this.capacity) this.grow(to + 1);
    this.thumbs.set(source.thumbs.subarray(from * THUMB_SIZE, (from + 1) * THUMB_SIZE), to * THUMB_SIZE);
    this.hists.set(source.hists.subarray(from * HIST_SIZE, (from + 1) * HIST_SIZE), to * HIST_SIZE);
    this.stats.set(source.stats.subarray(from * STAT_SIZE, (from + 1) * STAT_SIZE), to * STAT_SIZE);
    this.pairs.set(source.pairs.subarray(from * PAIR_SIZE, (from + 1) * PAIR_SIZE), to * PAIR_SIZE);
    this.count = Math.max(this.count, to + 1);
  }

  /** Sets frame `frame`'s pair measures to "identical to the previous frame" (a repeated frame). */
  clearPair(frame: number): void {
    this.pairs.fill(0, frame * PAIR_SIZE, (frame + 1) * PAIR_SIZE);
  }

  /** Recomputes frame `frame`'s pair measures from the thumbnails (when its decoded predecessor was another frame). */
  pairFromThumbs(frame: number): void {
    if (frame === 0) return this.clearPair(0);
    const a = thumbLuma(this.thumbs, frame - 1);
    const b = thumbLuma(this.thumbs, frame);
    const plain = meanAbs(a, b);
    const structure = structuralDistance(a, b);
    const base = frame * PAIR_SIZE;
    this.pairs[base + PAIR.compensated] = plain;
    this.pairs[base + PAIR.plain] = plain;
    this.pairs[base + PAIR.structure] = structure;
    this.pairs[base + PAIR.compensatedStructure] = structure;
  }

  stat(frame: number, which: number): number {
    return this.stats[frame * STAT_SIZE + which]!;
  }

  pair(frame: number, which: number): number {
    return this.pairs[frame * PAIR_SIZE + which]!;
  }

  /** Bytes held (for memory accounting). */
  get bytes(): number {
    return this.thumbs.byteLength + this.hists.byteLength + this.stats.byteLength + this.pairs.byteLength;
  }
}

const BLOCK_X = ANALYSIS_WIDTH / THUMB_WIDTH;
const BLOCK_Y = ANALYSIS_HEIGHT / THUMB_HEIGHT;
const PIXELS = ANALYSIS_WIDTH * ANALYSIS_HEIGHT;
const blockSums = new Uint32Array(THUMB_WIDTH * THUMB_HEIGHT * 3);
const lumaPlane = new Float32Array(PIXELS);

/** Computes the descriptor of one RGB24 frame into slot `slot` of `store`. */
export function describeFrame(rgb: Uint8Array, store: FrameDescriptors, slot: number): void {
  const hist = store.hists;
  const histBase = slot * HIST_SIZE;
  hist.fill(0, histBase, histBase + HIST_SIZE);
  blockSums.fill(0);
  let lumaSum = 0;
  let lumaSquares = 0;
  let saturationSum = 0;
  let rgSum = 0;
  let ybSum = 0;
  let rgSquares = 0;
  let ybSquares = 0;
  let redSum = 0;
  let blueSum = 0;
  let dark = 0;
  let bright = 0;
  for (let y = 0; y < ANALYSIS_HEIGHT; y++) {
    const blockRow = Math.floor(y / BLOCK_Y) * THUMB_WIDTH;
    for (let x = 0; x < ANALYSIS_WIDTH; x++) {
      const pixel = y * ANALYSIS_WIDTH + x;
      const offset = pixel * 3;
      const r = rgb[offset]!;
      const g = rgb[offset + 1]!;
      const b = rgb[offset + 2]!;
      const block = (blockRow + Math.floor(x / BLOCK_X)) * 3;
      blockSums[block] = blockSums[block]! + r;
      blockSums[block + 1] = blockSums[block + 1]! + g;
      blockSums[block + 2] = blockSums[block + 2]! + b;
      const bin = histBase + ((r >> 6) << 4) + ((g >> 6) << 2) + (b >> 6);
      hist[bin] = hist[bin]! + 1;
      const luma = 0.299 * r + 0.587 * g + 0.114 * b;
      lumaPlane[pixel] = luma;
      const lumaBin = histBase + RGB_BINS + Math.min(LUMA_BINS - 1, luma >> 4);
      hist[lumaBin] = hist[lumaBin]! + 1;
      lumaSum += luma;
      lumaSquares += luma * luma;
      const max = Math.max(r, g, b);
      const min = Math.min(r, g, b);
      saturationSum += max === 0 ? 0 : (max - min) / max;
      const rg = r - g;
      const yb = 0.5 * (r + g) - b;
      rgSum += rg;
      ybSum += yb;
      rgSquares += rg * rg;
      ybSquares += yb * yb;
      redSum += r;
      blueSum += b;
      if (luma < 24) dark++;
      if (luma > 232) bright++;
    }
  }
  const thumbBase = slot * THUMB_SIZE;
  const blockArea = BLOCK_X * BLOCK_Y;
  for (let i = 0; i < blockSums.length; i++) store.thumbs[thumbBase + i] = Math.round(blockSums[i]! / blockArea);

  let edges = 0;
  for (let y = 0; y < ANALYSIS_HEIGHT - 1; y++) {
    for (let x = 0; x < ANALYSIS_WIDTH - 1; x++) {
      const pixel = y * ANALYSIS_WIDTH + x;
      const here = lumaPlane[pixel]!;
      edges += Math.abs(lumaPlane[pixel + 1]! - here) + Math.abs(lumaPlane[pixel + ANALYSIS_WIDTH]! - here);
    }
  }

  const meanLuma = lumaSum / PIXELS;
  const lumaVariance = Math.max(0, lumaSquares / PIXELS - meanLuma * meanLuma);
  const meanRg = rgSum / PIXELS;
  const meanYb = ybSum / PIXELS;
  const spreadRg = Math.sqrt(Math.max(0, rgSquares / PIXELS - meanRg * meanRg));
  const spreadYb = Math.sqrt(Math.max(0, ybSquares / PIXELS - meanYb * meanYb));
  // Hasler & Süsstrunk (2003) colourfulness; ~110 is "extremely colourful" on 8-bit RGB.
  const colourfulness = Math.sqrt(spreadRg * spreadRg + spreadYb * spreadYb) + 0.3 * Math.sqrt(meanRg * meanRg + meanYb * meanYb);
  const stats = store.stats;
  const base = slot * STAT_SIZE;
  stats[base + STAT.luma] = meanLuma / 255;
  stats[base + STAT.lumaSpread] = Math.min(1, Math.sqrt(lumaVariance) / 128);
  stats[base + STAT.saturation] = saturationSum / PIXELS;
  stats[base + STAT.colourfulness] = Math.min(1, colourfulness / 150);
  stats[base + STAT.warmth] = Math.min(1, Math.max(0, 0.5 + (redSum - blueSum) / PIXELS / 255));
  stats[base + STAT.darkFraction] = dark / PIXELS;
  stats[base + STAT.edges] = Math.min(1, edges / ((ANALYSIS_WIDTH - 1) * (ANALYSIS_HEIGHT - 1) * 2) / 64);
  stats[base + STAT.brightFraction] = bright / PIXELS;
}

/** Luma (0–255) of a frame's 16×9 thumbnail. */
export function thumbLuma(thumbs: Uint8Array, frame: number): Float32Array {
  const out = new Float32Array(THUMB_WIDTH * THUMB_HEIGHT);
  const base = frame * THUMB_SIZE;
  for (let i = 0; i < out.length; i++) out[i] = 0.299 * thumbs[base + i * 3]! + 0.587 * thumbs[base + i * 3 + 1]! + 0.114 * thumbs[base + i * 3 + 2]!;
  return out;
}

function meanAbs(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length / 255;
}

/** Regularisation of the correlation, in squared luma levels: frames flatter than ~3 levels count as flat. */
const FLAT_VARIANCE = 9;

/** 1 − (cov + ε) / √((varA + ε)(varB + ε)), in [0, 2]; 0 for identical structure and for two flat frames. */
export function structuralDistance(a: Float32Array, b: Float32Array): number {
  const n = a.length;
  let sumA = 0;
  let sumB = 0;
  for (let i = 0; i < n; i++) {
    sumA += a[i]!;
    sumB += b[i]!;
  }
  const meanA = sumA / n;
  const meanB = sumB / n;
  let cov = 0;
  let varA = 0;
  let varB = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - meanA;
    const db = b[i]! - meanB;
    cov += da * db;
    varA += da * da;
    varB += db * db;
  }
  cov /= n;
  varA /= n;
  varB /= n;
  return 1 - (cov + FLAT_VARIANCE) / Math.sqrt((varA + FLAT_VARIANCE) * (varB + FLAT_VARIANCE));
}

const BLOCK_COLUMNS = 8;
const BLOCK_ROWS = 4;
const SHIFT_X = 3;
const SHIFT_Y = 2;

/**
 * Compares two 64×36 luma planes: per 8×9 block, the best shift within ±3×±2 pixels (block motion
 * compensation, so moving content is not mistaken for a change of shot), then the plain difference
 * and the structural distances of the plain and the compensated prediction.
 */
function comparePair(previous: Float32Array, current: Float32Array, out: Float32Array, base: number): void {
  const blockWidth = ANALYSIS_WIDTH / BLOCK_COLUMNS;
  const blockHeight = ANALYSIS_HEIGHT / BLOCK_ROWS;
  let compensatedSum = 0;
  let plainSum = 0;
  let kept = 0;
  // Fast pans move content further than the block search reaches: find the global shift first on a
  // half-size image (±10×±6 pixels here) and search around it as well as around zero.
  const [globalDx, globalDy] = globalShift(previous, current);
  const centres: [number, number][] = [[0, 0]];
  if (Math.abs(globalDx) > SHIFT_X - 1 || Math.abs(globalDy) > SHIFT_Y - 1) centres.push([globalDx, globalDy]);
  for (let by = 0; by < BLOCK_ROWS; by++) {
    for (let bx = 0; bx < BLOCK_COLUMNS; bx++) {
      const x0 = bx * blockWidth;
      const y0 = by * blockHeight;
      const blockSum = (dx: number, dy: number, limit: number) => {
        let sum = 0;
        for (let y = y0; y < y0 + blockHeight; y++) {
          const sy = Math.min(ANALYSIS_HEIGHT - 1, Math.max(0, y + dy)) * ANALYSIS_WIDTH;
          const row = y * ANALYSIS_WIDTH;
          for (let x = x0; x < x0 + blockWidth; x++) {
            sum += Math.abs(current[row + x]! - previous[sy + Math.min(ANALYSIS_WIDTH - 1, Math.max(0, x + dx))]!);
          }
          if (sum >= limit) return sum; // cannot beat the best any more
        }
        return sum;
      };
      const plain = blockSum(0, 0, Infinity);
      plainSum += plain;
      let best = plain;
      let bestDx = 0;
      let bestDy = 0;
      for (const [cx, cy] of centres) {
        for (let dy = cy - SHIFT_Y; dy <= cy + SHIFT_Y; dy++) {
          for (let dx = cx - SHIFT_X; dx <= cx + SHIFT_X; dx++) {
            if (dx === 0 && dy === 0) continue;
            // Around the global shift, skip what the search around zero already covered.
            if (cx !== 0 || cy !== 0) {
              if (Math.abs(dx) <= SHIFT_X && Math.abs(dy) <= SHIFT_Y) continue;
            }
            const sum = blockSum(dx, dy, best);
            if (sum < best) {
              best = sum;
              bestDx = dx;
              bestDy = dy;
            }
          }
        }
      }
      compensatedSum += best;
      // Collect the compensated prediction of this block for the structural measure, unless its best
      // source lies partly outside the previous frame: content entering the picture in a fast pan is
      // unpredictable and would pass for a new shot.
      const inside = x0 + bestDx >= 0 && x0 + blockWidth + bestDx <= ANALYSIS_WIDTH && y0 + bestDy >= 0 && y0 + blockHeight + bestDy <= ANALYSIS_HEIGHT;
      if (!inside && (bestDx !== 0 || bestDy !== 0)) continue;
      for (let y = y0; y < y0 + blockHeight; y++) {
        const sy = (y + bestDy) * ANALYSIS_WIDTH;
        for (let x = x0; x < x0 + blockWidth; x++) {
          prediction[kept] = previous[sy + x + bestDx]!;
          predicted[kept] = current[y * ANALYSIS_WIDTH + x]!;
          kept++;
        }
      }
    }
  }
  out[base + PAIR.compensated] = compensatedSum / PIXELS / 255;
  out[base + PAIR.plain] = plainSum / PIXELS / 255;
  out[base + PAIR.structure] = structuralDistance(previous, current);
  // When fewer than half the blocks could be predicted from inside the frame, use them all (clamped).
  out[base + PAIR.compensatedStructure] = kept >= PIXELS / 2 ? structuralDistance(prediction.subarray(0, kept), predicted.subarray(0, kept)) : structuralDistance(previous, current);
}
const prediction = new Float32Array(PIXELS);
const predicted = new Float32Array(PIXELS);

const HALF_WIDTH = ANALYSIS_WIDTH / 2;
const HALF_HEIGHT = ANALYSIS_HEIGHT / 2;
const halfPrevious = new Float32Array(HALF_WIDTH * HALF_HEIGHT);
const halfCurrent = new Float32Array(HALF_WIDTH * HALF_HEIGHT);
const GLOBAL_X = 5;
const GLOBAL_Y = 3;

function halve(source: Float32Array, target: Float32Array): void {
  for (let y = 0; y < HALF_HEIGHT; y++) {
    for (let x = 0; x < HALF_WIDTH; x++) {
      const i = 2 * y * ANALYSIS_WIDTH + 2 * x;
      target[y * HALF_WIDTH + x] = 0.25 * (source[i]! + source[i + 1]! + source[i + ANALYSIS_WIDTH]! + source[i + ANALYSIS_WIDTH + 1]!);
    }
  }
}

/** The whole-frame shift (in full-size pixels) that best predicts `current` from `previous`. */
function globalShift(previous: Float32Array, current: Float32Array): [number, number] {
  halve(previous, halfPrevious);
  halve(current, halfCurrent);
  let best = Infinity;
  let bestX = 0;
  let bestY = 0;
  for (let dy = -GLOBAL_Y; dy <= GLOBAL_Y; dy++) {
    for (let dx = -GLOBAL_X; dx <= GLOBAL_X; dx++) {
      // Compare the interior only, so every shifted pixel exists; the same region for every shift.
      let sum = 0;
      for (let y = GLOBAL_Y; y < HALF_HEIGHT - GLOBAL_Y; y++) {
        const row = y * HALF_WIDTH;
        const shifted = (y + dy) * HALF_WIDTH + dx;
        for (let x = GLOBAL_X; x < HALF_WIDTH - GLOBAL_X; x++) sum += Math.abs(halfCurrent[row + x]! - halfPrevious[shifted + x]!);
        if (sum >= best) break;
      }
      // Prefer no motion on ties (flat frames).
      if (sum < best - 1e-6 || (sum <= best + 1e-6 && Math.abs(dx) + Math.abs(dy) < Math.abs(bestX) + Math.abs(bestY))) {
        best = Math.min(best, sum);
        bestX = dx;
        bestY = dy;
      }
    }
  }
  return [bestX * 2, bestY * 2];
}
