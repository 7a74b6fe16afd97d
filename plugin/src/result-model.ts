/**
 * What the panel derives from a montage result: the emotion plot's series, the bar markers for Premiere, and
 * the shots the editor dropped by disabling clips in a generated sequence. Pure: no host calls, no DOM.
 */
import type { ChosenShot, EmotionSummary, MontageResultMessage } from '../../companion/protocol/messages';
import { unitMarkerName, unitsOfBars, type CutGranularity } from '../../companion/core/montage';
import type { Rate } from '../../companion/core/rational';
import type { HostMarker, HostSequence, MarkerColour } from './host';
import { framesToTicks, parseTicks } from './ticks';

/** One point per montage bar: the music's emotion under it and the emotion of the shot placed on it. */
export interface EmotionPoint {
  /** The bar's index in the analysis. */
  readonly bar: number;
  /** Seconds from the montage start. */
  readonly timeSeconds: number;
  readonly musicValence: number;
  readonly musicArousal: number;
  /** NaN when the shot's emotion is unknown. */
  readonly shotValence: number;
  readonly shotArousal: number;
  /** Cosine similarity of the two probability vectors, NaN when either is unknown. */
  readonly similarity: number;
  readonly shotIndex: number;
  readonly musicLabel: string;
  readonly shotLabel: string;
}

/** The bars the montage covers, in order, with the chosen shot of each. */
export function montageBars(result: MontageResultMessage): { bar: number; shot: ChosenShot }[] {
  const out: { bar: number; shot: ChosenShot }[] = [];
  for (const shot of result.montage.chosen) {
    for (let offset = 0; offset < shot.barCount; offset++) out.push({ bar: shot.firstBar + offset, shot });
  }
  return out;
}

/** The plot's series: music vs chosen shot emotion per bar. */
export function emotionSeries(result: MontageResultMessage): EmotionPoint[] {
  const bars = montageBars(result);
  const first = bars[0];
  if (!first) return [];
  const startSeconds = barStart(result, first.bar) ?? 0;
  return bars.map(({ bar, shot }) => {
    const music = barEmotion(result, bar);
    const shotEmotion = shot.emotion;
    return {
      bar,
      timeSeconds: (barStart(result, bar) ?? startSeconds) - startSeconds,
      musicValence: music?.valence ?? Number.NaN,
      musicArousal: music?.arousal ?? Number.NaN,
      shotValence: shotEmotion?.valence ?? Number.NaN,
      shotArousal: shotEmotion?.arousal ?? Number.NaN,
      similarity: music && shotEmotion ? cosine(music.values, shotEmotion.values) : Number.NaN,
      shotIndex: shot.shotIndex,
      musicLabel: music?.label ?? '',
      shotLabel: shotEmotion?.label ?? '',
    };
  });
}

/**
 * A marker at the start of every bar the montage covers, snapped to the sequence frame (the generated
 * sequence runs at the movie's rate), counted from the sequence start.
 */
export function barMarkers(result: MontageResultMessage, rate: Rate = result.analysis.movie.frameRate): HostMarker[] {
  const bars = montageBars(result);
  const first = bars[0];
  if (!first) return [];
  const origin = barStart(result, first.bar) ?? result.montage.plan.music.startSeconds;
  const { granularity } = result.montage.plan.options;
  const sections = result.montage.plan.granularity?.sections ?? [];
  // Named by the unit cut on, as every timeline file names its markers ("Beat 12"); a plan cut per section
  // takes the unit of the section the unit starts in.
  const unitOf = (bar: number): CutGranularity => (granularity !== 'mixed' ? granularity : (unitsOfBars([{ startSeconds: barStart(result, bar) ?? 0 }], sections)[0] ?? 'bar'));
  return bars.map(({ bar, shot }) => {
    const seconds = (barStart(result, bar) ?? origin) - origin;
    const frame = Math.round((seconds * rate.num) / rate.den);
    const music = barEmotion(result, bar);
    const fit = music && shot.emotion ? cosine(music.values, shot.emotion.values) : Number.NaN;
    const va = (emotion: EmotionSummary | undefined) => (emotion ? `valence ${signed(emotion.valence)}, arousal ${signed(emotion.arousal)}` : 'unknown');
    // The colour says how well the shot fits the music there, the comment why.
    return {
      name: unitMarkerName(unitOf(bar), bar),
      startTicks: framesToTicks(frame, rate),
      comment: `Shot ${shot.shotIndex + 1}, scene ${shot.sceneIndex + 1}. Music: ${va(music)}. Shot: ${va(shot.emotion)}.${Number.isFinite(fit) ? ` Fit ${fit.toFixed(2)}.` : ''}`,
      ...(Number.isFinite(fit) ? { colour: fitColour(fit) } : {}),
    };
  });
}

/** How well a shot fits the music (cosine of the emotion vectors) as a marker colour: green, yellow, red. */
export function fitColour(fit: number): MarkerColour {
  return fit >= 0.8 ? 'green' : fit >= 0.5 ? 'yellow' : 'red';
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(2)}`;
}

/**
 * Shots the editor dropped by disabling their clips in a generated sequence. A clip maps to the chosen shot
 * whose record start it sits on (within one frame), counted from the first video clip, so a sequence that
 * starts at 01:00:00:00 or has a zero-point offset maps the same.
 */
export function bansFromDisabledClips(sequence: HostSequence, chosen: readonly ChosenShot[], rate: Rate): number[] {
  const video = sequence.clips.filter((clip) => clip.kind === 'video' && clip.track === 0);
  if (video.length === 0) return [];
  let origin = parseTicks(video[0]?.startTicks ?? '0');
  for (const clip of video) if (parseTicks(clip.startTicks) < origin) origin = parseTicks(clip.startTicks);
  const ticksPerFrame = BigInt(sequence.ticksPerFrame);
  const bans = new Set<number>();
  for (const clip of video) {
    if (!clip.disabled) continue;
    const frame = Number((parseTicks(clip.startTicks) - origin) / ticksPerFrame);
    const match = chosen.find((shot) => Math.abs(Math.round((shot.recordStartSeconds * rate.num) / rate.den) - frame) <= 1);
    if (match) bans.add(match.shotIndex);
  }
  return [...bans].sort((a, b) => a - b);
}

/** A one-line summary of a result for the panel. */
export function resultSummary(result: MontageResultMessage): string {
  const plan = result.montage.plan;
  const unit = unitWords(plan.options.granularity).plural;
  return `${plan.shotCount} shots from ${plan.sceneCount} scene${plan.sceneCount === 1 ? '' : 's'} over ${plan.barCount} ${unit} (${formatMinutesSeconds(plan.durationSeconds)}), score ${plan.totalScore.toFixed(2)}`;
}

/** How the panel names a plan's cut unit: "bar"/"bars", "half bar"/"half bars", "beat"/"beats", "unit"/"units". */
export function unitWords(granularity: MontageResultMessage['montage']['plan']['options']['granularity']): { readonly one: string; readonly plural: string } {
  const one = granularity === 'beat' ? 'beat' : granularity === 'halfbar' ? 'half bar' : granularity === 'mixed' ? 'unit' : granularity === '2bars' ? 'two-bar unit' : 'bar';
  return { one, plural: `${one}s` };
}

/** Seconds as m:ss.s, for labels (e.g. 72.25 → "1:12.3"). */
export function formatMinutesSeconds(seconds: number): string {
  // Round to tenths first, so 59.96 s reads 1:00.0, not 0:60.0.
  const tenths = Math.round(seconds * 10);
  const minutes = Math.floor(tenths / 600);
  return `${minutes}:${((tenths - minutes * 600) / 10).toFixed(1).padStart(4, '0')}`;
}

/** The entry for analysis bar `bar`: at position `bar` when the list is complete, else found by its index. */
function byBar<T extends { readonly index: number }>(list: readonly T[], bar: number): T | undefined {
  const atPosition = list[bar];
  return atPosition?.index === bar ? atPosition : list.find((candidate) => candidate.index === bar);
}

function barEmotion(result: MontageResultMessage, bar: number): EmotionSummary | undefined {
  return byBar(result.montage.musicEmotion, bar)?.emotion;
}

function barStart(result: MontageResultMessage, bar: number): number | undefined {
  const list = result.montage.musicEmotion.length > 0 ? result.montage.musicEmotion : result.analysis.bars;
  return byBar<{ readonly index: number; readonly startSeconds: number }>(list, bar)?.startSeconds;
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < Math.min(a.length, b.length); index++) {
    const x = a[index] ?? 0;
    const y = b[index] ?? 0;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA > 0 && normB > 0 ? dot / Math.sqrt(normA * normB) : Number.NaN;
}
