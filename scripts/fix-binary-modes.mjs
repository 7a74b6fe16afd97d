// Install step (run by scripts/build.mjs on `npm ci`): makes the bundled ffmpeg and ffprobe executable by every
// user. @ffprobe-installer/linux-x64 ships its ffprobe as 0744, so any other user of the machine than the one
// who installed got AM_ERR_FFMPEG_NOT_FOUND. Adds r and x for all (chmod a+rx) to files we own; a file owned
// by someone else is left as it is, with a line saying what to run.
// Usage: node scripts/fix-binary-modes.mjs [FILE…]  (default: the two bundled binaries)
import { chmodSync, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The bundled binaries that exist on this platform. */
function bundledBinaries() {
  return ['@ffmpeg-installer/ffmpeg', '@ffprobe-installer/ffprobe'].flatMap((name) => {
    try {
      const { path } = require(name);
      return path && existsSync(path) ? [path] : [];
    } catch {
      return []; // no build for this platform: FFMPEG_PATH / FFPROBE_PATH then say where they are
    }
  });
}

function fixBinaryModes(paths) {
  if (process.platform === 'win32') return;
  for (const path of paths) {
    const { mode, uid } = statSync(path);
    const wanted = mode | 0o555;
    if ((mode & 0o7777) === (wanted & 0o7777)) continue;
    if (process.getuid && uid !== process.getuid() && process.getuid() !== 0) {
      console.warn(`${path} is not executable by every user; its owner can run: chmod a+rx ${path}`);
      continue;
    }
    chmodSync(path, wanted & 0o7777);
  }
}

const args = process.argv.slice(2);
fixBinaryModes(args.length ? args : bundledBinaries());
