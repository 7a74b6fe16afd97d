import assert from 'node:assert/strict';
import { rmSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Diagnostic } from '../../companion/core/errors';
import { CancellationToken } from '../../companion/core/lifecycle';
import { withEmotionNotices } from '../../companion/analysis/emotion/config';
import type { EmotionVector } from '../../companion/core/montage';
import type { ShotEmotionEncoder } from '../../companion/core/pipeline';
import { encodeShotsCached, registerCacheableEncoder, type CacheableShotEncoder } from '../../companion/analysis/emotion/shot-cache';
import { scoreEmotions } from '../../companion/analysis/emotion/index';
import { MusicFeatureEncoder } from '../../companion/analysis/emotion/music-features';
import { vectorFromPad } from '../../companion/analysis/emotion/emotion-space';
import { scratchDir } from '../support/paths';
import { movieAnalysis, musicAnalysis } from './make-analysis';

const dir = scratchDir('emotion-cache');
after(() => rmSync(dir, { recursive: true, force: true }));
const moviePath = join(dir, 'movie.mp4');
writeFileSync(moviePath, 'not really a movie, but it has a fingerprint');

function counting(id: string, settings: () => string): CacheableShotEncoder & { calls: number } {
  const encoder = {
    id,
    kind: 'shot' as const,
    calls: 0,
    cacheKey: () => settings(),
    encodeShots: async (movie: Parameters<ShotEmotionEncoder['encodeShots']>[0], _token?: CancellationToken): Promise<EmotionVector[]> => {
      encoder.calls++;
      return movie.shots.map((_, i) => vectorFromPad(id, { valence: 0.1 * i, arousal: 0.5, dominance: 0 }, 0.6));
    },
  };
  return encoder;
}

test('a second scoring with new music reads the shot vectors back instead of encoding again', async () => {
  const movie = movieAnalysis([{}, {}, {}], { path: moviePath });
  const encoder = counting('cached-shots', () => 'gate=1');
  const first = await scoreEmotions(movie, musicAnalysis([{ mode: 0.8 }]), { shot: [encoder], music: [new MusicFeatureEncoder()] }, CancellationToken.None, { cacheDir: dir });
  const second = await scoreEmotions(movie, musicAnalysis([{ mode: -0.8 }, { mode: 0 }]), { shot: [encoder], music: [new MusicFeatureEncoder()] }, CancellationToken.None, { cacheDir: dir });
  assert.equal(encoder.calls, 1);
  assert.deepEqual(second.byEncoder.shot['cached-shots'], first.byEncoder.shot['cached-shots']);
  assert.notDeepEqual(second.shotScores, first.shotScores, 'the music changed, so the scores did');
});

test('changed settings, a changed analysis or a corrupt entry miss the cache; no folder means no cache', async () => {
  let gate = 'a';
  const encoder = counting('settings-shots', () => gate);
  const movie = movieAnalysis([{}, {}], { path: moviePath });
  assert.equal((await encodeShotsCached(encoder, movie, CancellationToken.None, dir)).cache, 'stored');
  assert.equal((await encodeShotsCached(encoder, movie, CancellationToken.None, dir)).cache, 'hit');
  gate = 'b';
  assert.equal((await encodeShotsCached(encoder, movie, CancellationToken.None, dir)).cache, 'stored');
  const otherCuts = movieAnalysis([{ seconds: 2 }, { seconds: 4 }], { path: moviePath });
  assert.equal((await encodeShotsCached(encoder, otherCuts, CancellationToken.None, dir)).cache, 'stored');
  for (const file of readdirSync(dir).filter((f) => f.startsWith('emotion-shots-settings-shots'))) writeFileSync(join(dir, file), '{"broken');
  assert.equal((await encodeShotsCached(encoder, movie, CancellationToken.None, dir)).cache, 'stored', 'a corrupt entry is rebuilt');
  assert.equal((await encodeShotsCached(encoder, movie, CancellationToken.None, undefined)).cache, 'off');
  assert.equal(encoder.calls, 5);
});

test('a wrapped encoder (as the extension host hands it out) is cached through the id the built-in registered', async () => {
  const builtin = counting('wrapped-shots', () => 'v1');
  const registration = registerCacheableEncoder(builtin);
  try {
    const wrapped: ShotEmotionEncoder = { id: 'wrapped-shots', kind: 'shot', encodeShots: (m, t) => builtin.encodeShots(m, t) };
    const movie = movieAnalysis([{}], { path: moviePath });
    assert.equal((await encodeShotsCached(wrapped, movie, CancellationToken.None, dir)).cache, 'stored');
    assert.equal((await encodeShotsCached(wrapped, movie, CancellationToken.None, dir)).cache, 'hit');
    const stranger: ShotEmotionEncoder = { id: 'someone-else', kind: 'shot', encodeShots: (m, t) => builtin.encodeShots(m, t) };
    assert.equal((await encodeShotsCached(stranger, movie, CancellationToken.None, dir)).cache, 'off', 'an encoder with no settings key is never cached');
  } finally {
    registration.dispose();
  }
});

test('a cache folder that cannot be written leaves the vectors intact, uncached, with an output-write notice', async () => {
  const notAFolder = join(dir, 'a-file-not-a-folder');
  writeFileSync(notAFolder, 'x');
  const encoder = counting('unwritable', () => 'v1');
  const movie = movieAnalysis([{}, {}], { path: moviePath });
  const notices: Diagnostic[] = [];
  const result = await withEmotionNotices((d) => notices.push(d), () => encodeShotsCached(encoder, movie, CancellationToken.None, notAFolder));
  assert.equal(result.cache, 'off');
  assert.equal(result.vectors.length, 2);
  assert.equal(result.vectors[1]!.encoderId, 'unwritable');
  assert.deepEqual(notices.map((d) => d.code), ['AM_ERR_OUTPUT_WRITE']);
  assert.equal(notices[0]?.where?.file, notAFolder);
});
