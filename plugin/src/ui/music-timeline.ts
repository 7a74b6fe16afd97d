/**
 * The music timeline as one SVG (a string, no DOM, shared by report.html and the web UI):
 *   - the waveform of the montage's music, with the bar grid (thin lines) and the cut markers (thick);
 *   - the chosen shots as a band of blocks coloured by emotion; hovering a block (its <title>) says which shot
 *     sits there and why (its score parts);
 *   - valence and arousal, −1 … 1, of the music per bar (lines) and of the shot on it (steps), with axes, ticks
 *     and a legend;
 *   - a playhead (`.am-playhead`) the web UI moves with the video; `data-seconds` on the plot area maps clicks.
 */
import type { StoryboardModel } from '../../../companion/protocol/storyboard';
import { PLOT_COLOURS } from './plot-colours';
import { clock, escapeHtml, LABEL_COLOURS } from './storyboard';

export const TIMELINE_WIDTH = 960;
const LEFT = 44;
const RIGHT = 12;
const WAVE_TOP = 18;
const WAVE_HEIGHT = 56;
const BAND_TOP = WAVE_TOP + WAVE_HEIGHT + 6;
const BAND_HEIGHT = 18;
const PLOT_HEIGHT = 70;
const VALENCE_TOP = BAND_TOP + BAND_HEIGHT + 22;
const AROUSAL_TOP = VALENCE_TOP + PLOT_HEIGHT + 22;
const AXIS_TOP = AROUSAL_TOP + PLOT_HEIGHT + 4;
export const TIMELINE_HEIGHT = AXIS_TOP + 30;

/** Seconds of the montage to an x coordinate on the SVG. */
export function timelineX(seconds: number, durationSeconds: number): number {
  return LEFT + ((TIMELINE_WIDTH - LEFT - RIGHT) * Math.max(0, Math.min(durationSeconds, seconds))) / Math.max(1e-9, durationSeconds);
}

/** An x coordinate on the SVG (in its own units) to seconds of the montage. */
export function timelineSeconds(x: number, durationSeconds: number): number {
  return (Math.max(0, Math.min(TIMELINE_WIDTH - LEFT - RIGHT, x - LEFT)) / (TIMELINE_WIDTH - LEFT - RIGHT)) * durationSeconds;
}

function n(value: number): string {
  return value.toFixed(1);
}

export function renderMusicTimeline(model: StoryboardModel): string {
  const duration = Math.max(1e-6, model.durationSeconds);
  const x = (s: number) => timelineX(s, duration);
  const parts: string[] = [];
  const plotWidth = TIMELINE_WIDTH - LEFT - RIGHT;
  // Waveform: one vertical line per slice, mirrored around the middle.
  const middle = WAVE_TOP + WAVE_HEIGHT / 2;
  const slices = model.music.waveform.length;
  if (slices > 0) {
    const path = model.music.waveform
      .map((peak, i) => {
        const px = LEFT + ((i + 0.5) * plotWidth) / slices;
        const h = Math.max(0.5, (peak * WAVE_HEIGHT) / 2);
        return `M${n(px)} ${n(middle - h)}V${n(middle + h)}`;
      })
      .join('');
    parts.push(`<path class="am-wave" d="${path}" stroke="${PLOT_COLOURS.music}" stroke-opacity="0.7" stroke-width="${Math.max(0.6, plotWidth / slices - 0.3).toFixed(2)}"/>`);
  }
  // Bar grid and cut markers.
  const grid = model.bars.map((bar) => `M${n(x(bar.startSeconds))} ${WAVE_TOP}V${BAND_TOP + BAND_HEIGHT}`).join('');
  parts.push(`<path class="am-bar-grid" d="${grid}" stroke="#666" stroke-width="0.6"/>`);
  const cuts = model.slots.map((slot) => `M${n(x(slot.startSeconds))} ${WAVE_TOP - 4}V${AXIS_TOP}`).join('');
  parts.push(`<path class="am-cuts" d="${cuts}" stroke="#fff" stroke-width="1.6" stroke-opacity="0.85"/>`);
  parts.push(`<text x="${LEFT}" y="12" fill="#ccc">music: ${escapeHtml(model.music.name)} · ${model.music.tempoBpm.toFixed(1)} BPM · ${model.music.beatsPerBar}/4${model.music.mood ? ` · ${model.music.mood}` : ''} · bar grid (thin) and cuts (white)</text>`);
  // The shots on the bars, with the why on hover.
  for (const slot of model.slots) {
    const colour = LABEL_COLOURS[slot.label ?? ''] ?? PLOT_COLOURS.grid;
    const left = x(slot.startSeconds);
    const width = Math.max(1, x(slot.startSeconds + slot.durationSeconds) - left - 1);
    const why = slot.parts.map((p) => `${p.label} ${p.value.toFixed(3)}`).join(', ');
    const bars = model.bars.filter((b) => b.index >= slot.firstBar && b.index < slot.firstBar + slot.barCount);
    const music = bars.map((b) => b.label).filter(Boolean);
    parts.push(
      `<rect class="am-slot-block" data-slot="${slot.index}" data-start="${slot.startSeconds.toFixed(3)}" x="${n(left)}" y="${BAND_TOP}" width="${n(width)}" height="${BAND_HEIGHT}" fill="${colour}"><title>units ${slot.firstBar + 1}–${slot.firstBar + slot.barCount} (${clock(slot.startSeconds)}): #${slot.shot + 1}, ${slot.label ?? 'no reading'} on music that is ${[...new Set(music)].join('/') || 'unread'}; ${why}</title></rect>`,
    );
    if (width > 18) parts.push(`<text x="${n(left + 3)}" y="${BAND_TOP + 13}" fill="#111" pointer-events="none">#${slot.shot + 1}</text>`);
  }
  // Valence and arousal plots.
  for (const [top, name, pick] of [
    [VALENCE_TOP, 'valence', (v: { valence?: number }) => v.valence],
    [AROUSAL_TOP, 'arousal', (v: { arousal?: number }) => v.arousal],
  ] as const) {
    const y = (value: number) => top + ((1 - value) / 2) * PLOT_HEIGHT;
    parts.push(`<rect x="${LEFT}" y="${top}" width="${plotWidth}" height="${PLOT_HEIGHT}" fill="none" stroke="${PLOT_COLOURS.grid}"/>`);
    parts.push(`<path d="M${LEFT} ${n(y(0))}H${LEFT + plotWidth}" stroke="${PLOT_COLOURS.grid}" stroke-dasharray="3 3"/>`);
    for (const tick of [1, 0, -1]) parts.push(`<text x="${LEFT - 4}" y="${n(y(tick) + 3)}" fill="#aaa" text-anchor="end">${tick}</text>`);
    parts.push(`<text x="${LEFT + 4}" y="${top - 4}" fill="#ccc">${name}</text>`);
    const musicPoints = model.bars.flatMap((bar) => {
      const value = pick(bar);
      return value === undefined ? [] : [`${n(x(bar.startSeconds + bar.durationSeconds / 2))},${n(y(value))}`];
    });
    if (musicPoints.length) parts.push(`<polyline class="am-music-${name}" points="${musicPoints.join(' ')}" fill="none" stroke="${PLOT_COLOURS.music}" stroke-width="2"/>`);
    const steps = model.slots.flatMap((slot) => {
      const value = pick(slot);
      return value === undefined ? [] : [`M${n(x(slot.startSeconds))} ${n(y(value))}H${n(x(slot.startSeconds + slot.durationSeconds))}`];
    });
    if (steps.length) parts.push(`<path class="am-shot-${name}" d="${steps.join('')}" fill="none" stroke="${PLOT_COLOURS.shot}" stroke-width="2.5"/>`);
  }
  // Time axis.
  const step = [1, 2, 5, 10, 15, 30, 60, 120].find((s) => duration / s <= 12) ?? 300;
  const ticks: string[] = [];
  for (let t = 0; t <= duration + 1e-6; t += step) ticks.push(`<path d="M${n(x(t))} ${AXIS_TOP}v4" stroke="#aaa"/><text x="${n(x(t))}" y="${AXIS_TOP + 14}" fill="#aaa" text-anchor="middle">${clock(t)}</text>`);
  parts.push(`<path d="M${LEFT} ${AXIS_TOP}H${LEFT + plotWidth}" stroke="#aaa"/>${ticks.join('')}<text x="${LEFT + plotWidth}" y="${AXIS_TOP + 26}" fill="#aaa" text-anchor="end">montage time (m:ss)</text>`);
  // Legend.
  const legendY = AXIS_TOP + 26;
  parts.push(
    `<g class="am-legend"><path d="M${LEFT} ${legendY - 3}h16" stroke="${PLOT_COLOURS.music}" stroke-width="2"/><text x="${LEFT + 20}" y="${legendY}" fill="#ccc">music (per bar)</text><path d="M${LEFT + 120} ${legendY - 3}h16" stroke="${PLOT_COLOURS.shot}" stroke-width="2.5"/><text x="${LEFT + 140}" y="${legendY}" fill="#ccc">chosen shot</text></g>`,
  );
  parts.push(`<path class="am-playhead" d="M${LEFT} ${WAVE_TOP - 4}V${AXIS_TOP}" stroke="#ff4d4d" stroke-width="1.5" pointer-events="none"/>`);
  parts.push(`<rect class="am-seek" x="${LEFT}" y="${WAVE_TOP}" width="${plotWidth}" height="${WAVE_HEIGHT}" fill="transparent"><title>click to seek the preview</title></rect>`);
  return `<figure class="am-timeline" data-duration="${duration.toFixed(3)}"><svg viewBox="0 0 ${TIMELINE_WIDTH} ${TIMELINE_HEIGHT}" role="img" aria-label="Music timeline: waveform, bar grid, cuts, and valence and arousal of the music and the chosen shots">${parts.join('')}</svg></figure>`;
}
