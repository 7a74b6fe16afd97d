import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describeMovie } from '../../companion/analysis/movie/describe-movie';
import { THUMB_SIZE } from '../../companion/analysis/movie/frame-descriptors';
import { Progress } from '../../companion/core/lifecycle';
import { planSegments, stitch } from '../../companion/media/video-decode';
import { indexOf, rawVideoArgs, seekSeconds } from '../../companion/media/raw-video';
import { probeMovie } from '../../companion/media/probe';
import { liveProcessCount } from '../../companion/media/process';
import { rate } from '../../companion/core/rational';
import { filmDir } from '../support/paths';

test('segments tile the movie and each seeks a few frames before the frames it owns', () => {
  const plans = planSegments(1000, 4, 3);
  assert.deepEqual(
    plans.map((p) => [p.startIndex, p.endIndex, p.seekIndex, p.maxFrames]),
    [
      [0, 250, 0, 253],
      [250, 500, 247, 256],
      [500, 750, 497, 256],
      [750, undefined, 747, undefined],
    ],
  );
});

test('frame indices come from timestamps, exactly, on NTSC and integer rates', () => {
  // 23.976 fps in a 1/24000 time base: frame 100 is at pts 100 × 1001.
  assert.equal(indexOf(100 * 1001, 0, rate(1, 24000), rate(24000, 1001)), 100);
  assert.equal(indexOf(12288 * 10 + 512, 0, rate(1, 12288), rate(24)), 241);
  // An origin other than zero (an edit list) is subtracted.
  assert.equal(indexOf(5000 + 3 * 512, 5000, rate(1, 12288), rate(24)), 3);
});

test('raw-video commands seek half a frame early, keep timestamps, and end the filter chain with scale, rgb24 and showinfo', () => {
  assert.equal(seekSeconds(0, 24), 0);
  assert.equal(seekSeconds(48, 24), 47.5 / 24);
  const args = rawVideoArgs({ path: 'in.mp4', width: 64, height: 36, fps: 25, threads: 2, inputOptions: ['-skip_frame', 'nokey'], seekIndex: 100, filtersBefore: ['trim=end=5'], maxFrames: 7 });
  const after = (flag: string) => args[args.indexOf(flag) + 1];
  assert.equal(after('-threads'), '2');
  assert.equal(after('-skip_frame'), 'nokey');
  assert.equal(after('-ss'), (99.5 / 25).toFixed(6));
  // Input options (seek included) go before -i; -copyts keeps the pts that frame indices are computed from.
  assert.ok(args.indexOf('-ss') < args.indexOf('-i') && args.indexOf('-copyts') < args.indexOf('-i'));
  assert.equal(after('-i'), 'in.mp4');
  assert.equal(after('-vf'), 'trim=end=5,scale=64:36:flags=area,format=rgb24,showinfo');
  assert.equal(after('-frames:v'), '7');
  assert.deepEqual(args.slice(-5), ['-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
  // From the start: no seek, no cap.
  const whole = rawVideoArgs({ path: 'in.mp4', width: 64, height: 36, fps: 25, threads: 0, seekIndex: 0 });
  assert.ok(!whole.includes('-ss') && !whole.includes('-frames:v'));
});

test('stitching takes each frame from its owner, uses overlaps for gaps, and fills holes with the previous frame', () => {
  const segments = [
    { id: 0, startIndex: 0, endIndex: 5, indices: [0, 1, 2, 3, 4, 5, 6], repair: false },
    // This segment's seek overshot by one frame (7 instead of 5): 5 and 6 come from segment 0's overlap.
    { id: 1, startIndex: 5, endIndex: undefined, indices: [7, 8, 10], repair: false },
  ];
  const stitched = stitch(segments);
  assert.equal(stitched.frameCount, 11);
  assert.deepEqual(Array.from(stitched.segmentOf), [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
  assert.deepEqual(Array.from(stitched.ordinalOf), [0, 1, 2, 3, 4, 5, 6, 0, 1, 1, 2]);
  assert.equal(stitched.filled, 1);
  assert.deepEqual(stitched.holes, [{ start: 9, end: 10 }]);
});

test('a clip decoded as five parallel segments equals the clip decoded in one piece, frame for frame', async () => {
  const path = join(filmDir, 'sintel_trailer.mp4');
  const { video } = await probeMovie(path);
  const whole = await describeMovie(path, video, { threads: 1 }, Progress.None);
  const parallel = await describeMovie(path, video, { threads: 5, minSegmentSeconds: 5 }, Progress.None);
  assert.equal(whole.frameCount, 1252);
  assert.equal(parallel.frameCount, 1252);
  assert.equal(parallel.decode.processes, 5);
  assert.equal(parallel.decode.filledFrames, 0);
  const bytes = 1252 * THUMB_SIZE;
  assert.deepEqual(Buffer.from(parallel.descriptors.thumbs.buffer, 0, bytes), Buffer.from(whole.descriptors.thumbs.buffer, 0, bytes));
  // The comparisons with the previous frame match too, seams included (the seams are at 250, 500, ...).
  for (let frame = 1; frame < 1252; frame++) {
    assert.ok(Math.abs(parallel.descriptors.pair(frame, 0) - whole.descriptors.pair(frame, 0)) < 1e-6, `pair measure at frame ${frame}`);
  }
  assert.equal(liveProcessCount(), 0);
});
