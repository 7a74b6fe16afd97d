/**
 * analyseFiles with many files: warm cache entries are read side by side (up to FILES_AT_ONCE), decoding runs for
 * one file at a time (the decode lane), progress rises within every stage and names the file, and results keep
 * the paths' order. First with an injected analyser that counts what overlaps, then on real generated footage
 * through analyseMovie and its cache.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CancellationToken, type Progress, type ProgressReport } from '../../companion/core/lifecycle';
import { MontageError } from '../../companion/core/errors';
import { inDecodeLane } from '../../companion/analysis/decode-lane';
import { analyseMovie } from '../../companion/analysis/movie/analyse-movie';
import { analyseFiles, FILES_AT_ONCE, type FileAnalysis } from '../../companion/pipeline/sources';
import { scratchDir } from '../support/paths';
import { makeFootage } from './make-footage';
import { fileAnalysis } from './make-sources';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Collects reports and checks, as they come, that no stage's fraction ever decreases. */
function recordingProgress(): { progress: Progress<ProgressReport>; reports: ProgressReport[] } {
  const reports: ProgressReport[] = [];
  const highest = new Map<string, number>();
  return {
    reports,
    progress: {
      report: (r) => {
        assert.ok(r.fraction >= (highest.get(r.stage) ?? 0), `${r.stage} went back from ${highest.get(r.stage)} to ${r.fraction}`);
        highest.set(r.stage, r.fraction);
        reports.push(r);
      },
    },
  };
}

test('warm files are read side by side, but two files never decode at once, and progress never goes back', async () => {
  const count = 24;
  const paths = Array.from({ length: count }, (_, i) => `/footage/clip-${i}.mp4`);
  const cold = new Set(paths.filter((_, i) => i % 3 === 1));
  let analysing = 0;
  let mostAnalysing = 0;
  const decodingFiles = new Map<string, number>();
  let mostDecodingFiles = 0;
  let mostDecodesOfOneFile = 0;
  const finished: string[] = [];
  const decode = async (path: string) => {
    decodingFiles.set(path, (decodingFiles.get(path) ?? 0) + 1);
    mostDecodingFiles = Math.max(mostDecodingFiles, decodingFiles.size);
    mostDecodesOfOneFile = Math.max(mostDecodesOfOneFile, decodingFiles.get(path)!);
    await sleep(4);
    const left = decodingFiles.get(path)! - 1;
    if (left === 0) decodingFiles.delete(path);
    else decodingFiles.set(path, left);
  };
  const analyse = async (path: string, progress: Progress<ProgressReport>): Promise<FileAnalysis> => {
    analysing++;
    mostAnalysing = Math.max(mostAnalysing, analysing);
    const i = paths.indexOf(path);
    try {
      // A cache read takes a while (later files sooner, so they finish out of order).
      await sleep(2 + ((count - i) % 5));
      progress.report({ stage: 'decode', fraction: cold.has(path) ? 0 : 1, ...(cold.has(path) ? {} : { message: 'from cache' }) });
      if (cold.has(path)) {
        // A decode, then two encoders side by side (as scoreEmotions runs them), each in the decode lane.
        await inDecodeLane(() => decode(path));
        progress.report({ stage: 'decode', fraction: 1 });
        progress.report({ stage: 'emotion', fraction: 0 });
        await Promise.all([inDecodeLane(() => decode(path)), inDecodeLane(() => decode(path))]);
      }
      progress.report({ stage: 'emotion', fraction: 1 });
      finished.push(path);
      return fileAnalysis(path, 25, [50, 50], 4);
    } finally {
      analysing--;
    }
  };
  const { progress, reports } = recordingProgress();
  const { files, notices } = await analyseFiles(paths, analyse, progress, CancellationToken.None);

  assert.deepEqual([...files.keys()], paths, 'results keep the paths’ order');
  assert.notDeepEqual(finished, paths, 'the files finished out of order (else the order check says nothing)');
  assert.equal(notices.length, 0);
  assert.equal(mostAnalysing, FILES_AT_ONCE, `up to ${FILES_AT_ONCE} files are analysed at once`);
  assert.equal(mostDecodingFiles, 1, 'no two files decode at the same time');
  assert.equal(mostDecodesOfOneFile, 2, 'one file’s own encoders still run side by side');
  for (const stage of ['decode', 'emotion']) {
    const ofStage = reports.filter((r) => r.stage === stage);
    assert.equal(ofStage.at(-1)!.fraction, 1, `${stage} ends at 1`);
  }
  // Every report says which file it is about.
  for (const [i, path] of paths.entries()) {
    const own = reports.filter((r) => r.message?.startsWith(`${i + 1}/${count}`));
    assert.equal(own.length, cold.has(path) ? 4 : 2, `${path}'s reports are named ${i + 1}/${count}`);
  }
});

test('a file that fails among many is a notice in the paths’ order, and an error that is not a file’s own stops the rest', async () => {
  const paths = Array.from({ length: 12 }, (_, i) => `/footage/clip-${i}.mp4`);
  const started: string[] = [];
  const analyse = async (path: string): Promise<FileAnalysis> => {
    started.push(path);
    await sleep(paths.indexOf(path) % 2 ? 1 : 6);
    if (path.endsWith('-3.mp4') || path.endsWith('-0.mp4')) throw new MontageError('AM_ERR_FILE_NOT_FOUND', `${path} is gone`);
    return fileAnalysis(path, 25, [50], 4);
  };
  const { files, notices } = await analyseFiles(paths, analyse, { report: () => {} }, CancellationToken.None);
  assert.equal(files.size, 10);
  assert.deepEqual(notices.map((n) => n.where?.file), ['/footage/clip-0.mp4', '/footage/clip-3.mp4']);

  started.length = 0;
  const broken = async (path: string): Promise<FileAnalysis> => {
    started.push(path);
    await sleep(2);
    if (path.endsWith('-1.mp4')) throw new Error('a bug');
    return fileAnalysis(path, 25, [50], 4);
  };
  await assert.rejects(analyseFiles(paths, broken, { report: () => {} }, CancellationToken.None), /a bug/);
  assert.ok(started.length < paths.length, `no file is started after the failure (started ${started.length})`);
});

test('real footage: a cold analysis decodes one file at a time, a warm one reads every file at once from the cache', async () => {
  const dir = scratchDir('analyse-files');
  const cacheDir = join(dir, 'cache');
  rmSync(cacheDir, { recursive: true, force: true });
  const paths = [0, 1, 2].map((i) => join(dir, `clip-${i}.mp4`));
  for (const [i, path] of paths.entries()) await makeFootage(path, { fps: 25, shotSeconds: [3, 3, 3], seed: i * 4 });

  // Each file's decode window: its first 'decode' report to its last 'scenes' report.
  const run = async () => {
    const windows = new Map<string, { from: number; to: number; cached: boolean }>();
    let analysing = 0;
    let mostAnalysing = 0;
    const analyse = async (path: string, progress: Progress<ProgressReport>) => {
      analysing++;
      mostAnalysing = Math.max(mostAnalysing, analysing);
      const watched: Progress<ProgressReport> = {
        report: (r) => {
          const now = performance.now();
          if (r.stage === 'decode' && !windows.has(path)) windows.set(path, { from: now, to: now, cached: r.message === 'from cache' });
          if (r.stage === 'scenes') windows.get(path)!.to = now;
          progress.report(r);
        },
      };
      try {
        const movie = await analyseMovie(path, { cacheDir }, watched, CancellationToken.None);
        return { movie, emotions: fileAnalysis(path, 25, movie.shots.map(() => 10), 4).emotions };
      } finally {
        analysing--;
      }
    };
    const { progress, reports } = recordingProgress();
    const { files } = await analyseFiles(paths, analyse, progress, CancellationToken.None);
    assert.deepEqual([...files.keys()], paths);
    return { windows: paths.map((path) => windows.get(path)!), mostAnalysing, reports, files };
  };

  const cold = await run();
  assert.ok(cold.windows.every((w) => !w.cached));
  const ordered = [...cold.windows].sort((a, b) => a.from - b.from);
  for (let k = 1; k < ordered.length; k++) assert.ok(ordered[k]!.from >= ordered[k - 1]!.to, `decode ${k} starts after decode ${k - 1} ended`);
  for (const file of cold.files.values()) {
    assert.ok(file.movie.shots.length >= 3, 'the cuts are found');
    assert.equal(file.movie.shots.reduce((frames, shot) => frames + shot.range.duration.value, 0), 225, 'the shots cover the file’s 9 s');
  }

  const warm = await run();
  assert.ok(warm.windows.every((w) => w.cached), 'every file comes from the cache');
  assert.equal(warm.mostAnalysing, paths.length, 'the warm files are read side by side');
  assert.deepEqual([...warm.files.values()].map((f) => f.movie.shots), [...cold.files.values()].map((f) => f.movie.shots), 'the cache gives back what was analysed');
  assert.equal(warm.reports.filter((r) => r.stage === 'scenes').at(-1)!.fraction, 1);
});

test('once an analysis fails with an error that is not a file’s own, the files waiting to decode are not decoded', async () => {
  const paths = Array.from({ length: 6 }, (_, i) => `/footage/cold-${i}.mp4`);
  const decoded: string[] = [];
  const analyse = (path: string) =>
    inDecodeLane(async () => {
      await sleep(5);
      if (path.endsWith('-0.mp4')) throw new Error('the decoder broke');
      decoded.push(path);
      return fileAnalysis(path, 25, [50], 4);
    });
  await assert.rejects(analyseFiles(paths, analyse, { report: () => {} }, CancellationToken.None), /the decoder broke/);
  assert.deepEqual(decoded, [], 'the five files queued behind the failure never decode');
});
