import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkManifest, optionValueProblem } from '../../companion/host/manifest';

const good = {
  name: '@studio/exporter',
  version: '2.1.0',
  main: 'dist/index.js',
  engines: { 'auto-montage': '^0.1.0' },
  contributes: {
    exporters: [{ id: 'aaf', label: 'AAF', fileExtension: '.aaf', options: [{ name: 'mixdown', type: 'boolean', default: false, description: 'Mix down.' }] }],
    emotionEncoders: [{ id: 'mood', kind: 'music' }],
    shotDetectors: [{ id: 'cuts' }],
  },
};

test('a valid manifest comes back typed with empty lists for what it does not contribute', () => {
  const check = checkManifest(good, 'x/package.json', '0.1.0');
  assert.deepEqual(check.diagnostics, []);
  assert.equal(check.manifest?.name, '@studio/exporter');
  assert.deepEqual(check.manifest?.contributes.barTrackers, []);
  assert.equal(check.manifest?.contributes.exporters?.[0]?.options?.[0]?.name, 'mixdown');
});

test('every problem is reported with its JSON path, the file and the extension id', () => {
  const check = checkManifest(
    {
      name: 'ext',
      version: '1',
      main: '../outside.js',
      engines: { 'auto-montage': '^9.0.0' },
      contributes: {
        exporters: [
          { id: 'a', label: 'A', fileExtension: '.a', options: [{ name: 'mode', type: 'enum', values: ['x'], default: 'y', description: 'd' }, { name: 'baseName', type: 'string', default: 's', description: 'd' }] },
          { id: 'a', label: 'A again', fileExtension: '.a' },
        ],
        barTrackers: 'none',
      },
    },
    'ext/package.json',
    '0.1.0',
  );
  assert.equal(check.manifest, undefined);
  assert.deepEqual(
    check.diagnostics.map((d) => d.where?.field),
    ['version', 'main', 'engines.auto-montage', 'contributes.exporters[0].options[0].default', 'contributes.exporters[0].options[1].name', 'contributes.exporters[1].id', 'contributes.barTrackers'],
  );
  assert.ok(check.diagnostics.every((d) => d.code === 'AM_ERR_EXTENSION_MANIFEST' && d.where?.file === 'ext/package.json' && d.where?.extension === 'ext'));
  assert.match(check.diagnostics[2]!.message, /needs auto-montage API "\^9\.0\.0", but this host provides 0\.1\.0/);
});

test('a manifest that is not an object, or lacks engines and contributes, is refused with a message naming the key', () => {
  assert.deepEqual(checkManifest([], 'p', '0.1.0').diagnostics.map((d) => d.where?.field), ['']);
  const fields = checkManifest({ name: 'n', version: '1.0.0' }, 'p', '0.1.0').diagnostics.map((d) => d.where?.field);
  assert.deepEqual(fields, ['engines', 'contributes']);
});

test('option values are checked against their declared type', () => {
  const option = { name: 'flavor', type: 'enum' as const, values: ['premiere', 'resolve'], default: 'premiere', description: '' };
  assert.equal(optionValueProblem(option, 'resolve'), undefined);
  assert.match(optionValueProblem(option, 'avid') ?? '', /one of "premiere", "resolve"/);
  assert.equal(optionValueProblem({ ...option, type: 'number' }, Number.NaN), 'must be a finite number');
  assert.equal(optionValueProblem({ ...option, type: 'boolean' }, 'true'), 'must be true or false');
});
