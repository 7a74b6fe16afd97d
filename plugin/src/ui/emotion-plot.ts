/**
 * The emotion plot: per montage bar, the music's valence and arousal against the chosen shot's, drawn on a
 * canvas with only what UXP's canvas supports (paths, lines, rectangles; no text, so labels are DOM).
 */
import type { EmotionPoint } from '../result-model';
import { PLOT_COLOURS } from './plot-colours';

/** Draws the two bands (valence on top, arousal below) and a similarity strip under them. */
export function drawEmotionPlot(canvas: HTMLCanvasElement, points: readonly EmotionPoint[]): void {
  let context: CanvasRenderingContext2D | null = null;
  try {
    context = canvas.getContext('2d');
  } catch {
    // A host without canvas support: the summary and the shot list still say it all.
  }
  if (!context) return;
  const width = canvas.width;
  const height = canvas.height;
  context.clearRect(0, 0, width, height);
  if (points.length === 0) return;
  const strip = 8;
  const bandHeight = (height - strip - 6) / 2;
  const step = width / points.length;
  const bands: { top: number; music: (p: EmotionPoint) => number; shot: (p: EmotionPoint) => number }[] = [
    { top: 0, music: (p) => p.musicValence, shot: (p) => p.shotValence },
    { top: bandHeight + 3, music: (p) => p.musicArousal, shot: (p) => p.shotArousal },
  ];
  for (const band of bands) {
    // Frame and zero line; values are in [-1, 1].
    context.strokeStyle = PLOT_COLOURS.grid;
    context.lineWidth = 1;
    context.strokeRect(0.5, band.top + 0.5, width - 1, bandHeight - 1);
    const y = (value: number) => band.top + bandHeight / 2 - (Math.max(-1, Math.min(1, value)) * (bandHeight - 4)) / 2;
    line(context, [
      [0, y(0)],
      [width, y(0)],
    ]);
    // Music: a polyline through bar centres. Shot: steps, one level per bar.
    context.strokeStyle = PLOT_COLOURS.music;
    context.lineWidth = 2;
    const centres: [number, number][] = [];
    points.forEach((p, index) => {
      const value = band.music(p);
      if (Number.isFinite(value)) centres.push([(index + 0.5) * step, y(value)]);
    });
    line(context, centres);
    context.strokeStyle = PLOT_COLOURS.shot;
    const steps: [number, number][] = [];
    points.forEach((p, index) => {
      const value = band.shot(p);
      if (!Number.isFinite(value)) return;
      steps.push([index * step, y(value)], [(index + 1) * step, y(value)]);
    });
    line(context, steps);
  }
  // Similarity strip: green where shot and music agree, red where they do not.
  const stripTop = height - strip;
  points.forEach((p, index) => {
    const similarity = Number.isFinite(p.similarity) ? p.similarity : 0;
    context.fillStyle = similarity >= 0.5 ? PLOT_COLOURS.match : PLOT_COLOURS.mismatch;
    context.globalAlpha = 0.35 + 0.65 * Math.abs(similarity - 0.5) * 2;
    context.fillRect(index * step, stripTop, Math.max(1, step - 1), strip);
  });
  context.globalAlpha = 1;
}

function line(context: CanvasRenderingContext2D, points: readonly (readonly [number, number])[]): void {
  const first = points[0];
  if (!first) return;
  // UXP documents stroke(path) with a Path2D; browsers take both. Use Path2D where the host has it.
  if (typeof Path2D === 'function') {
    const path = new Path2D();
    path.moveTo(first[0], first[1]);
    for (const [x, y] of points.slice(1)) path.lineTo(x, y);
    context.stroke(path);
    return;
  }
  context.beginPath();
  context.moveTo(first[0], first[1]);
  for (const [x, y] of points.slice(1)) context.lineTo(x, y);
  context.stroke();
}
