/** Hand-made analyses of several files at their own rates (no decoding), for the many-sources tests and bench. */
import type { EmotionVector, Shot } from '../../companion/core/montage';
import type { MovieAnalysis } from '../../companion/core/pipeline';
import { range, rate as makeRate } from '../../companion/core/rational';
import type { EmotionScores } from '../../companion/analysis/emotion/index';
import type { FileAnalysis } from '../../companion/pipeline/sources';

const NEUTRAL: EmotionVector = { encoderId: 'fusion', values: [0, 0, 1, 0, 0, 0], valence: 0, arousal: 0, confidence: 1 };

/**
 * A file of shots `shotFrames` long at `fps` (scenes of `sceneSize` shots), with shot scores from `score(i)` and
 * bar scores for `bars` bars (the shot's score on every bar).
 */
export function fileAnalysis(path: string, fps: number, shotFrames: readonly number[], bars: number, options: { sceneSize?: number; score?: (i: number) => number } = {}): FileAnalysis {
  const rate = makeRate(fps);
  const sceneSize = options.sceneSize ?? 2;
  let start = 0;
  const shots: Shot[] = shotFrames.map((frames, index) => {
    const shot: Shot = { index, range: range(start, frames, rate), sceneIndex: Math.floor(index / sceneSize), transitionIn: 'cut' };
    start += frames;
    return shot;
  });
  const sceneCount = Math.ceil(shots.length / sceneSize);
  const movie: MovieAnalysis = {
    schema: 'MovieAnalysis.1',
    media: { path, sizeBytes: 1, durationSeconds: start / fps, formatName: 'mp4', video: { codec: 'h264', width: 320, height: 180, rate, frameCount: start, rotation: 0, variableFrameRate: false } },
    shots,
    scenes: Array.from({ length: sceneCount }, (_, s) => ({ index: s, firstShot: s * sceneSize, shotCount: Math.min(sceneSize, shots.length - s * sceneSize) })),
    features: shots.map((shot) => ({ brightness: 0.5, saturation: 0.5, colourfulness: 0.5, warmth: 0.5, contrast: 0.5, motion: 0.1, keyframe: shot.range.start.value, colourSignature: [] })),
  };
  const score = options.score ?? ((i: number) => 0.5 + 0.01 * (i % 7));
  const shotScores = shots.map((_, i) => score(i));
  const values = new Float32Array(shots.length * bars);
  shotScores.forEach((s, i) => values.fill(s, i * bars, (i + 1) * bars));
  const emotions: EmotionScores = {
    shots: shots.map(() => NEUTRAL),
    music: { global: NEUTRAL, bars: Array.from({ length: bars }, () => NEUTRAL) },
    shotScores,
    barScores: { shots: shots.length, bars, values },
    byEncoder: { shot: { fusion: shots.map(() => NEUTRAL) }, music: {} },
    diagnostics: [],
  };
  return { movie, emotions };
}
