/**
 * The Premiere adapter against a hand-made `premierepro` module that behaves like Premiere 26.3 where it
 * matters: action creation outside lockedAccess throws, importFiles with an undefined bin throws, imported
 * sequences appear a moment after importFiles resolves, getTrackItems is sync. The mock is typed loosely on
 * purpose; the adapter itself is type-checked against @adobe/premierepro by plugin/tsconfig*.json.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostMarker, HostSequence, ImportResult, PremiereHost } from '../../plugin/src/host';

interface AdapterModule {
  UxpPremiereHost: new (ppro: unknown, uxp: unknown) => PremiereHost;
  registerPanels: (panels: Record<string, { create(root: unknown): void }>, uxp: unknown) => void;
}
// Loaded by path: the adapter's `import type … from 'uxp'` resolves only under plugin/tsconfig.json.
const adapterPath = '../../plugin/src/uxp/uxp-premiere-host';
const { UxpPremiereHost, registerPanels } = (await import(adapterPath)) as AdapterModule;

const TPS = 254016000000;
const t = (seconds: number) => ({ ticks: String(Math.round(seconds * TPS)), seconds });

interface MockOptions {
  readonly nullBinThrows?: boolean;
  readonly importDelayMs?: number;
  /** Premiere 25.6: SequenceSettings has no getVideoFrameRate (26.2+). */
  readonly noVideoFrameRate?: boolean;
  /** Per media path: offline, multicam, merged. */
  readonly media?: Readonly<Record<string, { offline?: boolean; multicam?: boolean; merged?: boolean }>>;
  /** Speed of the music clip (A2). */
  readonly musicSpeed?: number;
  /** A clip whose getInPoint throws (an odd item). */
  readonly brokenClip?: boolean;
  /** The timeline selection: [track index, start seconds, name] of each selected item; 'throws': getSelection fails. */
  readonly selection?: readonly (readonly [number, number, string])[] | 'throws';
}

function mockPremiere(options: MockOptions = {}) {
  const log: string[] = [];
  let locked = false;
  const markers: { name: string; type: string; start: string; duration: string; comment: string }[] = [];
  const colours: { colourOf: string; index: number }[] = [];
  const clipItem = (path: string) => ({
    kind: 'clip',
    isSequence: async () => false,
    getMediaFilePath: async () => path,
    isOffline: async () => options.media?.[path]?.offline === true,
    isMulticamClip: async () => options.media?.[path]?.multicam === true,
    isMergedClip: async () => options.media?.[path]?.merged === true,
  });
  const trackItem = (path: string, start: number, end: number, sourceIn: number, disabled = false, speed = 1, broken = false) => ({
    getProjectItem: async () => ({ path }),
    getStartTime: async () => t(start),
    getEndTime: async () => t(end),
    getInPoint: async () => {
      if (broken) throw new Error('Illegal Parameter type');
      return t(sourceIn);
    },
    // Premiere's out point of a sped-up clip is not in + played length × speed; the adapter maps it.
    getOutPoint: async () => t(sourceIn + end - start),
    getName: async () => path.split('/').pop(),
    isDisabled: async () => disabled,
    getSpeed: async () => speed,
    isSpeedReversed: async () => false,
  });
  const makeSequence = (guid: string, name: string) => ({
    guid: { toString: () => guid },
    name,
    getTimebase: async () => String(TPS / 25),
    getSettings: async () => (options.noVideoFrameRate ? {} : { getVideoFrameRate: () => ({ value: 25, ticksPerFrame: TPS / 25 }) }),
    getFrameSize: async () => ({ width: 1280, height: 720 }),
    getEndTime: async () => t(30),
    getInPoint: async () => t(5),
    getOutPoint: async () => t(25),
    ...(options.selection
      ? {
          getSelection: async () => {
            if (options.selection === 'throws') throw new Error('Illegal Parameter type');
            // Other wrapper objects than the tracks' items, as in Premiere: only their values can be compared.
            return { getTrackItems: async () => (options.selection as readonly (readonly [number, number, string])[]).map(([track, start, name]) => ({ getTrackIndex: async () => track, getStartTime: async () => t(start), getName: async () => name })) };
          },
        }
      : {}),
    getVideoTrackCount: async () => 1,
    getAudioTrackCount: async () => 2,
    getVideoTrack: async () => ({
      getTrackItems: (type: number) =>
        type === 1
          ? [trackItem('/m/movie.mp4', 0, 20, 100), trackItem('/m/movie.mp4', 20, 30, 300, true), ...(options.brokenClip ? [trackItem('/m/odd.mov', 30, 31, 0, false, 1, true)] : []), ...(options.media?.['/m/cam.mov'] ? [trackItem('/m/cam.mov', 31, 32, 0)] : [])]
          : [],
    }),
    getAudioTrack: async (index: number) => ({ getTrackItems: (type: number) => (type === 1 ? (index === 1 ? [trackItem('/m/song.wav', 0, 30, 0, false, options.musicSpeed ?? 1)] : []) : []) }),
  });
  const sequences = [makeSequence('guid-edit', 'Edit')];
  const project = {
    getActiveSequence: async () => sequences[0],
    getSequences: async () => [...sequences],
    getRootItem: async () => ({ root: true }),
    importFiles: async (paths: string[], suppressUI: boolean, bin: unknown, stills: boolean) => {
      log.push(`importFiles ${JSON.stringify(paths)} ${suppressUI} ${bin === null ? 'null' : JSON.stringify(bin)} ${stills}`);
      if (bin === undefined) throw new Error('Illegal Parameter type');
      if (bin === null && options.nullBinThrows) throw new Error('Illegal Parameter type');
      // The new sequence shows up a little after the promise resolves.
      setTimeout(() => sequences.push(makeSequence('guid-new', 'Auto-montage')), options.importDelayMs ?? 0);
      return true;
    },
    openSequence: async (sequence: { name: string }) => (log.push(`open ${sequence.name}`), true),
    setActiveSequence: async (sequence: { name: string }) => (log.push(`activate ${sequence.name}`), true),
    lockedAccess: (callback: () => void) => {
      locked = true;
      try {
        callback();
      } finally {
        locked = false;
      }
    },
    executeTransaction: (callback: (compound: { addAction(action: unknown): boolean }) => void, label: string) => {
      if (!locked) throw new Error('executeTransaction outside lockedAccess');
      const actions: unknown[] = [];
      callback({ addAction: (action) => (actions.push(action), true) });
      log.push(`transaction "${label}" with ${actions.length} actions`);
      for (const action of actions) {
        if ('colourOf' in (action as object)) colours.push(action as { colourOf: string; index: number });
        else markers.push(action as (typeof markers)[number]);
      }
      return true;
    },
  };
  const ppro = {
    Project: { getActiveProject: async () => project },
    ClipProjectItem: { cast: (item: { path?: string }) => (item.path ? clipItem(item.path) : null) },
    ProjectItem: { cast: (item: unknown) => ({ castFrom: item }) },
    Markers: {
      getMarkers: async () => ({
        getMarkers: () =>
          markers.map((marker) => ({
            getName: () => marker.name,
            getStart: () => ({ ticks: marker.start }),
            createSetColorByIndexAction: (index: number) => {
              if (!locked) throw new Error('createSetColorByIndexAction outside lockedAccess');
              return { colourOf: marker.name, index };
            },
          })),
        createAddMarkerAction: (name: string, type: string, start: { ticks: string }, duration: { ticks: string }, comment: string) => {
          // Premiere 26.3: every create*Action call must run inside lockedAccess.
          if (!locked) throw new Error('createAddMarkerAction outside lockedAccess');
          return { name, type, start: start.ticks, duration: duration.ticks, comment };
        },
      }),
    },
    Marker: { MARKER_TYPE_COMMENT: 'Comment' },
    TickTime: { createWithTicks: (ticks: string) => ({ ticks }) },
    Constants: { TrackItemType: { EMPTY: 0, CLIP: 1 }, MarkerColor: { GREEN: 0, RED: 1, MAGNETA: 2, ORANGE: 3, YELLOW: 4, BLUE: 5, CYAN: 6 } },
  };
  const written: { name: string; text: string }[] = [];
  const setups: unknown[] = [];
  const uxp = {
    storage: {
      formats: { utf8: Symbol('utf8') },
      localFileSystem: {
        getTemporaryFolder: async () => ({
          createFile: async (name: string, opts: { overwrite: boolean }) => {
            assert.equal(opts.overwrite, true);
            return { nativePath: `/tmp/uxp/${name}`, write: async (text: string) => void written.push({ name, text }) };
          },
        }),
        getFileForOpening: async () => ({ nativePath: '/Users/me/Music/song.mp3' }),
      },
    },
    entrypoints: { setup: (config: unknown) => void setups.push(config) },
  };
  return { ppro, uxp, log, markers, colours, written, setups, sequences };
}

test('the active sequence is read as plain data: format, in/out, clips with media paths and tick strings', async () => {
  const mock = mockPremiere();
  const host = new UxpPremiereHost(mock.ppro, mock.uxp);
  const sequence = (await host.getActiveSequence()) as HostSequence;
  assert.equal(sequence.id, 'guid-edit');
  assert.equal(sequence.fps, 25);
  assert.equal(sequence.ticksPerFrame, TPS / 25);
  assert.deepEqual([sequence.width, sequence.height], [1280, 720]);
  assert.deepEqual([sequence.inTicks, sequence.outTicks], [String(5 * TPS), String(25 * TPS)]);
  assert.deepEqual(
    sequence.clips.map((c) => [c.kind, c.track, c.mediaPath, c.srcInTicks, c.startTicks, c.endTicks, c.disabled]),
    [
      ['video', 0, '/m/movie.mp4', String(100 * TPS), '0', String(20 * TPS), false],
      ['video', 0, '/m/movie.mp4', String(300 * TPS), String(20 * TPS), String(30 * TPS), true],
      ['audio', 1, '/m/song.wav', '0', '0', String(30 * TPS), false],
    ],
  );
});

test('the clips selected on the timeline are marked selected; without a selection or its API none is', async () => {
  const read = async (selection?: MockOptions['selection']) => {
    const mock = mockPremiere(selection ? { selection } : {});
    const sequence = (await new UxpPremiereHost(mock.ppro, mock.uxp).getActiveSequence()) as HostSequence;
    return sequence.clips.map((c) => [c.kind, c.startTicks, c.selected === true]);
  };
  assert.deepEqual(await read([[0, 20, 'movie.mp4']]), [
    ['video', '0', false],
    ['video', String(20 * TPS), true],
    ['audio', '0', false],
  ]);
  for (const none of [undefined, 'throws' as const]) assert.ok((await read(none)).every(([, , selected]) => !selected), `selection ${String(none)}`);
});

test('an import passes a null bin, waits for the new sequence and reports it by guid', async () => {
  const mock = mockPremiere({ importDelayMs: 300 });
  const host = new UxpPremiereHost(mock.ppro, mock.uxp);
  const path = await host.writeTempFile('cut.xml', '<xmeml/>');
  assert.equal(path, '/tmp/uxp/cut.xml');
  assert.deepEqual(mock.written, [{ name: 'cut.xml', text: '<xmeml/>' }]);
  const result = (await host.importTimeline(path)) as ImportResult;
  assert.deepEqual(result.newSequenceIds, ['guid-new']);
  assert.deepEqual(mock.log, ['importFiles ["/tmp/uxp/cut.xml"] true null false']);
  assert.equal(await host.openSequence('guid-new'), true);
  assert.deepEqual(mock.log.slice(1), ['open Auto-montage', 'activate Auto-montage']);
});

test('an import falls back to the root bin where a null bin is refused', async () => {
  const mock = mockPremiere({ nullBinThrows: true });
  const host = new UxpPremiereHost(mock.ppro, mock.uxp);
  const result = await host.importTimeline('/tmp/cut.xml');
  assert.deepEqual(result.newSequenceIds, ['guid-new']);
  assert.equal(mock.log.length, 2);
  assert.match(mock.log[1] ?? '', /{"castFrom":{"root":true}}/);
});

test('markers are added in one transaction inside lockedAccess, as Premiere 26.3 requires, and read back', async () => {
  const mock = mockPremiere();
  const host = new UxpPremiereHost(mock.ppro, mock.uxp);
  const markers: HostMarker[] = [
    { name: 'Bar 1', startTicks: '0', comment: 'Shot 4' },
    { name: 'Bar 2', startTicks: String(2 * TPS), durationTicks: '0' },
  ];
  assert.equal(await host.addMarkers('guid-edit', markers), true);
  assert.deepEqual(mock.log, ['transaction "Auto-montage: bar markers" with 2 actions']);
  assert.deepEqual(mock.markers, [
    { name: 'Bar 1', type: 'Comment', start: '0', duration: '0', comment: 'Shot 4' },
    { name: 'Bar 2', type: 'Comment', start: String(2 * TPS), duration: '0', comment: '' },
  ]);
  assert.deepEqual(await host.getMarkers?.('guid-edit'), [
    { name: 'Bar 1', startTicks: '0' },
    { name: 'Bar 2', startTicks: String(2 * TPS) },
  ]);
  await assert.rejects(host.addMarkers('guid-missing', markers), /no longer in the project/);
});

test('the music file picker returns the native path, and the panel registers under its manifest id', async () => {
  const mock = mockPremiere();
  const host = new UxpPremiereHost(mock.ppro, mock.uxp);
  assert.equal(await host.pickFile?.(['mp3']), '/Users/me/Music/song.mp3');
  registerPanels({ 'automontage.panel': { create() {} } }, mock.uxp);
  assert.deepEqual(Object.keys((mock.setups[0] as { panels: object }).panels), ['automontage.panel']);
});

test('no open project reads as "no sequence", and writes that need a project say so', async () => {
  const mock = mockPremiere();
  const ppro = { ...mock.ppro, Project: { getActiveProject: async () => null } };
  const host = new UxpPremiereHost(ppro, mock.uxp);
  assert.equal(await host.getActiveSequence(), null);
  await assert.rejects(host.importTimeline('/tmp/x.xml'), /No Premiere project is open/);
});

test('Premiere 25.6 (no getVideoFrameRate) reads the rate from the timebase; offline, multicam and broken clips are skipped with a reason, the rest read', async () => {
  const mock = mockPremiere({ noVideoFrameRate: true, brokenClip: true, media: { '/m/cam.mov': { multicam: true }, '/m/song.wav': { offline: true } } });
  const host = new UxpPremiereHost(mock.ppro, mock.uxp);
  const sequence = (await host.getActiveSequence()) as HostSequence;
  assert.equal(sequence.fps, 25, 'from 254016000000 / timebase');
  assert.deepEqual(sequence.clips.map((c) => c.mediaPath), ['/m/movie.mp4', '/m/movie.mp4']);
  assert.deepEqual(
    sequence.skipped?.map((s) => [s.kind, s.track, s.name, s.reason]),
    [
      ['video', 0, 'odd.mov', 'unreadable'],
      ['video', 0, 'cam.mov', 'multicam'],
      ['audio', 1, 'song.wav', 'offline'],
    ],
  );
  assert.match(sequence.skipped?.[0]?.detail ?? '', /Illegal Parameter type/);
});

test('a music clip at 200 % plays twice its length of source: the source out point follows getSpeed()', async () => {
  const mock = mockPremiere({ musicSpeed: 2 });
  const host = new UxpPremiereHost(mock.ppro, mock.uxp);
  const music = ((await host.getActiveSequence()) as HostSequence).clips.find((clip) => clip.kind === 'audio')!;
  assert.equal(music.speed, 2);
  assert.deepEqual([music.srcInTicks, music.srcOutTicks, music.startTicks, music.endTicks], ['0', String(60 * TPS), '0', String(30 * TPS)]);
});

test('markers coloured by fit get their colour in a second small transaction, once the markers exist', async () => {
  const mock = mockPremiere();
  const host = new UxpPremiereHost(mock.ppro, mock.uxp);
  assert.equal(
    await host.addMarkers('guid-edit', [
      { name: 'Bar 1', startTicks: '0', colour: 'green' },
      { name: 'Bar 2', startTicks: String(2 * TPS), colour: 'red' },
      { name: 'Bar 3', startTicks: String(4 * TPS) },
    ]),
    true,
  );
  assert.deepEqual(mock.log, ['transaction "Auto-montage: bar markers" with 3 actions', 'transaction "Auto-Montage: marker colours" with 2 actions']);
  assert.deepEqual(mock.colours, [
    { colourOf: 'Bar 1', index: 0 },
    { colourOf: 'Bar 2', index: 1 },
  ]);
});
