/** Builds small PlanInputs for the planner tests and benchmark: shots by length in frames, scenes by label. */
import { DEFAULT_PLAN_OPTIONS, type Bar, type PlanInput, type PlanOptions, type Scene, type Shot } from '../../companion/core/montage';
import { range, rate as makeRate, type Rate } from '../../companion/core/rational';

export interface ShotSpec {
  /** Length in movie frames. */
  readonly frames: number;
  /** Scene label; consecutive equal labels form one scene. */
  readonly scene: number;
  readonly score: number;
}

export interface InputSpec {
  readonly shots: readonly ShotSpec[];
  /** Each bar's duration in seconds (contiguous from `musicStartSeconds`). */
  readonly barSeconds: readonly number[];
  readonly rate?: Rate;
  readonly musicStartSeconds?: number;
  readonly options?: Partial<PlanOptions>;
  /** Row-major shots × bars. */
  readonly barScores?: readonly number[];
  readonly shotProfiles?: readonly (readonly number[] | undefined)[];
}

export function makeInput(spec: InputSpec): PlanInput {
  const rate = spec.rate ?? makeRate(24);
  const scenes: Scene[] = [];
  let frame = 0;
  const shots: Shot[] = spec.shots.map((s, i) => {
    const previous = spec.shots[i - 1];
    if (!previous || previous.scene !== s.scene) scenes.push({ index: scenes.length, firstShot: i, shotCount: 0 });
    const scene = scenes[scenes.length - 1]!;
    scenes[scenes.length - 1] = { ...scene, shotCount: scene.shotCount + 1 };
    const shot: Shot = { index: i, range: range(frame, s.frames, rate), sceneIndex: scene.index, transitionIn: 'cut' };
    frame += s.frames;
    return shot;
  });
  let t = spec.musicStartSeconds ?? 0;
  const bars: Bar[] = spec.barSeconds.map((seconds, index) => {
    const bar: Bar = { index, startSeconds: t, durationSeconds: seconds, beatsPerBar: 4, tempoBpm: 240 / seconds };
    t += seconds;
    return bar;
  });
  return {
    movie: { path: '/movies/movie.mp4', rate, frameCount: frame },
    music: { path: '/music/music.wav', startSeconds: spec.musicStartSeconds ?? 0, endSeconds: t },
    shots,
    scenes,
    bars,
    shotScores: spec.shots.map((s) => s.score),
    ...(spec.barScores ? { barScores: { shots: shots.length, bars: bars.length, values: spec.barScores } } : {}),
    ...(spec.shotProfiles ? { shotProfiles: spec.shotProfiles } : {}),
    options: { ...DEFAULT_PLAN_OPTIONS, trim: false, arc: false, ...spec.options },
  };
}
