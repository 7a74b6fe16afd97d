import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RATES } from '../../companion/core/rational';
import { barMarkers, bansFromDisabledClips, emotionSeries, formatMinutesSeconds, montageBars, resultSummary } from '../../plugin/src/result-model';
import { clip, editSequence, montageResult, ticks } from './support/fixtures';

test('the montage covers its bars once each, in order, with the shot placed on each', () => {
  const bars = montageBars(montageResult());
  assert.deepEqual(bars.map((b) => [b.bar, b.shot.shotIndex]), [[2, 3], [3, 3], [4, 7], [5, 7], [6, 7], [7, 9]]);
});

test('bar markers sit at every bar start from the montage start, on exact 25 fps frames', () => {
  const markers = barMarkers(montageResult());
  assert.equal(markers.length, 6);
  // Bars are 2 s = 50 frames = 50 × 10160640000 ticks apart, starting at 0.
  assert.deepEqual(markers.map((m) => m.startTicks), [0, 2, 4, 6, 8, 10].map((s) => ticks(s)));
  assert.equal(markers[0]?.name, "Bar 3", "named after the analysis bar, like the xmeml markers");
  // The comment carries both emotions and the fit; the colour says the fit at a glance (excited music, a sad shot: red).
  assert.equal(markers[2]?.comment, 'Shot 8, scene 3. Music: valence +0.60, arousal +0.70. Shot: valence −0.50, arousal −0.40. Fit 0.04.');
  assert.equal(markers[2]?.colour, 'red');
  assert.equal(markers[0]?.colour, 'green', 'an excited shot on excited music');
});

test('bar markers snap to the sequence frame at 23.976 and are called beats at beat granularity', () => {
  const markers = barMarkers(montageResult({ granularity: 'beat' }), RATES['23.976']);
  // 2 s at 24000/1001 fps = 47.952 frames → frame 48 = 48 × 10594584000 ticks.
  assert.equal(markers[1]?.startTicks, String(48n * 10594584000n));
  assert.equal(markers[1]?.name, "Beat 4");
});

test('bar markers are named by the unit cut on, as the timeline files name them: half bars and two-bar units too', () => {
  assert.deepEqual(barMarkers(montageResult({ granularity: 'halfbar' })).map((m) => m.name).slice(0, 2), ['Half-bar 3', 'Half-bar 4']);
  assert.deepEqual(barMarkers(montageResult({ granularity: '2bars' })).map((m) => m.name).slice(0, 2), ['Two-bar 3', 'Two-bar 4']);
});

test('the emotion series pairs the music under each bar with the shot placed on it', () => {
  const points = emotionSeries(montageResult());
  assert.equal(points.length, 6);
  assert.deepEqual(points.map((p) => p.timeSeconds), [0, 2, 4, 6, 8, 10]);
  // Bars 2–4 are excited music, 5–7 sad; shot 7 (sad) starts on bar 4, one bar early.
  assert.deepEqual(points.map((p) => p.musicLabel), ['excited', 'excited', 'excited', 'sad', 'sad', 'sad']);
  assert.deepEqual(points.map((p) => p.shotLabel), ['excited', 'excited', 'sad', 'sad', 'sad', 'sad']);
  assert.ok(Math.abs((points[0]?.similarity ?? 0) - 1) < 1e-9, 'same vector: similarity 1');
  assert.ok((points[2]?.similarity ?? 1) < 0.2, 'excited music under a sad shot scores low');
  assert.equal(points[0]?.musicValence, 0.6);
  assert.equal(points[2]?.shotArousal, -0.4);
});

test('a disabled clip in a generated sequence becomes a ban of the shot it shows', () => {
  // The imported sequence starts at 01:00:00:00 (an offset of 3600 s on every clip); shot 7 sits at 4 s.
  const offset = 3600;
  const generated = editSequence({
    id: 'gen',
    clips: [
      clip({ kind: 'video', mediaPath: '/media/movie.mp4', startTicks: ticks(offset), endTicks: ticks(offset + 4) }),
      clip({ kind: 'video', mediaPath: '/media/movie.mp4', startTicks: ticks(offset + 4), endTicks: ticks(offset + 10), disabled: true }),
      clip({ kind: 'video', mediaPath: '/media/movie.mp4', startTicks: ticks(offset + 10), endTicks: ticks(offset + 12) }),
      clip({ kind: 'audio', mediaPath: '/media/song.wav', startTicks: ticks(offset), endTicks: ticks(offset + 12), disabled: true }),
    ],
  });
  assert.deepEqual(bansFromDisabledClips(generated, montageResult().montage.chosen, { num: 25, den: 1 }), [7]);
});

test('the summary says shots, scenes, bars, length and score in one line', () => {
  assert.equal(resultSummary(montageResult()), '3 shots from 2 scenes over 6 bars (0:12.0), score 2.20');
});

test('times read as minutes and tenths of seconds', () => {
  assert.equal(formatMinutesSeconds(0), '0:00.0');
  assert.equal(formatMinutesSeconds(72.25), '1:12.3');
  assert.equal(formatMinutesSeconds(599.94), '9:59.9');
  assert.equal(formatMinutesSeconds(59.96), '1:00.0', 'rounding carries into the minutes');
});

test('bar times come from the analysis bars when the result has no music emotion, and from any list order', () => {
  const base = montageResult();
  const withoutEmotion = { ...base, montage: { ...base.montage, musicEmotion: [] } };
  assert.deepEqual(barMarkers(withoutEmotion).map((m) => m.startTicks), [0, 2, 4, 6, 8, 10].map((s) => ticks(s)));
  assert.ok(emotionSeries(withoutEmotion).every((p) => Number.isNaN(p.musicValence) && Number.isNaN(p.similarity)), 'no music emotion: NaN, not a guess');
  const shuffled = { ...base, montage: { ...base.montage, musicEmotion: [...base.montage.musicEmotion].reverse() } };
  assert.deepEqual(emotionSeries(shuffled), emotionSeries(base));
});
