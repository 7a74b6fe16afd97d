/**
 * The shapes of what the analysis cache holds, as zod schemas (as the protocol validates its frames). A cache
 * entry's checksum only proves the entry was not torn; it says nothing about who wrote it. An entry whose value
 * does not match its schema — a `null` where a number belongs (JSON's spelling of NaN), a missing field, a
 * string for a number — is corrupt: readCache removes it and the stage rebuilds it, instead of letting it
 * change the plan. Numbers must be finite; counts and frame numbers whole.
 */
import { z } from 'zod';

const finite = z.number().finite();
const whole = z.number().int();
const count = z.number().int().nonnegative();

const rate = z.object({ num: z.number().int().positive(), den: z.number().int().positive() });
const rationalTime = z.object({ value: whole, rate });
const timeRange = z.object({ start: rationalTime, duration: rationalTime });
const diagnostic = z.object({ code: z.string(), message: z.string() });

const mediaInfo = z.object({
  path: z.string(),
  sizeBytes: count,
  durationSeconds: finite.nonnegative(),
  formatName: z.string(),
});

const videoStream = z.object({
  codec: z.string(),
  width: count,
  height: count,
  rate,
  frameCount: count,
  rotation: finite,
  variableFrameRate: z.boolean(),
  pixelAspectRatio: rate.optional(),
  fieldOrder: z.enum(['progressive', 'upper-first', 'lower-first']).optional(),
});

/** companion/analysis/movie/analyse-movie.ts MovieAnalysisResult. */
export const movieAnalysisCacheSchema = z.object({
  schema: z.literal('MovieAnalysis.1'),
  media: mediaInfo.extend({ video: videoStream }),
  shots: z.array(z.object({ index: count, range: timeRange, sceneIndex: count, transitionIn: z.enum(['cut', 'dissolve', 'fade']), usable: timeRange.optional() })),
  scenes: z.array(z.object({ index: count, firstShot: count, shotCount: count })),
  features: z.array(
    z.object({
      brightness: finite,
      saturation: finite,
      colourfulness: finite,
      warmth: finite,
      contrast: finite,
      motion: finite,
      keyframe: count,
      colourSignature: z.array(finite),
    }),
  ),
  transitions: z.array(z.object({ kind: z.string(), start: whole, end: whole, boundary: whole })),
  diagnostics: z.array(diagnostic).optional(),
  decode: z.object({ expectedFrames: count, decodedFrames: count, filledFrames: count, processes: count }),
});

/** companion/analysis/music/analyse-music.ts: a MusicAnalysis without its media (re-probed on a hit). */
export const musicAnalysisCacheSchema = z.object({
  schema: z.literal('MusicAnalysis.1'),
  beats: z.array(z.object({ timeSeconds: finite, beatInBar: count })),
  bars: z
    .array(z.object({ index: count, startSeconds: finite, durationSeconds: finite.positive(), beatsPerBar: count, tempoBpm: finite.positive(), confidence: finite.optional() }))
    .min(1),
  tempoBpm: finite.positive(),
  beatsPerBar: count,
  confidence: finite,
  pulse: z.enum(['steady', 'free']).optional(),
  barFeatures: z.array(z.object({ loudnessDb: finite, onsetDensity: finite, spectralCentroidHz: finite, chroma: z.array(finite), mode: finite, tempoBpm: finite })),
});

/** companion/analysis/emotion/shot-cache.ts: one EmotionVector per shot. */
export const emotionVectorsCacheSchema = z.array(
  z.object({ encoderId: z.string(), values: z.array(finite), valence: finite, arousal: finite, confidence: finite }),
);

/** Whether `value` matches `schema` (for readCache's `validate`). */
export function matchesSchema(schema: z.ZodType, value: unknown): boolean {
  return schema.safeParse(value).success;
}
