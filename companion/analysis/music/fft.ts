/**
 * A small real-input FFT (radix-2, iterative): an N-point real transform is done as an N/2-point complex
 * transform of the even/odd samples packed as re/im, then split into the N/2+1 bins of the real spectrum.
 * Tables (bit reversal, twiddles) are built once per size.
 */

/** Power spectra of real frames of one power-of-two size. Not thread-safe: it owns scratch buffers. */
export class RealFft {
  readonly size: number;
  /** Number of bins in a power spectrum: size / 2 + 1. */
  readonly bins: number;
  private readonly half: number;
  private readonly bitReverse: Uint32Array;
  private readonly cosTable: Float64Array;
  private readonly sinTable: Float64Array;
  private readonly splitCos: Float64Array;
  private readonly splitSin: Float64Array;
  private readonly real: Float64Array;
  private readonly imag: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 4 || (size & (size - 1)) !== 0) throw new RangeError(`FFT size ${size} is not a power of two ≥ 4`);
    this.size = size;
    this.half = size / 2;
    this.bins = this.half + 1;
    const half = this.half;
    const bits = Math.round(Math.log2(half));
    this.bitReverse = new Uint32Array(half);
    for (let i = 0; i < half; i++) {
      let reversed = 0;
      for (let b = 0; b < bits; b++) reversed |= ((i >> b) & 1) << (bits - 1 - b);
      this.bitReverse[i] = reversed;
    }
    this.cosTable = new Float64Array(half / 2 || 1);
    this.sinTable = new Float64Array(half / 2 || 1);
    for (let i = 0; i < half / 2; i++) {
      this.cosTable[i] = Math.cos((-2 * Math.PI * i) / half);
      this.sinTable[i] = Math.sin((-2 * Math.PI * i) / half);
    }
    this.splitCos = new Float64Array(half);
    this.splitSin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      this.splitCos[k] = Math.cos((-2 * Math.PI * k) / size);
      this.splitSin[k] = Math.sin((-2 * Math.PI * k) / size);
    }
    this.real = new Float64Array(half);
    this.imag = new Float64Array(half);
  }

  /**
   * Writes |X[k]|² for k = 0..size/2 of `window[n] · samples[offset + n]` into `power`. Samples outside the
   * array count as zero, so frames may hang over either end.
   */
  powerSpectrum(samples: Float32Array, offset: number, window: Float64Array, power: Float64Array): void {
    const { half, real, imag, bitReverse } = this;
    const length = samples.length;
    for (let i = 0; i < half; i++) {
      const target = bitReverse[i]!;
      const even = offset + 2 * i;
      const odd = even + 1;
      real[target] = even >= 0 && even < length ? samples[even]! * window[2 * i]! : 0;
      imag[target] = odd >= 0 && odd < length ? samples[odd]! * window[2 * i + 1]! : 0;
    }
    this.transform();
    const { splitCos, splitSin } = this;
    // Split the packed transform Z into the real spectrum: X[k] = E[k] + W^k O[k].
    const r0 = real[0]!;
    const i0 = imag[0]!;
    power[0] = (r0 + i0) * (r0 + i0);
    power[half] = (r0 - i0) * (r0 - i0);
    for (let k = 1; k < half; k++) {
      const zr = real[k]!;
      const zi = imag[k]!;
      const cr = real[half - k]!;
      const ci = -imag[half - k]!;
      const er = 0.5 * (zr + cr);
      const ei = 0.5 * (zi + ci);
      const or = 0.5 * (zi - ci);
      const oi = -0.5 * (zr - cr);
      const wr = splitCos[k]!;
      const wi = splitSin[k]!;
      const xr = er + wr * or - wi * oi;
      const xi = ei + wr * oi + wi * or;
      power[k] = xr * xr + xi * xi;
    }
  }

  /** In-place complex FFT of real/imag (already in bit-reversed order). */
  private transform(): void {
    const { half, real, imag, cosTable, sinTable } = this;
    // The first two stages have trivial twiddles (1, and 1 / −i): done together as radix-4 butterflies.
    if (half >= 4) {
      for (let a = 0; a < half; a += 4) {
        const r0 = real[a]!;
        const i0 = imag[a]!;
        const r1 = real[a + 1]!;
        const i1 = imag[a + 1]!;
        const r2 = real[a + 2]!;
        const i2 = imag[a + 2]!;
        const r3 = real[a + 3]!;
        const i3 = imag[a + 3]!;
        const sr0 = r0 + r1;
        const si0 = i0 + i1;
        const dr0 = r0 - r1;
        const di0 = i0 - i1;
        const sr1 = r2 + r3;
        const si1 = i2 + i3;
        const dr1 = r2 - r3;
        const di1 = i2 - i3;
        real[a] = sr0 + sr1;
        imag[a] = si0 + si1;
        real[a + 2] = sr0 - sr1;
        imag[a + 2] = si0 - si1;
        // (dr1 + i·di1) · (−i) = di1 − i·dr1
        real[a + 1] = dr0 + di1;
        imag[a + 1] = di0 - dr1;
        real[a + 3] = dr0 - di1;
        imag[a + 3] = di0 + dr1;
      }
    } else if (half === 2) {
      const r0 = real[0]!;
      const i0 = imag[0]!;
      real[0] = r0 + real[1]!;
      imag[0] = i0 + imag[1]!;
      real[1] = r0 - real[1]!;
      imag[1] = i0 - imag[1]!;
      return;
    }
    for (let size = 8; size <= half; size *= 2) {
      const halfSize = size / 2;
      const step = half / size;
      for (let j = 0; j < halfSize; j++) {
        const wr = cosTable[j * step]!;
        const wi = sinTable[j * step]!;
        for (let a = j; a < half; a += size) {
          const b = a + halfSize;
          const br = real[b]!;
          const bi = imag[b]!;
          const tr = br * wr - bi * wi;
          const ti = br * wi + bi * wr;
          const ar = real[a]!;
          const ai = imag[a]!;
          real[b] = ar - tr;
          imag[b] = ai - ti;
          real[a] = ar + tr;
          imag[a] = ai + ti;
        }
      }
    }
  }
}

/** A periodic Hann window of `size` points. */
export function hannWindow(size: number): Float64Array {
  const window = new Float64Array(size);
  for (let n = 0; n < size; n++) window[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / size);
  return window;
}
