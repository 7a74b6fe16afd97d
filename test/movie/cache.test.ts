import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cachePath, fingerprint, readCache, settingsHash, writeCache } from '../../companion/analysis/cache';
import { scratchDir } from '../support/paths';

test('the fingerprint follows content, size and modification time', async () => {
  const dir = scratchDir('cache-fp');
  const file = join(dir, 'movie.bin');
  writeFileSync(file, Buffer.alloc(1_000_000, 7));
  utimesSync(file, 1_700_000_000, 1_700_000_000);
  const first = await fingerprint(file);
  assert.match(first, /^[0-9a-f]{40}$/);
  assert.equal(await fingerprint(file), first);
  const copy = join(dir, 'copy.bin');
  copyFileSync(file, copy);
  utimesSync(copy, 1_700_000_000, 1_700_000_000);
  assert.equal(await fingerprint(copy), first, 'same bytes and time: same fingerprint, wherever the file is');
  const changed = Buffer.alloc(1_000_000, 7);
  changed[0] = 8; // the first block is always sampled
  writeFileSync(file, changed);
  utimesSync(file, 1_700_000_000, 1_700_000_000);
  assert.notEqual(await fingerprint(file), first);
  utimesSync(copy, 1_700_000_100, 1_700_000_100);
  assert.notEqual(await fingerprint(copy), first);
});

test('an entry written is read back, and nothing temporary is left behind', async () => {
  const dir = scratchDir('cache-rw');
  assert.deepEqual(await readCache(dir, 'movie-v1-abc'), { status: 'miss' });
  await writeCache(dir, 'movie-v1-abc', { shots: [1, 2, 3] });
  assert.deepEqual(await readCache(dir, 'movie-v1-abc'), { status: 'hit', value: { shots: [1, 2, 3] } });
  assert.deepEqual(readdirSync(dir), ['movie-v1-abc.json']);
});

test('a corrupt entry is reported, removed, and can be rebuilt', async () => {
  const dir = scratchDir('cache-corrupt');
  await writeCache(dir, 'k', { value: 42 });
  const file = cachePath(dir, 'k');
  // Flip one digit inside the payload: the checksum no longer matches.
  writeFileSync(file, readFileSync(file, 'utf8').replace('42', '43'));
  const lookup = await readCache(dir, 'k');
  assert.equal(lookup.status, 'corrupt');
  assert.deepEqual(readdirSync(dir), []);
  // A truncated file (a crash mid-write elsewhere) is corrupt too.
  await writeCache(dir, 'k', { value: 42 });
  writeFileSync(file, readFileSync(file, 'utf8').slice(0, 20));
  assert.equal((await readCache(dir, 'k')).status, 'corrupt');
  await writeCache(dir, 'k', { value: 42 });
  assert.deepEqual(await readCache(dir, 'k'), { status: 'hit', value: { value: 42 } });
});

test('a validator can reject an entry of the wrong shape', async () => {
  const dir = scratchDir('cache-shape');
  await writeCache(dir, 'k', { schema: 'Other.1' });
  const lookup = await readCache(dir, 'k', (value): value is { schema: 'MovieAnalysis.1' } => (value as { schema?: string }).schema === 'MovieAnalysis.1');
  assert.equal(lookup.status, 'corrupt');
  assert.equal(lookup.status === 'corrupt' && lookup.reason, 'payload has the wrong shape');
  assert.deepEqual(readdirSync(dir), [], 'the rejected entry is removed');
  // A value of the right shape is a hit through the same validator.
  await writeCache(dir, 'k', { schema: 'MovieAnalysis.1' });
  assert.deepEqual(await readCache(dir, 'k', (value): value is { schema: 'MovieAnalysis.1' } => (value as { schema?: string }).schema === 'MovieAnalysis.1'), { status: 'hit', value: { schema: 'MovieAnalysis.1' } });
});

test('settings hashes are short, stable, and differ when a setting does', () => {
  const hash = settingsHash({ cutThreshold: 0.3, gradual: true });
  assert.match(hash, /^[0-9a-f]{16}$/);
  assert.equal(settingsHash({ cutThreshold: 0.3, gradual: true }), hash);
  assert.notEqual(settingsHash({ cutThreshold: 0.31, gradual: true }), hash);
  assert.notEqual(settingsHash({ cutThreshold: 0.3, gradual: false }), hash);
});
