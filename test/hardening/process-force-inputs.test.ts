import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, linkSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MontageError } from '../../companion/core/errors';
import { CancellationToken, Progress } from '../../companion/core/lifecycle';
import { createExtensionHost, type ExtensionHost } from '../../companion/host/index';
import { analyseInputs, composeMontage, type MontageAnalysis, type MontageRequest } from '../../companion/pipeline/run-montage';
import { createPipelineRunner } from '../../companion/server/pipeline-runner';
import { cli } from '../support/cli';
import { scratchDir } from '../support/paths';
import { smallInputs, type SmallInputs } from './process-support';

const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
let inputs: SmallInputs;
let host: ExtensionHost;
let analysis: MontageAnalysis;
let request: MontageRequest;

before(async () => {
  inputs = await smallInputs(scratchDir('force-inputs'));
  host = await createExtensionHost({ userExtensionsDir: join(scratchDir('force-host'), 'none') });
  request = { moviePath: inputs.movie, musicPath: inputs.music, musicRange: { startSeconds: 0, endSeconds: 16 } };
  analysis = await analyseInputs(request, { host }, Progress.None, CancellationToken.None);
});
after(() => host.dispose());

test('montage --force with its inputs inside the output folder, named as outputs, fails before any work and replaces neither', async () => {
  const dir = scratchDir('force-cli');
  copyFileSync(inputs.movie, join(dir, 'montage.mp4'));
  copyFileSync(inputs.music, join(dir, 'plan.json'));
  const before = [digest(join(dir, 'montage.mp4')), digest(join(dir, 'plan.json'))];
  const run = await cli(['montage', '--movie', join(dir, 'montage.mp4'), '--music', join(dir, 'plan.json'), '--out', dir, '--force', '--no-cache']);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /AM_ERR_OUTPUT_EXISTS: The output .*plan\.json is the input .*plan\.json; an input is never overwritten, not even with --force/);
  assert.doesNotMatch(run.stderr, /^(music|decode)…$/m, 'no analysis started');
  assert.deepEqual([digest(join(dir, 'montage.mp4')), digest(join(dir, 'plan.json'))], before, 'both inputs are intact');
  assert.deepEqual(readdirSync(dir).sort(), ['montage.mp4', 'plan.json'], 'nothing else was written');
});

test('a companion job (the pipeline runner writes its job folder with force) refuses an output that is a link to an input, naming it', async () => {
  const dir = scratchDir('force-link');
  symlinkSync(inputs.movie, join(dir, 'montage.mp4'));
  const before = digest(inputs.movie);
  const runner = await createPipelineRunner({ host });
  const job = { kind: 'montage' as const, movie: { path: inputs.movie }, music: { path: inputs.music, range: request.musicRange! }, options: {}, preview: true };
  await assert.rejects(
    runner.runJob(job, { jobId: 'force-link', outDir: dir, cacheDir: scratchDir('force-link-cache') }, Progress.None, CancellationToken.None),
    (error: unknown) => error instanceof MontageError && error.code === 'AM_ERR_OUTPUT_EXISTS' && error.where?.file === join(dir, 'montage.mp4') && error.message.includes(inputs.movie),
  );
  assert.equal(digest(inputs.movie), before, 'the movie is intact');
  assert.deepEqual(readdirSync(dir), ['montage.mp4'], 'no staging folder or output left');
});

test('an exporter output that would replace an input (a hardlink of the music named montage.otio) is refused before any file is moved', async () => {
  const dir = scratchDir('force-exporter');
  const music = join(dir, 'montage.otio');
  linkSync(inputs.music, music);
  const before = digest(music);
  await assert.rejects(
    composeMontage(analysis, { ...request, musicPath: music }, { host, outDir: dir, force: true, preview: false }, Progress.None, CancellationToken.None),
    (error: unknown) => error instanceof MontageError && error.code === 'AM_ERR_OUTPUT_EXISTS' && error.where?.file === music,
  );
  assert.equal(digest(music), before, 'the music is intact');
  assert.deepEqual(readdirSync(dir), ['montage.otio'], 'all or nothing: no other output was moved in');
});
