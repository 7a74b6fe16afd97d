import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { analyseMovie } from '../../companion/analysis/movie/analyse-movie';
import { CancellationToken, type ProgressReport } from '../../companion/core/lifecycle';
import { probeMovie } from '../../companion/media/probe';
import { scratchDir } from '../support/paths';
import { smallInputs, truncatedCopy } from './process-support';

let truncated: string;
before(async () => {
  const dir = scratchDir('truncated');
  const { movie } = await smallInputs(join(dir, 'inputs'));
  // The index first, as most delivered files have it: cut short, the header still announces 48 s.
  truncated = await truncatedCopy(movie, dir, 'truncated.mp4', true);
});

test('a movie truncated at 50 % is reported as long as what decodes, with a notice naming the file', { timeout: 120_000 }, async () => {
  const announced = (await probeMovie(truncated)).durationSeconds;
  assert.ok(announced > 47, `the header still announces ${announced} s`);
  const messages: ProgressReport[] = [];
  const result = await analyseMovie(truncated, {}, { report: (r) => r.message && messages.push(r) }, CancellationToken.None);
  const fps = 25;
  const decodedSeconds = result.decode.decodedFrames / fps;
  assert.ok(decodedSeconds > 10 && decodedSeconds < 0.75 * announced, `${decodedSeconds} s decode`);
  assert.equal(result.media.durationSeconds, decodedSeconds, 'the duration is the decoded length');
  assert.equal(result.media.video?.frameCount, result.decode.decodedFrames);
  assert.equal(result.diagnostics.length, 1);
  const [notice] = result.diagnostics;
  assert.equal(notice!.code, 'AM_ERR_MEDIA_UNREADABLE');
  assert.equal(notice!.where?.file, truncated);
  assert.match(notice!.message, /truncated: its header announces 48\.0 s, but only \d+\.\d s \(\d+ of 1200 frames\) decode/);
  assert.ok(messages.some((m) => m.stage === 'decode' && m.message === notice!.message), 'the notice is shown with the decode progress');
});
