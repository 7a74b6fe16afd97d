/**
 * Many sources, without decoding: shots per media range, scenes that never straddle two ranges, the planner across
 * sources at two frame rates (cuts on the timeline grid, frames kept inside the editor's selects), pins by source,
 * and the notices and typed errors for bad sources.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancellationToken, Progress } from '../../companion/core/lifecycle';
import { MontageError } from '../../companion/core/errors';
import { toSeconds } from '../../companion/core/rational';
import { buildMusicPlanInput, mediaReferences, type MontageAnalysis, type MontageRequest } from '../../companion/pipeline/run-montage';
import { analyseFiles, combineEmotions, dedupeSources, resolveSources, type FileAnalysis, type SourceRequest } from '../../companion/pipeline/sources';
import { planToTimeline, solveMontage } from '../../companion/planner/index';
import { layoutTimeline } from '../../exporters/shared/timeline-layout';
import { musicAnalysis } from '../emotion/make-analysis';
import { fileAnalysis } from './make-sources';

const BARS = 8;
const A = '/footage/a.mp4';
const B = '/footage/b.mov';
// A: 25 fps, 8 shots of 2 s; B: 30 fps, 8 shots of 2 s. Scenes of two shots each.
const files = [fileAnalysis(A, 25, Array(8).fill(50), BARS), fileAnalysis(B, 30, Array(8).fill(60), BARS, { score: (i) => 0.6 - 0.01 * i })];
const requested: SourceRequest[] = [
  { path: B, range: { startSeconds: 1, endSeconds: 15 }, timelineSeconds: 8, id: 'b-1' },
  { path: A, range: { startSeconds: 2, endSeconds: 10 }, timelineSeconds: 0, id: 'a-1' },
  { path: A, range: { startSeconds: 11, endSeconds: 16 }, timelineSeconds: 22, id: 'a-2' },
];

function analysisOf(sources: readonly SourceRequest[]): MontageAnalysis {
  const byPath = new Map<string, FileAnalysis>([[A, files[0]!], [B, files[1]!]]);
  const resolved = resolveSources(dedupeSources(sources).sources, [A, B], byPath).sources;
  return { movie: files[0]!.movie, music: musicAnalysis(Array(BARS).fill({})), emotions: combineEmotions(files), files, sources: resolved };
}

const request = (options: MontageRequest['options'] = {}): MontageRequest => ({ moviePath: A, musicPath: '/music/song.ogg', sources: requested, options: { granularity: 'bar', relax: 'none', ...options } });

test('sources are ordered by their place on the sequence and clipped to whole frames of their selects', () => {
  const { sources } = analysisOf(requested);
  assert.deepEqual(sources!.map((s) => s.id), ['a-1', 'b-1', 'a-2']);
  assert.deepEqual(sources!.map((s) => [s.inFrame, s.outFrame]), [[50, 250], [30, 450], [275, 400]]);
});

test('shots are found per range in story order, and no scene straddles two ranges', () => {
  const { input, originalShots } = buildMusicPlanInput(analysisOf(requested), request());
  assert.deepEqual([...new Set(input.shots.map((s) => s.source))], [0, 1, 2]);
  for (const scene of input.scenes) {
    const members = input.shots.slice(scene.firstShot, scene.firstShot + scene.shotCount);
    assert.equal(new Set(members.map((s) => s.source)).size, 1, `scene ${scene.index} lies in one source`);
  }
  // Range a-1 is A's frames 50..250: shots 1..4 of A, whole; b-1 starts mid-shot (frame 30 of 60).
  assert.deepEqual(input.shots.filter((s) => s.source === 0).map((s) => [s.range.start.value, s.range.duration.value]), [[50, 50], [100, 50], [150, 50], [200, 50]]);
  assert.deepEqual(input.shots.filter((s) => s.source === 1)[0]!.range, { start: { value: 30, rate: { num: 30, den: 1 } }, duration: { value: 30, rate: { num: 30, den: 1 } } });
  // The combined numbering puts B's shots after A's eight.
  assert.equal(originalShots[input.shots.findIndex((s) => s.source === 1)], 8);
});

test('a plan across a 25 fps and a 30 fps file cuts on the timeline grid and plays only frames inside the selects', () => {
  const analysis = analysisOf(requested);
  const { input } = buildMusicPlanInput(analysis, request({ maxScenes: 4, trim: true }));
  const { plan } = solveMontage(input);
  assert.deepEqual(plan.movie.rate, { num: 25, den: 1 });
  assert.ok(new Set(plan.placements.map((p) => p.source)).size >= 2, 'both files are used');
  assert.ok(new Set(plan.placements.map((p) => p.sceneIndex)).size <= 4, 'the scene limit counts across sources');
  let record = 0;
  for (const p of plan.placements) {
    const source = plan.sources![p.source!]!;
    assert.deepEqual(p.sourceRange.start.rate, source.rate);
    assert.ok(p.sourceRange.start.value >= source.inFrame && p.sourceRange.start.value + p.sourceRange.duration.value <= source.outFrame, `${source.id} ${JSON.stringify(p.sourceRange)} inside ${source.inFrame}..${source.outFrame}`);
    const shot = plan.shots[p.shotIndex]!;
    assert.equal(shot.source, p.source);
    assert.ok(p.sourceRange.start.value >= shot.range.start.value && p.sourceRange.start.value + p.sourceRange.duration.value <= shot.range.start.value + shot.range.duration.value, 'inside its shot');
    // Record frames are whole timeline frames, back to back; the source keeps its own frames at real speed.
    assert.deepEqual(p.recordRange.start, { value: record, rate: plan.movie.rate });
    record += p.recordRange.duration.value;
    assert.equal(p.sourceRange.duration.value, Math.round((p.recordRange.duration.value * source.rate.num) / source.rate.den / 25));
  }
  const timeline = planToTimeline(plan, mediaReferences(analysis, plan));
  const layout = layoutTimeline(timeline);
  // One media reference per file, in first-use order, however many ranges use it.
  assert.deepEqual(layout.usedMedia.filter((m) => m.hasVideo).map((m) => m.path), [...new Set(plan.placements.map((p) => plan.sources![p.source!]!.path))]);
  layout.video[0]!.clips.forEach((clip, i) => {
    const p = plan.placements[i]!;
    assert.equal(clip.recordIn, p.recordRange.start.value);
    assert.equal(clip.recordOut, p.recordRange.start.value + p.recordRange.duration.value);
    assert.equal(clip.sourceIn, p.sourceRange.start.value);
    assert.equal(clip.media.path, plan.sources![p.source!]!.path);
    assert.ok(Math.abs(toSeconds(p.sourceRange.duration) - toSeconds(p.recordRange.duration)) <= 0.5 / 30 + 1e-9, 'real speed within half a source frame');
  });
});

test('pins and bans name a shot by its source and its index there', () => {
  const analysis = analysisOf(requested);
  const { input } = buildMusicPlanInput(analysis, request({ pins: [{ source: 'a-2', shot: 1 }], bans: [{ source: 'a-1', shot: 0 }] }));
  const a2 = input.shots.filter((s) => s.source === 2);
  assert.deepEqual(input.options.pins, [a2[1]!.index]);
  assert.deepEqual(input.options.bans, [input.shots.find((s) => s.source === 0)!.index]);
  const { plan } = solveMontage(input);
  assert.ok(plan.placements.some((p) => p.shotIndex === a2[1]!.index));
  assert.ok(!plan.placements.some((p) => p.shotIndex === input.options.bans[0]));
  for (const bad of [{ source: 'c-9', shot: 0 }, { source: 'a-2', shot: 40 }]) {
    assert.throws(() => buildMusicPlanInput(analysis, request({ pins: [bad] })), (e: unknown) => e instanceof MontageError && e.code === 'AM_ERR_PLAN_CONSTRAINTS' && e.message.includes(bad.source));
  }
});

test('the same range given twice is used once, with a notice', () => {
  const { sources, notices } = dedupeSources([{ path: A }, { path: B }, { path: A }]);
  assert.deepEqual(sources.map((s) => s.id), ['source-1', 'source-2']);
  assert.equal(notices.length, 1);
  assert.equal(notices[0]!.code, 'AM_ERR_SOURCE_DUPLICATE');
});

test('a file that cannot be read among several is a notice; none readable is one error naming every file', async () => {
  const fail = (code: 'AM_ERR_FILE_NOT_FOUND' | 'AM_ERR_NO_VIDEO_STREAM') => new MontageError(code, code === 'AM_ERR_NO_VIDEO_STREAM' ? 'no video' : 'missing');
  const calls: string[] = [];
  const analyse = async (path: string) => {
    calls.push(path);
    if (path === '/gone.mp4') throw fail('AM_ERR_FILE_NOT_FOUND');
    if (path === '/song.wav') throw fail('AM_ERR_NO_VIDEO_STREAM');
    return files[0]!;
  };
  const { files: ok, notices } = await analyseFiles([A, '/gone.mp4', '/song.wav'], analyse, Progress.None, CancellationToken.None);
  assert.deepEqual([...ok.keys()], [A]);
  assert.deepEqual(notices.map((n) => [n.code, n.where?.file]), [['AM_ERR_FILE_NOT_FOUND', '/gone.mp4'], ['AM_ERR_NO_VIDEO_STREAM', '/song.wav']]);
  assert.match(notices[1]!.message, /audio only/);
  assert.deepEqual(calls, [A, '/gone.mp4', '/song.wav'], 'each file is analysed once');

  await assert.rejects(analyseFiles(['/gone.mp4', '/song.wav'], analyse, Progress.None, CancellationToken.None), (e: unknown) => {
    assert.ok(e instanceof MontageError && e.code === 'AM_ERR_NO_USABLE_SOURCE');
    assert.match(e.message, /\/gone\.mp4.*\/song\.wav/);
    assert.deepEqual((e.details?.files as { path: string }[]).map((f) => f.path), ['/gone.mp4', '/song.wav']);
    return true;
  });
  // A lone movie keeps its own error.
  await assert.rejects(analyseFiles(['/gone.mp4'], analyse, Progress.None, CancellationToken.None), (e: unknown) => e instanceof MontageError && e.code === 'AM_ERR_FILE_NOT_FOUND');
});

test('a range outside its file is a notice, and the other ranges are used', () => {
  const byPath = new Map<string, FileAnalysis>([[A, files[0]!]]);
  const { sources, notices } = resolveSources(dedupeSources([{ path: A, range: { startSeconds: 100, endSeconds: 110 } }, { path: A }]).sources, [A], byPath);
  assert.equal(sources.length, 1);
  assert.equal(notices[0]!.where?.file, A);
  assert.throws(() => resolveSources(dedupeSources([{ path: A, range: { startSeconds: 100, endSeconds: 110 } }]).sources, [A], byPath), (e: unknown) => e instanceof MontageError && e.code === 'AM_ERR_NO_USABLE_SOURCE');
});

test('a shot of a source at another rate that holds no whole timeline frame is left out, and the plan solves', () => {
  // C at 30 fps: a one-frame shot [31, 32) lies between timeline frames 25.8 and 26.7 at 25 fps.
  const C = '/footage/c.mov';
  const c = fileAnalysis(C, 30, [31, 1, 60, 60, 60, 60], BARS);
  const byPath = new Map<string, FileAnalysis>([[A, files[0]!], [C, c]]);
  const list: SourceRequest[] = [{ path: A, id: 'a' }, { path: C, id: 'c' }];
  const sources = resolveSources(dedupeSources(list).sources, [A, C], byPath).sources;
  const analysis: MontageAnalysis = { movie: files[0]!.movie, music: musicAnalysis(Array(BARS).fill({})), emotions: combineEmotions([files[0]!, c]), files: [files[0]!, c], sources };
  const { input } = buildMusicPlanInput(analysis, { ...request(), sources: list });
  const ofC = input.shots.filter((s) => s.source === 1);
  assert.deepEqual(ofC.map((s) => s.range.start.value), [0, 32, 92, 152, 212], 'the one-frame shot is not offered');
  assert.ok(solveMontage(input).plan.placements.length > 0);
});
