import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MontageError } from '../../companion/core/errors';
import { unitsOfBars } from '../../companion/core/montage';
import { rate, type Rate } from '../../companion/core/rational';
import { oneHourFrames } from '../../companion/core/timecode';
import { placedClips, timelineFrames, type MediaReference } from '../../companion/core/timeline';
import { planToTimeline, solvePlan } from '../../companion/planner/index';
import { makeInput, type ShotSpec } from './make-input';

function media(r: Rate): { movie: MediaReference; music: MediaReference } {
  return {
    movie: { id: 'media-movie', name: 'movie.mp4', path: '/movies/movie.mp4', hasVideo: true, hasAudio: true, rate: r, durationFrames: 100000, startTimecodeFrames: 0, dropFrame: false, width: 1920, height: 800 },
    music: { id: 'media-music', name: 'music.wav', path: '/music/music.wav', hasVideo: false, hasAudio: true, rate: r, durationFrames: 100000, startTimecodeFrames: 0, dropFrame: false, audioChannels: 2, sampleRate: 48000 },
  };
}

const SHOTS: ShotSpec[] = [
  { frames: 48, scene: 0, score: 0.9 },
  { frames: 96, scene: 0, score: 0.1 },
  { frames: 48, scene: 1, score: 0.5 },
  { frames: 100, scene: 1, score: 0.6 },
];

test('the video track holds the chosen shots back to back at their plan positions', () => {
  const plan = solvePlan(makeInput({ shots: SHOTS, barSeconds: [2, 2, 2, 2], musicStartSeconds: 10, options: { maxScenes: 2 } }));
  const timeline = planToTimeline(plan, media(rate(24)));
  assert.equal(timeline.schema, 'Timeline.1');
  assert.deepEqual(timeline.rate, rate(24));
  assert.equal(timeline.startFrames, 86400);
  assert.deepEqual([timeline.width, timeline.height], [1920, 800]);
  const video = timeline.tracks.find((t) => t.kind === 'video')!;
  const clips = placedClips(timeline, video);
  assert.deepEqual(clips.map((c) => [c.recordIn, c.recordOut]), plan.placements.map((p) => [p.recordRange.start.value, p.recordRange.start.value + p.recordRange.duration.value]));
  assert.deepEqual(clips.map((c) => c.clip.sourceRange), plan.placements.map((p) => p.sourceRange));
  assert.deepEqual(clips.map((c) => c.clip.name), plan.placements.map((p) => `Shot ${p.shotIndex + 1}`));
  assert.equal(clips[0]!.clip.mediaId, 'media-movie');
  assert.deepEqual((clips[2]!.clip.metadata!['auto-montage'] as { shotIndex: number }).shotIndex, plan.placements[2]!.shotIndex);
  assert.equal(timelineFrames(timeline), 192);
  assert.deepEqual(timeline.metadata!['auto-montage'], { totalScore: plan.totalScore, placements: plan.placements.length, mode: 'hard', maxScenes: 2 });
});

test('the music plays under the whole montage from the first used bar', () => {
  const plan = solvePlan(makeInput({ shots: SHOTS, barSeconds: [2, 2, 2, 2], musicStartSeconds: 10, options: { maxScenes: 2 } }));
  const timeline = planToTimeline(plan, media(rate(24)));
  const audio = timeline.tracks.find((t) => t.kind === 'audio')!;
  assert.equal(audio.items.length, 1);
  const [music] = placedClips(timeline, audio);
  assert.equal(music!.clip.mediaId, 'media-music');
  assert.deepEqual([music!.recordIn, music!.recordOut], [0, 192]);
  assert.equal(music!.clip.sourceRange.start.value, 240); // 10 s at 24 fps
  assert.deepEqual(timeline.media.map((m) => m.id), ['media-movie', 'media-music']);
});

test('every bar gets a sequence marker at its cut frame', () => {
  const plan = solvePlan(makeInput({ shots: SHOTS, barSeconds: [2, 2, 2, 2], options: { maxScenes: 2 } }));
  const timeline = planToTimeline(plan, media(rate(24)));
  assert.deepEqual(timeline.markers.map((m) => [m.name, m.time.value]), [['Bar 1', 0], ['Bar 2', 48], ['Bar 3', 96], ['Bar 4', 144]]);
});

test('markers are named by the unit each part of the plan is cut on, counted from the montage start', () => {
  const plan = solvePlan(makeInput({ shots: SHOTS, barSeconds: [2, 2, 2, 2], options: { maxScenes: 2 } }));
  const beats = planToTimeline(plan, media(rate(24)), { units: ['beat', 'beat', 'beat', 'beat'] });
  assert.deepEqual(beats.markers.map((m) => m.name), ['Beat 1', 'Beat 2', 'Beat 3', 'Beat 4']);
  const sections = planToTimeline(plan, media(rate(24)), { units: ['halfbar', 'halfbar', '2bars', 'bar'] });
  assert.deepEqual(sections.markers.map((m) => m.name), ['Half-bar 1', 'Half-bar 2', 'Two-bar 3', 'Bar 4']);
});

test('a plan cut per section takes the unit of the section each unit starts in', () => {
  const sections = [
    { startSeconds: 10, endSeconds: 18, unit: 'bar' as const },
    { startSeconds: 18, endSeconds: 22, unit: 'beat' as const },
  ];
  assert.deepEqual(unitsOfBars([10, 14, 18, 18.5, 19].map((startSeconds) => ({ startSeconds })), sections), ['bar', 'bar', 'beat', 'beat', 'beat']);
  assert.deepEqual(unitsOfBars([{ startSeconds: 3 }], []), ['bar']);
});

test('at 29.97 fps with drifting bars every cut and marker lies within half a frame of its bar', () => {
  const r = rate(30000, 1001);
  const fps = 30000 / 1001;
  const barSeconds = Array.from({ length: 120 }, (_, k) => 2 + 0.04 * Math.sin(k));
  const shots: ShotSpec[] = Array.from({ length: 130 }, (_, i) => ({ frames: 64 + (i % 3) * 40, scene: Math.floor(i / 40), score: (i * 37) % 11 / 10 }));
  const input = makeInput({ shots, barSeconds, rate: r, musicStartSeconds: 1.234, options: { maxScenes: 4, trim: true } });
  const plan = solvePlan(input);
  const timeline = planToTimeline(plan, media(r), { dropFrame: true, name: 'Test' });
  assert.equal(timeline.startFrames, oneHourFrames(r, { dropFrame: true }));
  assert.equal(timeline.name, 'Test');
  const bars = input.bars;
  timeline.markers.forEach((marker, k) => assert.ok(Math.abs(marker.time.value - (bars[k]!.startSeconds - 1.234) * fps) <= 0.5, `marker ${k}`));
  for (const c of placedClips(timeline, timeline.tracks[0]!)) {
    const bar = (c.clip.metadata!['auto-montage'] as { firstBar: number }).firstBar;
    assert.ok(Math.abs(c.recordIn - (bars[bar]!.startSeconds - 1.234) * fps) <= 0.5);
  }
  const end = bars[119]!.startSeconds + bars[119]!.durationSeconds - 1.234;
  assert.ok(Math.abs(timelineFrames(timeline) - end * fps) <= 0.5);
  assert.equal(placedClips(timeline, timeline.tracks[1]!)[0]!.recordOut, timelineFrames(timeline));
});

test('a music reference on another rate is refused', () => {
  const plan = solvePlan(makeInput({ shots: SHOTS, barSeconds: [2, 2, 2, 2], options: { maxScenes: 2 } }));
  const { movie, music } = media(rate(24));
  assert.throws(() => planToTimeline(plan, { movie, music: { ...music, rate: rate(48000) } }), (e: unknown) => e instanceof MontageError && e.code === 'AM_ERR_INVALID_ARGUMENT');
});

test('a movie reference on another rate or without a frame size, and a placement off its bar frames, are refused', () => {
  const plan = solvePlan(makeInput({ shots: SHOTS, barSeconds: [2, 2, 2, 2], options: { maxScenes: 2 } }));
  const { movie, music } = media(rate(24));
  const refused = (fn: () => unknown, code: string, field?: string) =>
    assert.throws(fn, (e: unknown) => e instanceof MontageError && e.code === code && (field === undefined || e.where?.field === field));
  refused(() => planToTimeline(plan, { movie: { ...movie, rate: rate(25) }, music }), 'AM_ERR_INVALID_ARGUMENT', 'media.movie.rate');
  const { width: _width, ...sizeless } = movie;
  refused(() => planToTimeline(plan, { movie: sizeless, music }), 'AM_ERR_INVALID_ARGUMENT', 'media.movie.width');
  // Shift the second placement one frame late: it no longer starts where the first ends nor on its bar.
  const [first, second, ...rest] = plan.placements;
  const shifted = { ...second!, recordRange: { ...second!.recordRange, start: { ...second!.recordRange.start, value: second!.recordRange.start.value + 1 } } };
  refused(() => planToTimeline({ ...plan, placements: [first!, shifted, ...rest] }, { movie, music }), 'AM_ERR_TIMELINE_INVALID');
});
