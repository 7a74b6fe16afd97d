/**
 * The editor's mood override (`--mood sad`, the panel's mood control): a music encoder that reads every bar and
 * the whole track as the chosen label, at that label's prototype point, with full confidence. It replaces the
 * music encoders of a job, so the planner steers by the editor's choice.
 */
import type { CancellationToken } from '../../core/lifecycle';
import { EMOTION_LABELS, type EmotionLabel } from '../../core/montage';
import type { MusicAnalysis, MusicEmotion, MusicEmotionEncoder } from '../../core/pipeline';
import { LABEL_PROTOTYPES, vectorFromPad } from './emotion-space';

/** `auto` lets the encoders read the mood; a label fixes it. */
export type MoodChoice = 'auto' | EmotionLabel;
export const MOOD_CHOICES: readonly MoodChoice[] = ['auto', ...EMOTION_LABELS];

export function fixedMoodEncoder(label: EmotionLabel): MusicEmotionEncoder {
  const vector = vectorFromPad('mood-override', LABEL_PROTOTYPES[label], 1);
  return {
    id: 'mood-override',
    kind: 'music',
    encodeMusic: async (music: MusicAnalysis, _token: CancellationToken): Promise<MusicEmotion> => ({ global: vector, bars: music.bars.map(() => vector) }),
  };
}
