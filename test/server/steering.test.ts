/**
 * Steering (moodTarget, emotionArc): the protocol checks it at the boundary, it travels to the montage request,
 * and it replaces the music emotion the planner matches shots to, from the cached shot emotions, so the same
 * analysis plans differently. Hand-made analyses (no decoding): warm shots, sad shots and calm shots.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MontageError } from '../../companion/core/errors';
import { EMOTION_LABELS, type EmotionLabel, type EmotionVector } from '../../companion/core/montage';
import { LABEL_PROTOTYPES, vectorFromPad } from '../../companion/analysis/emotion/emotion-space';
import { barScores, shotScores } from '../../companion/analysis/emotion/similarity';
import type { EmotionScores } from '../../companion/analysis/emotion/index';
import { parseClientFrame } from '../../companion/protocol/schema';
import type { ResolveMessage } from '../../companion/protocol/messages';
import { buildMusicPlanInput, type MontageAnalysis, type MontageRequest } from '../../companion/pipeline/run-montage';
import { arcValueAt } from '../../companion/protocol/emotion-arc';
import { steerAnalysis, targetVector, validateSteering } from '../../companion/pipeline/steer-emotions';
import { solveMontage } from '../../companion/planner/index';
import { toMontageRequest } from '../../companion/server/pipeline-runner';
import { movieAnalysis, musicAnalysis } from '../emotion/make-analysis';

const BARS = 8;
/** Twelve 2.5 s shots (each fills one 2 s bar), by label: excited, sad and relaxed ones spread over the story. */
const LABELS: EmotionLabel[] = ['excited', 'sad', 'relaxed', 'excited', 'sad', 'relaxed', 'excited', 'sad', 'relaxed', 'excited', 'sad', 'relaxed'];

function analysis(): MontageAnalysis {
  const movie = movieAnalysis(LABELS.map(() => ({ seconds: 2.5 })));
  const music = musicAnalysis(Array(BARS).fill({}));
  const shots = LABELS.map((label) => vectorFromPad('fusion', LABEL_PROTOTYPES[label], 1));
  // The music reads neutral everywhere: whatever the plan follows comes from the steering.
  const neutral = vectorFromPad('fusion', LABEL_PROTOTYPES.neutral, 1);
  const bars = music.bars.map(() => neutral);
  const emotions: EmotionScores = {
    shots,
    music: { global: neutral, bars },
    shotScores: shotScores(shots, neutral),
    barScores: barScores(shots, bars),
    byEncoder: { shot: {}, music: {} },
    diagnostics: [],
  };
  return { movie, music, emotions };
}

const request = (options: MontageRequest['options'] = {}): MontageRequest => ({ moviePath: 'movie.mp4', musicPath: 'music.ogg', options: { granularity: 'bar', relax: 'none', maxScenes: 12, ...options } });

/** The labels of the shots a steered plan chooses, in record order. */
function chosenLabels(options: MontageRequest['options']): EmotionLabel[] {
  const steered = steerAnalysis(analysis(), request(options).options!);
  const { input } = buildMusicPlanInput(steered, request(options));
  return solveMontage(input).plan.placements.map((p) => LABELS[p.shotIndex]!);
}

const count = (labels: readonly EmotionLabel[], label: EmotionLabel) => labels.filter((l) => l === label).length;

test('a mood target steers the plan to that mood\'s shots from the same analysis', () => {
  for (const label of ['excited', 'sad', 'relaxed'] as const) {
    const chosen = chosenLabels({ moodTarget: label });
    assert.equal(chosen.length, BARS);
    assert.equal(count(chosen, label), 4, `${label}: ${chosen.join(', ')}`);
  }
});

test('a valence/arousal point steers like the label nearest it, and reads as that label', () => {
  const point = { valence: -0.55, arousal: -0.5 };
  assert.equal(EMOTION_LABELS[targetVector(point).values.indexOf(Math.max(...targetVector(point).values))], 'sad');
  assert.equal(count(chosenLabels({ moodTarget: point }), 'sad'), 4);
});

test('a drawn arc from excited to sad puts the excited shots first and the sad ones last', () => {
  const arc = [
    { seconds: 0, valence: 0.62, arousal: 0.6 },
    { seconds: 7, valence: 0.62, arousal: 0.6 },
    { seconds: 9, valence: -0.6, arousal: -0.45 },
    { seconds: 16, valence: -0.6, arousal: -0.45 },
  ];
  const chosen = chosenLabels({ emotionArc: arc });
  const [early, late] = [chosen.slice(0, BARS / 2), chosen.slice(BARS / 2)];
  assert.ok(count(early, 'excited') >= 3 && count(early, 'sad') === 0, chosen.join(', '));
  assert.ok(count(late, 'sad') >= 2 && count(late, 'excited') === 0, chosen.join(', '));
  // The arc drawn the other way round turns the plan round.
  const reversed = chosenLabels({ emotionArc: arc.map((point, i) => ({ ...arc[arc.length - 1 - i]!, seconds: point.seconds })) });
  assert.ok(count(reversed.slice(0, BARS / 2), 'sad') >= 2 && count(reversed.slice(BARS / 2), 'excited') >= 2, reversed.join(', '));
  // The steered bars follow the arc at their middles; the whole track reads the arc's mean.
  const steered = steerAnalysis(analysis(), { emotionArc: arc });
  assert.equal(steered.emotions.music.bars[0]!.valence, 0.62);
  assert.equal(steered.emotions.music.bars[BARS - 1]!.valence, -0.6);
  assert.ok(Math.abs(steered.emotions.music.global.valence) < 0.1, `mean valence ${steered.emotions.music.global.valence}`);
  // An empty arc and an `auto` target leave the analysis as it is.
  const plain = analysis();
  assert.equal(steerAnalysis(plain, { emotionArc: [], moodTarget: 'auto' }), plain);
});

test('the arc is linear between its points and held beyond its ends', () => {
  const arc = [
    { seconds: 2, valence: 0, arousal: 1 },
    { seconds: 4, valence: 1, arousal: -1 },
  ];
  assert.deepEqual(arcValueAt(arc, 0), arc[0]);
  assert.deepEqual(arcValueAt(arc, 3), { valence: 0.5, arousal: 0 });
  assert.deepEqual(arcValueAt(arc, 9), arc[1]);
});

test('steering leaves the cached analysis untouched', () => {
  const given = analysis();
  const before: EmotionVector = given.emotions.music.bars[0]!;
  const scores = [...given.emotions.shotScores];
  steerAnalysis(given, { moodTarget: 'tense' });
  assert.equal(given.emotions.music.bars[0], before);
  assert.deepEqual(given.emotions.shotScores, scores);
});

const resolveFrame = (options: unknown) => JSON.stringify({ type: 'resolve', requestId: 'r', jobId: 'job-1', options });

test('the steering options travel from a resolve frame to the montage request', () => {
  const arc = [
    { seconds: 1, valence: 0.5, arousal: 0.2 },
    { seconds: 3.5, valence: -0.4, arousal: 0.1 },
  ];
  for (const moodTarget of ['sad', { valence: 0.3, arousal: -0.8 }, 'auto'] as const) {
    const parsed = parseClientFrame(resolveFrame({ moodTarget, emotionArc: arc, scenes: 3, mode: 'soft' }), 1 << 20);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    if (!parsed.ok || parsed.message.type !== 'resolve') return;
    const message: ResolveMessage = parsed.message;
    const montage = toMontageRequest({ kind: 'resolve', movie: { path: '/m.mp4' }, music: { path: '/a.ogg' }, options: message.options ?? {}, preview: false });
    assert.deepEqual(montage.options?.moodTarget, moodTarget);
    assert.deepEqual(montage.options?.emotionArc, arc);
    assert.equal(montage.options?.maxScenes, 3);
    assert.equal(montage.options?.mode, 'soft');
  }
});

test('bad steering is refused at the boundary with the key that is wrong', () => {
  for (const [options, field] of [
    [{ moodTarget: 'happy' }, 'options.moodTarget'],
    [{ moodTarget: { valence: 2, arousal: 0 } }, 'options.moodTarget'],
    [{ moodTarget: { valence: 0, arousal: 0, dominance: 0 } }, 'options.moodTarget'],
    [{ emotionArc: [{ seconds: 1, valence: 0, arousal: 1.5 }] }, 'options.emotionArc[0].arousal'],
    [{ emotionArc: [{ seconds: -1, valence: 0, arousal: 0 }] }, 'options.emotionArc[0].seconds'],
    [{ emotionArc: [{ seconds: 2, valence: 0, arousal: 0 }, { seconds: 2, valence: 0, arousal: 0 }] }, 'options.emotionArc'],
    [{ emotionArc: Array.from({ length: 1001 }, (_, i) => ({ seconds: i, valence: 0, arousal: 0 })) }, 'options.emotionArc'],
  ] as const) {
    const parsed = parseClientFrame(resolveFrame(options), 1 << 20);
    assert.equal(parsed.ok, false, JSON.stringify(options).slice(0, 80));
    if (!parsed.ok) {
      assert.equal(parsed.error.code, 'AM_ERR_PROTOCOL_MALFORMED');
      assert.ok(parsed.error.where?.field?.startsWith(field), `${parsed.error.where?.field} for ${JSON.stringify(options).slice(0, 80)}: ${parsed.error.message}`);
    }
  }
});

test('the pipeline refuses bad steering too (the CLI and code callers), naming the field', () => {
  const refused = (options: Parameters<typeof validateSteering>[0], field: string) =>
    assert.throws(() => validateSteering(options), (e: unknown) => e instanceof MontageError && e.code === 'AM_ERR_INVALID_ARGUMENT' && e.where?.field === field);
  refused({ moodTarget: 'happy' as EmotionLabel }, 'moodTarget');
  refused({ moodTarget: { valence: Number.NaN, arousal: 0 } }, 'moodTarget');
  refused({ emotionArc: [{ seconds: 3, valence: 0, arousal: 0 }, { seconds: 1, valence: 0, arousal: 0 }] }, 'emotionArc[1].seconds');
});
