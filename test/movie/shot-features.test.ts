import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANALYSIS_HEIGHT, ANALYSIS_WIDTH, FrameDescriptors } from '../../companion/analysis/movie/frame-descriptors';
import { featuresOfRange } from '../../companion/analysis/movie/shot-features';

function solid(r: number, g: number, b: number): Uint8Array {
  const frame = new Uint8Array(ANALYSIS_WIDTH * ANALYSIS_HEIGHT * 3);
  for (let i = 0; i < frame.length; i += 3) {
    frame[i] = r;
    frame[i + 1] = g;
    frame[i + 2] = b;
  }
  return frame;
}

function stripes(offset: number): Uint8Array {
  const frame = new Uint8Array(ANALYSIS_WIDTH * ANALYSIS_HEIGHT * 3);
  for (let y = 0; y < ANALYSIS_HEIGHT; y++) {
    for (let x = 0; x < ANALYSIS_WIDTH; x++) {
      const value = (Math.floor((x + offset) / 4) % 2) * 255;
      frame.set([value, value, value], (y * ANALYSIS_WIDTH + x) * 3);
    }
  }
  return frame;
}

test('a warm saturated shot reads warm, saturated and colourful; a grey one reads neutral and grey', () => {
  const d = new FrameDescriptors(8);
  for (let i = 0; i < 4; i++) d.push(solid(230, 120, 20));
  for (let i = 0; i < 4; i++) d.push(solid(128, 128, 128));
  const warm = featuresOfRange(d, 0, 4);
  const grey = featuresOfRange(d, 4, 8);
  assert.ok(warm.warmth > 0.8, `warmth ${warm.warmth}`);
  assert.ok(warm.saturation > 0.8, `saturation ${warm.saturation}`);
  assert.ok(warm.colourfulness > grey.colourfulness + 0.2);
  assert.equal(grey.saturation, 0);
  assert.equal(grey.warmth, 0.5);
  assert.ok(Math.abs(grey.brightness - 128 / 255) < 0.01);
  assert.equal(grey.contrast, 0);
  assert.equal(grey.motion, 0);
});

test('the keyframe is the middle frame and the colour signature sums to one', () => {
  const d = new FrameDescriptors(16);
  for (let i = 0; i < 11; i++) d.push(solid(10 * i, 50, 200));
  const features = featuresOfRange(d, 2, 11);
  assert.equal(features.keyframe, 6);
  assert.equal(features.colourSignature.length, 64);
  const sum = features.colourSignature.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) < 1e-3, `sum ${sum}`);
});

test('moving content has motion and contrast; a still picture has none', () => {
  const d = new FrameDescriptors(16);
  for (let i = 0; i < 6; i++) d.push(stripes(i * 2));
  for (let i = 0; i < 6; i++) d.push(stripes(0));
  const moving = featuresOfRange(d, 0, 6);
  const still = featuresOfRange(d, 6, 12);
  assert.ok(moving.motion > 0.3, `motion ${moving.motion}`);
  assert.equal(still.motion, 0);
  assert.ok(still.contrast > 0.9, `contrast ${still.contrast}`);
});
