/**
 * File URLs for interchange formats, built from the absolute path as the user's OS writes it.
 * RFC 8089 with UTF-8 percent-encoding of everything outside `A–Z a–z 0–9 - . _ ~ /` (docs/interchange.md §0).
 *  - POSIX `/a b/x.mov`          → `file:///a%20b/x.mov`
 *  - Windows `C:\a b\x.mov`      → `file:///C:/a%20b/x.mov` (FCPXML, OTIO)
 *  - UNC `\\server\share\x.mov`  → `file://server/share/x.mov`
 * xmeml writes it as Premiere does: `file://localhost/C%3a/a%20b/x.mov` (premiere_example.xml). A backslash
 * URL such as `file://d:\...` fails in Resolve (videogrep #139), so backslashes always become `/`.
 */

const UNRESERVED = /[A-Za-z0-9\-._~/]/;
const UTF8 = new TextEncoder();

/** Percent-encodes a path's characters as UTF-8, keeping `/` and the unreserved set. */
export function encodePath(path: string): string {
  let out = '';
  for (const char of path) {
    if (UNRESERVED.test(char)) out += char;
    else for (const byte of UTF8.encode(char)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

interface PathParts {
  /** UNC host, when the path is `\\host\share\…`. */
  readonly host: string;
  /** Windows drive letter with its colon ("C:"), or "" for POSIX. */
  readonly drive: string;
  /** The rest, with `/` separators and a leading `/`. */
  readonly rest: string;
}

function splitPath(path: string): PathParts {
  const unc = /^[\\/]{2}([^\\/]+)([\\/].*)?$/.exec(path);
  if (unc && /\\/.test(path.slice(0, 2))) return { host: unc[1] ?? '', drive: '', rest: (unc[2] ?? '/').replace(/\\/g, '/') };
  const drive = /^([A-Za-z]):[\\/]?(.*)$/.exec(path);
  if (drive) return { host: '', drive: `${(drive[1] ?? '').toUpperCase()}:`, rest: `/${(drive[2] ?? '').replace(/\\/g, '/')}` };
  return { host: '', drive: '', rest: path.startsWith('/') ? path : `/${path}` };
}

/** RFC 8089 file URL: `file:///abs/path`, `file:///C:/abs/path`, `file://host/share/path`. */
export function fileUrl(path: string): string {
  const { host, drive, rest } = splitPath(path);
  if (host) return `file://${encodePath(host)}${encodePath(rest)}`;
  return `file://${drive ? `/${drive}` : ''}${encodePath(rest)}`;
}

/** xmeml `pathurl`, as Premiere writes it: `file://localhost/` + the path with the drive colon encoded as `%3a`. */
export function xmemlPathUrl(path: string): string {
  const { host, drive, rest } = splitPath(path);
  // Premiere writes the drive colon lower-case-encoded ("D%3a"), see premiere_example.xml.
  if (host) return `file://${encodePath(host)}${encodePath(rest)}`;
  return `file://localhost${drive ? `/${drive.slice(0, 1)}%3a` : ''}${encodePath(rest)}`;
}
