/**
 * Shared helpers of the exporter tests: the fixture folder, golden files (UPDATE_GOLDEN=1 rewrites them), and
 * the round-trip comparison of a read-back timeline with the Timeline it came from.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rescale } from '../../companion/core/rational';
import { placedClips, type Timeline } from '../../companion/core/timeline';
import type { ReadClip, ReadMarker } from './readers/read-timeline';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** ../shared/fixtures/interchange, relative to the repo root. */
export const fixtures = resolve(repoRoot, '../shared/fixtures/interchange');

export function fixture(path: string): string {
  return readFileSync(join(fixtures, path), 'utf8');
}

/** Compares `text` with test/exporters/golden/<path>; with UPDATE_GOLDEN=1 writes it instead. */
export function assertGolden(path: string, text: string): void {
  const file = join(repoRoot, 'test/exporters/golden', path);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.UPDATE_GOLDEN !== '1' && process.env.CI) assert.fail(`golden file ${path} is missing (run with UPDATE_GOLDEN=1)`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return;
  }
  assert.equal(text, readFileSync(file, 'utf8'), `output differs from golden ${path} (run with UPDATE_GOLDEN=1 after checking the change)`);
}

export interface ExpectedClip {
  readonly name: string;
  readonly recordIn: number;
  readonly recordOut: number;
  readonly sourceIn: number;
  readonly sourceOut: number;
  /** The media path with "/" separators. */
  readonly path: string;
  readonly mediaName: string;
}

/** A path as a file URL reader gives it back: Windows backslashes as "/". */
export function normalisePath(path: string): string {
  return /^[A-Za-z]:\\/.test(path) ? path.replace(/\\/g, '/') : path;
}

/** The clips of each track of `kind`, as the exporters must write them. */
export function expectedTracks(timeline: Timeline, kind: 'video' | 'audio'): ExpectedClip[][] {
  return timeline.tracks
    .filter((track) => track.kind === kind)
    .map((track) =>
      placedClips(timeline, track).map(({ clip, recordIn, recordOut }) => {
        const media = timeline.media.find((m) => m.id === clip.mediaId)!;
        return {
          name: clip.name,
          recordIn,
          recordOut,
          sourceIn: clip.sourceRange.start.value,
          sourceOut: clip.sourceRange.start.value + clip.sourceRange.duration.value,
          path: normalisePath(media.path),
          mediaName: media.name,
        };
      }),
    );
}

/** Asserts a read-back track equals the expected clips, clip by clip (names optional: an EDL keeps none). */
export function assertSameClips(read: readonly ReadClip[], expected: readonly ExpectedClip[], options: { names?: boolean; paths?: boolean } = {}): void {
  assert.equal(read.length, expected.length, 'clip count');
  read.forEach((clip, index) => {
    const want = expected[index]!;
    const got = { recordIn: clip.recordIn, recordOut: clip.recordOut, sourceIn: clip.sourceIn, sourceOut: clip.sourceOut };
    assert.deepEqual(got, { recordIn: want.recordIn, recordOut: want.recordOut, sourceIn: want.sourceIn, sourceOut: want.sourceOut }, `clip ${index + 1}`);
    if (options.names ?? true) assert.equal(clip.name, want.name, `clip ${index + 1} name`);
    if (options.paths ?? true) assert.equal(clip.media?.path, want.path, `clip ${index + 1} media path`);
  });
}

/** The timeline's markers as every exporter must give them back: sequence frames, names, comments. */
export function expectedMarkers(timeline: Timeline): ReadMarker[] {
  return timeline.markers.map((m) => ({ name: m.name, frame: rescale(m.time, timeline.rate).value, comment: m.comment ?? '' }));
}
