import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bitWidth, PackedCodes } from '../../companion/planner/packed-codes';

test('bit widths are the smallest power of two that holds the largest code', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 15, 16, 255, 256, 65535, 65536, 2 ** 31].map(bitWidth), [1, 1, 2, 2, 4, 4, 8, 8, 16, 16, 32, 32]);
});

test('codes of every width round-trip without touching their neighbours', () => {
  const largest = [1, 3, 15, 255, 65535, 2 ** 32 - 1];
  const cells = 101;
  const codes = new PackedCodes(largest.map((l) => [cells, l] as const));
  const expected = largest.map((l, slot) => Array.from({ length: cells }, (_, cell) => (cell * 2654435761 + slot * 97) % (l + 1)));
  // Write every other cell first, then the rest, so later writes must not disturb earlier ones.
  for (const parity of [0, 1]) {
    expected.forEach((values, slot) => values.forEach((value, cell) => cell % 2 === parity && codes.set(slot, cell, value)));
  }
  expected.forEach((values, slot) => values.forEach((value, cell) => assert.equal(codes.get(slot, cell) >>> 0, value, `slot ${slot} cell ${cell}`)));
  // Widths 1, 2, 4, 8, 16, 32 bits; 101 cells take 4 + 7 + 13 + 26 + 51 + 101 words, each slot starting on a fresh word.
  assert.deepEqual([...codes.widths], [1, 2, 4, 8, 16, 32]);
  assert.deepEqual([...codes.offsets], [0, 4, 11, 24, 50, 101]);
  assert.equal(codes.words.length, 202);
  assert.equal(codes.bytes, 202 * 4 + 6 * 8 + 6);
});
