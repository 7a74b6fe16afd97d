import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancellationToken } from '../../companion/core/lifecycle';
import { EMOTION_LABELS } from '../../companion/core/montage';
import { dominantLabel, scoreEmotions, scoreMusicEmotion } from '../../companion/analysis/emotion/index';
import { LABEL_PROTOTYPES } from '../../companion/analysis/emotion/emotion-space';
import { FrameAffectEncoder } from '../../companion/analysis/emotion/frame-affect';
import { fixedMoodEncoder, MOOD_CHOICES, OVERRIDE_ENCODER_ID } from '../../companion/analysis/emotion/fixed-mood';
import { movieAnalysis, musicAnalysis } from './make-analysis';

const music = musicAnalysis([{ mode: 0.8, loudnessDb: -10 }, { mode: -0.8, loudnessDb: -26 }, {}], 150);

test('the mood choices are auto and the six labels', () => {
  assert.deepEqual([...MOOD_CHOICES], ['auto', ...EMOTION_LABELS]);
});

test('a fixed mood reads the whole track and every bar as that label, at its prototype point, with full confidence', async () => {
  for (const label of EMOTION_LABELS) {
    const { music: emotion, byEncoder } = await scoreMusicEmotion(music, [fixedMoodEncoder(label)], CancellationToken.None);
    assert.deepEqual(Object.keys(byEncoder), [OVERRIDE_ENCODER_ID]);
    assert.equal(OVERRIDE_ENCODER_ID, 'override');
    for (const vector of [emotion.global, ...emotion.bars]) {
      assert.equal(dominantLabel(vector), label);
      assert.ok((vector.values[EMOTION_LABELS.indexOf(label)] ?? 0) > 0.9, `${label}: ${vector.values.map((v) => v.toFixed(3)).join(' ')}`);
      assert.deepEqual([vector.valence, vector.arousal, vector.confidence], [LABEL_PROTOTYPES[label].valence, LABEL_PROTOTYPES[label].arousal, 1]);
    }
    assert.equal(emotion.bars.length, music.bars.length);
  }
});

test('with a fixed mood the shots nearest that mood score highest', async () => {
  const movie = movieAnalysis([
    { brightness: 0.8, saturation: 0.7, warmth: 0.8, motion: 0.12 },
    { brightness: 0.15, saturation: 0.05, warmth: 0.2, motion: 0.002 },
  ]);
  const scores = async (label: 'excited' | 'sad') => (await scoreEmotions(movie, music, { shot: [new FrameAffectEncoder()], music: [fixedMoodEncoder(label)] }, CancellationToken.None)).shotScores;
  const [bright, dark] = await scores('excited');
  const [brightSad, darkSad] = await scores('sad');
  assert.ok(bright! > dark!, `excited music: the bright, moving shot wins (${bright} vs ${dark})`);
  assert.ok(darkSad! > brightSad!, `sad music: the dark, still shot wins (${darkSad} vs ${brightSad})`);
});
