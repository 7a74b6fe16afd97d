/** Checks of the emotion keys plan.json adds to the plan (companion/pipeline/plan-json.ts), shared by the montage tests. */
import assert from 'node:assert/strict';
import { EMOTION_LABELS } from '../../companion/core/montage';
import type { EmotionReading, PlanJson } from '../../companion/pipeline/plan-json';

const unit = (value: number) => Number.isFinite(value) && value >= 0 && value <= 1;
const signed = (value: number) => Number.isFinite(value) && value >= -1 && value <= 1;

function assertReading(reading: EmotionReading | undefined, where: string): asserts reading is EmotionReading {
  assert.ok(reading, `${where} has an emotion`);
  assert.ok(EMOTION_LABELS.includes(reading.label), `${where}: label ${reading.label}`);
  assert.ok(signed(reading.valence) && signed(reading.arousal) && unit(reading.confidence), `${where}: ${JSON.stringify(reading)}`);
}

/**
 * Every shot carries its fused emotion and one reading per shot encoder; every bar its music emotion, its start
 * and duration beside the plan's own fields; `music` the whole track's reading beside the montage range.
 */
export function assertPlanEmotion(plan: PlanJson, shotEncoders: readonly string[]): void {
  assert.ok(plan.shots.length > 0);
  for (const shot of plan.shots) {
    assertReading(shot.emotion, `shot ${shot.index}`);
    assert.deepEqual(shot.emotion.encoders.map((e) => e.id).sort(), [...shotEncoders].sort(), `shot ${shot.index}: one reading per encoder`);
    for (const reading of shot.emotion.encoders) assertReading(reading, `shot ${shot.index} / ${reading.id}`);
  }

  plan.bars.forEach((bar, k) => {
    assert.equal(bar.index, k);
    assert.equal(bar.start, Number(bar.startSeconds.toFixed(4)), 'start is the plan’s startSeconds');
    assert.equal(bar.duration, Number(bar.durationSeconds.toFixed(4)), 'duration is the plan’s durationSeconds');
    assert.ok(Number.isInteger(bar.beatsPerBar) && bar.beatsPerBar >= 1 && bar.tempoBpm > 0, 'the plan’s own bar fields stay');
    if (bar.confidence !== undefined) assert.ok(unit(bar.confidence), `bar ${k} confidence ${bar.confidence}`);
    assertReading(bar.emotion, `bar ${k}`);
    const next = plan.bars[k + 1];
    if (next) assert.ok(Math.abs(next.startSeconds - (bar.startSeconds + bar.durationSeconds)) < 1e-6, `bar ${k + 1} starts where bar ${k} ends`);
  });

  const { music } = plan;
  assert.equal(music.startSeconds, plan.bars[0]!.startSeconds, 'the montage range is kept');
  assert.ok(typeof music.path === 'string' && music.endSeconds > music.startSeconds);
  assert.ok(music.tempoBpm >= 30 && music.tempoBpm <= 300, `${music.tempoBpm} BPM`);
  assert.ok(music.pulse === 'steady' || music.pulse === 'free', music.pulse);
  // Without a steady pulse the bars are phrases, which may count a single beat.
  assert.ok(Number.isInteger(music.beatsPerBar) && music.beatsPerBar >= (music.pulse === 'free' ? 1 : 2) && music.beatsPerBar <= 12, `${music.beatsPerBar} beats per bar`);
  assert.ok(unit(music.confidence), `music confidence ${music.confidence}`);
  assert.ok(EMOTION_LABELS.includes(music.mood) && signed(music.valence) && signed(music.arousal), JSON.stringify(music));
}
