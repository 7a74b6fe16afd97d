/** Paths tests share: the repo root, ../shared, and a scratch folder per test file. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const sharedDir = join(repoRoot, '..', 'shared');
export const filmDir = join(sharedDir, 'media', 'film');
export const musicDir = join(sharedDir, 'media', 'music');
export const beatsDir = join(sharedDir, 'media', 'beats');

export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `am-${prefix}-`));
}
