import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { extractFrames, resolveFrameSize } from '../../companion/media/frames';
import { decodeVideoFrames } from '../../companion/media/video-decode';
import { probeMovie } from '../../companion/media/probe';
import { MontageError } from '../../companion/core/errors';
import { CancellationTokenSource } from '../../companion/core/lifecycle';
import { filmDir } from '../support/paths';

const sintel = join(filmDir, 'sintel_trailer.mp4');

test('sizes keep the aspect ratio and stay even', () => {
  assert.deepEqual(resolveFrameSize({ width: 480, height: 204 }, { maxWidth: 320 }), { width: 320, height: 136 });
  assert.deepEqual(resolveFrameSize({ width: 480, height: 204 }, { maxWidth: 4000 }), { width: 480, height: 204 });
  assert.deepEqual(resolveFrameSize({ width: 640, height: 360 }, { width: 63, height: 35 }), { width: 64, height: 36 });
});

const indices = [0, 225, 226, 573, 1251];
/** One full decode at 64×36, shared by the tests: the frames at `indices` and the movie's last frame. */
let fullDecode: Promise<{ wanted: Map<number, Uint8Array>; last: Uint8Array }> | undefined;
const decodeOnce = () =>
  (fullDecode ??= (async () => {
    const { video } = await probeMovie(sintel);
    const wanted = new Map<number, Uint8Array>();
    let last = new Uint8Array(0);
    await decodeVideoFrames(sintel, video, { width: 64, height: 36, segments: 1 }, () => {
      let index = 0;
      return (data) => {
        if (indices.includes(index)) wanted.set(index, Uint8Array.from(data));
        last = Uint8Array.from(data);
        index++;
      };
    });
    return { wanted, last };
  })());

test('extracted frames are exactly the frames the full decode sees at those indices', async () => {
  const { video } = await probeMovie(sintel);
  const { wanted } = await decodeOnce();
  const frames = await extractFrames(sintel, indices, { width: 64, height: 36 }, undefined, { video });
  assert.deepEqual(
    frames.map((f) => f.index),
    indices,
  );
  for (const frame of frames) {
    assert.equal(frame.width, 64);
    assert.equal(frame.height, 36);
    assert.deepEqual(Buffer.from(frame.data), Buffer.from(wanted.get(frame.index)!), `frame ${frame.index}`);
  }
});

test('an index past the end yields the last frame, and a bad index is a typed error', async () => {
  const [past] = await extractFrames(sintel, [99_999], { maxWidth: 64 });
  assert.equal(past!.index, 99_999);
  assert.equal(past!.data.length, 64 * 28 * 3);
  // The fallback is the movie's real last frame, not some other frame of the right size.
  const [end] = await extractFrames(sintel, [99_999], { width: 64, height: 36 });
  assert.deepEqual(Buffer.from(end!.data), Buffer.from((await decodeOnce()).last));
  await assert.rejects(extractFrames(sintel, [-1], { maxWidth: 64 }), (error: unknown) => error instanceof MontageError && error.code === 'AM_ERR_INVALID_ARGUMENT');
});

test('cancelling stops extraction with a cancellation error', async () => {
  const source = new CancellationTokenSource();
  source.cancel();
  await assert.rejects(extractFrames(sintel, [10, 20], { maxWidth: 64 }, source.token), (error: unknown) => error instanceof MontageError && error.code === 'AM_ERR_CANCELLED');
});
