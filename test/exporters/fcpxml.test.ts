import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Element } from '@xmldom/xmldom';
import { DtdValidator, XmlDocument, XmlDtd } from 'libxml2-wasm';
import { MontageError } from '../../companion/core/errors';
import { RATES, rate, time } from '../../companion/core/rational';
import type { Timeline } from '../../companion/core/timeline';
import { FCPXML_VERSIONS, writeFcpxml, type FcpxmlVersion } from '../../exporters/fcpxml/index';
import { readFcpxml } from './readers/fcpxml-reader';
import { children, parseXml } from './readers/read-timeline';
import { ANAMORPHIC_PAL_FRAME, GOLDEN_CASES, sampleTimeline } from './sample-timelines';
import { assertGolden, assertSameClips, expectedMarkers, expectedTracks, fixture, fixtures } from './support';

/**
 * The part of Apple's FCPXML 1.9–1.11 DTDs that covers what we emit (the DTDs are not redistributable): each
 * element's content model as a regular expression over its child tags, its required and enumerated attributes,
 * and its IDREF attributes. From FCPXMLv1_10.dtd; identical for these elements in 1.9 and 1.11.
 */
const ANCHORED = '(?:asset-clip|clip|gap|title|audio|video|mc-clip|ref-clip|sync-clip|audition|spine|caption)';
const MARKERS = '(?:marker|chapter-marker|rating|keyword|analysis-marker)';
const CONTENT_MODEL: Record<string, { children: RegExp; required?: string[]; enums?: Record<string, string[]>; idrefs?: Record<string, 'asset' | 'format'>; attributes?: string[] }> = {
  fcpxml: { children: /^(import-options )?(resources )?(library |(event )*)$/, required: ['version'] },
  resources: { children: /^((asset|effect|format|media|locator) )*$/ },
  // Every attribute the DTD declares on <format> and <asset> (an undeclared one makes the document invalid).
  format: { children: /^$/, required: ['id'], attributes: ['id', 'name', 'frameDuration', 'fieldOrder', 'width', 'height', 'paspH', 'paspV', 'colorSpace', 'projection', 'stereoscopic'] },
  asset: {
    children: /^(media-rep )+(metadata )?$/,
    required: ['id'],
    idrefs: { format: 'format' },
    enums: { hasVideo: ['0', '1'], hasAudio: ['0', '1'] },
    attributes: ['id', 'name', 'uid', 'start', 'duration', 'hasVideo', 'format', 'hasAudio', 'videoSources', 'audioSources', 'audioChannels', 'audioRate', 'customLUTOverride', 'colorSpaceOverride', 'projectionOverride', 'stereoscopicOverride', 'auxVideoFlags'],
  },
  'media-rep': { children: /^(bookmark )?$/, required: ['kind', 'src'], enums: { kind: ['original-media', 'proxy-media'] } },
  library: { children: /^(event )*(smart-collection )*$/ },
  event: { children: /^((clip|audition|mc-clip|ref-clip|sync-clip|asset-clip|project|collection-folder|keyword-collection|smart-collection) )*$/ },
  project: { children: /^sequence $/ },
  sequence: {
    children: /^(note )?spine (metadata )?$/,
    required: ['format'],
    idrefs: { format: 'format' },
    enums: { tcFormat: ['DF', 'NDF'], audioLayout: ['mono', 'stereo', 'surround'], audioRate: ['32k', '44.1k', '48k', '88.2k', '96k', '176.4k', '192k'] },
  },
  spine: { children: new RegExp(`^((?:asset-clip|clip|gap|title|audition|mc-clip|ref-clip|sync-clip|transition|video|audio) )*$`) },
  'asset-clip': {
    children: new RegExp(`^(note )?(conform-rate )?(timeMap )?((?:adjust-[a-zA-Z0-9-]+) )*(${ANCHORED} )*(${MARKERS} )*(audio-channel-source )*((?:filter-video|filter-video-mask|filter-audio) )*(metadata )?$`),
    required: ['ref', 'duration'],
    idrefs: { ref: 'asset', format: 'format' },
    enums: { srcEnable: ['all', 'audio', 'video'], tcFormat: ['DF', 'NDF'], enabled: ['0', '1'] },
  },
  gap: { children: new RegExp(`^(note )?(${ANCHORED} )*(${MARKERS} )*(metadata )?$`), required: ['duration'] },
  marker: { children: /^$/, required: ['start', 'value'], enums: { completed: ['0', '1'] } },
};
const TIME_ATTRIBUTES = ['offset', 'start', 'duration', 'tcStart', 'frameDuration'];

/** Checks the document against {@link CONTENT_MODEL}; returns every problem. */
function contentModelProblems(xml: string): string[] {
  const problems: string[] = [];
  const root = parseXml(xml);
  const ids = new Map<string, string>();
  const all: Element[] = [root, ...Array.from(root.getElementsByTagName('*'))];
  for (const element of all) {
    const id = element.getAttribute('id');
    if (id === null) continue;
    if (!/^[A-Za-z_][\w.-]*$/.test(id)) problems.push(`id "${id}" is not an XML ID`);
    if (ids.has(id)) problems.push(`id "${id}" is used twice`);
    ids.set(id, element.tagName);
  }
  for (const element of all) {
    const model = CONTENT_MODEL[element.tagName];
    if (!model) {
      problems.push(`<${element.tagName}> is not in the checked subset`);
      continue;
    }
    const tags = children(element).map((c) => `${c.tagName} `).join('');
    if (!model.children.test(tags)) problems.push(`<${element.tagName}> children "${tags.trim()}" do not follow the content model`);
    for (const name of model.required ?? []) if (!element.hasAttribute(name)) problems.push(`<${element.tagName}> lacks required ${name}`);
    for (const attribute of Array.from(element.attributes)) {
      if (model.attributes && !model.attributes.includes(attribute.name)) problems.push(`<${element.tagName}> has undeclared attribute ${attribute.name}`);
    }
    for (const [name, values] of Object.entries(model.enums ?? {})) {
      const value = element.getAttribute(name);
      if (value !== null && !values.includes(value)) problems.push(`<${element.tagName}> ${name}="${value}" is not one of ${values.join('|')}`);
    }
    for (const [name, target] of Object.entries(model.idrefs ?? {})) {
      const value = element.getAttribute(name);
      if (value !== null && ids.get(value) !== target) problems.push(`<${element.tagName}> ${name}="${value}" does not refer to a <${target}>`);
    }
    for (const name of TIME_ATTRIBUTES) {
      const value = element.getAttribute(name);
      if (value !== null && !/^(0|-?[1-9]\d*(\/[1-9]\d*)?)s$/.test(value)) problems.push(`<${element.tagName}> ${name}="${value}" is not a rational time`);
    }
  }
  return problems;
}

for (const { label, rate: sequenceRate, options } of GOLDEN_CASES) {
  test(`the FCPXML at ${label} matches its golden file, follows the DTD content model and reads back clip by clip`, () => {
    const timeline = sampleTimeline(sequenceRate, options);
    const text = writeFcpxml(timeline, { version: '1.10' });
    assertGolden(`fcpxml/${label}.fcpxml`, text);
    assert.deepEqual(contentModelProblems(text), []);
    const read = readFcpxml(text);
    assert.equal(read.version, '1.10');
    assert.deepEqual(read.rate, sequenceRate);
    assert.equal(read.startFrames, timeline.startFrames);
    assert.equal(read.tcFormat, timeline.dropFrame ? 'DF' : 'NDF');
    // Every time on the sequence grid, and the first spine offset is tcStart (read as record frame 0).
    assert.deepEqual(read.offGrid, []);
    assert.deepEqual(read.spineElements, ['asset-clip', 'asset-clip', 'asset-clip', 'asset-clip']);
    const spine = read.tracks.find((t) => t.name === 'spine')!;
    const music = read.tracks.find((t) => t.name === 'lane -1')!;
    assertSameClips(spine.clips, expectedTracks(timeline, 'video')[0]!);
    assertSameClips(music.clips, expectedTracks(timeline, 'audio')[0]!);
    // One asset per file, each with media-rep; its start is the media's embedded timecode.
    assert.equal(read.assets.size, 2);
    const [movieAsset, musicAsset] = [...read.assets.values()];
    assert.ok(movieAsset!.hasMediaRep && musicAsset!.hasMediaRep);
    assert.equal(movieAsset!.startTimecodeFrames, timeline.media[0]!.startTimecodeFrames);
    assert.equal(movieAsset!.durationFrames, timeline.media[0]!.durationFrames);
    // Bar markers sit on the music clip, in its source time, and land on the timeline frames they had.
    assert.deepEqual(read.markers.map((m) => ({ name: m.name, frame: m.frame, comment: m.comment ?? '' })), expectedMarkers(timeline));
    assert.equal(music.clips[0]!.markers.length, timeline.markers.length);
    assert.equal(read.durationFrames, spine.clips.at(-1)!.recordOut);
  });
}

test('versions 1.9, 1.10 and 1.11 differ only in the version attribute, and others are refused', () => {
  const timeline = sampleTimeline(RATES['23.976']);
  const texts = FCPXML_VERSIONS.map((version) => writeFcpxml(timeline, { version }));
  for (const [index, version] of FCPXML_VERSIONS.entries()) {
    assert.match(texts[index]!, new RegExp(`<fcpxml version="${version.replace('.', '\\.')}">`));
    assert.equal(texts[index]!.replace(/<fcpxml version="[^"]+">/, ''), texts[0]!.replace(/<fcpxml version="[^"]+">/, ''));
    assert.deepEqual(contentModelProblems(texts[index]!), []);
  }
  assert.throws(() => writeFcpxml(timeline, { version: '1.8' as FcpxmlVersion }), (e: unknown) => e instanceof MontageError && e.code === 'AM_ERR_INVALID_ARGUMENT');
});

test('times are rationals on the format denominators FCP writes, and tcStart is 01:00:00:00', () => {
  const cases: [string, Timeline, string, string][] = [
    ['23.976', sampleTimeline(RATES['23.976']), '1001/24000s', '86486400/24000s'],
    ['24', sampleTimeline(RATES['24']), '100/2400s', '3600s'],
    ['25', sampleTimeline(RATES['25']), '100/2500s', '3600s'],
    ['29.97', sampleTimeline(RATES['29.97']), '1001/30000s', '108108000/30000s'],
    ['29.97 DF', sampleTimeline(RATES['29.97'], { dropFrame: true }), '1001/30000s', '107999892/30000s'],
    ['59.94', sampleTimeline(RATES['59.94']), '1001/60000s', '216216000/60000s'],
  ];
  for (const [label, timeline, frameDuration, tcStart] of cases) {
    const root = parseXml(writeFcpxml(timeline, { version: '1.10' }));
    assert.equal(root.getElementsByTagName('format')[0]!.getAttribute('frameDuration'), frameDuration, label);
    const sequence = root.getElementsByTagName('sequence')[0]!;
    assert.equal(sequence.getAttribute('tcStart'), tcStart, label);
    assert.equal(root.getElementsByTagName('spine')[0]!.getElementsByTagName('asset-clip')[0]!.getAttribute('offset'), tcStart, label);
  }
});

test('the music is a connected clip at lane -1 with its offset in the parent clip local time, and the movie audio is off', () => {
  const timeline = sampleTimeline(RATES['25'], { movieStartTimecode: '10:00:00:00' });
  const root = parseXml(writeFcpxml(timeline, { version: '1.11' }));
  const spineClips = children(root.getElementsByTagName('spine')[0]!, 'asset-clip');
  const parent = spineClips[0]!;
  const connected = children(parent, 'asset-clip')[0]!;
  assert.equal(connected.getAttribute('lane'), '-1');
  assert.equal(connected.getAttribute('audioRole'), 'music');
  // Parent local time at the music start = parent.start (10:12:00:00 as seconds).
  assert.equal(connected.getAttribute('offset'), parent.getAttribute('start'));
  assert.equal(parent.getAttribute('start'), `${36000 + 12 * 60}s`);
  assert.ok(spineClips.every((clip) => clip.getAttribute('srcEnable') === 'video'));
  assert.equal(root.getElementsByTagName('adjust-volume').length, 0);
  const urls = Array.from(root.getElementsByTagName('media-rep')).map((m) => m.getAttribute('src'));
  assert.deepEqual(urls, [
    'file:///Users/editor/Movies/Big%20%26%20Small/Big%20%26%20%3CSmall%3E%20%22Movie%22%20%C3%A9t%C3%A9.mov',
    'file:///C:/Music/My%20Songs/Track%2001%20%28final%29%20%E2%80%94%20%E2%80%9Cmix%E2%80%9D.wav',
  ]);
});

test('a gap on the video track becomes a spine gap, and markers no music clip covers sit on the spine item', () => {
  const base = sampleTimeline(RATES['24']);
  const video = base.tracks[0]!;
  const timeline: Timeline = {
    ...base,
    tracks: [{ ...video, items: [{ kind: 'gap', duration: time(24, RATES['24']) }, ...video.items] }],
    markers: [{ name: 'late', time: time(30, RATES['24']) }],
  };
  const text = writeFcpxml(timeline, { version: '1.10' });
  assert.deepEqual(contentModelProblems(text), []);
  const read = readFcpxml(text);
  assert.deepEqual(read.spineElements, ['gap', 'asset-clip', 'asset-clip', 'asset-clip', 'asset-clip']);
  assert.deepEqual(read.tracks.find((t) => t.name === 'spine')!.clips.map((c) => c.recordIn), [24, 120, 168, 312]);
  assert.deepEqual(read.markers.map((m) => [m.name, m.frame]), [['late', 30]]);
});

test('the reader agrees with real FCP exports (rates, DF, one-hour start, connected music with markers, 1.8 assets)', () => {
  const ntsc = readFcpxml(fixture('fcpxml/dawfilekit/23.98.fcpxml'));
  assert.deepEqual([ntsc.version, ntsc.rate], ['1.11', RATES['23.976']]);
  const dropFrame = readFcpxml(fixture('fcpxml/dawfilekit/29.97d.fcpxml'));
  assert.deepEqual([dropFrame.tcFormat, dropFrame.rate], ['DF', RATES['29.97']]);
  assert.equal(readFcpxml(fixture('fcpxml/dawfilekit/29.97.fcpxml')).tcFormat, 'NDF');
  const oneHour = readFcpxml(fixture('fcpxml/dawfilekit/BasicMarkers_1HourProjectStart.fcpxml'));
  assert.equal(oneHour.startFrames, 108000);
  assert.equal(oneHour.markers.length, 4);
  const mixed = readFcpxml(fixture('fcpxml/dawfilekit/24With25Media.fcpxml'));
  assert.deepEqual([mixed.rate, mixed.startFrames], [rate(24), 86400]);
  assert.deepEqual(mixed.spineElements, ['gap', 'asset-clip', 'gap', 'asset-clip']);

  const complex = readFcpxml(fixture('fcpxml/dawfilekit/Complex.fcpxml'));
  assert.deepEqual(complex.rate, rate(25));
  assert.equal(complex.durationFrames, 11199);
  const spine = complex.tracks.find((t) => t.name === 'spine')!;
  assert.deepEqual(spine.clips.map((c) => [c.name, c.recordIn, c.recordOut]), [
    ['Nature Makes You Happy', 0, 3551],
    ['Is This The Land of Fire or Ice', 3551, 8696],
    ['Clouds', 8696, 11199],
  ]);
  const soundtrack = complex.tracks.find((t) => t.name === 'lane -1')!;
  assert.deepEqual(soundtrack.clips.map((c) => [c.recordIn, c.markers.length]), [
    [0, 4],
    [5909, 4],
  ]);

  const v18 = readFcpxml(fixture('fcpxml/otio-fcpx-adapter/fcpx_project.fcpxml'));
  assert.equal(v18.version, '1.8');
  assert.ok([...v18.assets.values()].every((a) => !a.hasMediaRep && a.url?.startsWith('file://')));
});

test('the content-model check finds the errors a DTD would (order, required attributes, dangling IDREFs, bad times)', () => {
  const good = writeFcpxml(sampleTimeline(RATES['25']), { version: '1.10' });
  const broken = good
    .replace('<media-rep kind="original-media"', '<media-rep kind="copy"')
    .replace(/(<asset-clip ref=")r2"/, '$1r9"')
    .replace('offset="3600s"', 'offset="3600.5s"')
    .replace(/<marker start="([^"]+)" duration="([^"]+)" value="Bar 1"/, '<marker start="$1" duration="$2"')
    .replace('<format id="r1"', '<format id="r1" pixelAspect="64:45"');
  const problems = contentModelProblems(broken);
  assert.ok(problems.some((p) => /media-rep> kind="copy"/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /ref="r9" does not refer/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /offset="3600.5s" is not a rational time/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /<marker> lacks required value/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /<format> has undeclared attribute pixelAspect/.test(p)), problems.join('\n'));
  // A marker before the connected clip breaks the asset-clip content model.
  const markerFirst = parseXml(good);
  const parent = markerFirst.getElementsByTagName('spine')[0]!.getElementsByTagName('asset-clip')[0]!;
  parent.insertBefore(markerFirst.ownerDocument!.createElement('marker'), parent.firstChild);
  assert.ok(contentModelProblems(markerFirst.toString()).some((p) => /<asset-clip> children "marker asset-clip"/.test(p)));
});

/** Validates with Apple's DTD through libxml2 (wasm). */
function dtdProblems(dtdText: string, xml: string): string[] {
  const validator = new DtdValidator(XmlDtd.fromString(dtdText));
  const document = XmlDocument.fromString(xml);
  try {
    validator.validate(document);
    return [];
  } catch (error) {
    return ((error as { details?: { message: string }[] }).details ?? [{ message: String(error) }]).map((d) => d.message.trim());
  } finally {
    document.dispose();
    validator.dispose();
  }
}

test('the libxml2 DTD validator accepts a valid document and reports content-model errors', () => {
  const dtd = '<!ELEMENT fcpxml (resources?)><!ATTLIST fcpxml version CDATA #FIXED "1.10"><!ELEMENT resources EMPTY>';
  assert.deepEqual(dtdProblems(dtd, '<?xml version="1.0"?><!DOCTYPE fcpxml><fcpxml version="1.10"><resources/></fcpxml>'), []);
  assert.ok(dtdProblems(dtd, '<fcpxml version="1.9"><library/></fcpxml>').length > 0);
});

const dtdFolder = process.env.FCPXML_DTD_DIR;
test(
  "every version validates against Apple's DTD when FCPXML_DTD_DIR names a folder with FCPXMLv1_9/1_10/1_11.dtd",
  { skip: dtdFolder ? false : 'FCPXML_DTD_DIR is not set (Apple DTDs are not redistributable)' },
  () => {
    let validated = 0;
    for (const version of FCPXML_VERSIONS) {
      const file = join(dtdFolder!, `FCPXMLv${version.replace('.', '_')}.dtd`);
      if (!existsSync(file)) continue;
      const dtd = readFileSync(file, 'utf8');
      for (const { label, rate: sequenceRate, options } of GOLDEN_CASES) {
        assert.deepEqual(dtdProblems(dtd, writeFcpxml(sampleTimeline(sequenceRate, options), { version })), [], `${version} at ${label}`);
      }
      // The reference exports of that version validate too (a check on the validator itself).
      for (const name of readdirSync(join(fixtures, 'fcpxml/dawfilekit'))) {
        const text = fixture(`fcpxml/dawfilekit/${name}`);
        if (text.includes(`<fcpxml version="${version}">`)) assert.deepEqual(dtdProblems(dtd, text), [], name);
      }
      validated += 1;
    }
    assert.ok(validated > 0, `no FCPXMLv1_x.dtd in ${dtdFolder}`);
  },
);

test('clip markers are written in the asset time of their clip, snapped to a frame, and those outside the clip are left out', () => {
  const base = sampleTimeline(RATES['25'], { movieStartTimecode: '10:00:00:00' });
  const video = base.tracks[0]!;
  const first = video.items[0]!;
  assert.equal(first.kind, 'clip');
  const markers = [
    { name: 'flash', time: time(18010.4, RATES['25']) },
    { name: 'before the clip', time: time(5, RATES['25']) },
  ];
  const marked: Timeline = { ...base, tracks: [{ ...video, items: [{ ...first, markers }, ...video.items.slice(1)] }, base.tracks[1]!] };
  const text = writeFcpxml(marked, { version: '1.10' });
  const spineClip = children(children(parseXml(text).getElementsByTagName('spine')[0]!, 'asset-clip')[0]!, 'marker');
  // 10:00:00:00 (900000 frames) + source frame 18010 at 25 fps = 36720.4 s on the 2500 time scale.
  assert.deepEqual(spineClip.map((m: Element) => [m.getAttribute('value'), m.getAttribute('start')]), [['flash', '91801000/2500s']]);
  assert.deepEqual(readFcpxml(text).tracks[0]!.clips[0]!.markers.map((m) => [m.name, m.frame]), [['flash', 18010]]);
});

test('an audio-only asset carries no video format and its duration in samples, as Final Cut writes it', () => {
  const base = sampleTimeline(RATES['25']);
  const media = base.media.map((m) => (m.hasVideo ? m : { ...m, sampleRate: 44100, durationSamples: 1_323_017 }));
  const text = writeFcpxml({ ...base, media }, { version: '1.10' });
  const asset = /<asset [^>]*hasAudio="1" audioSources="1" audioChannels="2" audioRate="44100"[^>]*>/.exec(text)?.[0] ?? '';
  assert.match(asset, / duration="1323017\/44100s"/);
  assert.doesNotMatch(asset, / format=/);
  assert.doesNotMatch(text, /FFVideoFormatRateUndefined/);
  const musicClip = /<asset-clip [^>]*audioRole="music"[^>]*>/.exec(text)?.[0] ?? '';
  assert.doesNotMatch(musicClip, / format=/);
});

/** Every `<format>` of the document as its attributes, in document order. */
function formats(text: string): Record<string, string>[] {
  return Array.from(parseXml(text).getElementsByTagName('format')).map((format) => Object.fromEntries(Array.from(format.attributes).map((a) => [a.name, a.value])));
}

test('a square progressive source gets a named format with no fieldOrder or paspH/paspV, as before', () => {
  const text = writeFcpxml(sampleTimeline(RATES['25']), { version: '1.10' });
  assert.deepEqual(formats(text), [{ id: 'r1', name: 'FFVideoFormat1080p25', frameDuration: '100/2500s', width: '1920', height: '1080', colorSpace: '1-1-1 (Rec. 709)' }]);
  const explicit = sampleTimeline(RATES['25'], { frame: { width: 1920, height: 1080, pixelAspectRatio: { num: 1, den: 1 }, fieldOrder: 'progressive' } });
  assert.equal(writeFcpxml(explicit, { version: '1.10' }), text);
});

test('a 720x576 64:45 upper-field-first source gets fieldOrder, paspH/paspV and Rec. 601 on the format the sequence and its asset use, within the DTD', () => {
  for (const version of FCPXML_VERSIONS) {
    const text = writeFcpxml(sampleTimeline(RATES['25'], { frame: ANAMORPHIC_PAL_FRAME }), { version });
    // Attribute order as Final Cut's own 25i.fcpxml; no name (FCP's names are for square frames here).
    assert.deepEqual(formats(text), [{ id: 'r1', frameDuration: '100/2500s', fieldOrder: 'upper first', width: '720', height: '576', paspH: '64', paspV: '45', colorSpace: '5-1-6 (Rec. 601 (PAL))' }]);
    assert.match(text, /<format id="r1" frameDuration="100\/2500s" fieldOrder="upper first" width="720" height="576" paspH="64" paspV="45" colorSpace/);
    const root = parseXml(text);
    assert.equal(root.getElementsByTagName('sequence')[0]!.getAttribute('format'), 'r1');
    const [movie] = Array.from(root.getElementsByTagName('asset'));
    assert.equal(movie!.getAttribute('format'), 'r1');
    assert.deepEqual(contentModelProblems(text), [], version);
  }
});

test('the pixel aspect is written in lowest terms, lower-first is "lower first", and a square interlaced 1080 frame keeps its FCP name', () => {
  const ntsc = writeFcpxml(sampleTimeline(RATES['29.97'], { frame: { width: 720, height: 480, pixelAspectRatio: { num: 20, den: 22 }, fieldOrder: 'lower-first' } }), { version: '1.10' });
  assert.deepEqual(formats(ntsc)[0], { id: 'r1', frameDuration: '1001/30000s', fieldOrder: 'lower first', width: '720', height: '480', paspH: '10', paspV: '11', colorSpace: '6-1-6 (Rec. 601 (NTSC))' });
  const hd = writeFcpxml(sampleTimeline(RATES['25'], { frame: { width: 1920, height: 1080, fieldOrder: 'upper-first' } }), { version: '1.10' });
  assert.deepEqual(formats(hd)[0], { id: 'r1', name: 'FFVideoFormat1080i50', frameDuration: '100/2500s', fieldOrder: 'upper first', width: '1920', height: '1080', colorSpace: '1-1-1 (Rec. 709)' });
  for (const text of [ntsc, hd]) assert.deepEqual(contentModelProblems(text), []);
});

test('an anamorphic source on a square sequence gets a format of its own beside the sequence format', () => {
  const base = sampleTimeline(RATES['25']);
  const media = base.media.map((m) => (m.hasVideo ? { ...m, width: 720, height: 576, pixelAspectRatio: { num: 64, den: 45 }, fieldOrder: 'upper-first' as const } : m));
  const text = writeFcpxml({ ...base, media }, { version: '1.10' });
  assert.deepEqual(formats(text).map((f) => [f.id, f.width, f.paspH, f.fieldOrder]), [
    ['r1', '1920', undefined, undefined],
    ['r2', '720', '64', 'upper first'],
  ]);
  const root = parseXml(text);
  assert.equal(root.getElementsByTagName('sequence')[0]!.getAttribute('format'), 'r1');
  assert.equal(root.getElementsByTagName('asset')[0]!.getAttribute('format'), 'r2');
  assert.deepEqual(contentModelProblems(text), []);
});
