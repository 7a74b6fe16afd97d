/**
 * The editor's mood override (`--mood sad`, the panel's mood control): a music encoder that reads every bar and
 * the whole track as the chosen label, at that label's prototype point (so nearly all the probability is on the
 * label), with full confidence. It replaces the music encoders of a job, so the planner steers by the editor's
 * choice; plan.json and the protocol show its id, {@link OVERRIDE_ENCODER_ID}.
 */
import type { CancellationToken } from '../../core/lifecycle';
import { EMOTION_LABELS, type EmotionLabel } from '../../core/montage';
import type { MusicAnalysis, MusicEmotion, MusicEmotionEncoder } from '../../core/pipeline';
import { LABEL_PROTOTYPES, vectorFromPad } from './emotion-space';

/** `auto` lets the encoders read the mood; a label fixes it. */
export type MoodChoice = 'auto' | EmotionLabel;
export const MOOD_CHOICES: readonly MoodChoice[] = ['auto', ...EMOTION_LABELS];

export const OVERRIDE_ENCODER_ID = 'override';

export function fixedMoodEncoder(label: EmotionLabel): MusicEmotionEncoder {
  const vector = vectorFromPad(OVERRIDE_ENCODER_ID, LABEL_PROTOTYPES[label], 1);
  return {
    id: OVERRIDE_ENCODER_ID,
    kind: 'music',
    encodeMusic: async (music: MusicAnalysis, _token: CancellationToken): Promise<MusicEmotion> => ({ global: vector, bars: music.bars.map(() => vector) }),
  };
}
