import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseMovie } from '../../companion/analysis/movie/analyse-movie';
import { describeMovie } from '../../companion/analysis/movie/describe-movie';
import { detectTransitions, learnedShotMode } from '../../companion/analysis/movie/shot-detector';
import { decodeTransitions, defaultShotModelPath, detectTransitionsLearned, LEARNED_DECODERS, transitionActivations } from '../../companion/analysis/movie/transition-model';
import { CancellationToken, Progress } from '../../companion/core/lifecycle';
import { probeMovie } from '../../companion/media/probe';
import { repoRoot, scratchDir } from '../support/paths';
import { generatorFfmpeg, renderSplice, type SpliceSpec, type SpliceTruth } from './support/splice';

const generated = { skip: generatorFfmpeg() ? false : 'needs an ffmpeg with xfade' };

/**
 * Real footage: a hard cut, then a 2-frame white flash inside the second shot, then a 12-frame dissolve.
 * Rendered once and shared by the tests below.
 */
const SPEC: SpliceSpec = {
  name: 'learned-cut-flash-dissolve',
  fps: 24,
  width: 640,
  height: 360,
  pieces: [
    { clip: 'nosferatu_1922_excerpt', start: 557, length: 50, effect: 'none' },
    { clip: 'big_buck_bunny_first60s', start: 573, length: 70, effect: 'flash-white', flashAt: 30, flashLength: 2 },
    { clip: 'nosferatu_1922_excerpt', start: 1030, length: 60, effect: 'none' },
  ],
  joins: [
    { kind: 'cut', frames: 0 },
    { kind: 'fade', frames: 12 },
  ],
};

let rendered: Promise<{ path: string; truth: SpliceTruth }> | undefined;
function splice(): Promise<{ path: string; truth: SpliceTruth }> {
  rendered ??= (async () => {
    const path = join(scratchDir('movie-learned'), `${SPEC.name}.mp4`);
    return { path, truth: await renderSplice(SPEC, path) };
  })();
  return rendered;
}

async function describe(path: string) {
  const { video } = await probeMovie(path);
  const described = await describeMovie(path, video, {}, Progress.None);
  return { video, descriptors: described.descriptors, frames: described.frameCount };
}

const spans = (transitions: readonly { kind: string; start: number; end: number }[]) => transitions.map((t) => `${t.kind} ${t.start}-${t.end}`).join(', ');

test('the committed shot model is the catalogued file and gives two probabilities per frame', generated, async () => {
  const path = defaultShotModelPath();
  assert.equal(path, join(repoRoot, 'models', 'shots', 'transition-tcn.onnx'));
  const catalogue = JSON.parse(readFileSync(join(repoRoot, 'models', 'models.json'), 'utf8')) as { models: { id: string; sha256: string }[] };
  const record = catalogue.models.find((m) => m.id === 'transition-tcn');
  assert.equal(createHash('sha256').update(readFileSync(path)).digest('hex'), record?.sha256);

  const { path: movie, truth } = await splice();
  const { descriptors, frames } = await describe(movie);
  const activations = await transitionActivations(descriptors, frames);
  assert.equal(activations.length, frames * 2);
  for (const value of activations) assert.ok(value >= 0 && value <= 1);
  // The network itself, before any decoding: a peak at the cut, a run over the dissolve, quiet on the flash.
  const cut = truth.cuts[0]!;
  assert.ok(Math.max(...[-1, 0, 1].map((k) => activations[(cut + k) * 2]!)) > 0.5, `P(cut) near frame ${cut}`);
  const dissolve = truth.gradual[0]!;
  const middle = Math.round((dissolve.start + dissolve.end) / 2);
  assert.ok(activations[middle * 2 + 1]! > 0.5, `P(gradual) at ${middle}: ${activations[middle * 2 + 1]}`);
  const flash = truth.negatives!.find((n) => n.kind === 'flash-white')!;
  for (let t = flash.start - 1; t <= flash.end + 2; t++) assert.ok(activations[t * 2]! < 0.5, `P(cut) at flash frame ${t}: ${activations[t * 2]}`);
});

test('hybrid decoding keeps the cut, reports the dissolve with its span and ignores the flash', generated, async () => {
  const { path, truth } = await splice();
  assert.equal(truth.cuts.length, 1);
  assert.equal(truth.gradual.length, 1);
  const { video, descriptors, frames } = await describe(path);
  const transitions = await detectTransitionsLearned(descriptors, frames, video.rate, {}, LEARNED_DECODERS.hybrid);
  assert.equal(transitions.length, 2, spans(transitions));
  const [cut, dissolve] = transitions;
  assert.equal(cut!.kind, 'cut');
  assert.ok(Math.abs(cut!.boundary - truth.cuts[0]!) <= 1, `cut at ${cut!.boundary}, made at ${truth.cuts[0]}`);
  const reference = truth.gradual[0]!;
  assert.equal(dissolve!.kind, 'dissolve');
  assert.ok(Math.abs(dissolve!.start - reference.start) <= 2 && Math.abs(dissolve!.end - reference.end) <= 2, `found ${dissolve!.start}-${dissolve!.end}, made ${reference.start}-${reference.end}`);
  const flash = truth.negatives!.find((n) => n.kind === 'flash-white')!;
  assert.ok(!transitions.some((t) => t.end >= flash.start - 3 && t.start <= flash.end + 3), `nothing at the flash ${flash.start}-${flash.end}: ${spans(transitions)}`);
});

test('without the model file, hybrid analysis falls back to the classical detector with an AM_ERR_MODEL_MISSING notice', generated, async () => {
  const { path } = await splice();
  const saved = process.env['AM_SHOT_MODEL'];
  process.env['AM_SHOT_MODEL'] = join(scratchDir('movie-learned'), 'no-such-model.onnx');
  try {
    const messages: string[] = [];
    const result = await analyseMovie(path, { detection: { learned: 'hybrid' } }, { report: (r) => void (r.message && messages.push(r.message)) }, CancellationToken.None);
    const notice = result.diagnostics.find((d) => d.code === 'AM_ERR_MODEL_MISSING');
    assert.ok(notice, `diagnostics: ${JSON.stringify(result.diagnostics)}`);
    assert.match(notice.message, /classical detector/);
    assert.ok(messages.some((m) => m === notice.message), 'the notice is reported as progress too');
    const { video, descriptors, frames } = await describe(path);
    const classical = detectTransitions(descriptors, frames, video.rate);
    assert.deepEqual(result.transitions, classical.map(({ kind, start, end, boundary }) => ({ kind, start, end, boundary })));
  } finally {
    if (saved === undefined) delete process.env['AM_SHOT_MODEL'];
    else process.env['AM_SHOT_MODEL'] = saved;
  }
});

test('the hybrid is the default detector; AM_SHOT_DETECTOR=classical (or off) is the way back', () => {
  const saved = process.env['AM_SHOT_DETECTOR'];
  try {
    delete process.env['AM_SHOT_DETECTOR'];
    assert.equal(learnedShotMode(), 'hybrid');
    assert.equal(learnedShotMode({ learned: 'off' }), 'off');
    for (const [value, mode] of [['classical', 'off'], ['off', 'off'], ['model', 'model'], ['hybrid', 'hybrid']] as const) {
      process.env['AM_SHOT_DETECTOR'] = value;
      assert.equal(learnedShotMode(), mode, value);
    }
    assert.equal(learnedShotMode({ learned: 'hybrid' }), 'hybrid', 'the option wins over the environment');
  } finally {
    if (saved === undefined) delete process.env['AM_SHOT_DETECTOR'];
    else process.env['AM_SHOT_DETECTOR'] = saved;
  }
});

test('a gradual run into the last frame is no transition: no shot follows it', generated, async () => {
  const { path } = await splice();
  const { video, descriptors, frames } = await describe(path);
  const decode = (from: number, to: number) => {
    const activations = new Float32Array(frames * 2);
    for (let t = from; t <= to; t++) activations[t * 2 + 1] = 0.9;
    return decodeTransitions(descriptors, activations, frames, video.rate, LEARNED_DECODERS.model).map((t) => [t.kind, t.start, t.end]);
  };
  assert.deepEqual(decode(frames - 8, frames - 1), []);
  assert.deepEqual(decode(frames - 12, frames - 5), [['dissolve', frames - 12, frames - 5]]);
});
