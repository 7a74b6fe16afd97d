// Packages the Premiere panel as an installable .ccx: a zip of the built panel folder (dist/plugin) with
// manifest.json at its root, as the UXP Developer Tool's "Package" command makes it. Double-clicking the
// .ccx installs it through Creative Cloud (or: UnifiedPluginInstallerAgent --install <file>).
// The zip is written here (deflate via node:zlib, CRC-32, local headers + central directory; no zip64:
// the panel is far below 4 GiB), atomically: a temp name, then a rename.
// Usage: node scripts/package-plugin.mjs [--out <dir>]   (default: <repo>/dist) → <dir>/auto-montage-premiere-<version>.ccx
import { readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { buildPanel, crc32, repoRoot } from './build-plugin.mjs';

function listFiles(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? listFiles(path) : [path];
    });
}

/** DOS date/time fields for a Date (zip stores local time with 2-second resolution). */
function dosDateTime(date) {
  const time = (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2);
  const day = ((Math.max(1980, date.getFullYear()) - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate();
  return { time, day };
}

/**
 * Makes a zip archive from entries { name, data } (names with forward slashes). Entries that do not shrink
 * are stored; the rest are deflated. A fixed timestamp keeps the output reproducible.
 */
export function zipEntries(entries, modified = new Date(2024, 0, 1)) {
  const { time, day } = dosDateTime(modified);
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const data = Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data);
    const deflated = deflateRawSync(data, { level: 9 });
    const method = deflated.length < data.length ? 8 : 0;
    const body = method === 8 ? deflated : data;
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0
    local.writeUInt16LE(0x0800, 6); // flags: names are UTF-8
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(day, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // made by: 2.0, MS-DOS attributes
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(day, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** Builds the panel and writes the .ccx; returns its path. */
export async function packagePlugin(outDir = join(repoRoot, 'dist')) {
  const pluginDir = await buildPanel(outDir);
  const manifest = JSON.parse(readFileSync(join(pluginDir, 'manifest.json'), 'utf8'));
  const entries = listFiles(pluginDir).map((path) => ({ name: relative(pluginDir, path).split(sep).join('/'), data: readFileSync(path) }));
  // manifest.json first: some tools peek at the first entry.
  entries.sort((a, b) => (a.name === 'manifest.json' ? -1 : b.name === 'manifest.json' ? 1 : a.name.localeCompare(b.name)));
  const target = join(outDir, `auto-montage-premiere-${manifest.version}.ccx`);
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, zipEntries(entries));
  renameSync(temporary, target);
  return target;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  const outDir = at > 0 && process.argv[at + 1] ? resolve(process.argv[at + 1]) : join(repoRoot, 'dist');
  const path = await packagePlugin(outDir);
  console.log(`packaged: ${path} (${statSync(path).size} bytes)`);
}
