import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MontageError } from '../../companion/core/errors';
import { JobStore, parseData, stringifyData, type StoredJob } from '../../companion/server/job-store';
import { scratchDir } from '../support/paths';
import { fakeAnalysis } from './ws-client';

const job = (jobId: string): StoredJob => ({
  schema: 'Job.1',
  jobId,
  kind: 'montage',
  request: { kind: 'montage', movie: { path: '/m.mp4' }, music: { path: '/a.ogg' }, options: {}, preview: false },
  createdAt: new Date(0).toISOString(),
  finishedAt: new Date(1).toISOString(),
  analysisJobId: jobId,
});

const montage = (files: { name: string; format: string }[]) => ({
  plan: { totalScore: 0, durationSeconds: 0, barCount: 0, shotCount: 0, sceneCount: 0, options: { scenes: 1, mode: 'hard' as const, granularity: 'bar' as const, trim: true, arc: true, pins: [], bans: [] }, diagnostics: [], music: { startSeconds: 0, endSeconds: 1 } },
  chosen: [],
  musicEmotion: [],
  files,
  preview: null,
  report: '',
});

test('a job folder appears only when published, complete, and a discarded job leaves nothing', async () => {
  const store = new JobStore(scratchDir('store'));
  await store.init();
  const outDir = await store.createWork('j1');
  writeFileSync(join(outDir, 'a.edl'), 'TITLE: x\n');
  assert.deepEqual(readdirSync(store.jobsDir), ['.work-j1'], 'only a hidden work folder while running');
  const stored = await store.publish(job('j1'), { schema: 'JobResult.1', kind: 'montage', elapsedMs: 5, analysis: fakeAnalysis, montage: montage([{ name: 'a.edl', format: 'edl' }]) }, { weights: new Float32Array([0.1, 0.2]) });
  assert.deepEqual(readdirSync(store.jobsDir), ['j1']);
  assert.deepEqual(readdirSync(join(store.jobsDir, 'j1')).sort(), ['analysis.json', 'files', 'job.json', 'result.json']);
  assert.deepEqual(stored.montage?.files, [{ name: 'a.edl', format: 'edl', sizeBytes: 9 }]);
  const loaded = await store.load('j1');
  assert.deepEqual(loaded?.result, stored);
  const analysis = (await store.loadAnalysis('j1')) as { weights: Float32Array };
  assert.ok(analysis.weights instanceof Float32Array);
  assert.deepEqual([...analysis.weights], [...new Float32Array([0.1, 0.2])]);

  await store.createWork('j2');
  await store.discard('j2');
  assert.deepEqual(readdirSync(store.jobsDir), ['j1']);
});

test('publishing refuses listed files that are missing, links, or badly named', async () => {
  const store = new JobStore(scratchDir('store'));
  await store.init();
  const cases: [string, (dir: string) => void, string][] = [
    ['missing', () => {}, 'gone.edl'],
    ['a link', (dir) => symlinkSync('/etc/passwd', join(dir, 'link.edl')), 'link.edl'],
    ['a folder', (dir) => mkdirSync(join(dir, 'sub')), 'sub'],
    ['a path', () => {}, '../job.json'],
  ];
  for (const [index, [label, prepare, name]] of cases.entries()) {
    const id = `bad${index}`;
    prepare(await store.createWork(id));
    await assert.rejects(
      store.publish(job(id), { schema: 'JobResult.1', kind: 'montage', elapsedMs: 0, analysis: fakeAnalysis, montage: montage([{ name, format: 'edl' }]) }, undefined),
      (error: unknown) => error instanceof MontageError && error.code === 'AM_ERR_OUTPUT_WRITE',
      label,
    );
    assert.equal(existsSync(store.jobDir(id)), false, label);
  }
});

test('init removes work folders a crash left behind and keeps finished jobs', async () => {
  const data = scratchDir('store');
  const store = new JobStore(data);
  await store.init();
  await store.createWork('crashed');
  await store.createWork('done');
  await store.publish(job('done'), { schema: 'JobResult.1', kind: 'analyse', elapsedMs: 0, analysis: fakeAnalysis }, {});
  await new JobStore(data).init();
  assert.deepEqual(readdirSync(store.jobsDir), ['done']);
  assert.deepEqual(await store.list(), ['done']);
});

test('openArtifact refuses unlisted files, bad names, links and foreign job ids', async () => {
  const store = new JobStore(scratchDir('store'));
  await store.init();
  const out = await store.createWork('j');
  writeFileSync(join(out, 'a.edl'), 'x');
  writeFileSync(join(out, 'b.edl'), 'y');
  const stored = await store.publish(job('j'), { schema: 'JobResult.1', kind: 'montage', elapsedMs: 0, analysis: fakeAnalysis, montage: montage([{ name: 'a.edl', format: 'edl' }]) }, undefined);
  const listed = stored.montage!.files;
  const opened = await store.openArtifact('j', 'a.edl', listed);
  assert.equal(opened.info.size, 1);
  await opened.handle.close();
  for (const [jobId, name] of [['j', 'b.edl'], ['j', '../job.json'], ['j', '.a.edl'], ['../j', 'a.edl'], ['J', 'a.edl'], ['j', 'a.edl/']] as const) {
    await assert.rejects(store.openArtifact(jobId, name, listed), (error: unknown) => error instanceof MontageError && error.code === 'AM_ERR_PATH_FORBIDDEN', `${jobId}/${name}`);
  }
});

test('typed arrays survive the JSON round trip exactly', () => {
  const value = { f32: new Float32Array([1 / 3, -2.5, 1e-30]), f64: new Float64Array([Math.PI]), u8: new Uint8Array([0, 255]), nested: [{ i32: new Int32Array([-5]) }] };
  const back = parseData(stringifyData(value)) as typeof value;
  assert.ok(back.f32 instanceof Float32Array && back.f64 instanceof Float64Array && back.u8 instanceof Uint8Array);
  assert.deepEqual([...back.f32], [...value.f32]);
  assert.deepEqual([...back.f64], [...value.f64]);
  assert.deepEqual([...back.u8], [0, 255]);
  assert.deepEqual([...back.nested[0]!.i32], [-5]);
});
