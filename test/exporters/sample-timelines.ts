/**
 * Hand-built montage timelines for the exporter tests (no planner): one movie cut into four shots on V1,
 * one stereo music file under the whole thing on A1, and a marker on every bar. Names and paths carry
 * `&`, `<`, quotes and non-ASCII so escaping is exercised; the music lives on a Windows path.
 */
import { RATES, range, time, type Rate } from '../../companion/core/rational';
import { oneHourFrames, timecodeToFrames } from '../../companion/core/timecode';
import type { FieldOrder, Marker, MediaReference, PixelAspectRatio, Timeline } from '../../companion/core/timeline';

export interface SampleOptions {
  readonly dropFrame?: boolean;
  /** Embedded start timecode of the movie, e.g. "10:00:00:00". */
  readonly movieStartTimecode?: string;
  readonly moviePath?: string;
  /**
   * The movie's stored frame, which is also the sequence's (planToTimeline takes the sequence frame from the
   * movie); default 1920×1080, square, progressive.
   */
  readonly frame?: { readonly width: number; readonly height: number; readonly pixelAspectRatio?: PixelAspectRatio; readonly fieldOrder?: FieldOrder };
  readonly musicPath?: string;
  /** The music's file name (and its clip's name, as planToTimeline names it); default a .wav. */
  readonly musicName?: string;
  /** Default 48000. */
  readonly musicSampleRate?: number;
  /**
   * The music's probed length in samples (mediaReferences states it); its length in frames then follows as the
   * pipeline's does (whole frames at the sequence rate). Absent: three minutes of frames and no sample count.
   */
  readonly musicDurationSamples?: number;
}

/** 720×576 at 64:45 (PAL 16:9 anamorphic), upper field first, as ffprobe reads a DV/IMX PAL widescreen file. */
export const ANAMORPHIC_PAL_FRAME = { width: 720, height: 576, pixelAspectRatio: { num: 64, den: 45 }, fieldOrder: 'upper-first' } as const;

/**
 * The music of an OGG montage as the pipeline leaves it for the exporters: withEditingMusic (nle-media.ts) swaps
 * the user's "Track 01 (final) — “mix”.ogg" for its sample-exact WAV copy, written by the CLI into the output
 * folder as the file's stem with every run of other characters than [A-Za-z0-9._-] made "_", plus ".wav". The copy
 * keeps the source's rate (Vorbis at 44.1 kHz here: no resampling) and channels, and the probed length in samples
 * (180.0185 s, not a whole number of frames at any rate).
 */
export const OGG_MUSIC_COPY = {
  sourcePath: '/Users/editor/Music/My Songs/Track 01 (final) — “mix”.ogg',
  musicPath: '/Users/editor/Movies/Auto-Montage/Big & Small/Track_01_final_mix_.wav',
  musicName: 'Track_01_final_mix_.wav',
  musicSampleRate: 44100,
  musicDurationSamples: 7_938_817,
} as const;

/** The rates the golden files cover, by their file-name label. */
export const GOLDEN_CASES: readonly { label: string; rate: Rate; options: SampleOptions }[] = [
  { label: '23.976', rate: RATES['23.976'], options: {} },
  { label: '24', rate: RATES['24'], options: {} },
  { label: '25', rate: RATES['25'], options: {} },
  { label: '29.97-ndf', rate: RATES['29.97'], options: {} },
  { label: '29.97-df', rate: RATES['29.97'], options: { dropFrame: true } },
  { label: '59.94', rate: RATES['59.94'], options: {} },
  { label: '25-embedded-tc', rate: RATES['25'], options: { movieStartTimecode: '10:00:00:00' } },
  { label: '25i-pal-anamorphic', rate: RATES['25'], options: { frame: ANAMORPHIC_PAL_FRAME } },
  {
    label: '23.976-ogg-music',
    rate: RATES['23.976'],
    options: { musicPath: OGG_MUSIC_COPY.musicPath, musicName: OGG_MUSIC_COPY.musicName, musicSampleRate: OGG_MUSIC_COPY.musicSampleRate, musicDurationSamples: OGG_MUSIC_COPY.musicDurationSamples },
  },
];

/** A four-shot montage over eight bars at `rate`. Bars are two seconds long (120 bpm, 4/4), in whole frames. */
export function sampleTimeline(rate: Rate, options: SampleOptions = {}): Timeline {
  const dropFrame = options.dropFrame ?? false;
  const base = Math.round(rate.num / rate.den);
  const barFrames = 2 * base;
  const movieStart = options.movieStartTimecode ? timecodeToFrames(options.movieStartTimecode, rate, { dropFrame })! : 0;
  const frame = options.frame ?? { width: 1920, height: 1080 };
  const shape = {
    ...(frame.pixelAspectRatio ? { pixelAspectRatio: frame.pixelAspectRatio } : {}),
    ...(frame.fieldOrder ? { fieldOrder: frame.fieldOrder } : {}),
  };
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
    width: frame.width,
    height: frame.height,
    ...shape,
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
  const sampleRate = options.musicSampleRate ?? 48000;
  const samples = options.musicDurationSamples;
  const music: MediaReference = {
    id: 'media-2',
    name: options.musicName ?? 'Track 01 (final) — “mix”.wav',
    path: options.musicPath ?? 'C:\\Music\\My Songs\\Track 01 (final) — “mix”.wav',
    hasVideo: false,
    hasAudio: true,
    rate,
    // As mediaReferences counts it: the whole frames of the probed length at the sequence rate.
    durationFrames: samples === undefined ? base * 60 * 3 : Math.floor((samples * rate.num) / (sampleRate * rate.den)),
    startTimecodeFrames: 0,
    dropFrame: false,
    audioChannels: 2,
    sampleRate,
    ...(samples === undefined ? {} : { durationSamples: samples }),
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
    width: frame.width,
    height: frame.height,
    ...shape,
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
