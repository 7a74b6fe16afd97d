/**
 * On-beat or off-beat? Rock and metal often put their loudest attacks (guitar stabs, hi-hats, snare pushes)
 * on the "and" between beats, and a tracker that follows onset strength alone then locks half a beat off,
 * for a whole song or a section. Kick drum and bass notes stay on the beat far more often, so we compare the
 * low-band onset strength at each beat with that at the midpoint to the next beat, and let a two-state
 * Viterbi pass (keep / move to the midpoints, with a cost for each switch) decide section by section.
 */

export interface BeatPhaseOptions {
  /** Cost of switching between on-beat and off-beat, in units of the mean low-band onset at beats and midpoints. */
  readonly switchCost?: number;
  /** Half-width of the window in which an onset counts as being at a beat, in seconds. */
  readonly toleranceSeconds?: number;
}

function maxAround(values: Float32Array, centre: number, half: number): number {
  let best = 0;
  const from = Math.max(0, Math.floor(centre - half));
  const to = Math.min(values.length - 1, Math.ceil(centre + half));
  for (let t = from; t <= to; t++) best = Math.max(best, values[t]!);
  return best;
}

/** Moves a frame to the strongest envelope frame within ±half frames (the midpoint need not be an onset peak). */
function snapToPeak(envelope: Float32Array, frame: number, half: number): number {
  let best = Math.round(frame);
  for (let t = Math.max(0, Math.floor(frame - half)); t <= Math.min(envelope.length - 1, Math.ceil(frame + half)); t++) {
    if (envelope[t]! > envelope[best]!) best = t;
  }
  return envelope[best]! > 0 ? best : frame;
}

/**
 * Returns beat frames with off-beat sections moved half a beat. `beatFrames` are onset-stream frames in
 * increasing order, `lowOnset` the low-band flux and `envelope` the onset envelope (for snapping) on the same frames.
 */
export function correctOffbeatPhase(beatFrames: readonly number[], lowOnset: Float32Array, envelope: Float32Array, frameRate: number, options: BeatPhaseOptions = {}): number[] {
  const count = beatFrames.length;
  if (count < 8) return [...beatFrames];
  const switchCost = options.switchCost ?? 8;
  const half = (options.toleranceSeconds ?? 0.05) * frameRate;
  const midpoints: number[] = [];
  const atMidpoints: number[] = [];
  const atBeats = beatFrames.map((frame) => maxAround(lowOnset, frame, half));
  for (let k = 0; k + 1 < count; k++) {
    const midpoint = (beatFrames[k]! + beatFrames[k + 1]!) / 2;
    midpoints.push(midpoint);
    atMidpoints.push(maxAround(lowOnset, midpoint, half));
  }
  // The typical low-band level at beats and midpoints together sets the unit of evidence.
  let scale = 0;
  for (const value of atBeats) scale += value;
  for (const value of atMidpoints) scale += value;
  scale /= atBeats.length + atMidpoints.length;
  if (!(scale > 1e-9)) return [...beatFrames];
  const evidence = atMidpoints.map((value, k) => (value - atBeats[k]!) / scale);
  // Viterbi over {0: keep the beat, 1: use the midpoint after it}.
  const n = evidence.length;
  let keep = 0;
  let move = -switchCost; // starting off-beat costs a switch too, so a tie keeps the tracker's phase
  const back = new Uint8Array(n * 2);
  for (let k = 0; k < n; k++) {
    const keepFromMove = move - switchCost;
    const moveFromKeep = keep - switchCost;
    back[2 * k] = keep >= keepFromMove ? 0 : 1;
    back[2 * k + 1] = move >= moveFromKeep ? 1 : 0;
    const nextKeep = Math.max(keep, keepFromMove);
    const nextMove = Math.max(move, moveFromKeep) + evidence[k]!;
    keep = nextKeep;
    move = nextMove;
  }
  let state = move > keep ? 1 : 0;
  const states = new Uint8Array(n);
  for (let k = n - 1; k >= 0; k--) {
    states[k] = state;
    state = back[2 * k + state]!;
  }
  if (!states.some((s) => s === 1)) return [...beatFrames];
  const snap = 0.03 * frameRate;
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(states[k] ? snapToPeak(envelope, midpoints[k]!, snap) : beatFrames[k]!);
  const last = beatFrames[count - 1]!;
  if (states[n - 1]) {
    const next = last + (last - beatFrames[count - 2]!) / 2;
    if (next < envelope.length) out.push(snapToPeak(envelope, next, snap));
  } else {
    out.push(last);
  }
  // A switch can put two beats within a fraction of a beat of each other: keep the first.
  const minGap = 0.3 * ((beatFrames[count - 1]! - beatFrames[0]!) / (count - 1));
  const kept: number[] = [];
  for (const frame of out) if (kept.length === 0 || frame - kept[kept.length - 1]! >= minGap) kept.push(frame);
  return kept;
}
