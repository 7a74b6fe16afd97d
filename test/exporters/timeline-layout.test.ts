import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MontageError } from '../../companion/core/errors';
import { RATES, range, time } from '../../companion/core/rational';
import type { Timeline } from '../../companion/core/timeline';
import { layoutTimeline } from '../../exporters/shared/timeline-layout';
import { sampleTimeline } from './sample-timelines';

function invalidField(timeline: Timeline): string | undefined {
  try {
    layoutTimeline(timeline);
  } catch (error) {
    assert.ok(error instanceof MontageError);
    assert.equal(error.code, 'AM_ERR_TIMELINE_INVALID');
    return error.where?.field;
  }
  return undefined;
}

test('clips are placed end to end on the sequence grid, with media listed once in first-use order', () => {
  const layout = layoutTimeline(sampleTimeline(RATES['25']));
  assert.equal(layout.totalFrames, 400);
  assert.deepEqual(layout.video[0]!.clips.map((c) => [c.recordIn, c.recordOut, c.sourceOut - c.sourceIn]), [
    [0, 100, 100],
    [100, 150, 50],
    [150, 300, 150],
    [300, 400, 100],
  ]);
  assert.deepEqual(layout.usedMedia.map((m) => m.id), ['media-1', 'media-2']);
});

test('markers snap to the nearest sequence frame, never two on one frame, and those outside the timeline are dropped', () => {
  const base = sampleTimeline(RATES['25']);
  const layout = layoutTimeline({
    ...base,
    markers: [
      { name: 'a', time: time(2002, { num: 1000, den: 1 }) }, // 2.002 s → frame 50
      { name: 'b', time: time(50, RATES['25']) }, // same frame: dropped
      { name: 'c', time: time(399, RATES['25']) },
      { name: 'd', time: time(400, RATES['25']) }, // at the end: dropped
      { name: 'e', time: time(10, RATES['25']) },
    ],
  });
  assert.deepEqual(layout.markers.map((m) => [m.name, m.frame]), [
    ['e', 10],
    ['a', 50],
    ['c', 399],
  ]);
});

test('every malformed part is refused with AM_ERR_TIMELINE_INVALID naming the field', () => {
  const base = sampleTimeline(RATES['25']);
  const video = base.tracks[0]!;
  const clip = video.items[0]!;
  assert.equal(clip.kind, 'clip');
  const withClip = (patch: object): Timeline => ({ ...base, tracks: [{ ...video, items: [{ ...clip, ...patch }] }] });
  assert.equal(invalidField({ ...base, dropFrame: true }), 'dropFrame');
  assert.equal(invalidField(withClip({ mediaId: 'missing' })), 'tracks[0].items[0].mediaId');
  assert.equal(invalidField(withClip({ sourceRange: range(0, 0, RATES['25']) })), 'tracks[0].items[0].sourceRange');
  assert.equal(invalidField(withClip({ sourceRange: range(29990, 20, RATES['25']) })), 'tracks[0].items[0].sourceRange');
  assert.equal(invalidField(withClip({ sourceRange: range(0, 10, RATES['24']) })), 'tracks[0].items[0].sourceRange');
  assert.equal(invalidField(withClip({ sourceRange: range(0.5, 10, RATES['25']) })), 'tracks[0].items[0].sourceRange');
  assert.equal(invalidField({ ...base, media: [base.media[0]!, base.media[0]!] }), 'media[1].id');
  assert.equal(invalidField({ ...base, tracks: [] }), 'tracks');
  assert.equal(invalidField({ ...base, tracks: [{ kind: 'video', name: 'V1', items: [{ kind: 'clip', name: 'music', mediaId: 'media-2', sourceRange: range(0, 10, RATES['25']) }] }] }), 'tracks[0].items[0].mediaId');
  assert.equal(invalidField({ ...base, startFrames: -1 }), 'startFrames');
  assert.equal(invalidField({ ...base, schema: 'Timeline.2' as 'Timeline.1' }), 'schema');
  assert.equal(invalidField(withClip({ markers: [{ name: 'ok', time: time(3, RATES['25']) }, { name: 'no time' }] })), 'tracks[0].items[0].markers[1].time');
  assert.equal(invalidField(withClip({ markers: [{ name: 'NaN', time: time(Number.NaN, RATES['25']) }] })), 'tracks[0].items[0].markers[0].time');
});
