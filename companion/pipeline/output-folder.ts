/**
 * Writes a job's outputs all-or-nothing: files go to a hidden staging folder inside the output folder and
 * are renamed into place only when every one is ready. Existing files are never overwritten unless
 * `force`, and an input never, not even with `force` (the same file through a link counts); on failure the
 * staging folder (and an output folder we created) is removed.
 */
import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MontageError } from '../core/errors';

/**
 * Fails with AM_ERR_OUTPUT_EXISTS, naming the file, when writing `names` into `dir` would replace one of
 * `inputs`. Files are compared by device and inode, so a symlink or hardlink to an input is that input too.
 */
export async function assertSparesInputs(dir: string, names: readonly string[], inputs: readonly string[]): Promise<void> {
  const identity = async (path: string) => {
    const info = await stat(path, { bigint: true }).catch(() => undefined);
    return info ? `${info.dev}:${info.ino}` : undefined;
  };
  const inputByIdentity = new Map<string, string>();
  for (const input of inputs) {
    const id = await identity(input);
    if (id) inputByIdentity.set(id, input);
  }
  if (inputByIdentity.size === 0) return;
  for (const name of names) {
    const target = join(dir, name);
    const id = await identity(target);
    const input = id === undefined ? undefined : inputByIdentity.get(id);
    if (input !== undefined) {
      throw new MontageError('AM_ERR_OUTPUT_EXISTS', `The output ${target} is the input ${input}; an input is never overwritten, not even with --force: choose another output folder.`, {
        where: { file: target, field: 'out' },
        details: { input },
      });
    }
  }
}

export class OutputFolder {
  private constructor(
    readonly dir: string,
    private readonly staging: string,
    private readonly createdDir: boolean,
    private readonly force: boolean,
    private readonly inputs: readonly string[],
  ) {}

  /**
   * Opens `dir` for output; fails with AM_ERR_OUTPUT_EXISTS when one of `expectedNames` is already there
   * (unless `force`) or is one of `inputs` (always).
   */
  static async open(dir: string, options: { force: boolean; expectedNames: readonly string[]; inputs?: readonly string[] }): Promise<OutputFolder> {
    let createdDir = false;
    try {
      const info = await stat(dir);
      if (!info.isDirectory()) throw new MontageError('AM_ERR_OUTPUT_WRITE', `The output path ${dir} exists and is not a folder.`, { where: { file: dir, field: 'out' } });
    } catch (error) {
      if (error instanceof MontageError) throw error;
      await mkdir(dir, { recursive: true }).catch((cause: unknown) => {
        throw new MontageError('AM_ERR_OUTPUT_WRITE', `Cannot create the output folder ${dir}.`, { where: { file: dir, field: 'out' }, cause });
      });
      createdDir = true;
    }
    const folder = new OutputFolder(dir, join(dir, `.auto-montage-staging-${process.pid}-${Date.now()}`), createdDir, options.force, options.inputs ?? []);
    await folder.checkFree(options.expectedNames);
    await mkdir(folder.staging);
    return folder;
  }

  private async checkFree(names: readonly string[]): Promise<void> {
    await assertSparesInputs(this.dir, names, this.inputs);
    if (this.force) return;
    const present = new Set(await readdir(this.dir));
    const clashes = names.filter((name) => present.has(name));
    if (clashes.length) {
      throw new MontageError('AM_ERR_OUTPUT_EXISTS', `${clashes.join(', ')} already exist${clashes.length === 1 ? 's' : ''} in ${this.dir}; pass --force to overwrite, or choose another folder.`, {
        where: { file: join(this.dir, clashes[0] ?? ''), field: 'out' },
      });
    }
  }

  /** Where a file is staged before commit. */
  stagedPath(name: string): string {
    return join(this.staging, name);
  }

  async write(name: string, contents: string): Promise<void> {
    await writeFile(this.stagedPath(name), contents, 'utf8');
  }

  /** Moves every staged file into the output folder (checking every name, exporters' included, before the first move). */
  async commit(): Promise<string[]> {
    const names = (await readdir(this.staging)).sort();
    await this.checkFree(names);
    for (const name of names) await rename(join(this.staging, name), join(this.dir, name));
    await rmdir(this.staging);
    return names;
  }

  /** Removes everything this run created. */
  async abort(): Promise<void> {
    await rm(this.staging, { recursive: true, force: true });
    if (this.createdDir) await rmdir(this.dir).catch(() => {}); // only when still empty
  }
}
