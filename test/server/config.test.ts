import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultConfigDir, defaultDataDir, loadOrCreateToken, packageRoot, tokensEqual, TOKEN_PATTERN } from '../../companion/server/config';
import { repoRoot, scratchDir } from '../support/paths';

test('the token is created at first use as 64 hex digits in a file only the user can read, and kept afterwards', async () => {
  const dir = join(scratchDir('config'), 'auto-montage');
  const token = await loadOrCreateToken(dir);
  assert.match(token, TOKEN_PATTERN);
  const file = join(dir, 'token');
  assert.equal(readFileSync(file, 'utf8').trim(), token);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(await loadOrCreateToken(dir), token, 'the same token on the next start');
});

test('concurrent first starts agree on one token', async () => {
  const dir = join(scratchDir('config'), 'auto-montage');
  const tokens = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateToken(dir)));
  assert.equal(new Set(tokens).size, 1);
  assert.equal(readFileSync(join(dir, 'token'), 'utf8').trim(), tokens[0]);
});

test('an unreadable token file is replaced by a fresh token', async () => {
  const dir = scratchDir('config');
  writeFileSync(join(dir, 'token'), 'not a token');
  const token = await loadOrCreateToken(dir);
  assert.match(token, TOKEN_PATTERN);
  assert.equal(readFileSync(join(dir, 'token'), 'utf8').trim(), token);
});

test('the config and data folders follow XDG_CONFIG_HOME and XDG_DATA_HOME, else ~/.config and ~/.local/share', () => {
  assert.equal(defaultConfigDir({ XDG_CONFIG_HOME: '/x/config' }), '/x/config/auto-montage');
  assert.equal(defaultDataDir({ XDG_DATA_HOME: '/x/data' }), '/x/data/auto-montage');
  assert.match(defaultConfigDir({}), /\/\.config\/auto-montage$/);
  assert.match(defaultDataDir({ XDG_DATA_HOME: 'relative' }), /\/\.local\/share\/auto-montage$/, 'a relative XDG path is ignored, as the spec says');
});

test('tokens are compared exactly', () => {
  const token = 'a'.repeat(64);
  assert.equal(tokensEqual(token, token), true);
  assert.equal(tokensEqual('a'.repeat(63), token), false);
  assert.equal(tokensEqual(`${'a'.repeat(63)}b`, token), false);
  assert.equal(tokensEqual(undefined, token), false);
  assert.equal(tokensEqual(42, token), false);
});

test('the package root is found from the server’s own folder', () => {
  assert.equal(packageRoot(), repoRoot.replace(/\/$/, ''));
});
