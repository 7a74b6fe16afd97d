/**
 * Emotion scoring for the montage: runs the configured shot and music encoders, fuses each kind into one
 * vector per shot / per bar / for the whole track, and computes M(shot, music) for the planner — for the
 * whole track (S_i) and for every bar (arc matching). Encoder failures other than cancellation become
 * diagnostics as long as one encoder of each kind works; missing optional models are notices (each job
 * lists only the notices raised by its own encoders).
 */
import { CancellationError, MontageError, type Diagnostic } from '../../core/errors';
import { throwIfCancelled, type CancellationToken } from '../../core/lifecycle';
import type { EmotionVector } from '../../core/montage';
import type { MovieAnalysis, MusicAnalysis, MusicEmotion, MusicEmotionEncoder, ShotEmotionEncoder } from '../../core/pipeline';
import { emotionSettings, withEmotionNotices } from './config';
import { emptyVector, fuseVectors, vectorFromProbabilities } from './emotion-space';
import { encodeShotsCached } from './shot-cache';
import { barScores, shotScores } from './similarity';

export { defaultEncoderIds, configureEmotion, emotionSettings, type EncoderSelection, type EmotionSettings } from './config';
export { emotionSimilarity } from './similarity';
export { dominantLabel, fuseVectors } from './emotion-space';

/** What scoring returns. */
export interface EmotionScores {
  /** The fused vector of each shot, same order as movie.shots. */
  readonly shots: readonly EmotionVector[];
  /** The fused music emotion, for the whole track and per bar. */
  readonly music: MusicEmotion;
  /** M(shot i, whole music). */
  readonly shotScores: readonly number[];
  /** M(shot i, bar k), row-major shots × bars. */
  readonly barScores: { readonly shots: number; readonly bars: number; readonly values: Float32Array };
  /** Each encoder's own output, by id (for reports and ablation). */
  readonly byEncoder: { readonly shot: Readonly<Record<string, readonly EmotionVector[]>>; readonly music: Readonly<Record<string, MusicEmotion>> };
  /** Notices and non-fatal encoder failures. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Fusion weights and the similarity come from the emotion settings (configureEmotion). */
export interface ScoreOptions {
  /** Folder for cached shot vectors (movie-only results, reused with new music); no cache when absent. */
  readonly cacheDir?: string;
}

const isFiniteVector = (v: EmotionVector | undefined): v is EmotionVector =>
  !!v && Array.isArray(v.values) && v.values.every(Number.isFinite) && Number.isFinite(v.valence) && Number.isFinite(v.arousal) && Number.isFinite(v.confidence);

/** An encoder's vector made safe: wrong label count, NaN or negative values → normalised or empty. */
function sanitise(v: EmotionVector | undefined, encoderId: string): EmotionVector {
  if (!isFiniteVector(v)) return emptyVector(encoderId);
  const fixed = vectorFromProbabilities(encoderId, v.values, v.confidence);
  const clampUnit = (x: number) => Math.max(-1, Math.min(1, x));
  return { ...fixed, valence: clampUnit(v.valence), arousal: clampUnit(v.arousal) };
}

function failure(error: unknown, id: string, kind: string): Diagnostic {
  if (error instanceof MontageError && error.code !== 'AM_ERR_INTERNAL') return { code: error.code, message: `${kind} encoder "${id}": ${error.message}`, where: { extension: id } };
  return { code: 'AM_ERR_EXTENSION_FAILED', message: `${kind} encoder "${id}" failed: ${(error as Error)?.message ?? String(error)}`, where: { extension: id } };
}

/** Collects diagnostics once each, and runs `work` with this job's notices routed to them. */
function collecting<T>(work: (diagnostics: Diagnostic[]) => Promise<T>): Promise<T> {
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  // Each notice once, and only this job's (another job scoring at the same time has its own).
  const notice = (d: Diagnostic) => {
    const key = `${d.code}:${d.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      diagnostics.push(d);
    }
  };
  return withEmotionNotices(notice, () => work(diagnostics));
}

/** An encoder's failure (other than cancellation) becomes a diagnostic and leaves it out of the fusion. */
async function guarded<T>(diagnostics: Diagnostic[], token: CancellationToken, id: string, kind: 'Shot' | 'Music', work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CancellationError || token.isCancellationRequested) throw error;
    diagnostics.push(failure(error, id, kind));
    return undefined;
  }
}

/** The music's emotion alone (`analyse-music`, and the music half of {@link scoreEmotions}). Throws when no encoder works. */
export async function scoreMusicEmotion(
  music: MusicAnalysis,
  encoders: readonly MusicEmotionEncoder[],
  token: CancellationToken,
): Promise<{ music: MusicEmotion; byEncoder: Readonly<Record<string, MusicEmotion>>; diagnostics: readonly Diagnostic[] }> {
  throwIfCancelled(token);
  const weights = emotionSettings().weights;
  return collecting(async (diagnostics) => {
    const barCount = music.bars.length;
    const results = await Promise.all(
      encoders.map((encoder) =>
        guarded(diagnostics, token, encoder.id, 'Music', async () => {
          const result = await encoder.encodeMusic(music, token);
          if (!result || !Array.isArray(result.bars) || result.bars.length !== barCount) {
            throw new MontageError('AM_ERR_EXTENSION_FAILED', `returned ${result && Array.isArray(result.bars) ? result.bars.length : 'no'} bar vectors for ${barCount} bars`);
          }
          return { id: encoder.id, emotion: { global: sanitise(result.global, encoder.id), bars: result.bars.map((v) => sanitise(v, encoder.id)) } };
        }),
      ),
    );
    throwIfCancelled(token);
    const ok = results.filter((r) => r !== undefined);
    if (ok.length === 0) {
      throw new MontageError('AM_ERR_EXTENSION_FAILED', encoders.length ? 'Every music emotion encoder failed.' : 'No music emotion encoder is configured.', { diagnostics });
    }
    return {
      music: {
        global: fuseVectors('fusion', ok.map((r) => r.emotion.global), weights),
        bars: music.bars.map((_, k) => fuseVectors('fusion', ok.map((r) => r.emotion.bars[k] ?? emptyVector(r.id)), weights)),
      },
      byEncoder: Object.fromEntries(ok.map((r) => [r.id, r.emotion])),
      diagnostics,
    };
  });
}

/** The music emotion of each music analysis, by the encoder list it was read with (see musicEmotionOnce). */
const musicEmotions = new WeakMap<MusicAnalysis, WeakMap<readonly MusicEmotionEncoder[], ReturnType<typeof scoreMusicEmotion>>>();

/**
 * The music's emotion, read once per music analysis and encoder list: a montage of many files scores each file
 * against the same music (200 files: 200 readings of it, a third of a second). A reading that fails is not kept.
 */
function musicEmotionOnce(music: MusicAnalysis, encoders: readonly MusicEmotionEncoder[], token: CancellationToken): ReturnType<typeof scoreMusicEmotion> {
  let byEncoders = musicEmotions.get(music);
  if (!byEncoders) musicEmotions.set(music, (byEncoders = new WeakMap()));
  const known = byEncoders.get(encoders);
  if (known) return known;
  const reading = scoreMusicEmotion(music, encoders, token);
  byEncoders.set(encoders, reading);
  reading.catch(() => byEncoders.delete(encoders));
  return reading;
}

/** Scores every shot against the music. Throws when no encoder of a kind works, or CancellationError. */
export async function scoreEmotions(
  movie: MovieAnalysis,
  music: MusicAnalysis,
  encoders: { shot: readonly ShotEmotionEncoder[]; music: readonly MusicEmotionEncoder[] },
  token: CancellationToken,
  options: ScoreOptions = {},
): Promise<EmotionScores> {
  throwIfCancelled(token);
  const settings = emotionSettings();
  const weights = settings.weights;
  return collecting(async (diagnostics) => {
    const shotCount = movie.shots.length;
    const [shotResults, musicResult] = await Promise.all([
      Promise.all(
        encoders.shot.map((encoder) =>
          guarded(diagnostics, token, encoder.id, 'Shot', async () => {
            const { vectors } = await encodeShotsCached(encoder, movie, token, options.cacheDir);
            if (!Array.isArray(vectors) || vectors.length !== shotCount) {
              throw new MontageError('AM_ERR_EXTENSION_FAILED', `returned ${Array.isArray(vectors) ? vectors.length : 'no'} vectors for ${shotCount} shots`);
            }
            return { id: encoder.id, vectors: vectors.map((v) => sanitise(v, encoder.id)) };
          }),
        ),
      ),
      musicEmotionOnce(music, encoders.music, token).catch((error: unknown) => {
        if (error instanceof MontageError && error.code === 'AM_ERR_EXTENSION_FAILED') diagnostics.push(...(error.diagnostics ?? []));
        throw error;
      }),
    ]);
    throwIfCancelled(token);
    for (const d of musicResult.diagnostics) if (!diagnostics.some((e) => e.code === d.code && e.message === d.message)) diagnostics.push(d);
    const shotOk = shotResults.filter((r) => r !== undefined);
    if (shotOk.length === 0) {
      throw new MontageError('AM_ERR_EXTENSION_FAILED', encoders.shot.length ? 'Every shot emotion encoder failed.' : 'No shot emotion encoder is configured.', { diagnostics });
    }
    const shots = movie.shots.map((_, i) => fuseVectors('fusion', shotOk.map((r) => r.vectors[i] ?? emptyVector(r.id)), weights));
    const musicEmotion = musicResult.music;
    const similarity = settings.similarity;
    return {
      shots,
      music: musicEmotion,
      shotScores: shotScores(shots, musicEmotion.global, similarity),
      barScores: barScores(shots, musicEmotion.bars, similarity),
      byEncoder: {
        shot: Object.fromEntries(shotOk.map((r) => [r.id, r.vectors])),
        music: musicResult.byEncoder,
      },
      diagnostics,
    };
  });
}
