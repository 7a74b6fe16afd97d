import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancellationError } from '../../companion/core/errors';
import { CancellationToken, CancellationTokenSource } from '../../companion/core/lifecycle';
import { EMOTION_LABELS, type EmotionLabel } from '../../companion/core/montage';
import type { MusicEmotionEncoder, ShotEmotionEncoder } from '../../companion/core/pipeline';
import { defaultEncoderIds, emotionSimilarity, scoreEmotions } from '../../companion/analysis/emotion/index';
import { configureEmotion, emotionNotice, resetEmotionSettings } from '../../companion/analysis/emotion/config';
import { FrameAffectEncoder } from '../../companion/analysis/emotion/frame-affect';
import { MusicFeatureEncoder } from '../../companion/analysis/emotion/music-features';
import { LABEL_PROTOTYPES, vectorFromPad, vectorFromProbabilities } from '../../companion/analysis/emotion/emotion-space';
import { movieAnalysis, musicAnalysis } from './make-analysis';

const movie = movieAnalysis([
  { brightness: 0.75, saturation: 0.65, motion: 0.12, seconds: 1 },
  { brightness: 0.2, saturation: 0.1, motion: 0.004, seconds: 9 },
  { brightness: 0.45, saturation: 0.3, motion: 0.03, seconds: 3 },
]);
const music = musicAnalysis([{ mode: 0.8, loudnessDb: -10 }, { mode: -0.8, loudnessDb: -26 }], 150);

test('the default encoder ids name built-in shot and music encoders', () => {
  assert.deepEqual([...defaultEncoderIds.shot], ['frame-affect', 'faces', 'soundtrack']);
  assert.deepEqual([...defaultEncoderIds.music], ['music-features', 'music-yamnet']);
});

test('scores have one fused vector per shot and per bar, S_i = M(shot, music) and a row-major bar matrix', async () => {
  const scores = await scoreEmotions(movie, music, { shot: [new FrameAffectEncoder()], music: [new MusicFeatureEncoder()] }, CancellationToken.None);
  assert.equal(scores.shots.length, 3);
  assert.equal(scores.music.bars.length, 2);
  assert.equal(scores.shotScores.length, 3);
  assert.equal(scores.barScores.shots, 3);
  assert.equal(scores.barScores.bars, 2);
  assert.equal(scores.barScores.values.length, 6);
  scores.shots.forEach((shot, i) => {
    assert.equal(shot.encoderId, 'fusion');
    assert.ok(Math.abs((scores.shotScores[i] ?? 0) - emotionSimilarity(shot, scores.music.global)) < 1e-12);
    scores.music.bars.forEach((bar, k) => assert.ok(Math.abs((scores.barScores.values[i * 2 + k] ?? 0) - emotionSimilarity(shot, bar)) < 1e-6));
  });
  assert.deepEqual(Object.keys(scores.byEncoder.shot), ['frame-affect']);
  assert.deepEqual(scores.diagnostics, []);
});

test('a failing or misbehaving encoder becomes a diagnostic while the others carry the score', async () => {
  const throwing: ShotEmotionEncoder = { id: 'boom', kind: 'shot', encodeShots: async () => { throw new Error('kaput'); } };
  const short: ShotEmotionEncoder = { id: 'short', kind: 'shot', encodeShots: async () => [] };
  const nan: ShotEmotionEncoder = {
    id: 'nan',
    kind: 'shot',
    encodeShots: async () => movie.shots.map(() => ({ encoderId: 'nan', values: [Number.NaN, 0, 0, 0, 0, 0], valence: 0, arousal: 0, confidence: 1 })),
  };
  const scores = await scoreEmotions(movie, music, { shot: [throwing, short, nan, new FrameAffectEncoder()], music: [new MusicFeatureEncoder()] }, CancellationToken.None);
  assert.equal(scores.diagnostics.length, 2);
  assert.ok(scores.diagnostics.every((d) => d.code === 'AM_ERR_EXTENSION_FAILED'));
  assert.match(scores.diagnostics.map((d) => d.message).join('\n'), /"boom" failed: kaput/);
  assert.match(scores.diagnostics.map((d) => d.message).join('\n'), /"short".*0 vectors for 3 shots/);
  assert.ok(scores.shotScores.every(Number.isFinite));
  assert.equal(scores.byEncoder.shot['nan']?.[0]?.confidence, 0, 'a NaN vector is made empty, not trusted');
});

test('when every encoder of a kind fails, scoring fails with the reasons', async () => {
  const throwing: MusicEmotionEncoder = { id: 'm', kind: 'music', encodeMusic: async () => { throw new Error('no'); } };
  await assert.rejects(scoreEmotions(movie, music, { shot: [new FrameAffectEncoder()], music: [throwing] }, CancellationToken.None), (error: Error & { code?: string; diagnostics?: unknown[] }) => {
    assert.equal(error.code, 'AM_ERR_EXTENSION_FAILED');
    assert.equal(error.diagnostics?.length, 1);
    return true;
  });
});

test('cancellation stops scoring with a CancellationError, not a diagnostic', async () => {
  const source = new CancellationTokenSource();
  const slow: ShotEmotionEncoder = {
    id: 'slow',
    kind: 'shot',
    encodeShots: async (_movie, token) => {
      source.cancel();
      if (token.isCancellationRequested) throw new CancellationError();
      return [];
    },
  };
  await assert.rejects(scoreEmotions(movie, music, { shot: [slow], music: [new MusicFeatureEncoder()] }, source.token), CancellationError);
});

// Contrast at the score level: a pool of shots covering the emotion space; for the music of each class,
// the top-scoring shots' mean emotion moves toward that class compared with the pool.
test('for music of each of the six classes, the best-scoring shots lean toward that class', async () => {
  const pool = EMOTION_LABELS.flatMap((label) => [0.9, 0.6, 0.3].map((strength) => {
    const p = LABEL_PROTOTYPES[label];
    return vectorFromPad(`${label}`, { valence: p.valence * strength, arousal: p.arousal * strength, dominance: p.dominance * strength }, 0.6);
  }));
  const shotEncoder: ShotEmotionEncoder = { id: 'given', kind: 'shot', encodeShots: async () => pool };
  const poolMovie = movieAnalysis(pool.map(() => ({})));
  let moved = 0;
  for (const label of EMOTION_LABELS) {
    const target = EMOTION_LABELS.indexOf(label as EmotionLabel);
    const musicEncoder: MusicEmotionEncoder = {
      id: 'given-music',
      kind: 'music',
      encodeMusic: async (m) => {
        const v = vectorFromProbabilities('given-music', EMOTION_LABELS.map((_, i) => (i === target ? 0.7 : 0.06)), 0.8);
        return { global: v, bars: m.bars.map(() => v) };
      },
    };
    const scores = await scoreEmotions(poolMovie, music, { shot: [shotEncoder], music: [musicEncoder] }, CancellationToken.None);
    const order = scores.shotScores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0]).slice(0, 4);
    const chosen = order.reduce((a, [, i]) => a + (scores.shots[i]?.values[target] ?? 0), 0) / order.length;
    const all = scores.shots.reduce((a, s) => a + (s.values[target] ?? 0), 0) / scores.shots.length;
    if (chosen > all + 0.1) moved++;
  }
  assert.equal(moved, 6);
});

// Contrast on a real clip: the Sintel trailer's shots (movie analysis + frame affect), scored against music
// vectors of each class; the top quarter of shots by M leans toward the music's class wherever the
// footage has shots of that class.
test('on a real film clip, music of each class pulls the best-scoring shots toward that class where the footage allows', async () => {
  const { analyseMovie } = await import('../../companion/analysis/movie/analyse-movie');
  const { Progress } = await import('../../companion/core/lifecycle');
  const { join } = await import('node:path');
  const { filmDir } = await import('../support/paths');
  const clip = await analyseMovie(join(filmDir, 'sintel_trailer.mp4'), {}, Progress.None, CancellationToken.None);
  const shotVectors = await new FrameAffectEncoder().encodeShots(clip, CancellationToken.None);
  // chosen[k][c]: the mean probability of class c among the top quarter of shots under music of class k.
  const chosen = EMOTION_LABELS.map((label) => {
    const musicVector = vectorFromPad('music', LABEL_PROTOTYPES[label], 0.8);
    const top = shotVectors
      .map((v, i) => [emotionSimilarity(v, musicVector), i] as const)
      .sort((a, b) => b[0] - a[0])
      .slice(0, Math.max(1, Math.ceil(shotVectors.length / 4)));
    return EMOTION_LABELS.map((_, c) => top.reduce((a, [, i]) => a + (shotVectors[i]?.values[c] ?? 0), 0) / top.length);
  });
  let testable = 0;
  EMOTION_LABELS.forEach((label, c) => {
    if (!shotVectors.some((v) => (v.values[c] ?? 0) >= 0.25)) return;
    testable++;
    const own = chosen[c]?.[c] ?? 0;
    const others = chosen.filter((_, k) => k !== c).reduce((a, row) => a + (row[c] ?? 0), 0) / (EMOTION_LABELS.length - 1);
    assert.ok(own > others, `${label}: ${own.toFixed(3)} under its own music vs ${others.toFixed(3)} under the others`);
  });
  assert.ok(testable >= 4, `the trailer has shots of ${testable} classes`);
});

test('two jobs scoring at the same time each list only the notices their own encoders raised, once each', async () => {
  // Each encoder raises its notice twice, after the other job has started, so the jobs' work interleaves.
  const noisy = (id: string, delayMs: number): ShotEmotionEncoder => ({
    id,
    kind: 'shot',
    encodeShots: async (m) => {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      emotionNotice({ code: 'AM_ERR_MODEL_MISSING', message: `${id} has no model` });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      emotionNotice({ code: 'AM_ERR_MODEL_MISSING', message: `${id} has no model` });
      return new FrameAffectEncoder(id).encodeShots(m, CancellationToken.None);
    },
  });
  const [a, b] = await Promise.all([
    scoreEmotions(movie, music, { shot: [noisy('job-a', 5)], music: [new MusicFeatureEncoder()] }, CancellationToken.None),
    scoreEmotions(movie, music, { shot: [noisy('job-b', 3)], music: [new MusicFeatureEncoder()] }, CancellationToken.None),
  ]);
  assert.deepEqual(a.diagnostics.map((d) => d.message), ['job-a has no model']);
  assert.deepEqual(b.diagnostics.map((d) => d.message), ['job-b has no model']);
  assert.doesNotThrow(() => emotionNotice({ code: 'AM_ERR_MODEL_MISSING', message: 'outside any job' }), 'a notice outside a job is dropped');
  assert.ok(a.diagnostics.length === 1 && b.diagnostics.length === 1, 'finished jobs take no later notices');
});

test('the configured fusion weights decide the mix: weight 0 leaves an encoder out of the fused vector', async () => {
  const sad: ShotEmotionEncoder = { id: 'always-sad', kind: 'shot', encodeShots: async (m) => m.shots.map(() => vectorFromPad('always-sad', LABEL_PROTOTYPES.sad, 1)) };
  const encoders = { shot: [new FrameAffectEncoder(), sad], music: [new MusicFeatureEncoder()] };
  const mixed = await scoreEmotions(movie, music, encoders, CancellationToken.None);
  configureEmotion({ weights: { 'always-sad': 0 } });
  try {
    const muted = await scoreEmotions(movie, music, encoders, CancellationToken.None);
    const own = muted.byEncoder.shot['frame-affect']!;
    muted.shots.forEach((shot, i) => {
      shot.values.forEach((p, k) => assert.ok(Math.abs(p - (own[i]!.values[k] ?? 0)) < 1e-9, `shot ${i} label ${k}`));
      assert.ok(Math.abs(shot.valence - own[i]!.valence) < 1e-9);
    });
    assert.ok(mixed.shots.some((shot, i) => Math.abs(shot.valence - own[i]!.valence) > 0.05), 'with its default weight the sad encoder moves the fusion');
  } finally {
    resetEmotionSettings();
  }
});
