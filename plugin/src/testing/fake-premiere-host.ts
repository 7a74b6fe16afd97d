/**
 * An in-memory Premiere for tests, typed against our {@link PremiereHost} interface only (not the whole
 * premierepro module, whose mocks drift from the real API). It holds sequences, an active one, and records
 * every temp file, import, open and marker call. Imports create a new sequence with a fresh id, like
 * `importFiles` of an xmeml does. DOM-free and node-free, so it runs in Node tests and in the browser harness;
 * file writes go through an injected writer (Node tests write real files the test then parses).
 */
import type { HostClip, HostCut, HostMarker, HostSequence, ImportResult, PremiereHost, SecretStore } from '../host';
import { secretsOverSecureStorage, type SecureStorageLike } from '../secure-secrets';

/** Which Premiere to behave like: macOS and Windows differ in what UXP allows (../shared/docs/premiere-uxp.md §5). */
export type FakePlatform = 'mac' | 'win';

/**
 * Media Premiere Pro cannot import (helpx "Supported file formats"): Ogg Vorbis/Opus, FLAC, WebM and Matroska.
 * An xmeml that points at one imports, but that clip is offline; importFiles of the file itself fails.
 */
export const PREMIERE_UNIMPORTABLE_EXTENSIONS = ['.ogg', '.oga', '.opus', '.flac', '.webm', '.mkv', '.ogv'] as const;

export function premiereCanImport(path: string): boolean {
  const lower = path.toLowerCase();
  return !PREMIERE_UNIMPORTABLE_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

export interface FakeCall {
  readonly method: 'getActiveSequence' | 'writeTempFile' | 'importTimeline' | 'openSequence' | 'addMarkers' | 'getMarkers' | 'pickFile' | 'buildCut' | 'showInSourceMonitor';
  readonly args: readonly unknown[];
}

export interface FakePremiereHostOptions {
  /** Sequences in the project; the first is active unless `activeId` says otherwise. */
  readonly sequences?: readonly HostSequence[];
  readonly activeId?: string;
  /** Writes a temp file and returns its path (default: keeps the text in memory under "memory://name"). */
  readonly writeFile?: (name: string, text: string) => Promise<string>;
  /** What pickFile returns (default null, as if cancelled). */
  readonly pickedFile?: string | null;
  /** Builds the sequence an import creates (default: an empty sequence named after the file). */
  readonly sequenceFromImport?: (path: string, text: string | undefined, id: string) => HostSequence;
  /** The markers an import brings along (Premiere keeps xmeml sequence markers); default none. */
  readonly markersFromImport?: (path: string, text: string | undefined) => HostMarker[];
  /** Default 'mac', the stricter one. */
  readonly platform?: FakePlatform;
  /** Without buildCut (an older panel's host, or to test the xmeml fallback). */
  readonly noBuildCut?: boolean;
}

/** An item of the fake project panel: bins, master clips (one per imported file) and sequences. */
export interface FakeProjectItem {
  readonly id: string;
  readonly kind: 'bin' | 'clip' | 'sequence';
  readonly name: string;
  /** null for the root bin. */
  readonly parentId: string | null;
  readonly mediaPath?: string;
  readonly sequenceId?: string;
  /** A master clip of media Premiere cannot read. */
  readonly offline?: boolean;
}

/** The root bin's id in {@link FakePremiereHost.projectItems}. */
export const FAKE_ROOT_BIN = 'root';

/**
 * UXP's secureStorage as it behaves: values come back as bytes, an empty value is refused, removing a missing key
 * rejects. The panel must go through {@link secretsOverSecureStorage} to use it.
 */
export class FakeSecureStorage implements SecureStorageLike {
  readonly items = new Map<string, Uint8Array>();
  async getItem(key: string): Promise<Uint8Array | null> {
    return this.items.get(key) ?? null;
  }
  async setItem(key: string, value: string): Promise<void> {
    if (value === '') throw new Error('secureStorage.setItem: the value is empty');
    this.items.set(key, Uint8Array.from([...value].map((char) => char.charCodeAt(0))));
  }
  async removeItem(key: string): Promise<void> {
    if (!this.items.delete(key)) throw new Error(`secureStorage.removeItem: no item ${key}`);
  }
  /** The stored text of a key (for tests). */
  text(key: string): string | undefined {
    const bytes = this.items.get(key);
    return bytes ? String.fromCharCode(...bytes) : undefined;
  }
}

export class FakePremiereHost implements PremiereHost {
  readonly kind = 'premiere' as const;
  readonly sequences = new Map<string, HostSequence>();
  activeId: string | null;
  readonly calls: FakeCall[] = [];
  /** Every temp file written: name, path, text. */
  readonly files: { name: string; path: string; text: string }[] = [];
  /** Every import: the path and the sequence ids it created. */
  readonly imports: { path: string; newSequenceIds: string[] }[] = [];
  /** Markers per sequence id, in the order they were added. */
  readonly markers = new Map<string, HostMarker[]>();
  /** Media an import referred to that Premiere cannot import (those clips are offline in the imported sequence). */
  readonly offlineMedia: string[] = [];
  readonly platform: FakePlatform;
  readonly secureStorage = new FakeSecureStorage();
  readonly secrets: SecretStore = secretsOverSecureStorage(this.secureStorage);
  /** Set to make the next call of a method reject (then cleared). */
  failNext: { method: FakeCall['method']; error: Error } | null = null;
  /**
   * The project panel: the root bin, a master clip for each file the editor's sequences use, and a sequence item
   * each; imports and built cuts add to it as Premiere does (an xmeml import brings its own bin and master clips).
   */
  readonly projectItems: FakeProjectItem[] = [{ id: FAKE_ROOT_BIN, kind: 'bin', name: 'Project', parentId: null }];
  /** Every executeTransaction: its undo label and how many actions it held (one entry = one undo step). */
  readonly transactions: { readonly label: string; readonly actions: number }[] = [];
  private nextId = 1;
  readonly buildCut?: (cut: HostCut) => Promise<{ readonly sequenceId: string }>;

  constructor(private readonly options: FakePremiereHostOptions = {}) {
    this.platform = options.platform ?? 'mac';
    for (const sequence of options.sequences ?? []) this.addSequence(sequence, FAKE_ROOT_BIN);
    this.activeId = options.activeId ?? options.sequences?.[0]?.id ?? null;
    if (!options.noBuildCut) this.buildCut = (cut) => this.buildCutInProject(cut);
  }

  /** The project's master clips of one file. */
  masterClips(mediaPath: string): FakeProjectItem[] {
    return this.projectItems.filter((item) => item.kind === 'clip' && item.mediaPath === mediaPath);
  }

  /** The project items directly inside a bin. */
  itemsIn(binId: string): FakeProjectItem[] {
    return this.projectItems.filter((item) => item.parentId === binId);
  }

  private addSequence(sequence: HostSequence, binId: string): void {
    this.sequences.set(sequence.id, sequence);
    for (const path of new Set(sequence.clips.map((clip) => clip.mediaPath).filter(Boolean))) {
      if (this.masterClips(path).length === 0) this.addItem({ kind: 'clip', name: baseName(path), parentId: FAKE_ROOT_BIN, mediaPath: path });
    }
    this.addItem({ kind: 'sequence', name: sequence.name, parentId: binId, sequenceId: sequence.id });
  }

  private addItem(item: Omit<FakeProjectItem, 'id'>): FakeProjectItem {
    const added = { id: `item-${this.nextId++}`, ...item };
    this.projectItems.push(added);
    return added;
  }

  /** A bin of that name at the root, made when missing (UXP: FolderItem.createBinAction). */
  private bin(name: string): FakeProjectItem {
    return this.projectItems.find((item) => item.kind === 'bin' && item.parentId === FAKE_ROOT_BIN && item.name === name) ?? this.addItem({ kind: 'bin', name, parentId: FAKE_ROOT_BIN });
  }

  /**
   * As the UXP adapter does it: the media's master clips are looked up in the whole project, and a file the project
   * lacks is imported into the bin (importFiles refuses what Premiere cannot read). The sequence is made from the
   * template's settings; each clip is an overwrite of its master clip with the clip's in/out (its linked audio,
   * for video, lands on the audio track after the cut's own), and the markers are added, all in one transaction.
   */
  private async buildCutInProject(cut: HostCut): Promise<{ readonly sequenceId: string }> {
    this.record('buildCut', [cut.name, cut.clips.length]);
    const bin = this.bin(cut.binName);
    const paths = [...new Set(cut.clips.map((clip) => clip.mediaPath))];
    for (const path of paths) {
      if (this.masterClips(path).length > 0) continue;
      if (!premiereCanImport(path)) throw new Error(`Premiere could not import ${path}.`);
      this.addItem({ kind: 'clip', name: baseName(path), parentId: bin.id, mediaPath: path });
    }
    const template = (cut.templateSequenceId ? this.sequences.get(cut.templateSequenceId) : undefined) ?? [...this.sequences.values()][0];
    const audioTracks = Math.max(0, ...cut.clips.filter((clip) => clip.kind === 'audio').map((clip) => clip.track + 1));
    const clips: HostClip[] = [];
    for (const clip of cut.clips) {
      const endTicks = (BigInt(clip.startTicks) + BigInt(clip.srcOutTicks) - BigInt(clip.srcInTicks)).toString();
      const placed = { track: clip.track, name: baseName(clip.mediaPath), mediaPath: clip.mediaPath, srcInTicks: clip.srcInTicks, srcOutTicks: clip.srcOutTicks, startTicks: clip.startTicks, endTicks, disabled: false };
      clips.push({ kind: clip.kind, ...placed });
      if (clip.kind === 'video') clips.push({ ...placed, kind: 'audio', track: audioTracks });
    }
    const id = `fake-sequence-${this.nextId++}`;
    const end = clips.reduce((latest, clip) => (BigInt(clip.endTicks) > latest ? BigInt(clip.endTicks) : latest), 0n);
    this.addSequence(
      { id, name: cut.name, fps: template?.fps ?? 25, ticksPerFrame: template?.ticksPerFrame ?? 254016000000 / 25, width: template?.width ?? 1920, height: template?.height ?? 1080, durationTicks: end.toString(), clips },
      bin.id,
    );
    this.markers.set(id, [...cut.markers]);
    // set in/out + overwrite per clip, the master clips' own in/out put back, one action per marker.
    this.transactions.push({ label: cut.undoLabel, actions: 2 * cut.clips.length + paths.length + cut.markers.length });
    return { sequenceId: id };
  }

  async getActiveSequence(): Promise<HostSequence | null> {
    this.record('getActiveSequence', []);
    return this.activeId ? (this.sequences.get(this.activeId) ?? null) : null;
  }

  async writeTempFile(name: string, text: string): Promise<string> {
    this.record('writeTempFile', [name, text.length]);
    const path = this.options.writeFile ? await this.options.writeFile(name, text) : `memory://${name}`;
    this.files.push({ name, path, text });
    return path;
  }

  async importTimeline(path: string, options: { readonly binName?: string } = {}): Promise<ImportResult> {
    this.record('importTimeline', [path, options.binName]);
    // importFiles refuses a file Premiere cannot read (it resolves false; the adapter turns that into an error).
    if (!premiereCanImport(path)) throw new Error(`Premiere could not import ${path}.`);
    const id = `fake-sequence-${this.nextId++}`;
    const text = [...this.files].reverse().find((file) => file.path === path)?.text;
    for (const media of mediaPathsOf(text ?? '')) if (!premiereCanImport(media) && !this.offlineMedia.includes(media)) this.offlineMedia.push(media);
    const sequence = this.options.sequenceFromImport?.(path, text, id) ?? {
      id,
      name: path.split(/[\\/]/).pop() ?? path,
      fps: 25,
      ticksPerFrame: 254016000000 / 25,
      width: 1920,
      height: 1080,
      durationTicks: '0',
      clips: [],
    };
    // Premiere makes a bin named after the file, with a new master clip for every file the xmeml names.
    const parent = options.binName ? this.bin(options.binName) : this.projectItems[0]!;
    const own = this.addItem({ kind: 'bin', name: baseName(path).replace(/\.[^.]+$/, ''), parentId: parent.id });
    for (const media of mediaPathsOf(text ?? '')) this.addItem({ kind: 'clip', name: baseName(media), parentId: own.id, mediaPath: media, ...(premiereCanImport(media) ? {} : { offline: true }) });
    this.sequences.set(id, sequence);
    this.addItem({ kind: 'sequence', name: sequence.name, parentId: own.id, sequenceId: id });
    const carried = this.options.markersFromImport?.(path, text) ?? [];
    if (carried.length > 0) this.markers.set(id, carried);
    this.imports.push({ path, newSequenceIds: [id] });
    return { newSequenceIds: [id] };
  }

  async openSequence(id: string): Promise<boolean> {
    this.record('openSequence', [id]);
    if (!this.sequences.has(id)) return false;
    this.activeId = id;
    return true;
  }

  async addMarkers(sequenceId: string, markers: readonly HostMarker[]): Promise<boolean> {
    this.record('addMarkers', [sequenceId, markers.length]);
    if (!this.sequences.has(sequenceId)) return false;
    this.markers.set(sequenceId, [...(this.markers.get(sequenceId) ?? []), ...markers]);
    return true;
  }

  async getMarkers(sequenceId: string): Promise<HostMarker[]> {
    this.record('getMarkers', [sequenceId]);
    return [...(this.markers.get(sequenceId) ?? [])];
  }

  async pickFile(types: readonly string[]): Promise<string | null> {
    this.record('pickFile', [types]);
    return this.options.pickedFile ?? null;
  }

  /** What the Source Monitor shows: the file and the position, as showInSourceMonitor left them. */
  sourceMonitor: { readonly mediaPath: string; readonly atTicks: string } | null = null;

  async showInSourceMonitor(mediaPath: string, atTicks: string): Promise<boolean> {
    this.record('showInSourceMonitor', [mediaPath, atTicks]);
    this.sourceMonitor = { mediaPath, atTicks };
    return true;
  }

  /** Replaces a sequence (e.g. to disable clips of a generated one, as an editor would). */
  updateSequence(sequence: HostSequence): void {
    this.sequences.set(sequence.id, sequence);
  }

  private record(method: FakeCall['method'], args: readonly unknown[]): void {
    this.calls.push({ method, args });
    if (this.failNext?.method === method) {
      const error = this.failNext.error;
      this.failNext = null;
      throw error;
    }
  }
}

/** The media files an xmeml refers to (its <pathurl>s, file:// URLs decoded). */
export function mediaPathsOf(xml: string): string[] {
  const paths = new Set<string>();
  for (const match of xml.matchAll(/<pathurl>([^<]*)<\/pathurl>/g)) {
    const url = (match[1] ?? '').replace(/&amp;/g, '&');
    const path = decodeURIComponent(url.replace(/^file:\/\/(localhost)?/, ''));
    paths.add(/^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path);
  }
  return [...paths];
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}
