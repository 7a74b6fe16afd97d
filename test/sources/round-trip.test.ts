/**
 * Round trip of a montage from three files at two rates (25 fps twice and 30 fps, on a 25 fps timeline) through
 * the four exporters and their test readers: every clip comes back with its record range, its file, and its
 * source frames, and each format names each file once (xmeml `<file>`, FCPXML asset, EDL reel, OTIO reference).
 * Media at another rate than the sequence: xmeml and EDL count its source on the sequence timebase (within half
 * a sequence frame of the plan's source time); the exact source frame is read from FCPXML's rational times,
 * OTIO's media-rate start and the EDL's `* SOURCE FRAMES:` comment.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MontagePlan } from '../../companion/core/montage';
import type { Timeline } from '../../companion/core/timeline';
import { mediaReferences, buildMusicPlanInput, type MontageAnalysis, type MontageRequest } from '../../companion/pipeline/run-montage';
import { combineEmotions, dedupeSources, resolveSources, type FileAnalysis, type SourceRequest } from '../../companion/pipeline/sources';
import { planToTimeline, solveMontage } from '../../companion/planner/index';
import { writeEdl } from '../../exporters/edl/index';
import { writeXmeml } from '../../exporters/fcp7-xml/index';
import { writeFcpxml } from '../../exporters/fcpxml/index';
import { writeOtio } from '../../exporters/otio/index';
import { musicAnalysis } from '../emotion/make-analysis';
import { readEdl } from '../exporters/readers/edl-reader';
import { parseTime, readFcpxml } from '../exporters/readers/fcpxml-reader';
import { readOtio } from '../exporters/readers/otio-reader';
import type { ReadClip } from '../exporters/readers/read-timeline';
import { readXmeml } from '../exporters/readers/xmeml-reader';
import { fileAnalysis } from './make-sources';

const BARS = 12;
const A = '/footage/Interview take 1.mov';
const B = '/footage/Interview take 2.mov';
const C = '/footage/street-30fps.mp4';
// Scores rise along each file so that the planner uses all three; C (30 fps) has shots of odd lengths.
const files: FileAnalysis[] = [
  fileAnalysis(A, 25, Array(8).fill(50), BARS, { score: (i) => 0.5 + 0.02 * i }),
  fileAnalysis(B, 25, Array(8).fill(55), BARS, { score: (i) => 0.5 + 0.03 * i }),
  fileAnalysis(C, 30, [61, 47, 73, 59, 67, 61, 53, 79], BARS, { score: (i) => 0.55 + 0.02 * i }),
];
const requested: SourceRequest[] = [
  { path: A, range: { startSeconds: 1, endSeconds: 14 }, timelineSeconds: 0, id: 'a' },
  { path: C, range: { startSeconds: 0.5, endSeconds: 16.3 }, timelineSeconds: 13, id: 'c' },
  { path: B, range: { startSeconds: 2.02, endSeconds: 17 }, timelineSeconds: 29, id: 'b' },
];

function montage(): { plan: MontagePlan; timeline: Timeline } {
  const byPath = new Map(files.map((f) => [f.movie.media.path, f] as const));
  const sources = resolveSources(dedupeSources(requested).sources, [A, B, C], byPath).sources;
  const analysis: MontageAnalysis = { movie: files[0]!.movie, music: musicAnalysis(Array(BARS).fill({})), emotions: combineEmotions(files), files, sources };
  const request: MontageRequest = { moviePath: A, musicPath: '/music/song.wav', sources: requested, options: { granularity: 'bar', relax: 'none', maxScenes: 12 } };
  const { plan } = solveMontage(buildMusicPlanInput(analysis, request).input);
  return { plan, timeline: planToTimeline(plan, mediaReferences(analysis, plan)) };
}

interface Want {
  readonly recordIn: number;
  readonly recordOut: number;
  readonly path: string;
  readonly sourceIn: number;
  readonly sourceOut: number;
  /** The source's rate as a number (frames per second). */
  readonly fps: number;
}

const { plan, timeline } = montage();
const musicPaths = new Set(timeline.media.filter((m) => !m.hasVideo).map((m) => m.path));
const timelineFps = plan.movie.rate.num / plan.movie.rate.den;
const want: Want[] = plan.placements.map((p) => {
  const source = plan.sources![p.source!]!;
  return {
    recordIn: p.recordRange.start.value,
    recordOut: p.recordRange.start.value + p.recordRange.duration.value,
    path: source.path,
    sourceIn: p.sourceRange.start.value,
    sourceOut: p.sourceRange.start.value + p.sourceRange.duration.value,
    fps: source.rate.num / source.rate.den,
  };
});

/** Record ranges and files exactly; source frames exactly at the sequence rate, else within half a sequence frame in time. */
function assertClips(format: string, clips: readonly Pick<ReadClip, 'recordIn' | 'recordOut' | 'sourceIn'>[], paths: readonly (string | undefined)[], sources = true): void {
  assert.equal(clips.length, want.length, `${format}: clip count`);
  clips.forEach((clip, i) => {
    const w = want[i]!;
    assert.deepEqual([clip.recordIn, clip.recordOut], [w.recordIn, w.recordOut], `${format} clip ${i + 1}: record range`);
    assert.equal(paths[i], w.path, `${format} clip ${i + 1}: file`);
    if (!sources) return;
    if (w.fps === timelineFps) assert.equal(clip.sourceIn, w.sourceIn, `${format} clip ${i + 1}: source in`);
    else {
      // On the sequence timebase the source in can only approximate the source frame; it must never start before
      // it (the frame before may lie outside the editor's select), and stays within one sequence frame after it.
      const seconds = clip.sourceIn / timelineFps;
      const plan = w.sourceIn / w.fps;
      assert.ok(seconds >= plan - 1e-9 && seconds < plan + 1 / timelineFps, `${format} clip ${i + 1}: source at ${seconds} s, plan ${plan} s`);
    }
  });
}

test('the montage draws on all three files at both rates', () => {
  assert.deepEqual(plan.sources!.map((s) => s.id), ['a', 'c', 'b']);
  assert.deepEqual(new Set(plan.placements.map((p) => p.source)), new Set([0, 1, 2]), 'every source is used');
  assert.ok(want.some((w) => w.fps === 30) && want.some((w) => w.fps === 25));
});

test('xmeml: one <file> per source file, and every clipitem reads back as its placement', () => {
  const read = readXmeml(writeXmeml(timeline, { flavor: 'premiere' }));
  assert.deepEqual(read.redefinedFiles, []);
  const videoFiles = [...read.files.values()].filter((f) => !musicPaths.has(f.path!)).map((f) => f.path).sort();
  assert.deepEqual(videoFiles, [A, B, C].sort(), 'one file element per file, however many clips use it');
  const clips = read.tracks.find((t) => t.kind === 'video')!.clips;
  assertClips('xmeml', clips, clips.map((c) => c.media?.path));
});

test('FCPXML: one asset per source file, every clip on the sequence grid, source times exact', () => {
  const xml = writeFcpxml(timeline, { version: '1.11' });
  const read = readFcpxml(xml);
  // Offsets and durations sit on the 25 fps grid; a clip's start is in its asset's time, on the asset's own grid (checked below).
  assert.deepEqual(read.offGrid.filter((time) => !time.startsWith('asset-clip@start=')), [], 'every cut on the 25 fps grid');
  const assets = [...read.assets.values()].filter((a) => !musicPaths.has(a.path!));
  assert.deepEqual(assets.map((a) => a.path).sort(), [A, B, C].sort());
  const spine = read.tracks.find((t) => t.name === 'spine')!.clips;
  // The reader counts sources in whole sequence frames (truncating); the exact times are checked from the XML below.
  assertClips('fcpxml', spine, spine.map((c) => c.media?.path), false);
  // The asset-clip start is exact rational seconds: (start − asset start) × the source's rate is its source frame.
  const tags = [...xml.matchAll(/<asset-clip\b[^>]*>/g)].map((m) => m[0]).filter((tag) => !/\blane=/.test(tag));
  assert.equal(tags.length, want.length);
  tags.forEach((tag, i) => {
    const w = want[i]!;
    const start = parseTime(/\bstart="([^"]+)"/.exec(tag)![1]);
    const asset = read.assets.get(/\bref="([^"]+)"/.exec(tag)![1]!)!;
    const n = start.n * asset.start.d - asset.start.n * start.d;
    const d = start.d * asset.start.d;
    assert.equal(n * BigInt(w.fps), BigInt(w.sourceIn) * d, `clip ${i + 1}: source frame ${w.sourceIn} at ${w.fps} fps`);
  });
});

test('EDL: one reel per file, unique in 8 characters, a reel map in comments, and the exact source frames', () => {
  const [video] = writeEdl(timeline, 'montage');
  const text = video!.contents;
  const read = readEdl(text, plan.movie.rate);
  const map = new Map([...text.matchAll(/^\* REEL (\S+)\s+FILE (.+)$/gm)].map((m) => [m[1]!, m[2]!] as const));
  // Music included: the map names every file the list refers to.
  assert.deepEqual([...map.values()].filter((p) => !musicPaths.has(p)).sort(), [A, B, C].sort());
  assert.equal(new Set(map.keys()).size, map.size, 'reels are unique');
  for (const reel of map.keys()) assert.ok(reel.length <= 8 && /^[A-Z0-9_]+$/.test(reel), reel);
  // Two files whose names share their first 8 characters still get different reels.
  assert.notEqual([...map.entries()].find(([, p]) => p === A)![0], [...map.entries()].find(([, p]) => p === B)![0]);
  const start = timeline.startFrames;
  const events = read.events.map((e) => ({ recordIn: e.recordIn - start, recordOut: e.recordOut - start, sourceIn: e.sourceIn }));
  assertClips('edl', events, read.events.map((e) => map.get(e.reel)));
  read.events.forEach((event, i) => {
    const w = want[i]!;
    const exact = event.comments.map((c) => /^SOURCE FRAMES: (\d+)-(\d+) AT (\d+)\/(\d+) FPS$/.exec(c)).find((m) => m);
    if (w.fps === timelineFps) assert.equal(exact, undefined);
    else assert.deepEqual(exact!.slice(1).map(Number), [w.sourceIn, w.sourceOut, 30, 1], `event ${i + 1}: exact source frames`);
  });
});

test('OTIO: one reference per file, record ranges on the timeline rate, the source start a frame of its media', () => {
  const text = writeOtio(timeline);
  const read = readOtio(text);
  const clips = read.tracks.find((t) => t.kind === 'video')!.clips;
  // The reader rounds source starts onto the timeline rate; the exact start is checked on the raw JSON below.
  assertClips('otio', clips, clips.map((c) => c.media?.path), false);
  assert.deepEqual([...new Set(clips.map((c) => c.media?.url))].length, new Set(want.map((w) => w.path)).size, 'one target URL per file');
  // The raw start_time is the source frame at the media's own rate.
  const json = JSON.parse(text) as { tracks: { children: { kind: string; children: { OTIO_SCHEMA: string; source_range: { start_time: { value: number; rate: number } }; media_reference: { available_range: { start_time: { value: number } } } }[] }[] } };
  const raw = json.tracks.children.find((t) => t.kind === 'Video')!.children.filter((c) => c.OTIO_SCHEMA.startsWith('Clip'));
  raw.forEach((clip, i) => {
    const w = want[i]!;
    assert.equal(clip.source_range.start_time.rate, w.fps);
    assert.equal(clip.source_range.start_time.value - clip.media_reference.available_range.start_time.value, w.sourceIn, `clip ${i + 1}: exact source frame`);
  });
});

test('EDL reels of files that share a name stem are numbered from the stem, unique, each mapped to its file', () => {
  const names = ['A.mov', 'A.mp4', 'A.mkv', 'Interview 1.mov', 'Interview 2.mov', 'Interview 3.mov'];
  const video = timeline.media.find((m) => m.hasVideo)!;
  const media = names.map((name, i) => ({ ...video, id: `file-${i}`, name, path: `/footage/${i}/${name}` }));
  const track = timeline.tracks.find((t) => t.kind === 'video')!;
  const clip = track.items.find((item) => item.kind === 'clip')!;
  const many: Timeline = { ...timeline, media: [...media, ...timeline.media.filter((m) => !m.hasVideo)], tracks: [{ ...track, items: media.map((m) => ({ ...clip, mediaId: m.id })) }, ...timeline.tracks.filter((t) => t.kind !== 'video')] };
  const text = writeEdl(many, 'montage')[0]!.contents;
  const map = [...text.matchAll(/^\* REEL (\S+)\s+FILE (.+)$/gm)].map((m) => [m[1]!, m[2]!]);
  assert.deepEqual(map.slice(0, names.length), [['A', media[0]!.path], ['A2', media[1]!.path], ['A3', media[2]!.path], ['INTERVIE', media[3]!.path], ['INTERVI2', media[4]!.path], ['INTERVI3', media[5]!.path]]);
  assert.deepEqual(readEdl(text, plan.movie.rate).events.map((e) => e.reel), ['A', 'A2', 'A3', 'INTERVIE', 'INTERVI2', 'INTERVI3']);
});
