/**
 * On-beat or off-beat? Rock and metal often put their loudest attacks (guitar stabs, hi-hats, snare pushes)
 * on the "and" between beats, and a tracker that follows onset strength alone then locks half a beat off,
 * for a whole song or a section, or slides from one to the other. So the tracker follows the pulse at twice
 * the tempo (on-beats and off-beats alike, which needs no sliding), and this module decides which half of
 * those pulses are the beats. Kick drum and bass notes stay on the beat far more often than the loudest
 * attacks do, so the low-band onset strength is the main cue.
 */
import { maxAround, zScores } from './meter';

export interface PulseParityOptions {
  /** Cost of switching between the even and the odd pulses, in standardised accent units. */
  readonly switchCost?: number;
  /** Weight of full-band onset strength next to the low-band onset strength. */
  readonly fullBandWeight?: number;
  /** Half-width of the window in which an onset counts as being at a pulse, in seconds. */
  readonly toleranceSeconds?: number;
}

/**
 * Picks the beats out of a pulse tracked at twice the tempo (eighth notes): every other pulse, the even or
 * the odd ones, section by section. Each pulse's accent is its standardised low-band onset (kick, bass) plus
 * `fullBandWeight` × its standardised full-band onset; a two-state Viterbi (beats on even / on odd pulses)
 * collects the accents of the pulses it calls beats and pays `switchCost` per change. Tracking the faster
 * pulse first means the tracker never has to slide half a beat through a section; the choice of which
 * pulses are beats is then made on the cue that marks beats best.
 */
export function chooseBeatsFromPulses(pulseFrames: readonly number[], lowOnset: Float32Array, envelope: Float32Array, frameRate: number, options: PulseParityOptions = {}): number[] {
  const count = pulseFrames.length;
  if (count < 2) return [...pulseFrames];
  const switchCost = options.switchCost ?? 12;
  const fullBandWeight = options.fullBandWeight ?? 0.25;
  const half = (options.toleranceSeconds ?? 0.05) * frameRate;
  const low = zScores(Float64Array.from(pulseFrames, (frame) => maxAround(lowOnset, frame, half)));
  const full = zScores(Float64Array.from(pulseFrames, (frame) => maxAround(envelope, frame, half)));
  const accent = low.map((value, j) => value + fullBandWeight * full[j]!);
  // state s: the beats are the pulses with index parity s.
  let even = 0;
  let odd = 0;
  const back = new Uint8Array(count * 2);
  for (let j = 0; j < count; j++) {
    const evenFromOdd = odd - switchCost;
    const oddFromEven = even - switchCost;
    back[2 * j] = even >= evenFromOdd ? 0 : 1;
    back[2 * j + 1] = odd >= oddFromEven ? 1 : 0;
    const nextEven = Math.max(even, evenFromOdd) + (j % 2 === 0 ? accent[j]! : 0);
    const nextOdd = Math.max(odd, oddFromEven) + (j % 2 === 1 ? accent[j]! : 0);
    even = nextEven;
    odd = nextOdd;
  }
  let state = odd > even ? 1 : 0;
  const states = new Uint8Array(count);
  for (let j = count - 1; j >= 0; j--) {
    states[j] = state;
    state = back[2 * j + state]!;
  }
  const beats: number[] = [];
  // Where the parity switches, two beats may end up half a beat apart: keep the first.
  const minGap = 1.5 * ((pulseFrames[count - 1]! - pulseFrames[0]!) / (count - 1));
  for (let j = 0; j < count; j++) {
    if (j % 2 !== states[j]) continue;
    const frame = pulseFrames[j]!;
    if (beats.length === 0 || frame - beats[beats.length - 1]! >= minGap) beats.push(frame);
  }
  return beats;
}
