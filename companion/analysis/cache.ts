/**
 * A content-fingerprint cache any analysis stage can use. An entry is one JSON file named after the stage
 * and the input's fingerprint, holding the value and a SHA-256 of its text, written to a temporary name
 * and renamed into place (never half-written). A file that does not parse, names another key or fails its
 * checksum is corrupt: it is removed and reported as a miss, so the caller rebuilds it. Entries are kept by a
 * CacheStore (./cache-store.ts): a folder, which may be one every worker of a queue shares.
 *
 * The fingerprint is the size, the modification time and a hash of 16 sampled 64 KiB blocks (first, last
 * and evenly between), so a 50 GB movie is fingerprinted in milliseconds and any edit that changes size,
 * time or sampled content misses the cache.
 */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { MontageError } from '../core/errors';
import { openRegularFile } from '../media/regular-file';
import { cacheStore, FolderCacheStore } from './cache-store';

const BLOCK_BYTES = 64 * 1024;
const BLOCKS = 16;
const ENTRY_SCHEMA = 'CacheEntry.1';

/** Fingerprints that read at once: each holds a libuv pool thread while it reads, and the pool has four. */
const MAX_CONCURRENT_FINGERPRINTS = 2;
let fingerprintsReading = 0;
const fingerprintsWaiting: (() => void)[] = [];

/** The last fingerprint of each path with the file identity it was read for (bounded; cleared when full). */
const MAX_REMEMBERED_FINGERPRINTS = 4096;
const recentFingerprints = new Map<string, { readonly identity: string; readonly print: string }>();

/** Runs `work` when fewer than MAX_CONCURRENT_FINGERPRINTS others run. */
async function inFingerprintSlot<T>(work: () => Promise<T>): Promise<T> {
  if (fingerprintsReading >= MAX_CONCURRENT_FINGERPRINTS) await new Promise<void>((resolve) => fingerprintsWaiting.push(resolve));
  fingerprintsReading++;
  try {
    return await work();
  } finally {
    fingerprintsReading--;
    fingerprintsWaiting.shift()?.();
  }
}

/**
 * Size + mtime + hash of sampled blocks, as a hex string (40 characters). The file is opened without blocking
 * and must be a regular file (AM_ERR_MEDIA_NOT_A_FILE otherwise: a FIFO swapped in after a job was accepted
 * would block the read for ever); size and time come from the open handle, so they describe what is read.
 */
export async function fingerprint(path: string): Promise<string> {
  // Every cache of one file (movie, pool, each emotion encoder) asks for its fingerprint: the blocks are read
  // once while the file's identity, size and times (ctime changes on any write) stay the same. A file seen
  // before is checked with one stat, outside the reading slots (no open, fstat and close for each cache).
  const known = recentFingerprints.get(path);
  if (known) {
    const info = await stat(path).catch(() => undefined);
    if (info?.isFile() && identityOf(info) === known.identity) return known.print;
  }
  return inFingerprintSlot(async () => {
    const { handle, info } = await openRegularFile(path);
    try {
      const identity = identityOf(info);
      const known = recentFingerprints.get(path);
      if (known?.identity === identity) return known.print;
      const hash = createHash('sha256');
      hash.update(`${info.size}:${Math.round(info.mtimeMs)}`);
      const buffer = Buffer.alloc(BLOCK_BYTES);
      const positions = new Set<number>();
      for (let i = 0; i < BLOCKS; i++) positions.add(Math.max(0, Math.floor(((info.size - BLOCK_BYTES) * i) / (BLOCKS - 1))));
      for (const position of [...positions].sort((a, b) => a - b)) {
        const { bytesRead } = await handle.read(buffer, 0, BLOCK_BYTES, position);
        hash.update(buffer.subarray(0, bytesRead));
      }
      const print = hash.digest('hex').slice(0, 40);
      if (recentFingerprints.size >= MAX_REMEMBERED_FINGERPRINTS) recentFingerprints.clear();
      recentFingerprints.set(path, { identity, print });
      return print;
    } finally {
      await handle.close();
    }
  });
}

/** What says a file is still the one fingerprinted: device, inode, size, modification and change times. */
function identityOf(info: Stats): string {
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
}

/** A short key part for settings that change a cached result: SHA-256 of their JSON, 16 hex characters. */
export function settingsHash(settings: unknown): string {
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 16);
}

/** What a read found: a hit, a miss, or a corrupt entry that was removed (treat as a miss). */
export type CacheLookup<T> = { readonly status: 'hit'; readonly value: T } | { readonly status: 'miss' } | { readonly status: 'corrupt'; readonly reason: string };

interface CacheEntry {
  readonly schema: typeof ENTRY_SCHEMA;
  readonly key: string;
  readonly sha256: string;
  readonly payload: string;
}

/** The file an entry lives in. Keys are made of [a-zA-Z0-9._-] (others are replaced). */
export function cachePath(dir: string, key: string): string {
  return new FolderCacheStore(dir).path(key);
}

/**
 * Reads an entry. `validate` may reject a parsed value of the wrong shape (then the entry counts as
 * corrupt). A corrupt entry is deleted.
 */
export async function readCache<T>(dir: string, key: string, validate?: (value: unknown) => value is T): Promise<CacheLookup<T>> {
  const store = cacheStore(dir);
  const text = await store.get(key);
  if (text === undefined) return { status: 'miss' };
  const corrupt = async (reason: string): Promise<CacheLookup<T>> => {
    await store.delete(key);
    return { status: 'corrupt', reason };
  };
  let entry: CacheEntry;
  try {
    entry = JSON.parse(text) as CacheEntry;
  } catch {
    return corrupt('not JSON');
  }
  if (!entry || entry.schema !== ENTRY_SCHEMA || entry.key !== key || typeof entry.payload !== 'string') return corrupt('not a cache entry for this key');
  if (createHash('sha256').update(entry.payload).digest('hex') !== entry.sha256) return corrupt('checksum mismatch');
  let value: unknown;
  try {
    value = JSON.parse(entry.payload);
  } catch {
    return corrupt('payload is not JSON');
  }
  if (validate && !validate(value)) return corrupt('payload has the wrong shape');
  return { status: 'hit', value: value as T };
}

/** Writes an entry atomically (the store's put: for a folder, a temporary file in it, then rename). */
export async function writeCache(dir: string, key: string, value: unknown): Promise<void> {
  const payload = JSON.stringify(value);
  const entry: CacheEntry = { schema: ENTRY_SCHEMA, key, sha256: createHash('sha256').update(payload).digest('hex'), payload };
  try {
    await cacheStore(dir).put(key, JSON.stringify(entry));
  } catch (error) {
    const file = cachePath(dir, key);
    throw new MontageError('AM_ERR_OUTPUT_WRITE', `Cannot write the cache entry ${file}: ${error instanceof Error ? error.message : String(error)}`, { where: { file }, cause: error });
  }
}
