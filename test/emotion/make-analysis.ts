/** Hand-made movie and music analyses for the emotion tests (no decoding). */
import type { BarFeatures, MediaInfo, ShotFeatures } from '../../companion/core/montage';
import type { MovieAnalysis, MusicAnalysis } from '../../companion/core/pipeline';
import { range, rate } from '../../companion/core/rational';

const FPS = rate(24);

export type ShotSpec = Partial<ShotFeatures> & { seconds?: number };

export function movieAnalysis(specs: readonly ShotSpec[], options: { path?: string; audio?: boolean; media?: MediaInfo } = {}): MovieAnalysis {
  let start = 0;
  const shots = specs.map((spec, index) => {
    const frames = Math.max(1, Math.round((spec.seconds ?? 3) * 24));
    const shot = { index, range: range(start, frames, FPS), sceneIndex: index, transitionIn: 'cut' as const };
    start += frames;
    return shot;
  });
  const features: ShotFeatures[] = specs.map((spec, i) => ({
    brightness: 0.4,
    saturation: 0.3,
    colourfulness: 0.3,
    warmth: 0.5,
    contrast: 0.3,
    motion: 0.03,
    keyframe: (shots[i]?.range.start.value ?? 0) + Math.floor((shots[i]?.range.duration.value ?? 1) / 2),
    colourSignature: [],
    ...spec,
  }));
  return {
    schema: 'MovieAnalysis.1',
    media: options.media ?? {
      path: options.path ?? 'movie.mp4',
      sizeBytes: 1,
      durationSeconds: start / 24,
      formatName: 'mp4',
      video: { codec: 'h264', width: 640, height: 360, rate: FPS, frameCount: start, rotation: 0, variableFrameRate: false },
      ...(options.audio ? { audio: { codec: 'aac', channels: 2, sampleRate: 44100 } } : {}),
    },
    shots,
    scenes: shots.map((s) => ({ index: s.index, firstShot: s.index, shotCount: 1 })),
    features,
  };
}

export type BarSpec = Partial<BarFeatures>;

export function musicAnalysis(specs: readonly BarSpec[], tempoBpm = 120, path = 'music.ogg'): MusicAnalysis {
  const barSeconds = (4 * 60) / tempoBpm;
  return {
    schema: 'MusicAnalysis.1',
    media: { path, sizeBytes: 1, durationSeconds: specs.length * barSeconds, formatName: 'ogg', audio: { codec: 'vorbis', channels: 2, sampleRate: 44100 } },
    beats: [],
    bars: specs.map((_, index) => ({ index, startSeconds: index * barSeconds, durationSeconds: barSeconds, beatsPerBar: 4, tempoBpm })),
    tempoBpm,
    beatsPerBar: 4,
    confidence: 1,
    barFeatures: specs.map((spec) => ({
      loudnessDb: -16,
      onsetDensity: 5.2,
      spectralCentroidHz: 440,
      chroma: Array.from({ length: 12 }, () => 1 / 12),
      mode: 0,
      tempoBpm,
      ...spec,
    })),
  };
}
