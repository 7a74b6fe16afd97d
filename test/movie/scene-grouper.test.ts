import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Shot, ShotFeatures } from '../../companion/core/montage';
import { range, rate } from '../../companion/core/rational';
import { SimilarityWindowSceneGrouper, signatureSimilarity } from '../../companion/analysis/movie/scene-grouper';

const fps = rate(24);
const video = { codec: 'h264', width: 64, height: 36, rate: fps, frameCount: 0, rotation: 0, variableFrameRate: false };

function signature(bin: number): number[] {
  const values = new Array<number>(64).fill(0);
  values[bin] = 1;
  return values;
}

function build(bins: readonly number[], seconds = 4): { shots: Shot[]; features: ShotFeatures[] } {
  const shots = bins.map((_, i): Shot => ({ index: i, range: range(i * seconds * 24, seconds * 24, fps), sceneIndex: 0, transitionIn: 'cut' }));
  const features = bins.map(
    (bin, i): ShotFeatures => ({ brightness: 0.5, saturation: 0.5, colourfulness: 0.5, warmth: 0.5, contrast: 0.5, motion: 0, keyframe: i * seconds * 24 + 48, colourSignature: signature(bin) }),
  );
  return { shots, features };
}

test('signature similarity is histogram intersection', () => {
  assert.equal(signatureSimilarity(signature(3), signature(3)), 1);
  assert.equal(signatureSimilarity(signature(3), signature(4)), 0);
});

test('alternating shots of one place stay one scene and a new place starts the next', () => {
  // A B A B (dialogue) then C D C D (another place).
  const { shots, features } = build([1, 2, 1, 2, 7, 8, 7, 8]);
  const grouped = new SimilarityWindowSceneGrouper().group(shots, features, video);
  assert.deepEqual(
    grouped.scenes.map((s) => [s.firstShot, s.shotCount]),
    [
      [0, 4],
      [4, 4],
    ],
  );
  assert.deepEqual(
    grouped.shots.map((s) => s.sceneIndex),
    [0, 0, 0, 0, 1, 1, 1, 1],
  );
});

test('scenes shorter than the minimum join a neighbour and every shot keeps one scene', () => {
  // A lone 2-second shot between two scenes is too short to stand alone.
  const { shots, features } = build([1, 2, 1, 2, 30, 7, 8, 7, 8], 2);
  const grouped = new SimilarityWindowSceneGrouper({ minSceneSeconds: 6 }).group(shots, features, video);
  let next = 0;
  for (const scene of grouped.scenes) {
    assert.equal(scene.firstShot, next);
    next += scene.shotCount;
  }
  assert.equal(next, shots.length);
  assert.equal(grouped.scenes.length, 2);
  // Equally unlike both neighbours: it joins the previous scene.
  assert.deepEqual(
    grouped.scenes.map((s) => [s.firstShot, s.shotCount]),
    [
      [0, 5],
      [5, 4],
    ],
  );
  assert.deepEqual(
    grouped.shots.map((s) => s.sceneIndex),
    [0, 0, 0, 0, 0, 1, 1, 1, 1],
  );
});

test('a scene too short to stand alone joins the neighbour it looks more like', () => {
  const { shots, features } = build([1, 2, 1, 2, 30, 7, 8, 7, 8], 2);
  // Half of its colours are the next scene's: too little to link (below 0.62), enough to prefer that side.
  const mixed = signature(30).map((value, bin) => (bin === 30 || bin === 7 ? 0.5 : value));
  features[4] = { ...features[4]!, colourSignature: mixed };
  const grouped = new SimilarityWindowSceneGrouper({ minSceneSeconds: 6 }).group(shots, features, video);
  assert.deepEqual(
    grouped.scenes.map((s) => [s.firstShot, s.shotCount]),
    [
      [0, 4],
      [4, 5],
    ],
  );
});

test('grouping is deterministic', () => {
  const { shots, features } = build([1, 2, 3, 1, 9, 9, 4, 5, 4, 11, 12]);
  const grouper = new SimilarityWindowSceneGrouper();
  const grouped = grouper.group(shots, features, video);
  assert.deepEqual(grouped, grouper.group(shots, features, video));
  // Links 0→3, 4→5 and 6→8 make scenes 0–3, 4–5, 6–8; the lone 4-second shots 9 and 10 join the scene before.
  assert.deepEqual(
    grouped.scenes.map((s) => [s.firstShot, s.shotCount]),
    [
      [0, 4],
      [4, 2],
      [6, 5],
    ],
  );
});

test('no shots give no scenes', () => {
  assert.deepEqual(new SimilarityWindowSceneGrouper().group([], [], video), { shots: [], scenes: [] });
});
