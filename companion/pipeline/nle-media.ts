/**
 * Media the editing applications cannot import. A timeline that points at such a file opens with that clip
 * offline, so the companion never lets one through silently:
 *   - music (the one file we may convert without asking): an Ogg Vorbis/Opus, FLAC, WebM, Matroska or WMA track is
 *     copied, sample for sample, into a PCM WAV (the source's rate and channels; 16/24-bit integer or 32-bit float
 *     after the decoder's own sample format), and every timeline refers to the copy. The user's file is untouched.
 *   - movies: a container or codec a target cannot import is reported before the analysis, with the fix
 *     (`--transcode prores|dnxhr`, which writes an editing copy).
 * Sources: Premiere "Supported file formats" (helpx.adobe.com/premiere-pro/using/supported-file-formats.html: no
 * Ogg, FLAC, WebM/VP8 or Theora), Final Cut Pro "Import formats" (support.apple.com/guide/final-cut-pro/ver2833f855:
 * no Ogg, FLAC, WebM or MKV), DaVinci Resolve's supported codec list (no Ogg/Theora). Conservative on purpose: a
 * needless WAV copy costs a second of ffmpeg; a missing one costs an offline clip.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { MontageError, type Diagnostic } from '../core/errors';
import type { CancellationToken } from '../core/lifecycle';
import type { MediaInfo } from '../core/montage';
import type { MediaReference } from '../core/timeline';
import { ffmpegPath, ffprobePath } from '../media/binaries';
import { lastLines, run } from '../media/process';

/** The editing applications our timeline formats are for. */
export type EditingApp = 'premiere' | 'finalcut' | 'resolve';

/** Which application reads which timeline format (an exporter id not listed here targets none of them). */
export const FORMAT_APPS: Readonly<Record<string, readonly EditingApp[]>> = {
  'fcp7-xml': ['premiere', 'resolve'],
  fcpxml: ['finalcut'],
  edl: ['resolve', 'premiere'],
  otio: ['resolve', 'premiere'],
};

const APP_NAMES: Readonly<Record<EditingApp, string>> = { premiere: 'Premiere Pro', finalcut: 'Final Cut Pro', resolve: 'DaVinci Resolve' };

/** Containers (ffprobe format_name, first entry) and audio codecs every target imports. */
const IMPORTABLE_MUSIC: readonly { readonly container: RegExp; readonly codec: RegExp }[] = [
  { container: /^wav$/, codec: /^pcm_/ },
  { container: /^aiff$/, codec: /^pcm_/ },
  { container: /^mp3$/, codec: /^mp3$/ },
  { container: /^mov$/, codec: /^(aac|pcm_.*)$/ },
];

/** Whether every editing app imports this music file as it is. */
export function musicIsImportable(media: Pick<MediaInfo, 'formatName' | 'audio'>): boolean {
  const container = (media.formatName.split(',')[0] ?? '').toLowerCase();
  const codec = (media.audio?.codec ?? '').toLowerCase();
  return IMPORTABLE_MUSIC.some((rule) => rule.container.test(container) && rule.codec.test(codec));
}

/** Movie containers/codecs an app cannot import: (format_name's first entry, video codec or '*'). */
const UNIMPORTABLE_MOVIES: Readonly<Record<EditingApp, readonly (readonly [string, string])[]>> = {
  premiere: [['ogg', '*'], ['matroska', 'vp8'], ['matroska', 'theora']],
  finalcut: [['ogg', '*'], ['matroska', '*']],
  resolve: [['ogg', '*'], ['matroska', 'theora']],
};

/** One movie a target cannot import, with the fix. */
export interface MovieImportNotice {
  readonly path: string;
  readonly apps: readonly EditingApp[];
  readonly message: string;
}

/**
 * The movies among `media` that an app reading one of `formats` cannot import. ffprobe names WebM and MKV alike
 * ("matroska,webm"), so the codec and the file's extension tell them apart.
 */
export function movieImportNotices(media: readonly Pick<MediaInfo, 'path' | 'formatName' | 'video'>[], formats: readonly string[]): MovieImportNotice[] {
  const apps = [...new Set(formats.flatMap((format) => FORMAT_APPS[format] ?? []))];
  const notices: MovieImportNotice[] = [];
  for (const file of media) {
    const container = (file.formatName.split(',')[0] ?? '').toLowerCase();
    const codec = (file.video?.codec ?? '').toLowerCase();
    const webm = extname(file.path).toLowerCase() === '.webm';
    const refusing = apps.filter((app) =>
      UNIMPORTABLE_MOVIES[app].some(([c, v]) => c === container && (v === '*' || v === codec || (app === 'finalcut' && webm))),
    );
    if (refusing.length === 0) continue;
    notices.push({
      path: file.path,
      apps: refusing,
      message: `${APP_NAMES[refusing[0]!]}${refusing.length > 1 ? ` and ${refusing.slice(1).map((app) => APP_NAMES[app]).join(', ')}` : ''} cannot import ${basename(file.path)} (${container}${codec ? `/${codec}` : ''}); its clips would be offline. Pass --transcode prores (or dnxhr) to write an editing copy the timelines refer to, or convert it yourself`,
    });
  }
  return notices;
}

/** What an editing copy is and where it went. */
export interface EditingCopy {
  /** The absolute path every timeline refers to. */
  readonly path: string;
  /** The file name (in the output folder or the companion's media folder). */
  readonly name: string;
  readonly codec: string;
}

/** The PCM codec that holds the decoder's samples exactly (ffprobe sample_fmt and bits_per_raw_sample). */
export function pcmCodecFor(sampleFormat: string, bitsPerRawSample: number): 'pcm_s16le' | 'pcm_s24le' | 'pcm_s32le' | 'pcm_f32le' {
  const format = sampleFormat.replace(/p$/, '');
  if (format === 'u8' || format === 's16') return 'pcm_s16le';
  if (format === 's32' || format === 's64') return bitsPerRawSample > 0 && bitsPerRawSample <= 24 ? 'pcm_s24le' : 'pcm_s32le';
  return 'pcm_f32le'; // flt and dbl: Vorbis, Opus and AAC decode to float
}

/**
 * Writes the WAV copy of a music file for the timelines, or returns undefined when the music is importable.
 * `into` decides where: `{ staged }` writes it under a name the caller stages with the outputs (the CLI: the output
 * folder), `{ shared }` keeps one copy per source file (content-addressed) in a folder that outlives job folders
 * (the companion: every version of a montage and every re-solve refer to the same file).
 */
export async function writeMusicEditingCopy(
  media: MediaInfo,
  into: { readonly staged: { readonly stagedPath: (name: string) => string; readonly finalDir: string } } | { readonly shared: string },
  token?: CancellationToken,
): Promise<EditingCopy | undefined> {
  if (musicIsImportable(media)) return undefined;
  const source = resolve(media.path);
  const { sampleFormat, bits } = await audioSampleFormat(source, token);
  const codec = pcmCodecFor(sampleFormat, bits);
  const base = basename(source, extname(source)).replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '').slice(0, 80) || 'music';
  if ('staged' in into) {
    const name = `${base}.wav`;
    await transcodeToWav(source, into.staged.stagedPath(name), codec, token);
    return { path: join(resolve(into.staged.finalDir), name), name, codec };
  }
  const info = await stat(source);
  const key = createHash('sha256').update(`${source}\0${info.size}\0${info.mtimeMs}\0${codec}`).digest('hex').slice(0, 12);
  const name = `${base}-${key}.wav`;
  const path = join(resolve(into.shared), name);
  if (await stat(path).then((s) => s.isFile() && s.size > 44, () => false)) return { path, name, codec };
  await mkdir(into.shared, { recursive: true });
  const partial = `${path}.partial-${process.pid}-${Date.now()}`;
  try {
    await transcodeToWav(source, partial, codec, token);
    await rename(partial, path); // atomic: a timeline never points at half a file
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return { path, name, codec };
}

async function audioSampleFormat(path: string, token?: CancellationToken): Promise<{ sampleFormat: string; bits: number }> {
  try {
    const { stdout } = await run(ffprobePath(), ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=sample_fmt,bits_per_raw_sample', '-of', 'json', '--', path], { timeoutMs: 60_000, ...(token ? { token } : {}) });
    const stream = (JSON.parse(stdout.toString('utf8')) as { streams?: { sample_fmt?: string; bits_per_raw_sample?: string }[] }).streams?.[0];
    return { sampleFormat: stream?.sample_fmt ?? 'flt', bits: Number(stream?.bits_per_raw_sample) || 0 };
  } catch (cause) {
    throw new MontageError('AM_ERR_MEDIA_UNREADABLE', `The music file ${path} could not be probed for its WAV copy.`, { where: { file: path }, cause });
  }
}

async function transcodeToWav(source: string, out: string, codec: string, token?: CancellationToken): Promise<void> {
  // -bitexact: no encoder tag, so the same music gives the same bytes. No resampling and no channel change: every
  // decoded sample lands in the copy, so the timelines' sample positions hold for it as for the source.
  const args = ['-nostdin', '-v', 'error', '-y', '-i', source, '-map', '0:a:0', '-vn', '-sn', '-dn', '-map_metadata', '-1', '-c:a', codec, '-bitexact', '-f', 'wav', out];
  try {
    await run(ffmpegPath(), args, { timeoutMs: 10 * 60_000, ...(token ? { token } : {}) });
  } catch (error) {
    if (error instanceof MontageError && error.code !== 'AM_ERR_FFMPEG_FAILED') throw error;
    const reason = error instanceof MontageError ? String(error.details?.['stderr'] ?? error.message) : String(error);
    throw new MontageError('AM_ERR_OUTPUT_WRITE', `Could not write the WAV copy of ${source}: ${lastLines(reason, 1)}`, { where: { file: source }, cause: error });
  }
}

/**
 * The plan's media with the music swapped for its WAV copy when the editing apps cannot import it (see
 * {@link writeMusicEditingCopy}); the analysis and the preview keep reading the user's file.
 */
export async function withEditingMusic<Media extends { readonly music: MediaReference }>(
  media: Media,
  music: MediaInfo,
  folder: { stagedPath(name: string): string; readonly dir: string },
  sharedDir: string | undefined,
  token?: CancellationToken,
): Promise<Media> {
  const copy = await writeMusicEditingCopy(music, sharedDir ? { shared: sharedDir } : { staged: { stagedPath: (name) => folder.stagedPath(name), finalDir: folder.dir } }, token);
  return copy ? { ...media, music: { ...media.music, path: copy.path, name: copy.name } } : media;
}

/** The editing codecs `--transcode` writes: ProRes 422 HQ or DNxHR HQ, in QuickTime, with PCM sound. */
export type EditingCodec = 'prores' | 'dnxhr';
export const EDITING_CODECS = ['prores', 'dnxhr'] as const satisfies readonly EditingCodec[];

const EDITING_VIDEO_ARGS: Readonly<Record<EditingCodec, readonly string[]>> = {
  prores: ['-c:v', 'prores_ks', '-profile:v', '3', '-vendor', 'apl0', '-pix_fmt', 'yuv422p10le'],
  dnxhr: ['-c:v', 'dnxhd', '-profile:v', 'dnxhr_hq', '-pix_fmt', 'yuv422p'],
};

/**
 * Movies the targets of `formats` cannot import: without `transcode`, a notice each (AM_ERR_MEDIA_NOT_IMPORTABLE,
 * listed in report.txt and plan.json, the timelines unchanged); with it, an editing copy of each (every frame, at
 * the source's rate: `-vsync passthrough`, which ffmpeg 4 and 7 both read) that the timelines refer to instead. The user's files are untouched.
 */
export async function withEditingMovies<Media extends { readonly movie: MediaReference; readonly sources?: readonly MediaReference[] }>(
  media: Media,
  movies: readonly MediaInfo[],
  formats: readonly string[],
  folder: { stagedPath(name: string): string; readonly dir: string },
  options: { readonly sharedDir?: string; readonly transcode?: EditingCodec },
  token?: CancellationToken,
): Promise<{ media: Media; diagnostics: Diagnostic[] }> {
  const notices = movieImportNotices(movies, formats);
  if (notices.length === 0) return { media, diagnostics: [] };
  if (!options.transcode) {
    return { media, diagnostics: notices.map((notice) => ({ code: 'AM_ERR_MEDIA_NOT_IMPORTABLE', message: notice.message, where: { file: notice.path } })) };
  }
  const copies = new Map<string, EditingCopy>();
  for (const notice of notices) {
    const source = resolve(notice.path);
    const base = basename(source, extname(source)).replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '').slice(0, 80) || 'movie';
    const args = (out: string) => ['-nostdin', '-v', 'error', '-y', '-i', source, '-map', '0:v:0', '-map', '0:a:0?', '-vsync', 'passthrough', ...EDITING_VIDEO_ARGS[options.transcode!], '-c:a', 'pcm_s16le', '-f', 'mov', out];
    let copy: EditingCopy;
    if (options.sharedDir) {
      const info = await stat(source);
      const name = `${base}-${createHash('sha256').update(`${source}\0${info.size}\0${info.mtimeMs}\0${options.transcode}`).digest('hex').slice(0, 12)}.mov`;
      const path = join(resolve(options.sharedDir), name);
      if (!(await stat(path).then((s) => s.isFile() && s.size > 0, () => false))) {
        await mkdir(options.sharedDir, { recursive: true });
        const partial = `${path}.partial-${process.pid}-${Date.now()}`;
        try {
          await ffmpegCopy(source, args(partial), token);
          await rename(partial, path);
        } catch (error) {
          await rm(partial, { force: true });
          throw error;
        }
      }
      copy = { path, name, codec: options.transcode };
    } else {
      const name = `${base}.${options.transcode}.mov`;
      await ffmpegCopy(source, args(folder.stagedPath(name)), token);
      copy = { path: join(resolve(folder.dir), name), name, codec: options.transcode };
    }
    copies.set(source, copy);
  }
  const swap = (reference: MediaReference): MediaReference => {
    const copy = copies.get(resolve(reference.path));
    return copy ? { ...reference, path: copy.path, name: copy.name } : reference;
  };
  return { media: { ...media, movie: swap(media.movie), ...(media.sources ? { sources: media.sources.map(swap) } : {}) }, diagnostics: [] };
}

async function ffmpegCopy(source: string, args: readonly string[], token?: CancellationToken): Promise<void> {
  try {
    await run(ffmpegPath(), args, { timeoutMs: 60 * 60_000, ...(token ? { token } : {}) });
  } catch (error) {
    if (error instanceof MontageError && error.code !== 'AM_ERR_FFMPEG_FAILED') throw error;
    const reason = error instanceof MontageError ? String(error.details?.['stderr'] ?? error.message) : String(error);
    throw new MontageError('AM_ERR_OUTPUT_WRITE', `Could not write the editing copy of ${source}: ${lastLines(reason, 1)}`, { where: { file: source }, cause: error });
  }
}
