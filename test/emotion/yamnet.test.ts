import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Diagnostic } from '../../companion/core/errors';
import { CancellationToken } from '../../companion/core/lifecycle';
import { probeMovie } from '../../companion/media/probe';
import { withEmotionNotices } from '../../companion/analysis/emotion/config';
import { dominantLabel } from '../../companion/analysis/emotion/emotion-space';
import { moodVector, YamnetMusicEncoder } from '../../companion/analysis/emotion/music-yamnet';
import { SoundtrackEncoder, soundtrackVector, soundtrackWindows } from '../../companion/analysis/emotion/soundtrack';
import { loadYamnet, runYamnet, windowStarts, YAMNET_CLASSES, YAMNET_WINDOW } from '../../companion/analysis/emotion/yamnet';
import { filmDir, musicDir, sharedDir } from '../support/paths';
import { movieAnalysis, musicAnalysis } from './make-analysis';

const yamnetPath = join(sharedDir, 'models', 'yamnet', 'yamnet_waveform.onnx');
const skip = !existsSync(yamnetPath) && 'no ../shared/models/yamnet';

test('YAMNet on the reference speech clip ranks Speech first', { skip }, async () => {
  const { session } = await loadYamnet(yamnetPath, 'cpu');
  assert.ok(session);
  const raw = readFileSync(join(sharedDir, 'models', 'yamnet', 'yamnet_test_audio.bin'));
  const samples = new Float32Array(YAMNET_WINDOW);
  for (let i = 0; i < YAMNET_WINDOW; i++) samples[i] = raw.readInt16LE(i * 2) / 32768;
  const scores = await runYamnet(session, samples, [0], CancellationToken.None);
  const row = Array.from(scores.scores.subarray(0, 521));
  assert.equal(row.indexOf(Math.max(...row)), YAMNET_CLASSES.speech);
  assert.ok((row[YAMNET_CLASSES.speech] ?? 0) > 0.9);
});

test('window starts cover the samples and are thinned evenly when capped', () => {
  assert.deepEqual(windowStarts(40_000, 15_600), [0, 15_600, 31_200]);
  assert.deepEqual(windowStarts(100, 15_600), [0]);
  assert.equal(windowStarts(16_000 * 600, 15_600, 10).length, 10);
});

test('a mood far above its typical level decides the reading; no stand-out mood reads near neutral with less confidence', () => {
  const scary = moodVector('y', [2.7e-4, 2.7e-4, 1.6e-3, 2.3e-3, 6.8e-5, 0.05], 0.9, 0.6);
  assert.equal(dominantLabel(scary), 'fearful');
  const typical = moodVector('y', [2.71e-4, 2.66e-4, 1.62e-3, 2.34e-3, 6.8e-5, 4.46e-4], 0.9, 0.6);
  assert.equal(dominantLabel(typical), 'neutral');
  assert.ok(typical.confidence < scary.confidence);
});

test('the YAMNet music encoder reads the elegy "The King is Dead" as sad, globally and on most bars', { skip }, async () => {
  const path = join(musicDir, 'wesnoth_the_king_is_dead.ogg');
  const music = musicAnalysis(Array.from({ length: 20 }, () => ({})), 90, path);
  const result = await new YamnetMusicEncoder('music-yamnet', yamnetPath).encodeMusic(music, CancellationToken.None);
  assert.equal(result.bars.length, 20);
  assert.equal(dominantLabel(result.global), 'sad');
  assert.ok(result.global.confidence > 0.3);
  assert.ok(result.bars.filter((b) => dominantLabel(b) === 'sad').length >= 10);
});

test('without a YAMNet model the music encoder gives empty vectors and a clear model-missing notice', async () => {
  const notices: Diagnostic[] = [];
  const result = await withEmotionNotices(
    (d) => notices.push(d),
    () => new YamnetMusicEncoder('music-yamnet', join(sharedDir, 'no-such-yamnet.onnx')).encodeMusic(musicAnalysis([{}, {}]), CancellationToken.None),
  );
  assert.equal(result.global.confidence, 0);
  assert.equal(result.bars.length, 2);
  assert.equal(notices[0]?.code, 'AM_ERR_MODEL_MISSING');
  assert.match(notices[0]?.message ?? '', /no-such-yamnet\.onnx does not exist/);
  assert.match(notices[0]?.message ?? '', /^Music mood \(YAMNet\): /, 'the notice names the cue that is skipped');
  assert.equal(notices[0]?.where?.file, join(sharedDir, 'no-such-yamnet.onnx'), 'the notice points at the configured file');
});

test('sound events move a shot: screaming reads fearful, laughter excited, and energy alone gives only arousal', () => {
  const scores = new Float32Array(521);
  scores[YAMNET_CLASSES.screaming] = 0.6;
  assert.equal(dominantLabel(soundtrackVector('s', scores, 0.5)), 'fearful');
  const laughs = new Float32Array(521);
  laughs[YAMNET_CLASSES.laughter] = 0.6;
  assert.equal(dominantLabel(soundtrackVector('s', laughs, 0.2)), 'excited');
  const loud = soundtrackVector('s', undefined, 0.9);
  assert.equal(loud.valence, 0);
  assert.ok(loud.arousal > 0.5);
  assert.ok(loud.confidence < soundtrackVector('s', scores, 0.5).confidence);
});

test('soundtrack windows: one in two along the track, a short shot shares the nearest grid window, a shot far from any gets its own', () => {
  const second = 16_000;
  // 10 s of audio: grid windows start every 31 200 samples (1.95 s); centres at 0.49, 2.44, 4.39, 6.34, 8.29 s.
  const spans = [
    { start: 0, end: 4 * second }, // holds the centres at 0.49 s and 2.44 s
    { start: 4 * second, end: 4.2 * second }, // no centre; middle 4.1 s is 0.29 s from 4.39 s: shares it
    { start: 4.2 * second, end: 4.5 * second }, // holds the centre at 4.39 s
    { start: 4.5 * second, end: 5.2 * second }, // no centre; middle 4.85 s: nearest 4.39 s (0.46 s)
    { start: 5.2 * second, end: 6.3 * second }, // no centre; middle 5.75 s: nearest 6.34 s (0.59 s)
  ];
  const { starts, picked } = soundtrackWindows(spans, 10 * second);
  assert.deepEqual(starts, [0, 31_200, 62_400, 93_600, 124_800], 'the grid only: no shot needed its own window');
  assert.deepEqual(picked, [[0, 1], [2], [2], [2], [3]]);
  // After the last grid centre (2.44 s) a shot whose middle is 1.25 s away gets a window of its own at its middle.
  const tail = soundtrackWindows([{ start: 0, end: 56_000 }, { start: 56_000, end: 62_000 }], 62_000);
  assert.deepEqual(tail.starts, [0, 31_200, 59_000 - 7_800]);
  assert.deepEqual(tail.picked, [[0, 1], [2]]);
});

test('the soundtrack encoder reads every shot of a real clip, with YAMNet and (with a notice) without it', { skip }, async () => {
  const path = join(filmDir, 'sintel_trailer.mp4');
  const media = await probeMovie(path);
  const movie = movieAnalysis(Array.from({ length: 10 }, () => ({ seconds: 5 })), { media });
  const withModel = await new SoundtrackEncoder('soundtrack', yamnetPath).encodeShots(movie, CancellationToken.None);
  assert.equal(withModel.length, 10);
  assert.ok(withModel.every((v) => v.values.every(Number.isFinite) && v.confidence >= 0.15));
  assert.ok(new Set(withModel.map((v) => v.arousal.toFixed(3))).size > 3, 'shots differ');
  const notices: string[] = [];
  const messages: string[] = [];
  const without = await withEmotionNotices(
    (d) => (notices.push(d.code), messages.push(d.message)),
    () => new SoundtrackEncoder('soundtrack', join(sharedDir, 'absent.onnx')).encodeShots(movie, CancellationToken.None),
  );
  assert.deepEqual(notices, ['AM_ERR_MODEL_MISSING']);
  assert.match(messages[0] ?? '', /^Soundtrack cues: .*absent\.onnx does not exist/);
  assert.ok(without.every((v) => v.valence === 0 && Math.abs(v.confidence - 0.15) < 1e-9));
  const silent = await new SoundtrackEncoder('soundtrack', yamnetPath).encodeShots(movieAnalysis([{}], { media: { ...media, audio: undefined } as never }), CancellationToken.None);
  assert.equal(silent[0]!.confidence, 0);
});
