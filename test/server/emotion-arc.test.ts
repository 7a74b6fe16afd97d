/** The emotion arc as the protocol reads it: an arc the panel draws stays within the protocol's limit. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_EMOTION_ARC_POINTS } from '../../companion/protocol/messages';
import { thinArc } from '../../companion/protocol/emotion-arc';

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
