import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../support/cli';
import { beatsDir } from '../support/paths';

const song = join(beatsDir, 'fof_escape_from_chaosland.ogg');
const LABELS = ['excited', 'fearful', 'neutral', 'relaxed', 'sad', 'tense'];

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
  const run = await cli(['analyse-music', song, '--music-range', '30:60', '--json', '--no-cache', ...extra]);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as Reading;
}

test('analyse-music --json prints the reading with the stable field names, in file time', async () => {
  const r = await reading();
  assert.ok(Math.abs(r.tempoBpm - 135) < 3, `${r.tempoBpm} BPM (the chart says 135)`);
  assert.equal(r.pulse, 'steady');
  assert.ok(LABELS.includes(r.mood) && Math.abs(r.valence) <= 1 && Math.abs(r.arousal) <= 1 && r.moodConfidence >= 0 && r.moodConfidence <= 1);
  assert.ok(r.beats.length > 50);
  r.beats.forEach((b, i) => {
    assert.ok(b.time >= 30 && b.time <= 60, `beat at ${b.time}`);
    if (i > 0) assert.ok(b.time > r.beats[i - 1]!.time, 'beats increase');
    assert.ok(Number.isInteger(b.beatInBar) && b.beatInBar >= 1);
  });
  assert.ok(r.bars.length >= 8);
  r.bars.forEach((bar, i) => {
    if (i > 0) assert.ok(Math.abs(bar.start - (r.bars[i - 1]!.start + r.bars[i - 1]!.duration)) < 1e-3, 'bars tile the range');
    assert.ok(bar.duration > 0 && bar.start >= 30 && bar.start + bar.duration <= 60.001);
    assert.ok(bar.confidence >= 0 && bar.confidence <= 1 && LABELS.includes(bar.mood));
  });
});

test("the editor's overrides reach the reading: metre, tempo, first downbeat and mood", async () => {
  const plain = await reading();
  const second = plain.beats.find((b) => b.time > 35 && b.beatInBar === 2)!;
  const r = await reading('--beats-per-bar', '3', '--bpm', '135', '--first-downbeat', String(second.time), '--mood', 'sad');
  assert.equal(r.beatsPerBar, 3);
  assert.equal(r.tempoBpm, 135);
  assert.ok(r.bars.slice(0, -1).every((bar) => Math.abs(bar.duration - (3 * 60) / 135) < 0.05), 'three beats of 135 BPM per bar');
  const downbeats = r.beats.filter((b) => b.beatInBar === 1).map((b) => b.time);
  assert.ok(downbeats.some((t) => Math.abs(t - second.time) < 0.05), `a downbeat at ${second.time} s: ${downbeats.join(', ')}`);
  assert.equal(r.mood, 'sad');
  assert.ok(r.bars.every((bar) => bar.mood === 'sad'));
  assert.ok(r.valence < 0 && r.arousal < 0);
});

test('bad values are usage errors that name the option; a missing file is a typed error', async () => {
  for (const [option, value] of [['--bpm', '5'], ['--mood', 'happy'], ['--beats-per-bar', '1'], ['--first-downbeat', '-2']] as const) {
    const run = await cli(['analyse-music', song, option, value]);
    assert.equal(run.code, 2, `${option} ${value}`);
    assert.match(run.stderr, new RegExp(option.slice(2)));
  }
  const missing = await cli(['analyse-music', join(beatsDir, 'nope.ogg'), '--json', '--no-cache']);
  assert.equal(missing.code, 1);
  assert.equal((JSON.parse(missing.stdout) as { error: { code: string } }).error.code, 'AM_ERR_FILE_NOT_FOUND');
});
