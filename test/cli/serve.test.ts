import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, scratchDir } from '../support/paths';

test('auto-montage serve prints the URL and token, answers /health on 127.0.0.1, and stops on SIGTERM', { timeout: 60_000 }, async () => {
  const home = scratchDir('serve');
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'companion', 'main.ts'), 'serve', '--port', '0', '--data', join(home, 'data')], {
    cwd: repoRoot,
    env: { ...process.env, XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache') },
  });
  let stdout = '';
  const banner = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (/token:\s+\S+/.test(stdout) && /Ctrl-C/.test(stdout)) resolve(stdout);
    });
    child.on('exit', (code) => reject(new Error(`serve exited early with ${code}: ${stdout}`)));
  });
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1];
  const token = /token:\s+(\S+)/.exec(banner)?.[1];
  assert.ok(url, banner);
  assert.ok(token && token.length >= 32, 'a long random token');
  const health = (await (await fetch(`${url}/health`)).json()) as { version?: string };
  assert.equal(health.version, '0.1.0');
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});
