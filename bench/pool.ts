/**
 * Clean shot pool benchmarks: `npm run bench -- pool`.
 *
 *   pool.film        per shared film (../shared/media/film): the movie analysis' wall time (no cache), the pool's
 *                    sampling pass (key-frame decode + text detection + JPEGs, wall) and its share of the analysis,
 *                    the thumbnails' own cost (JPEG encoding) and its share, text detection per sample, and the
 *                    shots left out by reason.
 *   pool.detector    the text detector alone on one 320×180 frame (median of 20 runs, one thread), ms per sample.
 */
import { join } from 'node:path';
import { analyseMovie } from '../companion/analysis/movie/analyse-movie';
import { judgeShotPool } from '../companion/analysis/movie/shot-pool';
import { loadTextDetector, textFraction } from '../companion/analysis/movie/text-detector';
import { CancellationTokenSource } from '../companion/core/lifecycle';
import { toFps } from '../companion/core/rational';
import { extractFrames } from '../companion/media/frames';
import { filmDir } from '../test/support/paths';

const FILMS = ['big_buck_bunny_first60s.mp4', 'sintel_trailer.mp4', 'nosferatu_1922_excerpt.mp4'];

function round(value: number, digits = 3): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

export async function run(): Promise<void> {
  const token = new CancellationTokenSource().token;
  const none = { report: () => {} };
  for (const name of FILMS) {
    const path = join(filmDir, name);
    let started = performance.now();
    const plain = await analyseMovie(path, {}, none, token);
    const analysisMs = performance.now() - started;
    started = performance.now();
    const movie = await analyseMovie(path, { shotPool: true }, none, token);
    const withPoolMs = performance.now() - started;
    const pool = movie.pool!;
    const samples = pool.samples.reduce((n, list) => n + list.length, 0);
    const fps = toFps(movie.media.video!.rate);
    const verdict = judgeShotPool(movie.shots.map((shot, i) => ({ shot, samples: pool.samples[i]!, fps, ...(movie.features[i] ? { features: movie.features[i] } : {}) })));
    const byReason: Record<string, number> = {};
    for (const e of verdict.excluded) byReason[e.reason] = (byReason[e.reason] ?? 0) + 1;
    console.log(
      JSON.stringify({
        bench: 'pool.film',
        film: name,
        durationSeconds: round(movie.media.durationSeconds, 2),
        shots: plain.shots.length,
        samples,
        analysisMs: Math.round(analysisMs),
        poolMs: pool.timings.decodeMs,
        poolShare: round(pool.timings.decodeMs / analysisMs),
        analysisWithPoolMs: Math.round(withPoolMs),
        thumbnailMs: pool.timings.thumbnailMs,
        thumbnailShare: round(pool.timings.thumbnailMs / analysisMs, 4),
        thumbnailKB: Math.round(pool.samples.flat().reduce((n, s) => n + (s.jpeg ? (s.jpeg.length * 3) / 4 : 0), 0) / 1024),
        detectMsPerSample: round(pool.timings.detectMs / Math.max(1, samples), 1),
        excluded: verdict.excluded.length,
        byReason,
        trimmed: verdict.trimmed.length,
      }),
    );
  }
  const session = await loadTextDetector();
  const [frame] = await extractFrames(join(filmDir, FILMS[0]!), [300], { width: 320, height: 180 }, token);
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    await textFraction(session, frame!);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ bench: 'pool.detector', width: 320, height: 180, threads: 1, medianMs: round(times[10]!, 1), minMs: round(times[0]!, 1) }));
}
