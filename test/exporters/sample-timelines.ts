/**
 * Hand-built montage timelines for the exporter tests (no planner): one movie cut into four shots on V1,
 * one stereo music file under the whole thing on A1, and a marker on every bar. Names and paths carry
 * `&`, `<`, quotes and non-ASCII so escaping is exercised; the music lives on a Windows path.
 */
import { RATES, range, time, type Rate } from '../../companion/core/rational';
import { oneHourFrames, timecodeToFrames } from '../../companion/core/timecode';
import type { Marker, MediaReference, Timeline } from '../../companion/core/timeline';

export interface SampleOptions {
  readonly dropFrame?: boolean;
  /** Embedded start timecode of the movie, e.g. "10:00:00:00". */
  readonly movieStartTimecode?: string;
  readonly moviePath?: string;
  readonly musicPath?: string;
}

/** The rates the golden files cover, by their file-name label. */
export const GOLDEN_CASES: readonly { label: string; rate: Rate; options: SampleOptions }[] = [
  { label: '23.976', rate: RATES['23.976'], options: {} },
  { label: '24', rate: RATES['24'], options: {} },
  { label: '25', rate: RATES['25'], options: {} },
  { label: '29.97-ndf', rate: RATES['29.97'], options: {} },
  { label: '29.97-df', rate: RATES['29.97'], options: { dropFrame: true } },
  { label: '59.94', rate: RATES['59.94'], options: {} },
  { label: '25-embedded-tc', rate: RATES['25'], options: { movieStartTimecode: '10:00:00:00' } },
];

/** A four-shot montage over eight bars at `rate`. Bars are two seconds long (120 bpm, 4/4), in whole frames. */
export function sampleTimeline(rate: Rate, options: SampleOptions = {}): Timeline {
  const dropFrame = options.dropFrame ?? false;
  const base = Math.round(rate.num / rate.den);
  const barFrames = 2 * base;
  const movieStart = options.movieStartTimecode ? timecodeToFrames(options.movieStartTimecode, rate, { dropFrame })! : 0;
  const movie: MediaReference = {
    id: 'media-1',
    name: 'Big & <Small> "Movie" été.mov',
    path: options.moviePath ?? '/Users/editor/Movies/Big & Small/Big & <Small> "Movie" été.mov',
    hasVideo: true,
    hasAudio: true,
    rate,
    durationFrames: base * 60 * 20,
    startTimecodeFrames: movieStart,
    dropFrame,
    width: 1920,
    height: 1080,
    audioChannels: 2,
    sampleRate: 48000,
  };
  const shots = [
    { sourceIn: base * 12 * 60, bars: 2 },
    { sourceIn: base * (3 * 60 + 7) + 5, bars: 1 },
    { sourceIn: base * (9 * 60 + 41) + 11, bars: 3 },
    { sourceIn: base * (17 * 60 + 2) + 1, bars: 2 },
  ];
  const totalBars = shots.reduce((sum, s) => sum + s.bars, 0);
  const music: MediaReference = {
    id: 'media-2',
    name: 'Track 01 (final) — “mix”.wav',
    path: options.musicPath ?? 'C:\\Music\\My Songs\\Track 01 (final) — “mix”.wav',
    hasVideo: false,
    hasAudio: true,
    rate,
    durationFrames: base * 60 * 3,
    startTimecodeFrames: 0,
    dropFrame: false,
    audioChannels: 2,
    sampleRate: 48000,
  };
  const musicIn = base * 4;
  const markers: Marker[] = Array.from({ length: totalBars }, (_, bar) => ({
    name: `Bar ${bar + 1}`,
    comment: bar === 0 ? 'downbeat & "start" <1>' : '',
    color: 'blue',
    time: time(bar * barFrames, rate),
  }));
  return {
    schema: 'Timeline.1',
    name: 'Montage — “Big” & <Small>',
    rate,
    startFrames: oneHourFrames(rate, { dropFrame }),
    dropFrame,
    width: 1920,
    height: 1080,
    media: [movie, music],
    tracks: [
      {
        kind: 'video',
        name: 'V1',
        items: shots.map((shot, index) => ({
          kind: 'clip' as const,
          name: `Shot ${index + 1}`,
          mediaId: movie.id,
          sourceRange: range(shot.sourceIn, shot.bars * barFrames, rate),
          metadata: { 'auto-montage': { shotIndex: index * 3 } },
        })),
      },
      {
        kind: 'audio',
        name: 'A1',
        items: [{ kind: 'clip', name: music.name, mediaId: music.id, sourceRange: range(musicIn, totalBars * barFrames, rate) }],
      },
    ],
    markers,
  };
}
