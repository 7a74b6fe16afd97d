/**
 * The footage a panel montage draws from, by file, for the panel's source list (DOM-free, so tests and both
 * panels share it): the sources {@link sequenceSources} sends, grouped by file.
 */
import type { HostSequence } from './host';
import { baseName, RequestProblem, sequenceSources, type SequenceSources } from './montage-request';

/** One file of the montage's footage, as the panel lists it. */
export interface FootageFile {
  readonly path: string;
  readonly name: string;
  /** The clips (media ranges) of this file the montage draws from. */
  readonly clipCount: number;
  /** Their selected source time together, in seconds. */
  readonly seconds: number;
}

/**
 * The files the montage of `sequence` draws from (the sources {@link sequenceSources} sends), each with its clip
 * count and selected time, the most used first (then the most clips, then by name); `selected` when only the
 * selected clips are used. Undefined when the sequence has no usable clip (Auto-montage says why).
 */
export function footageSummary(sequence: HostSequence): { readonly files: readonly FootageFile[]; readonly selected: boolean } | undefined {
  let chosen: SequenceSources;
  try {
    chosen = sequenceSources(sequence);
  } catch (error) {
    if (error instanceof RequestProblem) return undefined;
    throw error;
  }
  const byPath = new Map<string, { clipCount: number; seconds: number }>();
  for (const source of chosen.sources) {
    const file = byPath.get(source.path) ?? { clipCount: 0, seconds: 0 };
    file.clipCount++;
    file.seconds += source.range ? source.range.endSeconds - source.range.startSeconds : 0;
    byPath.set(source.path, file);
  }
  const files = [...byPath].map(([path, file]) => ({ path, name: baseName(path), ...file }));
  files.sort((a, b) => b.seconds - a.seconds || b.clipCount - a.clipCount || a.name.localeCompare(b.name));
  return { files, selected: chosen.selected };
}
