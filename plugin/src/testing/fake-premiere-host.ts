/**
 * An in-memory Premiere for tests, typed against our {@link PremiereHost} interface only (not the whole
 * premierepro module, whose mocks drift from the real API). It holds sequences, an active one, and records
 * every temp file, import, open and marker call. Imports create a new sequence with a fresh id, like
 * `importFiles` of an xmeml does. DOM-free and node-free, so it runs in Node tests and in the browser harness;
 * file writes go through an injected writer (Node tests write real files the test then parses).
 */
import type { HostMarker, HostSequence, ImportResult, PremiereHost, SecretStore } from '../host';
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
  readonly method: 'getActiveSequence' | 'writeTempFile' | 'importTimeline' | 'openSequence' | 'addMarkers' | 'getMarkers' | 'pickFile';
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
}

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
  private nextId = 1;

  constructor(private readonly options: FakePremiereHostOptions = {}) {
    this.platform = options.platform ?? 'mac';
    for (const sequence of options.sequences ?? []) this.sequences.set(sequence.id, sequence);
    this.activeId = options.activeId ?? options.sequences?.[0]?.id ?? null;
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

  async importTimeline(path: string): Promise<ImportResult> {
    this.record('importTimeline', [path]);
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
    this.sequences.set(id, sequence);
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
