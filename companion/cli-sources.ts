/**
 * The CLI's footage options as a list of media ranges (docs/sources.md): `--movie` (repeatable), `--movie-range`
 * (once for one movie, or once per `--movie`, `all` for a whole file), `--sources FILE.json|DIR`, `--rate`, and
 * pins/bans that name a shot by source (`SOURCE:INDEX`). Bad values are MontageErrors naming the option.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { MontageError } from './core/errors';
import type { ShotRef } from './core/montage';
import { parseRate, snapRate, type Rate } from './core/rational';
import type { SecondsRange, SourceRequest } from './pipeline/run-montage';

/** Media files `--sources DIR` takes (video; audio files too, which are skipped with a notice). */
export const SOURCE_EXTENSIONS = new Set(['.mp4', '.mov', '.m4v', '.mkv', '.webm', '.avi', '.mxf', '.mts', '.m2ts', '.ts', '.mpg', '.mpeg', '.wmv', '.flv', '.dv', '.y4m', '.wav', '.mp3', '.m4a', '.aac', '.flac', '.ogg']);

const invalid = (field: string, message: string) => new MontageError('AM_ERR_INVALID_ARGUMENT', message, { where: { field } });

/**
 * The sources the options name, or undefined for the plain one-movie case (one `--movie`, no `--sources`).
 * `parseRange` reads START:END as the CLI does elsewhere.
 */
export function cliSources(movies: readonly string[], ranges: readonly string[], sources: string | undefined, parseRange: (text: string) => SecondsRange, musicPath?: string): SourceRequest[] | undefined {
  if (ranges.length > 1 && ranges.length !== movies.length) {
    throw invalid('movie-range', `--movie-range is given ${ranges.length} times for ${movies.length} --movie; give it once per --movie (all for a whole file), in the same order.`);
  }
  if (ranges.length === 1 && movies.length !== 1) throw invalid('movie-range', `--movie-range given once applies to a single --movie; with ${movies.length}, give one per --movie (all for a whole file).`);
  if (movies.length <= 1 && sources === undefined) return undefined;
  const fromMovies: SourceRequest[] = movies.map((path, i) => {
    const text = ranges[i];
    return { path: resolve(path), ...(text !== undefined && text !== 'all' ? { range: parseRange(text) } : {}) };
  });
  return [...fromMovies, ...(sources === undefined ? [] : readSources(sources, musicPath))];
}

/** `--sources`: a JSON list of `{path, range?, timelineSeconds?, id?}` (paths relative to the file), or a folder's media files in name order. */
export function readSources(location: string, musicPath?: string): SourceRequest[] {
  const path = resolve(location);
  let isFolder: boolean;
  try {
    isFolder = statSync(path).isDirectory();
  } catch {
    throw new MontageError('AM_ERR_FILE_NOT_FOUND', `--sources names nothing: ${path}`, { where: { file: path, field: 'sources' } });
  }
  if (isFolder) {
    const music = musicPath ? resolve(musicPath) : undefined;
    const files = readdirSync(path, { withFileTypes: true })
      .filter((entry) => entry.isFile() && !entry.name.startsWith('.') && SOURCE_EXTENSIONS.has(extname(entry.name).toLowerCase()))
      .map((entry) => join(path, entry.name))
      .filter((file) => file !== music)
      .sort();
    if (files.length === 0) throw new MontageError('AM_ERR_NO_USABLE_SOURCE', `The folder ${path} holds no media file (${[...SOURCE_EXTENSIONS].join(' ')}).`, { where: { file: path, field: 'sources' } });
    return files.map((file) => ({ path: file }));
  }
  let list: unknown;
  try {
    list = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw invalid('sources', `--sources ${path} is not a JSON list of sources: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!Array.isArray(list) || list.length === 0) throw invalid('sources', `--sources ${path} must hold a non-empty JSON list of {path, range?, timelineSeconds?, id?}.`);
  const base = dirname(path);
  return list.map((item: unknown, i) => {
    const field = `sources[${i}]`;
    const entry = (typeof item === 'string' ? { path: item } : item) as Record<string, unknown> | null;
    if (!entry || typeof entry !== 'object' || typeof entry.path !== 'string' || entry.path === '') throw invalid(`${field}.path`, `${field} needs a "path" (a string).`);
    const unknown = Object.keys(entry).filter((key) => !['path', 'range', 'timelineSeconds', 'id'].includes(key));
    if (unknown.length) throw invalid(`${field}.${unknown[0]}`, `${field} has an unknown key "${unknown[0]}" (known: path, range, timelineSeconds, id).`);
    const range = entry.range as { startSeconds?: unknown; endSeconds?: unknown } | undefined;
    if (range !== undefined && (typeof range !== 'object' || typeof range.startSeconds !== 'number' || typeof range.endSeconds !== 'number' || !(range.startSeconds >= 0) || !(range.endSeconds > range.startSeconds))) {
      throw invalid(`${field}.range`, `${field}.range must be {startSeconds, endSeconds} with 0 ≤ startSeconds < endSeconds.`);
    }
    if (entry.timelineSeconds !== undefined && (typeof entry.timelineSeconds !== 'number' || !(entry.timelineSeconds >= 0))) throw invalid(`${field}.timelineSeconds`, `${field}.timelineSeconds must be a number ≥ 0.`);
    if (entry.id !== undefined && (typeof entry.id !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(entry.id))) throw invalid(`${field}.id`, `${field}.id must be 1–64 letters, digits, ".", "_" or "-".`);
    return {
      path: resolve(base, entry.path),
      ...(range ? { range: { startSeconds: range.startSeconds as number, endSeconds: range.endSeconds as number } } : {}),
      ...(entry.timelineSeconds !== undefined ? { timelineSeconds: entry.timelineSeconds as number } : {}),
      ...(entry.id !== undefined ? { id: entry.id as string } : {}),
    };
  });
}

/** `--rate 25`, `--rate 30000/1001` or `--rate 29.97` (snapped to the standard rate). */
export function parseTimelineRate(text: string | undefined): Rate | undefined {
  if (text === undefined) return undefined;
  const exact = parseRate(text);
  const fps = Number(text);
  const rate = exact ?? (Number.isFinite(fps) && fps > 0 ? snapRate(fps) : undefined);
  if (!rate || rate.num / rate.den < 1 || rate.num / rate.den > 240) throw invalid('rate', `--rate must be a frame rate from 1 to 240 fps, e.g. 25, 30000/1001 or 29.97 (got "${text}").`);
  return rate;
}

/** `--pin`/`--ban` items: a shot index (`17`) or a source's shot (`SOURCE:INDEX`, e.g. `source-2:3`), comma-separated. */
export function parseShotList(values: readonly string[] | undefined, field: 'pin' | 'ban'): (number | ShotRef)[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .map((v) => {
      const match = /^(?:([A-Za-z0-9._-]{1,64}):)?(\d+)$/.exec(v);
      if (!match) throw invalid(field, `--${field} takes shot indices or SOURCE:INDEX, e.g. 3,source-2:5 (got "${v}").`);
      return match[1] === undefined ? Number(match[2]) : { source: match[1], shot: Number(match[2]) };
    });
}
