/**
 * The steering widgets, shared by the Premiere panel and the web UI (plain DOM and a 2D canvas, which UXP draws;
 * no text on the canvas, which UXP's does not draw):
 *   - the mood pad: a click picks a valence/arousal point (the mood control's "a point" choice);
 *   - the emotion arc: two lanes over the montage's cut units, valence above and arousal below, each −1 … 1; a
 *     drag draws the target of the units under it, and letting go hands the whole curve (one point per unit, at
 *     its middle, in seconds of the music file) to the controller, which re-solves.
 */
import type { BarSummary, EmotionArcPoint, EmotionPoint } from '../../../companion/protocol/messages';
import { arcValueAt, thinArc } from '../../../companion/protocol/emotion-arc';
import { PLOT_COLOURS } from './plot-colours';

type Canvas = HTMLCanvasElement;

/** The pointer's position on a canvas, in its drawing units (the canvas may be drawn at another size than shown). */
function canvasPoint(canvas: Canvas, event: MouseEvent): { x: number; y: number } {
  const box = canvas.getBoundingClientRect();
  const scaleX = box.width > 0 ? canvas.width / box.width : 1;
  const scaleY = box.height > 0 ? canvas.height / box.height : 1;
  return { x: (event.clientX - box.left) * scaleX, y: (event.clientY - box.top) * scaleY };
}

/** Pointer events where there are (browsers, recent UXP), mouse events otherwise. */
function onDrag(canvas: Canvas, handlers: { down(event: MouseEvent): void; move(event: MouseEvent): void; up(event: MouseEvent): void }): void {
  const pointer = typeof (globalThis as { PointerEvent?: unknown }).PointerEvent === 'function';
  const [down, move, up] = pointer ? ['pointerdown', 'pointermove', 'pointerup'] : ['mousedown', 'mousemove', 'mouseup'];
  let dragging = false;
  canvas.addEventListener(down, (event) => {
    dragging = true;
    handlers.down(event as MouseEvent);
  });
  canvas.addEventListener(move, (event) => {
    if (dragging) handlers.move(event as MouseEvent);
  });
  const finish = (event: Event) => {
    if (!dragging) return;
    dragging = false;
    handlers.up(event as MouseEvent);
  };
  canvas.addEventListener(up, finish);
  canvas.addEventListener(pointer ? 'pointerleave' : 'mouseleave', finish);
}

const clampUnit = (value: number) => Math.max(-1, Math.min(1, value));
const round3 = (value: number) => Math.round(value * 1000) / 1000;

// --- The mood pad ---------------------------------------------------------------------------------------

export const MOOD_PAD_SIZE = 120;

/** Draws the pad: the axes and, when given, the point. */
export function drawMoodPad(canvas: Canvas, point: EmotionPoint | null): void {
  const context = canvas.getContext('2d');
  if (!context) return;
  const size = canvas.width;
  context.fillStyle = '#1e1e1e';
  context.fillRect(0, 0, size, canvas.height);
  context.strokeStyle = PLOT_COLOURS.grid;
  context.lineWidth = 1;
  context.strokeRect(0.5, 0.5, size - 1, canvas.height - 1);
  context.beginPath();
  context.moveTo(size / 2, 0);
  context.lineTo(size / 2, canvas.height);
  context.moveTo(0, canvas.height / 2);
  context.lineTo(size, canvas.height / 2);
  context.stroke();
  if (!point) return;
  const x = ((point.valence + 1) / 2) * size;
  const y = ((1 - point.arousal) / 2) * canvas.height;
  context.fillStyle = PLOT_COLOURS.shot;
  context.fillRect(x - 4, y - 4, 8, 8);
}

/** The valence/arousal point at a click on the pad (valence left to right, arousal bottom to top). */
export function padPoint(canvas: Canvas, event: MouseEvent): EmotionPoint {
  const { x, y } = canvasPoint(canvas, event);
  return { valence: round3(clampUnit((x / canvas.width) * 2 - 1)), arousal: round3(clampUnit(1 - (y / canvas.height) * 2)) };
}

/** Wires a pad canvas: a click (or a drag, on letting go) picks the point. */
export function wireMoodPad(canvas: Canvas, current: () => EmotionPoint | null, pick: (point: EmotionPoint) => void): void {
  let point: EmotionPoint | null = null;
  onDrag(canvas, {
    down: (event) => drawMoodPad(canvas, (point = padPoint(canvas, event))),
    move: (event) => drawMoodPad(canvas, (point = padPoint(canvas, event))),
    up: () => {
      if (point) pick(point);
      else drawMoodPad(canvas, current());
    },
  });
  drawMoodPad(canvas, current());
}

// --- The emotion arc ------------------------------------------------------------------------------------

const LANE_HEIGHT = 56;
const LANE_GAP = 10;
export const ARC_HEIGHT = LANE_HEIGHT * 2 + LANE_GAP;
const LANES = ['valence', 'arousal'] as const;
type Lane = (typeof LANES)[number];

export interface ArcEditorOptions {
  /** The plan's cut units with the emotion it followed (the result's musicEmotion). */
  readonly units: readonly BarSummary[];
  /** The arc drawn so far (empty: none). */
  readonly arc: readonly EmotionArcPoint[];
  /** Letting go of a drag: the whole curve, one point per unit. */
  readonly commit: (arc: EmotionArcPoint[]) => void;
}

/**
 * Wires the arc canvas (its width is set by the caller): draws the lanes, the unit grid, the emotion the plan
 * followed (thin) and the target (thick), and lets a drag redraw the target.
 */
export function wireArcEditor(canvas: Canvas, options: ArcEditorOptions): void {
  const units = options.units;
  canvas.height = ARC_HEIGHT;
  if (units.length === 0) return;
  const start = units[0]!.startSeconds;
  const last = units[units.length - 1]!;
  const span = Math.max(1e-6, last.startSeconds + last.durationSeconds - start);
  const middles = units.map((unit) => unit.startSeconds + unit.durationSeconds / 2);
  const followed = units.map((unit) => ({ valence: unit.emotion?.valence ?? 0, arousal: unit.emotion?.arousal ?? 0 }));
  // The target per unit: the drawn arc where there is one, else what the plan followed.
  const target = middles.map((seconds, i) => (options.arc.length > 0 ? arcValueAt(options.arc, seconds) : followed[i]!)).map((p) => ({ valence: p.valence, arousal: p.arousal }));
  const xOf = (seconds: number) => ((seconds - start) / span) * canvas.width;
  const unitAt = (x: number) => {
    const seconds = start + (Math.max(0, Math.min(canvas.width - 1e-6, x)) / canvas.width) * span;
    const found = units.findIndex((unit) => seconds >= unit.startSeconds && seconds < unit.startSeconds + unit.durationSeconds);
    return found >= 0 ? found : seconds < start ? 0 : units.length - 1;
  };
  const laneTop = (lane: Lane) => (lane === 'valence' ? 0 : LANE_HEIGHT + LANE_GAP);
  const yOf = (lane: Lane, value: number) => laneTop(lane) + ((1 - value) / 2) * LANE_HEIGHT;

  const draw = () => {
    const context = canvas.getContext('2d');
    if (!context) return;
    context.fillStyle = '#1e1e1e';
    context.fillRect(0, 0, canvas.width, canvas.height);
    for (const lane of LANES) {
      const top = laneTop(lane);
      context.strokeStyle = PLOT_COLOURS.grid;
      context.lineWidth = 1;
      context.strokeRect(0.5, top + 0.5, canvas.width - 1, LANE_HEIGHT - 1);
      context.beginPath();
      for (const unit of units) {
        const x = Math.round(xOf(unit.startSeconds)) + 0.5;
        context.moveTo(x, top);
        context.lineTo(x, top + LANE_HEIGHT);
      }
      context.moveTo(0, yOf(lane, 0));
      context.lineTo(canvas.width, yOf(lane, 0));
      context.stroke();
      for (const [points, colour, width] of [
        [followed, PLOT_COLOURS.music, 1.5],
        [target, PLOT_COLOURS.shot, 3],
      ] as const) {
        context.strokeStyle = colour;
        context.lineWidth = width;
        context.beginPath();
        points.forEach((point, i) => (i === 0 ? context.moveTo(xOf(middles[i]!), yOf(lane, point[lane])) : context.lineTo(xOf(middles[i]!), yOf(lane, point[lane]))));
        context.stroke();
      }
    }
  };

  let lane: Lane = 'valence';
  let previous: { unit: number; value: number } | null = null;
  const paint = (event: MouseEvent) => {
    const { x, y } = canvasPoint(canvas, event);
    const value = clampUnit(1 - ((y - laneTop(lane)) / LANE_HEIGHT) * 2);
    const unit = unitAt(x);
    // A fast drag skips units: fill those between the last position and this one.
    const from = previous ?? { unit, value };
    const steps = Math.abs(unit - from.unit);
    for (let k = 0; k <= steps; k++) {
      const i = from.unit + Math.sign(unit - from.unit) * k;
      target[i] = { ...target[i]!, [lane]: round3(steps === 0 ? value : from.value + ((value - from.value) * k) / steps) };
    }
    previous = { unit, value };
    draw();
  };
  onDrag(canvas, {
    down: (event) => {
      lane = canvasPoint(canvas, event).y < LANE_HEIGHT + LANE_GAP / 2 ? 'valence' : 'arousal';
      previous = null;
      paint(event);
    },
    move: paint,
    up: () => {
      previous = null;
      options.commit(thinArc(middles.map((seconds, i) => ({ seconds: round3(seconds), valence: target[i]!.valence, arousal: target[i]!.arousal }))));
    },
  });
  draw();
}
