/**
 * Where the companion keeps its things, and its access token.
 *   config: $XDG_CONFIG_HOME/auto-montage (default ~/.config/auto-montage): `token` (mode 0600)
 *   data:   $XDG_DATA_HOME/auto-montage (default ~/.local/share/auto-montage): jobs/ and cache/
 * The token is created once, at first start, from 32 random bytes, and kept until the user deletes it.
 * `config/server.json` (optional, written by the user) holds settings of the server, today the retention of
 * job folders: {"retention": {"maxAgeDays": 30, "maxTotalMegabytes": 2048}} (docs/protocol.md, "On disk").
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, link, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { MontageError } from '../core/errors';
import type { RetentionPolicy } from './retention';

export const APP_FOLDER = 'auto-montage';
export const TOKEN_FILE = 'token';
export const SERVER_CONFIG_FILE = 'server.json';
/** A token is 64 lowercase hex digits (32 random bytes). */
export const TOKEN_PATTERN = /^[0-9a-f]{64}$/;

/** The user's config folder for the companion (XDG_CONFIG_HOME, else ~/.config). */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, APP_FOLDER);
}

/** The user's data folder for job results and the analysis cache (XDG_DATA_HOME, else ~/.local/share). */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith('/') ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(base, APP_FOLDER);
}

/**
 * Reads the token from `configDir/token`, creating it (and the folder) on first use. Two companions starting
 * at once agree on one token: the file is created exclusively, and the loser reads the winner's.
 */
export async function loadOrCreateToken(configDir: string): Promise<string> {
  const file = join(configDir, TOKEN_FILE);
  const existing = await readToken(file);
  if (existing) return existing;
  await mkdir(configDir, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('hex');
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(`${token}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    // link() fails when the file exists, so a token written by a concurrent start is never replaced.
    await link(temporary, file).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
      if (!(await readToken(file))) await rename(temporary, file); // an unreadable leftover: replace it
    });
  } catch (cause) {
    throw new MontageError('AM_ERR_OUTPUT_WRITE', `Cannot write the companion token to ${file}.`, { where: { file }, cause });
  } finally {
    await rm(temporary, { force: true });
  }
  await chmod(file, 0o600).catch(() => {});
  const stored = await readToken(file);
  if (!stored) throw new MontageError('AM_ERR_OUTPUT_WRITE', `The companion token file ${file} is unreadable; delete it to make a new one.`, { where: { file } });
  return stored;
}

async function readToken(file: string): Promise<string | undefined> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return TOKEN_PATTERN.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

const serverConfigSchema = z.strictObject({
  retention: z
    .strictObject({
      maxAgeDays: z.number().positive().max(36_500).optional(),
      maxTotalMegabytes: z.number().positive().max(1e9).optional(),
    })
    .optional(),
});

/** What `server.json` may set; every field is optional. */
export interface ServerConfig {
  readonly retention?: Partial<RetentionPolicy>;
}

/**
 * Reads `configDir/server.json`; a missing file is an empty config. A file that is not JSON or has an unknown
 * key or a bad value is refused (AM_ERR_INVALID_ARGUMENT naming the file and the key), not ignored.
 */
export async function loadServerConfig(configDir: string): Promise<ServerConfig> {
  const file = join(configDir, SERVER_CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new MontageError('AM_ERR_FILE_NOT_FOUND', `Cannot read the server config ${file}.`, { where: { file }, cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new MontageError('AM_ERR_INVALID_ARGUMENT', `The server config ${file} is not valid JSON.`, { where: { file }, cause });
  }
  const parsed = serverConfigSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = [...issue.path, ...(issue.code === 'unrecognized_keys' ? [issue.keys[0] ?? ''] : [])].join('.');
    throw new MontageError('AM_ERR_INVALID_ARGUMENT', `The server config ${file} has a bad ${field ? `"${field}"` : 'shape'}: ${issue.message}.`, { where: { file, field } });
  }
  return parsed.data as ServerConfig;
}

/** Compares two tokens in time independent of where they differ. */
export function tokensEqual(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  let difference = 0;
  for (let i = 0; i < expected.length; i++) difference |= given.charCodeAt(i) ^ expected.charCodeAt(i);
  return difference === 0;
}

/** The repository (or installed package) root: the nearest folder above this file with our package.json. */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === APP_FOLDER) return dir;
      } catch {
        // not ours; keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return resolve(dirname(from), '..', '..');
    dir = parent;
  }
}

/** The product version from package.json. */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Where the panel helper's build puts the web UI bundle (index.html + assets). */
export function defaultUiDir(): string {
  return join(packageRoot(), 'dist', 'web');
}
