import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { AutoMontageApi, ExtensionContext, ExtensionModule } from '../../companion/api/auto-montage';
import { CancellationTokenSource } from '../../companion/core/lifecycle';
import { MontageError } from '../../companion/core/errors';
import type { MovieAnalysis } from '../../companion/core';
import { RATES } from '../../companion/core/rational';
import { createExtensionHost, type ExtensionHost } from '../../companion/host/index';
import { writeOtio } from '../../exporters/otio/index';
import { sampleTimeline } from '../exporters/sample-timelines';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const sampleExtensions = join(repoRoot, 'test/extensions');
const scratch = mkdtempSync(join(tmpdir(), 'am-host-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const timeline = sampleTimeline(RATES['25']);

function manifest(name: string, contributes: object, extra: object = {}): object {
  return { name, version: '1.0.0', type: 'module', main: 'index.js', engines: { 'auto-montage': '^0.1.0' }, contributes, ...extra };
}

/** Writes a user-extensions folder holding one extension per entry. */
function extensionsFolder(label: string, extensions: Record<string, { manifest: object | string; code?: string }>): string {
  const folder = join(scratch, label);
  for (const [name, { manifest: json, code }] of Object.entries(extensions)) {
    mkdirSync(join(folder, name), { recursive: true });
    writeFileSync(join(folder, name, 'package.json'), typeof json === 'string' ? json : JSON.stringify(json, null, 2));
    if (code !== undefined) writeFileSync(join(folder, name, 'index.js'), code);
  }
  return folder;
}

const exporterContribution = (id: string) => ({ exporters: [{ id, label: id, fileExtension: '.txt' }] });

/** An in-memory extension (for timing cases), given as a built-in. */
function memoryExtension(name: string, contributes: object, module: Partial<ExtensionModule>) {
  return { manifest: manifest(name, contributes), load: () => module as ExtensionModule };
}

async function rejection(promise: Promise<unknown>): Promise<MontageError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof MontageError, `expected a MontageError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the promise to reject');
}

test('the built-in exporters are listed from their manifests without activating anything', async () => {
  const host = await createExtensionHost();
  assert.deepEqual(
    host.listExporters().map((e) => [e.id, e.fileExtension, e.extensionId]),
    [
      ['fcp7-xml', '.xml', 'fcp7-xml'],
      ['fcpxml', '.fcpxml', 'fcpxml'],
      ['edl', '.edl', 'edl'],
      ['otio', '.otio', 'otio'],
    ],
  );
  assert.deepEqual(host.listExporters().find((e) => e.id === 'fcp7-xml')?.options.map((o) => [o.name, o.default]), [['flavor', 'premiere']]);
  assert.deepEqual(host.diagnostics, []);
  assert.ok(host.listExtensions().every((e) => e.state === 'inactive' && e.source === 'builtin'));
  await host.disposeAsync();
});

test('an extension is activated on the first use of its id and no other is', async () => {
  const host = await createExtensionHost();
  const files = await host.export('otio', timeline, { baseName: 'cut' });
  assert.deepEqual(files.map((f) => f.name), ['cut.otio']);
  assert.equal(JSON.parse(files[0]!.contents).OTIO_SCHEMA, 'Timeline.1');
  const states = Object.fromEntries(host.listExtensions().map((e) => [e.id, e.state]));
  assert.equal(states.otio, 'active');
  assert.deepEqual(
    Object.entries(states).filter(([id, state]) => id !== 'otio' && state !== 'inactive'),
    [],
  );
  assert.ok(['fcp7-xml', 'fcpxml', 'edl'].every((id) => states[id] === 'inactive'));
  await host.disposeAsync();
});

test('an unknown exporter id is AM_ERR_EXTENSION_NOT_FOUND and names the known ids', async () => {
  const host = await createExtensionHost();
  const error = await rejection(host.export('avid-aaf', timeline));
  assert.equal(error.code, 'AM_ERR_EXTENSION_NOT_FOUND');
  assert.match(error.message, /avid-aaf/);
  assert.deepEqual(error.details?.known, ['fcp7-xml', 'fcpxml', 'edl', 'otio']);
});

test('export options are checked against the manifest, every problem listed, and command-line strings coerced', async () => {
  const host = await createExtensionHost();
  const error = await rejection(host.export('edl', timeline, { values: { layout: 'diagonal', colour: 'red', resolveMarkers: 'perhaps' } }));
  assert.equal(error.code, 'AM_ERR_INVALID_ARGUMENT');
  assert.deepEqual(error.diagnostics.map((d) => d.where?.field).sort(), ['options.colour', 'options.layout', 'options.resolveMarkers']);
  const files = await host.export('edl', timeline, { values: { resolveMarkers: 'true', layout: 'combined' } });
  assert.deepEqual(files.map((f) => f.name), ['montage.edl', 'montage-markers.edl']);
  const badName = await rejection(host.export('edl', timeline, { baseName: '../escape' }));
  assert.equal(badName.where?.field, 'baseName');
  await host.disposeAsync();
});

test('the sample third-party extension adds an exporter through the public API and the host runs it', async () => {
  const logs: string[] = [];
  const host = await createExtensionHost({ userExtensionsDir: sampleExtensions, onLog: (id, message) => logs.push(`${id}: ${message}`) });
  assert.deepEqual(host.diagnostics, []);
  const info = host.listExporters().find((e) => e.id === 'csv-cuts');
  assert.deepEqual(info && { extensionId: info.extensionId, label: info.label, fileExtension: info.fileExtension }, {
    extensionId: 'sample-csv-exporter',
    label: 'Cut list (CSV)',
    fileExtension: '.csv',
  });
  const [file] = await host.export('csv-cuts', timeline, { baseName: 'cuts', values: { separator: ';' } });
  assert.equal(file?.name, 'cuts.csv');
  const rows = file!.contents.trimEnd().split('\r\n');
  assert.equal(rows[0], 'track;clip;media;sourceIn;sourceOut;recordIn;recordOut');
  // Four shots of 2, 1, 3, 2 bars (50 frames each at 25 fps) and the music under all eight bars.
  assert.deepEqual(rows.slice(1).map((r) => r.split(';').slice(5).map(Number)), [
    [0, 100],
    [100, 150],
    [150, 300],
    [300, 400],
    [0, 400],
  ]);
  assert.equal(rows[1]!.split(';')[3], String(25 * 12 * 60));
  assert.deepEqual(logs, ['sample-csv-exporter: csv-cuts exporter registered']);
  const invalid = await rejection(host.export('csv-cuts', { ...timeline, tracks: [] }));
  assert.equal(invalid.code, 'AM_ERR_TIMELINE_INVALID');
  assert.equal(invalid.where?.extension, 'sample-csv-exporter');
  await host.disposeAsync();
});

test('an extension without activate is reported with its id and the others keep working', async () => {
  const folder = extensionsFolder('no-activate', {
    lazy: { manifest: manifest('lazy-ext', exporterContribution('lazy')), code: 'export const notActivate = 1;\n' },
  });
  const host = await createExtensionHost({ userExtensionsDir: folder });
  const error = await rejection(host.export('lazy', timeline));
  assert.equal(error.code, 'AM_ERR_EXTENSION_ACTIVATION');
  assert.equal(error.where?.extension, 'lazy-ext');
  assert.match(error.message, /no activate\(\)/);
  assert.ok(host.diagnostics.some((d) => d.where?.extension === 'lazy-ext' && d.code === 'AM_ERR_EXTENSION_ACTIVATION'));
  assert.equal((await host.export('otio', timeline)).length, 1);
  await host.disposeAsync();
});

test('an activate that throws fails the extension once and for all, without taking the host down', async () => {
  const folder = extensionsFolder('throws', {
    thrower: { manifest: manifest('thrower', exporterContribution('boom')), code: "export function activate() { throw new Error('kaboom'); }\n" },
  });
  const host = await createExtensionHost({ userExtensionsDir: folder });
  const first = await rejection(host.export('boom', timeline));
  assert.equal(first.code, 'AM_ERR_EXTENSION_ACTIVATION');
  assert.equal(first.where?.extension, 'thrower');
  assert.match(first.message, /kaboom/);
  const second = await rejection(host.export('boom', timeline));
  assert.equal(second, first);
  assert.equal(host.listExtensions().find((e) => e.id === 'thrower')?.state, 'failed');
  assert.equal(host.diagnostics.filter((d) => d.where?.extension === 'thrower').length, 1);
});

test('a registered id the manifest does not declare is refused, and the declared id that was never registered is reported', async () => {
  const folder = extensionsFolder('undeclared', {
    sneaky: {
      manifest: manifest('sneaky', exporterContribution('declared')),
      code: "export function activate(context, api) { context.subscriptions.push(api.exporters.registerExporter('other', { export: () => [] })); }\n",
    },
  });
  const host = await createExtensionHost({ userExtensionsDir: folder });
  const error = await rejection(host.export('declared', timeline));
  assert.equal(error.code, 'AM_ERR_EXTENSION_ACTIVATION');
  assert.match(error.message, /did not register/);
  const messages = host.diagnostics.filter((d) => d.where?.extension === 'sneaky').map((d) => d.message);
  assert.ok(messages.some((m) => /registers exporter "other", which its package\.json does not declare/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => /declares exporter "declared" but its activate\(\) did not register it/.test(m)), messages.join('\n'));
  assert.equal(host.listExporters().some((e) => e.id === 'other'), false);
});

test('an id contributed twice belongs to the first extension and the second is reported as a duplicate', async () => {
  const folder = extensionsFolder('duplicate', {
    copycat: {
      manifest: manifest('copycat', { exporters: [{ id: 'otio', label: 'Fake OTIO', fileExtension: '.otio' }, { id: 'own', label: 'Own', fileExtension: '.own' }] }),
      code: `export function activate(context, api) {
  context.subscriptions.push(api.exporters.registerExporter('otio', { export: () => [{ name: 'fake.otio', contents: 'fake' }] }));
  context.subscriptions.push(api.exporters.registerExporter('own', { export: () => [{ name: 'x.own', contents: 'own' }] }));
}\n`,
    },
    'copycat-2': { manifest: manifest('copycat', exporterContribution('other')), code: 'export function activate() {}\n' },
  });
  const host = await createExtensionHost({ userExtensionsDir: folder });
  const duplicates = host.diagnostics.filter((d) => d.code === 'AM_ERR_EXTENSION_DUPLICATE_ID');
  assert.equal(duplicates.length, 2);
  assert.equal(duplicates[0]!.where?.field, 'contributes.exporters[0].id');
  assert.equal(duplicates[0]!.where?.extension, 'copycat');
  assert.match(duplicates[1]!.message, /extension "copycat" is already loaded/);
  assert.equal(host.listExporters().find((e) => e.id === 'otio')?.extensionId, 'otio');
  assert.deepEqual(await host.export('own', timeline), [{ name: 'x.own', contents: 'own' }]);
  assert.notEqual((await host.export('otio', timeline))[0]!.contents, 'fake');
  // The id stays with the built-in: its real OTIO document comes back, not the copy's.
  assert.deepEqual(await host.export('otio', timeline), [{ name: 'montage.otio', contents: writeOtio(timeline) }]);
  assert.ok(host.diagnostics.some((d) => d.code === 'AM_ERR_EXTENSION_DUPLICATE_ID' && /registers exporter "otio", which another extension owns/.test(d.message)));
  await host.disposeAsync();
});

test('an exporter that ignores cancellation is abandoned after the grace period with AM_ERR_EXTENSION_TIMEOUT', async () => {
  const host = await createExtensionHost({
    cancelGraceMs: 50,
    builtinExtensions: [
      memoryExtension('stubborn', exporterContribution('stubborn'), {
        activate: (context: ExtensionContext, api: AutoMontageApi) => {
          context.subscriptions.push(api.exporters.registerExporter('stubborn', { export: () => new Promise(() => {}) }));
        },
      }),
    ],
  });
  const source = new CancellationTokenSource();
  const started = Date.now();
  const pending = host.export('stubborn', timeline, {}, source.token);
  setTimeout(() => source.cancel(), 20);
  const error = await rejection(pending);
  assert.equal(error.code, 'AM_ERR_EXTENSION_TIMEOUT');
  assert.equal(error.where?.extension, 'stubborn');
  assert.ok(Date.now() - started < 2000);
  assert.ok(host.diagnostics.some((d) => d.code === 'AM_ERR_EXTENSION_TIMEOUT' && d.where?.extension === 'stubborn'));
});

test('an exporter that honours cancellation ends with a CancellationError, which is not reported as a failure', async () => {
  const host = await createExtensionHost({
    builtinExtensions: [
      memoryExtension('polite', exporterContribution('polite'), {
        activate: (context: ExtensionContext, api: AutoMontageApi) => {
          const exporter = {
            export: (_timeline: unknown, _options: unknown, token: { onCancellationRequested: (l: () => void) => unknown }) =>
              new Promise<never>((_, reject) => token.onCancellationRequested(() => reject(api.errors.cancelled()))),
          };
          context.subscriptions.push(api.exporters.registerExporter('polite', exporter as never));
        },
      }),
    ],
  });
  const source = new CancellationTokenSource();
  const pending = host.export('polite', timeline, {}, source.token);
  setTimeout(() => source.cancel(), 10);
  const error = await rejection(pending);
  assert.equal(error.code, 'AM_ERR_CANCELLED');
  assert.deepEqual(host.diagnostics, []);
  const already = await rejection(host.export('polite', timeline, {}, source.token));
  assert.equal(already.code, 'AM_ERR_CANCELLED');
});

test('an activate that never finishes times out, and an exporter that throws or returns bad files fails with its extension id', async () => {
  const host = await createExtensionHost({
    activationTimeoutMs: 50,
    builtinExtensions: [
      memoryExtension('sleepy', exporterContribution('sleepy'), { activate: () => new Promise<void>(() => {}) }),
      memoryExtension('broken', { exporters: [{ id: 'throws', label: 't', fileExtension: '.t' }, { id: 'escapes', label: 'e', fileExtension: '.e' }] }, {
        activate: (context: ExtensionContext, api: AutoMontageApi) => {
          context.subscriptions.push(
            api.exporters.registerExporter('throws', {
              export: () => {
                throw new TypeError('cannot read properties of undefined');
              },
            }),
            api.exporters.registerExporter('escapes', { export: () => [{ name: '../../etc/passwd', contents: '' }] }),
          );
        },
      }),
    ],
  });
  const slow = await rejection(host.export('sleepy', timeline));
  assert.equal(slow.code, 'AM_ERR_EXTENSION_TIMEOUT');
  assert.equal(slow.where?.extension, 'sleepy');
  const thrown = await rejection(host.export('throws', timeline));
  assert.equal(thrown.code, 'AM_ERR_EXTENSION_FAILED');
  assert.equal(thrown.where?.extension, 'broken');
  assert.match(thrown.message, /cannot read properties of undefined/);
  const escaped = await rejection(host.export('escapes', timeline));
  assert.equal(escaped.code, 'AM_ERR_EXTENSION_FAILED');
  assert.match(escaped.message, /not a plain file name/);
});

test('deactivation calls deactivate, disposes the subscriptions and removes the registrations', async () => {
  const events: string[] = [];
  const host: ExtensionHost = await createExtensionHost({
    builtinExtensions: [
      memoryExtension('tidy', exporterContribution('tidy'), {
        activate: (context: ExtensionContext, api: AutoMontageApi) => {
          context.subscriptions.push(api.exporters.registerExporter('tidy', { export: () => [{ name: 'a.txt', contents: 'a' }] }));
          context.subscriptions.push({ dispose: () => events.push('subscription disposed') });
        },
        deactivate: () => {
          events.push('deactivate');
        },
      }),
    ],
  });
  assert.equal((await host.export('tidy', timeline)).length, 1);
  await host.deactivate('tidy');
  assert.deepEqual(events, ['deactivate', 'subscription disposed']);
  assert.equal(host.listExtensions()[0]?.state, 'deactivated');
  const error = await rejection(host.export('tidy', timeline));
  assert.equal(error.code, 'AM_ERR_EXTENSION_ACTIVATION');
});

test('manifest problems in user folders are all reported with their file and field, and those extensions are not loaded', async () => {
  const folder = extensionsFolder('manifests', {
    'bad-json': { manifest: '{ "name": "bad-json", ' },
    'no-manifest': { manifest: {} },
    'old-engine': { manifest: manifest('old-engine', exporterContribution('old'), { engines: { 'auto-montage': '^2.0.0' } }), code: 'export function activate() {}' },
    'many-problems': {
      manifest: { name: 'Many Problems', version: 'one', engines: {}, contributes: { exporters: [{ id: 'Bad Id', fileExtension: 'xml' }], emotionEncoders: [{ id: 'e', kind: 'video' }] } },
    },
  });
  rmSync(join(folder, 'no-manifest', 'package.json'));
  const seen: string[] = [];
  const host = await createExtensionHost({ userExtensionsDir: folder, builtins: false, onDiagnostic: (d) => seen.push(d.message) });
  const byFile = (name: string) => host.diagnostics.filter((d) => d.where?.file === join(folder, name, 'package.json'));
  assert.equal(byFile('bad-json').length, 1);
  assert.match(byFile('bad-json')[0]!.message, /not valid JSON/);
  assert.match(byFile('no-manifest')[0]!.message, /has no package\.json/);
  assert.deepEqual(byFile('old-engine').map((d) => d.where?.field), ['engines.auto-montage']);
  assert.deepEqual(byFile('many-problems').map((d) => d.where?.field), [
    'name',
    'version',
    'engines.auto-montage',
    'contributes.exporters[0].id',
    'contributes.exporters[0].label',
    'contributes.exporters[0].fileExtension',
    'contributes.emotionEncoders[0].kind',
  ]);
  assert.ok(host.diagnostics.every((d) => d.code === 'AM_ERR_EXTENSION_MANIFEST'));
  assert.equal(seen.length, host.diagnostics.length);
  assert.deepEqual(host.listExtensions(), []);
});

const movie: MovieAnalysis = {
  schema: 'MovieAnalysis.1',
  media: { path: '/m.mov', sizeBytes: 1, durationSeconds: 1, formatName: 'mov' },
  shots: [
    { index: 0, range: { start: { value: 0, rate: RATES['25'] }, duration: { value: 10, rate: RATES['25'] } }, sceneIndex: 0, transitionIn: 'cut' },
    { index: 1, range: { start: { value: 10, rate: RATES['25'] }, duration: { value: 15, rate: RATES['25'] } }, sceneIndex: 0, transitionIn: 'cut' },
  ],
  scenes: [{ index: 0, firstShot: 0, shotCount: 2 }],
  features: [],
};
const vector = (encoderId: string) => ({ encoderId, values: [0, 0, 1, 0, 0, 0], valence: 0, arousal: 0, confidence: 1 });

test('emotion encoders, shot detectors and bar trackers are registered, checked against their declarations and wrapped', async () => {
  const host = await createExtensionHost({
    builtins: true,
    builtinExtensions: [
      memoryExtension(
        'stages',
        {
          emotionEncoders: [
            { id: 'flat-shots', kind: 'shot' },
            { id: 'short-shots', kind: 'shot' },
            { id: 'wrong-kind', kind: 'music' },
          ],
          shotDetectors: [{ id: 'one-shot' }],
          barTrackers: [{ id: 'broken-bars' }],
        },
        {
          activate: (context: ExtensionContext, api: AutoMontageApi) => {
            context.subscriptions.push(
              api.emotion.registerEncoder('flat-shots', { id: 'flat-shots', kind: 'shot', encodeShots: async (m) => m.shots.map(() => vector('flat-shots')) }),
              api.emotion.registerEncoder('short-shots', { id: 'short-shots', kind: 'shot', encodeShots: async () => [vector('short-shots')] }),
              api.emotion.registerEncoder('wrong-kind', { id: 'wrong-kind', kind: 'shot', encodeShots: async () => [] }),
              api.shots.registerDetector('one-shot', {
                id: 'one-shot',
                start: (video) => {
                  let frames = 0;
                  return {
                    push: () => void (frames += 1),
                    finish: () => [{ index: 0, range: { start: { value: 0, rate: video.rate }, duration: { value: frames, rate: video.rate } }, sceneIndex: 0, transitionIn: 'cut' as const }],
                  };
                },
              }),
              api.bars.registerTracker('broken-bars', {
                id: 'broken-bars',
                track: () => {
                  throw new RangeError('no beats');
                },
              }),
            );
          },
        },
      ),
    ],
  });
  assert.deepEqual(host.listEmotionEncoders().map((e) => [e.id, e.kind, e.extensionId]), [
    ['flat-shots', 'shot', 'stages'],
    ['short-shots', 'shot', 'stages'],
    ['wrong-kind', 'music', 'stages'],
  ]);
  const encoder = await host.getEmotionEncoder('flat-shots');
  assert.equal(encoder.kind, 'shot');
  const vectors = await (encoder.kind === 'shot' ? encoder.encodeShots(movie, new CancellationTokenSource().token) : Promise.reject(new Error('kind')));
  assert.equal(vectors.length, 2);
  const short = await host.getEmotionEncoder('short-shots');
  const shortError = await rejection(short.kind === 'shot' ? short.encodeShots(movie, new CancellationTokenSource().token) : Promise.resolve());
  assert.equal(shortError.code, 'AM_ERR_EXTENSION_FAILED');
  assert.match(shortError.message, /1 vectors for 2 shots/);
  const wrongKind = await rejection(host.getEmotionEncoder('wrong-kind'));
  assert.equal(wrongKind.code, 'AM_ERR_EXTENSION_ACTIVATION');
  assert.ok(host.diagnostics.some((d) => /its kind is "shot" but the manifest says "music"/.test(d.message)));

  const detector = await host.getShotDetector('one-shot');
  const sink = detector.start({ codec: 'h264', width: 4, height: 4, rate: RATES['25'], frameCount: 3, rotation: 0, variableFrameRate: false });
  for (let index = 0; index < 3; index += 1) sink.push({ index, width: 4, height: 4, data: new Uint8Array(48) });
  assert.equal(sink.finish()[0]?.range.duration.value, 3);

  const tracker = await host.getBarTracker('broken-bars');
  assert.throws(
    () => tracker.track(new Float32Array(10), 22050, {}, new CancellationTokenSource().token),
    (error: unknown) => error instanceof MontageError && error.code === 'AM_ERR_EXTENSION_FAILED' && error.where?.extension === 'stages' && /no beats/.test(error.message),
  );
  await host.disposeAsync();
});

test('a built-in exporter refusing a malformed timeline keeps AM_ERR_TIMELINE_INVALID and gains its extension id', async () => {
  const host = await createExtensionHost();
  const broken = { ...timeline, tracks: [{ kind: 'video' as const, name: 'V1', items: [{ kind: 'clip' as const, name: 'x', mediaId: 'nowhere', sourceRange: { start: { value: 0, rate: RATES['25'] }, duration: { value: 5, rate: RATES['25'] } } }] }] };
  for (const id of ['fcp7-xml', 'fcpxml', 'edl', 'otio']) {
    const error = await rejection(host.export(id, broken));
    assert.equal(error.code, 'AM_ERR_TIMELINE_INVALID', id);
    assert.equal(error.where?.extension, id);
    assert.equal(error.where?.field, 'tracks[0].items[0].mediaId');
  }
  await host.disposeAsync();
});

test('an error shaped like a MontageError from a foreign copy of core keeps its code', async () => {
  const host = await createExtensionHost({
    builtinExtensions: [
      memoryExtension('foreign', exporterContribution('foreign'), {
        activate: (context: ExtensionContext, api: AutoMontageApi) => {
          context.subscriptions.push(
            api.exporters.registerExporter('foreign', {
              export: () => {
                throw Object.assign(new Error('too many clips'), { code: 'AM_ERR_TIMELINE_INVALID', where: { field: 'tracks' } });
              },
            }),
          );
        },
      }),
    ],
  });
  const error = await rejection(host.export('foreign', timeline));
  assert.deepEqual([error.code, error.where?.field, error.where?.extension], ['AM_ERR_TIMELINE_INVALID', 'tracks', 'foreign']);
});
