/**
 * The OGG montage's golden case (sample-timelines.ts, '23.976-ogg-music'): its music reference is what the
 * pipeline's withEditingMusic really leaves for a generated Ogg Vorbis file of that name, and every format refers
 * to the WAV copy, never to the .ogg; FCPXML states the copy as an audio-only asset (no video format, a length in
 * samples), as Final Cut's own exports do (AudioOnly.fcpxml).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import { ffmpegPath } from '../../companion/media/binaries';
import { probeMedia } from '../../companion/media/probe';
import { run } from '../../companion/media/process';
import { withEditingMusic } from '../../companion/pipeline/nle-media';
import { writeEdl, DEFAULT_EDL_OPTIONS } from '../../exporters/edl/index';
import { writeXmeml } from '../../exporters/fcp7-xml/index';
import { writeFcpxml } from '../../exporters/fcpxml/index';
import { writeOtio } from '../../exporters/otio/index';
import { fileUrl, xmemlPathUrl } from '../../exporters/shared/file-url';
import { readFcpxml } from './readers/fcpxml-reader';
import { parseXml } from './readers/read-timeline';
import { GOLDEN_CASES, OGG_MUSIC_COPY, sampleTimeline } from './sample-timelines';

const oggCase = GOLDEN_CASES.find((c) => c.label === '23.976-ogg-music')!;
const dir = mkdtempSync(join(tmpdir(), 'am-ogg-music-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test("the OGG case's music is the WAV copy withEditingMusic makes of an Ogg Vorbis file with that name, at the source's rate", async () => {
  const source = join(dir, basename(OGG_MUSIC_COPY.sourcePath));
  await run(ffmpegPath(), ['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=1', '-ac', '2', '-c:a', 'libvorbis', source]);
  const out = join(dir, 'out');
  mkdirSync(join(out, 'staging'), { recursive: true });
  const info = await probeMedia(source);
  assert.equal(info.audio?.sampleRate, OGG_MUSIC_COPY.musicSampleRate);
  // The golden case's music, as mediaReferences would state the user's .ogg; withEditingMusic swaps in the copy.
  const music = sampleTimeline(oggCase.rate, oggCase.options).media[1]!;
  const swapped = await withEditingMusic({ music: { ...music, path: source, name: basename(source) } }, info, { stagedPath: (name) => join(out, 'staging', name), dir: out }, undefined);
  assert.deepEqual(swapped.music, { ...music, path: join(out, OGG_MUSIC_COPY.musicName) });
  const copy = await probeMedia(join(out, 'staging', OGG_MUSIC_COPY.musicName));
  assert.equal(copy.formatName, 'wav');
  assert.equal(copy.audio?.sampleRate, OGG_MUSIC_COPY.musicSampleRate);
});

test('every format of the OGG montage refers to the .wav copy and never to the .ogg', () => {
  const timeline = sampleTimeline(oggCase.rate, oggCase.options);
  const xmeml = writeXmeml(timeline, { flavor: 'premiere' });
  const fcpxml = writeFcpxml(timeline, { version: '1.10' });
  const otio = writeOtio(timeline);
  const edl = writeEdl(timeline, 'montage', DEFAULT_EDL_OPTIONS);
  for (const [format, text] of [['xmeml', xmeml], ['fcpxml', fcpxml], ['otio', otio], ...edl.map((f) => [f.name, f.contents])] as const) {
    assert.doesNotMatch(text, /\.ogg/i, format);
  }
  const pathUrls = Array.from(parseXml(xmeml).getElementsByTagName('pathurl')).map((p) => p.textContent);
  assert.ok(pathUrls.includes(xmemlPathUrl(OGG_MUSIC_COPY.musicPath)), pathUrls.join('\n'));
  const sources = Array.from(parseXml(fcpxml).getElementsByTagName('media-rep')).map((m) => m.getAttribute('src'));
  assert.equal(sources[1], fileUrl(OGG_MUSIC_COPY.musicPath));
  const audio = JSON.parse(otio).tracks.children[1].children[0];
  assert.equal(audio.media_reference.target_url, fileUrl(OGG_MUSIC_COPY.musicPath));
  assert.equal(audio.name, OGG_MUSIC_COPY.musicName);
  const musicEdl = edl.find((f) => f.name === 'montage-music.edl')!.contents;
  assert.match(musicEdl, new RegExp(`\\* FROM CLIP NAME: ${OGG_MUSIC_COPY.musicName.replace('.', '\\.')}\\n`));
});

test("the OGG montage's FCPXML music asset has no video format and its length in 44.1 kHz samples", () => {
  const timeline = sampleTimeline(oggCase.rate, oggCase.options);
  const text = writeFcpxml(timeline, { version: '1.10' });
  const root = parseXml(text);
  const asset = Array.from(root.getElementsByTagName('asset')).find((a) => a.getAttribute('name') === OGG_MUSIC_COPY.musicName)!;
  assert.equal(asset.getAttribute('format'), null);
  assert.equal(asset.getAttribute('hasVideo'), null);
  assert.equal(asset.getAttribute('duration'), `${OGG_MUSIC_COPY.musicDurationSamples}/44100s`);
  assert.equal(asset.getAttribute('audioRate'), '44100');
  // Only the movie's (and the sequence's) video format is declared; the music clip names none.
  assert.equal(root.getElementsByTagName('format').length, 1);
  const musicClip = Array.from(root.getElementsByTagName('asset-clip')).find((c) => c.getAttribute('audioRole') === 'music')!;
  assert.equal(musicClip.getAttribute('format'), null);
  assert.equal(root.getElementsByTagName('sequence')[0]!.getAttribute('audioRate'), '44.1k');
  // The reader still places the connected music clip on the sequence's frame grid.
  assert.deepEqual(readFcpxml(text).offGrid, []);
});
