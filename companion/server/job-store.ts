/**
 * Job folders on disk, so results and analyses survive a restart:
 *   <dataDir>/jobs/<jobId>/job.json        what was asked (Job.1)
 *   <dataDir>/jobs/<jobId>/result.json     what came out (JobResult.1), without URLs (they depend on port/token)
 *   <dataDir>/jobs/<jobId>/analysis.json   the analysis a resolve reuses (analyse and montage jobs)
 *   <dataDir>/jobs/<jobId>/files/…         the output files, served over HTTP
 *   <dataDir>/cache/                        the pipeline's analysis cache
 * An accepted job works in <dataDir>/jobs/.work-<jobId>/ (its job.json says what it is while it runs); only a
 * finished job's folder is renamed into place, so a job folder is always complete. Cancelled and failed jobs
 * leave nothing. A work folder found at start belongs to a job the companion was killed under: it becomes
 *   <dataDir>/jobs/<jobId>/failure.json    the job failed with AM_ERR_INTERRUPTED (JobFailure.1)
 * and its partial output is removed. Everything is private to the user: folders 0700, files 0600 (also
 * fixed on existing ones at start). Old job folders are removed by the retention policy (./retention.ts).
 */
import { chmod, lstat, mkdir, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { MontageError, type ErrorData } from '../core/errors';
import { openRegularFile, type OpenedFile } from '../media/regular-file';
import type { AnalysisSummary, ArtifactFile, JobKind } from '../protocol/messages';
import { pruneJobFolders, type RetentionPolicy } from './retention';
import type { JobRequest, MontageOutput } from './run-job';

/** Job ids: lowercase letters, digits and dashes, so they are safe as folder names and in URLs. */
export const JOB_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** Output file names: no separators, no leading dot, no "..". */
export const FILE_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._ -]{0,199}$/;

const WORK_PREFIX = '.work-';

export interface StoredJob {
  readonly schema: 'Job.1';
  readonly jobId: string;
  readonly kind: JobKind;
  readonly request: JobRequest;
  readonly createdAt: string;
  readonly finishedAt: string;
  /** The job whose analysis.json holds this job's analysis (itself unless it is a resolve). */
  readonly analysisJobId: string;
}

/** An output file as result.json records it: an ArtifactFile without its URL. */
export type StoredFile = Omit<ArtifactFile, 'url'>;

export interface StoredResult {
  readonly schema: 'JobResult.1';
  readonly kind: JobKind;
  readonly sourceJobId?: string;
  readonly elapsedMs: number;
  readonly analysis: AnalysisSummary;
  readonly montage?: Omit<MontageOutput, 'files'> & { readonly files: readonly StoredFile[] };
}

/** What a work folder's job.json says while the job is queued or running. */
export interface PendingJob {
  readonly schema: 'PendingJob.1';
  readonly jobId: string;
  readonly kind: JobKind;
  readonly createdAt: string;
}

/** A job that ended without a result and whose end must survive a restart (today: AM_ERR_INTERRUPTED). */
export interface StoredFailure {
  readonly schema: 'JobFailure.1';
  readonly jobId: string;
  readonly kind: JobKind;
  readonly createdAt: string;
  readonly failedAt: string;
  readonly error: ErrorData;
}

/** Modes of everything the store creates: only the user may read job records, previews and the cache. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

export class JobStore {
  readonly jobsDir: string;
  readonly cacheDir: string;

  constructor(readonly dataDir: string) {
    this.jobsDir = join(dataDir, 'jobs');
    this.cacheDir = join(dataDir, 'cache');
  }

  /**
   * Creates the folders, makes the data folder private (0700/0600, also what earlier versions left 0755/0644),
   * and turns work folders a crash left behind into AM_ERR_INTERRUPTED failures.
   */
  async init(): Promise<void> {
    await mkdir(this.jobsDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    await mkdir(this.cacheDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    // The data folder may be one the user named (--data): only our own sub-folders are walked.
    await chmod(this.dataDir, PRIVATE_DIR_MODE);
    await makePrivate(this.jobsDir);
    await makePrivate(this.cacheDir);
    for (const name of await readdir(this.jobsDir)) {
      if (!name.startsWith(WORK_PREFIX)) continue;
      const dir = join(this.jobsDir, name);
      const pending = await readJson<PendingJob>(join(dir, 'job.json'));
      await rm(dir, { recursive: true, force: true });
      const jobId = name.slice(WORK_PREFIX.length);
      if (pending?.schema === 'PendingJob.1' && pending.jobId === jobId && JOB_ID_PATTERN.test(jobId)) await this.recordInterrupted(pending);
    }
  }

  private async recordInterrupted(pending: PendingJob): Promise<void> {
    const failure: StoredFailure = {
      schema: 'JobFailure.1',
      jobId: pending.jobId,
      kind: pending.kind,
      createdAt: pending.createdAt,
      failedAt: new Date().toISOString(),
      error: new MontageError('AM_ERR_INTERRUPTED', `Job ${pending.jobId} was ${pending.kind === 'resolve' ? 're-solving' : 'running or queued'} when the companion stopped; start it again.`).toJSON(),
    };
    const dir = this.jobDir(pending.jobId);
    await mkdir(dir, { mode: PRIVATE_DIR_MODE });
    await writeFile(join(dir, 'failure.json'), JSON.stringify(failure), { mode: PRIVATE_FILE_MODE });
  }

  workDir(jobId: string): string {
    return join(this.jobsDir, `${WORK_PREFIX}${checkId(jobId)}`);
  }

  /** Where a running job writes its output files. */
  workFilesDir(jobId: string): string {
    return join(this.workDir(jobId), 'files');
  }

  jobDir(jobId: string): string {
    return join(this.jobsDir, checkId(jobId));
  }

  /**
   * Creates a job's private work folder and returns its files/ folder. With `pending`, the job's kind is
   * recorded there, so a restart after a crash can report it as interrupted.
   */
  async createWork(jobId: string, pending?: Omit<PendingJob, 'schema' | 'jobId'>): Promise<string> {
    const dir = this.workDir(jobId);
    await rm(dir, { recursive: true, force: true });
    await mkdir(join(dir, 'files'), { recursive: true, mode: PRIVATE_DIR_MODE });
    if (pending) await writeFile(join(dir, 'job.json'), JSON.stringify({ schema: 'PendingJob.1', jobId, ...pending } satisfies PendingJob), { mode: PRIVATE_FILE_MODE });
    return join(dir, 'files');
  }

  /**
   * Checks the output files a run listed (each must be a plain file directly inside files/), records their
   * sizes, writes the job's records, and renames the work folder into place in one step.
   */
  async publish(job: StoredJob, result: Omit<StoredResult, 'montage'> & { montage?: MontageOutput }, analysisData: unknown): Promise<StoredResult> {
    const work = this.workDir(job.jobId);
    let montage: StoredResult['montage'];
    if (result.montage) {
      const files: StoredFile[] = [];
      for (const file of result.montage.files) {
        if (!FILE_NAME_PATTERN.test(file.name) || file.name.includes('..')) {
          throw new MontageError('AM_ERR_OUTPUT_WRITE', `The job listed an output file with a forbidden name: ${JSON.stringify(file.name)}.`, { where: { file: file.name } });
        }
        const info = await lstat(join(work, 'files', file.name)).catch(() => undefined);
        if (!info?.isFile()) {
          throw new MontageError('AM_ERR_OUTPUT_WRITE', `The job listed ${file.name} but did not write it as a plain file.`, { where: { file: file.name } });
        }
        files.push({ name: file.name, format: file.format, sizeBytes: info.size });
      }
      if (result.montage.preview !== null && !files.some((file) => file.name === result.montage?.preview)) {
        throw new MontageError('AM_ERR_OUTPUT_WRITE', `The preview ${result.montage.preview} is not among the job's files.`);
      }
      montage = { ...result.montage, files };
    }
    const { montage: _listed, ...rest } = result;
    const stored: StoredResult = { ...rest, schema: 'JobResult.1', ...(montage ? { montage } : {}) };
    const record = { encoding: 'utf8', mode: PRIVATE_FILE_MODE } as const;
    if (analysisData !== undefined) await writeFile(join(work, 'analysis.json'), stringifyData(analysisData), record);
    await writeFile(join(work, 'result.json'), JSON.stringify(stored), record);
    await writeFile(join(work, 'job.json'), JSON.stringify(job, null, 2), record);
    // The pipeline's files (exporters, ffmpeg) are created with the process umask.
    await makePrivate(work);
    await rename(work, this.jobDir(job.jobId));
    return stored;
  }

  /** Removes a job's work folder (cancelled or failed). */
  async discard(jobId: string): Promise<void> {
    await rm(this.workDir(jobId), { recursive: true, force: true });
  }

  /** A finished job's records, or undefined when there is no such (complete) job. */
  async load(jobId: string): Promise<{ job: StoredJob; result: StoredResult } | undefined> {
    if (!JOB_ID_PATTERN.test(jobId)) return undefined;
    try {
      const dir = this.jobDir(jobId);
      const job = JSON.parse(await readFile(join(dir, 'job.json'), 'utf8')) as StoredJob;
      const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')) as StoredResult;
      if (job.schema !== 'Job.1' || result.schema !== 'JobResult.1' || job.jobId !== jobId) return undefined;
      return { job, result };
    } catch {
      return undefined;
    }
  }

  /** A job that failed in a way that outlives the process (interrupted by a crash), or undefined. */
  async loadFailure(jobId: string): Promise<StoredFailure | undefined> {
    if (!JOB_ID_PATTERN.test(jobId)) return undefined;
    const failure = await readJson<StoredFailure>(join(this.jobDir(jobId), 'failure.json'));
    return failure?.schema === 'JobFailure.1' && failure.jobId === jobId ? failure : undefined;
  }

  async loadAnalysis(jobId: string): Promise<unknown> {
    const file = join(this.jobDir(jobId), 'analysis.json');
    try {
      return parseData(await readFile(file, 'utf8'));
    } catch (cause) {
      throw new MontageError('AM_ERR_CACHE_CORRUPT', `The analysis of job ${jobId} is missing or unreadable; run the montage again.`, { where: { file }, cause });
    }
  }

  /**
   * Opens an output file of a finished job for serving. Refuses (AM_ERR_PATH_FORBIDDEN) names that are not
   * plain file names, files the job's result does not list, a `files/` folder that is a link, the file itself
   * when it is a symbolic link (opened with O_NOFOLLOW) or has other hard links, and anything whose real path
   * leaves the job's folder. What is checked is the open handle, so the file cannot be swapped afterwards.
   * The caller closes the handle.
   */
  async openArtifact(jobId: string, name: string, listed: readonly StoredFile[]): Promise<OpenedFile> {
    const forbidden = (why: string) => new MontageError('AM_ERR_PATH_FORBIDDEN', `Refused to serve ${JSON.stringify(name)} of job ${jobId}: ${why}.`, { where: { file: name } });
    if (!JOB_ID_PATTERN.test(jobId)) throw forbidden('not a job id');
    if (!FILE_NAME_PATTERN.test(name) || name.includes('..')) throw forbidden('not a plain file name');
    if (!listed.some((file) => file.name === name)) throw forbidden('not an output of this job');
    const jobDir = this.jobDir(jobId);
    const filesDir = join(jobDir, 'files');
    const folder = await lstat(filesDir).catch(() => undefined);
    if (!folder) throw new MontageError('AM_ERR_FILE_NOT_FOUND', `Job ${jobId} has no file ${name} any more.`, { where: { file: name } });
    if (!folder.isDirectory()) throw forbidden('its files folder is a link, not a folder');
    let opened: OpenedFile;
    try {
      opened = await openRegularFile(join(filesDir, name), { noFollow: true, where: { file: name } });
    } catch (error) {
      if (error instanceof MontageError && error.code === 'AM_ERR_FILE_NOT_FOUND') throw new MontageError('AM_ERR_FILE_NOT_FOUND', `Job ${jobId} has no file ${name} any more.`, { where: { file: name } });
      throw forbidden('not a plain file (a link, a folder or a device)');
    }
    try {
      if (opened.info.nlink !== 1) throw forbidden(`it has ${opened.info.nlink - 1} other hard link(s)`);
      const [realFile, realRoot] = await Promise.all([realpath(join(filesDir, name)), realpath(jobDir)]);
      if (!realFile.startsWith(realRoot + sep)) throw forbidden('it lies outside the job folder');
      const atPath = await stat(realFile);
      if (atPath.ino !== opened.info.ino || atPath.dev !== opened.info.dev) throw forbidden('it changed while being opened');
      return opened;
    } catch (error) {
      await opened.handle.close().catch(() => {});
      throw error;
    }
  }

  /** Applies the retention policy to the job folders; `keep` names live jobs. Returns the removed ids. */
  async prune(policy: RetentionPolicy, keep: ReadonlySet<string> = new Set()): Promise<string[]> {
    return pruneJobFolders(this.jobsDir, policy, (name) => JOB_ID_PATTERN.test(name), keep);
  }

  /** Ids of the finished jobs on disk. */
  async list(): Promise<string[]> {
    return (await readdir(this.jobsDir)).filter((name) => JOB_ID_PATTERN.test(name));
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Sets 0700 on `dir` and every folder below it and 0600 on every file; links are left alone (never followed). */
export async function makePrivate(dir: string): Promise<void> {
  await chmod(dir, PRIVATE_DIR_MODE).catch(ignoreVanished);
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makePrivate(path);
    else if (entry.isFile()) await chmod(path, PRIVATE_FILE_MODE).catch(ignoreVanished);
  }
}

/** A file removed while we walk (a job pruned, a cache entry replaced) is not an error. */
function ignoreVanished(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}

function checkId(jobId: string): string {
  if (!JOB_ID_PATTERN.test(jobId)) throw new MontageError('AM_ERR_JOB_NOT_FOUND', `${JSON.stringify(jobId)} is not a job id.`, { where: { field: 'jobId' } });
  return jobId;
}

type TypedArray = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array | Int16Array | Uint16Array;
const TYPED: Record<string, new (values: number[]) => TypedArray> = { Float32Array, Float64Array, Int32Array, Uint32Array, Uint8Array, Int16Array, Uint16Array };

/** JSON with typed arrays tagged as {"$typed": "Float32Array", "values": […]} (exact for every element type). */
export function stringifyData(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (ArrayBuffer.isView(item) && !(item instanceof DataView)) {
      const name = item.constructor.name;
      if (name in TYPED) return { $typed: name, values: Array.from(item as TypedArray) };
    }
    return item;
  });
}

export function parseData(text: string): unknown {
  return JSON.parse(text, (_key, item: unknown) => {
    if (item && typeof item === 'object' && '$typed' in item && 'values' in item) {
      const { $typed, values } = item as { $typed: string; values: number[] };
      const constructor = TYPED[$typed];
      if (constructor && Array.isArray(values)) return new constructor(values);
    }
    return item;
  });
}
