import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MontageError } from '../../companion/core/errors';
import { CancellationTokenSource } from '../../companion/core/lifecycle';
import { decodeAudio } from '../../companion/media/audio';
import { scratchDir } from '../support/paths';
import { writeWav } from './synth';

let dir = '';

before(() => {
  dir = scratchDir('audio');
  // 3 s at 22050 Hz: a ramp from −0.5 to 0.5 so positions can be checked after resampling.
  const samples = new Float32Array(3 * 22050).map((_, i) => -0.5 + i / (3 * 22050));
  writeWav(join(dir, 'ramp.wav'), samples, 22050);
  writeFileSync(join(dir, 'broken.wav'), 'RIFF nonsense');
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('decoding resamples to the chosen rate as mono float samples', async () => {
  const decoded = await decodeAudio(join(dir, 'ramp.wav'), { sampleRate: 11025 });
  assert.equal(decoded.sampleRate, 11025);
  assert.equal(decoded.startSeconds, 0);
  assert.ok(Math.abs(decoded.samples.length - 3 * 11025) <= 2, `${decoded.samples.length} samples`);
  const middle = decoded.samples[Math.round(1.5 * 11025)]!;
  assert.ok(Math.abs(middle) < 0.01, `middle sample ${middle}`);
});

test('a start and a duration decode only that part', async () => {
  const decoded = await decodeAudio(join(dir, 'ramp.wav'), { sampleRate: 11025, startSeconds: 1, durationSeconds: 1 });
  assert.equal(decoded.startSeconds, 1);
  assert.ok(Math.abs(decoded.samples.length - 11025) <= 2);
  // The ramp is at −0.5 + 1/3 at 1 s.
  assert.ok(Math.abs(decoded.samples[10]! - (-0.5 + 1 / 3)) < 0.01, `first sample ${decoded.samples[10]}`);
});

test('an undecodable file is AM_ERR_MEDIA_UNREADABLE naming the file', async () => {
  await assert.rejects(decodeAudio(join(dir, 'broken.wav'), { sampleRate: 11025 }), (error: unknown) => {
    assert.ok(error instanceof MontageError);
    assert.equal(error.code, 'AM_ERR_MEDIA_UNREADABLE');
    assert.ok(error.message.includes('broken.wav'));
    return true;
  });
});

test('a bad sample rate and cancellation are reported as such', async () => {
  await assert.rejects(decodeAudio(join(dir, 'ramp.wav'), { sampleRate: 10 }), (error: unknown) => error instanceof MontageError && error.code === 'AM_ERR_INVALID_ARGUMENT');
  const source = new CancellationTokenSource();
  source.cancel();
  await assert.rejects(decodeAudio(join(dir, 'ramp.wav'), { sampleRate: 11025, token: source.token }), (error: unknown) => error instanceof MontageError && error.code === 'AM_ERR_CANCELLED');
});
