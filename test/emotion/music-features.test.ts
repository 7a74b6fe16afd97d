import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancellationToken } from '../../companion/core/lifecycle';
import { dominantLabel } from '../../companion/analysis/emotion/emotion-space';
import { encodeMusicFeatures, globalBarFeatures, MusicFeatureEncoder, musicCueValues } from '../../companion/analysis/emotion/music-features';
import { musicAnalysis } from './make-analysis';

const happy = { loudnessDb: -10, onsetDensity: 8, spectralCentroidHz: 900, mode: 0.9 };
const sad = { loudnessDb: -26, onsetDensity: 2, spectralCentroidHz: 300, mode: -0.9 };

test('fast, loud, bright, major music reads as excited; slow, soft, dark, minor music as sad (Eerola et al.)', async () => {
  const excited = await new MusicFeatureEncoder().encodeMusic(musicAnalysis([happy, happy, happy, happy], 170), CancellationToken.None);
  const gloomy = await new MusicFeatureEncoder().encodeMusic(musicAnalysis([sad, sad, sad, sad], 60), CancellationToken.None);
  assert.equal(dominantLabel(excited.global), 'excited');
  assert.equal(dominantLabel(gloomy.global), 'sad');
  assert.ok(excited.global.valence > 0.3 && excited.global.arousal > 0.3);
  assert.ok(gloomy.global.valence < -0.3 && gloomy.global.arousal < -0.3);
});

test('loud, dense, fast minor music reads as tense; a reference-level track as neutral', () => {
  const tense = encodeMusicFeatures(musicAnalysis([{ loudnessDb: -10, onsetDensity: 8, spectralCentroidHz: 500, mode: -0.8 }], 160));
  assert.equal(dominantLabel(tense.global), 'tense');
  const plain = encodeMusicFeatures(musicAnalysis([{}, {}, {}], 120));
  assert.equal(dominantLabel(plain.global), 'neutral');
});

test('there is one vector per bar, and a change of mood inside the track shows in the bar vectors', () => {
  const bars = [happy, happy, happy, happy, sad, sad, sad, sad];
  const result = encodeMusicFeatures(musicAnalysis(bars, 120), 'music-features', { smoothBars: 0 });
  assert.equal(result.bars.length, 8);
  assert.ok(result.bars[0]!.valence > 0.2 && result.bars[7]!.valence < -0.2);
});

test('the whole-track features use mean power for loudness and medians elsewhere', () => {
  const g = globalBarFeatures(musicAnalysis([{ loudnessDb: -10 }, { loudnessDb: -40 }]).barFeatures, 100);
  assert.ok(Math.abs(g.loudnessDb - 10 * Math.log10((0.1 + 0.0001) / 2)) < 1e-9);
  const three = globalBarFeatures(
    musicAnalysis([
      { mode: 0.9, onsetDensity: 1, spectralCentroidHz: 3000 },
      { mode: -0.6, onsetDensity: 6, spectralCentroidHz: 900 },
      { mode: 0.2, onsetDensity: 2, spectralCentroidHz: 1500 },
    ]).barFeatures,
    100,
  );
  assert.equal(three.mode, 0.2, 'median mode, not the mean (0.17)…');
  assert.equal(three.onsetDensity, 2, '…median onsets, not the mean (3)');
  assert.equal(three.spectralCentroidHz, 1500);
  assert.equal(three.tempoBpm, 100);
  const cues = musicCueValues({ ...g, spectralCentroidHz: Number.NaN }, Number.NaN);
  assert.ok(Object.values(cues).every(Number.isFinite));
});

test('switching the mode cue off (ablation) removes its effect on valence', () => {
  const major = musicAnalysis([{ mode: 1 }], 120);
  const minor = musicAnalysis([{ mode: -1 }], 120);
  assert.ok(encodeMusicFeatures(major).global.valence > encodeMusicFeatures(minor).global.valence + 0.3);
  const off = { cues: { mode: false } };
  assert.ok(Math.abs(encodeMusicFeatures(major, 'x', off).global.valence - encodeMusicFeatures(minor, 'x', off).global.valence) < 1e-9);
});

test('tension separates fear from sadness: dark, minor, unclear-chroma music at moderate energy reads fearful', () => {
  const flat = Array.from({ length: 12 }, () => 1 / 12);
  const fearful = encodeMusicFeatures(musicAnalysis([{ loudnessDb: -14, onsetDensity: 4.5, spectralCentroidHz: 250, mode: -0.8, chroma: flat }], 90));
  const clear = Array.from({ length: 12 }, (_, k) => (k === 0 || k === 3 || k === 7 ? 0.3 : 0.1 / 9));
  const sad = encodeMusicFeatures(musicAnalysis([{ loudnessDb: -24, onsetDensity: 3, spectralCentroidHz: 600, mode: -0.6, chroma: clear }], 70));
  assert.equal(dominantLabel(fearful.global), 'fearful');
  assert.equal(dominantLabel(sad.global), 'sad');
});
