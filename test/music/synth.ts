/**
 * Test signals made in code: click tracks with accented downbeats (any meter, steady or drifting tempo),
 * a speech-like signal, free-tempo clicks, and a WAV writer so they can go through ffmpeg like real files.
 */
import { writeFileSync } from 'node:fs';
import { random } from '../support/random';

export interface ClickTrackOptions {
  readonly sampleRate?: number;
  readonly durationSeconds: number;
  /** Tempo at the start and at the end (linear in time between them). */
  readonly startBpm: number;
  readonly endBpm?: number;
  readonly beatsPerBar: number;
  /** Time of the first beat (a downbeat). */
  readonly firstBeatSeconds?: number;
  /** Add sustained chords that change on every downbeat. */
  readonly chords?: boolean;
  /** Deterministic noise floor (amplitude). */
  readonly noise?: number;
  /**
   * Loud bright stabs on every off-beat and a kick on every beat instead of the ticks, like rock with
   * pushed guitars: the loudest attacks are half a beat off.
   */
  readonly offbeatStabs?: boolean;
}

export interface ClickTrack {
  readonly samples: Float32Array;
  readonly sampleRate: number;
  readonly beats: number[];
  readonly downbeats: number[];
}


/** Beat times for a tempo that moves linearly from startBpm to endBpm over the duration. */
export function driftingBeatTimes(startBpm: number, endBpm: number, durationSeconds: number, firstBeatSeconds = 0): number[] {
  const times: number[] = [];
  // Integrate the beat phase: dφ/dt = bpm(t) / 60.
  let phase = 0;
  const step = 1e-4;
  let next = 0;
  for (let t = firstBeatSeconds; t < durationSeconds; t += step) {
    if (phase >= next) {
      times.push(t);
      next += 1;
    }
    const bpm = startBpm + ((endBpm - startBpm) * t) / durationSeconds;
    phase += (bpm / 60) * step;
  }
  return times;
}

function addClick(samples: Float32Array, sampleRate: number, time: number, frequency: number, amplitude: number, decaySeconds: number): void {
  const start = Math.round(time * sampleRate);
  const length = Math.round(decaySeconds * 6 * sampleRate);
  for (let i = 0; i < length && start + i < samples.length; i++) {
    const t = i / sampleRate;
    // The last sixth fades out, so the cut-off end is not a click of its own.
    const fade = Math.min(1, (length - i) / (length / 6));
    samples[start + i]! += fade * amplitude * Math.exp(-t / decaySeconds) * Math.sin(2 * Math.PI * frequency * t);
  }
}

const CHORDS = [
  [261.63, 329.63, 392.0], // C major
  [220.0, 261.63, 329.63], // A minor
  [174.61, 220.0, 261.63], // F major
  [196.0, 246.94, 293.66], // G major
];

/** A click track: every beat a 2 kHz tick, every downbeat also a low 80 Hz thump and a louder tick. */
export function clickTrack(options: ClickTrackOptions): ClickTrack {
  const sampleRate = options.sampleRate ?? 22050;
  const samples = new Float32Array(Math.round(options.durationSeconds * sampleRate));
  const beats = driftingBeatTimes(options.startBpm, options.endBpm ?? options.startBpm, options.durationSeconds, options.firstBeatSeconds ?? 0);
  const downbeats: number[] = [];
  beats.forEach((time, index) => {
    const down = index % options.beatsPerBar === 0;
    if (down) downbeats.push(time);
    if (options.offbeatStabs) {
      addClick(samples, sampleRate, time, 70, down ? 0.7 : 0.5, 0.05);
      const next = beats[index + 1];
      if (next !== undefined) {
        addClick(samples, sampleRate, (time + next) / 2, 1500, 0.6, 0.02);
        addClick(samples, sampleRate, (time + next) / 2, 3100, 0.4, 0.015);
      }
      return;
    }
    addClick(samples, sampleRate, time, 2000, down ? 0.5 : 0.3, 0.01);
    if (down) addClick(samples, sampleRate, time, 80, 0.6, 0.04);
  });
  if (options.chords) {
    for (let bar = 0; bar < downbeats.length; bar++) {
      const start = Math.round(downbeats[bar]! * sampleRate);
      const end = bar + 1 < downbeats.length ? Math.round(downbeats[bar + 1]! * sampleRate) : samples.length;
      const chord = CHORDS[bar % CHORDS.length]!;
      for (let i = start; i < end; i++) {
        const t = (i - start) / sampleRate;
        const fade = Math.min(1, t / 0.01, (end - i) / sampleRate / 0.01);
        let value = 0;
        for (const f of chord) value += Math.sin(2 * Math.PI * f * t);
        samples[i]! += 0.05 * fade * value;
      }
    }
  }
  if (options.noise) {
    const next = random(7);
    for (let i = 0; i < samples.length; i++) samples[i]! += options.noise * (next() * 2 - 1);
  }
  return { samples, sampleRate, beats, downbeats };
}

/** Clicks at random intervals (0.25–1.1 s): music without a steady pulse. */
export function freeTempoClicks(durationSeconds: number, sampleRate = 22050, seed = 3): Float32Array {
  const samples = new Float32Array(Math.round(durationSeconds * sampleRate));
  const next = random(seed);
  for (let t = 0.2; t < durationSeconds; t += 0.25 + 0.85 * next()) addClick(samples, sampleRate, t, 300 + 1500 * next(), 0.2 + 0.4 * next(), 0.03);
  return samples;
}

/**
 * Speech-like sound: voiced syllables (a buzz at a wandering pitch through two formant resonances) of
 * random length separated by random pauses, at a syllable rate of about 4 per second, with no steady beat.
 */
export function speechLike(durationSeconds: number, sampleRate = 22050, seed = 5): Float32Array {
  const samples = new Float32Array(Math.round(durationSeconds * sampleRate));
  const next = random(seed);
  let time = 0.1;
  while (time < durationSeconds) {
    const length = 0.08 + 0.25 * next();
    const pitch = 100 + 80 * next();
    const formant1 = 300 + 500 * next();
    const formant2 = 900 + 1400 * next();
    const start = Math.round(time * sampleRate);
    const count = Math.round(length * sampleRate);
    for (let i = 0; i < count && start + i < samples.length; i++) {
      const t = i / sampleRate;
      const envelope = Math.sin((Math.PI * i) / count) ** 2;
      const f0 = pitch * (1 + 0.1 * Math.sin(2 * Math.PI * 3 * t));
      let value = 0;
      for (let h = 1; h * f0 < 4000; h++) {
        const f = h * f0;
        const gain = 1 / (1 + ((f - formant1) / 120) ** 2) + 0.5 / (1 + ((f - formant2) / 200) ** 2);
        value += gain * Math.sin(2 * Math.PI * f * t);
      }
      samples[start + i]! += 0.1 * envelope * value;
    }
    time += length + 0.03 + 0.3 * next() * (next() < 0.15 ? 4 : 1);
  }
  return samples;
}

/** Writes mono float samples as a 16-bit PCM WAV file. */
export function writeWav(path: string, samples: Float32Array, sampleRate: number): void {
  const data = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, samples[i]!)) * 32767), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  writeFileSync(path, Buffer.concat([header, data]));
}
