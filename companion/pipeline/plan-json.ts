/**
 * plan.json: the solved MontagePlan (schema MontagePlan.1, every field as the planner wrote it) plus the emotion
 * behind it, so an editor or a script can see why each shot was chosen. Added keys only, none changed:
 *   shots[i].emotion  {label, valence, arousal, confidence, encoders: [{id, label, valence, arousal, confidence}]}:
 *                     the fused reading of the shot and each shot encoder's
 *   bars[k]           + {start, duration, emotion: {label, valence, arousal, confidence}}: the music under the
 *                     plan's unit k (a bar, a pair of bars or a beat, by granularity; the mean of its bars)
 *   music             + {tempoBpm, beatsPerBar, confidence, pulse, mood, valence, arousal}: the whole track
 *   granularity       {requested, unit, reason, sections: [{firstBar, barCount, unit, startSeconds, endSeconds,
 *                     unitSeconds}], candidates: [{unit, unitSeconds, fits, scorePerCut?}]}: the unit cut on and why
 *   relaxations       [{relax, message, from, to, alternatives}]: what the planner loosened, in order (empty: nothing)
 * Times are music-file seconds; valence and arousal lie in [-1, 1], confidences in [0, 1].
 */
import type { EmotionLabel, EmotionVector, MontagePlan } from '../core/montage';
import type { GranularityChoice, MontageSolution, RelaxationNotice } from '../planner/index';
import { dominantLabel } from '../analysis/emotion/index';
import type { MontageAnalysis, PlannedInput } from './run-montage';

export interface EmotionReading {
  readonly label: EmotionLabel;
  readonly valence: number;
  readonly arousal: number;
  readonly confidence: number;
}

export interface PlanJsonShot {
  readonly emotion?: EmotionReading & { readonly encoders: readonly (EmotionReading & { readonly id: string })[] };
}

export interface PlanJsonBar {
  readonly start: number;
  readonly duration: number;
  readonly emotion?: EmotionReading;
}

export interface PlanJsonMusic {
  readonly tempoBpm: number;
  readonly beatsPerBar: number;
  readonly confidence: number;
  readonly pulse: 'steady' | 'free';
  readonly mood: EmotionLabel;
  readonly valence: number;
  readonly arousal: number;
}

/** What plan.json holds: the plan with the emotion keys added to its shots, bars and music. */
export type PlanJson = Omit<MontagePlan, 'shots' | 'bars' | 'music'> & {
  readonly shots: readonly (MontagePlan['shots'][number] & PlanJsonShot)[];
  readonly bars: readonly (MontagePlan['bars'][number] & PlanJsonBar)[];
  readonly music: MontagePlan['music'] & PlanJsonMusic;
  readonly granularity: GranularityChoice;
  readonly relaxations: readonly RelaxationNotice[];
};

const round = (value: number) => Number(value.toFixed(4));

function reading(v: EmotionVector): EmotionReading {
  return { label: dominantLabel(v), valence: round(v.valence), arousal: round(v.arousal), confidence: round(v.confidence) };
}

/** `unitEmotions[k]`: the music's emotion under the plan's unit k (run-montage's unitMusicEmotions). */
export function planJson(solution: MontageSolution, analysis: MontageAnalysis, planned: Pick<PlannedInput, 'originalShots'>, unitEmotions: readonly (EmotionVector | undefined)[]): PlanJson {
  const { plan } = solution;
  const { emotions, music } = analysis;
  const encoders = Object.entries(emotions.byEncoder.shot);
  const shots = plan.shots.map((shot, i) => {
    const original = planned.originalShots[i] ?? i;
    const fused = emotions.shots[original];
    if (!fused) return shot;
    const byEncoder = encoders.flatMap(([id, vectors]) => {
      const vector = vectors[original];
      return vector ? [{ id, ...reading(vector) }] : [];
    });
    return { ...shot, emotion: { ...reading(fused), encoders: byEncoder } };
  });
  // The plan's bars are the first units of the cut (the planner may stop before the last).
  const bars = plan.bars.map((bar, k) => {
    const emotion = unitEmotions[k];
    return { ...bar, start: round(bar.startSeconds), duration: round(bar.durationSeconds), ...(emotion ? { emotion: reading(emotion) } : {}) };
  });
  const global = emotions.music.global;
  return {
    ...plan,
    shots,
    bars,
    music: {
      ...plan.music,
      tempoBpm: round(music.tempoBpm),
      beatsPerBar: music.beatsPerBar,
      confidence: round(music.confidence),
      pulse: music.pulse ?? 'steady',
      mood: dominantLabel(global),
      valence: round(global.valence),
      arousal: round(global.arousal),
    },
    granularity: solution.granularity,
    relaxations: solution.relaxations,
    // A source skipped or merged (docs/sources.md) is a notice of plan.json too, not only of the report.
    diagnostics: [...(analysis.sourceNotices ?? []), ...plan.diagnostics],
  };
}
