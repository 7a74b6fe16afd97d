/**
 * The retention policy for job folders: finished (and interrupted) jobs older than `maxAgeDays` are removed,
 * then the oldest ones until all job folders together fit in `maxTotalMegabytes`. Running and queued jobs live
 * in `.work-*` folders, which are never candidates, and the size limit never removes the newest finished job,
 * so the result a client was just sent stays downloadable. Set in `<configDir>/server.json` (see ./config.ts).
 */
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface RetentionPolicy {
  /** Job folders older than this many days are removed (fractions allowed). */
  readonly maxAgeDays: number;
  /** All job folders together are kept under this many megabytes (MiB), oldest removed first. */
  readonly maxTotalMegabytes: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { maxAgeDays: 30, maxTotalMegabytes: 2048 };

interface JobFolder {
  readonly id: string;
  readonly bytes: number;
  readonly modifiedMs: number;
}

/**
 * Removes job folders of `jobsDir` the policy does not keep. `jobIds` filters the folder names that are job
 * folders; `keep` names jobs that must stay whatever their age (live ones). Returns the removed ids.
 */
export async function pruneJobFolders(jobsDir: string, policy: RetentionPolicy, isJobId: (name: string) => boolean, keep: ReadonlySet<string> = new Set(), now = Date.now()): Promise<string[]> {
  const folders: JobFolder[] = [];
  for (const name of await readdir(jobsDir)) {
    if (!isJobId(name)) continue;
    const info = await lstat(join(jobsDir, name)).catch(() => undefined);
    if (!info?.isDirectory()) continue;
    folders.push({ id: name, bytes: await folderBytes(join(jobsDir, name)), modifiedMs: info.mtimeMs });
  }
  folders.sort((a, b) => b.modifiedMs - a.modifiedMs); // newest first
  const maxAgeMs = policy.maxAgeDays * 86_400_000;
  const maxBytes = policy.maxTotalMegabytes * 1_048_576;
  const removed: string[] = [];
  let keptBytes = 0;
  for (const [index, folder] of folders.entries()) {
    const tooOld = now - folder.modifiedMs > maxAgeMs;
    const tooBig = keptBytes + folder.bytes > maxBytes;
    if (!keep.has(folder.id) && (tooOld || (tooBig && index > 0))) {
      await rm(join(jobsDir, folder.id), { recursive: true, force: true });
      removed.push(folder.id);
    } else {
      keptBytes += folder.bytes;
    }
  }
  return removed;
}

/** Bytes of the files below `dir` (links counted as themselves, never followed). */
async function folderBytes(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) bytes += await folderBytes(path);
    else bytes += (await lstat(path).catch(() => undefined))?.size ?? 0;
  }
  return bytes;
}
