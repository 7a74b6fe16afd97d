/**
 * MontagePlan → Timeline: the chosen shots back to back on one video track, the music under the whole
 * montage on one audio track, and a sequence marker on every bar. The sequence rate is the movie's rate; every
 * position is an integer frame counted from the montage start, and each cut sits at its bar's real time rounded
 * once to the frame grid (round((bar start − first bar start) × fps)), so rounding never accumulates.
 */
import { MontageError } from '../core/errors';
import { unitMarkerName, type CutGranularity, type MontagePlan } from '../core/montage';
import { ratesEqual, secondsToValue, time, range } from '../core/rational';
import { oneHourFrames } from '../core/timecode';
import type { Clip, Marker, MediaReference, Timeline, TrackItem } from '../core/timeline';

export interface PlanToTimelineOptions {
  /** Sequence name; default "Auto-Montage". */
  readonly name?: string;
  /** Record start in sequence frames; default 01:00:00:00. */
  readonly startFrames?: number;
  /** Drop-frame sequence timecode (29.97 and 59.94 only); default false. */
  readonly dropFrame?: boolean;
  /** The unit each of `plan.bars` is cut on, which names its marker ("Beat 12"); default: every one a bar. */
  readonly units?: readonly CutGranularity[];
}

/** The media of a plan: the movie, the music, and with several sources one reference per plan source (sources sharing a file may share one). */
export interface PlanMedia {
  readonly movie: MediaReference;
  readonly music: MediaReference;
  /** `sources[k]` plays plan.sources[k]; at that source's rate. */
  readonly sources?: readonly MediaReference[];
}

/**
 * Builds the timeline of a plan. `media.movie` (and each of `media.sources`) counts at its own file's rate, the
 * movie's being the plan's rate when there are no sources; `media.music` counts on the sequence rate.
 */
export function planToTimeline(plan: MontagePlan, media: PlanMedia, options: PlanToTimelineOptions = {}): Timeline {
  const rate = plan.movie.rate;
  const { movie, music } = media;
  const sourceMedia = plan.sources ? (media.sources ?? []) : [];
  if (plan.sources && sourceMedia.length !== plan.sources.length) {
    throw new MontageError('AM_ERR_INVALID_ARGUMENT', `The plan has ${plan.sources.length} sources but ${sourceMedia.length} media references were given.`, { where: { field: 'media.sources' } });
  }
  if (!plan.sources && !ratesEqual(movie.rate, rate)) {
    throw new MontageError('AM_ERR_INVALID_ARGUMENT', `The movie reference counts at ${movie.rate.num}/${movie.rate.den} fps but the plan at ${rate.num}/${rate.den}.`, { where: { field: 'media.movie.rate' } });
  }
  if (!ratesEqual(music.rate, rate)) {
    throw new MontageError('AM_ERR_INVALID_ARGUMENT', `The music reference must count at the sequence rate ${rate.num}/${rate.den}, not ${music.rate.num}/${music.rate.den}.`, { where: { field: 'media.music.rate' } });
  }
  if (movie.width === undefined || movie.height === undefined) {
    throw new MontageError('AM_ERR_INVALID_ARGUMENT', `The movie reference ${movie.name} has no frame size.`, { where: { field: 'media.movie.width' } });
  }
  const dropFrame = options.dropFrame ?? false;
  // The same boundaries the solver used: bar starts, and the end of the music range the plan covers.
  const first = plan.bars[0]?.startSeconds ?? plan.music.startSeconds;
  const boundaries = [...plan.bars.map((bar) => bar.startSeconds), plan.music.endSeconds].map((seconds) => secondsToValue(seconds - first, rate));

  const items: TrackItem[] = [];
  let position = 0;
  for (const placement of plan.placements) {
    const recordIn = placement.recordRange.start.value;
    const frames = placement.recordRange.duration.value;
    if (recordIn !== position || recordIn !== boundaries[placement.firstBar] || recordIn + frames !== boundaries[placement.firstBar + placement.barCount]) {
      throw new MontageError('AM_ERR_TIMELINE_INVALID', `placement of shot ${placement.shotIndex} is not at its bars' frames (record ${recordIn}, expected ${boundaries[placement.firstBar]}).`);
    }
    const reference = placement.source !== undefined ? sourceMedia[placement.source] : movie;
    if (!reference || !ratesEqual(reference.rate, placement.sourceRange.start.rate)) {
      throw new MontageError('AM_ERR_INVALID_ARGUMENT', `The media of shot ${placement.shotIndex} ${reference ? `counts at ${reference.rate.num}/${reference.rate.den} fps, not at its source range's rate` : 'is missing'}.`, { where: { field: `media.sources[${placement.source ?? 0}]` } });
    }
    const clip: Clip = {
      kind: 'clip',
      name: `Shot ${placement.shotIndex + 1}`,
      mediaId: reference.id,
      sourceRange: placement.sourceRange,
      // Another rate than the sequence's: the cut stays on the sequence grid, the source keeps its own frames.
      ...(ratesEqual(reference.rate, rate) ? {} : { recordDuration: time(frames, rate) }),
      metadata: {
        'auto-montage': {
          shotIndex: placement.shotIndex,
          sceneIndex: placement.sceneIndex,
          ...(placement.source !== undefined && plan.sources ? { source: plan.sources[placement.source]!.id } : {}),
          firstBar: placement.firstBar,
          barCount: placement.barCount,
          score: placement.score,
        },
      },
    };
    items.push(clip);
    position += frames;
  }
  const totalFrames = position;

  const musicStart = secondsToValue(plan.music.startSeconds, rate);
  const musicClip: Clip = {
    kind: 'clip',
    name: music.name,
    mediaId: music.id,
    sourceRange: range(musicStart, totalFrames, rate),
    metadata: { 'auto-montage': { startSeconds: plan.music.startSeconds, endSeconds: plan.music.endSeconds } },
  };

  const markers: Marker[] = plan.bars.map((bar, k) => ({
    name: unitMarkerName(options.units?.[k] ?? 'bar', bar.index),
    time: time(boundaries[k]!, rate),
    comment: `${bar.startSeconds.toFixed(3)} s in the music, ${bar.tempoBpm.toFixed(1)} BPM`,
    color: 'cyan',
  }));

  return {
    schema: 'Timeline.1',
    name: options.name ?? 'Auto-Montage',
    rate,
    startFrames: options.startFrames ?? oneHourFrames(rate, { dropFrame }),
    dropFrame,
    width: movie.width,
    height: movie.height,
    // The sequence frame is the movie's: its pixel shape and scan too.
    ...(movie.pixelAspectRatio ? { pixelAspectRatio: movie.pixelAspectRatio } : {}),
    ...(movie.fieldOrder ? { fieldOrder: movie.fieldOrder } : {}),
    media: plan.sources ? [...new Set(sourceMedia), music] : [movie, music],
    tracks: [
      { kind: 'video', name: 'V1', items },
      { kind: 'audio', name: 'A1', items: plan.placements.length ? [musicClip] : [] },
    ],
    markers,
    metadata: { 'auto-montage': { totalScore: plan.totalScore, placements: plan.placements.length, mode: plan.options.mode, maxScenes: plan.options.maxScenes } },
  };
}
