/** Frame descriptors saved to one file (count, then the four arrays), so tuning reads them back without decoding. */
import { readFileSync, writeFileSync } from 'node:fs';
import { FrameDescriptors, HIST_SIZE, PAIR_SIZE, STAT_SIZE, THUMB_SIZE } from '../../../companion/analysis/movie/frame-descriptors';

export function saveDescriptors(path: string, d: FrameDescriptors, frames: number): void {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(frames, 0);
  const part = (array: Uint8Array | Uint16Array | Float32Array, size: number) => Buffer.from(array.buffer, array.byteOffset, frames * size * array.BYTES_PER_ELEMENT);
  writeFileSync(path, Buffer.concat([header, part(d.thumbs, THUMB_SIZE), part(d.hists, HIST_SIZE), part(d.stats, STAT_SIZE), part(d.pairs, PAIR_SIZE)]));
}

export function loadDescriptors(path: string): { descriptors: FrameDescriptors; frames: number } {
  const buffer = readFileSync(path);
  const frames = buffer.readUInt32LE(0);
  const d = new FrameDescriptors(frames);
  let offset = 8;
  const take = <T extends Uint8Array | Uint16Array | Float32Array>(target: T, size: number): void => {
    const bytes = frames * size * target.BYTES_PER_ELEMENT;
    new Uint8Array(target.buffer, target.byteOffset, bytes).set(buffer.subarray(offset, offset + bytes));
    offset += bytes;
  };
  take(d.thumbs, THUMB_SIZE);
  take(d.hists, HIST_SIZE);
  take(d.stats, STAT_SIZE);
  take(d.pairs, PAIR_SIZE);
  d.count = frames;
  return { descriptors: d, frames };
}
