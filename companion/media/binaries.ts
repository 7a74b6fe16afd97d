/**
 * Where ffmpeg and ffprobe live: FFMPEG_PATH / FFPROBE_PATH when set, else the binaries shipped by
 * @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe. Works with the npm 4.1 build and Debian's 5.x.
 */
import { createRequire } from 'node:module';
import { accessSync, constants, existsSync } from 'node:fs';
import { MontageError } from '../core/errors';

const require = createRequire(import.meta.url);

function fromPackage(name: string): string | undefined {
  try {
    const found = (require(name) as { path?: string }).path;
    return found && existsSync(found) ? found : undefined;
  } catch {
    return undefined;
  }
}

function resolveBinary(tool: 'ffmpeg' | 'ffprobe', variable: string, packageName: string): string {
  const configured = process.env[variable];
  if (configured) {
    if (!existsSync(configured)) {
      throw new MontageError('AM_ERR_FFMPEG_NOT_FOUND', `${variable} points to ${configured}, which does not exist.`, { where: { file: configured, field: variable } });
    }
    return assertExecutable(configured, variable);
  }
  const bundled = fromPackage(packageName);
  if (!bundled) {
    throw new MontageError('AM_ERR_FFMPEG_NOT_FOUND', `No ${tool} found: install ${packageName} (npm ci) or set ${variable}.`, { where: { field: variable } });
  }
  return assertExecutable(bundled, variable);
}

/**
 * A binary that exists but that this user may not run (the npm ffprobe ships as 0744: only its owner may)
 * gets a message that says so and how to fix it, rather than a bare EACCES from spawn.
 */
function assertExecutable(path: string, variable: string): string {
  if (process.platform === 'win32') return path;
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch (cause) {
    throw new MontageError('AM_ERR_FFMPEG_NOT_FOUND', `${path} is not executable by this user; run chmod a+x ${path} (as its owner), or set ${variable} to another build.`, {
      where: { file: path, field: variable },
      cause,
    });
  }
}

export function ffmpegPath(): string {
  return resolveBinary('ffmpeg', 'FFMPEG_PATH', '@ffmpeg-installer/ffmpeg');
}

export function ffprobePath(): string {
  return resolveBinary('ffprobe', 'FFPROBE_PATH', '@ffprobe-installer/ffprobe');
}
