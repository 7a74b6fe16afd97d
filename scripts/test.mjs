// Runs every test file under test/ with Node's test runner (TypeScript through tsx).
// Usage: node scripts/test.mjs [filter]  — a filter keeps files whose path contains it.
// The tests' scratch folders go under one temporary folder (TMPDIR) that is removed when the run ends.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'fixtures') return [];
    return statSync(path).isDirectory() ? find(path) : /\.test\.ts$/.test(name) ? [path] : [];
  });
}

const filter = process.argv[2];
const files = find('test').filter((f) => !filter || f.includes(filter)).sort();
if (files.length === 0) {
  console.error(`no test files match ${filter ?? 'test/**/*.test.ts'}`);
  process.exit(1);
}
const scratch = mkdtempSync(join(tmpdir(), 'am-test-run-'));
// Open to every user, as /tmp is: the hardening tests run children as another user.
chmodSync(scratch, 0o1777);
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
  env: { ...process.env, TMPDIR: scratch },
});
rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
process.exit(result.status ?? 1);
