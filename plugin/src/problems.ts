/**
 * Every failure the panel can meet, said in plain words with what to do about it. The panel never uses
 * alert() (a modal from a panel blocks Premiere's UI); it shows a {@link Problem} inline instead.
 */
import type { ErrorCode } from '../../companion/core/errors';
import { CompanionError } from './companion-client';
import { RequestProblem } from './montage-request';

export interface Problem {
  /** What went wrong, one sentence. */
  readonly title: string;
  /** The server's or host's own words, when they add something. */
  readonly detail?: string;
  /** What to do, one or two sentences. */
  readonly fix: string;
  /** The catalogue code (docs/errors.md), when the companion sent one. */
  readonly code?: string;
}

/** How to start the companion, shown whenever it is not reachable. */
export const START_COMPANION_FIX =
  'Start the companion in a terminal with "npx auto-montage serve" (or "npm start" in the auto-montage folder). The first time, type the pairing code it prints above and press Connect.';

/** What to do when the host refuses to open the address (UXP: manifest.json's network.domains). */
export const PERMISSION_FIX =
  'The panel may only open the addresses its manifest.json lists under requiredPermissions.network.domains (ws://127.0.0.1:7391 and ws://localhost:7391). Use one of them, or add yours (for example ws://127.0.0.1:8000) to manifest.json, rebuild and reload the panel.';

/** What to do when the companion refuses the panel's Origin. */
export const ORIGIN_FIX =
  'The companion accepts the Premiere panel (uxp:), its own web page and local tools. Update the panel and the companion to the same release; for another page, start the companion with that origin allowed.';

const FIXES: Partial<Record<ErrorCode, { title: string; fix: string }>> = {
  AM_ERR_UNAUTHORIZED: { title: 'The companion refused the pairing code or the token.', fix: 'Type the pairing code "auto-montage serve" printed last (each code works once; it prints the next), or paste the token it printed, and press Connect.' },
  AM_ERR_FORBIDDEN_ORIGIN: { title: 'The companion refused this page or panel as a foreign origin.', fix: ORIGIN_FIX },
  AM_ERR_PROTOCOL_VERSION: { title: 'The panel and the companion speak different protocol versions.', fix: 'Update the panel and the companion to the same release.' },
  AM_ERR_FILE_NOT_FOUND: { title: 'A media file could not be found.', fix: 'Check the path. The companion reads the files itself, so it must run on the same computer (and see the same drives) as the media.' },
  AM_ERR_MEDIA_UNREADABLE: { title: 'A file could not be read as media.', fix: 'Check that the file plays in a media player; re-export or transcode it (for example to H.264 MP4 or WAV) and try again.' },
  AM_ERR_NO_VIDEO_STREAM: { title: 'The movie file has no video.', fix: 'Choose a clip with picture on the video track.' },
  AM_ERR_NO_AUDIO_STREAM: { title: 'The music file has no sound.', fix: 'Choose an audio clip or a music file with an audio stream.' },
  AM_ERR_MUSIC_TOO_SHORT: { title: 'The music is shorter than one bar.', fix: 'Choose a longer piece of music, or widen the sequence In/Out.' },
  AM_ERR_TOO_FEW_SHOTS: { title: 'The movie has too few usable shots to fill the music.', fix: 'Use a longer part of the movie, shorter music, Cuts: Auto, or If it can’t fit: Relax automatically.' },
  AM_ERR_NO_EXACT_FILL: { title: 'No choice of shots fills the music exactly.', fix: 'Raise the scene count, switch to Soft scenes, use a finer cut granularity, choose If it can’t fit: Relax automatically, or release some kept shots.' },
  AM_ERR_PLAN_CONSTRAINTS: { title: 'The kept and dropped shots contradict each other.', fix: 'Release some kept shots (they may be longer than the music together), then re-solve.' },
  AM_ERR_FFMPEG_NOT_FOUND: { title: 'The companion cannot find ffmpeg.', fix: 'Reinstall the companion (npm install) or set FFMPEG_PATH and FFPROBE_PATH before "auto-montage serve".' },
  AM_ERR_FFMPEG_FAILED: { title: 'ffmpeg failed on one of the files.', fix: 'Check that the files play; the companion log has ffmpeg\'s own message.' },
  AM_ERR_PROCESS_TIMEOUT: { title: 'The analysis took too long and was stopped.', fix: 'Use a shorter part of the movie (set the clip in/out), then try again.' },
  AM_ERR_QUEUE_FULL: { title: 'The companion is busy with other jobs.', fix: 'Wait for them to finish, then try again.' },
  AM_ERR_JOB_NOT_FOUND: { title: 'The companion no longer has this montage.', fix: 'Press Auto-montage to make a new one.' },
  AM_ERR_PROTOCOL_RATE_LIMITED: { title: 'Too many requests in a short time.', fix: 'Wait a second and try again.' },
  AM_ERR_OUTPUT_WRITE: { title: 'The companion could not write its output files.', fix: 'Check free disk space and the permissions of the companion\'s data folder.' },
  AM_ERR_INTERNAL: { title: 'The companion hit an internal error.', fix: 'Try again; if it happens again, report it with the companion log.' },
};

/** Turns anything thrown into a Problem. `companionUrl` names the address in "not running" messages. */
export function describeProblem(error: unknown, companionUrl: string): Problem {
  if (error instanceof RequestProblem) return { title: error.message, fix: error.fix };
  if (error instanceof CompanionError) {
    switch (error.kind) {
      case 'unreachable':
        return { title: `The companion is not running at ${companionUrl}.`, detail: error.message, fix: START_COMPANION_FIX };
      case 'timeout':
        return { title: `The companion at ${companionUrl} did not answer.`, detail: error.message, fix: `Check that the terminal running "auto-montage serve" is not paused or busy, then press Connect. ${START_COMPANION_FIX}` };
      case 'permission':
        return { title: `Premiere did not let the panel open ${companionUrl}.`, detail: error.message, fix: PERMISSION_FIX };
      case 'forbidden-origin':
        return { title: 'The companion refused the panel’s origin.', detail: error.message, fix: ORIGIN_FIX, code: 'AM_ERR_FORBIDDEN_ORIGIN' };
      case 'disconnected':
        return { title: 'The connection to the companion was lost.', detail: error.message, fix: `Check that "auto-montage serve" is still running, then press Connect. ${START_COMPANION_FIX}` };
      case 'cancelled':
        return { title: 'The montage was cancelled.', fix: 'Press Auto-montage to start again.' };
      case 'server': {
        const code = error.wire?.code;
        const known = code ? FIXES[code] : undefined;
        const place = error.wire?.where?.file ?? error.wire?.where?.field;
        const detail = [error.message, place ? `(${place})` : ''].filter(Boolean).join(' ');
        return {
          title: known?.title ?? error.message,
          ...(known ? { detail } : place ? { detail: place } : {}),
          fix: known?.fix ?? (code ? `See ${code} in docs/errors.md for what to do.` : 'Try again.'),
          ...(code ? { code } : {}),
        };
      }
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return { title: message || 'Something went wrong.', fix: 'Try again; if it keeps failing, restart the companion and reload the panel.' };
}
