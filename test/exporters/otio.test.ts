import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RATES, rate, time } from '../../companion/core/rational';
import type { Timeline } from '../../companion/core/timeline';
import { writeOtio } from '../../exporters/otio/index';
import { readEdl } from './readers/edl-reader';
import { rateFromFloat, readOtio } from './readers/otio-reader';
import { ANAMORPHIC_PAL_FRAME, GOLDEN_CASES, sampleTimeline } from './sample-timelines';
import { assertGolden, assertSameClips, expectedMarkers, expectedTracks, fixture } from './support';

for (const { label, rate: sequenceRate, options } of GOLDEN_CASES) {
  test(`the .otio at ${label} matches its golden file and reads back clip by clip`, () => {
    const timeline = sampleTimeline(sequenceRate, options);
    const text = writeOtio(timeline);
    assertGolden(`otio/${label}.otio`, text);
    const read = readOtio(text);
    assert.deepEqual(read.rate, sequenceRate);
    assert.equal(read.startFrames, timeline.startFrames);
    assert.equal(read.dropFrame, timeline.dropFrame);
    assert.equal(read.name, timeline.name);
    assert.deepEqual(read.tracks.map((t) => [t.kind, t.name]), [
      ['video', 'V1'],
      ['audio', 'A1'],
    ]);
    assertSameClips(read.tracks[0]!.clips, expectedTracks(timeline, 'video')[0]!);
    assertSameClips(read.tracks[1]!.clips, expectedTracks(timeline, 'audio')[0]!);
    assert.deepEqual(read.markers, expectedMarkers(timeline));
    // Source ranges are media time: they include the embedded start timecode, like available_range.
    const json = JSON.parse(text);
    const firstClip = json.tracks.children[0].children[0];
    assert.equal(firstClip.source_range.start_time.value, timeline.media[0]!.startTimecodeFrames + 12 * 60 * Math.round(sequenceRate.num / sequenceRate.den));
    assert.equal(firstClip.media_reference.available_range.start_time.value, timeline.media[0]!.startTimecodeFrames);
    assert.equal(firstClip.metadata['auto-montage'].shotIndex, 0);
  });
}

test('only the OTIO 0.14 compatibility schemas are written, with rates as the exact float of the fraction', () => {
  const text = writeOtio(sampleTimeline(RATES['59.94']));
  assert.deepEqual([...readOtio(text).schemas].sort(), ['Clip.1', 'ExternalReference.1', 'Marker.2', 'RationalTime.1', 'Stack.1', 'TimeRange.1', 'Timeline.1', 'Track.1']);
  const json = JSON.parse(text);
  assert.equal(json.global_start_time.rate, 60000 / 1001);
  assert.equal(JSON.parse(writeOtio(sampleTimeline(RATES['23.976']))).global_start_time.rate, 23.976023976023978);
  assert.deepEqual(rateFromFloat(23.976023976023978), RATES['23.976']);
  const marker = json.tracks.markers[0];
  assert.deepEqual(Object.keys(marker), ['OTIO_SCHEMA', 'metadata', 'name', 'color', 'marked_range', 'comment']);
  assert.equal(marker.color, 'BLUE');
  assert.equal(marker.comment, 'downbeat & "start" <1>');
});

test('target URLs are RFC 8089 file URLs for POSIX and Windows paths', () => {
  const json = JSON.parse(writeOtio(sampleTimeline(RATES['25'])));
  const urls = json.tracks.children.map((t: { children: { media_reference: { target_url: string } }[] }) => t.children[0]!.media_reference.target_url);
  assert.deepEqual(urls, [
    'file:///Users/editor/Movies/Big%20%26%20Small/Big%20%26%20%3CSmall%3E%20%22Movie%22%20%C3%A9t%C3%A9.mov',
    'file:///C:/Music/My%20Songs/Track%2001%20%28final%29%20%E2%80%94%20%E2%80%9Cmix%E2%80%9D.wav',
  ]);
});

test('a gap becomes Gap.1 with a source range and the clips after it keep their record positions', () => {
  const base = sampleTimeline(RATES['24']);
  const video = base.tracks[0]!;
  const withGap: Timeline = { ...base, tracks: [{ ...video, items: [video.items[0]!, { kind: 'gap', duration: time(30, RATES['24']) }, ...video.items.slice(1)] }, base.tracks[1]!] };
  const json = JSON.parse(writeOtio(withGap));
  const gap = json.tracks.children[0].children[1];
  assert.equal(gap.OTIO_SCHEMA, 'Gap.1');
  assert.equal(gap.source_range.duration.value, 30);
  const read = readOtio(JSON.stringify(json));
  assert.deepEqual(read.tracks[0]!.clips.map((c) => c.recordIn), [0, 126, 174, 318]);
});

test('clip markers are written in the clip source time and read back there', () => {
  const base = sampleTimeline(RATES['25'], { movieStartTimecode: '10:00:00:00' });
  const video = base.tracks[0]!;
  const first = video.items[0]!;
  assert.equal(first.kind, 'clip');
  const marked: Timeline = {
    ...base,
    tracks: [{ ...video, items: [{ ...first, markers: [{ name: 'flash', time: time(18010, RATES['25']), color: 'red' }] }, ...video.items.slice(1)] }, base.tracks[1]!],
  };
  const json = JSON.parse(writeOtio(marked));
  assert.equal(json.tracks.children[0].children[0].markers[0].marked_range.start_time.value, 900000 + 18010);
  assert.deepEqual(readOtio(JSON.stringify(json)).tracks[0]!.clips[0]!.markers.map((m) => [m.name, m.frame]), [['flash', 18010]]);
});

test('the reader agrees with the reference .otio files', () => {
  const simple = readOtio(fixture('otio/simple_cut.otio'));
  assert.deepEqual(simple.rate, rate(24));
  assert.deepEqual(simple.tracks.map((t) => t.clips.length), [4]);
  assert.deepEqual(simple.tracks[0]!.clips.slice(0, 3).map((c) => [c.name, c.recordIn, c.recordOut, c.sourceIn]), [
    ['Clip-001', 0, 3, 3],
    ['Clip-002', 3, 9, 2],
    ['Clip-003', 9, 13, 0],
  ]);
  const multi = readOtio(fixture('otio/multitrack.otio'));
  assert.deepEqual(multi.tracks.map((t) => t.clips.length), [3, 1, 1]);
  assert.ok(multi.schemas.has('Gap.1'));
  // Gaps move the clips after them: the second clip of the first track starts after an 83-frame gap.
  assert.deepEqual(multi.tracks[0]!.clips.map((c) => c.recordIn), [0, 803, 1957]);
});

test('the reader and the EDL reader agree on the matched pair screening_example.otio / screening_example.edl', () => {
  const otio = readOtio(fixture('otio/screening_example.otio'));
  const edl = readEdl(fixture('edl/screening_example.edl'), rate(24));
  const clips = otio.tracks[0]!.clips;
  assert.equal(clips.length, edl.events.length);
  const recordStart = edl.events[0]!.recordIn;
  clips.forEach((clip, index) => {
    const event = edl.events[index]!;
    assert.equal(clip.name, event.clipName);
    assert.deepEqual([clip.recordIn, clip.recordOut, clip.sourceIn], [event.recordIn - recordStart, event.recordOut - recordStart, event.sourceIn]);
    // OTIO keeps each LOC on its clip with the locator's timecode as the marked time (OTIO #169).
    assert.deepEqual(clip.markers.map((m) => m.frame), event.locators.map((l) => l.frame));
  });
  assert.equal(clips.flatMap((c) => c.markers).length, 3);
});

/** The timeline's auto-montage metadata and each video clip's media-reference metadata. */
function frameMetadata(text: string): { timeline: unknown; references: unknown[] } {
  const json = JSON.parse(text);
  return {
    timeline: json.metadata['auto-montage'],
    references: json.tracks.children[0].children.map((clip: { media_reference: { metadata: unknown } }) => clip.media_reference.metadata),
  };
}

test('a square progressive source adds no pixel aspect or field order metadata, as before', () => {
  const text = writeOtio(sampleTimeline(RATES['25']));
  assert.deepEqual(frameMetadata(text), { timeline: { dropFrame: false, width: 1920, height: 1080 }, references: [{}, {}, {}, {}] });
  const explicit = sampleTimeline(RATES['25'], { frame: { width: 1920, height: 1080, pixelAspectRatio: { num: 1, den: 1 }, fieldOrder: 'progressive' } });
  assert.equal(writeOtio(explicit), text);
});

test('a 720x576 64:45 upper-field-first source carries both under auto-montage on the timeline and on its media reference, and reads back clip by clip', () => {
  const timeline = sampleTimeline(RATES['25'], { frame: ANAMORPHIC_PAL_FRAME });
  const text = writeOtio(timeline);
  const shape = { pixelAspectRatio: '64:45', fieldOrder: 'upper-first' };
  assert.deepEqual(frameMetadata(text), { timeline: { dropFrame: false, width: 720, height: 576, ...shape }, references: Array(4).fill({ 'auto-montage': shape }) });
  // The music reference has no frame, so no shape.
  assert.deepEqual(JSON.parse(text).tracks.children[1].children[0].media_reference.metadata, {});
  assertSameClips(readOtio(text).tracks[0]!.clips, expectedTracks(timeline, 'video')[0]!);
});
