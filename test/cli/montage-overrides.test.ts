/**
 * The editor's music overrides on `montage` (--bpm, --beats-per-bar, --first-downbeat, --mood): they reach the
 * bars and the music emotion the planner cut and steered by (plan.json), and bad values are refused before any
 * analysis, by the CLI (usage, exit 2) and by the pipeline the server uses (AM_ERR_INVALID_ARGUMENT naming the field).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MontageError } from '../../companion/core/errors';
import { CancellationToken, Progress } from '../../companion/core/lifecycle';
import { createExtensionHost } from '../../companion/host/index';
import type { PlanJson } from '../../companion/pipeline/plan-json';
import { runMontage, type MontageOptions } from '../../companion/pipeline/run-montage';
import { cli, cliProcess } from '../support/cli';
import { beatsDir, filmDir, scratchDir } from '../support/paths';
import { assertPlanEmotion } from './plan-emotion';

const movie = join(filmDir, 'sintel_trailer.mp4');
const music = join(beatsDir, 'fof_escape_from_chaosland.ogg');

test('montage --bpm --beats-per-bar --first-downbeat --mood: the plan is cut on those bars and steered by that mood', { timeout: 300_000 }, async () => {
  const out = join(scratchDir('overrides'), 'out');
  const firstDownbeat = 31.5;
  const run = await cliProcess([
    'montage', '--movie', movie, '--music', music, '--music-range', '30:45', '--out', out, '--json', '--no-cache', '--no-preview', '--format', 'edl',
    '--bpm', '135', '--beats-per-bar', '3', '--first-downbeat', String(firstDownbeat), '--mood', 'sad', '--granularity', 'bar',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const plan = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')) as PlanJson;
  assertPlanEmotion(plan, ['faces', 'frame-affect', 'soundtrack']);

  // The metre and tempo: three beats of 135 BPM per bar, everywhere.
  assert.equal(plan.music.beatsPerBar, 3);
  assert.ok(Math.abs(plan.music.tempoBpm - 135) < 0.5, `${plan.music.tempoBpm} BPM`);
  const beatSeconds = 60 / 135;
  for (const bar of plan.bars) {
    assert.equal(bar.beatsPerBar, 3, `bar ${bar.index}`);
    assert.ok(Math.abs(bar.durationSeconds - 3 * beatSeconds) < 0.1 * 3 * beatSeconds, `bar ${bar.index} lasts ${bar.durationSeconds} s`);
  }
  // The first downbeat: a bar starts on the beat nearest 31.5 s (within half a beat of it).
  assert.ok(plan.bars.some((bar) => Math.abs(bar.startSeconds - firstDownbeat) <= beatSeconds / 2 + 1e-3), `a bar starts near ${firstDownbeat} s: ${plan.bars.map((b) => b.start).join(', ')}`);

  // The mood: the whole track and every bar read as sad, at the label's own point; the shots keep their encoders.
  assert.deepEqual([plan.music.mood, plan.music.valence, plan.music.arousal], ['sad', -0.6, -0.45]);
  for (const bar of plan.bars) assert.deepEqual([bar.emotion?.label, bar.emotion?.confidence], ['sad', 1], `bar ${bar.index}`);
});

test('bad override values on montage are usage errors naming the option', async () => {
  const out = join(scratchDir('overrides-bad'), 'out');
  for (const option of ['--bpm=500', '--bpm=', '--beats-per-bar=13', '--beats-per-bar=4.5', '--first-downbeat=-1', '--first-downbeat=soon', '--mood=happy']) {
    const run = await cli(['montage', '--movie', movie, '--music', music, '--out', out, option]);
    assert.equal(run.code, 2, `${option}: ${run.stderr}`);
    assert.match(run.stderr, new RegExp(`${option.split('=')[0]} must be`), option);
  }
  const help = await cli(['--help']);
  for (const option of ['--bpm N', '--beats-per-bar N', '--first-downbeat SECONDS', '--mood auto|excited|fearful|neutral|relaxed|sad|tense', 'analyse-music FILE']) {
    assert.ok(help.stdout.includes(option), `--help documents ${option}`);
  }
});

test('the pipeline refuses bad override values with AM_ERR_INVALID_ARGUMENT naming the field, before reading any file', async () => {
  const host = await createExtensionHost({ userExtensionsDir: join(scratchDir('overrides-host'), 'none') });
  try {
    const cases: [Partial<MontageOptions> | Record<string, unknown>, string][] = [
      [{ bpm: 10 }, 'bpm'],
      [{ bpm: Number.NaN }, 'bpm'],
      [{ beatsPerBar: 1 }, 'beatsPerBar'],
      [{ beatsPerBar: 13 }, 'beatsPerBar'],
      [{ beatsPerBar: 3.5 }, 'beatsPerBar'],
      [{ downbeatShift: 0.5 }, 'downbeatShift'],
      [{ firstDownbeatSeconds: -1 }, 'firstDownbeatSeconds'],
      [{ mood: 'happy' }, 'mood'],
    ];
    for (const [options, field] of cases) {
      // The files do not exist: the options are checked first, so the error is about them.
      const request = { moviePath: '/nowhere/movie.mp4', musicPath: '/nowhere/music.ogg', options: options as MontageOptions };
      await assert.rejects(
        runMontage(request, { host, outDir: join(scratchDir('overrides-out'), 'never') }, Progress.None, CancellationToken.None),
        (error: unknown) => error instanceof MontageError && error.code === 'AM_ERR_INVALID_ARGUMENT' && error.where?.field === field && error.message.includes(field),
        JSON.stringify(options),
      );
    }
  } finally {
    host.dispose();
  }
});
