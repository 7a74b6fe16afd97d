/**
 * Where ffmpeg and ffprobe live: FFMPEG_PATH / FFPROBE_PATH when set, else the binaries shipped by
 * @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe. Works with the npm 4.1 build and Debian's 5.x.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
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
    return configured;
  }
  const bundled = fromPackage(packageName);
  if (!bundled) {
    throw new MontageError('AM_ERR_FFMPEG_NOT_FOUND', `No ${tool} found: install ${packageName} (npm ci) or set ${variable}.`, { where: { field: variable } });
  }
  return bundled;
}

export function ffmpegPath(): string {
  return resolveBinary('ffmpeg', 'FFMPEG_PATH', '@ffmpeg-installer/ffmpeg');
}

export function ffprobePath(): string {
  return resolveBinary('ffprobe', 'FFPROBE_PATH', '@ffprobe-installer/ffprobe');
}
