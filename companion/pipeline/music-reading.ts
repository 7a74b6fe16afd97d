/**
 * `auto-montage analyse-music`: the music reading an editor or a script can check, with the field names the
 * evaluation reads (keep them stable): tempoBpm, beatsPerBar, confidence, pulse, beats[{time, beatInBar}],
 * bars[{start, duration, confidence, valence, arousal, mood}], mood, valence, arousal, moodConfidence.
 * Times are music-file seconds.
 */
import type { CancellationToken, Progress, ProgressReport } from '../core/lifecycle';
import type { EmotionLabel, EmotionVector } from '../core/montage';
import { analyseMusic } from '../analysis/music/analyse-music';
import { defaultEncoderIds, dominantLabel, scoreMusicEmotion } from '../analysis/emotion/index';
import { fixedMoodEncoder, type MoodChoice } from '../analysis/emotion/fixed-mood';
import type { ExtensionHost } from '../host/index';
import { resolveEncoders } from './encoders';
import type { SecondsRange } from './run-montage';

export interface MusicReadingOptions {
  readonly range?: SecondsRange;
  readonly beatsPerBar?: number;
  readonly downbeatShift?: number;
  readonly bpm?: number;
  readonly firstDownbeatSeconds?: number;
  readonly mood?: MoodChoice;
  /** Music emotion encoder ids (default: the built-in set). */
  readonly encoders?: readonly string[];
  readonly cacheDir?: string;
}

export interface MusicReading {
  readonly file: string;
  readonly tempoBpm: number;
  readonly beatsPerBar: number;
  readonly confidence: number;
  readonly pulse: 'steady' | 'free';
  readonly beats: ReadonlyArray<{ readonly time: number; readonly beatInBar: number }>;
  readonly bars: ReadonlyArray<{ readonly start: number; readonly duration: number; readonly beatsPerBar: number; readonly confidence: number; readonly valence: number; readonly arousal: number; readonly mood: EmotionLabel }>;
  readonly mood: EmotionLabel;
  readonly valence: number;
  readonly arousal: number;
  readonly moodConfidence: number;
  /** Notices: a free pulse, missing optional models, failed encoders. */
  readonly notices: readonly string[];
}

const round = (value: number, digits = 4) => Number(value.toFixed(digits));

export async function analyseMusicReading(path: string, options: MusicReadingOptions, host: ExtensionHost, progress: Progress<ProgressReport>, token: CancellationToken): Promise<MusicReading> {
  const music = await analyseMusic(
    path,
    {
      ...(options.range ? { rangeSeconds: { start: options.range.startSeconds, end: options.range.endSeconds } } : {}),
      ...(options.beatsPerBar ? { beatsPerBar: options.beatsPerBar } : {}),
      ...(options.downbeatShift ? { downbeatShift: options.downbeatShift } : {}),
      ...(options.bpm !== undefined ? { bpm: options.bpm } : {}),
      ...(options.firstDownbeatSeconds !== undefined ? { firstDownbeatSeconds: options.firstDownbeatSeconds } : {}),
      ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    },
    progress,
    token,
  );
  const encoders =
    options.mood && options.mood !== 'auto'
      ? [fixedMoodEncoder(options.mood)]
      : (await resolveEncoders(host, { shot: [], music: options.encoders ?? defaultEncoderIds.music })).music;
  const emotion = await scoreMusicEmotion(music, encoders, token);
  const notices = emotion.diagnostics.map((d) => `${d.code}: ${d.message}`);
  if (music.pulse === 'free') notices.unshift('No steady pulse was found (free tempo or ambient): the bars are phrases cut on the strongest onsets, not a metrical grid.');
  const label = (v: EmotionVector) => dominantLabel(v);
  return {
    file: path,
    tempoBpm: round(music.tempoBpm, 2),
    beatsPerBar: music.beatsPerBar,
    confidence: round(music.confidence, 3),
    pulse: music.pulse ?? 'steady',
    beats: music.beats.map((b) => ({ time: round(b.timeSeconds), beatInBar: b.beatInBar })),
    bars: music.bars.map((bar, k) => {
      const v = emotion.music.bars[k]!;
      return { start: round(bar.startSeconds), duration: round(bar.durationSeconds), beatsPerBar: bar.beatsPerBar, confidence: round(bar.confidence ?? music.confidence, 3), valence: round(v.valence, 3), arousal: round(v.arousal, 3), mood: label(v) };
    }),
    mood: label(emotion.music.global),
    valence: round(emotion.music.global.valence, 3),
    arousal: round(emotion.music.global.arousal, 3),
    moodConfidence: round(emotion.music.global.confidence, 3),
    notices,
  };
}

export function formatMusicReading(reading: MusicReading): string {
  const first = reading.bars[0];
  const last = reading.bars.at(-1);
  const lines = [
    `${reading.file}`,
    reading.pulse === 'free'
      ? `  no steady pulse: ${reading.bars.length} phrases`
      : `  ${reading.tempoBpm.toFixed(1)} BPM, ${reading.beatsPerBar} beats per bar, ${reading.bars.length} bars${first && last ? ` (${first.start.toFixed(2)}–${(last.start + last.duration).toFixed(2)} s)` : ''}, confidence ${reading.confidence.toFixed(2)}`,
    `  mood ${reading.mood} (valence ${reading.valence.toFixed(2)}, arousal ${reading.arousal.toFixed(2)}, confidence ${reading.moodConfidence.toFixed(2)})`,
    ...reading.notices.map((n) => `  note: ${n}`),
  ];
  return lines.join('\n');
}
