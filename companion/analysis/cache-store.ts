/**
 * Where analysis cache entries live. The cache (./cache.ts) names entries by key and checks their contents;
 * a CacheStore only keeps whole texts under keys, so one machine's folder, a folder every worker mounts
 * (NFS, SMB) and, later, an S3-compatible bucket are the same three calls:
 *   get: the text last put under a key, or undefined; never part of one (a reader sees the old text or the new)
 *   put: stores a text whole or not at all
 *   delete: removes a key (no error when there is none)
 * These map one to one onto GetObject, PutObject (atomic per object) and DeleteObject. Nothing lists or
 * locks: two workers that analyse the same file both put the same result, and either one wins.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface CacheStore {
  /** Where the entries are, for messages (a folder path, later a URL). */
  readonly location: string;
  /** The text stored under `key`, or undefined when there is none (or it cannot be read). */
  get(key: string): Promise<string | undefined>;
  /** Stores `text` under `key` atomically. Throws when it cannot be stored. */
  put(key: string, text: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Temporary files older than this were left by a process that died mid-write (kill -9, power loss). */
const STALE_TEMPORARY_MS = 10 * 60_000;
const TEMPORARY_SUFFIX = '.tmp';

/**
 * A folder of `<key>.json` files. A put writes a temporary file in the same folder, flushes it to disk and
 * renames it into place: rename is atomic on one file system (local, NFS, SMB), so a reader on any machine
 * sees the whole old file or the whole new one. A writer killed mid-put leaves only a temporary file, which
 * no reader opens; the first put in a folder sweeps those older than ten minutes.
 */
export class FolderCacheStore implements CacheStore {
  private swept = false;

  constructor(readonly location: string) {}

  /** The file an entry lives in. Keys are made of [a-zA-Z0-9._-] (others are replaced). */
  path(key: string): string {
    return join(this.location, `${key.replace(/[^a-zA-Z0-9._-]/g, '_')}.json`);
  }

  async get(key: string): Promise<string | undefined> {
    try {
      return await readFile(this.path(key), 'utf8');
    } catch {
      return undefined;
    }
  }

  async put(key: string, text: string): Promise<void> {
    const file = this.path(key);
    const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}${TEMPORARY_SUFFIX}`;
    try {
      // Private to the user, as the rest of the data folder: entries describe the user's films.
      await mkdir(this.location, { recursive: true, mode: 0o700 });
      const handle = await open(temporary, 'wx', 0o600);
      try {
        await handle.writeFile(text);
        await handle.sync(); // on disk before the rename makes it visible: a power loss leaves no empty entry
      } finally {
        await handle.close();
      }
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => {});
      throw error;
    }
    if (!this.swept) {
      this.swept = true;
      await this.sweep().catch(() => {});
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  /** Removes temporary files a dead writer left (only old ones: a live writer on another machine may own a new one). */
  private async sweep(): Promise<void> {
    const now = Date.now();
    for (const name of await readdir(this.location)) {
      if (!name.endsWith(TEMPORARY_SUFFIX)) continue;
      const path = join(this.location, name);
      const info = await stat(path).catch(() => undefined);
      if (info && now - info.mtimeMs > STALE_TEMPORARY_MS) await rm(path, { force: true }).catch(() => {});
    }
  }
}

const stores = new Map<string, CacheStore>();

/**
 * The store for a cache location as the options name it (`--cache DIR`, a job's cacheDir). Today every
 * location is a folder; an `s3://bucket/prefix` location would return an S3 store here, and nothing else
 * in the analysis changes.
 */
export function cacheStore(location: string): CacheStore {
  let store = stores.get(location);
  if (!store) {
    store = new FolderCacheStore(location);
    stores.set(location, store);
  }
  return store;
}
