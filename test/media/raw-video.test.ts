import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CancellationTokenSource } from '../../companion/core/lifecycle';
import { frameSplitter, ShowinfoReader, StallWatchdog } from '../../companion/media/raw-video';

test('the frame splitter reassembles frames that span chunks and keeps whole frames inside one chunk', () => {
  const frames: number[][] = [];
  const split = frameSplitter(3, (frame) => frames.push([...frame]));
  split(Buffer.from([1, 2]));
  split(Buffer.from([3, 4, 5, 6, 7]));
  split(Buffer.from([8, 9, 10]));
  assert.deepEqual(frames, [
    [1, 2, 3],
    [4, 5, 6],
    [7, 8, 9],
  ]);
});

test('the showinfo reader takes the time base once, one pts per frame line, and passes other lines on', () => {
  const pts: number[] = [];
  const other: string[] = [];
  const reader = new ShowinfoReader((value) => pts.push(value), (line) => other.push(line));
  reader.push('[Parsed_showinfo_2 @ 0x1] config in time_base: 1/12288, frame_rate: 24/1\n[Parsed_showinfo_2 @ 0x1] n:   0 pts:   1024 pts_time:0.0833\nerror: da');
  reader.push('maged\n[Parsed_showinfo_2 @ 0x1] n:   1 pts:   1536 pts_time:0.125');
  reader.end();
  assert.deepEqual(reader.timeBase, { num: 1, den: 12288 });
  assert.deepEqual(pts, [1024, 1536]);
  assert.deepEqual(other, ['error: damaged']);
});

test('a stall watchdog cancels its token after the silence and reports a timeout, but not while paused or after output', async () => {
  const parent = new CancellationTokenSource();
  const stalled = new StallWatchdog(parent.token, 30);
  await sleep(80);
  assert.equal(stalled.token.isCancellationRequested, true);
  const error = stalled.timeoutError('movie.mp4', 'decoding', undefined);
  assert.equal(error?.code, 'AM_ERR_PROCESS_TIMEOUT');
  assert.match(error?.message ?? '', /while decoding movie\.mp4/);
  stalled.dispose();

  let paused = true;
  const waiting = new StallWatchdog(parent.token, 30, () => paused);
  const talking = new StallWatchdog(parent.token, 200);
  for (let i = 0; i < 12; i++) {
    await sleep(20);
    talking.alive();
  }
  assert.equal(waiting.token.isCancellationRequested, false, 'paused silence is not a stall');
  assert.equal(talking.token.isCancellationRequested, false, 'output resets the timer');
  paused = false;
  await sleep(80);
  assert.equal(waiting.token.isCancellationRequested, true);
  waiting.dispose();

  // A cancel from the caller is not a timeout.
  parent.cancel();
  assert.equal(talking.token.isCancellationRequested, true);
  assert.equal(talking.timeoutError('movie.mp4', 'decoding', undefined), undefined);
  talking.dispose();
  parent.dispose();
});
