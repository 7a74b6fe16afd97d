/** ffprobe facts about an output file, for assertions. */
import { execFileSync } from 'node:child_process';
import { ffprobePath } from '../../companion/media/binaries';

export interface ProbedStream {
  readonly codec_type: string;
  readonly nb_frames?: string;
  readonly duration?: string;
  readonly r_frame_rate?: string;
}

export function ffprobeStreams(path: string): ProbedStream[] {
  const out = execFileSync(ffprobePath(), ['-v', 'error', '-count_frames', '-print_format', 'json', '-show_streams', path], { encoding: 'utf8' });
  return (JSON.parse(out) as { streams: ProbedStream[] }).streams;
}
