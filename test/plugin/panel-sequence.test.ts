/** What the panel says about the clips the Premiere host could not use (the adapter skips them, each with a reason). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PanelController, skippedWarnings } from '../../plugin/src/panel-controller';
import { FakePremiereHost } from '../../plugin/src/testing/fake-premiere-host';
import { footageSummary } from '../../plugin/src/footage-summary';
import { clip, editSequence, ticks } from './support/fixtures';

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

test('the panel lists the montage’s footage by file: clips and selected time, the most used first, stills left out', () => {
  const sequence = editSequence({
    clips: [
      ...editSequence().clips,
      clip({ kind: 'video', track: 1, mediaPath: 'C:\\rushes\\b-roll.mov', srcInTicks: ticks(0), srcOutTicks: ticks(8), startTicks: ticks(50), endTicks: ticks(58) }),
      clip({ kind: 'video', track: 1, mediaPath: '/media/interview.mxf', srcInTicks: ticks(100), srcOutTicks: ticks(130), startTicks: ticks(58), endTicks: ticks(88) }),
      clip({ kind: 'video', track: 1, mediaPath: '/media/off.mov', srcInTicks: ticks(0), srcOutTicks: ticks(99), startTicks: ticks(0), endTicks: ticks(99), disabled: true }),
    ],
  });
  const summary = footageSummary(sequence)!;
  // movie.mp4: 20 s + 30 s in two clips; interview 30 s in one; b-roll 8 s; the logo (a still) and the disabled clip are not footage.
  assert.deepEqual(summary.files.map((f) => [f.name, f.clipCount, f.seconds]), [['movie.mp4', 2, 50], ['interview.mxf', 1, 30], ['b-roll.mov', 1, 8]]);
  assert.equal(summary.selected, false);

  // With clips selected, only those: the count follows the selection.
  const selected = editSequence({ clips: sequence.clips.map((c) => (c.mediaPath.endsWith('b-roll.mov') || c.srcInTicks === ticks(40) ? { ...c, selected: true } : c)) });
  const picked = footageSummary(selected)!;
  assert.deepEqual(picked.files.map((f) => [f.name, f.clipCount, f.seconds]), [['movie.mp4', 1, 30], ['b-roll.mov', 1, 8]]);
  assert.equal(picked.selected, true);

  assert.equal(footageSummary(editSequence({ clips: [] })), undefined, 'no footage: nothing to list');
});
