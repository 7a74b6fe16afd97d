/**
 * A child process for process-orphans.test.ts: renders a long preview (the movie's windows over and over) to
 * argv[4] and prints "rendering" once ffmpeg is writing, so the test can kill this process mid-render.
 */
import { CancellationToken } from '../../companion/core/lifecycle';
import { renderPreview } from '../../companion/media/render';

const [moviePath, musicPath, outPath] = process.argv.slice(2);
let told = false;
await renderPreview(
  {
    moviePath: moviePath!,
    movieRate: { num: 25, den: 1 },
    movieHeight: 180,
    // 40 windows of 10 s: a render of minutes, long enough to be killed in the middle.
    segments: Array.from({ length: 40 }, (_, i) => ({ startFrame: (i % 4) * 250, frameCount: 250 })),
    musicPath: musicPath!,
    musicStartSeconds: 0,
    outPath: outPath!,
  },
  {
    report: (r) => {
      if (!told && r.stage === 'render' && r.fraction > 0) {
        told = true;
        process.stdout.write('rendering\n');
      }
    },
  },
  CancellationToken.None,
);
