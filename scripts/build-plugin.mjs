// Builds the Premiere UXP panel and the web UI from the same plugin/src code:
//   dist/plugin/  manifest.json, index.html, index.js (CommonJS; premierepro, uxp, fs, os left to UXP), icons/*.png
//                 → load dist/plugin/manifest.json in the UXP Developer Tool, or zip it with package-plugin.mjs
//   dist/web/     index.html, app.js (browser IIFE) → served statically by the companion (companion/server)
// Icons are drawn here in code (small PNGs), so the repository holds no binary files.
// Usage: node scripts/build-plugin.mjs [--out <dir>]   (default: <repo>/dist)
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The panel's CSS, inlined into both pages (UXP loads <style> in the panel's HTML). */
function styles() {
  return readFileSync(join(repoRoot, 'plugin/src/ui/styles.css'), 'utf8');
}

/** The HTML page around a bundle. */
export function pageHtml({ title, script, body = '<div id="app"></div>' }) {
  return `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
html, body { margin: 0; padding: 0; background-color: #232323; }
${styles()}
</style>
</head>
<body>
${body}
<script src="${script}"></script>
</body>
</html>
`;
}

// --- PNG ---------------------------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE), as PNG chunks and zip entries need. */
export function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Encodes RGBA pixels (Uint8Array of width*height*4) as a PNG. */
export function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * The icon: a film frame with an equaliser inside (music cut to picture), in one colour on transparency.
 * Drawn on a 23-unit grid and scaled, so @1x and @2x match.
 */
export function drawIcon(size, colour) {
  const rgba = new Uint8Array(size * size * 4);
  const unit = size / 23;
  const fill = (x0, y0, x1, y1, alpha = 255) => {
    for (let y = Math.round(y0 * unit); y < Math.round(y1 * unit); y++) {
      for (let x = Math.round(x0 * unit); x < Math.round(x1 * unit); x++) {
        if (x < 0 || y < 0 || x >= size || y >= size) continue;
        const offset = (y * size + x) * 4;
        rgba[offset] = colour[0];
        rgba[offset + 1] = colour[1];
        rgba[offset + 2] = colour[2];
        rgba[offset + 3] = alpha;
      }
    }
  };
  // Frame: 2 units thick, with sprocket gaps at the top and bottom.
  fill(1, 2, 22, 4);
  fill(1, 19, 22, 21);
  fill(1, 2, 3, 21);
  fill(20, 2, 22, 21);
  for (const x of [5, 9, 13, 17]) {
    fill(x, 2.5, x + 1.5, 3.5, 0);
    fill(x, 19.5, x + 1.5, 20.5, 0);
  }
  // Equaliser bars, bottom-aligned.
  const bars = [
    [5, 12],
    [8, 8],
    [11, 14],
    [14, 10],
    [17, 13],
  ];
  for (const [x, top] of bars) fill(x, top, x + 2, 17);
  return encodePng(size, size, rgba);
}

/** Every icon file the manifest names, @1x and @2x (UXP appends the scale to the path). */
export function iconFiles() {
  const light = [0xd0, 0xd0, 0xd0];
  const dark = [0x4b, 0x4b, 0x4b];
  const blue = [0x26, 0x80, 0xeb];
  const files = {};
  for (const [name, colour, base] of [
    ['panel-dark', light, 23],
    ['panel-light', dark, 23],
    ['plugin', blue, 48],
  ]) {
    const single = drawIcon(base, colour);
    files[`icons/${name}.png`] = single;
    files[`icons/${name}@1x.png`] = single;
    files[`icons/${name}@2x.png`] = drawIcon(base * 2, colour);
  }
  return files;
}

// --- Bundles -----------------------------------------------------------------------------------------

/** The panel: CommonJS for UXP, with the host modules left to `require` at run time. */
export async function buildPanel(outDir) {
  const dir = join(outDir, 'plugin');
  mkdirSync(join(dir, 'icons'), { recursive: true });
  await build({
    entryPoints: [join(repoRoot, 'plugin/src/main.uxp.ts')],
    outfile: join(dir, 'index.js'),
    bundle: true,
    format: 'cjs',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2020',
    external: ['premierepro', 'uxp', 'fs', 'os'],
    legalComments: 'none',
    logLevel: 'warning',
  });
  writeFileSync(join(dir, 'manifest.json'), readFileSync(join(repoRoot, 'manifest.json')));
  writeFileSync(join(dir, 'index.html'), pageHtml({ title: 'Auto-montage', script: 'index.js', body: '' }));
  for (const [name, bytes] of Object.entries(iconFiles())) writeFileSync(join(dir, name), bytes);
  return dir;
}

/** The web UI: one browser script plus its page. */
export async function buildWeb(outDir) {
  const dir = join(outDir, 'web');
  mkdirSync(dir, { recursive: true });
  await build({
    entryPoints: [join(repoRoot, 'plugin/src/main.web.ts')],
    outfile: join(dir, 'app.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    legalComments: 'none',
    logLevel: 'warning',
  });
  writeFileSync(join(dir, 'index.html'), pageHtml({ title: 'Auto-montage', script: 'app.js' }));
  writeFileSync(join(dir, 'favicon.png'), drawIcon(46, [0x26, 0x80, 0xeb]));
  return dir;
}

export async function buildAll(outDir = join(repoRoot, 'dist')) {
  return { plugin: await buildPanel(outDir), web: await buildWeb(outDir) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  const outDir = at > 0 && process.argv[at + 1] ? resolve(process.argv[at + 1]) : join(repoRoot, 'dist');
  const { plugin, web } = await buildAll(outDir);
  console.log(`panel: ${plugin}\nweb UI: ${web}`);
}
