import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RATES } from '../../companion/core/rational';
import { framesToTimecode, oneHourFrames, timecodeToFrames } from '../../companion/core/timecode';

test('one hour is 86400 frames at 24, 108000 at 29.97 NDF and 107892 at 29.97 DF', () => {
  assert.equal(oneHourFrames(RATES['24']), 86400);
  assert.equal(oneHourFrames(RATES['29.97']), 108000);
  assert.equal(oneHourFrames(RATES['29.97'], { dropFrame: true }), 107892);
  assert.equal(oneHourFrames(RATES['59.94'], { dropFrame: true }), 215784);
  assert.equal(oneHourFrames(RATES['23.976']), 86400);
});

test('drop-frame timecode skips frame numbers 00 and 01 at each minute except every tenth', () => {
  const r = RATES['29.97'];
  assert.equal(framesToTimecode(1799, r, { dropFrame: true }), '00:00:59;29');
  assert.equal(framesToTimecode(1800, r, { dropFrame: true }), '00:01:00;02');
  assert.equal(framesToTimecode(17982, r, { dropFrame: true }), '00:10:00;00');
  assert.equal(timecodeToFrames('00:01:00;02', r), 1800);
  assert.equal(timecodeToFrames('00:01:00;00', r), undefined);
  assert.equal(framesToTimecode(1800, r), '00:01:00:00');
});

test('timecode round-trips every frame of the first 20 minutes at 29.97 DF and 59.94 DF', () => {
  for (const r of [RATES['29.97'], RATES['59.94']]) {
    for (let frame = 0; frame < 20 * 60 * 60; frame += 7) {
      const text = framesToTimecode(frame, r, { dropFrame: true });
      assert.equal(timecodeToFrames(text, r), frame, text);
    }
  }
});

test('NDF timecode round-trips at 23.976, 25 and 59.94', () => {
  for (const r of [RATES['23.976'], RATES['25'], RATES['59.94']]) {
    for (const frame of [0, 1, 23, 24, 1439, 86399, 86400, 123457]) {
      assert.equal(timecodeToFrames(framesToTimecode(frame, r), r), frame);
    }
  }
  assert.equal(framesToTimecode(86400 + 25 * 61 + 3, RATES['25']), '00:58:37:03');
});

test('malformed timecode and drop-frame at a non-NTSC rate are rejected', () => {
  assert.equal(timecodeToFrames('1:2:3', RATES['25']), undefined);
  assert.equal(timecodeToFrames('00:00:00:25', RATES['25']), undefined);
  assert.equal(timecodeToFrames('00:00:00;10', RATES['25']), undefined);
  assert.throws(() => framesToTimecode(10, RATES['25'], { dropFrame: true }), RangeError);
  assert.throws(() => framesToTimecode(-1, RATES['25']), RangeError);
});
