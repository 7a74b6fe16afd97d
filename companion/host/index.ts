/**
 * The extension host: finds built-in and user extensions, validates their manifests, activates an extension
 * on the first use of one of its contributed ids, and hands out its exporters, emotion encoders, shot
 * detectors and bar trackers behind guards.
 *
 * Invariants:
 *  - nothing an extension does takes the process down: every call into it is wrapped, every rejected promise
 *    is handled, and every problem becomes a MontageError (AM_ERR_EXTENSION_*) and a diagnostic that names
 *    the extension;
 *  - ids declared in a manifest's `contributes` are exactly the ids its `activate` registers; ids are unique
 *    across extensions (the first one found keeps the id: built-ins before user extensions);
 *  - an extension whose manifest has any problem is not loaded; one whose activation failed stays failed;
 *  - after a call's token fires, the call has `cancelGraceMs` to settle, then it is abandoned with
 *    AM_ERR_EXTENSION_TIMEOUT (synchronous work cannot be interrupted: that is the extension's duty).
 *
 * The CLI and the companion obtain exporters only through this host.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as api from '../api/auto-montage';
import { CancellationError, ERROR_CODES, MontageError, type Diagnostic, type ErrorCode, type ErrorLocation } from '../core/errors';
import { CancellationToken, CancellationTokenSource, throwIfCancelled, toDisposable, type Disposable } from '../core/lifecycle';
import type { BarTracker, EmotionEncoder, ExportedFile, MusicEmotionEncoder, ShotDetector, ShotEmotionEncoder } from '../core/pipeline';
import type { Timeline } from '../core/timeline';
import { BUILTIN_EXTENSIONS, type BuiltinExtension } from './builtins';
import { checkManifest, CONTRIBUTION_KINDS, optionValueProblem, type ContributionKind } from './manifest';

/** The version of companion/api/auto-montage.d.ts this host implements. */
export const API_VERSION = '0.1.0';

export interface ExtensionHostOptions {
  /** Folder of user extensions (one sub-folder each, with package.json + main module). None when absent. */
  readonly userExtensionsDir?: string;
  /** Load the built-in extensions (default true). */
  readonly builtins?: boolean;
  /** Replaces the built-in list (tests). */
  readonly builtinExtensions?: readonly BuiltinExtension[];
  /** Called for each problem as it is found (also kept in {@link ExtensionHost.diagnostics}). */
  readonly onDiagnostic?: (diagnostic: Diagnostic) => void;
  /** Called for each `context.log` line. */
  readonly onLog?: (extensionId: string, message: string) => void;
  /** How long `activate` may take (default 10 s). */
  readonly activationTimeoutMs?: number;
  /** How long a call may run on after its token fired (default 2 s). */
  readonly cancelGraceMs?: number;
  /** How long `deactivate` may take (default 2 s). */
  readonly deactivateTimeoutMs?: number;
}

const DEFAULTS = { activationTimeoutMs: 10_000, cancelGraceMs: 2_000, deactivateTimeoutMs: 2_000 };

/** What the host tells about an exporter without activating its extension. */
export interface ExporterInfo {
  readonly id: string;
  readonly label: string;
  readonly fileExtension: string;
  readonly extensionId: string;
  readonly options: readonly api.ExporterOptionContribution[];
}

export interface StageInfo {
  readonly id: string;
  readonly label: string | undefined;
  readonly extensionId: string;
}

export interface EmotionEncoderInfo extends StageInfo {
  readonly kind: 'shot' | 'music';
}

export type ExtensionState = 'inactive' | 'activating' | 'active' | 'failed' | 'deactivated';

export interface ExtensionInfo {
  readonly id: string;
  readonly version: string;
  readonly source: 'builtin' | 'user';
  readonly path: string | undefined;
  readonly state: ExtensionState;
}

/** Options for one export call; `values` may hold strings from a command line ("true", "25"), coerced here. */
export interface ExportRequestOptions {
  readonly baseName?: string;
  readonly values?: Readonly<Record<string, unknown>>;
}

export interface ExtensionHost extends Disposable {
  /** Every problem found so far (manifests, activation, failed calls), each naming its file/field/extension. */
  readonly diagnostics: readonly Diagnostic[];
  listExtensions(): ExtensionInfo[];
  listExporters(): ExporterInfo[];
  /** Runs an exporter: validates the options against its manifest, activates its extension, checks the files. */
  export(id: string, timeline: Timeline, options?: ExportRequestOptions, token?: CancellationToken): Promise<ExportedFile[]>;
  listEmotionEncoders(): EmotionEncoderInfo[];
  getEmotionEncoder(id: string): Promise<ShotEmotionEncoder | MusicEmotionEncoder>;
  listShotDetectors(): StageInfo[];
  getShotDetector(id: string): Promise<ShotDetector>;
  listBarTrackers(): StageInfo[];
  getBarTracker(id: string): Promise<BarTracker>;
  /** Activates an extension now (normally lazy). Rejects with its activation error. */
  activate(extensionId: string): Promise<void>;
  /** Calls its `deactivate` and disposes its subscriptions. */
  deactivate(extensionId: string): Promise<void>;
  /** Deactivates every active extension. */
  disposeAsync(): Promise<void>;
}

/** A built-in extension, listed statically in builtins.ts so the CLI can be bundled. */
export type { BuiltinExtension } from './builtins';

type Implementation = {
  exporters: api.Exporter;
  emotionEncoders: api.EmotionEncoder;
  shotDetectors: api.ShotDetector;
  barTrackers: api.BarTracker;
};

const KIND_NOUN: Record<ContributionKind, string> = {
  exporters: 'exporter',
  emotionEncoders: 'emotion encoder',
  shotDetectors: 'shot detector',
  barTrackers: 'bar tracker',
};

interface Entry {
  readonly manifest: api.ExtensionManifest;
  readonly id: string;
  readonly source: 'builtin' | 'user';
  readonly path: string | undefined;
  readonly file: string;
  readonly load: () => Promise<unknown>;
  state: ExtensionState;
  activation?: Promise<void>;
  failure?: MontageError;
  module?: api.ExtensionModule;
  subscriptions: Disposable[];
  /** Declared ids that another extension already owns. */
  readonly shadowed: Set<string>;
}

interface Owned<T> {
  readonly entry: Entry;
  readonly value: T;
}

/** Creates a host and discovers extensions (built-ins, then the user folder). Never rejects for a bad extension. */
export async function createExtensionHost(options: ExtensionHostOptions = {}): Promise<ExtensionHost> {
  const host = new Host(options);
  if (options.builtins ?? true) {
    for (const builtin of options.builtinExtensions ?? BUILTIN_EXTENSIONS) host.addBuiltin(builtin);
  }
  if (options.userExtensionsDir !== undefined) await host.discover(options.userExtensionsDir);
  return host;
}

class Host implements ExtensionHost {
  readonly diagnostics: Diagnostic[] = [];
  private readonly entries = new Map<string, Entry>();
  private readonly contributions = new Map<ContributionKind, Map<string, Owned<{ id: string; label?: string; kind?: 'shot' | 'music' } & Partial<api.ExporterContribution>>>>();
  private readonly implementations = new Map<ContributionKind, Map<string, Owned<unknown>>>();
  private readonly settings: Required<Pick<ExtensionHostOptions, 'activationTimeoutMs' | 'cancelGraceMs' | 'deactivateTimeoutMs'>>;

  constructor(private readonly options: ExtensionHostOptions) {
    this.settings = {
      activationTimeoutMs: options.activationTimeoutMs ?? DEFAULTS.activationTimeoutMs,
      cancelGraceMs: options.cancelGraceMs ?? DEFAULTS.cancelGraceMs,
      deactivateTimeoutMs: options.deactivateTimeoutMs ?? DEFAULTS.deactivateTimeoutMs,
    };
    for (const kind of CONTRIBUTION_KINDS) {
      this.contributions.set(kind, new Map());
      this.implementations.set(kind, new Map());
    }
  }

  // ─────────────────────────────────────────── discovery ───────────────────────────────────────────

  addBuiltin(builtin: BuiltinExtension): void {
    const name = isRecord(builtin.manifest) && typeof builtin.manifest.name === 'string' ? builtin.manifest.name : 'unnamed';
    this.add(builtin.manifest, `builtin:${name}/package.json`, 'builtin', undefined, async () => builtin.load());
  }

  async discover(folder: string): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(folder)).sort();
    } catch (error) {
      // A missing user folder is the normal state (nobody installed an extension yet).
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      this.report('AM_ERR_FILE_NOT_FOUND', `cannot read the extensions folder: ${(error as Error).message}`, { file: folder });
      return;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const path = resolve(folder, name);
      if (!(await stat(path).catch(() => undefined))?.isDirectory()) continue;
      const file = join(path, 'package.json');
      let raw: unknown;
      try {
        raw = JSON.parse(await readFile(file, 'utf8'));
      } catch (error) {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        this.report('AM_ERR_EXTENSION_MANIFEST', missing ? `extension folder "${name}" has no package.json` : `package.json is not valid JSON: ${(error as Error).message}`, { file });
        continue;
      }
      const main = isRecord(raw) && typeof raw.main === 'string' ? raw.main : 'index.js';
      const mainPath = resolve(path, main);
      this.add(raw, file, 'user', path, async () => {
        if (!mainPath.startsWith(path + sep)) throw new Error(`"main" points outside the extension folder`);
        if (!(await stat(mainPath).catch(() => undefined))?.isFile()) throw new Error(`its main module ${main} does not exist`);
        return import(pathToFileURL(mainPath).href);
      });
    }
  }

  private add(raw: unknown, file: string, source: 'builtin' | 'user', path: string | undefined, load: () => Promise<unknown>): void {
    const check = checkManifest(raw, file, API_VERSION);
    for (const diagnostic of check.diagnostics) this.push(diagnostic);
    const manifest = check.manifest;
    if (!manifest) return;
    const earlier = this.entries.get(manifest.name);
    if (earlier) {
      this.report('AM_ERR_EXTENSION_DUPLICATE_ID', `extension "${manifest.name}" is already loaded from ${earlier.file}; this copy is ignored`, {
        file,
        field: 'name',
        extension: manifest.name,
      });
      return;
    }
    const entry: Entry = { manifest, id: manifest.name, source, path, file, load, state: 'inactive', subscriptions: [], shadowed: new Set() };
    this.entries.set(entry.id, entry);
    for (const kind of CONTRIBUTION_KINDS) {
      const declared = (manifest.contributes[kind] ?? []) as readonly ({ id: string } & Record<string, unknown>)[];
      declared.forEach((contribution, index) => {
        const map = this.contributions.get(kind)!;
        const owner = map.get(contribution.id);
        if (owner) {
          entry.shadowed.add(`${kind}:${contribution.id}`);
          this.report(
            'AM_ERR_EXTENSION_DUPLICATE_ID',
            `extension "${entry.id}" declares ${KIND_NOUN[kind]} "${contribution.id}", which extension "${owner.entry.id}" already contributes; it is ignored`,
            { file, field: `contributes.${kind}[${index}].id`, extension: entry.id },
          );
          return;
        }
        map.set(contribution.id, { entry, value: contribution as never });
      });
    }
  }

  // ─────────────────────────────────────────── listing ───────────────────────────────────────────

  listExtensions(): ExtensionInfo[] {
    return [...this.entries.values()].map((e) => ({ id: e.id, version: e.manifest.version, source: e.source, path: e.path, state: e.state }));
  }

  listExporters(): ExporterInfo[] {
    return [...this.contributions.get('exporters')!.values()].map(({ entry, value }) => ({
      id: value.id,
      label: value.label ?? value.id,
      fileExtension: value.fileExtension ?? '',
      extensionId: entry.id,
      options: value.options ?? [],
    }));
  }

  listEmotionEncoders(): EmotionEncoderInfo[] {
    return [...this.contributions.get('emotionEncoders')!.values()].map(({ entry, value }) => ({
      id: value.id,
      kind: value.kind ?? 'shot',
      label: value.label,
      extensionId: entry.id,
    }));
  }

  listShotDetectors(): StageInfo[] {
    return this.listStage('shotDetectors');
  }

  listBarTrackers(): StageInfo[] {
    return this.listStage('barTrackers');
  }

  private listStage(kind: ContributionKind): StageInfo[] {
    return [...this.contributions.get(kind)!.values()].map(({ entry, value }) => ({ id: value.id, label: value.label, extensionId: entry.id }));
  }

  // ─────────────────────────────────────────── use ───────────────────────────────────────────

  async export(id: string, timeline: Timeline, request: ExportRequestOptions = {}, token: CancellationToken = CancellationToken.None): Promise<ExportedFile[]> {
    const contribution = this.contribution('exporters', id);
    const options = resolveExportOptions(contribution.value, request, contribution.entry.id);
    const { entry, value: exporter } = await this.implementation<api.Exporter>('exporters', id);
    const files = await this.guarded(entry, `exporter "${id}"`, token, (inner) => exporter.export(timeline, options, inner));
    try {
      return checkExportedFiles(files, entry.id, id);
    } catch (error) {
      const failure = error as MontageError;
      this.push({ code: failure.code, message: failure.message, where: { file: entry.file, extension: entry.id } });
      throw failure;
    }
  }

  async getEmotionEncoder(id: string): Promise<ShotEmotionEncoder | MusicEmotionEncoder> {
    const { entry, value: encoder } = await this.implementation<EmotionEncoder>('emotionEncoders', id);
    const what = `emotion encoder "${id}"`;
    if (encoder.kind === 'shot') {
      const shot: ShotEmotionEncoder = {
        id,
        kind: 'shot',
        encodeShots: async (movie, token) => {
          const vectors = await this.guarded(entry, what, token, (inner) => encoder.encodeShots(movie, inner));
          if (!Array.isArray(vectors) || vectors.length !== movie.shots.length) {
            throw this.failure('AM_ERR_EXTENSION_FAILED', entry, `${what} returned ${Array.isArray(vectors) ? vectors.length : 'no'} vectors for ${movie.shots.length} shots`);
          }
          return vectors;
        },
      };
      return shot;
    }
    const music: MusicEmotionEncoder = {
      id,
      kind: 'music',
      encodeMusic: async (analysis, token) => {
        const emotion = await this.guarded(entry, what, token, (inner) => encoder.encodeMusic(analysis, inner));
        if (!isRecord(emotion) || !isRecord(emotion.global) || !Array.isArray(emotion.bars) || emotion.bars.length !== analysis.bars.length) {
          throw this.failure('AM_ERR_EXTENSION_FAILED', entry, `${what} must return { global, bars } with one vector per bar (${analysis.bars.length})`);
        }
        return emotion;
      },
    };
    return music;
  }

  async getShotDetector(id: string): Promise<ShotDetector> {
    const { entry, value: detector } = await this.implementation<api.ShotDetector>('shotDetectors', id);
    const what = `shot detector "${id}"`;
    return {
      id,
      start: (video) => {
        const sink = this.guardedSync(entry, what, () => detector.start(video));
        return {
          push: (frame) => this.guardedSync(entry, what, () => sink.push(frame)),
          finish: () => this.guardedSync(entry, what, () => sink.finish()),
        };
      },
    };
  }

  async getBarTracker(id: string): Promise<BarTracker> {
    const { entry, value: tracker } = await this.implementation<api.BarTracker>('barTrackers', id);
    const what = `bar tracker "${id}"`;
    return {
      id,
      track: (samples, sampleRate, options, token) => {
        throwIfCancelled(token);
        try {
          return this.guardedSync(entry, what, () => tracker.track(samples, sampleRate, options, token));
        } catch (error) {
          if (token.isCancellationRequested) throw new CancellationError();
          throw error;
        }
      },
    };
  }

  private contribution(kind: ContributionKind, id: string) {
    const found = this.contributions.get(kind)!.get(id);
    if (!found) {
      const known = [...this.contributions.get(kind)!.keys()];
      throw new MontageError('AM_ERR_EXTENSION_NOT_FOUND', `no extension contributes the ${KIND_NOUN[kind]} "${id}"${known.length ? ` (known: ${known.join(', ')})` : ''}`, {
        where: { field: kind },
        details: { id, known },
      });
    }
    return found;
  }

  private async implementation<T>(kind: ContributionKind, id: string): Promise<Owned<T>> {
    const { entry } = this.contribution(kind, id);
    await this.activate(entry.id);
    const registered = this.implementations.get(kind)!.get(id);
    if (!registered) {
      throw this.failure('AM_ERR_EXTENSION_ACTIVATION', entry, `extension "${entry.id}" declares ${KIND_NOUN[kind]} "${id}" but its activate() did not register it`, {
        field: `contributes.${kind}`,
        report: false,
      });
    }
    return registered as Owned<T>;
  }

  // ─────────────────────────────────────────── activation ───────────────────────────────────────────

  activate(extensionId: string): Promise<void> {
    const entry = this.entries.get(extensionId);
    if (!entry) return Promise.reject(new MontageError('AM_ERR_EXTENSION_NOT_FOUND', `no extension "${extensionId}" is loaded`, { where: { extension: extensionId } }));
    if (entry.state === 'failed') return Promise.reject(entry.failure);
    if (entry.state === 'deactivated') {
      return Promise.reject(new MontageError('AM_ERR_EXTENSION_ACTIVATION', `extension "${entry.id}" was deactivated`, { where: { extension: entry.id } }));
    }
    entry.activation ??= this.runActivation(entry);
    return entry.activation;
  }

  private async runActivation(entry: Entry): Promise<void> {
    entry.state = 'activating';
    try {
      let loaded: unknown;
      try {
        loaded = await entry.load();
      } catch (error) {
        throw this.failure('AM_ERR_EXTENSION_ACTIVATION', entry, `extension "${entry.id}" could not be loaded: ${messageOf(error)}`, { cause: error, report: false });
      }
      const module = (isRecord(loaded) && isRecord(loaded.default) && typeof loaded.activate !== 'function' ? loaded.default : loaded) as Partial<api.ExtensionModule>;
      if (!isRecord(module) || typeof module.activate !== 'function') {
        throw this.failure('AM_ERR_EXTENSION_ACTIVATION', entry, `extension "${entry.id}" has no activate() function in its main module`, { report: false });
      }
      entry.module = module as api.ExtensionModule;
      const context = this.contextFor(entry);
      const api = this.apiFor(entry);
      const activation = Promise.resolve().then(() => entry.module!.activate(context, api));
      try {
        await withTimeout(activation, this.settings.activationTimeoutMs, () =>
          this.failure('AM_ERR_EXTENSION_TIMEOUT', entry, `extension "${entry.id}" did not finish activate() within ${this.settings.activationTimeoutMs} ms`, { report: false }),
        );
      } catch (error) {
        if (error instanceof MontageError && error.where?.extension === entry.id) throw error;
        throw this.failure('AM_ERR_EXTENSION_ACTIVATION', entry, `extension "${entry.id}" threw in activate(): ${messageOf(error)}`, { cause: error, report: false });
      }
      entry.state = 'active';
      for (const kind of CONTRIBUTION_KINDS) {
        for (const declared of entry.manifest.contributes[kind] ?? []) {
          if (entry.shadowed.has(`${kind}:${declared.id}`)) continue;
          if (!this.implementations.get(kind)!.has(declared.id)) {
            this.report('AM_ERR_EXTENSION_ACTIVATION', `extension "${entry.id}" declares ${KIND_NOUN[kind]} "${declared.id}" but its activate() did not register it`, {
              file: entry.file,
              field: `contributes.${kind}`,
              extension: entry.id,
            });
          }
        }
      }
    } catch (error) {
      const failure = error instanceof MontageError ? error : this.failure('AM_ERR_EXTENSION_ACTIVATION', entry, messageOf(error), { cause: error, report: false });
      entry.state = 'failed';
      entry.failure = failure;
      this.push({ code: failure.code, message: failure.message, where: failure.where ?? { extension: entry.id } });
      this.disposeSubscriptions(entry);
      throw failure;
    }
  }

  private contextFor(entry: Entry): api.ExtensionContext {
    return {
      subscriptions: entry.subscriptions,
      extensionId: entry.id,
      extensionVersion: entry.manifest.version,
      extensionPath: entry.path,
      log: (message) => this.options.onLog?.(entry.id, String(message)),
    };
  }

  private apiFor(entry: Entry): api.AutoMontageApi {
    const register = <K extends ContributionKind>(kind: K, id: string, implementation: Implementation[K]): Disposable => {
      const noun = KIND_NOUN[kind];
      const where = { file: entry.file, field: `contributes.${kind}`, extension: entry.id };
      if (entry.state === 'deactivated' || entry.state === 'failed') return toDisposable(() => {});
      if (entry.shadowed.has(`${kind}:${id}`)) {
        this.report('AM_ERR_EXTENSION_DUPLICATE_ID', `extension "${entry.id}" registers ${noun} "${id}", which another extension owns; ignored`, where);
        return toDisposable(() => {});
      }
      const declared = (entry.manifest.contributes[kind] ?? []).find((c) => c.id === id);
      if (!declared) {
        this.report('AM_ERR_EXTENSION_ACTIVATION', `extension "${entry.id}" registers ${noun} "${String(id)}", which its package.json does not declare in contributes.${kind}; ignored`, where);
        return toDisposable(() => {});
      }
      const problem = implementationProblem(kind, id, implementation, declared);
      if (problem) {
        this.report('AM_ERR_EXTENSION_ACTIVATION', `extension "${entry.id}" registers ${noun} "${id}": ${problem}; ignored`, where);
        return toDisposable(() => {});
      }
      const registry = this.implementations.get(kind)!;
      if (registry.has(id)) {
        this.report('AM_ERR_EXTENSION_DUPLICATE_ID', `extension "${entry.id}" registers ${noun} "${id}" twice; the second is ignored`, where);
        return toDisposable(() => {});
      }
      const owned: Owned<unknown> = { entry, value: implementation };
      registry.set(id, owned);
      return toDisposable(() => {
        if (registry.get(id) === owned) registry.delete(id);
      });
    };
    return Object.freeze({
      version: API_VERSION,
      exporters: Object.freeze({ registerExporter: (id: string, exporter: api.Exporter) => register('exporters', id, exporter) }),
      emotion: Object.freeze({ registerEncoder: (id: string, encoder: api.EmotionEncoder) => register('emotionEncoders', id, encoder) }),
      shots: Object.freeze({ registerDetector: (id: string, detector: api.ShotDetector) => register('shotDetectors', id, detector) }),
      bars: Object.freeze({ registerTracker: (id: string, tracker: api.BarTracker) => register('barTrackers', id, tracker) }),
      errors: Object.freeze({
        cancelled: (message?: string) => new CancellationError(message),
        throwIfCancelled,
        invalidTimeline: (message: string, field?: string) =>
          new MontageError('AM_ERR_TIMELINE_INVALID', message, { where: { extension: entry.id, ...(field ? { field } : {}) } }),
      }),
    });
  }

  // ─────────────────────────────────────────── guarded calls ───────────────────────────────────────────

  /**
   * Runs async work of an extension with a child token. Errors become MontageErrors naming the extension;
   * cancellation stays a CancellationError; work that runs on `cancelGraceMs` after the token fired is abandoned.
   */
  private async guarded<T>(entry: Entry, what: string, token: CancellationToken, work: (token: CancellationToken) => T | Promise<T>): Promise<T> {
    throwIfCancelled(token);
    const source = new CancellationTokenSource(token);
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    let onCancel: Disposable | undefined;
    const running = Promise.resolve().then(() => work(source.token));
    // The work may reject after we stopped waiting for it: that must not become an unhandled rejection.
    running.catch(() => {});
    const abandoned = new Promise<never>((_, reject) => {
      onCancel = source.token.onCancellationRequested(() => {
        graceTimer = setTimeout(
          () => reject(this.failure('AM_ERR_EXTENSION_TIMEOUT', entry, `extension "${entry.id}" ignored cancellation: ${what} still ran ${this.settings.cancelGraceMs} ms after it was cancelled`)),
          this.settings.cancelGraceMs,
        );
      });
    });
    abandoned.catch(() => {});
    try {
      return await Promise.race([running, abandoned]);
    } catch (error) {
      throw this.wrap(entry, what, error, token);
    } finally {
      if (graceTimer !== undefined) clearTimeout(graceTimer);
      onCancel?.dispose();
      source.dispose();
    }
  }

  private guardedSync<T>(entry: Entry, what: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw this.wrap(entry, what, error, CancellationToken.None);
    }
  }

  private wrap(entry: Entry, what: string, error: unknown, token: CancellationToken): MontageError {
    if (error instanceof MontageError && error.code === 'AM_ERR_EXTENSION_TIMEOUT' && error.where?.extension === entry.id) return error;
    const coded = codedError(error);
    if (coded?.code === 'AM_ERR_CANCELLED' || token.isCancellationRequested) return error instanceof CancellationError ? error : new CancellationError();
    if (coded) {
      // An error the extension built through api.errors (e.g. AM_ERR_TIMELINE_INVALID): keep its code, add the owner.
      return new MontageError(coded.code, `[extension: ${entry.id}] ${coded.message}`, {
        where: { ...coded.where, extension: entry.id },
        diagnostics: coded.diagnostics ?? [],
        ...(coded.details ? { details: { ...coded.details } } : {}),
        cause: error,
      });
    }
    return this.failure('AM_ERR_EXTENSION_FAILED', entry, `extension "${entry.id}" failed in ${what}: ${messageOf(error)}`, { cause: error });
  }

  private failure(code: ErrorCode, entry: Entry, message: string, options: { field?: string; cause?: unknown; report?: boolean } = {}): MontageError {
    const where: ErrorLocation = { file: entry.file, extension: entry.id, ...(options.field ? { field: options.field } : {}) };
    if (options.report ?? true) this.push({ code, message, where });
    return new MontageError(code, message, { where, ...(options.cause !== undefined ? { cause: options.cause } : {}) });
  }

  private report(code: ErrorCode, message: string, where: ErrorLocation): void {
    this.push({ code, message, where });
  }

  private push(diagnostic: Diagnostic): void {
    this.diagnostics.push(diagnostic);
    try {
      this.options.onDiagnostic?.(diagnostic);
    } catch {
      // A faulty listener must not break discovery or activation.
    }
  }

  // ─────────────────────────────────────────── deactivation ───────────────────────────────────────────

  async deactivate(extensionId: string): Promise<void> {
    const entry = this.entries.get(extensionId);
    if (!entry) return;
    if (entry.state === 'activating') await entry.activation?.catch(() => {});
    if (entry.state !== 'active') {
      if (entry.state === 'inactive') entry.state = 'deactivated';
      return;
    }
    entry.state = 'deactivated';
    const deactivate = entry.module?.deactivate;
    if (typeof deactivate === 'function') {
      try {
        const done = Promise.resolve().then(() => deactivate.call(entry.module));
        done.catch(() => {});
        await withTimeout(done, this.settings.deactivateTimeoutMs, () =>
          this.failure('AM_ERR_EXTENSION_TIMEOUT', entry, `extension "${entry.id}" did not finish deactivate() within ${this.settings.deactivateTimeoutMs} ms`, { report: false }),
        );
      } catch (error) {
        const failure = error instanceof MontageError && error.where?.extension === entry.id ? error : undefined;
        this.push(failure ? { code: failure.code, message: failure.message, where: failure.where! } : { code: 'AM_ERR_EXTENSION_FAILED', message: `extension "${entry.id}" threw in deactivate(): ${messageOf(error)}`, where: { file: entry.file, extension: entry.id } });
      }
    }
    this.disposeSubscriptions(entry);
  }

  private disposeSubscriptions(entry: Entry): void {
    for (const subscription of entry.subscriptions.splice(0)) {
      try {
        subscription?.dispose();
      } catch (error) {
        this.push({ code: 'AM_ERR_EXTENSION_FAILED', message: `extension "${entry.id}": a subscription threw on dispose: ${messageOf(error)}`, where: { file: entry.file, extension: entry.id } });
      }
    }
    // Registrations that were not pushed onto subscriptions still go with the extension.
    for (const registry of this.implementations.values()) {
      for (const [id, owned] of registry) if (owned.entry === entry) registry.delete(id);
    }
  }

  async disposeAsync(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((id) => this.deactivate(id)));
  }

  dispose(): void {
    void this.disposeAsync();
  }
}

// ─────────────────────────────────────────── helpers ───────────────────────────────────────────

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A MontageError, or an error shaped like one with a catalogue code. The shape test matters: an extension may
 * load its own copy of core (a bundled extension, or a CommonJS copy), whose errors fail `instanceof`.
 */
function codedError(error: unknown): Pick<MontageError, 'code' | 'message'> & Partial<Pick<MontageError, 'where' | 'diagnostics' | 'details'>> | undefined {
  if (error instanceof MontageError) return error;
  if (!(error instanceof Error) || !isRecord(error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !Object.hasOwn(ERROR_CODES, code)) return undefined;
  const where = (error as { where?: unknown }).where;
  const diagnostics = (error as { diagnostics?: unknown }).diagnostics;
  const details = (error as { details?: unknown }).details;
  return {
    code: code as ErrorCode,
    message: error.message,
    ...(isRecord(where) ? { where: where as ErrorLocation } : {}),
    ...(Array.isArray(diagnostics) ? { diagnostics: diagnostics as Diagnostic[] } : {}),
    ...(isRecord(details) ? { details } : {}),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Why an implementation does not fit what its manifest declares (undefined when it fits). */
function implementationProblem(kind: ContributionKind, id: string, implementation: unknown, declared: object): string | undefined {
  const declaredKind = (declared as { kind?: unknown }).kind;
  if (typeof implementation !== 'object' || implementation === null) return 'it is not an object';
  const value = implementation as Record<string, unknown>;
  switch (kind) {
    case 'exporters':
      return typeof value.export === 'function' ? undefined : 'it has no export() method';
    case 'emotionEncoders':
      if (value.id !== id) return `its id is "${String(value.id)}"`;
      if (value.kind !== declaredKind) return `its kind is "${String(value.kind)}" but the manifest says "${String(declaredKind)}"`;
      return typeof (value.kind === 'shot' ? value.encodeShots : value.encodeMusic) === 'function'
        ? undefined
        : `it has no ${value.kind === 'shot' ? 'encodeShots' : 'encodeMusic'}() method`;
    case 'shotDetectors':
      if (value.id !== id) return `its id is "${String(value.id)}"`;
      return typeof value.start === 'function' ? undefined : 'it has no start() method';
    case 'barTrackers':
      if (value.id !== id) return `its id is "${String(value.id)}"`;
      return typeof value.track === 'function' ? undefined : 'it has no track() method';
  }
}

const PLAIN_FILE_NAME = /^(?!\.{1,2}$)[^/\\:*?"<>|\u0000-\u001f]+$/;

/** Validates and completes the caller's options against the exporter's manifest; every problem is listed. */
export function resolveExportOptions(contribution: Partial<api.ExporterContribution>, request: ExportRequestOptions, extensionId: string): api.ExportOptions {
  const declared = contribution.options ?? [];
  const diagnostics: Diagnostic[] = [];
  const values: Record<string, api.ExportOptionValue> = {};
  const given = request.values ?? {};
  for (const [name, raw] of Object.entries(given)) {
    const option = declared.find((o) => o.name === name);
    if (!option) {
      diagnostics.push({
        code: 'AM_ERR_INVALID_ARGUMENT',
        message: `exporter "${contribution.id}" has no option "${name}"${declared.length ? ` (options: ${declared.map((o) => o.name).join(', ')})` : ''}`,
        where: { field: `options.${name}`, extension: extensionId },
      });
      continue;
    }
    const value = coerceOption(option, raw);
    const problem = optionValueProblem(option, value);
    if (problem) diagnostics.push({ code: 'AM_ERR_INVALID_ARGUMENT', message: `option "${name}" of exporter "${contribution.id}" ${problem}, got ${JSON.stringify(raw)}`, where: { field: `options.${name}`, extension: extensionId } });
    else values[name] = value as api.ExportOptionValue;
  }
  for (const option of declared) if (!(option.name in values) && !(option.name in given)) values[option.name] = option.default;
  const baseName = request.baseName ?? 'montage';
  if (!PLAIN_FILE_NAME.test(baseName)) {
    diagnostics.push({ code: 'AM_ERR_INVALID_ARGUMENT', message: `baseName must be a plain file name without folders, got "${baseName}"`, where: { field: 'baseName' } });
  }
  if (diagnostics.length > 0) {
    throw new MontageError('AM_ERR_INVALID_ARGUMENT', diagnostics.map((d) => d.message).join('; '), { where: diagnostics[0]!.where ?? {}, diagnostics });
  }
  return { baseName, values };
}

/** Strings from a command line become the declared type ("true" → true, "25" → 25). */
function coerceOption(option: api.ExporterOptionContribution, raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  if (option.type === 'boolean') {
    if (/^(true|yes|on|1)$/i.test(raw)) return true;
    if (/^(false|no|off|0)$/i.test(raw)) return false;
  }
  if (option.type === 'number' && raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw);
  return raw;
}

function checkExportedFiles(files: unknown, extensionId: string, exporterId: string): ExportedFile[] {
  const fail = (message: string) =>
    new MontageError('AM_ERR_EXTENSION_FAILED', `extension "${extensionId}": exporter "${exporterId}" ${message}`, { where: { extension: extensionId } });
  if (!Array.isArray(files) || files.length === 0) throw fail('must return a non-empty array of { name, contents }');
  const names = new Set<string>();
  for (const [index, file] of files.entries()) {
    if (!isRecord(file) || typeof file.name !== 'string' || typeof file.contents !== 'string') throw fail(`returned a bad file at [${index}] (need { name: string, contents: string })`);
    if (!PLAIN_FILE_NAME.test(file.name)) throw fail(`returned the file name "${file.name}", which is not a plain file name`);
    if (names.has(file.name)) throw fail(`returned the file name "${file.name}" twice`);
    names.add(file.name);
  }
  return files.map((file: ExportedFile) => ({ name: file.name, contents: file.contents }));
}
