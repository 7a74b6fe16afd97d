/**
 * `npm run train:beats`, step 1: builds the corpus (../corpus) and writes the network's input frames for every
 * item, computed by the product's own decoder and front end (companion/media/audio.ts, beat-spectrogram.ts), so
 * training sees exactly what the runtime sees. Training items are augmented twice each (gain, EQ, saturation, noise); dev items
 * are left as rendered.
 *
 *   AM_CORPUS_DIR   where the corpus and the frames go (default .cache/music-corpus)
 *
 * Writes <dir>/frames/<n>.f32 (frames × 96 float32) and <dir>/dataset.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CancellationTokenSource } from '../../../companion/core/lifecycle';
import { decodeAudio } from '../../../companion/media/audio';
import { MUSIC_SAMPLE_RATE } from '../../../companion/analysis/music/analyse-music';
import { BEAT_FEATURES, computeBeatSpectrogram } from '../../../companion/analysis/music/beat-spectrogram';
import { random } from '../../../test/support/random';
import { buildCorpus, corpusDir } from '../corpus/build-corpus';

/** Gain −12…+6 dB; noise at 15–40 dB SNR on half; a one-pole low- or high-pass on half. In place. */
function augment(samples: Float32Array, seed: number): string {
  const rng = random(seed);
  const parts: string[] = [];
  const gain = 10 ** ((-12 + 18 * rng()) / 20);
  parts.push(`gain ${(20 * Math.log10(gain)).toFixed(1)} dB`);
  if (rng() < 0.5) {
    const cutoff = rng() < 0.5 ? 800 + 2500 * rng() : 150 + 400 * rng();
    const lowPass = cutoff > 700;
    const a = Math.exp((-2 * Math.PI * cutoff) / MUSIC_SAMPLE_RATE);
    let state = 0;
    for (let i = 0; i < samples.length; i++) {
      state = (1 - a) * samples[i]! + a * state;
      samples[i] = lowPass ? state : samples[i]! - state;
    }
    parts.push(`${lowPass ? 'low' : 'high'}-pass ${cutoff.toFixed(0)} Hz`);
  }
  if (rng() < 0.3) {
    // Saturation, as in loud band mixes.
    const drive = 2 + 6 * rng();
    for (let i = 0; i < samples.length; i++) samples[i] = Math.tanh(drive * samples[i]!) / Math.tanh(drive);
    parts.push(`saturation ×${drive.toFixed(1)}`);
  }
  let power = 0;
  for (let i = 0; i < samples.length; i++) power += samples[i]! * samples[i]!;
  power /= Math.max(1, samples.length);
  const snrDb = 15 + 25 * rng();
  const noise = rng() < 0.5 ? Math.sqrt(power / 10 ** (snrDb / 10)) * Math.sqrt(3) : 0;
  if (noise > 0) parts.push(`noise ${snrDb.toFixed(0)} dB SNR`);
  for (let i = 0; i < samples.length; i++) samples[i] = gain * (samples[i]! + noise * (2 * rng() - 1));
  return parts.join(', ');
}

async function main(): Promise<void> {
  const started = Date.now();
  const items = buildCorpus(corpusDir, { log: (line) => console.log(line) });
  mkdirSync(join(corpusDir, 'frames'), { recursive: true });
  const token = new CancellationTokenSource().token;
  const dataset: Array<{ split: string; frames: number } & Record<string, unknown>> = [];
  // Two differently augmented copies of every training item; dev as rendered.
  const copies = items.flatMap((item) => (item.split === 'train' ? [item, item] : [item]));
  for (const [n, item] of copies.entries()) {
    const decoded = await decodeAudio(item.audio, { sampleRate: MUSIC_SAMPLE_RATE, token });
    const augmentation = item.split === 'train' ? augment(decoded.samples, n + 1) : 'none';
    const spectrogram = computeBeatSpectrogram(decoded.samples, decoded.sampleRate);
    const file = join('frames', `${n}.f32`);
    writeFileSync(join(corpusDir, file), spectrogram.data);
    dataset.push({
      id: item.id,
      piece: item.piece,
      genre: item.genre,
      split: item.split,
      file,
      frames: spectrogram.frameCount,
      features: BEAT_FEATURES,
      augmentation,
      beats: item.beats.map((b) => b.time),
      downbeats: item.beats.filter((b) => b.beatInBar === 1).map((b) => b.time),
    });
    if (n % 25 === 0) console.log(`frames ${n + 1}/${copies.length}`);
  }
  writeFileSync(join(corpusDir, 'dataset.json'), JSON.stringify(dataset));
  const count = (split: string) => dataset.filter((d) => d.split === split).length;
  const hours = dataset.reduce((sum, d) => sum + d.frames, 0) / 100 / 3600;
  console.log(`dataset: ${count('train')} train, ${count('dev')} dev items, ${hours.toFixed(2)} h, ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

await main();
