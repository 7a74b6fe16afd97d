import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RATES, rate, time } from '../../companion/core/rational';
import type { Timeline } from '../../companion/core/timeline';
import { writeXmeml, xmemlPixelAspect } from '../../exporters/fcp7-xml/index';
import { readOtio } from './readers/otio-reader';
import { child, childText, children, parseXml } from './readers/read-timeline';
import { readXmeml } from './readers/xmeml-reader';
import { ANAMORPHIC_PAL_FRAME, GOLDEN_CASES, sampleTimeline } from './sample-timelines';
import { assertGolden, assertSameClips, expectedMarkers, expectedTracks, fixture } from './support';

for (const { label, rate: sequenceRate, options } of GOLDEN_CASES) {
  test(`the Premiere-flavour xmeml at ${label} matches its golden file and reads back clip by clip`, () => {
    const timeline = sampleTimeline(sequenceRate, options);
    const text = writeXmeml(timeline, { flavor: 'premiere' });
    assertGolden(`fcp7-xml/${label}.xml`, text);
    const read = readXmeml(text);
    assert.deepEqual(read.rate, sequenceRate);
    assert.equal(read.startFrames, timeline.startFrames);
    assert.equal(read.dropFrame, timeline.dropFrame);
    assert.equal(read.name, timeline.name);
    const [video] = expectedTracks(timeline, 'video');
    const [music] = expectedTracks(timeline, 'audio');
    const videoTracks = read.tracks.filter((t) => t.kind === 'video');
    const audioTracks = read.tracks.filter((t) => t.kind === 'audio');
    assert.equal(videoTracks.length, 1);
    assertSameClips(videoTracks[0]!.clips, video!);
    // Stereo music: the exploded pair A1/A2 carries the same cut.
    assert.equal(audioTracks.length, 2);
    for (const track of audioTracks) assertSameClips(track.clips, music!);
    assert.deepEqual(read.markers, expectedMarkers(timeline));
    assert.equal(read.durationFrames, video!.at(-1)!.recordOut);
    // The embedded timecode is on the file; <in>/<out> stay offsets from the first frame.
    assert.equal(read.files.get('file-1')?.startTimecodeFrames, timeline.media[0]!.startTimecodeFrames);
    assert.equal(read.files.get('file-1')?.durationFrames, timeline.media[0]!.durationFrames);
  });
}

test('the Resolve-flavour xmeml matches its golden file: one audio track, no exploded pair', () => {
  const timeline = sampleTimeline(RATES['23.976']);
  const text = writeXmeml(timeline, { flavor: 'resolve' });
  assertGolden('fcp7-xml/23.976-resolve.xml', text);
  const read = readXmeml(text);
  assert.equal(read.version, '5');
  const audio = read.tracks.filter((t) => t.kind === 'audio');
  assert.equal(audio.length, 1);
  assert.deepEqual(audio[0]!.attributes, {});
  assertSameClips(audio[0]!.clips, expectedTracks(timeline, 'audio')[0]!);
  const sequence = children(parseXml(text), 'sequence')[0]!;
  assert.equal(sequence.getAttribute('explodedTracks'), null);
  assert.deepEqual(
    Array.from(sequence.getElementsByTagName('sourcetrack')).map((s) => s.getElementsByTagName('trackindex')[0]?.textContent),
    ['1'],
  );
});

/** The structural rules Premiere and Resolve are picky about; returns the sequence element. */
function checkPickiness(text: string): ReturnType<typeof parseXml> {
  assert.match(text, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<!DOCTYPE xmeml>\n<xmeml version="[45]">/);
  assert.ok(!text.startsWith('\uFEFF'));
  const root = parseXml(text);
  const sequence = children(root, 'sequence')[0]!;
  // <video><format> must exist (Resolve 17 shows nothing without it).
  assert.equal(sequence.getElementsByTagName('video')[0]?.getElementsByTagName('format').length, 1);
  // Every <rate> has timebase and ntsc.
  for (const element of Array.from(root.getElementsByTagName('rate'))) {
    assert.equal(children(element, 'timebase').length, 1);
    assert.match(children(element, 'ntsc')[0]?.textContent ?? '', /^(TRUE|FALSE)$/);
  }
  // The first <file id> is the full definition, every later one is empty.
  const seen = new Set<string>();
  for (const file of Array.from(root.getElementsByTagName('file'))) {
    const id = file.getAttribute('id')!;
    assert.equal(children(file).length > 0, !seen.has(id), `file ${id}`);
    seen.add(id);
  }
  assert.deepEqual([...seen], ['file-1', 'file-2']);
  // ids are unique; end > start; out − in = end − start; cuts are contiguous.
  const clipitems = Array.from(root.getElementsByTagName('clipitem'));
  const ids = clipitems.map((c) => c.getAttribute('id'));
  assert.equal(new Set(ids).size, ids.length);
  const read = readXmeml(text);
  for (const track of read.tracks) {
    let previousEnd = 0;
    for (const clip of track.clips) {
      assert.ok(clip.recordOut > clip.recordIn);
      assert.equal(clip.sourceOut - clip.sourceIn, clip.recordOut - clip.recordIn);
      assert.equal(clip.recordIn, previousEnd);
      previousEnd = clip.recordOut;
    }
  }
  return sequence;
}

test('the output passes the Premiere and Resolve pickiness checklist', () => {
  const timeline = sampleTimeline(RATES['29.97'], { dropFrame: true });
  const text = writeXmeml(timeline, { flavor: 'premiere' });
  assert.ok(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xmeml>\n<xmeml version="4">'));
  const sequence = checkPickiness(text);
  // Sequence timecode 01:00:00;00 DF = frame 107892.
  const timecode = children(sequence, 'timecode')[0]!;
  assert.equal(children(timecode, 'string')[0]?.textContent, '01:00:00;00');
  assert.equal(children(timecode, 'frame')[0]?.textContent, '107892');
  assert.equal(children(timecode, 'displayformat')[0]?.textContent, 'DF');
  // Point markers: out = -1.
  assert.ok(children(sequence, 'marker').every((m) => children(m, 'out')[0]?.textContent === '-1'));
});

test('pathurls are file://localhost/ plus the percent-encoded path, with the Windows drive written as Premiere does', () => {
  const timeline = sampleTimeline(RATES['25'], { moviePath: 'D:\\media\\my shots\\take #1 (été).mov', musicPath: '/Users/me/Music/a&b <c>.wav' });
  const read = readXmeml(writeXmeml(timeline, { flavor: 'premiere' }));
  assert.equal(read.files.get('file-1')?.url, 'file://localhost/D%3a/media/my%20shots/take%20%231%20%28%C3%A9t%C3%A9%29.mov');
  assert.equal(read.files.get('file-2')?.url, 'file://localhost/Users/me/Music/a%26b%20%3Cc%3E.wav');
  for (const file of read.files.values()) assert.ok(!file.url?.includes('\\'));
});

test('the exploded stereo pair has the attributes, source tracks and links Premiere writes, and mono music is one Mono track', () => {
  const timeline = sampleTimeline(RATES['24']);
  const sequence = children(parseXml(writeXmeml(timeline, { flavor: 'premiere' })), 'sequence')[0]!;
  assert.equal(sequence.getAttribute('explodedTracks'), 'true');
  const audio = children(children(sequence, 'media')[0]!, 'audio')[0]!;
  const tracks = children(audio, 'track');
  assert.deepEqual(
    tracks.map((t) => [t.getAttribute('currentExplodedTrackIndex'), t.getAttribute('totalExplodedTrackCount'), t.getAttribute('premiereTrackType'), children(t, 'outputchannelindex')[0]?.textContent]),
    [
      ['0', '2', 'Stereo', '1'],
      ['1', '2', 'Stereo', '2'],
    ],
  );
  const [left, right] = tracks.map((t) => children(t, 'clipitem')[0]!);
  const sourceTrack = (clip: typeof left) => clip!.getElementsByTagName('sourcetrack')[0]!.getElementsByTagName('trackindex')[0]!.textContent;
  assert.deepEqual([sourceTrack(left), sourceTrack(right)], ['1', '2']);
  assert.equal(left!.getAttribute('premiereChannelType'), 'stereo');
  const links = (clip: typeof left) => children(clip!, 'link').map((l) => children(l, 'linkclipref')[0]!.textContent + '@' + children(l, 'trackindex')[0]!.textContent);
  assert.deepEqual(links(left), [`${left!.getAttribute('id')}@1`, `${right!.getAttribute('id')}@2`]);
  assert.deepEqual(links(right), links(left));
  // The movie's own audio is not used: no audio clipitem refers to file-1.
  assert.ok(Array.from(audio.getElementsByTagName('file')).every((f) => f.getAttribute('id') === 'file-2'));

  const mono = { ...timeline, media: timeline.media.map((m) => (m.id === 'media-2' ? { ...m, audioChannels: 1 } : m)) };
  const monoSequence = children(parseXml(writeXmeml(mono, { flavor: 'premiere' })), 'sequence')[0]!;
  const monoTracks = children(children(children(monoSequence, 'media')[0]!, 'audio')[0]!, 'track');
  assert.deepEqual(monoTracks.map((t) => t.getAttribute('premiereTrackType')), ['Mono']);
});

test('the reader agrees with the real Premiere export and with OTIO reading of the same file', () => {
  const read = readXmeml(fixture('xmeml/premiere_example.xml'));
  assert.equal(read.version, '4');
  assert.equal(read.name, 'sc01_sh010_layerA');
  assert.deepEqual(read.rate, rate(30));
  assert.equal(read.durationFrames, 636);
  assert.deepEqual(read.markers.map((m) => [m.name, m.frame, m.comment]), [
    ['My MArker 1', 113, 'so, this happened'],
    ['dsf', 492, 'fsfsfs'],
    ['', 298, ''],
  ]);
  assert.equal(read.files.get('file-1')?.url, 'file://localhost/D%3a/media/sc01_sh010_anim.mov');
  assert.equal(read.files.get('file-1')?.path, 'D:/media/sc01_sh010_anim.mov');
  assert.deepEqual(read.redefinedFiles, []);
  // OTIO's reading of this very file (otio/premiere_example.otio): same video clips at the same places.
  const otio = readOtio(fixture('otio/premiere_example.otio'));
  const otioVideo = otio.tracks.filter((t) => t.kind === 'video');
  const xmlVideo = read.tracks.filter((t) => t.kind === 'video');
  assert.equal(xmlVideo.length, otioVideo.length);
  // Clips beside a transition (start/end -1) and nested sequences are placed by OTIO's own rules; every plain cut must agree.
  let compared = 0;
  xmlVideo.forEach((track, index) => {
    const theirs = otioVideo[index]!.clips.map((c) => [c.name, c.recordIn, c.recordOut].join(' '));
    for (const clip of track.clips.filter((c) => c.recordIn >= 0 && c.recordOut >= 0 && c.media)) {
      assert.ok(theirs.includes([clip.name, clip.recordIn, clip.recordOut].join(' ')), `video track ${index + 1}: ${clip.name} ${clip.recordIn}-${clip.recordOut}`);
      compared += 1;
    }
  });
  assert.equal(compared, 4);
  assert.deepEqual(otio.markers.map((m) => [m.name, m.frame]), read.markers.map((m) => [m.name, m.frame]));
});

test('the reader agrees with the Hiero export (v5, 01:00:00:00 sequence, file timecode not zero) and the 23.976 Premiere export', () => {
  const hiero = readXmeml(fixture('xmeml/hiero_xml_export.xml'));
  assert.equal(hiero.version, '5');
  assert.deepEqual(hiero.rate, rate(24));
  assert.equal(hiero.startFrames, 86400);
  assert.equal(hiero.durationFrames, 1324);
  const clips = hiero.tracks.flatMap((t) => t.clips);
  assert.equal(clips.length, 2);
  assert.equal(clips[0]!.sourceIn, 0);
  assert.ok((clips[0]!.media?.startTimecodeFrames ?? 0) > 0);

  const ntsc = readXmeml(fixture('xmeml/empty_name_tags.xml'));
  assert.deepEqual(ntsc.rate, RATES['23.976']);
  for (const track of ntsc.tracks) for (const clip of track.clips) assert.ok(clip.recordOut >= clip.recordIn || clip.recordIn === -1);
});

test('a gap on the video track writes no element and the next clip starts after it', () => {
  const base = sampleTimeline(RATES['25']);
  const video = base.tracks[0]!;
  const timeline = { ...base, tracks: [{ ...video, items: [video.items[0]!, { kind: 'gap' as const, duration: { value: 20, rate: RATES['25'] } }, ...video.items.slice(1)] }, base.tracks[1]!] };
  const read = readXmeml(writeXmeml(timeline, { flavor: 'resolve' }));
  assert.deepEqual(read.tracks[0]!.clips.map((c) => [c.recordIn, c.recordOut]), [
    [0, 100],
    [120, 170],
    [170, 320],
    [320, 420],
  ]);
  assert.equal(read.durationFrames, 420);
});

test('clip markers are written on their clipitem in source frames on the sequence grid, snapped to a frame', () => {
  const base = sampleTimeline(RATES['25']);
  const video = base.tracks[0]!;
  const first = video.items[0]!;
  assert.equal(first.kind, 'clip');
  const marked: Timeline = {
    ...base,
    tracks: [{ ...video, items: [{ ...first, markers: [{ name: 'flash', comment: 'white', time: time(18010.4, RATES['25']) }] }, ...video.items.slice(1)] }, base.tracks[1]!],
  };
  const read = readXmeml(writeXmeml(marked, { flavor: 'premiere' }));
  const clips = read.tracks.filter((t) => t.kind === 'video').flatMap((t) => t.clips);
  assert.deepEqual(clips[0]!.markers, [{ name: 'flash', frame: 18010, comment: 'white' }]);
  assert.deepEqual(clips.slice(1).flatMap((c) => c.markers), []);
});

/** The `<samplecharacteristics>` of the sequence's `<video><format>` and of the movie's `<file>`, as plain values. */
function videoCharacteristics(text: string): { sequence: Record<string, string | undefined>; file: Record<string, string | undefined> } {
  const root = parseXml(text);
  const values = (characteristics: ReturnType<typeof child>) =>
    Object.fromEntries(['width', 'height', 'anamorphic', 'pixelaspectratio', 'fielddominance'].map((tag) => [tag, childText(characteristics, tag)]));
  const sequence = children(root, 'sequence')[0]!;
  const format = child(child(child(child(sequence, 'media'), 'video'), 'format'), 'samplecharacteristics');
  const file = Array.from(root.getElementsByTagName('file')).find((f) => f.getAttribute('id') === 'file-1' && children(f).length > 0)!;
  return { sequence: values(format), file: values(child(child(child(file, 'media'), 'video'), 'samplecharacteristics')) };
}

test('a square progressive source is written square with no field dominance, on the sequence and on its file, as before', () => {
  const square = { width: '1920', height: '1080', anamorphic: 'FALSE', pixelaspectratio: 'square', fielddominance: 'none' };
  assert.deepEqual(videoCharacteristics(writeXmeml(sampleTimeline(RATES['25']), { flavor: 'premiere' })), { sequence: square, file: square });
  // An explicit 1:1 and 'progressive' write the same as leaving them out.
  const explicit = sampleTimeline(RATES['25'], { frame: { width: 1920, height: 1080, pixelAspectRatio: { num: 1, den: 1 }, fieldOrder: 'progressive' } });
  assert.equal(writeXmeml(explicit, { flavor: 'premiere' }), writeXmeml(sampleTimeline(RATES['25']), { flavor: 'premiere' }));
});

test('a 720x576 64:45 upper-field-first source is PAL-601 anamorphic with upper field dominance and still passes the checklist', () => {
  for (const flavor of ['premiere', 'resolve'] as const) {
    const text = writeXmeml(sampleTimeline(RATES['25'], { frame: ANAMORPHIC_PAL_FRAME }), { flavor });
    const pal = { width: '720', height: '576', anamorphic: 'TRUE', pixelaspectratio: 'PAL-601', fielddominance: 'upper' };
    assert.deepEqual(videoCharacteristics(text), { sequence: pal, file: pal }, flavor);
    checkPickiness(text);
  }
});

test('pixel shapes map to the names xmeml knows, within 3 % of the ITU ratios, and any other shape is written square', () => {
  const name = (width: number, height: number, num: number, den: number) => xmemlPixelAspect({ width, height, pixelAspectRatio: { num, den }, fieldOrder: 'progressive' });
  assert.deepEqual(name(720, 576, 16, 15), { name: 'PAL-601', anamorphic: false });
  assert.deepEqual(name(720, 576, 59, 54), { name: 'PAL-601', anamorphic: false });
  assert.deepEqual(name(720, 576, 118, 81), { name: 'PAL-601', anamorphic: true });
  assert.deepEqual(name(720, 480, 8, 9), { name: 'NTSC-601', anamorphic: false });
  assert.deepEqual(name(720, 486, 10, 11), { name: 'NTSC-601', anamorphic: false });
  assert.deepEqual(name(720, 480, 32, 27), { name: 'NTSC-601', anamorphic: true });
  assert.deepEqual(name(1440, 1080, 4, 3), { name: 'HD-(1440x1080)', anamorphic: false });
  assert.deepEqual(name(1280, 1080, 3, 2), { name: 'HD-(1280x1080)', anamorphic: false });
  assert.deepEqual(name(960, 720, 4, 3), { name: 'HD-(960x720)', anamorphic: false });
  // No xmeml name: a 2:1 squeeze, or 64:45 at a height no PAL frame has (lossy, as the header says).
  assert.deepEqual(name(960, 1080, 2, 1), { name: 'square', anamorphic: false });
  assert.deepEqual(name(720, 480, 64, 45), { name: 'square', anamorphic: false });
  const lower = writeXmeml(sampleTimeline(RATES['29.97'], { frame: { width: 720, height: 480, pixelAspectRatio: { num: 8, den: 9 }, fieldOrder: 'lower-first' } }), { flavor: 'premiere' });
  assert.deepEqual(videoCharacteristics(lower).sequence, { width: '720', height: '480', anamorphic: 'FALSE', pixelaspectratio: 'NTSC-601', fielddominance: 'lower' });
});
