/**
 * The units a montage cuts on, built from the music's bars and beats: bars, pairs of bars, half bars (split on
 * the middle beat, so a 3/4 bar splits 2 + 1) or beats. Each unit remembers the bars it spans, so per-bar
 * scores and emotions carry over as the mean of those bars. Pure.
 *
 * Sections: where the music's tempo changes, a section may cut on its own unit. The rule, kept simple: a new
 * section starts at a bar whose duration differs by more than {@link SECTION_TEMPO_CHANGE} (15 %) from the
 * mean bar of the section so far; a section shorter than {@link MIN_SECTION_BARS} bars joins the one before it
 * (the first joins the next), so a single odd bar from the tracker does not make a section.
 */
import type { Bar, CutGranularity } from '../core/montage';

export const SECTION_TEMPO_CHANGE = 0.15;
export const MIN_SECTION_BARS = 4;

/** Every unit, coarsest first. */
export const CUT_GRANULARITIES: readonly CutGranularity[] = ['2bars', 'bar', 'halfbar', 'beat'];

/** The music the units are cut from: its bars and its beat times (music-file seconds). */
export interface MusicGrid {
  readonly bars: readonly Bar[];
  readonly beatTimes: readonly number[];
}

/** A run of bars cut on one unit. */
export interface SectionUnit {
  readonly firstBar: number;
  readonly barCount: number;
  readonly unit: CutGranularity;
}

export interface CutUnits {
  readonly units: Bar[];
  /** `barOfUnit[u]`: the bars unit u spans (indices into the music's bars). */
  readonly barOfUnit: number[][];
}

/** Bars → sections by the rule in the header. */
export function musicSections(bars: readonly Bar[]): { firstBar: number; barCount: number }[] {
  const sections: { firstBar: number; barCount: number; sum: number }[] = [];
  bars.forEach((bar, k) => {
    const current = sections[sections.length - 1];
    const mean = current ? current.sum / current.barCount : 0;
    if (!current || Math.abs(bar.durationSeconds - mean) > SECTION_TEMPO_CHANGE * mean) sections.push({ firstBar: k, barCount: 1, sum: bar.durationSeconds });
    else {
      current.barCount += 1;
      current.sum += bar.durationSeconds;
    }
  });
  const merged: { firstBar: number; barCount: number }[] = [];
  for (const { firstBar, barCount } of sections) {
    const previous = merged[merged.length - 1];
    if (previous && (barCount < MIN_SECTION_BARS || previous.barCount < MIN_SECTION_BARS)) previous.barCount += barCount;
    else merged.push({ firstBar, barCount });
  }
  return merged;
}

/** The units of the whole music at one granularity (two bars: an odd last bar is left out, as the music ends there). */
export function cutUnits(music: MusicGrid, granularity: CutGranularity): CutUnits {
  return layoutUnits(music, [{ firstBar: 0, barCount: music.bars.length, unit: granularity }], true);
}

/**
 * The units of a section layout, in order. Inside a layout of several sections a two-bar section's odd last
 * bar is one unit of its own, so the units stay contiguous.
 */
export function layoutUnits(music: MusicGrid, layout: readonly SectionUnit[], dropOddLastBar = false): CutUnits {
  const units: Bar[] = [];
  const barOfUnit: number[][] = [];
  const push = (unit: Omit<Bar, 'index'>, spanned: number[]) => {
    units.push({ index: units.length, ...unit });
    barOfUnit.push(spanned);
  };
  for (const section of layout) {
    const end = section.firstBar + section.barCount;
    for (let k = section.firstBar; k < end; k++) {
      const bar = music.bars[k]!;
      if (section.unit === 'bar') push(bar, [k]);
      else if (section.unit === '2bars') {
        const next = music.bars[k + 1];
        if (!next || k + 1 >= end) {
          if (!dropOddLastBar) push(bar, [k]);
          continue;
        }
        const confidence = bar.confidence === undefined || next.confidence === undefined ? undefined : Math.min(bar.confidence, next.confidence);
        push(
          {
            startSeconds: bar.startSeconds,
            durationSeconds: next.startSeconds + next.durationSeconds - bar.startSeconds,
            beatsPerBar: bar.beatsPerBar + next.beatsPerBar,
            tempoBpm: (bar.tempoBpm + next.tempoBpm) / 2,
            ...(confidence === undefined ? {} : { confidence }),
          },
          [k, k + 1],
        );
        k++;
      } else {
        // Beats inside this bar; a unit lasts to the next cut point, the last one to the bar's end.
        const barEnd = bar.startSeconds + bar.durationSeconds;
        const beats = music.beatTimes.filter((t) => t > bar.startSeconds + 1e-6 && t < barEnd - 1e-6);
        const cuts = section.unit === 'beat' ? beats : beats.length >= 1 ? [beats[Math.ceil((beats.length + 1) / 2) - 1]!] : [];
        const starts = [bar.startSeconds, ...cuts];
        starts.forEach((start, x) => {
          const stop = starts[x + 1] ?? barEnd;
          const beatsInUnit = section.unit === 'beat' ? 1 : x === 0 ? Math.ceil((beats.length + 1) / 2) : beats.length + 1 - Math.ceil((beats.length + 1) / 2);
          push({ startSeconds: start, durationSeconds: stop - start, beatsPerBar: starts.length === 1 ? bar.beatsPerBar : beatsInUnit, tempoBpm: bar.tempoBpm, ...(bar.confidence === undefined ? {} : { confidence: bar.confidence }) }, [k]);
        });
      }
    }
  }
  return { units, barOfUnit };
}

/** How long one unit of a section lasts on average, in seconds. */
export function unitSeconds(music: MusicGrid, section: SectionUnit): number {
  const { units } = layoutUnits(music, [section]);
  return units.reduce((sum, u) => sum + u.durationSeconds, 0) / Math.max(1, units.length);
}

/** Plural words for a unit, as notices and reports say them. */
export function unitName(unit: CutGranularity | 'mixed'): string {
  return { bar: 'bars', '2bars': 'two-bar units', halfbar: 'half-bars', beat: 'beats', mixed: 'units by section' }[unit];
}
