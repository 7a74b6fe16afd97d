/**
 * The shared cache folder as several workers use it: writers in other processes (rewriting one entry, or
 * killed mid-write) and a reader that must never see half an entry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCache } from '../../companion/analysis/cache';
import { FolderCacheStore } from '../../companion/analysis/cache-store';
import { repoRoot, scratchDir } from '../support/paths';

/** A child process that rewrites `key` with `megabytes` of payload until `seconds` have passed. */
function writer(dir: string, key: string, seed: number, megabytes: number, seconds: number) {
  const script = `
    import { writeCache } from ${JSON.stringify(join(repoRoot, 'companion/analysis/cache.ts'))};
    const filler = 'x'.repeat(${megabytes} * 1024 * 1024);
    const until = Date.now() + ${seconds} * 1000;
    let n = 0;
    while (Date.now() < until) await writeCache(${JSON.stringify(dir)}, ${JSON.stringify(key)}, { seed: ${seed}, n: n++, filler });
    process.stdout.write(String(n));
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return { child, done: new Promise<number>((resolve) => child.on('exit', () => resolve(Number(out)))) };
}

test('two workers rewriting one entry while another reads it: every read is the whole of one write', { timeout: 60_000 }, async () => {
  const dir = scratchDir('store-race');
  const writers = [writer(dir, 'movie-v5-race', 1, 2, 2.5), writer(dir, 'movie-v5-race', 2, 2, 2.5)];
  const seen = new Map<string, number>();
  const until = Date.now() + 4000;
  while (Date.now() < until && writers.some((w) => w.child.exitCode === null)) {
    const lookup = await readCache<{ seed: number; filler: string }>(dir, 'movie-v5-race');
    assert.notEqual(lookup.status, 'corrupt', JSON.stringify(lookup));
    if (lookup.status === 'hit') {
      assert.equal(lookup.value.filler.length, 2 * 1024 * 1024);
      seen.set(`seed ${lookup.value.seed}`, (seen.get(`seed ${lookup.value.seed}`) ?? 0) + 1);
    }
  }
  const writes = await Promise.all(writers.map((w) => w.done));
  assert.ok(writes.every((n) => n >= 2), `each writer wrote several times: ${writes.join(', ')}`);
  assert.ok([...seen.values()].reduce((a, b) => a + b, 0) >= 5, `hits: ${JSON.stringify([...seen])}`);
  assert.deepEqual(readdirSync(dir), ['movie-v5-race.json'], 'no temporary file left');
});

test('a writer killed mid-write leaves no entry, only a temporary file no reader opens', { timeout: 60_000 }, async () => {
  const dir = scratchDir('store-kill');
  // 64 MB takes long enough to write that the kill lands inside it.
  const victim = writer(dir, 'movie-v5-killed', 3, 64, 30);
  while (!readdirSync(dir, { withFileTypes: true }).some((entry) => entry.name.endsWith('.tmp'))) await new Promise((resolve) => setTimeout(resolve, 5));
  victim.child.kill('SIGKILL');
  await victim.done;
  const names = readdirSync(dir);
  const lookup = await readCache(dir, 'movie-v5-killed');
  if (names.includes('movie-v5-killed.json')) assert.equal(lookup.status, 'hit', 'an entry that is there is whole');
  else assert.equal(lookup.status, 'miss');
  assert.notEqual(lookup.status, 'corrupt');
});

test('temporary files of dead writers are swept once old; a fresh one (a live writer elsewhere) is kept', async () => {
  const dir = scratchDir('store-sweep');
  const store = new FolderCacheStore(dir);
  const old = join(dir, 'movie-v5-a.json.4242.0badcafe.tmp');
  const fresh = join(dir, 'movie-v5-b.json.4343.0badf00d.tmp');
  writeFileSync(old, '{"half');
  writeFileSync(fresh, '{"half');
  utimesSync(old, new Date(Date.now() - 3600_000), new Date(Date.now() - 3600_000));
  assert.equal(await store.get('movie-v5-a'), undefined, 'a temporary file is not an entry');
  await store.put('movie-v5-c', '{"whole":true}');
  assert.deepEqual(readdirSync(dir).sort(), ['movie-v5-b.json.4343.0badf00d.tmp', 'movie-v5-c.json']);
  assert.equal(await store.get('movie-v5-c'), '{"whole":true}');
  await store.delete('movie-v5-c');
  await store.delete('movie-v5-never');
  assert.equal(await store.get('movie-v5-c'), undefined);
});
