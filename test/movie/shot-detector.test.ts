import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describeMovie } from '../../companion/analysis/movie/describe-movie';
import { ANALYSIS_HEIGHT, ANALYSIS_WIDTH } from '../../companion/analysis/movie/frame-descriptors';
import { DescriptorShotDetector, detectTransitions, transitionsToShots } from '../../companion/analysis/movie/shot-detector';
import { poolScores, scoreTransitions, type Score } from '../../companion/analysis/movie/shot-evaluation';
import { Progress } from '../../companion/core/lifecycle';
import { rate } from '../../companion/core/rational';
import { probeMovie } from '../../companion/media/probe';
import { scratchDir } from '../support/paths';
import { FILM_CLIPS, generatorFfmpeg, loadAnnotation, makeSpliceSpec, renderSplice, type Piece, type Source, type SpliceSpec } from './support/splice';

async function detect(path: string) {
  const { video } = await probeMovie(path);
  const described = await describeMovie(path, video, {}, Progress.None);
  return detectTransitions(described.descriptors, described.frameCount, video.rate);
}

test('on the three annotated real clips every hard cut is found and gradual transitions mostly are', async () => {
  const hard: Score[] = [];
  const gradual: Score[] = [];
  for (const clip of FILM_CLIPS) {
    const annotation = loadAnnotation(clip);
    const transitions = await detect(annotation.path);
    const scores = scoreTransitions(transitions, annotation);
    const h = scores.hard;
    assert.ok(h.f1 >= 0.95, `${clip}: hard-cut F1 ${h.f1.toFixed(3)} (missed ${h.falseNegatives}, false ${h.falsePositives})`);
    hard.push(h);
    gradual.push(scores.gradual);
  }
  assert.ok(poolScores(hard).f1 >= 0.95);
  const g = poolScores(gradual);
  assert.ok(g.f1 >= 0.7, `gradual F1 ${g.f1.toFixed(3)}`);
  assert.ok(g.recall >= 0.75, `gradual recall ${g.recall.toFixed(3)}`);
});

test('a splice with cuts, dissolves, fades and flashes is segmented at the known frames', { skip: generatorFfmpeg() ? false : 'needs an ffmpeg with xfade' }, async () => {
  const dir = scratchDir('movie-splice');
  const spec = makeSpliceSpec({ name: 'unit', seed: 5, pieces: 10, joins: ['cut', 'cut', 'fade', 'fadeblack'], effects: ['none', 'flash'] });
  const truth = await renderSplice(spec, join(dir, 'splice.mp4'));
  assert.ok(truth.cuts.length >= 2 && truth.gradual.length >= 2 && truth.flashes.length >= 1, 'the recipe covers every case');
  const transitions = await detect(join(dir, 'splice.mp4'));
  const cuts = transitions.filter((t) => t.kind === 'cut').map((t) => t.boundary);
  const { hard, gradual } = scoreTransitions(transitions, truth);
  assert.equal(hard.f1, 1, `cuts ${cuts} against ${truth.cuts}`);
  // Frame-exact: every cut is found at exactly its frame.
  for (const cut of truth.cuts) assert.ok(cuts.includes(cut), `cut at ${cut}`);
  for (const flash of truth.flashes) assert.ok(!cuts.some((c) => Math.abs(c - flash) <= 3), `flash at ${flash} is not a cut`);
  assert.ok(gradual.recall >= 0.75, `gradual recall ${gradual.recall}`);
});

test('shots tile the frames and begin with the transition that opens them', () => {
  const shots = transitionsToShots(
    [
      { kind: 'cut', start: 10, end: 10, boundary: 10, strength: 1 },
      { kind: 'dissolve', start: 20, end: 30, boundary: 25, strength: 1 },
    ],
    40,
    rate(24),
  );
  assert.deepEqual(
    shots.map((s) => [s.range.start.value, s.range.duration.value, s.transitionIn]),
    [
      [0, 10, 'cut'],
      [10, 15, 'cut'],
      [25, 15, 'dissolve'],
    ],
  );
});

test('the pipeline detector finds a cut between two pictures pushed frame by frame', () => {
  const detector = new DescriptorShotDetector();
  const video = { codec: 'raw', width: 64, height: 36, rate: rate(24), frameCount: 48, rotation: 0, variableFrameRate: false };
  const sink = detector.start(video);
  for (let index = 0; index < 48; index++) {
    const data = new Uint8Array(ANALYSIS_WIDTH * ANALYSIS_HEIGHT * 3);
    for (let p = 0; p < ANALYSIS_WIDTH * ANALYSIS_HEIGHT; p++) {
      const x = p % ANALYSIS_WIDTH;
      const y = Math.floor(p / ANALYSIS_WIDTH);
      // Shot 1: vertical stripes drifting right; shot 2: horizontal stripes in other colours.
      const on = index < 24 ? Math.floor((x + index) / 6) % 2 : Math.floor(y / 5) % 2;
      data.set(index < 24 ? [on ? 220 : 30, 60, 40] : [20, on ? 200 : 50, on ? 240 : 90], p * 3);
    }
    sink.push({ index, width: ANALYSIS_WIDTH, height: ANALYSIS_HEIGHT, data });
  }
  const shots = sink.finish();
  assert.deepEqual(
    shots.map((s) => s.range.start.value),
    [0, 24],
  );
  assert.throws(() => detector.start(video).push({ index: 0, width: 32, height: 18, data: new Uint8Array(32 * 18 * 3) }), RangeError);
});

const generated = { skip: generatorFfmpeg() ? false : 'needs an ffmpeg with xfade' };

/** Renders one spec of real footage into the scratch folder and detects its transitions. */
async function detectSpec(spec: SpliceSpec) {
  const path = join(scratchDir('movie-action'), `${spec.name}.mp4`);
  const truth = await renderSplice(spec, path);
  return { truth, transitions: await detect(path) };
}

function single(name: string, piece: Piece): SpliceSpec {
  return { name, fps: 24, width: 640, height: 360, pieces: [piece], joins: [] };
}

test('a light pulse of 11 frames on real footage is neither a cut nor a transition', generated, async () => {
  const { truth, transitions } = await detectSpec(single('pulse', { clip: 'nosferatu_1922_excerpt', start: 557, length: 50, effect: 'pulse', flashAt: 15, flashLength: 11 }));
  assert.equal(truth.negatives?.length, 1);
  assert.deepEqual(transitions.map((t) => `${t.kind} ${t.start}-${t.end}`), []);
});

test('an explosion (bright and warm, fading over 6 frames) is not a dissolve', generated, async () => {
  const { transitions } = await detectSpec(single('explosion', { clip: 'big_buck_bunny_first60s', start: 573, length: 90, effect: 'explosion', flashAt: 21, flashLength: 6 }));
  assert.deepEqual(transitions.map((t) => `${t.kind} ${t.start}-${t.end}`), []);
});

test('a 12-frame dissolve between two real shots is one span within 2 frames, and neither shot places its frames', generated, async () => {
  const spec: SpliceSpec = {
    name: 'dissolve-12',
    fps: 24,
    width: 640,
    height: 360,
    pieces: [
      { clip: 'big_buck_bunny_first60s', start: 1160, length: 60, effect: 'none' },
      { clip: 'nosferatu_1922_excerpt', start: 1030, length: 60, effect: 'none' },
    ],
    joins: [{ kind: 'fade', frames: 12 }],
  };
  const { truth, transitions } = await detectSpec(spec);
  const [reference] = truth.gradual;
  assert.ok(reference && reference.end - reference.start === 11);
  assert.equal(transitions.length, 1, transitions.map((t) => `${t.kind} ${t.start}-${t.end}`).join(', '));
  const [found] = transitions;
  assert.equal(found!.kind, 'dissolve');
  assert.ok(Math.abs(found!.start - reference.start) <= 2 && Math.abs(found!.end - reference.end) <= 2, `found ${found!.start}-${found!.end}, made ${reference.start}-${reference.end}`);
  const shots = transitionsToShots(transitions, truth.frameCount, rate(24));
  const usable = shots.map((shot) => shot.usable ?? shot.range);
  for (const range of usable) {
    const first = range.start.value;
    const last = first + range.duration.value - 1;
    assert.ok(last < found!.start || first > found!.end, `usable ${first}-${last} overlaps the dissolve ${found!.start}-${found!.end}`);
  }
});

test('shots beside a dissolve or fade keep the whole range but place only outside the transition', () => {
  const shots = transitionsToShots(
    [
      { kind: 'cut', start: 10, end: 10, boundary: 10, strength: 1 },
      { kind: 'dissolve', start: 20, end: 30, boundary: 25, strength: 1 },
      { kind: 'fade', start: 36, end: 38, boundary: 37, strength: 1 },
    ],
    50,
    rate(24),
  );
  assert.deepEqual(
    shots.map((s) => [s.range.start.value, s.range.duration.value, s.usable?.start.value, s.usable?.duration.value]),
    [
      [0, 10, undefined, undefined],
      [10, 15, 10, 10],
      [25, 12, 31, 5],
      [37, 13, 39, 11],
    ],
  );
});

/** A dark jump cut within one clip: frames [first] then [second] of `clip`, cut together; the cut is found at its first frame. */
async function checkJumpCut(name: string, clip: Source, [start1, length1]: [number, number], [start2, length2]: [number, number]): Promise<void> {
  const spec: SpliceSpec = {
    name,
    fps: 24,
    width: 640,
    height: 360,
    pieces: [
      { clip, start: start1, length: length1, effect: 'dark' },
      { clip, start: start2, length: length2, effect: 'dark', continues: true },
    ],
    joins: [{ kind: 'cut', frames: 0 }],
  };
  const { truth, transitions } = await detectSpec(spec);
  assert.deepEqual(truth.cuts, [length1]);
  assert.deepEqual(transitions.map((t) => `${t.kind} ${t.start}-${t.end}`), [`cut ${length1}-${length1}`]);
}

test('a jump cut inside one dark real shot (the picture moved on 2.4 s, the look stayed) is a cut at its first frame', generated, async () => {
  await checkJumpCut('jump-cut', 'nosferatu_1922_excerpt', [1021, 25], [1104, 39]);
});

test('the first frame of a fast zoom in a still shot is no cut', generated, async () => {
  const { transitions } = await detectSpec(single('zoom', { clip: 'nosferatu_1922_excerpt', start: 300, length: 48, effect: 'zoom', flashAt: 20, flashLength: 6 }));
  assert.deepEqual(transitions.map((t) => `${t.kind} ${t.start}-${t.end}`), []);
});

test('a jump cut inside a busy dark picture (a cellular automaton 4 s on, which the block search explains away) is a cut by its structure', generated, async () => {
  await checkJumpCut('jump-cut-busy', 'cellauto', [667, 27], [773, 32]);
});
