import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { ffmpegPath } from '../../companion/media/binaries';
import { run } from '../../companion/media/process';
import type { MontagePlan } from '../../companion/core/montage';
import { toFps } from '../../companion/core/rational';
import { cliProcess } from '../support/cli';
import { ffprobeStreams } from '../support/ffprobe';
import { beatsDir, filmDir, scratchDir } from '../support/paths';
import { assertPlanEmotion } from './plan-emotion';
import type { PlanJson } from '../../companion/pipeline/plan-json';

const music = join(beatsDir, 'fof_escape_from_chaosland.ogg');
const movie = join(scratchDir('e2e-movie'), 'sintel-then-bunny.mp4');

// The film clips are under a minute each: join two real ones (both 24 fps) into a 112-second "movie".
before(async () => {
  const parts = [join(filmDir, 'sintel_trailer.mp4'), join(filmDir, 'big_buck_bunny_first60s.mp4')];
  const scale = parts.map((_, i) => `[${i}:v]scale=480:270:force_original_aspect_ratio=decrease,pad=480:270:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=24[v${i}]`);
  await run(ffmpegPath(), [
    '-nostdin', '-v', 'error', ...parts.flatMap((p) => ['-i', p]),
    '-filter_complex', `${scale.join(';')};[v0][0:a][v1][1:a]concat=n=2:v=1:a=1[v][a]`,
    '-map', '[v]', '-map', '[a]', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '24', '-c:a', 'aac', '-y', movie,
  ]);
});
const fingerprint = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex') + statSync(path).mtimeMs;

test('the CLI montages a real film to a real music range: a playable video on the bars, in story order, plus timelines', { timeout: 300_000 }, async () => {
  const out = join(scratchDir('e2e'), 'out');
  const inputsBefore = [fingerprint(movie), fingerprint(music)];
  const run = await cliProcess(['montage', '--movie', movie, '--music', music, '--music-range', '30:50', '--scenes', '6', '--out', out, '--json', '--no-cache']);
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as { ok: boolean; files: string[]; summary: { bars: number } };
  assert.equal(result.ok, true);
  assert.deepEqual([fingerprint(movie), fingerprint(music)], inputsBefore, 'inputs are never modified');
  // Progress goes to stderr, one line as each stage starts and ends when stderr is not a terminal.
  for (const stage of ['music', 'decode', 'shots', 'emotion', 'plan', 'export', 'render']) {
    assert.match(run.stderr, new RegExp(`^${stage}…$`, 'm'), `stage ${stage} starts`);
    assert.match(run.stderr, new RegExp(`^${stage} done \\(\\d+\\.\\d s\\)$`, 'm'), `stage ${stage} ends`);
  }

  const files = readdirSync(out).sort();
  assert.deepEqual(files, [...result.files].sort(), 'only the reported files are in the output folder');
  for (const name of ['montage.mp4', 'plan.json', 'report.txt']) assert.ok(files.includes(name), name);
  assert.ok(files.some((f) => f.endsWith('.xml')), 'a Premiere xmeml timeline is written');

  const plan = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')) as MontagePlan;
  assert.equal(plan.schema, 'MontagePlan.1');
  const fps = toFps(plan.movie.rate);
  const halfFrame = 0.5 / fps;
  assert.ok(plan.bars.length >= 4, `${plan.bars.length} bars in 20 s`);
  assert.equal(result.summary.bars, plan.bars.length);

  // The placements cover every bar once, in order, and every cut sits on its bar boundary within half a frame.
  let nextBar = 0;
  let nextRecord = 0;
  for (const p of plan.placements) {
    assert.equal(p.firstBar, nextBar, 'placements cover the bars back to back');
    assert.equal(p.recordRange.start.value, nextRecord, 'no gap or overlap on the record side');
    const bar = plan.bars[p.firstBar]!;
    const cutSeconds = p.recordRange.start.value / fps;
    assert.ok(Math.abs(cutSeconds - (bar.startSeconds - plan.music.startSeconds)) <= halfFrame + 1e-9, `cut at ${cutSeconds} s vs bar ${bar.startSeconds}`);
    assert.equal(p.sourceRange.duration.value, p.recordRange.duration.value, 'the source window is as long as its slot');
    nextBar += p.barCount;
    nextRecord += p.recordRange.duration.value;
  }
  assert.equal(nextBar, plan.bars.length);
  const starts = plan.placements.map((p) => p.sourceRange.start.value);
  assert.deepEqual(starts, [...starts].sort((a, b) => a - b), 'shots play in story order');
  const scenes = new Set(plan.placements.map((p) => p.sceneIndex));
  assert.ok(scenes.size <= 6, `${scenes.size} scenes used`);

  // The emotion behind the choice is in plan.json: every shot's fused reading and each encoder's, the music under
  // every bar, and the whole track's reading beside the music range.
  assertPlanEmotion(plan as PlanJson, ['faces', 'frame-affect', 'soundtrack']);

  // The preview plays, has video and audio, and lasts the bars used (± 1 frame).
  const streams = ffprobeStreams(join(out, 'montage.mp4'));
  const video = streams.find((s) => s.codec_type === 'video');
  const audio = streams.find((s) => s.codec_type === 'audio');
  assert.ok(video && audio, 'video and audio streams');
  const barsSeconds = plan.music.endSeconds - plan.music.startSeconds;
  const videoSeconds = Number(video.nb_frames) / fps;
  assert.ok(Math.abs(videoSeconds - barsSeconds) <= 1 / fps + 1e-9, `video ${videoSeconds} s vs bars ${barsSeconds} s`);
  assert.ok(Math.abs(Number(audio.duration) - barsSeconds) <= 1 / fps + 0.03, `audio ${audio.duration} s vs bars ${barsSeconds} s`);
  assert.equal(Number(video.nb_frames), nextRecord, 'the preview has exactly the planned frames');
});
