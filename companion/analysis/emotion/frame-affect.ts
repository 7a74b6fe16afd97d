/**
 * The knowledge-driven shot encoder: no model, only the shot's visual affect features.
 * - Colour (Valdez & Mehrabian 1994, brightness B and saturation S in [0, 1]):
 *   pleasure = 0.69·B + 0.22·S, arousal = −0.31·B + 0.60·S, dominance = −0.76·B + 0.32·S,
 *   centred on a typical film frame (B 0.4, S 0.3) and scaled to [-1, 1]. Warmth adds a little valence
 *   (hue effects are weak), contrast a little arousal.
 * - Film arousal (Hanjalic & Xu 2005): motion activity and the local cut rate (short shots around the shot).
 * Valence is the weakest part (only colour speaks to it), so confidence stays moderate.
 */
import { throwIfCancelled, type CancellationToken } from '../../core/lifecycle';
import type { EmotionVector, ShotFeatures } from '../../core/montage';
import type { MovieAnalysis, ShotEmotionEncoder } from '../../core/pipeline';
import { toSeconds } from '../../core/rational';
import { clamp, vectorFromPad, type Pad } from './emotion-space';
import { timed } from './timings';

/** Which cues to use (for ablation); all on by default. */
export interface FrameAffectCues {
  readonly colour?: boolean;
  readonly motion?: boolean;
  readonly cutRate?: boolean;
}

export interface FrameAffectOptions {
  readonly cues?: FrameAffectCues;
  /** Motion value of an ordinary shot (the movie analysis' mean absolute frame difference, 0..1). */
  readonly typicalMotion?: number;
  /** Shot length in seconds that reads as neither fast nor slow cutting. */
  readonly typicalShotSeconds?: number;
}

const TYPICAL = { brightness: 0.4, saturation: 0.3 } as const;
const P0 = 0.69 * TYPICAL.brightness + 0.22 * TYPICAL.saturation;
const A0 = -0.31 * TYPICAL.brightness + 0.6 * TYPICAL.saturation;
const D0 = -0.76 * TYPICAL.brightness + 0.32 * TYPICAL.saturation;

/** The colour reading of one shot's features, in PAD. */
export function colourPad(f: Pick<ShotFeatures, 'brightness' | 'saturation' | 'warmth' | 'contrast' | 'colourfulness'>): Pad {
  const b = clamp(f.brightness, 0, 1);
  const s = clamp(f.saturation, 0, 1);
  const pleasure = 0.69 * b + 0.22 * s - P0;
  const arousal = -0.31 * b + 0.6 * s - A0;
  const dominance = -0.76 * b + 0.32 * s - D0;
  return {
    valence: clamp(2.5 * pleasure + 0.3 * (clamp(f.warmth, 0, 1) - 0.5)),
    arousal: clamp(2.5 * arousal + 0.4 * (clamp(f.contrast, 0, 1) - 0.3) + 0.3 * (clamp(f.colourfulness, 0, 1) - 0.3)),
    dominance: clamp(2 * dominance),
  };
}

/** Motion arousal: log-scaled against a typical shot, in [-1, 1]. */
export function motionArousal(motion: number, typical: number): number {
  const m = Math.max(1e-4, Number.isFinite(motion) ? motion : 0);
  return clamp(Math.tanh(Math.log(m / typical) / 1.2));
}

/** Cut-rate arousal from the mean length (seconds) of the shots around: short shots → high arousal. */
export function cutRateArousal(meanShotSeconds: number, typical: number): number {
  return clamp(Math.tanh(Math.log(typical / Math.max(0.05, meanShotSeconds))));
}

export class FrameAffectEncoder implements ShotEmotionEncoder {
  readonly kind = 'shot' as const;
  constructor(
    readonly id = 'frame-affect',
    private readonly options: FrameAffectOptions = {},
  ) {}

  /** The vectors depend only on the analysis' features and these options. */
  cacheKey(): string {
    return JSON.stringify({ version: 'frame-affect.1', options: this.options });
  }

  async encodeShots(movie: MovieAnalysis, token: CancellationToken): Promise<EmotionVector[]> {
    throwIfCancelled(token);
    return timed(this.id, 'computeMs', () => encodeFrameAffect(movie, this.id, this.options));
  }
}

/** The frame-affect vectors of every shot (synchronous core of {@link FrameAffectEncoder}). */
export function encodeFrameAffect(movie: MovieAnalysis, encoderId = 'frame-affect', options: FrameAffectOptions = {}): EmotionVector[] {
  const cues = { colour: true, motion: true, cutRate: true, ...options.cues };
  const typicalMotion = options.typicalMotion ?? 0.03;
  const typicalShot = options.typicalShotSeconds ?? 3;
  const seconds = movie.shots.map((s) => Math.max(0, toSeconds(s.range.duration)));
  return movie.shots.map((_, i) => {
    const f = movie.features[i];
    if (!f) return vectorFromPad(encoderId, { valence: 0, arousal: 0, dominance: 0 }, 0);
    const colour = cues.colour ? colourPad(f) : { valence: 0, arousal: 0, dominance: 0 };
    // Local cut rate: the mean length of this shot and its two neighbours on each side.
    let sum = 0;
    let count = 0;
    for (let j = Math.max(0, i - 2); j <= Math.min(seconds.length - 1, i + 2); j++) {
      sum += seconds[j] ?? 0;
      count++;
    }
    const parts: [number, number][] = [];
    if (cues.colour) parts.push([colour.arousal, 0.35]);
    if (cues.motion) parts.push([motionArousal(f.motion, typicalMotion), 0.35]);
    if (cues.cutRate) parts.push([cutRateArousal(sum / Math.max(1, count), typicalShot), 0.3]);
    const weight = parts.reduce((a, [, w]) => a + w, 0);
    const arousal = weight > 0 ? parts.reduce((a, [v, w]) => a + v * w, 0) / weight : 0;
    const confidence = (cues.colour ? 0.3 : 0) + (cues.motion || cues.cutRate ? 0.2 : 0);
    return vectorFromPad(encoderId, { valence: colour.valence, arousal, dominance: colour.dominance }, confidence);
  });
}
