import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RATES } from '../../companion/core/rational';
import { framesToTicks, rateFromTicksPerFrame, secondsToTicks, ticksPerFrame, ticksToFrames, ticksToSeconds, subtractTicks } from '../../plugin/src/ticks';

test('ticks per frame are exact integers at every standard rate', () => {
  assert.equal(ticksPerFrame(RATES['23.976']), 10594584000n);
  assert.equal(ticksPerFrame(RATES['24']), 10584000000n);
  assert.equal(ticksPerFrame(RATES['25']), 10160640000n);
  assert.equal(ticksPerFrame(RATES['29.97']), 8475667200n);
  assert.equal(ticksPerFrame(RATES['59.94']), 4237833600n);
});

test('frames survive a round trip through ticks at 29.97 for ten hours, beyond float-exact ticks', () => {
  const frames = 10 * 3600 * 30; // 1,080,000 frames at 29.97 ≈ 10.0 h: 9.15e15 ticks > 2^53
  const ticks = framesToTicks(frames, RATES['29.97']);
  assert.ok(BigInt(ticks) > BigInt(Number.MAX_SAFE_INTEGER));
  assert.equal(ticks, (BigInt(frames) * 8475667200n).toString());
  assert.equal(ticksToFrames(ticks, RATES['29.97']), frames);
});

test('ticks round to the nearest frame', () => {
  const perFrame = 10160640000n; // 25 fps
  assert.equal(ticksToFrames((perFrame * 10n + perFrame / 2n - 1n).toString(), RATES['25']), 10);
  assert.equal(ticksToFrames((perFrame * 10n + perFrame / 2n).toString(), RATES['25']), 11);
});

test('seconds convert to ticks and back without drift', () => {
  assert.equal(secondsToTicks(1), '254016000000');
  assert.equal(secondsToTicks(0.5), '127008000000');
  assert.equal(ticksToSeconds(secondsToTicks(3723.25)), 3723.25);
  assert.equal(subtractTicks('254016000000', '127008000000'), '127008000000');
});

test('a sequence rate is recovered from Premiere ticks per frame', () => {
  assert.deepEqual(rateFromTicksPerFrame(10594584000), { num: 24000, den: 1001 });
  assert.deepEqual(rateFromTicksPerFrame(10160640000), { num: 25, den: 1 });
  assert.deepEqual(rateFromTicksPerFrame(8475667200), { num: 30000, den: 1001 });
});

test('a tick string that is not an integer is refused', () => {
  assert.throws(() => ticksToSeconds('12.5'), RangeError);
  assert.throws(() => ticksToSeconds('abc'), RangeError);
});
