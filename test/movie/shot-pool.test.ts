import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { analyseMovie } from '../../companion/analysis/movie/analyse-movie';
import { differenceHash, hammingDistance, judgeShotPool, TEXT_SAMPLE_FRACTION, type PoolShot } from '../../companion/analysis/movie/shot-pool';
import { loadTextDetector, textFraction } from '../../companion/analysis/movie/text-detector';
import { CancellationTokenSource } from '../../companion/core/lifecycle';
import type { ShotFeatures } from '../../companion/core/montage';
import type { RgbFrame } from '../../companion/core/pipeline';
import { range } from '../../companion/core/rational';
import { extractFrames } from '../../companion/media/frames';
import { run } from '../../companion/media/process';
import { filmDir } from '../support/paths';

const none = { report: () => {} };
const token = new CancellationTokenSource().token;
const bunny = join(filmDir, 'big_buck_bunny_first60s.mp4');
const sintel = join(filmDir, 'sintel_trailer.mp4');
const nosferatu = join(filmDir, 'nosferatu_1922_excerpt.mp4');
const rate = { num: 24, den: 1 };

test("Big Buck Bunny's poster frame and title shot leave the pool as text, its caption shot is trimmed, and its plain shots stay", async () => {
  const movie = await analyseMovie(bunny, { shotPool: true }, none, token);
  assert.ok(movie.pool, 'the pool was read');
  assert.equal(movie.pool.textDetector, 'ppocr-v4-text-detector');
  const verdict = judgeShotPool(movie.shots.map((shot, i) => ({ shot, features: movie.features[i]!, samples: movie.pool!.samples[i]!, fps: 24 })));
  const shotAt = (frame: number) => movie.shots.findIndex((s) => frame >= s.range.start.value && frame < s.range.start.value + s.range.duration.value);
  const text = verdict.excluded.filter((e) => e.reason === 'text').map((e) => e.shot);
  // The annotation: frame 0 is the title-art poster; "Big Buck Bunny" fades in and out over frames 600-720.
  assert.ok(text.includes(shotAt(0)), `poster frame excluded (text shots ${text.join(', ')})`);
  assert.ok(text.includes(shotAt(660)), 'the title shot is excluded');
  for (const frame of [100, 300, 900, 1000, 1200, 1400]) assert.ok(!text.includes(shotAt(frame)), `the plain shot at frame ${frame} stays`);
  // "The Peach open movie project presents" (frames 490-560) sits over the end of the bird shot: it keeps its start.
  const caption = verdict.trimmed.find((t) => t.shot === shotAt(500));
  assert.ok(caption, 'the caption shot is trimmed');
  assert.ok(caption.endFrame <= 500 && caption.endFrame - caption.startFrame >= 24, `kept ${caption.startFrame}-${caption.endFrame}`);
  // Every sample carries a thumbnail.
  for (const samples of movie.pool.samples) for (const s of samples) assert.ok(s.jpeg && Buffer.from(s.jpeg, 'base64').subarray(0, 2).equals(Buffer.from([0xff, 0xd8])), 'a JPEG');
  // Re-enabled with keepTextShots: nothing is excluded as text and nothing is trimmed; the exclusions are listed as re-enabled.
  const kept = judgeShotPool(movie.shots.map((shot, i) => ({ shot, features: movie.features[i]!, samples: movie.pool!.samples[i]!, fps: 24 })), { keepTextShots: true });
  assert.equal(kept.excluded.filter((e) => e.reason === 'text').length, 0);
  assert.equal(kept.trimmed.length, 0);
  assert.deepEqual(kept.reenabled.filter((e) => e.reason === 'text').map((e) => e.shot), text);
});

/** One frame at 320×180 from ffmpeg (Debian's, for drawtext), RGB24. */
async function renderFrame(filter: string, input: string[]): Promise<RgbFrame> {
  const { stdout } = await run('/usr/bin/ffmpeg', ['-hide_banner', '-loglevel', 'error', ...input, '-frames:v', '1', '-vf', `scale=320:180,${filter},format=rgb24`, '-f', 'rawvideo', 'pipe:1'], { timeoutMs: 30_000 });
  return { index: 0, width: 320, height: 180, data: new Uint8Array(stdout) };
}

const font = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';
const drawtextReady = existsSync('/usr/bin/ffmpeg') && existsSync(font);

test('the text detector tells title cards and credits from plain footage with precision and recall of at least 0.9', { skip: !drawtextReady && 'needs Debian ffmpeg (drawtext) and fonts-dejavu-core' }, async () => {
  const session = await loadTextDetector();
  const draw = (text: string, size: number, y: string, colour = 'white') => `drawtext=fontfile=${font}:text='${text}':fontsize=${size}:fontcolor=${colour}:x=(w-text_w)/2:y=${y}`;
  const generated: RgbFrame[] = [];
  // Title cards drawn over real footage (plain shots of the films), and on black and white cards.
  for (const [path, seconds] of [[bunny, 5], [bunny, 40], [sintel, 20], [nosferatu, 25]] as const) {
    generated.push(await renderFrame(draw('THE LAST MEADOW', 26, '(h-text_h)/2'), ['-ss', String(seconds), '-i', path]));
    generated.push(await renderFrame(`${draw('Directed by A. Smith', 12, 'h/2-20')},${draw('Music by The Hills', 12, 'h/2')},${draw('Edited by J. Doe', 12, 'h/2+20')}`, ['-ss', String(seconds), '-i', path]));
  }
  generated.push(await renderFrame(draw('Chapter One', 22, '(h-text_h)/2'), ['-f', 'lavfi', '-i', 'color=black:s=320x180']));
  generated.push(await renderFrame(draw('THE END', 30, '(h-text_h)/2', 'black'), ['-f', 'lavfi', '-i', 'color=white:s=320x180']));
  const frames = async (path: string, indices: number[]) => extractFrames(path, indices, { maxWidth: 320 }, token);
  // Real title, credit and letter frames of the shared films (checked by eye), and plain footage from them.
  const realText = [...(await frames(bunny, [0, 650, 690])), ...(await frames(sintel, [1050, 1100, 1190])), ...(await frames(nosferatu, [30, 300, 450]))];
  const plain = [
    ...(await frames(bunny, [100, 200, 300, 450, 900, 1000, 1100, 1200, 1300, 1400])),
    ...(await frames(sintel, [100, 180, 400, 600, 650, 700, 800, 900])),
    ...(await frames(nosferatu, [150, 520, 600, 750, 800, 900, 1000, 1100])),
  ];
  const detected = async (list: RgbFrame[]) => Promise.all(list.map(async (f) => (await textFraction(session, f)) >= TEXT_SAMPLE_FRACTION));
  const positives = [...(await detected(generated)), ...(await detected(realText))];
  const negatives = await detected(plain);
  const truePositives = positives.filter(Boolean).length;
  const falsePositives = negatives.filter(Boolean).length;
  const precision = truePositives / Math.max(1, truePositives + falsePositives);
  const recall = truePositives / positives.length;
  console.log(`text detection: ${positives.length} text frames (${generated.length} generated, ${realText.length} real), ${negatives.length} plain; precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}`);
  assert.ok(precision >= 0.9, `precision ${precision}`);
  assert.ok(recall >= 0.9, `recall ${recall}`);
});

function features(overrides: Partial<ShotFeatures>): ShotFeatures {
  return { brightness: 0.5, saturation: 0.4, colourfulness: 0.3, warmth: 0.5, contrast: 0.5, motion: 0.05, keyframe: 0, colourSignature: [], ...overrides };
}

function poolShot(index: number, frames: number, sample: { textFraction?: number; hash?: string }[], f: Partial<ShotFeatures> = {}, score = 0): PoolShot {
  const start = index * 1000;
  const step = Math.floor(frames / sample.length);
  return {
    shot: { index, range: range(start, frames, rate), sceneIndex: 0, transitionIn: 'cut' },
    features: features(f),
    samples: sample.map((s, k) => ({ frame: start + k * step + Math.floor(step / 2), hash: s.hash ?? `${(index * 7919 + 12345).toString(16).padStart(4, '0')}a5a5c3c3${(index * 104729).toString(16).padStart(4, '0')}`.slice(0, 16), ...(s.textFraction !== undefined ? { textFraction: s.textFraction } : {}) })),
    fps: 24,
    score,
  };
}

test('black, white and frozen shots are excluded with their reason, and come back with keepBlankShots', () => {
  const shots = [
    poolShot(0, 48, [{}], { brightness: 0.02, contrast: 0.01 }),
    poolShot(1, 48, [{}], { brightness: 0.98, contrast: 0.02 }),
    poolShot(2, 48, [{}], { motion: 0 }),
    poolShot(3, 48, [{}]),
    // A still of a few frames is no freeze frame.
    poolShot(4, 6, [{}], { motion: 0 }),
  ];
  const verdict = judgeShotPool(shots);
  assert.deepEqual(verdict.excluded.map((e) => [e.shot, e.reason]), [[0, 'black'], [1, 'white'], [2, 'frozen']]);
  assert.ok(verdict.excluded.every((e) => e.detail.length > 10));
  const kept = judgeShotPool(shots, { keepBlankShots: true });
  assert.equal(kept.excluded.length, 0);
  assert.equal(kept.reenabled.length, 3);
});

test('near-duplicates keep the best-scoring shot of each group, and keepDuplicates or keepShots put them back', () => {
  const same = 'f0f0e1e1c3c38787';
  const close = 'f0f0e1e1c3c38784'; // 2 bits away
  const shots = [poolShot(0, 48, [{ hash: same }], {}, 0.4), poolShot(1, 48, [{ hash: 'ffff0000ffff0000' }], {}, 0.9), poolShot(2, 48, [{ hash: close }], {}, 0.7)];
  assert.equal(hammingDistance(same, close), 2);
  const verdict = judgeShotPool(shots);
  assert.deepEqual(verdict.excluded, [{ shot: 0, reason: 'duplicate', duplicateOf: 2, detail: verdict.excluded[0]!.detail }]);
  assert.equal(judgeShotPool(shots, { keepDuplicates: true }).excluded.length, 0);
  assert.equal(judgeShotPool(shots, { keepShots: [0] }).excluded.length, 0);
});

test('a shot with text in most samples is excluded, one with text in a few keeps its longest text-free stretch', () => {
  const t = TEXT_SAMPLE_FRACTION * 3;
  const shots = [poolShot(0, 96, [{ textFraction: t }, { textFraction: t }, { textFraction: 0 }]), poolShot(1, 480, [{ textFraction: 0 }, { textFraction: t }, { textFraction: 0 }, { textFraction: 0 }, { textFraction: 0 }]), poolShot(2, 96, [{ textFraction: 0.001 }, { textFraction: 0 }])];
  const verdict = judgeShotPool(shots);
  assert.deepEqual(verdict.excluded.map((e) => [e.shot, e.reason]), [[0, 'text']]);
  assert.equal(verdict.trimmed.length, 1);
  const trim = verdict.trimmed[0]!;
  // Samples of shot 1 sit at 1048, 1144, 1240, 1336, 1432: the clean stretch runs from the third sample to the shot's end.
  assert.deepEqual([trim.shot, trim.startFrame, trim.endFrame], [1, 1240, 1480]);
});

test('the difference hash is stable under small changes and far apart for different pictures', () => {
  const gradient = (flip: boolean, noise = 0): RgbFrame => {
    const data = new Uint8Array(64 * 36 * 3);
    for (let y = 0; y < 36; y++) for (let x = 0; x < 64; x++) for (let c = 0; c < 3; c++) data[(y * 64 + x) * 3 + c] = Math.max(0, Math.min(255, (flip ? 64 - x : x) * 4 + ((x * 7 + y * 13) % 5) * noise));
    return { index: 0, width: 64, height: 36, data };
  };
  assert.ok(hammingDistance(differenceHash(gradient(false)), differenceHash(gradient(false, 1))) <= 4);
  assert.ok(hammingDistance(differenceHash(gradient(false)), differenceHash(gradient(true))) >= 48);
});
