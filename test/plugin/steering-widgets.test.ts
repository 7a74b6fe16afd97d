/** The steering widgets' pure parts: the arc the panel draws reads as the companion reads it, and stays within the protocol's limit. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_EMOTION_ARC_POINTS } from '../../companion/protocol/messages';
import { arcAt } from '../../companion/pipeline/steer-emotions';
import { arcValueAt, thinArc } from '../../plugin/src/ui/arc-points';

test('the panel evaluates an arc exactly as the companion does, between, before and after its points', () => {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const arc = Array.from({ length: 12 }, (_, i) => ({ seconds: 2 + i * (1 + random()), valence: random() * 2 - 1, arousal: random() * 2 - 1 }));
  for (let k = 0; k < 200; k++) {
    const seconds = random() * 30;
    assert.deepEqual(arcValueAt(arc, seconds), arcAt(arc, seconds), `at ${seconds} s`);
  }
});

test('an arc with more points than the protocol takes is thinned to every k-th point and the last, in order', () => {
  for (const length of [10, MAX_EMOTION_ARC_POINTS, MAX_EMOTION_ARC_POINTS + 1, 1800, 5000]) {
    const points = Array.from({ length }, (_, i) => ({ seconds: i * 0.5, valence: 0, arousal: 0 }));
    const thinned = thinArc(points);
    assert.ok(thinned.length <= MAX_EMOTION_ARC_POINTS, `${length} → ${thinned.length}`);
    assert.equal(thinned.length === length, length <= MAX_EMOTION_ARC_POINTS);
    assert.deepEqual(thinned[0], points[0]);
    assert.deepEqual(thinned[thinned.length - 1], points[length - 1]);
    assert.ok(thinned.every((p, i) => i === 0 || p.seconds > thinned[i - 1]!.seconds));
  }
});
