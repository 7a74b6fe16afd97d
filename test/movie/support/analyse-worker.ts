/**
 * Analyses one movie in a process of its own and prints one JSON line (for the memory benchmark, which
 * watches this process and its ffmpeg children from outside).
 * Usage: node --import tsx test/movie/support/analyse-worker.ts <movie> [threads]
 */
import { analyseMovie } from '../../../companion/analysis/movie/analyse-movie';
import { CancellationToken } from '../../../companion/core/lifecycle';

const [path, threads] = process.argv.slice(2);
if (!path) {
  console.error('usage: analyse-worker.ts <movie> [threads]');
  process.exit(2);
}
const started = performance.now();
const result = await analyseMovie(path, threads ? { threads: Number(threads) } : {}, { report: () => {} }, CancellationToken.None);
console.log(
  JSON.stringify({
    frames: result.decode.decodedFrames,
    shots: result.shots.length,
    scenes: result.scenes.length,
    seconds: (performance.now() - started) / 1000,
    nodeMaxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
