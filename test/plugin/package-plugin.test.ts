import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { PANEL_ID, PLUGIN_ID } from '../../plugin/src/panel-ids';
import { readZip } from './support/zip';

const repoRoot = join(import.meta.dirname, '..', '..');

interface Manifest {
  manifestVersion: number;
  id: string;
  version: string;
  main: string;
  host: { app: string; minVersion: string };
  entrypoints: { type: string; id: string; icons?: { path: string; scale: number[]; width: number; height: number }[] }[];
  icons?: { path: string; scale: number[]; width: number; height: number }[];
  requiredPermissions: { network: { domains: string[] | string }; localFileSystem: string };
}

/** Width and height of a PNG, after checking its signature and that its pixel data inflates. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  const idatAt = bytes.indexOf('IDAT');
  const raw = inflateSync(bytes.subarray(idatAt + 4, idatAt + 4 + bytes.readUInt32BE(idatAt - 4)));
  assert.equal(raw.length, (width * 4 + 1) * height, 'RGBA rows with a filter byte each');
  return { width, height };
}

const outDir = mkdtempSync(join(tmpdir(), 'am-package-'));
const run = spawnSync(process.execPath, [join(repoRoot, 'scripts/package-plugin.mjs'), '--out', outDir], { encoding: 'utf8' });

test('packaging writes one .ccx whose entries all pass their CRC, with manifest.json at the root', () => {
  assert.equal(run.status, 0, run.stderr);
  const packages = readdirSync(outDir).filter((name) => name.endsWith('.ccx'));
  assert.deepEqual(packages, ['auto-montage-premiere-0.1.0.ccx']);
  const entries = readZip(readFileSync(join(outDir, packages[0]!)));
  assert.equal([...entries.keys()][0], 'manifest.json');
  for (const name of ['manifest.json', 'index.html', 'index.js']) assert.ok(entries.has(name), name);
  assert.deepEqual(entries.get('manifest.json'), readFileSync(join(repoRoot, 'manifest.json')), 'the manifest is shipped unchanged');
});

test('the manifest is UXP v5 for Premiere 25.6+, with the ids the code registers and the companion’s port', () => {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'manifest.json'), 'utf8')) as Manifest;
  const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  assert.equal(manifest.manifestVersion, 5);
  assert.deepEqual(manifest.host, { app: 'premierepro', minVersion: '25.6.0' });
  assert.equal(manifest.id, PLUGIN_ID);
  assert.equal(manifest.version, packageJson.version);
  assert.equal(manifest.entrypoints.length, 1);
  assert.equal(manifest.entrypoints[0]?.type, 'panel');
  assert.equal(manifest.entrypoints[0]?.id, PANEL_ID);
  const source = readFileSync(join(repoRoot, 'plugin/src/main.uxp.ts'), 'utf8');
  assert.match(source, /\[PANEL_ID\]:/, 'main.uxp.ts registers the panel under PANEL_ID');
  // "all" inside a list fails silently (adb-mcp issue #23): the list names origins only.
  const domains = manifest.requiredPermissions.network.domains;
  assert.ok(Array.isArray(domains));
  assert.ok(!domains.includes('all'));
  for (const origin of ['ws://127.0.0.1:7391', 'http://127.0.0.1:7391', 'ws://localhost:7391', 'http://localhost:7391']) assert.ok(domains.includes(origin), origin);
});

test('every icon the manifest names exists in the package at @1x and @2x with the declared size', () => {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'manifest.json'), 'utf8')) as Manifest;
  const entries = readZip(readFileSync(join(outDir, 'auto-montage-premiere-0.1.0.ccx')));
  const icons = [...(manifest.icons ?? []), ...manifest.entrypoints.flatMap((entry) => entry.icons ?? [])];
  assert.ok(icons.length >= 3);
  for (const icon of icons) {
    for (const scale of icon.scale) {
      const name = icon.path.replace(/\.png$/, `@${scale}x.png`);
      const bytes = entries.get(name);
      assert.ok(bytes, `${name} is packaged`);
      assert.deepEqual(pngSize(bytes), { width: icon.width * scale, height: icon.height * scale }, name);
    }
  }
});

test('the panel bundle is CommonJS that leaves premierepro and uxp to UXP and needs nothing from Node', () => {
  const entries = readZip(readFileSync(join(outDir, 'auto-montage-premiere-0.1.0.ccx')));
  const bundle = entries.get('index.js')?.toString('utf8') ?? '';
  assert.match(bundle, /^"use strict";/);
  assert.match(bundle, /require\("premierepro"\)/);
  assert.match(bundle, /require\("uxp"\)/);
  const required = [...bundle.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]);
  assert.deepEqual([...new Set(required)].sort(), ['premierepro', 'uxp']);
  assert.doesNotMatch(bundle, /\balert\(/, 'no alert(): it blocks Premiere’s UI');
  assert.doesNotMatch(bundle, /\bimport\s*\(|\bexport\s+\{/, 'no ES module syntax left');
  const html = entries.get('index.html')?.toString('utf8') ?? '';
  assert.match(html, /<script src="index.js"><\/script>/);
  assert.match(html, /\.am-root/, 'the panel CSS is inlined');
});
