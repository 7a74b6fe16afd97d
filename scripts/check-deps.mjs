// Keeps the dependency direction of the house style (no cycles, inner layers never import outer ones):
//   core → nothing of ours (and no node:*);  planner → core;  protocol → core;  exporters → api, core;
//   plugin → protocol, core (and its own files);  media → core;  analysis → media, core;  host → api, core, analysis, media;
//   queue → pipeline, host, analysis, media, core;  server → everything but cli/main; onnxruntime only through the session pool.  Run: node scripts/check-deps.mjs
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const rules = [
  ['companion/core', ['companion/core'], { noNode: true }],
  ['companion/planner', ['companion/planner', 'companion/core'], { noNode: true }],
  ['companion/protocol', ['companion/protocol', 'companion/core'], { noNode: true }],
  ['companion/media', ['companion/media', 'companion/core']],
  ['companion/analysis', ['companion/analysis', 'companion/media', 'companion/core', 'companion/api']],
  ['companion/host', ['companion/host', 'companion/api', 'companion/core', 'companion/analysis', 'companion/media', 'exporters']],
  ['companion/queue', ['companion/queue', 'companion/pipeline', 'companion/host', 'companion/analysis', 'companion/media', 'companion/api', 'companion/core']],
  ['exporters', ['exporters', 'companion/api', 'companion/core']],
  ['plugin', ['plugin', 'companion/protocol', 'companion/core']],
];

/** Every file below `dir` whose name passes `keep` (node_modules and dist are skipped). */
function walk(dir, keep) {
  let names;
  try { names = readdirSync(dir); } catch { return []; }
  return names.flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    return statSync(path).isDirectory() ? walk(path, keep) : keep(name) ? [path] : [];
  });
}
const files = (dir) => walk(dir, (name) => /\.(ts|mts|js|mjs)$/.test(name));
const manifests = (dir) => walk(dir, (name) => name === 'package.json');

const problems = [];
for (const [area, allowed, { noNode } = {}] of rules) {
  for (const file of files(join(root, area))) {
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = match[1] ?? match[2];
      if (noNode && spec.startsWith('node:')) problems.push(`${relative(root, file)} imports ${spec}: ${area} must stay free of Node APIs`);
      if (!spec.startsWith('.')) continue;
      const target = relative(root, resolve(dirname(file), spec));
      if (!allowed.some((a) => target === a || target.startsWith(a + '/'))) problems.push(`${relative(root, file)} imports ${target}: ${area} may import only ${allowed.join(', ')}`);
    }
  }
}
// onnxruntime-node is loaded only through the session pool, which turns ONNX Runtime's telemetry off first
// (companion/analysis/onnx/no-telemetry.ts); a direct import elsewhere would be a way around that.
const ortGate = 'companion/analysis/onnx/session-pool.ts';
for (const area of ['companion', 'exporters', 'plugin', 'test', 'bench', 'models', 'scripts']) {
  for (const file of files(join(root, area))) {
    if (relative(root, file) === ortGate) continue;
    if (/(?:from\s+|import\(\s*|require\(\s*)['"]onnxruntime-(?:node|common|web)['"]/.test(readFileSync(file, 'utf8'))) {
      problems.push(`${relative(root, file)} imports onnxruntime directly: use ${ortGate} (ort, SessionPool), which turns its telemetry off`);
    }
  }
}
// Every extension manifest inside the repo must say "type": "module": without it, tsx loads the
// extension's TypeScript as CommonJS, a second copy of core and config whose state the rest never sees.
for (const manifest of manifests(join(root, 'companion')).concat(manifests(join(root, 'exporters')))) {
  const json = JSON.parse(readFileSync(manifest, 'utf8'));
  if (json.type !== 'module') problems.push(`${relative(root, manifest)} lacks "type": "module"`);
}

if (problems.length) {
  console.error(`dependency direction broken:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('dependency direction: ok');
