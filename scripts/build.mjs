// Build: bundles the CLI/companion into dist/cli.js with esbuild, makes the bundled ffmpeg and ffprobe executable
// by every user, then runs the optional build steps of the panel and the models when their scripts exist.
// Runs on `npm ci` (prepare) and `npm run build`.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

await build({
  entryPoints: ['companion/main.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});

function step(script, ...args) {
  if (!existsSync(script)) return;
  const runner = script.endsWith('.ts') ? ['--import', 'tsx', script] : [script];
  const result = spawnSync(process.execPath, [...runner, ...args], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
step('scripts/fix-binary-modes.mjs'); // before anything runs ffmpeg: the bundled ffprobe ships as 0744
step('scripts/build-plugin.mjs');
step('scripts/build-models.ts');
