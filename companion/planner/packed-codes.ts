/**
 * Back-pointers packed at a few bits each. Every slot (one shot) holds `cells` codes of a fixed bit width,
 * a power of two from 1 to 32, so no code straddles a 32-bit word. This is what keeps the planner's memory at
 * O(shots × bars × N_e × bits) instead of a float per state.
 */
export class PackedCodes {
  /** The packed bits; kernels write them inline in their hot loops (same arithmetic as {@link set}). */
  readonly words: Uint32Array;
  /** First word of each slot. */
  readonly offsets: Float64Array;
  /** Bits per code of each slot. */
  readonly widths: Uint8Array;

  /** `slots[s]` = [cells, largest code] for each slot. */
  constructor(slots: readonly (readonly [cells: number, largestCode: number])[]) {
    this.offsets = new Float64Array(slots.length);
    this.widths = new Uint8Array(slots.length);
    let total = 0;
    slots.forEach(([cells, largest], s) => {
      const width = bitWidth(largest);
      this.offsets[s] = total;
      this.widths[s] = width;
      total += Math.ceil((cells * width) / 32);
    });
    this.words = new Uint32Array(total);
  }

  get bytes(): number {
    return this.words.byteLength + this.offsets.byteLength + this.widths.byteLength;
  }

  /** Writes a code into a cell that still holds 0. */
  set(slot: number, cell: number, code: number): void {
    const width = this.widths[slot]!;
    const bit = cell * width;
    const word = this.offsets[slot]! + Math.floor(bit / 32);
    this.words[word] = this.words[word]! | (code << (bit % 32));
  }

  get(slot: number, cell: number): number {
    const width = this.widths[slot]!;
    const bit = cell * width;
    const word = this.words[this.offsets[slot]! + Math.floor(bit / 32)]!;
    return width === 32 ? word : (word >>> (bit % 32)) & ((1 << width) - 1);
  }
}

/** The smallest power-of-two bit width (1..32) that holds 0..largest. */
export function bitWidth(largest: number): number {
  let width = 1;
  while (width < 32 && largest >= 2 ** width) width *= 2;
  return width;
}
