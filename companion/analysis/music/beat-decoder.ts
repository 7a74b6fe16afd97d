/**
 * Decoding the network's activations into beats and bars, in two hidden-Markov stages (Krebs, Böck & Widmer 2015;
 * Böck, Krebs & Widmer 2016):
 *
 * 1. Beats: a bar-pointer-style model over (beat period τ, phase φ) at the activation's frame rate. The phase
 *    advances one frame a frame; at the end of a beat the period may change to a neighbour with probability
 *    ∝ exp(−λ·|τ′/τ − 1|), so ritardandi and tempo changes are followed. The first 1/16 of every beat is the
 *    "beat" region that explains high activations. Viterbi with one ring buffer per period: a frame costs
 *    O(periods × (neighbours + τ/16)), not O(states), and only one back pointer per period and frame is kept.
 * 2. Bars: an HMM over (metre m ∈ {2, 3, 4, 6}, position in the bar) on the beat sequence, observing the downbeat
 *    activation at each beat. The metre may change at a bar line, and a bar may restart early (a missed or extra
 *    beat). Viterbi gives the labels; forward–backward gives each bar's downbeat probability and the metre's.
 *
 * Pure functions on arrays; times are frames until the caller converts them.
 */

export interface BeatDecodeOptions {
  readonly frameRate: number;
  readonly minBpm?: number;
  readonly maxBpm?: number;
  /** Number of periods between min and max (log-spaced; default 72). */
  readonly tempoStates?: number;
  /** Tempo-change sharpness λ (default 100). */
  readonly transitionLambda?: number;
  /** 1 / share of the beat that is the beat region (default 16). */
  readonly observationLambda?: number;
}

export interface DecodedBeats {
  /** Beat times in frames (fractional: refined on the activation peak). */
  readonly frames: number[];
  /** Beat period at each beat, in frames. */
  readonly periods: number[];
}

/** Viterbi beat tracking over the beat activation (values in 0…1). */
export function decodeBeats(activation: Float32Array, options: BeatDecodeOptions): DecodedBeats {
  const frameCount = activation.length;
  const fps = options.frameRate;
  const minPeriod = Math.max(2, Math.floor((60 * fps) / (options.maxBpm ?? 230)));
  const maxPeriod = Math.max(minPeriod, Math.ceil((60 * fps) / (options.minBpm ?? 45)));
  const wanted = options.tempoStates ?? 72;
  const periodSet = new Set<number>();
  for (let i = 0; i < wanted; i++) periodSet.add(Math.round(minPeriod * (maxPeriod / minPeriod) ** (i / Math.max(1, wanted - 1))));
  const periods = [...periodSet].sort((a, b) => a - b);
  const n = periods.length;
  if (frameCount === 0 || n === 0) return { frames: [], periods: [] };
  const lambda = options.transitionLambda ?? 100;
  const observationLambda = options.observationLambda ?? 16;

  // Transitions j → i, normalised over destinations; neighbours below 1e-6 are dropped.
  const sources: Array<Array<{ from: number; logProbability: number }>> = periods.map(() => []);
  for (let j = 0; j < n; j++) {
    const weights = periods.map((tau) => Math.exp(-lambda * Math.abs(tau / periods[j]! - 1)));
    const total = weights.reduce((a, b) => a + b, 0);
    weights.forEach((w, i) => {
      if (w / total > 1e-6) sources[i]!.push({ from: j, logProbability: Math.log(w / total) });
    });
  }
  const beatRegion = periods.map((tau) => Math.max(1, Math.ceil(tau / observationLambda)));
  // Log-likelihood ratio of "beat" over "no beat" per frame (the "no beat" term is shared by all states).
  const epsilon = 1e-6;
  const ratio = new Float64Array(frameCount);
  for (let t = 0; t < frameCount; t++) {
    const a = Math.min(1 - epsilon, Math.max(epsilon, activation[t]!));
    ratio[t] = Math.log(a) - Math.log((1 - a) / (observationLambda - 1));
  }
  const rings = periods.map((tau) => new Float64Array(tau));
  const backPointers = new Uint8Array(frameCount * n);
  const ending = new Float64Array(n);
  // Phase φ of period i at time t lives in rings[i][(t − φ) mod τ]; the start is uniform (all zero).
  for (let t = 0; t < frameCount; t++) {
    if (t > 0) {
      for (let j = 0; j < n; j++) ending[j] = rings[j]![t % periods[j]!]!;
      for (let i = 0; i < n; i++) {
        let best = -Infinity;
        let bestFrom = i;
        for (const { from, logProbability } of sources[i]!) {
          const value = ending[from]! + logProbability;
          if (value > best) {
            best = value;
            bestFrom = from;
          }
        }
        rings[i]![t % periods[i]!] = best;
        backPointers[t * n + i] = bestFrom;
      }
    }
    const r = ratio[t]!;
    for (let i = 0; i < n; i++) {
      const tau = periods[i]!;
      const ring = rings[i]!;
      for (let phase = 0; phase < beatRegion[i]!; phase++) ring[(((t - phase) % tau) + tau) % tau]! += r;
    }
    if ((t & 1023) === 1023) {
      let max = -Infinity;
      for (const ring of rings) for (const v of ring) if (v > max) max = v;
      for (const ring of rings) for (let k = 0; k < ring.length; k++) ring[k]! -= max;
    }
  }
  // Best final state, then back along the beat starts.
  let best = -Infinity;
  let period = 0;
  let phase = 0;
  const last = frameCount - 1;
  rings.forEach((ring, i) => {
    const tau = periods[i]!;
    for (let p = 0; p < tau; p++) {
      const value = ring[(((last - p) % tau) + tau) % tau]!;
      if (value > best) {
        best = value;
        period = i;
        phase = p;
      }
    }
  });
  const starts: Array<{ frame: number; period: number }> = [];
  let start = last - phase;
  while (start >= 0) {
    starts.push({ frame: start, period: periods[period]! });
    const from = backPointers[start * n + period]!;
    start -= periods[from]!;
    period = from;
  }
  starts.reverse();
  const frames: number[] = [];
  const beatPeriods: number[] = [];
  for (const { frame, period: tau } of starts) {
    const region = Math.max(1, Math.ceil(tau / observationLambda));
    frames.push(peakIn(activation, frame, Math.min(frameCount - 1, frame + region - 1)));
    beatPeriods.push(tau);
  }
  return { frames, periods: beatPeriods };
}

/** The highest frame in [from, to], refined by a parabola through its neighbours. */
function peakIn(values: Float32Array, from: number, to: number): number {
  let at = from;
  for (let t = from + 1; t <= to; t++) if (values[t]! > values[at]!) at = t;
  if (at <= 0 || at >= values.length - 1) return at;
  const [left, centre, right] = [values[at - 1]!, values[at]!, values[at + 1]!];
  const curvature = left - 2 * centre + right;
  return curvature < 0 ? at + Math.max(-0.5, Math.min(0.5, (0.5 * (left - right)) / curvature)) : at;
}

export interface BarDecodeOptions {
  /** Allowed metres (default 2, 3, 4, 6). */
  readonly meters?: readonly number[];
  /** This beat must be a downbeat. */
  readonly downbeatAt?: number;
  /** Probability of a metre change at a bar line (default 1e-3). */
  readonly meterChange?: number;
  /** Probability that a bar restarts early at any beat (default 1e-3). */
  readonly restart?: number;
  /** Prior of each metre (default {@link METER_PRIOR}): at the start, and (× barPriorWeight) at every bar line. */
  readonly meterPrior?: Readonly<Record<number, number>>;
  /**
   * Weight of the metre prior at each bar line (default 0). Above 0, a metre pays its prior for every bar it
   * starts, so a short metre that only halves a longer one (2 for 4) must earn its extra bar lines.
   */
  readonly barPriorWeight?: number;
  /**
   * Read the downbeat activation relative to the piece: divided by its 90th percentile over the beats, so a
   * network that is unsure everywhere still separates bar lines from other beats (default true).
   */
  readonly relative?: boolean;
}

export interface DecodedBars {
  /** Position of each beat in its bar, 0 = downbeat. */
  readonly positions: number[];
  /** Metre of each beat's bar. */
  readonly meters: number[];
  /** P(downbeat) of each beat, from forward–backward. */
  readonly downbeatProbability: number[];
  /** P(metre) of each beat. */
  readonly meterProbability: number[];
}

export const METER_PRIOR: Readonly<Record<number, number>> = { 2: 0.15, 3: 0.3, 4: 0.45, 6: 0.1 };

/** Labels beats with bar positions from the downbeat activation at each beat (values in 0…1). */
export function decodeBars(downbeat: readonly number[], options: BarDecodeOptions = {}): DecodedBars {
  const meters = options.meters ?? [2, 3, 4, 6];
  const states: Array<{ meter: number; position: number }> = [];
  for (const meter of meters) for (let position = 0; position < meter; position++) states.push({ meter, position });
  const s = states.length;
  const beats = downbeat.length;
  if (beats === 0) return { positions: [], meters: [], downbeatProbability: [], meterProbability: [] };
  const change = meters.length > 1 ? (options.meterChange ?? 1e-3) : 0;
  const meterPrior = options.meterPrior ?? METER_PRIOR;
  const barCost = (meter: number) => (meters.length > 1 ? (options.barPriorWeight ?? 0) * Math.log(meterPrior[meter] ?? 0.1) : 0);
  const restart = options.restart ?? 1e-3;
  // Transition matrix (log), small: s ≤ 15.
  const transition = states.map(() => new Float64Array(s).fill(-Infinity));
  states.forEach((from, a) => {
    const row = new Float64Array(s);
    states.forEach((to, b) => {
      let p = 0;
      if (to.meter === from.meter && to.position === from.position + 1) p += 1 - restart;
      if (from.position === from.meter - 1 && to.position === 0) p += to.meter === from.meter ? (1 - restart) * (1 - change) : ((1 - restart) * change) / (meters.length - 1);
      if (to.position === 0 && to.meter === from.meter) p += restart;
      row[b] = p;
    });
    const total = row.reduce((x, y) => x + y, 0);
    row.forEach((p, b) => (transition[a]![b] = p > 0 ? Math.log(p / total) + (states[b]!.position === 0 ? barCost(states[b]!.meter) : 0) : -Infinity));
  });
  const sorted = [...downbeat].sort((a, b) => a - b);
  const scale = options.relative === false ? 1 : Math.max(0.05, sorted[Math.floor(0.9 * (sorted.length - 1))]!);
  const evidence = downbeat.map((d) => Math.min(0.99, Math.max(0.01, d / scale)));
  const emission = (beat: number, state: number): number => {
    if (options.downbeatAt === beat && states[state]!.position !== 0) return -Infinity;
    const d = evidence[beat]!;
    return states[state]!.position === 0 ? Math.log(d) : Math.log(1 - d);
  };
  const prior = states.map(({ meter }) => Math.log((meterPrior[meter] ?? 0.1) / meter));

  // Viterbi.
  const back = new Uint8Array(beats * s);
  let score = states.map((_, k) => prior[k]! + emission(0, k));
  for (let b = 1; b < beats; b++) {
    const next = new Array<number>(s).fill(-Infinity);
    for (let to = 0; to < s; to++) {
      let bestFrom = 0;
      for (let from = 0; from < s; from++) {
        const value = score[from]! + transition[from]![to]!;
        if (value > next[to]!) {
          next[to] = value;
          bestFrom = from;
        }
      }
      next[to]! += emission(b, to);
      back[b * s + to] = bestFrom;
    }
    score = next;
  }
  let state = score.indexOf(Math.max(...score));
  const path = new Array<number>(beats);
  for (let b = beats - 1; b >= 0; b--) {
    path[b] = state;
    state = back[b * s + state]!;
  }

  // Forward–backward (scaled, linear domain) for the posteriors.
  const linear = transition.map((row) => Array.from(row, Math.exp));
  const forward: number[][] = [];
  let alpha = states.map((_, k) => Math.exp(prior[k]! + emission(0, k)));
  for (let b = 0; b < beats; b++) {
    if (b > 0) {
      const previous = alpha;
      alpha = states.map((_, to) => {
        let sum = 0;
        for (let from = 0; from < s; from++) sum += previous[from]! * linear[from]![to]!;
        return sum * Math.exp(emission(b, to));
      });
    }
    const total = alpha.reduce((x, y) => x + y, 0) || 1;
    alpha = alpha.map((v) => v / total);
    forward.push(alpha);
  }
  const downbeatProbability = new Array<number>(beats);
  const meterProbability = new Array<number>(beats);
  let beta = new Array<number>(s).fill(1);
  for (let b = beats - 1; b >= 0; b--) {
    if (b < beats - 1) {
      const following = beta;
      beta = states.map((_, from) => {
        let sum = 0;
        for (let to = 0; to < s; to++) sum += linear[from]![to]! * Math.exp(emission(b + 1, to)) * following[to]!;
        return sum;
      });
      const total = beta.reduce((x, y) => x + y, 0) || 1;
      beta = beta.map((v) => v / total);
    }
    const posterior = forward[b]!.map((v, k) => v * beta[k]!);
    const total = posterior.reduce((x, y) => x + y, 0) || 1;
    const chosen = states[path[b]!]!;
    downbeatProbability[b] = posterior.reduce((sum, p, k) => (states[k]!.position === 0 ? sum + p : sum), 0) / total;
    meterProbability[b] = posterior.reduce((sum, p, k) => (states[k]!.meter === chosen.meter ? sum + p : sum), 0) / total;
  }
  return {
    positions: path.map((k) => states[k]!.position),
    meters: path.map((k) => states[k]!.meter),
    downbeatProbability,
    meterProbability,
  };
}
