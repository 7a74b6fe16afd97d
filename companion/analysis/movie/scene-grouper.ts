/**
 * Scenes as runs of consecutive shots linked by visual similarity within a time window (after Hanjalic's
 * overlapping links): shot i links forward to the farthest shot k within `maxLinkShots` shots and
 * `windowSeconds` whose colour signature is similar; a scene boundary falls before shot m only when no
 * link spans it. Dialogue cutting (A, B, A, B) therefore stays one scene, a change of place starts one.
 * Scenes shorter than `minSceneSeconds` join the more similar neighbour. Deterministic.
 */
import type { Scene, Shot, ShotFeatures, VideoStreamInfo } from '../../core/montage';
import type { SceneGrouper } from '../../core/pipeline';
import { toFps } from '../../core/rational';

export interface SceneGroupingOptions {
  /** Histogram intersection at or above which two shots look alike (default 0.62). */
  readonly similarity?: number;
  /** How far a link may reach, in seconds between the shots (default 45). */
  readonly windowSeconds?: number;
  /** And in shots (default 12). */
  readonly maxLinkShots?: number;
  /** Scenes shorter than this merge into a neighbour (default 6 s). */
  readonly minSceneSeconds?: number;
}

/** Histogram intersection of two L1-normalised signatures, in [0, 1]. */
export function signatureSimilarity(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.min(a[i]!, b[i] ?? 0);
  return sum;
}

export class SimilarityWindowSceneGrouper implements SceneGrouper {
  readonly id = 'auto-montage.scenes.similarity-window';

  constructor(private readonly options: SceneGroupingOptions = {}) {}

  group(shots: readonly Shot[], features: readonly ShotFeatures[], video: VideoStreamInfo): { shots: Shot[]; scenes: Scene[] } {
    const n = shots.length;
    if (n === 0) return { shots: [], scenes: [] };
    const fps = toFps(video.rate);
    const threshold = this.options.similarity ?? 0.62;
    const windowFrames = (this.options.windowSeconds ?? 45) * fps;
    const maxLink = this.options.maxLinkShots ?? 12;
    const minSceneFrames = (this.options.minSceneSeconds ?? 6) * fps;
    const startOf = (i: number) => shots[i]!.range.start.value;
    const endOf = (i: number) => shots[i]!.range.start.value + shots[i]!.range.duration.value;

    // linkedThrough[i]: the farthest shot linked from any shot ≤ i (a shot links to itself when to none).
    const linkedThrough = new Int32Array(n);
    let farthest = 0;
    for (let i = 0; i < n; i++) {
      let reach = i;
      for (let k = Math.min(n - 1, i + maxLink); k > i; k--) {
        if (startOf(k) - endOf(i) > windowFrames) continue;
        if (signatureSimilarity(features[i]!.colourSignature, features[k]!.colourSignature) >= threshold) {
          reach = k;
          break;
        }
      }
      farthest = Math.max(farthest, reach);
      linkedThrough[i] = farthest;
    }
    // A boundary before shot m when nothing before m links to m or beyond.
    const starts: number[] = [0];
    for (let m = 1; m < n; m++) if (linkedThrough[m - 1]! < m) starts.push(m);

    // Merge scenes that are too short into the neighbour whose edge shot is more similar.
    const ranges = starts.map((start, i) => ({ start, end: (starts[i + 1] ?? n) - 1 }));
    let merged = true;
    while (merged && ranges.length > 1) {
      merged = false;
      for (let i = 0; i < ranges.length; i++) {
        const scene = ranges[i]!;
        if (endOf(scene.end) - startOf(scene.start) >= minSceneFrames) continue;
        const previous = ranges[i - 1];
        const next = ranges[i + 1];
        const toPrevious = previous ? signatureSimilarity(features[previous.end]!.colourSignature, features[scene.start]!.colourSignature) : -1;
        const toNext = next ? signatureSimilarity(features[scene.end]!.colourSignature, features[next.start]!.colourSignature) : -1;
        if (previous && toPrevious >= toNext) {
          previous.end = scene.end;
          ranges.splice(i, 1);
        } else if (next) {
          next.start = scene.start;
          ranges.splice(i, 1);
        } else continue;
        merged = true;
        break;
      }
    }
    const scenes: Scene[] = ranges.map((r, index) => ({ index, firstShot: r.start, shotCount: r.end - r.start + 1 }));
    const sceneOf = new Int32Array(n);
    for (const scene of scenes) for (let i = scene.firstShot; i < scene.firstShot + scene.shotCount; i++) sceneOf[i] = scene.index;
    return { shots: shots.map((shot, i) => ({ ...shot, sceneIndex: sceneOf[i]! })), scenes };
  }
}
