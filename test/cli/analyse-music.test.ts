/**
 * `auto-montage analyse-music` on a real song: the JSON an evaluation harness reads (field names, units, order),
 * the human summary, and the editor's overrides reaching the reading. The tracker is being replaced, so these
 * tests check structure and the overrides, not its accuracy.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, cliProcess } from '../support/cli';
import { beatsDir } from '../support/paths';

const song = join(beatsDir, 'fof_escape_from_chaosland.ogg');
const LABELS = ['excited', 'fearful', 'neutral', 'relaxed', 'sad', 'tense'];
const RANGE = { start: 30, end: 60 };

interface Reading {
  tempoBpm: number;
  beatsPerBar: number;
  confidence: number;
  pulse: string;
  beats: Array<{ time: number; beatInBar: number }>;
  bars: Array<{ start: number; duration: number; confidence: number; valence: number; arousal: number; mood: string }>;
  mood: string;
  valence: number;
  arousal: number;
  moodConfidence: number;
}

async function reading(...extra: string[]): Promise<Reading> {
  const run = await cli(['analyse-music', song, '--music-range', `${RANGE.start}:${RANGE.end}`, '--json', '--no-cache', ...extra]);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as Reading;
}

const unit = (value: number) => value >= 0 && value <= 1;
const signed = (value: number) => value >= -1 && value <= 1;

/** The beat nearest `seconds`. */
const nearestBeat = (r: Reading, seconds: number) => r.beats.reduce((best, b) => (Math.abs(b.time - seconds) < Math.abs(best.time - seconds) ? b : best));

/** The structure every reading has, whatever the tracker: beats in order, bars tiling the range, values in range. */
function assertWellFormed(r: Reading): void {
  assert.ok(r.tempoBpm >= 30 && r.tempoBpm <= 300, `${r.tempoBpm} BPM`);
  assert.ok(r.pulse === 'steady' || r.pulse === 'free', r.pulse);
  // Without a steady pulse the bars are phrases, which may count a single beat.
  assert.ok(Number.isInteger(r.beatsPerBar) && r.beatsPerBar >= (r.pulse === 'free' ? 1 : 2) && r.beatsPerBar <= 12, `${r.beatsPerBar} beats per bar`);
  assert.ok(unit(r.confidence), `confidence ${r.confidence}`);
  assert.ok(LABELS.includes(r.mood) && signed(r.valence) && signed(r.arousal) && unit(r.moodConfidence), JSON.stringify({ mood: r.mood, v: r.valence, a: r.arousal }));

  assert.ok(r.beats.length >= 2, `${r.beats.length} beats`);
  r.beats.forEach((beat, i) => {
    assert.ok(beat.time >= RANGE.start && beat.time <= RANGE.end, `beat at ${beat.time} s lies in the range, in file time`);
    if (i > 0) assert.ok(beat.time > r.beats[i - 1]!.time, `beats increase (${r.beats[i - 1]!.time} then ${beat.time})`);
    assert.ok(Number.isInteger(beat.beatInBar) && beat.beatInBar >= 1 && beat.beatInBar <= 12, `beatInBar ${beat.beatInBar}`);
  });

  assert.ok(r.bars.length >= 1, 'at least one bar');
  r.bars.forEach((bar, i) => {
    assert.ok(bar.duration > 0, `bar ${i} has a length`);
    assert.ok(bar.start >= RANGE.start - 1e-6 && bar.start + bar.duration <= RANGE.end + 1e-3, `bar ${i} (${bar.start} + ${bar.duration}) lies in the range`);
    if (i > 0) {
      const previous = r.bars[i - 1]!;
      assert.ok(Math.abs(bar.start - (previous.start + previous.duration)) < 1e-3, `bar ${i} starts where bar ${i - 1} ends: the bars tile the range in order`);
    }
    assert.ok(unit(bar.confidence) && signed(bar.valence) && signed(bar.arousal) && LABELS.includes(bar.mood), JSON.stringify(bar));
  });
}

test('analyse-music --json prints the reading with the stable field names, in music-file seconds (the real command)', { timeout: 120_000 }, async () => {
  const run = await cliProcess(['analyse-music', song, '--music-range', `${RANGE.start}:${RANGE.end}`, '--json', '--no-cache']);
  assert.equal(run.code, 0, run.stderr);
  const r = JSON.parse(run.stdout) as Reading & Record<string, unknown>;
  for (const key of ['tempoBpm', 'beatsPerBar', 'confidence', 'pulse', 'beats', 'bars', 'mood', 'valence', 'arousal', 'moodConfidence']) assert.ok(key in r, `${key} is in the reading`);
  for (const key of ['start', 'duration', 'confidence', 'valence', 'arousal', 'mood']) assert.ok(key in r.bars[0]!, `bars[].${key}`);
  assert.deepEqual(Object.keys(r.beats[0]!).sort(), ['beatInBar', 'time']);
  assertWellFormed(r);
  assert.equal(run.stderr, '', 'no progress lines mix into --json');
});

test('without --json analyse-music prints a short summary: tempo, metre, bars, confidence and mood', async () => {
  const json = await reading();
  const run = await cli(['analyse-music', song, '--music-range', `${RANGE.start}:${RANGE.end}`, '--no-cache', '--quiet']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /fof_escape_from_chaosland\.ogg/);
  if (json.pulse === 'steady') {
    assert.match(run.stdout, new RegExp(`${json.tempoBpm.toFixed(1)} BPM, ${json.beatsPerBar} beats per bar, ${json.bars.length} bars .*confidence ${json.confidence.toFixed(2)}`));
  } else {
    assert.match(run.stdout, /no steady pulse/);
  }
  assert.match(run.stdout, new RegExp(`mood ${json.mood} \\(valence ${json.valence.toFixed(2)}, arousal ${json.arousal.toFixed(2)}`));
});

test("the editor's tempo, metre and mood reach the reading", async () => {
  const r = await reading('--bpm', '67.5', '--beats-per-bar', '3', '--mood', 'sad');
  assertWellFormed(r);
  assert.equal(r.beatsPerBar, 3);
  assert.ok(r.beats.every((b) => b.beatInBar <= 3), 'beats count to three');
  assert.ok(Math.abs(r.tempoBpm - 67.5) < 0.5, `${r.tempoBpm} BPM`);
  const gaps = r.beats.slice(1).map((b, i) => b.time - r.beats[i]!.time).sort((a, b) => a - b);
  const median = gaps[Math.floor(gaps.length / 2)]!;
  assert.ok(Math.abs(median - 60 / 67.5) < 0.05 * (60 / 67.5), `beats ${median.toFixed(3)} s apart at 67.5 BPM`);
  // --mood sad: the whole track and every bar read as sad, at the label's own valence/arousal, for sure.
  assert.equal(r.mood, 'sad');
  assert.ok(r.bars.every((bar) => bar.mood === 'sad'));
  assert.deepEqual([r.valence, r.arousal, r.moodConfidence], [-0.6, -0.45, 1]);
});

test('--first-downbeat puts a downbeat on the beat nearest the given time', async () => {
  const plain = await reading();
  // A beat the tracker did not call a downbeat, past the first bar.
  const off = plain.beats.find((b) => b.time > RANGE.start + 5 && b.beatInBar === 2);
  assert.ok(off, 'the plain reading has a second beat of a bar');
  const r = await reading('--first-downbeat', String(off.time + 0.02));
  assertWellFormed(r);
  const nearest = nearestBeat(r, off.time + 0.02);
  assert.ok(Math.abs(nearest.time - off.time) < 0.05, `the beat at ${off.time} s is still there (${nearest.time} s)`);
  assert.equal(nearest.beatInBar, 1, `the beat at ${nearest.time} s is a downbeat`);
  assert.ok(r.bars.some((bar) => Math.abs(bar.start - nearest.time) < 1e-3), 'a bar starts on it');
});

test('bad option values are usage errors that name the option; a missing file is a typed error', async () => {
  const cases: [string, string][] = [
    ['--bpm', '5'],
    ['--bpm', 'fast'],
    ['--mood', 'happy'],
    ['--beats-per-bar', '1'],
    ['--beats-per-bar', '3.5'],
    ['--first-downbeat', '-2'],
    ['--shift-downbeat', 'one'],
  ];
  for (const [option, value] of cases) {
    const run = await cli(['analyse-music', song, `${option}=${value}`]);
    assert.equal(run.code, 2, `${option} ${value}`);
    assert.match(run.stderr, new RegExp(`${option} must be`), `${option} ${value}: ${run.stderr}`);
  }
  const noFile = await cli(['analyse-music']);
  assert.equal(noFile.code, 2);
  assert.match(noFile.stderr, /needs a music FILE/);
  const missing = await cli(['analyse-music', join(beatsDir, 'nope.ogg'), '--json', '--no-cache']);
  assert.equal(missing.code, 1);
  const error = (JSON.parse(missing.stdout) as { ok: boolean; error: { code: string; where?: { file?: string } } }).error;
  assert.equal(error.code, 'AM_ERR_FILE_NOT_FOUND');
  assert.match(error.where?.file ?? '', /nope\.ogg/);
  assert.match(missing.stderr, /^AM_ERR_FILE_NOT_FOUND: /m);
});
