/**
 * Cache of shot encoders' vectors. Faces, frame affect and soundtrack cues depend only on the movie, so
 * a second montage of the same movie with new music reads them back instead of decoding keyframes and
 * audio again. An entry's key joins: the movie's content fingerprint (analysis/cache.ts), a hash of the
 * movie analysis it was computed on (shots, features, stream facts), the encoder's id and the encoder's own
 * settings key (model checksums, face gates, YAMNet file...). Entries are written atomically and a corrupt
 * one is rebuilt (readCache/writeCache). Only encoders that give a settings key (`cacheKey`) are cached: a
 * user's encoder is never cached unless it says what its output depends on.
 */
import { createHash } from 'node:crypto';
import { toDisposable, type CancellationToken, type Disposable } from '../../core/lifecycle';
import type { EmotionVector } from '../../core/montage';
import type { MovieAnalysis, ShotEmotionEncoder } from '../../core/pipeline';
import { fingerprint, readCache, writeCache } from '../cache';
import { emotionVectorsCacheSchema, matchesSchema } from '../cache-schemas';
import { emotionNotice } from './config';
import { inDecodeLane } from '../decode-lane';

/** A shot encoder whose output can be cached: `cacheKey` names everything besides the movie it depends on; undefined: do not cache this run. */
export interface CacheableShotEncoder extends ShotEmotionEncoder {
  cacheKey(movie: MovieAnalysis): Promise<string | undefined> | string | undefined;
}

const SCHEMA = 'EmotionShots.1';

/**
 * The extension host hands jobs a guarded wrapper of each registered encoder (only id, kind, encodeShots),
 * so the built-in extension also registers its cacheable encoders here by id. Ids are unique across
 * extensions (the host ignores a second claim), so an id found here is the built-in encoder.
 */
const keyedById = new Map<string, CacheableShotEncoder>();

export function registerCacheableEncoder(encoder: CacheableShotEncoder): Disposable {
  keyedById.set(encoder.id, encoder);
  return toDisposable(() => {
    if (keyedById.get(encoder.id) === encoder) keyedById.delete(encoder.id);
  });
}

export function isCacheable(encoder: ShotEmotionEncoder): encoder is CacheableShotEncoder {
  return typeof (encoder as Partial<CacheableShotEncoder>).cacheKey === 'function';
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** Hashes already taken, by analysis: every shot encoder of a file asks for its analysis' hash. */
const analysisHashes = new WeakMap<MovieAnalysis, string>();

/** The hash of the parts of a movie analysis shot encoders read (analyses are not changed once made). */
export function analysisHash(movie: MovieAnalysis): string {
  let hash = analysisHashes.get(movie);
  if (hash === undefined) {
    hash = sha(JSON.stringify({ video: movie.media.video ?? null, audio: movie.media.audio ?? null, duration: movie.media.durationSeconds, shots: movie.shots, features: movie.features }));
    analysisHashes.set(movie, hash);
  }
  return hash;
}

function isVectorList(count: number) {
  return (value: unknown): value is EmotionVector[] =>
    Array.isArray(value) &&
    value.length === count &&
    matchesSchema(emotionVectorsCacheSchema, value) &&
    value.every((v: Partial<EmotionVector> | null) => !!v && typeof v.encoderId === 'string' && Array.isArray(v.values) && typeof v.valence === 'number' && typeof v.arousal === 'number' && typeof v.confidence === 'number');
}

/** What a cached encode did. */
export interface CachedShots {
  readonly vectors: EmotionVector[];
  /** 'hit': read back; 'stored': computed and written; 'off': not cached (no folder, no key, no fingerprint). */
  readonly cache: 'hit' | 'stored' | 'off';
}

/** Runs `encoder` on `movie`, through the cache in `cacheDir` when the encoder is cacheable. */
export async function encodeShotsCached(encoder: ShotEmotionEncoder, movie: MovieAnalysis, token: CancellationToken, cacheDir: string | undefined): Promise<CachedShots> {
  const keyed = isCacheable(encoder) ? encoder : keyedById.get(encoder.id);
  if (!cacheDir || !keyed) return { vectors: await inDecodeLane(() => encoder.encodeShots(movie, token)), cache: 'off' };
  const [settingsKey, print] = await Promise.all([keyed.cacheKey(movie), fingerprint(movie.media.path).catch(() => undefined)]);
  if (settingsKey === undefined || print === undefined) return { vectors: await inDecodeLane(() => encoder.encodeShots(movie, token)), cache: 'off' };
  const key = `emotion-shots-${encoder.id.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 40)}-${sha(`${SCHEMA}\n${print}\n${analysisHash(movie)}\n${encoder.id}\n${settingsKey}`).slice(0, 40)}`;
  const found = await readCache(cacheDir, key, isVectorList(movie.shots.length));
  if (found.status === 'hit') return { vectors: found.value, cache: 'hit' };
  // Files analysed side by side encode their frames one at a time (analysis/decode-lane.ts).
  const vectors = await inDecodeLane(() => encoder.encodeShots(movie, token));
  if (!isVectorList(movie.shots.length)(vectors)) return { vectors, cache: 'off' }; // the caller reports the bad output
  try {
    await writeCache(cacheDir, key, vectors);
  } catch (error) {
    emotionNotice({ code: 'AM_ERR_OUTPUT_WRITE', message: `Emotion cache not written: ${(error as Error).message}`, where: { file: cacheDir } });
    return { vectors, cache: 'off' };
  }
  return { vectors, cache: 'stored' };
}
