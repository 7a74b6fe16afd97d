import { test } from 'node:test';
import assert from 'node:assert/strict';
import { preparePlan } from '../../companion/planner/prepare-plan';
import { range } from '../../companion/core/rational';
import { makeInput } from './make-input';

test('a shot with a usable range is placed only from it (the frames of a dissolve beside it are left out)', () => {
  const input = makeInput({ shots: [{ frames: 60, scene: 0, score: 1 }, { frames: 60, scene: 0, score: 1 }], barSeconds: [1, 1] });
  const rate = input.movie.rate;
  // Shot 1 opens with a dissolve over frames 60..71: only 72..119 may be placed.
  const shots = input.shots.map((shot, i) => (i === 1 ? { ...shot, usable: range(72, 48, rate) } : shot));
  const plan = preparePlan({ ...input, shots });
  assert.deepEqual([plan.shotStart[1], plan.shotFrames[1]], [72, 48]);
  assert.deepEqual([plan.shotStart[0], plan.shotFrames[0]], [0, 60]);
});
