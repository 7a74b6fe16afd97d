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
  AudioClipTrackItem,
  Project,
  ProjectItem,
  Sequence,
  TickTime,
  VideoClipTrackItem,
  premierepro,
} from '@adobe/premierepro';
import type { entrypoints as UxpEntrypoints, storage as UxpStorage } from 'uxp';
import type { HostClip, HostMarker, HostSequence, ImportResult, PremiereHost, SecretStore } from '../host';
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

  async importTimeline(path: string): Promise<ImportResult> {
    const project = await this.requireProject();
    const before = new Set((await project.getSequences()).map((sequence) => guidOf(sequence)));
    let imported: boolean;
    try {
      // The bin must be null, not undefined (AdobeDocs/uxp-premiere-pro-samples issue #75). The d.ts does not
      // admit null, hence the cast.
      imported = await project.importFiles([path], true, null as unknown as ProjectItem, false);
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
    return done;
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
    const settings = await sequence.getSettings();
    const frameRate = await settings.getVideoFrameRate();
    const fps = frameRate && frameRate.value > 0 ? frameRate.value : Number(TICKS_PER_SECOND) / ticksPerFrame;
    const size = await sequence.getFrameSize();
    const end = await sequence.getEndTime();
    const inPoint = await sequence.getInPoint();
    const outPoint = await sequence.getOutPoint();
    const clips: HostClip[] = [];
    const videoTracks = await sequence.getVideoTrackCount();
    for (let index = 0; index < videoTracks; index++) {
      const track = await sequence.getVideoTrack(index);
      const items = await track.getTrackItems(this.ppro.Constants.TrackItemType.CLIP, false);
      for (const item of items) clips.push(await this.readClip(item, 'video', index));
    }
    const audioTracks = await sequence.getAudioTrackCount();
    for (let index = 0; index < audioTracks; index++) {
      const track = await sequence.getAudioTrack(index);
      const items = await track.getTrackItems(this.ppro.Constants.TrackItemType.CLIP, false);
      for (const item of items) clips.push(await this.readClip(item, 'audio', index));
    }
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
      clips,
    };
  }

  private async readClip(item: VideoClipTrackItem | AudioClipTrackItem, kind: 'video' | 'audio', track: number): Promise<HostClip> {
    const projectItem = await item.getProjectItem();
    // cast() returns a falsy value for bins; nested sequences have no media file.
    const clipItem = projectItem ? this.ppro.ClipProjectItem.cast(projectItem) : null;
    let mediaPath = '';
    if (clipItem && !(await clipItem.isSequence())) mediaPath = await clipItem.getMediaFilePath();
    const start: TickTime = await item.getStartTime();
    const endTime: TickTime = await item.getEndTime();
    const sourceIn: TickTime = await item.getInPoint();
    const sourceOut: TickTime = await item.getOutPoint();
    return {
      kind,
      track,
      name: await item.getName(),
      mediaPath,
      srcInTicks: sourceIn.ticks,
      srcOutTicks: sourceOut.ticks,
      startTicks: start.ticks,
      endTicks: endTime.ticks,
      disabled: Boolean(await item.isDisabled()),
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
