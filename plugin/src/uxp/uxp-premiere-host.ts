/**
 * The one adapter over Premiere Pro's UXP API (`require('premierepro')`, 25.6+) and UXP (`require('uxp')`):
 * the only file of the plugin that touches either. It turns Premiere objects into the plain data of
 * {@link PremiereHost} and back. Notes from ../shared/docs/premiere-uxp.md, kept at the lines they concern:
 *   - Every API is awaited, even ones the d.ts says are sync: their sync/async shape changed between releases.
 *   - Since 26.3 every create*Action call must run inside `project.lockedAccess`.
 *   - `importFiles` with `undefined` as the bin throws "Illegal Parameter type"; pass null.
 * Types: `import type` only (the packages ship no JS); the values come from `require` at run time, which the
 * esbuild bundle leaves external.
 */
import type {
  Action,
  AudioClipTrackItem,
  ClipProjectItem,
  FolderItem,
  Marker,
  Markers,
  Project,
  ProjectItem,
  Sequence,
  TickTime,
  VideoClipTrackItem,
  premierepro,
} from '@adobe/premierepro';
import type { entrypoints as UxpEntrypoints, storage as UxpStorage } from 'uxp';
import type { HostClip, HostCut, HostMarker, HostSequence, ImportResult, PremiereHost, SecretStore, SkippedClip } from '../host';
import { secretsOverSecureStorage, type SecureStorageLike } from '../secure-secrets';
import { TICKS_PER_SECOND } from '../ticks';

// UXP is CommonJS; `require` exists at run time. Declared here so this file needs no @types/node.
declare const require: (id: 'premierepro' | 'uxp') => unknown;
// UXP has timers, but @adobe/cc-ext-uxp-types does not declare them.
declare function setTimeout(callback: () => void, ms: number): unknown;

/** The parts of `require('uxp')` we use. The d.ts declares `storage` as a namespace without `localFileSystem`. */
interface UxpModule {
  readonly storage: {
    readonly localFileSystem: UxpStorage.FileSystemProvider;
    readonly formats: typeof UxpStorage.formats;
    readonly secureStorage: SecureStorageLike;
  };
  readonly entrypoints: typeof UxpEntrypoints;
}

/** How long to wait for an imported sequence to appear in `getSequences()` after `importFiles` resolves. */
const IMPORT_SETTLE_MS = 5000;
const IMPORT_POLL_MS = 250;

function loadPremiere(): premierepro {
  return require('premierepro') as premierepro;
}

function loadUxp(): UxpModule {
  return require('uxp') as UxpModule;
}

/** A failure of the host, with a sentence the panel can show as is. */
export class HostError extends Error {
  override readonly name = 'HostError';
}

export class UxpPremiereHost implements PremiereHost {
  readonly kind = 'premiere' as const;
  readonly secrets: SecretStore;
  private readonly ppro: premierepro;
  private readonly uxp: UxpModule;

  constructor(ppro: premierepro = loadPremiere(), uxp: UxpModule = loadUxp()) {
    this.ppro = ppro;
    this.uxp = uxp;
    this.secrets = secretsOverSecureStorage(uxp.storage.secureStorage);
  }

  async getActiveSequence(): Promise<HostSequence | null> {
    // getActiveProject can resolve null right after a project opens (adb-mcp issue #21).
    const project = await this.ppro.Project.getActiveProject();
    if (!project) return null;
    const sequence = await project.getActiveSequence();
    if (!sequence) return null;
    return this.snapshot(sequence);
  }

  async writeTempFile(name: string, text: string): Promise<string> {
    const folder = await this.uxp.storage.localFileSystem.getTemporaryFolder();
    const file = await folder.createFile(name, { overwrite: true });
    await file.write(text, { format: this.uxp.storage.formats.utf8 });
    return String(file.nativePath);
  }

  async importTimeline(path: string, options: { readonly binName?: string } = {}): Promise<ImportResult> {
    const project = await this.requireProject();
    const before = new Set((await project.getSequences()).map((sequence) => guidOf(sequence)));
    const bin = options.binName ? await this.ensureBin(project, options.binName) : null;
    let imported: boolean;
    try {
      // The bin must be null, not undefined (AdobeDocs/uxp-premiere-pro-samples issue #75). The d.ts does not
      // admit null, hence the cast.
      imported = await project.importFiles([path], true, bin ? this.ppro.ProjectItem.cast(bin) : (null as unknown as ProjectItem), false);
    } catch {
      // Some builds reject null as well: fall back to the root bin, which is typed.
      const root = this.ppro.ProjectItem.cast(await project.getRootItem());
      imported = await project.importFiles([path], true, root, false);
    }
    if (!imported) throw new HostError(`Premiere could not import ${path}.`);
    // The import may finish after the promise resolves; wait until the new sequence shows up.
    const deadline = Date.now() + IMPORT_SETTLE_MS;
    for (;;) {
      const created = (await project.getSequences()).map((sequence) => guidOf(sequence)).filter((id) => !before.has(id));
      if (created.length > 0 || Date.now() >= deadline) return { newSequenceIds: created };
      await delay(IMPORT_POLL_MS);
    }
  }

  /**
   * Refine in place. Every await happens first (bin, master clips, the new sequence, its editor and markers);
   * then one lockedAccess + executeTransaction holds every edit: the sequence takes the template's settings, each
   * clip is an overwrite of its master clip with the clip's in/out set on the master clip just before (the edit
   * places the project item's current in/out), each master clip's own in/out is put back after, and the bar
   * markers are added. One transaction is one undo step. *Note*: unverified on a host whether overwrite honours
   * an in/out set earlier in the same transaction (../shared/docs/premiere-uxp.md §9.5); the panel falls back to
   * the xmeml import when this throws.
   */
  async buildCut(cut: HostCut): Promise<{ readonly sequenceId: string }> {
    const project = await this.requireProject();
    const { TickTime: Ticks, Marker, Constants } = this.ppro;
    const bin = await this.ensureBin(project, cut.binName);
    const paths = [...new Set(cut.clips.map((clip) => clip.mediaPath))];
    let masters = await this.masterClipsByPath(project);
    const missing = paths.filter((path) => !masters.has(path));
    if (missing.length > 0) {
      // Media the project lacks (the music's WAV copy, say) is imported once, into the versions bin.
      const imported = await project.importFiles(missing, true, this.ppro.ProjectItem.cast(bin), false);
      if (!imported) throw new HostError(`Premiere could not import ${missing.join(', ')}.`);
      masters = await this.masterClipsByPath(project);
      const still = missing.filter((path) => !masters.has(path));
      if (still.length > 0) throw new HostError(`Premiere did not import ${still.join(', ')}.`);
    }
    const template = cut.templateSequenceId ? await this.findSequence(project, cut.templateSequenceId).catch(() => undefined) : await project.getActiveSequence();
    const settings = template ? await template.getSettings() : undefined;
    const before = new Set((await project.getSequences()).map((sequence) => guidOf(sequence)));
    const sequence = await project.createSequence(cut.name);
    if (!sequence) throw new HostError(`Premiere did not create the sequence ${cut.name}.`);
    const sequenceItem = await sequence.getProjectItem();
    const editor = this.ppro.SequenceEditor.getEditor(sequence);
    const markerOwner = await this.ppro.Markers.getMarkers(sequence);
    const audioTracks = Math.max(0, ...cut.clips.filter((clip) => clip.kind === 'audio').map((clip) => clip.track + 1));
    const original = new Map<string, { in: TickTime; out: TickTime }>();
    for (const path of paths) {
      const clip = masters.get(path)!;
      original.set(path, { in: await clip.getInPoint(Constants.MediaType.VIDEO), out: await clip.getOutPoint(Constants.MediaType.VIDEO) });
    }
    let done = false;
    project.lockedAccess(() => {
      done = project.executeTransaction((compound) => {
        const add = (action: Action) => compound.addAction(action);
        if (settings) add(sequence.createSetSettingsAction(settings));
        if (sequenceItem) add(bin.createMoveItemAction(sequenceItem, bin));
        for (const clip of cut.clips) {
          const master = masters.get(clip.mediaPath)!;
          add(master.createSetInOutPointsAction(Ticks.createWithTicks(clip.srcInTicks), Ticks.createWithTicks(clip.srcOutTicks)));
          const item = this.ppro.ProjectItem.cast(master);
          // A video clip's own sound goes below the cut's audio tracks (the music stays on A1).
          add(editor.createOverwriteItemAction(item, Ticks.createWithTicks(clip.startTicks), clip.kind === 'video' ? clip.track : -1, clip.kind === 'audio' ? clip.track : audioTracks));
        }
        for (const [path, points] of original) add(masters.get(path)!.createSetInOutPointsAction(points.in, points.out));
        for (const marker of cut.markers) {
          add(markerOwner.createAddMarkerAction(marker.name, Marker.MARKER_TYPE_COMMENT, Ticks.createWithTicks(marker.startTicks), Ticks.createWithTicks(marker.durationTicks ?? '0'), marker.comment ?? ''));
        }
      }, cut.undoLabel);
    });
    if (!done) throw new HostError(`Premiere did not build ${cut.name}.`);
    await this.colourMarkers(project, markerOwner, cut.markers);
    const created = (await project.getSequences()).map((candidate) => guidOf(candidate)).find((id) => !before.has(id));
    return { sequenceId: created ?? guidOf(sequence) };
  }

  async showInSourceMonitor(mediaPath: string, atTicks: string): Promise<boolean> {
    const project = await this.requireProject();
    const monitor = this.ppro.SourceMonitor;
    const master = (await this.masterClipsByPath(project)).get(mediaPath);
    // The project's own master clip when there is one (its marks and metadata), else the file itself.
    const opened = master ? await monitor.openProjectItem(this.ppro.ProjectItem.cast(master)) : await monitor.openFilePath(mediaPath);
    if (!opened) return false;
    return Boolean(await monitor.setPosition(this.ppro.TickTime.createWithTicks(atTicks)));
  }

  /** The bin `name` at the project's root, made (one transaction) when missing. */
  private async ensureBin(project: Project, name: string): Promise<FolderItem> {
    const find = async () => {
      const root = await project.getRootItem();
      for (const item of await root.getItems()) {
        const folder = item.name === name ? this.ppro.FolderItem.cast(item) : null;
        if (folder) return folder;
      }
      return undefined;
    };
    const existing = await find();
    if (existing) return existing;
    const root = await project.getRootItem();
    project.lockedAccess(() => {
      project.executeTransaction((compound) => compound.addAction(root.createBinAction(name, false)), `Auto-Montage: ${name} bin`);
    });
    const made = await find();
    if (!made) throw new HostError(`Premiere did not create the bin ${name}.`);
    return made;
  }

  /** Every master clip of the project by its media path (bins walked depth first; the first one wins). */
  private async masterClipsByPath(project: Project): Promise<Map<string, ClipProjectItem>> {
    const found = new Map<string, ClipProjectItem>();
    const walk = async (folder: FolderItem, depth: number) => {
      if (depth > 32) return;
      for (const item of await folder.getItems()) {
        // cast() is falsy for what the item is not: a clip first, else a bin to walk into.
        const clip = this.ppro.ClipProjectItem.cast(item);
        if (!clip) {
          const sub = this.ppro.FolderItem.cast(item);
          if (sub) await walk(sub, depth + 1);
          continue;
        }
        if ((await clip.isSequence()) || (await clip.isOffline())) continue;
        const path = await clip.getMediaFilePath().catch(() => '');
        if (path && !found.has(path)) found.set(path, clip);
      }
    };
    await walk(await project.getRootItem(), 0);
    return found;
  }

  async openSequence(id: string): Promise<boolean> {
    const project = await this.requireProject();
    const sequence = await this.findSequence(project, id);
    const opened = await project.openSequence(sequence);
    const activated = await project.setActiveSequence(sequence);
    return Boolean(opened) && Boolean(activated);
  }

  async addMarkers(sequenceId: string, markers: readonly HostMarker[]): Promise<boolean> {
    const project = await this.requireProject();
    const sequence = await this.findSequence(project, sequenceId);
    // Finish every await before the lock: lockedAccess and executeTransaction take synchronous callbacks.
    const owner = await this.ppro.Markers.getMarkers(sequence);
    const { Marker, TickTime: Ticks } = this.ppro;
    let done = false;
    // Since 26.3 create*Action must run inside lockedAccess (changelog 26.3). One transaction = one undo step.
    project.lockedAccess(() => {
      done = project.executeTransaction((compound) => {
        for (const marker of markers) {
          const action = owner.createAddMarkerAction(
            marker.name,
            Marker.MARKER_TYPE_COMMENT,
            Ticks.createWithTicks(marker.startTicks),
            Ticks.createWithTicks(marker.durationTicks ?? '0'),
            marker.comment ?? '',
          );
          compound.addAction(action);
        }
      }, 'Auto-montage: bar markers');
    });
    if (done) await this.colourMarkers(project, owner, markers);
    return done;
  }

  /**
   * Colours the markers just added (by fit). A marker's colour is set on the Marker object, which exists only once
   * the add has run, so this is a second small transaction; a build without colours is still a good build.
   */
  private async colourMarkers(project: Project, owner: Markers, markers: readonly HostMarker[]): Promise<void> {
    const wanted = markers.filter((marker) => marker.colour);
    if (wanted.length === 0) return;
    try {
      const { MarkerColor } = this.ppro.Constants;
      const index = { green: MarkerColor.GREEN, yellow: MarkerColor.YELLOW, red: MarkerColor.RED, blue: MarkerColor.BLUE } as const;
      const present: { marker: Marker; key: string }[] = [];
      for (const marker of await owner.getMarkers()) present.push({ marker, key: `${await marker.getName()}@${(await marker.getStart()).ticks}` });
      const byKey = new Map(present.map((entry) => [entry.key, entry.marker]));
      project.lockedAccess(() => {
        project.executeTransaction((compound) => {
          for (const marker of wanted) {
            const found = byKey.get(`${marker.name}@${marker.startTicks}`);
            if (found) compound.addAction(found.createSetColorByIndexAction(index[marker.colour!]));
          }
        }, 'Auto-Montage: marker colours');
      });
    } catch {
      // Colours are a nicety; the markers are there.
    }
  }

  async getMarkers(sequenceId: string): Promise<HostMarker[]> {
    const project = await this.requireProject();
    const sequence = await this.findSequence(project, sequenceId);
    const owner = await this.ppro.Markers.getMarkers(sequence);
    const markers = await owner.getMarkers();
    const out: HostMarker[] = [];
    for (const marker of markers) {
      const start = await marker.getStart();
      out.push({ name: await marker.getName(), startTicks: start.ticks });
    }
    return out;
  }

  async pickFile(types: readonly string[]): Promise<string | null> {
    const picked: unknown = await this.uxp.storage.localFileSystem.getFileForOpening({ types: [...types], allowMultiple: false });
    if (!picked || typeof picked !== 'object' || !('nativePath' in picked)) return null;
    return String((picked as { nativePath: unknown }).nativePath);
  }

  /** Reads a sequence into plain data: format, in/out and every clip of every track. */
  private async snapshot(sequence: Sequence): Promise<HostSequence> {
    // getTimebase() is the ticks per frame (the sample computes fps = 254016000000 / timebase).
    const ticksPerFrame = Number(await sequence.getTimebase());
    // getVideoFrameRate is 26.2+ (the manifest allows 25.6): without it the timebase gives the rate.
    let fps = Number(TICKS_PER_SECOND) / ticksPerFrame;
    try {
      const settings = await sequence.getSettings();
      const frameRate = typeof settings?.getVideoFrameRate === 'function' ? await settings.getVideoFrameRate() : undefined;
      if (frameRate && frameRate.value > 0) fps = frameRate.value;
    } catch {
      // keep the timebase's rate
    }
    const size = await sequence.getFrameSize();
    const end = await sequence.getEndTime();
    const inPoint = await sequence.getInPoint();
    const outPoint = await sequence.getOutPoint();
    const clips: HostClip[] = [];
    const skipped: SkippedClip[] = [];
    // Each clip on its own: one odd clip (offline, multicam, merged, a title) must not hide the rest.
    const read = async (item: VideoClipTrackItem | AudioClipTrackItem, kind: 'video' | 'audio', track: number) => {
      try {
        const clip = await this.readClip(item, kind, track);
        if ('reason' in clip) skipped.push(clip);
        else clips.push(clip);
      } catch (error) {
        skipped.push({ kind, track, name: await Promise.resolve(item.getName()).catch(() => '?'), reason: 'unreadable', detail: error instanceof Error ? error.message : String(error) });
      }
    };
    const videoTracks = await sequence.getVideoTrackCount();
    for (let index = 0; index < videoTracks; index++) {
      const track = await sequence.getVideoTrack(index);
      const items = await track.getTrackItems(this.ppro.Constants.TrackItemType.CLIP, false);
      for (const item of items) await read(item, 'video', index);
    }
    const audioTracks = await sequence.getAudioTrackCount();
    for (let index = 0; index < audioTracks; index++) {
      const track = await sequence.getAudioTrack(index);
      const items = await track.getTrackItems(this.ppro.Constants.TrackItemType.CLIP, false);
      for (const item of items) await read(item, 'audio', index);
    }
    // The editor's selection narrows the footage to the selected clips (montage-request.ts).
    const selected = await this.selectedClipKeys(sequence);
    const marked = selected.size > 0 ? clips.map((clip) => (selected.has(clipIdentity(clip.track, clip.startTicks, clip.name)) ? { ...clip, selected: true } : clip)) : clips;
    const inTicks = inPoint?.ticks ?? '0';
    const outTicks = outPoint?.ticks ?? end.ticks;
    // Without in/out marks Premiere reports 0 and the sequence end: treat that as "not set".
    const hasInOut = BigInt(outTicks) > BigInt(inTicks) && (BigInt(inTicks) > 0n || BigInt(outTicks) < BigInt(end.ticks));
    return {
      id: guidOf(sequence),
      name: sequence.name,
      fps,
      ticksPerFrame,
      width: size.width,
      height: size.height,
      durationTicks: end.ticks,
      ...(hasInOut ? { inTicks, outTicks } : {}),
      clips: marked,
      ...(skipped.length > 0 ? { skipped } : {}),
    };
  }

  /**
   * The selected clips as track/start/name keys. A selection's items are other wrappers than the tracks' (no
   * identity to compare), and carry no kind: an audio clip at the same place as a selected video clip is marked
   * too, which is harmless (only video clips are footage). No selection API (older builds): none selected.
   */
  private async selectedClipKeys(sequence: Sequence): Promise<Set<string>> {
    const keys = new Set<string>();
    try {
      const selection = typeof sequence.getSelection === 'function' ? await sequence.getSelection() : undefined;
      for (const item of selection ? await selection.getTrackItems() : []) keys.add(clipIdentity(await item.getTrackIndex(), (await item.getStartTime()).ticks, await item.getName()));
    } catch {
      keys.clear();
    }
    return keys;
  }

  private async readClip(item: VideoClipTrackItem | AudioClipTrackItem, kind: 'video' | 'audio', track: number): Promise<HostClip | SkippedClip> {
    const name = await item.getName();
    const projectItem = await item.getProjectItem();
    // cast() returns a falsy value for bins; nested sequences have no media file.
    const clipItem = projectItem ? this.ppro.ClipProjectItem.cast(projectItem) : null;
    let mediaPath = '';
    if (clipItem && !(await clipItem.isSequence())) {
      // Offline media cannot be analysed; a multicam or merged clip has no single file (Premiere's own checks).
      if (await clipItem.isOffline()) return { kind, track, name, reason: 'offline' };
      if (await clipItem.isMulticamClip?.()) return { kind, track, name, reason: 'multicam' };
      if (await clipItem.isMergedClip?.()) return { kind, track, name, reason: 'merged' };
      mediaPath = await clipItem.getMediaFilePath();
    }
    const start: TickTime = await item.getStartTime();
    const endTime: TickTime = await item.getEndTime();
    const sourceIn: TickTime = await item.getInPoint();
    let srcOutTicks = (await item.getOutPoint()).ticks;
    // A speed change: the clip plays (end - start) × speed of its source. Reversed clips play backwards; skip them.
    const speed = Number(await item.getSpeed?.()) || 1;
    if (await item.isSpeedReversed?.()) return { kind, track, name, reason: 'reversed' };
    if (Math.abs(speed - 1) > 1e-9) {
      const played = BigInt(endTime.ticks) - BigInt(start.ticks);
      srcOutTicks = (BigInt(sourceIn.ticks) + BigInt(Math.round(Number(played) * speed))).toString();
    }
    return {
      kind,
      track,
      name,
      mediaPath,
      srcInTicks: sourceIn.ticks,
      srcOutTicks,
      startTicks: start.ticks,
      endTicks: endTime.ticks,
      disabled: Boolean(await item.isDisabled()),
      ...(Math.abs(speed - 1) > 1e-9 ? { speed } : {}),
    };
  }

  private async requireProject(): Promise<Project> {
    const project = await this.ppro.Project.getActiveProject();
    if (!project) throw new HostError('No Premiere project is open. Open a project and try again.');
    return project;
  }

  private async findSequence(project: Project, id: string): Promise<Sequence> {
    const sequence = (await project.getSequences()).find((candidate) => guidOf(candidate) === id);
    if (!sequence) throw new HostError(`The sequence ${id} is no longer in the project.`);
    return sequence;
  }
}

function clipIdentity(track: number, startTicks: string, name: string): string {
  return `${track}:${startTicks}:${name}`;
}

function guidOf(sequence: Sequence): string {
  return sequence.guid.toString();
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Panel lifecycle callbacks (UXP calls create once with the panel's root node, then show/hide). */
export interface PanelHandlers {
  create(root: unknown): void;
  show?(root: unknown): void;
  hide?(): void;
  destroy?(): void;
}

/**
 * Registers the manifest's panels with UXP. The id must equal the manifest's entrypoint id.
 * The cc-ext-uxp-types d.ts types `setup` with every key required and panels as an array, unlike the real
 * API (`panels: { [id]: handlers }`, see add-panels tutorial), hence the narrowing cast.
 */
export function registerPanels(panels: Readonly<Record<string, PanelHandlers>>, uxp: UxpModule = loadUxp()): void {
  const setup = uxp.entrypoints.setup.bind(uxp.entrypoints) as unknown as (config: { panels: Readonly<Record<string, PanelHandlers>> }) => void;
  setup({ panels });
}
