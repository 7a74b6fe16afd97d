/**
 * Opening a file the user named (or the companion serves) without ever blocking: `open()` on a FIFO waits for
 * a writer, and it does so on one of libuv's four pool threads, so four such opens would stall every other
 * file operation of the process. We open with O_NONBLOCK (a FIFO then opens at once), `fstat` the handle, and
 * refuse anything that is not a regular file. O_NONBLOCK has no effect on reads of regular files.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { MontageError, type ErrorLocation } from '../core/errors';

export interface OpenedFile {
  readonly handle: FileHandle;
  readonly info: Stats;
}

export interface OpenRegularFileOptions {
  /** Refuse a symbolic link as the last path component (O_NOFOLLOW; a no-op where the OS lacks it). */
  readonly noFollow?: boolean;
  /** Where to report a problem (default: the file). */
  readonly where?: ErrorLocation;
}

/**
 * Opens `path` read-only and checks, on the open handle, that it is a regular file. Throws
 * AM_ERR_FILE_NOT_FOUND (missing), AM_ERR_MEDIA_UNREADABLE (no permission), AM_ERR_MEDIA_NOT_A_FILE
 * (a FIFO, device, socket, folder, or with `noFollow` a symbolic link). The caller closes the handle.
 */
export async function openRegularFile(path: string, options: OpenRegularFileOptions = {}): Promise<OpenedFile> {
  const where = options.where ?? { file: path };
  const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (options.noFollow ? (constants.O_NOFOLLOW ?? 0) : 0);
  let handle: FileHandle;
  try {
    handle = await open(path, flags);
  } catch (cause) {
    throw openError(path, where, cause as NodeJS.ErrnoException);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw notAFile(path, where, describeFileType(info));
    return { handle, info };
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
}

function openError(path: string, where: ErrorLocation, cause: NodeJS.ErrnoException): MontageError {
  switch (cause.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new MontageError('AM_ERR_FILE_NOT_FOUND', `${path} does not exist.`, { where, cause });
    case 'EACCES':
    case 'EPERM':
      return new MontageError('AM_ERR_MEDIA_UNREADABLE', `${path} cannot be read: permission denied.`, { where, cause });
    case 'ELOOP':
      return notAFile(path, where, 'a symbolic link', cause);
    case 'EISDIR':
      return notAFile(path, where, 'a folder', cause);
    case 'ENXIO':
      return notAFile(path, where, 'a socket or device', cause);
    default:
      return new MontageError('AM_ERR_MEDIA_UNREADABLE', `${path} cannot be opened: ${cause.message}`, { where, cause });
  }
}

function notAFile(path: string, where: ErrorLocation, what: string, cause?: unknown): MontageError {
  return new MontageError('AM_ERR_MEDIA_NOT_A_FILE', `${path} is ${what}, not a regular file.`, { where, ...(cause === undefined ? {} : { cause }) });
}

/** What a non-regular file is, for the message. */
export function describeFileType(info: Stats): string {
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isDirectory()) return 'a folder';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSymbolicLink()) return 'a symbolic link';
  return 'something other than a file';
}
