/**
 * plan.json: the solved MontagePlan plus the emotion behind it, so an editor (or a script) can see why each
 * shot was chosen: every shot's fused emotion and each encoder's reading, and the music's reading per bar
 * (`musicReading.bars`, the analysis bars the plan's units were cut from) and for the whole track.
 */
import type { EmotionVector, MontagePlan } from '../core/montage';
import { dominantLabel } from '../analysis/emotion/index';
import type { MontageAnalysis, PlannedInput } from './run-montage';

const round = (value: number) => Number(value.toFixed(4));

function reading(v: EmotionVector) {
  return { label: dominantLabel(v), valence: round(v.valence), arousal: round(v.arousal), confidence: round(v.confidence) };
}

export function planJson(plan: MontagePlan, analysis: MontageAnalysis, planned: PlannedInput): unknown {
  const { emotions, music } = analysis;
  const encoders = Object.entries(emotions.byEncoder.shot);
  const shots = plan.shots.map((shot, i) => {
    const original = planned.originalShots[i] ?? i;
    const fused = emotions.shots[original];
    return {
      ...shot,
      ...(fused
        ? { emotion: { ...reading(fused), encoders: encoders.flatMap(([id, vectors]) => (vectors[original] ? [{ id, ...reading(vectors[original]!) }] : [])) } }
        : {}),
    };
  });
  const musicReading = {
    tempoBpm: round(music.tempoBpm),
    beatsPerBar: music.beatsPerBar,
    confidence: round(music.confidence),
    pulse: music.pulse ?? 'steady',
    mood: dominantLabel(emotions.music.global),
    valence: round(emotions.music.global.valence),
    arousal: round(emotions.music.global.arousal),
    moodConfidence: round(emotions.music.global.confidence),
    bars: music.bars.map((bar, k) => ({
      index: bar.index,
      start: round(bar.startSeconds),
      duration: round(bar.durationSeconds),
      beatsPerBar: bar.beatsPerBar,
      ...(bar.confidence !== undefined ? { confidence: bar.confidence } : {}),
      emotion: emotions.music.bars[k] ? reading(emotions.music.bars[k]!) : undefined,
    })),
    encoders: Object.entries(emotions.byEncoder.music).map(([id, emotion]) => ({ id, ...reading(emotion.global) })),
  };
  return { ...plan, shots, musicReading };
}
