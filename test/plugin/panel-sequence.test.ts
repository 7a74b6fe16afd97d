/** What the panel says about the clips the Premiere host could not use (the adapter skips them, each with a reason). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PanelController, skippedWarnings } from '../../plugin/src/panel-controller';
import { FakePremiereHost } from '../../plugin/src/testing/fake-premiere-host';
import { editSequence } from './support/fixtures';

test('clips left out of the sequence (offline, multicam, merged, reversed, unreadable) are listed in plain words', () => {
  const sequence = editSequence({
    skipped: [
      { kind: 'video', track: 0, name: 'cam.mov', reason: 'multicam' },
      { kind: 'audio', track: 1, name: 'song.ogg', reason: 'offline' },
      { kind: 'video', track: 2, name: 'odd.mov', reason: 'unreadable', detail: 'Illegal Parameter type' },
    ],
  });
  assert.deepEqual(skippedWarnings(sequence), [
    'Left out V1 “cam.mov”: a multicam clip.',
    'Left out A2 “song.ogg”: offline.',
    'Left out V3 “odd.mov”: unreadable (Illegal Parameter type).',
  ]);
  assert.deepEqual(skippedWarnings(editSequence()), []);
  assert.deepEqual(skippedWarnings(null), []);
});

test('Refresh shows the left-out clips under the sequence, and a sequence without them clears the list', async () => {
  const host = new FakePremiereHost({ sequences: [editSequence({ skipped: [{ kind: 'video', track: 0, name: 'cam.mov', reason: 'merged' }] })] });
  const controller = new PanelController({ host, socketFactory: () => { throw new Error('no socket in this test'); } });
  await controller.refreshSequence();
  assert.deepEqual(controller.state.warnings, ['Left out V1 “cam.mov”: a merged clip.']);
  host.updateSequence(editSequence());
  await controller.refreshSequence();
  assert.deepEqual(controller.state.warnings, []);
  controller.dispose();
});
