import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RATES, range, rate, time } from '../../companion/core/rational';
import type { Timeline } from '../../companion/core/timeline';
import { eventLine, toAscii, writeEdl, DEFAULT_EDL_OPTIONS } from '../../exporters/edl/index';
import { readEdl, type EdlRead } from './readers/edl-reader';
import { ANAMORPHIC_PAL_FRAME, GOLDEN_CASES, sampleTimeline } from './sample-timelines';
import { assertGolden, expectedMarkers, expectedTracks, fixture } from './support';
import { MontageError } from '../../companion/core/errors';
import { timecodeToFrames } from '../../companion/core/timecode';

/** The fixed columns OTIO and Resolve write: %03d, 2 sp, reel(8), sp, channel(5), sp, C, 8 sp, four timecodes. */
const FIXED_COLUMNS = /^\d{3} {2}[A-Z0-9_ ]{8} [A-Z0-9/ ]{5} C {8}(\d\d:\d\d:\d\d[:;]\d\d )(\d\d:\d\d:\d\d[:;]\d\d )(\d\d:\d\d:\d\d[:;]\d\d )\d\d:\d\d:\d\d[:;]\d\d$/;

/** `dropFrame`: the record timecodes' counting; `sourceDropFrame`: the first event's source's, which FCM names. */
function checkCmxRules(read: EdlRead, text: string, dropFrame: boolean, sourceDropFrame = dropFrame): void {
  const lines = text.split('\n');
  assert.match(lines[0]!, /^TITLE: \S/);
  assert.equal(lines[1], sourceDropFrame ? 'FCM: DROP FRAME' : 'FCM: NON-DROP FRAME');
  assert.equal(lines[2], '');
  assert.ok(/^[\x20-\x7e\n]*$/.test(text), 'ASCII only');
  for (const line of read.eventLines) assert.match(line, FIXED_COLUMNS);
  for (const event of read.events) {
    assert.equal(event.recordOut - event.recordIn, event.sourceOut - event.sourceIn, `event ${event.number}: record and source lengths`);
    assert.ok(event.reel.length <= 8);
    for (const timecode of event.timecodes.slice(2)) assert.equal(timecode.includes(';'), dropFrame);
  }
  assert.deepEqual(read.events.map((e) => e.number), read.events.map((_, index) => index + 1));
}

for (const { label, rate: sequenceRate, options } of GOLDEN_CASES) {
  test(`the video and music EDLs at ${label} match their golden files and read back clip by clip`, () => {
    const timeline = sampleTimeline(sequenceRate, options);
    const files = writeEdl(timeline, 'montage', { ...DEFAULT_EDL_OPTIONS, resolveMarkers: true });
    assert.deepEqual(files.map((f) => f.name), ['montage.edl', 'montage-music.edl', 'montage-markers.edl']);
    for (const file of files) assertGolden(`edl/${label}/${file.name}`, file.contents);
    const [videoFile, musicFile, markerFile] = files.map((f) => f.contents) as [string, string, string];
    const video = readEdl(videoFile, sequenceRate);
    const music = readEdl(musicFile, sequenceRate);
    checkCmxRules(video, videoFile, timeline.dropFrame);
    // The music (no timecode of its own) counts non-drop whatever the sequence does: FCM says so.
    checkCmxRules(music, musicFile, timeline.dropFrame, false);
    const [movie, song] = timeline.media as [(typeof timeline.media)[0], (typeof timeline.media)[0]];
    // Source timecode is absolute (the media's embedded start + the offset); record starts at 01:00:00:00.
    const back = (read: EdlRead, mediaStart: number) =>
      read.events.map((e) => ({ recordIn: e.recordIn - timeline.startFrames, recordOut: e.recordOut - timeline.startFrames, sourceIn: e.sourceIn - mediaStart, sourceOut: e.sourceOut - mediaStart }));
    const strip = (clips: ReturnType<typeof expectedTracks>[number]) => clips.map(({ recordIn, recordOut, sourceIn, sourceOut }) => ({ recordIn, recordOut, sourceIn, sourceOut }));
    assert.deepEqual(back(video, movie.startTimecodeFrames), strip(expectedTracks(timeline, 'video')[0]!));
    assert.deepEqual(back(music, song.startTimecodeFrames), strip(expectedTracks(timeline, 'audio')[0]!));
    assert.ok(video.events.every((e) => e.channel === 'V' && e.clipName === toAscii(movie.name) && e.reel === 'BIGSMALL'));
    // The reel is the file name's first eight letters, digits and underscores: the OGG montage's WAV copy has its own.
    const musicReel = song.name === 'Track_01_final_mix_.wav' ? 'TRACK_01' : 'TRACK01F';
    assert.ok(music.events.every((e) => e.channel === 'AA' && e.clipName === toAscii(song.name) && e.reel === musicReel));
    // Bar locators: record timecode, under the event that spans it.
    const locators = video.events.flatMap((e) => e.locators.map((l) => ({ l, e })));
    assert.deepEqual(
      locators.map(({ l }) => ({ name: l.text, frame: l.frame - timeline.startFrames })),
      expectedMarkers(timeline).map((m) => ({ name: m.name, frame: m.frame })),
    );
    for (const { l, e } of locators) assert.ok(l.frame >= e.recordIn && l.frame < e.recordOut);
    // Resolve's marker EDL: one one-frame event per marker.
    const markers = readEdl(markerFile, sequenceRate);
    assert.deepEqual(
      markers.events.map((e) => [e.recordIn - timeline.startFrames, e.recordOut - e.recordIn, e.resolveMarker?.name, e.resolveMarker?.color]),
      expectedMarkers(timeline).map((m) => [m.frame, 1, m.name, 'ResolveColorBlue']),
    );
    assert.equal(markers.events[0]!.resolveMarker?.note, 'downbeat & "start" <1>');
  });
}

test('DF timecodes use ";" and 01:00:00;00 at 29.97 DF is frame 107892', () => {
  const timeline = sampleTimeline(RATES['29.97'], { dropFrame: true });
  const [video] = writeEdl(timeline, 'm');
  const read = readEdl(video!.contents, RATES['29.97']);
  assert.equal(read.dropFrame, true);
  assert.equal(read.events[0]!.timecodes[2], '01:00:00;00');
  assert.equal(read.events[0]!.recordIn, 107892);
  // At 59.94 DF four frame numbers drop each minute: 01:00:00;00 is frame 215784.
  const fast = readEdl(writeEdl(sampleTimeline(RATES['59.94'], { dropFrame: true }), 'm')[0]!.contents, RATES['59.94']);
  assert.deepEqual([fast.events[0]!.timecodes[2], fast.events[0]!.recordIn], ['01:00:00;00', 215784]);
  assert.equal(fast.events[1]!.timecodes[2], '01:00:04;00');
});

test('the combined layout puts V and AA events in one list sorted by record in, video first', () => {
  const timeline = sampleTimeline(RATES['25']);
  const files = writeEdl(timeline, 'm', { layout: 'combined', reels: 'ax', resolveMarkers: false });
  assert.deepEqual(files.map((f) => f.name), ['m.edl']);
  const read = readEdl(files[0]!.contents, RATES['25']);
  checkCmxRules(read, files[0]!.contents, false);
  assert.deepEqual(read.events.map((e) => [e.channel, e.reel, e.recordIn - timeline.startFrames]), [
    ['V', 'AX', 0],
    ['AA', 'AX', 0],
    ['V', 'AX', 100],
    ['V', 'AX', 150],
    ['V', 'AX', 300],
  ]);
});

test('event lines follow the fixed columns exactly', () => {
  assert.equal(
    eventLine(1, 'MOVIE', 'V', ['00:12:00:00', '00:12:02:00', '01:00:00:00', '01:00:02:00']),
    '001  MOVIE    V     C        00:12:00:00 00:12:02:00 01:00:00:00 01:00:02:00',
  );
  assert.equal(toAscii('Été “quoted” — ok\n'), 'Ete "quoted" - ok');
  assert.equal(toAscii('日本'), '__');
});

test('more than 999 events are refused with AM_ERR_TIMELINE_INVALID, and media at another rate is counted on the sequence timebase with its source frames in a comment', () => {
  const base = sampleTimeline(RATES['25']);
  const movie = base.media[0]!;
  const many: Timeline = {
    ...base,
    tracks: [{ kind: 'video', name: 'V1', items: Array.from({ length: 1000 }, (_, i) => ({ kind: 'clip' as const, name: `s${i}`, mediaId: movie.id, sourceRange: range(i * 10, 10, RATES['25']) })) }],
    markers: [],
  };
  assert.throws(() => writeEdl(many, 'm'), (e: unknown) => e instanceof MontageError && e.code === 'AM_ERR_TIMELINE_INVALID' && /999/.test(e.message));
  const mixed: Timeline = {
    ...base,
    media: [{ ...movie, rate: RATES['24'] }, base.media[1]!],
    tracks: [{ kind: 'video', name: 'V1', items: [{ kind: 'clip', name: 's', mediaId: movie.id, sourceRange: range(24, 48, RATES['24']), recordDuration: time(50, RATES['25']) }] }],
    markers: [{ name: 'm', time: time(0, RATES['25']) }],
  };
  const text = writeEdl(mixed, 'm')[0]!.contents;
  const read = readEdl(text, RATES['25']);
  // Source 1 s (frame 24 at 24 fps) = frame 25 at 25 fps, for the record's 50 frames.
  assert.deepEqual(read.events.map((e) => [e.sourceIn, e.sourceOut - e.sourceIn, e.recordOut - e.recordIn]), [[Math.round(((movie.startTimecodeFrames + 24) * 25) / 24), 50, 50]]);
  assert.match(text, /\* SOURCE FRAMES: 24-72 AT 24\/1 FPS/);
});

test('the reader agrees with the reference EDLs (styles, 25 fps, CRLF audio, dissolves, gaps, mismatches)', () => {
  const fps25 = readEdl(fixture('edl/25fps.edl'), rate(25));
  assert.equal(fps25.title, 'SQ0002_A2');
  assert.equal(fps25.dropFrame, false);
  assert.deepEqual(fps25.events.map((e) => [e.recordIn, e.recordOut]), [
    [0, 161],
    [161, 361],
    [361, 447],
    [447, 496],
  ]);
  assert.equal(fps25.events[0]!.clipName, 'sq001_s001');

  const premiere = readEdl(fixture('edl/premiere_example.edl'), rate(24));
  assert.equal(premiere.dropFrame, undefined);
  assert.deepEqual(premiere.events.map((e) => [e.reel, e.clipName]), [
    ['AX', 'ZZ100_501.take_1.0001.exr'],
    ['AX', 'ZZ100_502A.take_2.0101.exr'],
  ]);

  const audio = readEdl(fixture('edl/multi_audio.edl'), rate(24));
  assert.equal(audio.title, 'MultiAudio');
  assert.deepEqual(audio.events.map((e) => [e.channel, e.extraAudio, e.timecodes[1]]), [['AA', '3', '00:56:55:22']]);

  const dissolve = readEdl(fixture('edl/dissolve_test.edl'), rate(24));
  assert.deepEqual(dissolve.events.map((e) => [e.number, e.transition, e.transitionFrames]), [
    [1, 'C', undefined],
    [2, 'C', undefined],
    [2, 'D', 10],
    [3, 'C', undefined],
  ]);

  const gaps = readEdl(fixture('edl/gap_test.edl'), rate(24));
  assert.deepEqual(gaps.events.map((e) => [e.clipName, e.recordIn]), [
    ['shot1', 0],
    ['shot2', 40],
    ['shot3', 102],
  ]);

  const mismatch = readEdl(fixture('edl/timecode_mismatch.edl'), rate(25));
  assert.equal(mismatch.events.length, 20);
  assert.ok(mismatch.events.some((e) => e.sourceOut - e.sourceIn !== e.recordOut - e.recordIn));

  const screening = readEdl(fixture('edl/screening_example.edl'), rate(24));
  assert.equal(screening.events.length, 9);
  assert.deepEqual(screening.events.flatMap((e) => e.locators.map((l) => [e.number, l.timecode, l.color, l.text])), [
    [4, '01:00:01:14', 'RED', 'ANIM FIX NEEDED'],
    [4, '01:00:02:14', 'PINK', 'ANIM FIX NEEDED'],
    [7, '01:00:15:13', 'GREEN', ''],
  ]);
});

test('FCM follows the sources: the header names the first event’s counting, and a change of counting gets its own FCM line right before the event', () => {
  const sequenceRate = RATES['29.97'];
  const base = sampleTimeline(sequenceRate, { dropFrame: false });
  const [movie] = base.media as [(typeof base.media)[0]];
  // A drop-frame camera file (as 29.97 DF footage is) in a non-drop sequence, and a non-drop copy of it after it.
  const dfMovie = { ...movie, id: 'df-movie', dropFrame: true };
  const ndfMovie = { ...movie, id: 'ndf-movie', name: 'other.mov', path: '/media/other.mov', dropFrame: false };
  const videoTrack = base.tracks.find((track) => track.kind === 'video')!;
  const clips = videoTrack.items.filter((item) => item.kind === 'clip');
  const items = videoTrack.items.map((item) => (item.kind === 'clip' ? { ...item, mediaId: item === clips[clips.length - 1] ? ndfMovie.id : dfMovie.id } : item));
  const timeline: Timeline = { ...base, media: [dfMovie, ndfMovie, ...base.media.slice(1)], tracks: base.tracks.map((track) => (track === videoTrack ? { ...track, items } : track)) };
  const [videoFile] = writeEdl(timeline, 'montage', DEFAULT_EDL_OPTIONS).map((file) => file.contents) as [string];
  const lines = videoFile.split('\n');
  assert.equal(lines[1], 'FCM: DROP FRAME', 'the first event’s source is drop-frame');
  const change = lines.indexOf('FCM: NON-DROP FRAME');
  assert.ok(change > 1, videoFile);
  assert.match(lines[change + 1] ?? '', /^\d{3} {2}/, 'the change comes right before its event');
  assert.equal(lines.filter((line) => line.startsWith('FCM:')).length, 2, 'one change, one line');
});

test('drop-frame locators are written so OTIO’s cmx_3600 reads them, on the frames of the DF record timecodes, also across a dropped minute', () => {
  // OTIO's locator pattern (cmx_3600.py): a ':' timecode only, counted non-drop.
  const OTIO_LOCATOR = /^\* LOC: (\d\d:\d\d:\d\d:\d\d)\s+(\w*)(\s+|$)(.*)$/;
  for (const [label, sequenceRate, start] of [['29.97 DF', RATES['29.97'], '01:00:55;00'], ['59.94 DF', RATES['59.94'], '01:00:55;00']] as const) {
    const base = sampleTimeline(sequenceRate, { dropFrame: true });
    // Starting at 01:00:55;00, the 16 s of bars cross 01:01:00, where DF skips 2 (4) frame numbers.
    const timeline: Timeline = { ...base, startFrames: timecodeToFrames(start, sequenceRate)! };
    const [video] = writeEdl(timeline, 'montage');
    const lines = video!.contents.split('\n').filter((line) => line.startsWith('* LOC:'));
    assert.equal(lines.length, timeline.markers.length, label);
    for (const line of lines) assert.match(line, OTIO_LOCATOR, `${label}: ${line}`);
    const read = readEdl(video!.contents, sequenceRate);
    const frames = read.events.flatMap((e) => e.locators.map((l) => l.frame - timeline.startFrames));
    assert.deepEqual(frames, expectedMarkers(timeline).map((m) => m.frame), label);
    // The record timecodes stay drop-frame; a locator names the same frame as the record in of its event.
    const first = read.events[0]!;
    assert.equal(first.timecodes[2], start);
    assert.equal(first.locators[0]!.frame, first.recordIn);
  }
});

test('an anamorphic interlaced source writes the same EDLs as a square progressive one (CMX 3600 has no frame shape)', () => {
  const options = { ...DEFAULT_EDL_OPTIONS, resolveMarkers: true };
  assert.deepEqual(writeEdl(sampleTimeline(RATES['25'], { frame: ANAMORPHIC_PAL_FRAME }), 'm', options), writeEdl(sampleTimeline(RATES['25']), 'm', options));
});
