import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancellationToken } from '../../companion/core/lifecycle';
import { colourPad, cutRateArousal, encodeFrameAffect, FrameAffectEncoder, motionArousal } from '../../companion/analysis/emotion/frame-affect';
import { dominantLabel } from '../../companion/analysis/emotion/emotion-space';
import { movieAnalysis } from './make-analysis';

test('bright saturated colour reads as more pleasant and more arousing than dark grey (Valdez & Mehrabian)', () => {
  const bright = colourPad({ brightness: 0.75, saturation: 0.7, warmth: 0.6, contrast: 0.3, colourfulness: 0.5 });
  const dark = colourPad({ brightness: 0.12, saturation: 0.05, warmth: 0.5, contrast: 0.3, colourfulness: 0.05 });
  assert.ok(bright.valence > 0.3 && dark.valence < -0.3, `${bright.valence} vs ${dark.valence}`);
  assert.ok(bright.arousal > dark.arousal);
  assert.ok(dark.dominance > bright.dominance, 'dark colours read as more dominant');
});

test('motion and cutting rate raise arousal monotonically and stay in [-1, 1]', () => {
  assert.ok(motionArousal(0.2, 0.03) > motionArousal(0.03, 0.03));
  assert.ok(motionArousal(0.03, 0.03) > motionArousal(0.002, 0.03));
  assert.equal(motionArousal(0.03, 0.03), 0);
  assert.ok(cutRateArousal(0.8, 3) > 0.5 && cutRateArousal(10, 3) < -0.5);
  assert.ok(Math.abs(motionArousal(Number.NaN, 0.03)) <= 1);
});

test('a bright, saturated, fast-cut action shot outranks a dark, still, long shot on arousal and valence', async () => {
  const movie = movieAnalysis([
    { brightness: 0.7, saturation: 0.6, motion: 0.15, seconds: 0.8 },
    { brightness: 0.7, saturation: 0.6, motion: 0.15, seconds: 0.8 },
    { brightness: 0.7, saturation: 0.6, motion: 0.15, seconds: 0.8 },
    { brightness: 0.1, saturation: 0.05, motion: 0.003, seconds: 12 },
    { brightness: 0.1, saturation: 0.05, motion: 0.003, seconds: 12 },
    { brightness: 0.1, saturation: 0.05, motion: 0.003, seconds: 12 },
  ]);
  const vectors = await new FrameAffectEncoder().encodeShots(movie, CancellationToken.None);
  assert.equal(vectors.length, 6);
  assert.ok(vectors[0]!.arousal > 0.4 && vectors[5]!.arousal < -0.3, `${vectors[0]!.arousal} / ${vectors[5]!.arousal}`);
  assert.ok(vectors[0]!.valence > vectors[5]!.valence);
  assert.equal(dominantLabel(vectors[0]!), 'excited');
  assert.equal(dominantLabel(vectors[5]!), 'sad');
  assert.ok(vectors.every((v) => v.encoderId === 'frame-affect' && v.confidence > 0));
});

test('switching cues off (ablation) removes their effect', () => {
  const movie = movieAnalysis([{ motion: 0.3, seconds: 0.5 }, { motion: 0.3, seconds: 0.5 }]);
  const all = encodeFrameAffect(movie);
  const noMotion = encodeFrameAffect(movie, 'x', { cues: { motion: false, cutRate: false } });
  assert.ok(all[0]!.arousal > noMotion[0]!.arousal + 0.2);
  const nothing = encodeFrameAffect(movie, 'x', { cues: { colour: false, motion: false, cutRate: false } });
  assert.equal(nothing[0]!.confidence, 0);
});
