/**
 * Refine in place in the Premiere adapter, against a hand-made project that behaves like Premiere 26.3 where it
 * matters: every create*Action must run inside lockedAccess, actions run in order when the transaction executes,
 * an overwrite places the master clip's *current* in/out (so the adapter must set it first and put it back after),
 * importFiles puts new master clips into the bin it is given, and createSequence lands in the root bin.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostCut, PremiereHost } from '../../plugin/src/host';

const adapterPath = '../../plugin/src/uxp/uxp-premiere-host';
const { UxpPremiereHost } = (await import(adapterPath)) as { UxpPremiereHost: new (ppro: unknown, uxp: unknown) => PremiereHost };

const TPS = 254016000000n;
const ticks = (seconds: number) => (BigInt(seconds) * TPS).toString();

interface Bin {
  kind: 'bin';
  name: string;
  items: Item[];
}
interface Clip {
  kind: 'clip';
  name: string;
  path: string;
  in: string;
  out: string;
}
interface SequenceItem {
  kind: 'sequence';
  name: string;
  guid: string;
}
type Item = Bin | Clip | SequenceItem;

function mockProject() {
  let locked = false;
  const needLock = (what: string) => {
    if (!locked) throw new Error(`${what} outside lockedAccess`);
  };
  const root: Bin = { kind: 'bin', name: 'root', items: [] };
  const movie: Clip = { kind: 'clip', name: 'movie.mp4', path: '/m/movie.mp4', in: '0', out: ticks(600) };
  root.items.push(movie, { kind: 'sequence', name: 'Edit', guid: 'guid-edit' });
  const placed: { sequence: string; path: string; in: string; out: string; at: string; video: number; audio: number }[] = [];
  const markers: { sequence: string; name: string; start: string }[] = [];
  const transactions: { label: string; actions: number }[] = [];
  const log: string[] = [];
  type Run = () => void;
  const action = (run: Run) => ({ run });
  const binApi = (bin: Bin) =>
    Object.assign(bin, {
      getItems: async () => bin.items.map(itemApi),
      createBinAction: (name: string) => (needLock('createBinAction'), action(() => void bin.items.push({ kind: 'bin', name, items: [] }))),
      createMoveItemAction: (item: SequenceItem, to: Bin) =>
        (needLock('createMoveItemAction'),
        action(() => {
          for (const folder of allBins()) folder.items = folder.items.filter((other) => (other as SequenceItem).guid !== item.guid);
          to.items.push(item);
        })),
    });
  const clipApi = (clip: Clip) =>
    Object.assign(clip, {
      isSequence: async () => false,
      isOffline: async () => false,
      getMediaFilePath: async () => clip.path,
      getInPoint: async () => ({ ticks: clip.in }),
      getOutPoint: async () => ({ ticks: clip.out }),
      createSetInOutPointsAction: (a: { ticks: string }, b: { ticks: string }) =>
        (needLock('createSetInOutPointsAction'),
        action(() => {
          clip.in = a.ticks;
          clip.out = b.ticks;
        })),
    });
  const itemApi = (item: Item) => (item.kind === 'bin' ? binApi(item) : item.kind === 'clip' ? clipApi(item) : item);
  const allBins = (from: Bin = root): Bin[] => [from, ...from.items.filter((item): item is Bin => item.kind === 'bin').flatMap((bin) => allBins(bin))];
  const sequences = [{ guid: { toString: () => 'guid-edit' }, name: 'Edit', getSettings: async () => ({ settings: 'edit' }) }];
  let nextGuid = 1;
  const project = {
    getRootItem: async () => binApi(root),
    getSequences: async () => [...sequences],
    getActiveSequence: async () => sequences[0],
    importFiles: async (paths: string[], _suppress: boolean, bin: Bin) => {
      log.push(`import ${paths.join(',')} into ${bin.name}`);
      for (const path of paths) bin.items.push({ kind: 'clip', name: path.split('/').pop()!, path, in: '0', out: ticks(30) });
      return true;
    },
    createSequence: async (name: string) => {
      const guid = `guid-new-${nextGuid++}`;
      const item: SequenceItem = { kind: 'sequence', name, guid };
      root.items.push(item);
      const sequence = {
        guid: { toString: () => guid },
        name,
        getProjectItem: async () => item,
        createSetSettingsAction: (settings: unknown) => (needLock('createSetSettingsAction'), action(() => log.push(`settings ${JSON.stringify(settings)} on ${name}`))),
      };
      sequences.push(sequence as never);
      return sequence;
    },
    lockedAccess: (callback: () => void) => {
      locked = true;
      try {
        callback();
      } finally {
        locked = false;
      }
    },
    executeTransaction: (callback: (compound: { addAction(a: { run: Run }): boolean }) => void, label: string) => {
      if (!locked) throw new Error('executeTransaction outside lockedAccess');
      const actions: { run: Run }[] = [];
      callback({ addAction: (a) => (actions.push(a), true) });
      for (const a of actions) a.run(); // in order, when the transaction executes
      transactions.push({ label, actions: actions.length });
      return true;
    },
  };
  const ppro = {
    Project: { getActiveProject: async () => project },
    FolderItem: { cast: (item: Item) => (item.kind === 'bin' ? binApi(item) : null) },
    ClipProjectItem: { cast: (item: Item) => (item.kind === 'clip' ? clipApi(item) : null) },
    ProjectItem: { cast: (item: unknown) => item },
    SequenceEditor: {
      getEditor: (sequence: { name: string; guid: { toString(): string } }) => ({
        createOverwriteItemAction: (clip: Clip, at: { ticks: string }, video: number, audio: number) =>
          (needLock('createOverwriteItemAction'),
          // Premiere places the project item's in/out as they are when the action runs.
          action(() => void placed.push({ sequence: sequence.guid.toString(), path: clip.path, in: clip.in, out: clip.out, at: at.ticks, video, audio }))),
      }),
    },
    Markers: {
      getMarkers: async (sequence: { guid: { toString(): string } }) => ({
        createAddMarkerAction: (name: string, _type: string, start: { ticks: string }) => (needLock('createAddMarkerAction'), action(() => void markers.push({ sequence: sequence.guid.toString(), name, start: start.ticks }))),
      }),
    },
    Marker: { MARKER_TYPE_COMMENT: 'Comment' },
    SourceMonitor: {
      openProjectItem: async (item: Clip) => (log.push(`monitor item ${item.path}`), true),
      openFilePath: async (path: string) => (log.push(`monitor file ${path}`), true),
      setPosition: async (at: { ticks: string }) => (log.push(`monitor at ${at.ticks}`), true),
    },
    TickTime: { createWithTicks: (value: string) => ({ ticks: value }) },
    Constants: { TrackItemType: { CLIP: 1 }, MediaType: { ANY: 0, DATA: 1, VIDEO: 2, AUDIO: 3 } },
  };
  const uxp = { storage: { localFileSystem: {}, formats: {}, secureStorage: {} }, entrypoints: {} };
  return { ppro, uxp, root, movie, placed, markers, transactions, log, allBins };
}

function cut(version: number): HostCut {
  return {
    name: `Auto-Montage v${version} · song · 2 scenes · bars`,
    binName: 'Auto-Montage',
    templateSequenceId: 'guid-edit',
    undoLabel: `Auto-Montage: v${version}`,
    clips: [
      { kind: 'video', track: 0, mediaPath: '/m/movie.mp4', srcInTicks: ticks(10), srcOutTicks: ticks(14), startTicks: '0' },
      { kind: 'video', track: 0, mediaPath: '/m/movie.mp4', srcInTicks: ticks(30), srcOutTicks: ticks(36), startTicks: ticks(4) },
      { kind: 'audio', track: 0, mediaPath: '/data/media/song-abc.wav', srcInTicks: ticks(4), srcOutTicks: ticks(14), startTicks: '0' },
    ],
    markers: [
      { name: 'Bar 1', startTicks: '0' },
      { name: 'Bar 2', startTicks: ticks(2) },
    ],
  };
}

test('a cut is built from the project’s own master clips in one transaction: in/out set before each overwrite and put back after, markers added, the sequence moved into the versions bin', async () => {
  const mock = mockProject();
  const host = new UxpPremiereHost(mock.ppro, mock.uxp);
  assert.ok(host.buildCut);
  const { sequenceId } = await host.buildCut(cut(1));
  assert.equal(sequenceId, 'guid-new-1');
  // The bin was made (its own small transaction), the missing WAV imported into it, the movie's clip reused.
  const bin = mock.root.items.find((item): item is Bin => item.kind === 'bin' && item.name === 'Auto-Montage')!;
  assert.ok(bin);
  assert.deepEqual(mock.log.filter((line) => line.startsWith('import')), ['import /data/media/song-abc.wav into Auto-Montage']);
  assert.deepEqual(mock.transactions, [
    { label: 'Auto-Montage: Auto-Montage bin', actions: 1 },
    { label: 'Auto-Montage: v1', actions: 1 + 1 + 3 * 2 + 2 + 2 },
  ]);
  assert.deepEqual(
    mock.placed.map((p) => [p.path, p.in, p.out, p.at, p.video, p.audio]),
    [
      ['/m/movie.mp4', ticks(10), ticks(14), '0', 0, 1],
      ['/m/movie.mp4', ticks(30), ticks(36), ticks(4), 0, 1],
      ['/data/media/song-abc.wav', ticks(4), ticks(14), '0', -1, 0],
    ],
  );
  assert.deepEqual([mock.movie.in, mock.movie.out], ['0', ticks(600)], 'the editor’s master clip keeps its own in/out');
  assert.deepEqual(mock.markers.map((m) => [m.sequence, m.name, m.start]), [
    ['guid-new-1', 'Bar 1', '0'],
    ['guid-new-1', 'Bar 2', ticks(2)],
  ]);
  assert.ok(mock.log.includes('settings {"settings":"edit"} on Auto-Montage v1 · song · 2 scenes · bars'), 'the editor’s sequence settings');
  assert.ok(bin.items.some((item) => item.kind === 'sequence' && item.guid === 'guid-new-1'), 'the version sits in the bin');
  assert.ok(!mock.root.items.some((item) => item.kind === 'sequence' && item.guid === 'guid-new-1'), 'not at the root');
});

test('a second version reuses the bin and every master clip: no second bin, no second import, one new transaction', async () => {
  const mock = mockProject();
  const host = new UxpPremiereHost(mock.ppro, mock.uxp);
  await host.buildCut!(cut(1));
  await host.buildCut!(cut(2));
  assert.equal(mock.allBins().filter((bin) => bin.name === 'Auto-Montage').length, 1);
  assert.equal(mock.log.filter((line) => line.startsWith('import')).length, 1);
  const clips = mock.allBins().flatMap((bin) => bin.items.filter((item): item is Clip => item.kind === 'clip').map((clip) => clip.path));
  assert.deepEqual(clips.sort(), ['/data/media/song-abc.wav', '/m/movie.mp4']);
  assert.deepEqual(mock.transactions.map((t) => t.label), ['Auto-Montage: Auto-Montage bin', 'Auto-Montage: v1', 'Auto-Montage: v2']);
});

test('the Source Monitor opens the project’s master clip of a file at a time, or the file itself when the project has none', async () => {
  const mock = mockProject();
  const host = new UxpPremiereHost(mock.ppro, mock.uxp);
  assert.equal(await host.showInSourceMonitor!('/m/movie.mp4', ticks(30)), true);
  assert.equal(await host.showInSourceMonitor!('/m/other.mov', ticks(2)), true);
  assert.deepEqual(mock.log, ['monitor item /m/movie.mp4', `monitor at ${ticks(30)}`, 'monitor file /m/other.mov', `monitor at ${ticks(2)}`]);
});
