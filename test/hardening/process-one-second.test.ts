import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CancellationToken, Progress } from '../../companion/core/lifecycle';
import { synthesizeMovie } from '../../companion/media/synthesize';
import { createPipelineRunner, type PipelineRunner } from '../../companion/server/pipeline-runner';
import { scratchDir } from '../support/paths';
import { smallInputs, type SmallInputs } from './process-support';

let inputs: SmallInputs;
let oneSecond: string;
let runner: PipelineRunner;
before(async () => {
  const dir = scratchDir('one-second');
  inputs = await smallInputs(join(dir, 'inputs'));
  oneSecond = join(dir, 'one-second.mp4');
  await synthesizeMovie(oneSecond, [{ source: 'testsrc2=size=320x180:rate=25', seconds: 1 }]);
  runner = await createPipelineRunner({ userExtensionsDir: join(dir, 'no-extensions') });
});
after(() => runner.dispose());

test('analyse of a one-second movie returns the analysis: analysing needs no plan, even when the shots cannot fill a bar', { timeout: 120_000 }, async () => {
  const output = await runner.runJob(
    { kind: 'analyse', movie: { path: oneSecond }, music: { path: inputs.music }, options: {}, preview: false },
    { jobId: 'one-second', outDir: scratchDir('one-second-out'), cacheDir: scratchDir('one-second-cache') },
    Progress.None,
    CancellationToken.None,
  );
  assert.equal(output.montage, undefined);
  assert.equal(output.analysis.movie.durationSeconds, 1);
  assert.deepEqual(output.analysis.shots.map((s) => [s.startSeconds, s.endSeconds]), [[0, 1]], 'one shot of one second');
  assert.ok(output.analysis.bars.length >= 19, `${output.analysis.bars.length} bars of 2 s in 40 s of music`);
});
