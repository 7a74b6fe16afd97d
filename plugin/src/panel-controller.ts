/**
 * The panel's logic, without any DOM: connection, options, the Auto-montage job with progress, importing the
 * result into Premiere (xmeml → temp file → importFiles → open the new sequence → bar markers), and the
 * refine loop (keep/drop from the list or disabled clips in a generated sequence → re-solve from cache → a new
 * sequence version). The Premiere panel and the web UI share it; `host.kind` decides what applies.
 * The view subscribes with {@link PanelController.onChange} and renders {@link PanelState}.
 */
import type { EmotionArcPoint, MontageOptions, MontageResultMessage, MoodTarget, ProgressMessage, RelaxKind, SceneMode, ServerStatus } from '../../companion/protocol/messages';
import type { StoryboardModel } from '../../companion/protocol/storyboard';
import type { Rate } from '../../companion/core/rational';
import { CompanionClient, CompanionError, DEFAULT_COMPANION_URL, companionUrls, type Credentials, type JobHandle, type JobRequest } from './companion-client';
import type { FetchLike, HostSequence, PremiereHost, SocketFactory } from './host';
import {
  DEFAULT_PANEL_OPTIONS,
  RequestProblem,
  buildSequenceRequest,
  withoutRelaxation,
  buildTypedRequest,
  clipKey,
  musicClips,
  type LengthChoice,
  type MusicChoice,
  type PanelMontageOptions,
  type TypedInputs,
} from './montage-request';
import { START_COMPANION_FIX, describeProblem, type Problem } from './problems';
import { barMarkers, bansFromDisabledClips } from './result-model';
import { cutClipsFromOtio } from './otio-cut';
import { parseTicks, secondsToTicks, ticksPerFrame } from './ticks';

const absTicks = (value: bigint) => (value < 0n ? -value : value);

/** Where the panel keeps the URL between sessions (localStorage in UXP and browsers); the token goes to `host.secrets`. */
export interface SettingsStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
}

export function memorySettings(initial: Record<string, string> = {}): SettingsStore {
  const values = new Map(Object.entries(initial));
  return { get: (key) => values.get(key) ?? null, set: (key, value) => void values.set(key, value) };
}

export type ConnectionStatus = 'disconnected' | 'connecting' | 'connected';
export type Decision = 'keep' | 'drop';

/** A generated sequence imported into Premiere. */
export interface ImportedVersion {
  readonly version: number;
  readonly sequenceId: string;
  /** The xmeml's temp path, or '' for a cut built in place from the project's clips. */
  readonly path: string;
  /** How it got into the project: built from the project's own clips, or imported from the xmeml (fallback). */
  readonly how: 'built' | 'imported';
  readonly name: string;
  readonly jobId: string;
  readonly markerCount: number;
  readonly result: MontageResultMessage;
}

export interface JobState {
  readonly kind: 'montage' | 'resolve';
  readonly jobId?: string;
  readonly stage: string;
  readonly fraction: number;
  readonly message?: string;
  readonly startedAt: number;
}

/** The editor's steering of the mood (the mood control and the drawn emotion arc); each change re-solves. */
export interface SteeringState {
  readonly moodTarget: MoodTarget;
  /** The drawn target curve, seconds of the music file; empty: none (the music's own reading). */
  readonly emotionArc: readonly EmotionArcPoint[];
  /** Whether the editor has steered yet: a re-solve then names the steering explicitly (to go back to auto). */
  readonly touched: boolean;
}

/** What {@link PanelController.steer} changes: the mood, the arc, and the scene count and constraint. */
export interface SteeringChange {
  readonly moodTarget?: MoodTarget;
  readonly emotionArc?: readonly EmotionArcPoint[];
  readonly scenes?: number;
  readonly mode?: SceneMode;
}

export interface PanelState {
  readonly connection: { readonly status: ConnectionStatus; readonly url: string; readonly token: string; readonly serverVersion?: string; readonly health?: string };
  readonly sequence: HostSequence | null;
  readonly music: MusicChoice;
  readonly length: LengthChoice;
  readonly options: PanelMontageOptions;
  readonly typed: TypedInputs;
  readonly job: JobState | null;
  readonly result: MontageResultMessage | null;
  /** Keep (pin) / drop (ban) per shot index. */
  readonly decisions: ReadonlyMap<number, Decision>;
  /**
   * In Premiere, Keep/Drop clicks wait here until Apply (each re-solve makes a version in the project): per shot,
   * the decision it will get (null: cleared). Empty in the web UI, which re-solves at once.
   */
  readonly pending: ReadonlyMap<number, Decision | null>;
  readonly steering: SteeringState;
  /** In Premiere, a steering change waiting for Apply (as Keep/Drop clicks do); always false in the web UI. */
  readonly steerPending: boolean;
  readonly imported: readonly ImportedVersion[];
  readonly problem: Problem | null;
  /** What just happened, one line (e.g. "Imported Auto-montage v2 with 16 bar markers."). */
  readonly notice: string | null;
  readonly warnings: readonly string[];
}

export interface PanelControllerOptions {
  readonly host: PremiereHost;
  readonly socketFactory: SocketFactory;
  /** Unused by the panel itself since everything travels over the WebSocket (macOS blocks http:// in UXP). */
  readonly fetch?: FetchLike;
  /** The WebSocket origins the host allows (UXP: manifest.json network.domains); see CompanionClientOptions. */
  readonly allowedSocketOrigins?: readonly string[];
  readonly settings?: SettingsStore;
  /** Overrides for the saved URL/token (the web UI passes its own origin and the ?token= of its address). */
  readonly url?: string;
  readonly token?: string;
  readonly clientName?: string;
}

/** The one bin every generated version goes into. */
export const VERSIONS_BIN = 'Auto-Montage';
/** The timelines the Premiere panel asks for: the xmeml (the import fallback) and OTIO (read to build the cut). */
const PREMIERE_FORMATS = ['fcp7-xml', 'otio'] as const;

const URL_KEY = 'automontage.url';
const TOKEN_KEY = 'automontage.token';

/** A pairing code is 8 letters and digits ("K7QM-4XZ2"); a token is 64 hex digits, so the two never mix up. */
export function credentialsFrom(typed: string, savedToken: string): Credentials {
  const text = typed.trim();
  if (text === '') return { token: savedToken };
  const compact = text.replace(/[\s-]+/g, '');
  return /^[A-Za-z0-9]{8}$/.test(compact) ? { pairingCode: compact.toUpperCase() } : { token: text };
}

/** The status line: companion version, CPU/GPU, queue. */
export function statusLine(serverVersion: string, status: ServerStatus | undefined): string {
  const parts = [`v${serverVersion}`];
  if (status) {
    const { inUse, provider, device } = status.gpu;
    parts.push(inUse ? `GPU: ${device ?? provider}` : `CPU${provider !== 'cpu' ? ` (${provider})` : ''}`);
    parts.push(`${status.queue.running} running, ${status.queue.queued} queued`);
  }
  return parts.join(' · ');
}

export class PanelController {
  private stateValue: PanelState;
  private readonly listeners = new Set<(state: PanelState) => void>();
  private readonly client: CompanionClient;
  private readonly settings: SettingsStore;
  private running: JobHandle | undefined;
  /** The timeline formats the companion offered in its welcome. */
  private serverFormats: readonly string[] = [];
  /** A re-solve asked for while another runs: run once more when it ends. */
  private resolvePending = false;
  /** Storyboards read per job id (a few, newest last). */
  private readonly storyboards = new Map<string, Promise<StoryboardModel | null>>();

  constructor(private readonly options: PanelControllerOptions) {
    this.settings = options.settings ?? memorySettings();
    this.client = new CompanionClient(options.socketFactory, {
      clientName: options.clientName ?? `auto-montage ${options.host.kind}`,
      ...(options.allowedSocketOrigins ? { allowedSocketOrigins: options.allowedSocketOrigins } : {}),
    });
    this.client.onClose((reason) => {
      this.update({
        connection: { ...this.stateValue.connection, status: 'disconnected' },
        problem: describeProblem(new CompanionError('disconnected', reason), this.stateValue.connection.url),
      });
    });
    this.stateValue = {
      connection: {
        status: 'disconnected',
        url: options.url ?? this.settings.get(URL_KEY) ?? DEFAULT_COMPANION_URL,
        token: options.token ?? '',
      },
      sequence: null,
      music: { kind: 'file', path: '' },
      length: 'music',
      options: DEFAULT_PANEL_OPTIONS,
      typed: { moviePath: '', musicPath: '' },
      job: null,
      result: null,
      decisions: new Map(),
      pending: new Map(),
      steering: { moodTarget: 'auto', emotionArc: [], touched: false },
      steerPending: false,
      imported: [],
      problem: null,
      notice: null,
      warnings: [],
    };
  }

  get state(): PanelState {
    return this.stateValue;
  }

  get host(): PremiereHost {
    return this.options.host;
  }

  /** Calls `listener` after every state change. Returns an unsubscribe function. */
  onChange(listener: (state: PanelState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Connects (or reconnects) to the companion. `typed` is what the editor typed: the pairing code the companion
   * printed (once; the welcome brings the token) or the token itself; empty uses the saved token. The token is
   * kept in `host.secrets` (UXP secureStorage), never in localStorage. Never throws: failures become `problem`.
   */
  async connect(url = this.stateValue.connection.url, typed = ''): Promise<boolean> {
    const saved = this.stateValue.connection.token;
    const credentials = credentialsFrom(typed, saved);
    this.update({ connection: { status: 'connecting', url, token: saved }, problem: null, notice: null });
    if ('token' in credentials && credentials.token === '') {
      this.update({
        connection: { status: 'disconnected', url, token: '' },
        problem: { title: 'The panel is not paired with the companion yet.', fix: START_COMPANION_FIX },
      });
      return false;
    }
    try {
      companionUrls(url);
      const welcome = await this.client.connect(url, credentials);
      this.serverFormats = welcome.formats;
      const token = welcome.token ?? ('token' in credentials ? credentials.token : saved);
      this.settings.set(URL_KEY, url);
      if (token !== saved || welcome.token) await this.saveToken(token);
      this.update({ connection: { status: 'connected', url, token, serverVersion: welcome.serverVersion, health: statusLine(welcome.serverVersion, welcome.status) } });
      return true;
    } catch (error) {
      this.update({ connection: { status: 'disconnected', url, token: saved }, problem: describeProblem(error, url) });
      return false;
    }
  }

  /**
   * At panel start: loads the saved token (moving one an older panel left in localStorage into the host's
   * secrets) and connects when there is one. Resolves whether it connected.
   */
  async restoreConnection(): Promise<boolean> {
    let token = this.stateValue.connection.token;
    const secrets = this.options.host.secrets;
    try {
      if (!token && secrets) token = (await secrets.get(TOKEN_KEY)) ?? '';
      const legacy = this.settings.get(TOKEN_KEY);
      if (legacy) {
        if (!token) token = legacy;
        this.settings.set(TOKEN_KEY, '');
        if (secrets) await secrets.set(TOKEN_KEY, token);
      }
    } catch {
      // An unavailable secure store means pairing again, not a broken panel.
    }
    if (!token) return false;
    this.update({ connection: { ...this.stateValue.connection, token } });
    return this.connect();
  }

  /** Forgets the saved token (the next connect needs a new pairing code). */
  async forgetPairing(): Promise<void> {
    this.client.close();
    await this.options.host.secrets?.remove(TOKEN_KEY).catch(() => {});
    this.update({ connection: { status: 'disconnected', url: this.stateValue.connection.url, token: '' }, notice: 'The panel forgot its pairing. Type a new pairing code to connect.' });
  }

  private async saveToken(token: string): Promise<void> {
    try {
      await this.options.host.secrets?.set(TOKEN_KEY, token);
    } catch {
      // Kept for this session; the editor pairs again next time.
    }
  }

  disconnect(): void {
    this.client.close();
    this.update({ connection: { ...this.stateValue.connection, status: 'disconnected' } });
  }

  /** Premiere: reads the active sequence and picks a music clip when none is chosen yet. */
  async refreshSequence(): Promise<HostSequence | null> {
    if (this.options.host.kind !== 'premiere') return null;
    try {
      const sequence = await this.options.host.getActiveSequence();
      let music = this.stateValue.music;
      const current = music;
      const stale = current.kind === 'file' ? current.path === '' : !(sequence && musicClips(sequence).some((clip) => clipKey(clip) === current.clipKey));
      if (sequence && stale) {
        const first = musicClips(sequence)[0];
        if (first) music = { kind: 'clip', clipKey: clipKey(first) };
      }
      this.update({
        sequence,
        music,
        warnings: skippedWarnings(sequence),
        ...(sequence ? {} : { problem: { title: 'No sequence is open.', fix: 'Open the sequence with the movie (and the music, or pick a music file), then press Refresh.' } }),
      });
      return sequence;
    } catch (error) {
      this.update({ problem: describeProblem(error, this.stateValue.connection.url) });
      return null;
    }
  }

  setMusic(music: MusicChoice): void {
    this.update({ music });
  }

  setLength(length: LengthChoice): void {
    this.update({ length });
  }

  setOptions(options: Partial<PanelMontageOptions>): void {
    this.update({ options: { ...this.stateValue.options, ...options } });
  }

  setTyped(typed: Partial<TypedInputs>): void {
    this.update({ typed: { ...this.stateValue.typed, ...typed } });
  }

  setConnectionUrl(url: string): void {
    this.update({ connection: { ...this.stateValue.connection, url } });
  }

  /** Lets the host pick the music file (Premiere: UXP's file dialog). */
  async pickMusicFile(): Promise<void> {
    const picked = await this.options.host.pickFile?.(['mp3', 'wav', 'aif', 'aiff', 'm4a', 'ogg', 'opus', 'flac']);
    if (picked) this.update({ music: { kind: 'file', path: picked } });
  }

  /** The Auto-montage button: analyse + plan on the companion; in Premiere, import the result. Never throws. */
  async autoMontage(): Promise<MontageResultMessage | null> {
    if (this.running) return null;
    this.update({ problem: null, notice: null, warnings: [], decisions: new Map(), pending: new Map(), steerPending: false });
    try {
      if (!this.client.connected && !(await this.connect())) return null;
      let built;
      if (this.options.host.kind === 'premiere') {
        const sequence = await this.refreshSequence();
        if (!sequence) return null;
        built = buildSequenceRequest(sequence, this.stateValue.music, this.stateValue.length, this.stateValue.options, this.steeringOptions(false));
      } else {
        built = buildTypedRequest(this.stateValue.typed, this.stateValue.options, this.steeringOptions(false));
      }
      this.update({ warnings: [...(this.options.host.kind === 'premiere' ? skippedWarnings(this.stateValue.sequence) : []), ...built.warnings] });
      const request: JobRequest = this.options.host.kind === 'premiere' ? { ...built.request, formats: this.premiereFormats() } : built.request;
      const result = await this.runJob(request, 'montage');
      if (!result) return null;
      // A movie Premiere cannot import would come in offline: the companion says so (AM_ERR_MEDIA_NOT_IMPORTABLE).
      const unimportable = result.montage.plan.diagnostics.filter((d) => d.code === 'AM_ERR_MEDIA_NOT_IMPORTABLE').map((d) => `${d.message}.`);
      this.update({ result, notice: `Montage ready in ${(result.elapsedMs / 1000).toFixed(1)} s.`, warnings: [...this.stateValue.warnings, ...unimportable] });
      if (this.options.host.kind === 'premiere') await this.importResult(result);
      return result;
    } catch (error) {
      this.fail(error);
      return null;
    }
  }

  /**
   * Marks a shot keep/drop (or clears it with null). The web UI re-solves at once; in Premiere the click waits in
   * `pending` for {@link applyDecisions}, so three clicks make one new version, not three.
   */
  async setDecision(shotIndex: number, decision: Decision | null): Promise<MontageResultMessage | null> {
    if (this.options.host.kind === 'premiere') {
      const pending = new Map(this.stateValue.pending);
      if ((this.stateValue.decisions.get(shotIndex) ?? null) === decision) pending.delete(shotIndex);
      else pending.set(shotIndex, decision);
      this.update({ pending });
      return null;
    }
    const decisions = new Map(this.stateValue.decisions);
    if (decision === null) decisions.delete(shotIndex);
    else decisions.set(shotIndex, decision);
    this.update({ decisions });
    return this.resolve();
  }

  /** The decision a shot will have once the pending clicks are applied. */
  decisionOf(shotIndex: number): Decision | null {
    const pending = this.stateValue.pending;
    return pending.has(shotIndex) ? (pending.get(shotIndex) ?? null) : (this.stateValue.decisions.get(shotIndex) ?? null);
  }

  /** Apply: the pending Keep/Drop clicks become decisions, and one re-solve makes one new version. */
  async applyDecisions(): Promise<MontageResultMessage | null> {
    if ((this.stateValue.pending.size === 0 && !this.stateValue.steerPending) || this.running) return null;
    const decisions = new Map(this.stateValue.decisions);
    for (const [shot, decision] of this.stateValue.pending) {
      if (decision === null) decisions.delete(shot);
      else decisions.set(shot, decision);
    }
    this.update({ decisions, pending: new Map() });
    return this.resolve();
  }

  /** Opens a chosen shot in Premiere's Source Monitor at its source in (a click on the shot in the list). */
  async showShot(shotIndex: number): Promise<boolean> {
    const result = this.stateValue.result;
    const shot = result?.montage.chosen.find((candidate) => candidate.shotIndex === shotIndex);
    if (!result || !shot || !this.options.host.showInSourceMonitor) return false;
    // Several sources: the shot's own file; one movie: the movie.
    const path = (shot.source ? result.analysis.sources?.find((source) => source.id === shot.source)?.path : undefined) ?? result.analysis.movie.path;
    try {
      return await this.options.host.showInSourceMonitor(path, secondsToTicks(shot.sourceStartSeconds));
    } catch (error) {
      this.fail(error);
      return false;
    }
  }

  /** Forgets the pending clicks (a pending steering change stays in the controls and goes with the next re-solve). */
  discardPending(): void {
    this.update({ pending: new Map(), steerPending: false });
  }

  /**
   * Steering: the mood (auto, a label or a valence/arousal point), the drawn emotion arc, the scene count and
   * hard/soft. With a result, the web UI re-solves at once from the cached analysis (a `resolve`, as a swap);
   * in Premiere the change waits for Apply, as Keep/Drop clicks do, since each re-solve makes a new version.
   */
  async steer(change: SteeringChange): Promise<MontageResultMessage | null> {
    const { scenes, mode, ...mood } = change;
    if (scenes !== undefined || mode !== undefined) this.setOptions({ ...(scenes !== undefined ? { scenes } : {}), ...(mode !== undefined ? { mode } : {}) });
    if (mood.moodTarget !== undefined || mood.emotionArc !== undefined) this.update({ steering: { ...this.stateValue.steering, ...mood, touched: true } });
    if (!this.stateValue.result) return null;
    if (this.options.host.kind === 'premiere') {
      this.update({ steerPending: true });
      return null;
    }
    return this.resolve();
  }

  /**
   * The storyboard of a result (thumbnails as data URIs), read over the WebSocket as the timelines are: the
   * socket is the one authenticated with the token, and UXP on macOS blocks http://. Cached per job; null when
   * the companion wrote none.
   */
  loadStoryboard(result: MontageResultMessage): Promise<StoryboardModel | null> {
    const cached = this.storyboards.get(result.jobId);
    if (cached) return cached;
    const loading = result.montage.files.some((file) => file.name === 'storyboard.json')
      ? this.client.readFile(result.jobId, 'storyboard.json').then(
          ({ text }) => JSON.parse(text) as StoryboardModel,
          () => null,
        )
      : Promise.resolve(null);
    this.storyboards.set(result.jobId, loading);
    while (this.storyboards.size > 8) this.storyboards.delete(this.storyboards.keys().next().value!);
    return loading;
  }

  /** The steering as request options: every field once the editor steered (a resolve), else only what differs from auto. */
  private steeringOptions(explicit: boolean): Partial<MontageOptions> {
    const { moodTarget, emotionArc, touched } = this.stateValue.steering;
    if (explicit && touched) return { moodTarget, emotionArc: [...emotionArc] };
    return { ...(moodTarget !== 'auto' ? { moodTarget } : {}), ...(emotionArc.length > 0 ? { emotionArc: [...emotionArc] } : {}) };
  }

  /**
   * Swaps one chosen shot for another (the storyboard's alternatives): the replacement is kept, the shot it replaces
   * dropped, and the other chosen shots are held for this re-solve, so only that slot changes.
   */
  async swap(current: number, replacement: number): Promise<MontageResultMessage | null> {
    const base = this.stateValue.result;
    if (!base || current === replacement) return null;
    const decisions = new Map(this.stateValue.decisions);
    decisions.set(replacement, 'keep');
    decisions.set(current, 'drop');
    this.update({ decisions });
    const hold = base.montage.chosen.map((shot) => shot.shotIndex).filter((shot) => shot !== current && decisions.get(shot) !== 'drop');
    return this.resolve({ hold });
  }

  /**
   * Re-solves the last result with the keep/drop decisions, plus (in Premiere) the shots whose clips the editor
   * disabled in the active generated sequence. Fast: the companion reuses its cached analysis.
   */
  async resolve(options: { readonly preview?: boolean; readonly hold?: readonly number[] } = {}): Promise<MontageResultMessage | null> {
    const base = this.stateValue.result;
    if (!base) return null;
    if (this.running) {
      this.resolvePending = true;
      return null;
    }
    this.update({ problem: null, notice: null, steerPending: false });
    try {
      if (!this.client.connected && !(await this.connect())) return null;
      if (this.options.host.kind === 'premiere') await this.absorbDisabledClips();
      // `hold`: shots kept for this re-solve only (a swap holds the other slots' shots).
      const pins: number[] = [...(options.hold ?? [])];
      const bans: number[] = [];
      for (const [shot, decision] of this.stateValue.decisions) (decision === 'keep' ? pins : bans).push(shot);
      const request: JobRequest = {
        type: 'resolve',
        jobId: base.jobId,
        options: {
          scenes: this.stateValue.options.scenes,
          mode: this.stateValue.options.mode,
          granularity: this.stateValue.options.granularity,
          ...(this.stateValue.options.relax !== 'auto' ? { relax: this.stateValue.options.relax } : {}),
          pins: [...new Set(pins)].sort((a, b) => a - b),
          bans: bans.sort((a, b) => a - b),
          ...this.steeringOptions(true),
        },
        ...(this.options.host.kind === 'premiere' ? { formats: this.premiereFormats() } : {}),
        // Re-solving stays fast without a preview; the web UI asks for one with its Render preview button.
        preview: options.preview === true,
      };
      const started = Date.now();
      const result = await this.runJob(request, 'resolve');
      if (!result) return null;
      this.update({ result, notice: `Re-solved in ${((Date.now() - started) / 1000).toFixed(2)} s.` });
      if (this.options.host.kind === 'premiere') await this.importResult(result);
      return result;
    } catch (error) {
      this.fail(error);
      return null;
    } finally {
      if (this.resolvePending && !this.running) {
        this.resolvePending = false;
        void this.resolve();
      }
    }
  }

  /**
   * "Undo this relaxation": forbids `kind` (the others stay allowed) and re-solves from the cached analysis,
   * so the companion finds the next nearest plan (the notice's `alternatives` say which).
   */
  async undoRelaxation(kind: RelaxKind): Promise<MontageResultMessage | null> {
    if (this.running) return null;
    this.setOptions({ relax: withoutRelaxation(this.stateValue.options.relax, kind) });
    return this.resolve();
  }

  /** Cancels the running job (its `done` rejects as cancelled). */
  cancel(): void {
    this.running?.cancel();
  }

  /**
   * Brings a result into Premiere as a new version in the one "Auto-Montage" bin, named after what it is: built in
   * place from the project's own clips (host.buildCut: sequence-editing actions and bar markers, one undo step),
   * or, where that is missing or fails, by importing the xmeml (temp file → importFiles → bar markers). Then the
   * version is opened.
   */
  async importResult(result: MontageResultMessage): Promise<ImportedVersion | null> {
    try {
      const version = this.stateValue.imported.length + 1;
      const name = versionName(result, version);
      const built = await this.buildInPlace(result, version, name);
      const imported = built ?? (await this.importXmeml(result, version, name));
      await this.options.host.openSequence(imported.sequenceId);
      const unit = result.montage.plan.options.granularity === 'beat' ? 'beat' : 'bar';
      const how = imported.how === 'built' ? `Built “${name}” in the ${VERSIONS_BIN} bin from the project’s clips (one undo step)` : `Imported “${name}” into the ${VERSIONS_BIN} bin`;
      this.update({
        imported: [...this.stateValue.imported, imported],
        notice: `${this.stateValue.notice ? `${this.stateValue.notice} ` : ''}${how}, with ${imported.markerCount} ${unit} markers${imported.carried ? ` (${imported.carried} came with the XML)` : ''}.`,
      });
      return imported;
    } catch (error) {
      this.fail(error);
      return null;
    }
  }

  /** The formats to ask for in Premiere: OTIO only where the companion has it (an older one gets the xmeml alone). */
  private premiereFormats(): string[] {
    return PREMIERE_FORMATS.filter((format) => format === 'fcp7-xml' || this.serverFormats.includes(format));
  }

  /** Refine in place, or undefined when the host cannot (then the xmeml is imported). */
  private async buildInPlace(result: MontageResultMessage, version: number, name: string): Promise<(ImportedVersion & { carried?: number }) | undefined> {
    const host = this.options.host;
    const otio = result.montage.files.find((candidate) => candidate.format === 'otio');
    if (!host.buildCut || !otio) return undefined;
    try {
      const { text } = await this.client.readFile(result.jobId, otio.name);
      const clips = cutClipsFromOtio(text, result.analysis.movie.frameRate);
      if (clips.length === 0) return undefined;
      const markers = barMarkers(result);
      const template = this.stateValue.sequence?.id;
      const { sequenceId } = await host.buildCut({ name, binName: VERSIONS_BIN, clips, markers, undoLabel: `Auto-Montage: ${name}`, ...(template ? { templateSequenceId: template } : {}) });
      return { version, sequenceId, path: '', how: 'built', name, jobId: result.jobId, markerCount: markers.length, result };
    } catch (error) {
      // The xmeml import below is the fallback; say why it was needed.
      this.update({ warnings: [...this.stateValue.warnings, `Imported the XML instead of building the cut in place: ${error instanceof Error ? error.message : String(error)}`] });
      return undefined;
    }
  }

  /** The fallback: the xmeml, renamed, written to a temp file and imported into the versions bin; markers added. */
  private async importXmeml(result: MontageResultMessage, version: number, name: string): Promise<ImportedVersion & { carried: number }> {
    const host = this.options.host;
    const file = result.montage.files.find((candidate) => candidate.format === 'fcp7-xml') ?? result.montage.files.find((candidate) => /\.xml$/i.test(candidate.name));
    if (!file) throw new RequestProblem('The companion sent no Premiere XML (xmeml) file.', 'Update the companion; its fcp7-xml exporter must be enabled.');
    // Over the WebSocket, not http://: macOS blocks http:// in UXP (App Transport Security).
    const { text } = await this.client.readFile(result.jobId, file.name);
    const path = await host.writeTempFile(`auto-montage-v${version}.xml`, renameXmemlSequence(text, name));
    const { newSequenceIds } = await host.importTimeline(path, { binName: VERSIONS_BIN });
    const sequenceId = newSequenceIds[0];
    if (!sequenceId) {
      throw new RequestProblem('Premiere imported the XML but no new sequence appeared.', `Look in the Project panel's ${VERSIONS_BIN} bin; or import ${path} with File > Import.`);
    }
    const wanted = barMarkers(result);
    // Premiere keeps xmeml sequence markers on import: add only the bars not marked yet (within half a frame).
    const existing = wanted.length > 0 && host.getMarkers ? await host.getMarkers(sequenceId) : [];
    const halfFrame = ticksPerFrame(result.analysis.movie.frameRate) / 2n;
    const missing = wanted.filter((marker) => !existing.some((other) => absTicks(parseTicks(other.startTicks) - parseTicks(marker.startTicks)) <= halfFrame));
    if (missing.length > 0 && !(await host.addMarkers(sequenceId, missing))) {
      throw new RequestProblem('Premiere did not add the bar markers.', 'The montage is imported; add markers by hand or press Re-solve to import it again.');
    }
    return { version, sequenceId, path, how: 'imported', name, jobId: result.jobId, markerCount: wanted.length, result, carried: wanted.length - missing.length };
  }

  /** Closes the connection. */
  dispose(): void {
    this.client.close();
    this.listeners.clear();
  }

  /** Adds bans for clips the editor disabled in the generated sequence that is active now. */
  private async absorbDisabledClips(): Promise<void> {
    const sequence = await this.options.host.getActiveSequence();
    const version = sequence ? this.stateValue.imported.find((candidate) => candidate.sequenceId === sequence.id) : undefined;
    if (!sequence || !version) return;
    const rate: Rate = version.result.analysis.movie.frameRate;
    const bans = bansFromDisabledClips(sequence, version.result.montage.chosen, rate);
    if (bans.length === 0) return;
    const decisions = new Map(this.stateValue.decisions);
    for (const shot of bans) decisions.set(shot, 'drop');
    this.update({ decisions });
  }

  private async runJob(request: JobRequest, kind: 'montage' | 'resolve'): Promise<MontageResultMessage | null> {
    const startedAt = Date.now();
    this.update({ job: { kind, stage: 'queued', fraction: 0, startedAt } });
    const handle = this.client.startJob(request, (progress: ProgressMessage) => {
      this.update({ job: { kind, jobId: progress.jobId, stage: progress.stage, fraction: progress.fraction, ...(progress.message ? { message: progress.message } : {}), startedAt } });
    });
    this.running = handle;
    try {
      const accepted = await handle.accepted;
      // The client replays progress that came with the acceptance before this line runs: keep it.
      if (this.stateValue.job?.jobId === undefined) {
        this.update({ job: { kind, jobId: accepted.jobId, stage: accepted.queuePosition > 0 ? `queued (${accepted.queuePosition} ahead)` : 'starting', fraction: 0, startedAt } });
      }
      return await handle.done;
    } catch (error) {
      if (error instanceof CompanionError && error.kind === 'cancelled') {
        this.update({ notice: 'Cancelled.' });
        return null;
      }
      throw error;
    } finally {
      this.running = undefined;
      this.update({ job: null });
    }
  }

  private fail(error: unknown): void {
    this.update({ problem: describeProblem(error, this.stateValue.connection.url) });
  }

  private update(patch: Partial<PanelState>): void {
    this.stateValue = { ...this.stateValue, ...patch };
    for (const listener of [...this.listeners]) {
      try {
        listener(this.stateValue);
      } catch {
        // A view bug must not break the logic.
      }
    }
  }
}

const SKIP_WORDS: Record<NonNullable<HostSequence['skipped']>[number]['reason'], string> = {
  offline: 'offline',
  multicam: 'a multicam clip',
  merged: 'a merged clip',
  reversed: 'played in reverse',
  unreadable: 'unreadable',
};

/** One line per clip the host left out of the sequence, and why ("Left out V1 “cam.mov”: a multicam clip."). */
export function skippedWarnings(sequence: HostSequence | null): string[] {
  return (sequence?.skipped ?? []).map((clip) => `Left out ${clip.kind === 'video' ? 'V' : 'A'}${clip.track + 1} “${clip.name}”: ${SKIP_WORDS[clip.reason]}${clip.detail ? ` (${clip.detail})` : ''}.`);
}

/** A version's descriptive name: "Auto-Montage v2 · song · 6 scenes · bars" (the music, the scenes, the unit, the version). */
export function versionName(result: MontageResultMessage, version: number): string {
  const music = result.analysis.music.path.split(/[\\/]/).pop()?.replace(/\.[^.]+$/, '') ?? 'music';
  const plan = result.montage.plan;
  const unit = plan.options.granularity === 'mixed' ? 'mixed units' : { bar: 'bars', '2bars': '2 bars', halfbar: 'half bars', beat: 'beats' }[plan.options.granularity];
  return `Auto-Montage v${version} · ${music} · ${plan.sceneCount} ${plan.sceneCount === 1 ? 'scene' : 'scenes'} · ${unit}`;
}

/** Sets the name of an xmeml's sequence (the first <name> inside <sequence>), escaped for XML. */
export function renameXmemlSequence(xml: string, name: string): string {
  const escaped = name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return xml.replace(/(<sequence\b[^>]*>\s*<name>)[^<]*(<\/name>)/, (_match, open: string, close: string) => `${open}${escaped}${close}`);
}
