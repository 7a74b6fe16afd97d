#!/usr/bin/env node
// The auto-montage command: runs the bundled CLI (dist/cli.js, built by `npm ci` / `npm run build`),
// or the TypeScript sources through tsx in a checkout that has not been built yet.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/cli.js', import.meta.url);
if (existsSync(bundle)) {
  await import(bundle.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../companion/main.ts', import.meta.url).href);
}
