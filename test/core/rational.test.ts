import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromSeconds, parseRate, rangeContains, range, rangeEnd, rate, RATES, rescale, snapRate, time, toSeconds } from '../../companion/core/rational';

test('a rate is kept as an exact reduced fraction', () => {
  assert.deepEqual(rate(48000, 2002), { num: 24000, den: 1001 });
  assert.throws(() => rate(0, 1), RangeError);
  assert.throws(() => rate(23.976, 1), RangeError);
});

test('ffprobe rate strings parse, and near-standard rates snap to the standard fraction', () => {
  assert.deepEqual(parseRate('30000/1001'), RATES['29.97']);
  assert.deepEqual(parseRate('25'), RATES['25']);
  assert.equal(parseRate('0/0'), undefined);
  assert.equal(parseRate('abc'), undefined);
  assert.deepEqual(snapRate(23.976023976), RATES['23.976']);
  assert.deepEqual(snapRate(59.94), RATES['59.94']);
  assert.deepEqual(snapRate(12.5), rate(25, 2));
});

test('seconds convert to whole frames at NTSC rates without drift over two hours', () => {
  const r = RATES['23.976'];
  const twoHours = 2 * 3600;
  const frames = fromSeconds(twoHours, r).value;
  assert.equal(frames, 172627); // 7200 s × 24000/1001 = 172627.37
  assert.ok(Math.abs(toSeconds(time(frames, r)) - twoHours) < 1 / 24 / 2);
});

test('rescale between rates is exact when it can be and rounds to the nearest tick otherwise', () => {
  assert.deepEqual(rescale(time(48000, rate(48000)), RATES['25']), time(25, RATES['25']));
  assert.deepEqual(rescale(time(1000, RATES["23.976"]), rate(24)), time(1001, rate(24)));
  assert.equal(rescale(time(1, rate(3)), rate(2), 'floor').value, 0);
  assert.equal(rescale(time(1, rate(3)), rate(2), 'ceil').value, 1);
  assert.equal(rescale(time(-1, rate(3)), rate(2), 'floor').value, -1);
});

test('a time range includes its start and excludes its end', () => {
  const r = range(10, 5, rate(24));
  assert.equal(rangeEnd(r).value, 15);
  assert.ok(rangeContains(r, 10));
  assert.ok(rangeContains(r, 14));
  assert.ok(!rangeContains(r, 15));
});
