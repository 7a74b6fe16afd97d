/**
 * The small part of semver the host needs: parse "1.2.3" (pre-release tags allowed, build metadata ignored)
 * and test it against the ranges manifests use in `engines["auto-montage"]`: "*", "1.2.3", "=1.2.3",
 * "^1.2.3", "~1.2.3", ">=1.2.3", ">1.2.3", "<=1.2.3", "<1.2.3", "1.x", "1.2.x", space-separated
 * intersections and "||" unions. Pure.
 */

export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly prerelease: string;
}

const VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Parses a full version "1.2.3[-pre][+build]"; undefined when malformed. */
export function parseVersion(text: string): Version | undefined {
  const match = VERSION.exec(text.trim());
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), prerelease: match[4] ?? '' };
}

/** Orders two versions (pre-releases before their release; pre-release tags compared as text). */
export function compareVersions(a: Version, b: Version): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core !== 0) return Math.sign(core);
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === '') return 1;
  if (b.prerelease === '') return -1;
  return a.prerelease < b.prerelease ? -1 : 1;
}

type Comparator = (v: Version) => boolean;

/** A partial version "1", "1.2", "1.x", "1.2.*" with the missing parts as undefined. */
function parsePartial(text: string): { major?: number; minor?: number; patch?: number; prerelease: string } | undefined {
  const match = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-([0-9A-Za-z.-]+))?$/.exec(text);
  if (!match) return undefined;
  const part = (s: string | undefined) => (s === undefined || /^[xX*]$/.test(s) ? undefined : Number(s));
  const major = part(match[1]);
  const minor = major === undefined ? undefined : part(match[2]);
  const patch = minor === undefined ? undefined : part(match[3]);
  return { major, minor, patch, prerelease: match[4] ?? '' };
}

function at(major: number, minor = 0, patch = 0, prerelease = ''): Version {
  return { major, minor, patch, prerelease };
}

function comparator(token: string): Comparator | undefined {
  const match = /^(\^|~|>=|<=|>|<|=)?(.*)$/.exec(token);
  if (!match) return undefined;
  const operator = match[1] ?? '';
  const partial = parsePartial(match[2] ?? '');
  if (!partial) return undefined;
  const { major, minor, patch, prerelease } = partial;
  if (major === undefined) return operator === '' || operator === '=' || operator === '>=' ? () => true : undefined;
  const low = at(major, minor ?? 0, patch ?? 0, prerelease);
  const ge = (v: Version) => compareVersions(v, low) >= 0;
  let high: Version; // exclusive upper bound
  switch (operator) {
    case '^':
      high = major > 0 || minor === undefined ? at(major + 1) : minor > 0 || patch === undefined ? at(0, minor + 1) : at(0, 0, (patch ?? 0) + 1);
      return (v) => ge(v) && compareVersions(v, high) < 0;
    case '~':
      high = minor === undefined ? at(major + 1) : at(major, minor + 1);
      return (v) => ge(v) && compareVersions(v, high) < 0;
    case '>=':
      return ge;
    case '>':
      return (v) => compareVersions(v, low) > 0;
    case '<=':
      return (v) => compareVersions(v, low) <= 0;
    case '<':
      return (v) => compareVersions(v, low) < 0;
    default:
      if (patch !== undefined) return (v) => compareVersions(v, low) === 0;
      high = minor === undefined ? at(major + 1) : at(major, minor + 1);
      return (v) => ge(v) && compareVersions(v, high) < 0;
  }
}

/** Parses a range into a predicate; undefined when the range is malformed. */
export function parseRange(range: string): ((version: string) => boolean) | undefined {
  const alternatives: Comparator[][] = [];
  for (const alternative of range.split('||')) {
    const tokens = alternative.trim().replace(/(\^|~|>=|<=|>|<|=)\s+/g, '$1').split(/\s+/).filter(Boolean);
    if (tokens.length === 0) tokens.push('*');
    const comparators = tokens.map(comparator);
    if (comparators.some((c) => c === undefined)) return undefined;
    alternatives.push(comparators as Comparator[]);
  }
  return (text) => {
    const version = parseVersion(text);
    return version !== undefined && alternatives.some((all) => all.every((test) => test(version)));
  };
}

/** Whether `version` satisfies `range`; false for a malformed range or version. */
export function satisfies(version: string, range: string): boolean {
  return parseRange(range)?.(version) ?? false;
}
