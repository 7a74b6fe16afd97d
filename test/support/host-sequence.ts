/** Premiere sequences of real files, as the fake host reads them (times in ticks on the movie's frame grid). */
import { basename } from 'node:path';
import { probeMovie } from '../../companion/media/probe';
import type { HostSequence } from '../../plugin/src/host';
import { framesToTicks, ticksPerFrame } from '../../plugin/src/ticks';

export interface SequenceFiles {
  readonly name: string;
  readonly moviePath: string;
  /** Where the movie's clip ends (default: the movie's end). */
  readonly movieEndSeconds?: (durationSeconds: number) => number;
  readonly musicPath: string;
  /** The music clip's name in the sequence (default: the file name). */
  readonly musicName?: string;
  /** The part of the music the clip plays, from the sequence's start. */
  readonly musicSeconds: readonly [number, number];
}

/** The movie on V1 from its start, the music's selected part on A2 from the sequence's start. */
export async function sequenceOfFiles(files: SequenceFiles): Promise<HostSequence> {
  const movie = await probeMovie(files.moviePath);
  const rate = movie.video.rate;
  const at = (seconds: number) => framesToTicks((seconds * rate.num) / rate.den, rate);
  const end = files.movieEndSeconds ? files.movieEndSeconds(movie.durationSeconds) : movie.durationSeconds;
  const [from, to] = files.musicSeconds;
  return {
    id: 'edit',
    name: files.name,
    fps: rate.num / rate.den,
    ticksPerFrame: Number(ticksPerFrame(rate)),
    width: movie.video.width,
    height: movie.video.height,
    durationTicks: at(end),
    clips: [
      { kind: 'video', track: 0, name: basename(files.moviePath), mediaPath: files.moviePath, srcInTicks: '0', srcOutTicks: at(end), startTicks: '0', endTicks: at(end), disabled: false },
      { kind: 'audio', track: 1, name: files.musicName ?? basename(files.musicPath), mediaPath: files.musicPath, srcInTicks: at(from), srcOutTicks: at(to), startTicks: '0', endTicks: at(to - from), disabled: false },
    ],
  };
}
