/**
 * The panel's UI, shared by the Premiere panel and the web UI (the host's kind picks the source section).
 * Plain DOM within what UXP renders: div/span/label/input/select/button/canvas, flexbox, no CSS grid, no
 * framework. Static controls are built once; the dynamic parts (status, progress, problem, result) are
 * re-rendered on every state change. Never uses alert(): problems are shown inline with their fix.
 */
import { MUSIC_MOODS, MUSIC_OPTION_LIMITS, RELAX_KINDS, type EmotionPoint, type GranularityOption, type MontageResultMessage, type RelaxOption } from '../../../companion/protocol/messages';
import type { PanelController, PanelState } from '../panel-controller';
import { baseName, clipKey, musicClips } from '../montage-request';
import { footageSummary } from '../footage-summary';
import { START_COMPANION_FIX } from '../problems';
import { emotionSeries, formatMinutesSeconds, resultSummary, unitWords } from '../result-model';
import { ticksToSeconds } from '../ticks';
import { drawEmotionPlot } from './emotion-plot';
import { PLOT_COLOURS } from './plot-colours';
import { mountEditorView } from './editor-view';
import { mountPanelStoryboard } from './panel-storyboard';
import { ARC_HEIGHT, MOOD_PAD_SIZE, drawMoodPad, wireArcEditor, wireMoodPad } from './steering';

type Child = Node | string | null | undefined | false;
interface Props {
  readonly class?: string;
  readonly text?: string;
  readonly test?: string;
  readonly attrs?: Readonly<Record<string, string>>;
  readonly on?: Readonly<Record<string, (event: Event) => void>>;
}

/**
 * In Premiere the panel's buttons and text fields are UXP's Spectrum widgets (sp-button, sp-textfield), so it looks
 * native; a browser has no such elements and gets plain ones. Set by {@link mountPanel}.
 */
let spectrum = false;

/** The Spectrum element for a plain one, or undefined to keep it (selects, radios, number fields stay native). */
function spectrumTag(tag: string, props: Props): string | undefined {
  if (!spectrum) return undefined;
  if (tag === 'button' && /\bam-button\b/.test(props.class ?? '')) return 'sp-button';
  if (tag === 'input' && props.attrs?.['type'] === 'text') return 'sp-textfield';
  return undefined;
}

/** Creates an element; `test` becomes data-test (the browser tests find controls by it). */
function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, children: readonly Child[] = []): HTMLElementTagNameMap[K] {
  const swapped = spectrumTag(tag, props);
  // A Spectrum widget keeps the plain element's interface the panel uses (value, disabled, click/input/change).
  const element = document.createElement(swapped ?? tag) as HTMLElementTagNameMap[K];
  if (swapped === 'sp-button') element.setAttribute('variant', /\bam-cta\b/.test(props.class ?? '') ? 'cta' : 'secondary');
  if (swapped === 'sp-button' && /\bam-quiet\b/.test(props.class ?? '')) element.setAttribute('quiet', '');
  if (props.class) element.className = props.class;
  if (props.text !== undefined) element.textContent = props.text;
  if (props.test) element.setAttribute('data-test', props.test);
  for (const [name, value] of Object.entries(props.attrs ?? {})) element.setAttribute(name, value);
  for (const [name, listener] of Object.entries(props.on ?? {})) element.addEventListener(name, listener);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

function clear(element: Element): void {
  while (element.firstChild) element.removeChild(element.firstChild);
}

function option(value: string, label: string, selected: boolean): HTMLOptionElement {
  const element = h('option', { text: label, attrs: { value } });
  element.selected = selected;
  return element;
}

/** Mounts the UI into `root` and keeps it in step with the controller. Returns an unmount function. */
export function mountPanel(root: HTMLElement, controller: PanelController, options: { readonly spectrum?: boolean } = {}): () => void {
  spectrum = options.spectrum === true;
  const isPremiere = controller.host.kind === 'premiere';
  const state = () => controller.state;
  clear(root);
  root.classList.add('am-root');

  // --- Companion -------------------------------------------------------------------------------------
  const statusDot = h('span', { class: 'am-dot', test: 'status-dot' });
  const statusText = h('span', { class: 'am-status-text', test: 'status' });
  const urlInput = h('input', { class: 'am-input', test: 'url', attrs: { type: 'text', placeholder: 'http://127.0.0.1:7391', spellcheck: 'false' } });
  // A plain text field, never type=password: UXP cannot read a password field's value on macOS. It takes the
  // short pairing code the companion prints (once; the token then lives in secureStorage) or the token itself.
  const pairingInput = h('input', { class: 'am-input', test: 'pairing', attrs: { type: 'text', placeholder: 'pairing code, e.g. K7QM-4XZ2', spellcheck: 'false', autocomplete: 'off' } });
  urlInput.value = state().connection.url;
  urlInput.addEventListener('change', () => controller.setConnectionUrl(urlInput.value));
  const connect = async () => {
    if (await controller.connect(urlInput.value, pairingInput.value)) pairingInput.value = '';
  };
  pairingInput.addEventListener('keydown', (event) => {
    if ((event as KeyboardEvent).key === 'Enter') void connect();
  });
  const connectButton = h('button', { class: 'am-button', text: 'Connect', test: 'connect', on: { click: () => void connect() } });
  const forgetButton = h('button', { class: 'am-button am-quiet', text: 'Forget pairing', test: 'forget-pairing', on: { click: () => void controller.forgetPairing() } });
  const pairingRow = h('div', { test: 'pairing-row' }, [h('label', { class: 'am-label', text: 'Pairing code' }), h('div', { class: 'am-row' }, [pairingInput, connectButton])]);
  const healthText = h('div', { class: 'am-hint', test: 'health' });
  const startHelp = h('div', { class: 'am-hint am-help', test: 'start-help', text: START_COMPANION_FIX });
  const companionSection = h('div', { class: 'am-section' }, [
    h('div', { class: 'am-row' }, [statusDot, statusText]),
    h('label', { class: 'am-label', text: 'Companion URL' }),
    urlInput,
    pairingRow,
    h('div', { class: 'am-row' }, [healthText, forgetButton]),
    startHelp,
  ]);

  // --- Source ----------------------------------------------------------------------------------------
  const sourceSection = h('div', { class: 'am-section' });
  const sequenceName = h('div', { class: 'am-value', test: 'sequence' });
  // The montage's footage: how many files, and each with its clips and selected time (renderSource).
  const movieName = h('div', { class: 'am-hint', test: 'movie' });
  const musicSelect = h('select', { class: 'am-select', test: 'music-select' });
  const musicFileRow = h('div', { class: 'am-row', test: 'music-file-row' });
  const musicPath = h('input', { class: 'am-input', test: 'music-path', attrs: { type: 'text', placeholder: 'music file path', spellcheck: 'false' } });
  const lengthMusic = h('input', { test: 'length-music', attrs: { type: 'radio', name: 'am-length', value: 'music' } });
  const lengthInOut = h('input', { test: 'length-inout', attrs: { type: 'radio', name: 'am-length', value: 'inout' } });
  lengthMusic.checked = state().length === 'music';
  lengthInOut.checked = state().length === 'inout';
  lengthMusic.addEventListener('change', () => lengthMusic.checked && controller.setLength('music'));
  lengthInOut.addEventListener('change', () => lengthInOut.checked && controller.setLength('inout'));
  const typedFields = {
    moviePath: h('input', { class: 'am-input', test: 'movie-path', attrs: { type: 'text', placeholder: '/path/to/movie.mp4', spellcheck: 'false' } }),
    movieStartSeconds: h('input', { class: 'am-input am-short', test: 'movie-start', attrs: { type: 'text', placeholder: 'start s' } }),
    movieEndSeconds: h('input', { class: 'am-input am-short', test: 'movie-end', attrs: { type: 'text', placeholder: 'end s' } }),
    musicPath: h('input', { class: 'am-input', test: 'web-music-path', attrs: { type: 'text', placeholder: '/path/to/music.mp3', spellcheck: 'false' } }),
    musicStartSeconds: h('input', { class: 'am-input am-short', test: 'music-start', attrs: { type: 'text', placeholder: 'start s' } }),
    musicEndSeconds: h('input', { class: 'am-input am-short', test: 'music-end', attrs: { type: 'text', placeholder: 'end s' } }),
  };
  for (const [key, input] of Object.entries(typedFields)) {
    input.addEventListener('input', () => controller.setTyped({ [key]: input.value }));
  }
  if (isPremiere) {
    musicSelect.addEventListener('change', () => {
      const value = musicSelect.value;
      if (value === '__file') controller.setMusic({ kind: 'file', path: musicPath.value });
      else controller.setMusic({ kind: 'clip', clipKey: value });
    });
    musicPath.addEventListener('input', () => controller.setMusic({ kind: 'file', path: musicPath.value }));
    const pickButton = h('button', { class: 'am-button am-quiet', text: 'Choose…', test: 'pick-music', on: { click: () => void controller.pickMusicFile() } });
    musicFileRow.append(musicPath, pickButton);
    sourceSection.append(
      h('div', { class: 'am-row am-spread' }, [
        h('div', {}, [h('label', { class: 'am-label', text: 'Active sequence' }), sequenceName]),
        h('button', { class: 'am-button am-quiet', text: 'Refresh', test: 'refresh', on: { click: () => void controller.refreshSequence() } }),
      ]),
      movieName,
      h('label', { class: 'am-label', text: 'Music' }),
      musicSelect,
      musicFileRow,
      h('label', { class: 'am-label', text: 'Length' }),
      h('div', { class: 'am-row' }, [h('label', { class: 'am-choice' }, [lengthMusic, ' Whole music']), h('label', { class: 'am-choice' }, [lengthInOut, ' Sequence In/Out'])]),
    );
  } else {
    sourceSection.append(
      h('label', { class: 'am-label', text: 'Movie file (path on the companion’s computer)' }),
      typedFields.moviePath,
      h('div', { class: 'am-row' }, [h('span', { class: 'am-hint', text: 'Range (optional)' }), typedFields.movieStartSeconds, typedFields.movieEndSeconds]),
      h('label', { class: 'am-label', text: 'Music file' }),
      typedFields.musicPath,
      h('div', { class: 'am-row' }, [h('span', { class: 'am-hint', text: 'Range (optional)' }), typedFields.musicStartSeconds, typedFields.musicEndSeconds]),
    );
  }

  // --- Options ---------------------------------------------------------------------------------------
  const scenesInput = h('input', { class: 'am-input am-short', test: 'scenes', attrs: { type: 'number', min: '1', max: '1000', step: '1' } });
  scenesInput.value = String(state().options.scenes);
  scenesInput.addEventListener('change', () => {
    const scenes = Math.max(1, Math.min(1000, Math.round(Number(scenesInput.value) || 1)));
    scenesInput.value = String(scenes);
    // Steering: with a result, a change re-solves from the cached analysis (in Premiere, at Apply).
    void controller.steer({ scenes });
  });
  const modeSelect = h('select', { class: 'am-select', test: 'mode' }, [option('hard', 'Hard (at most N scenes)', true), option('soft', 'Soft (scene budget)', false)]);
  modeSelect.addEventListener('change', () => void controller.steer({ mode: modeSelect.value === 'soft' ? 'soft' : 'hard' }));
  const granularities: [GranularityOption, string][] = [
    ['auto', 'Auto (the unit the shots fit best)'],
    ['bar', 'Cut every bar'],
    ['2bars', 'Cut every 2 bars'],
    ['halfbar', 'Cut every half bar'],
    ['beat', 'Cut every beat'],
  ];
  const granularitySelect = h('select', { class: 'am-select', test: 'granularity' }, granularities.map(([value, label]) => option(value, label, value === state().options.granularity)));
  granularitySelect.addEventListener('change', () => {
    controller.setOptions({ granularity: granularities.find(([value]) => value === granularitySelect.value)?.[0] ?? 'auto' });
  });
  // What the companion may loosen when the shots cannot fill the music as asked; a list (after an undo) shows as "Only …".
  const relaxChoices: [string, string][] = [
    ['auto', 'Relax automatically'],
    ['none', 'Never: show the problem'],
    ...RELAX_KINDS.map((kind): [string, string] => [kind, `Only ${kind === 'granularity' ? 'a finer unit' : kind === 'trim' ? 'trimming' : kind === 'scenes' ? 'more scenes' : 'shorter music'}`]),
  ];
  const relaxSelect = h('select', { class: 'am-select', test: 'relax' }, relaxChoices.map(([value, label]) => option(value, label, value === 'auto')));
  relaxSelect.addEventListener('change', () => {
    const value = relaxSelect.value;
    const kind = RELAX_KINDS.find((k) => k === value);
    controller.setOptions({ relax: value === 'none' ? 'none' : kind ?? 'auto' });
  });
  const relaxValue = (relax: RelaxOption) => (typeof relax === 'string' ? relax : relax.join(','));
  const syncRelaxSelect = (relax: RelaxOption) => {
    const value = relaxValue(relax);
    if (relaxSelect.value === value) return;
    if (!Array.from({ length: relaxSelect.options.length }, (_, i) => relaxSelect.options[i]!.value).includes(value)) relaxSelect.append(option(value, `Only ${value.replace(/,/g, ', ')}`, false));
    relaxSelect.value = value;
  };
  // The music overrides: empty / Auto lets the companion read them from the music.
  const bpmInput = h('input', { class: 'am-input am-short', test: 'bpm', attrs: { type: 'number', min: String(MUSIC_OPTION_LIMITS.bpm.min), max: String(MUSIC_OPTION_LIMITS.bpm.max), step: '0.1', placeholder: 'auto' } });
  bpmInput.addEventListener('change', () => {
    const text = bpmInput.value.trim();
    const value = Number(text);
    if (text === '' || !Number.isFinite(value)) {
      bpmInput.value = '';
      controller.setOptions({ bpm: undefined });
      return;
    }
    const bpm = Math.round(Math.max(MUSIC_OPTION_LIMITS.bpm.min, Math.min(MUSIC_OPTION_LIMITS.bpm.max, value)) * 10) / 10;
    bpmInput.value = String(bpm);
    controller.setOptions({ bpm });
  });
  const metres = Array.from({ length: MUSIC_OPTION_LIMITS.beatsPerBar.max - MUSIC_OPTION_LIMITS.beatsPerBar.min + 1 }, (_, i) => MUSIC_OPTION_LIMITS.beatsPerBar.min + i);
  const beatsPerBarSelect = h('select', { class: 'am-select', test: 'beats-per-bar' }, [option('auto', 'Auto', true), ...metres.map((n) => option(String(n), `${n} beats per bar`, false))]);
  beatsPerBarSelect.addEventListener('change', () => {
    const value = beatsPerBarSelect.value;
    controller.setOptions({ beatsPerBar: value === 'auto' ? undefined : Number(value) });
  });
  const downbeatInput = h('input', { class: 'am-input am-short', test: 'first-downbeat', attrs: { type: 'number', min: '0', step: '0.01', placeholder: 'auto' } });
  downbeatInput.addEventListener('change', () => {
    const text = downbeatInput.value.trim();
    const value = Number(text);
    const valid = text !== '' && Number.isFinite(value) && value >= 0;
    if (!valid) downbeatInput.value = '';
    controller.setOptions({ firstDownbeatSeconds: valid ? value : undefined });
  });
  // The mood control steers (moodTarget): auto, one of the six, or a valence/arousal point picked on the pad.
  const moodSelect = h('select', { class: 'am-select', test: 'mood' }, [
    ...MUSIC_MOODS.map((mood) => option(mood, mood === 'auto' ? 'Auto (from the music)' : mood[0]!.toUpperCase() + mood.slice(1), mood === 'auto')),
    option('point', 'A point (valence/arousal)…', false),
  ]);
  let lastPoint: EmotionPoint = { valence: 0, arousal: 0 };
  const currentPoint = () => {
    const target = state().steering.moodTarget;
    return typeof target === 'object' ? target : null;
  };
  const moodPad = h('canvas', { class: 'am-pad', test: 'mood-pad', attrs: { title: 'valence: left negative, right positive · arousal: bottom calm, top aroused' } });
  moodPad.width = MOOD_PAD_SIZE;
  moodPad.height = MOOD_PAD_SIZE;
  wireMoodPad(moodPad, currentPoint, (point) => {
    lastPoint = point;
    void controller.steer({ moodTarget: point });
  });
  const padReadout = h('span', { class: 'am-hint', test: 'mood-point' });
  const padRow = h('div', { class: 'am-row am-pad-row', test: 'mood-pad-row' }, [
    moodPad,
    h('div', { class: 'am-pad-legend' }, [h('span', { text: '↑ aroused (tense, fearful, excited)' }), padReadout, h('span', { text: '↓ calm (sad, relaxed) · ← negative · positive →' })]),
  ]);
  moodSelect.addEventListener('change', () => {
    if (moodSelect.value === 'point') {
      void controller.steer({ moodTarget: currentPoint() ?? lastPoint });
      return;
    }
    void controller.steer({ moodTarget: MUSIC_MOODS.find((candidate) => candidate === moodSelect.value) ?? 'auto' });
  });
  const optionsSection = h('div', { class: 'am-section' }, [
    h('div', { class: 'am-row' }, [h('label', { class: 'am-label am-inline', text: 'Scenes' }), scenesInput, modeSelect]),
    h('div', { class: 'am-row' }, [h('label', { class: 'am-label am-inline', text: 'Cuts' }), granularitySelect]),
    h('div', { class: 'am-row' }, [h('label', { class: 'am-label am-inline', text: 'If it can’t fit' }), relaxSelect]),
    h('div', { class: 'am-row' }, [h('label', { class: 'am-label am-inline', text: 'Tempo' }), bpmInput, h('span', { class: 'am-hint', text: 'BPM' }), beatsPerBarSelect]),
    h('div', { class: 'am-row' }, [h('label', { class: 'am-label am-inline', text: 'Downbeat' }), downbeatInput, h('span', { class: 'am-hint', text: 's into the music file' })]),
    h('div', { class: 'am-hint', text: 'Empty or Auto: the companion reads tempo, metre and downbeat from the music. They apply at the next Auto-montage (re-solves keep the last reading).' }),
    h('div', { class: 'am-row' }, [h('label', { class: 'am-label am-inline', text: 'Mood' }), moodSelect]),
    padRow,
    h('div', { class: 'am-hint', text: `Steering: mood, scenes and hard/soft (and the emotion arc under a result) re-solve from the cached analysis${isPremiere ? ' at Apply' : ' at once'}.` }),
  ]);

  // --- Run -------------------------------------------------------------------------------------------
  const runButton = h('button', { class: 'am-button am-cta', text: 'Auto-montage', test: 'run', on: { click: () => void controller.autoMontage() } });
  const cancelButton = h('button', { class: 'am-button am-quiet', text: 'Cancel', test: 'cancel', on: { click: () => controller.cancel() } });
  const progressFill = h('div', { class: 'am-progress-fill', test: 'progress-fill' });
  const progressBar = h('div', { class: 'am-progress', test: 'progress' }, [progressFill]);
  const progressText = h('div', { class: 'am-hint', test: 'progress-text' });
  const problemBox = h('div', { class: 'am-problem', test: 'problem' });
  const noticeLine = h('div', { class: 'am-notice', test: 'notice' });
  const warningsBox = h('div', { class: 'am-hint am-warning', test: 'warnings' });
  const runSection = h('div', { class: 'am-section' }, [h('div', { class: 'am-row' }, [runButton, cancelButton]), progressBar, progressText, problemBox, noticeLine, warningsBox]);

  // --- Result ----------------------------------------------------------------------------------------
  const resultSection = h('div', { class: 'am-section am-result', test: 'result' });

  root.append(
    h('div', { class: 'am-header' }, [h('span', { class: 'am-title', text: 'Auto-montage' }), h('span', { class: 'am-hint', text: isPremiere ? 'Premiere Pro' : 'Web' })]),
    companionSection,
    sourceSection,
    optionsSection,
    runSection,
    resultSection,
  );

  let renderedResult: MontageResultMessage | null = null;
  let renderedDecisions: PanelState['decisions'] | null = null;
  let renderedPending: PanelState['pending'] | null = null;
  let renderedSequence: PanelState['sequence'] | undefined;
  let renderedBusy: boolean | undefined;
  let renderedSteering: PanelState['steering'] | null = null;
  let renderedSteerPending: boolean | undefined;

  const render = (current: PanelState) => {
    const connected = current.connection.status === 'connected';
    statusDot.className = `am-dot am-${current.connection.status}`;
    statusText.textContent =
      current.connection.status === 'connected'
        ? `Connected to ${current.connection.url}${current.connection.serverVersion ? ` (companion ${current.connection.serverVersion})` : ''}`
        : current.connection.status === 'connecting'
          ? `Connecting to ${current.connection.url}…`
          : 'Not connected';
    healthText.textContent = connected ? (current.connection.health ?? '') : '';
    startHelp.style.display = connected ? 'none' : 'block';
    // Paired (a token is saved): no code to type; Connect again is the status line's job.
    const paired = current.connection.token !== '';
    pairingRow.style.display = paired && connected ? 'none' : 'block';
    forgetButton.style.display = paired && isPremiere ? 'inline-block' : 'none';

    if (isPremiere && current.sequence !== renderedSequence) {
      renderedSequence = current.sequence;
      renderSource(current);
    }
    if (isPremiere) {
      musicFileRow.style.display = current.music.kind === 'file' ? 'flex' : 'none';
      if (current.music.kind === 'file' && musicPath.value !== current.music.path) musicPath.value = current.music.path;
      musicSelect.value = current.music.kind === 'file' ? '__file' : current.music.clipKey;
    }

    const busy = current.job !== null;
    runButton.disabled = busy;
    cancelButton.style.display = busy ? 'inline-block' : 'none';
    progressBar.style.display = busy ? 'block' : 'none';
    progressFill.style.width = `${Math.round((current.job?.fraction ?? 0) * 100)}%`;
    progressText.textContent = current.job ? `${current.job.kind === 'resolve' ? 'Re-solving' : 'Working'}: ${current.job.stage}${current.job.message ? ` — ${current.job.message}` : ''} (${Math.round(current.job.fraction * 100)}%)` : '';

    clear(problemBox);
    problemBox.style.display = current.problem ? 'block' : 'none';
    if (current.problem) {
      problemBox.append(h('div', { class: 'am-problem-title', text: current.problem.title, test: 'problem-title' }));
      if (current.problem.detail) problemBox.append(h('div', { class: 'am-problem-detail', text: current.problem.detail }));
      problemBox.append(h('div', { class: 'am-problem-fix', text: current.problem.fix, test: 'problem-fix' }));
      if (current.problem.code) problemBox.append(h('div', { class: 'am-hint', text: current.problem.code }));
    }
    noticeLine.textContent = current.notice ?? '';
    syncRelaxSelect(current.options.relax);
    const target = current.steering.moodTarget;
    const moodValue = typeof target === 'object' ? 'point' : target;
    if (moodSelect.value !== moodValue) moodSelect.value = moodValue;
    padRow.style.display = moodValue === 'point' ? 'flex' : 'none';
    padReadout.textContent = typeof target === 'object' ? `valence ${target.valence.toFixed(2)}, arousal ${target.arousal.toFixed(2)}` : '';
    if (current.steering !== renderedSteering) drawMoodPad(moodPad, typeof target === 'object' ? target : null);
    warningsBox.textContent = current.warnings.join(' ');

    if (current.result !== renderedResult || current.decisions !== renderedDecisions || current.pending !== renderedPending || busy !== renderedBusy || current.steering !== renderedSteering || current.steerPending !== renderedSteerPending) {
      renderedSteering = current.steering;
      renderedSteerPending = current.steerPending;
      renderedPending = current.pending;
      renderedResult = current.result;
      renderedDecisions = current.decisions;
      renderedBusy = busy;
      renderResult(current);
    }
  };

  const renderSource = (current: PanelState) => {
    const sequence = current.sequence;
    sequenceName.textContent = sequence ? `${sequence.name} (${sequence.fps.toFixed(3).replace(/\.?0+$/, '')} fps, ${formatMinutesSeconds(ticksToSeconds(sequence.durationTicks))})` : 'No sequence — open one and press Refresh';
    clear(movieName);
    const footage = sequence ? footageSummary(sequence) : undefined;
    if (footage) {
      const clips = footage.files.reduce((sum, file) => sum + file.clipCount, 0);
      movieName.append(h('div', { test: 'sources-count', text: `Footage: ${footage.files.length} ${footage.files.length === 1 ? 'file' : 'files'}, ${clips} ${clips === 1 ? 'clip' : 'clips'}${footage.selected ? ' (selected)' : ''}` }));
      for (const file of footage.files) {
        // One line per file: the name gives way (an ellipsis) so the counts always fit the 280 px panel.
        const name = h('span', { text: file.name, attrs: { title: file.path, style: 'flex: 1 1 auto; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap' } });
        const figures = h('span', { text: `${file.clipCount} ${file.clipCount === 1 ? 'clip' : 'clips'} · ${formatMinutesSeconds(file.seconds)}`, attrs: { style: 'flex: 0 0 auto; white-space: nowrap; padding-left: 6px' } });
        movieName.append(h('div', { test: 'source', attrs: { style: 'display: flex; max-width: 100%' } }, [name, figures]));
      }
    }
    clear(musicSelect);
    for (const clip of sequence ? musicClips(sequence) : []) {
      musicSelect.append(option(clipKey(clip), `A${clip.track + 1}: ${clip.name || baseName(clip.mediaPath)} (${formatMinutesSeconds(ticksToSeconds(clip.srcInTicks))}–${formatMinutesSeconds(ticksToSeconds(clip.srcOutTicks))})`, false));
    }
    musicSelect.append(option('__file', 'A music file…', false));
  };

  const renderResult = (current: PanelState) => {
    clear(resultSection);
    const result = current.result;
    resultSection.style.display = result ? 'block' : 'none';
    if (!result) return;
    const busy = current.job !== null;
    const points = emotionSeries(result);
    const canvas = h('canvas', { class: 'am-plot', test: 'plot' });
    // As wide as the panel (280 px at its narrowest) and drawn at that width, so nothing is cut off or stretched.
    canvas.width = Math.max(200, Math.min(1200, Math.floor((root.clientWidth || 300) - 16)));
    canvas.height = 110;
    const total = points.length > 0 ? points[points.length - 1]!.timeSeconds + (points.length > 1 ? points[points.length - 1]!.timeSeconds - points[points.length - 2]!.timeSeconds : 0) : 0;
    // The time axis is DOM (UXP's canvas draws no text): the montage start, middle and end, in m:ss.
    const axis = h('div', { class: 'am-axis', test: 'plot-axis' }, [0, total / 2, total].map((seconds) => h('span', { text: formatMinutesSeconds(seconds) })));
    axis.style.width = `${canvas.width}px`;
    resultSection.append(
      h('div', { class: 'am-summary', text: resultSummary(result), test: 'summary' }),
      h('div', { class: 'am-legend' }, [
        legend(PLOT_COLOURS.music, 'music'),
        legend(PLOT_COLOURS.shot, 'chosen shots'),
        h('span', { class: 'am-hint', text: ' valence (top) · arousal (bottom) · match strip' }),
      ]),
      canvas,
      axis,
    );
    drawEmotionPlot(canvas, points);

    // Steering: the emotion arc, drawn over the plan's units; letting go re-solves (in Premiere, at Apply).
    const arcCanvas = h('canvas', { class: 'am-arc', test: 'arc' });
    arcCanvas.width = canvas.width;
    arcCanvas.style.width = `${canvas.width}px`;
    arcCanvas.style.height = `${ARC_HEIGHT}px`;
    wireArcEditor(arcCanvas, { units: result.montage.musicEmotion, arc: current.steering.emotionArc, commit: (emotionArc) => void controller.steer({ emotionArc }) });
    const clearArc = h('button', { class: 'am-button am-quiet', text: 'Clear arc', test: 'clear-arc', on: { click: () => void controller.steer({ emotionArc: [] }) } });
    clearArc.disabled = busy || current.steering.emotionArc.length === 0;
    resultSection.append(
      h('div', { class: 'am-row am-spread' }, [
        h('label', { class: 'am-label', text: `Emotion arc${current.steering.emotionArc.length ? ' (drawn)' : ''}: drag over valence (top) or arousal (bottom)` }),
        clearArc,
      ]),
      arcCanvas,
    );

    // Which unit the cut follows, and every relaxation with its undo (re-solve with it forbidden) where another exists.
    const plan = result.montage.plan;
    if (plan.granularity) {
      resultSection.append(h('div', { class: 'am-hint', test: 'granularity-reason', text: `Cuts on ${unitWords(plan.options.granularity).plural}: ${plan.granularity.reason}.` }));
    }
    if (plan.relaxations?.length) {
      const box = h('div', { class: 'am-relaxations', test: 'relaxations' });
      for (const relaxation of plan.relaxations) {
        const row = h('div', { class: 'am-relaxation am-row am-wrap', test: `relaxation-${relaxation.relax}` }, [h('span', { class: 'am-relaxation-text', text: `Relaxed: ${relaxation.message}.` })]);
        if (relaxation.alternatives.length > 0) {
          const undo = h('button', {
            class: 'am-button am-quiet',
            text: 'Undo this relaxation',
            test: `undo-${relaxation.relax}`,
            attrs: { title: `Re-solve without it; the companion would use ${relaxation.alternatives.join(' and ')} instead.` },
            on: { click: () => void controller.undoRelaxation(relaxation.relax) },
          });
          undo.disabled = busy;
          row.append(undo, h('span', { class: 'am-hint', text: `(instead: ${relaxation.alternatives.join(' + ')})` }));
        }
        box.append(row);
      }
      resultSection.append(box);
    }

    if (!isPremiere) {
      const links = h('div', { class: 'am-row am-wrap', test: 'downloads' });
      for (const file of result.montage.files) {
        if (file.format === 'preview') continue;
        links.append(h('a', { class: 'am-link', text: `${file.name}`, attrs: { href: file.url, download: file.name, 'data-format': file.format } }));
      }
      resultSection.append(h('label', { class: 'am-label', text: 'Download' }), links);
      if (result.montage.previewUrl) {
        const video = h('video', { class: 'am-video', test: 'preview', attrs: { controls: '', preload: 'metadata', src: result.montage.previewUrl } });
        resultSection.append(video);
      } else {
        resultSection.append(h('button', { class: 'am-button am-quiet', text: 'Render preview', test: 'render-preview', on: { click: () => void controller.resolve({ preview: true }) } }));
      }
      // The music timeline and the storyboard (ui/editor-view.ts), synced with the preview.
      const editor = h('div', { class: 'am-editor' });
      resultSection.append(editor);
      mountEditorView(editor, result, controller, resultSection.querySelector('video') ?? undefined);
    } else {
      resultSection.append(
        h('div', { class: 'am-row' }, [
          h('button', { class: 'am-button', text: 'Re-solve', test: 'resolve', on: { click: () => void controller.resolve() } }),
          h('span', { class: 'am-hint', text: 'Disabled clips in the generated sequence count as Drop.' }),
        ]),
      );
      // No <video> in UXP: the storyboard with a scrubbable strip; a click opens the shot in the Source Monitor.
      const storyboard = h('div', { class: 'am-panel-storyboard' });
      resultSection.append(storyboard);
      mountPanelStoryboard(storyboard, result, controller);
    }

    const list = h('div', { class: 'am-shots', test: 'shots' });
    for (const shot of result.montage.chosen) {
      // In Premiere a click waits for Apply (am-pending marks it); the web UI re-solves at once.
      const decision = controller.decisionOf(shot.shotIndex);
      const waiting = current.pending.has(shot.shotIndex) ? ' am-pending' : '';
      const keep = h('button', {
        class: `am-toggle${decision === 'keep' || (shot.pinned && !current.pending.has(shot.shotIndex)) ? ' am-on' : ''}${waiting}`,
        text: 'Keep',
        test: `keep-${shot.shotIndex}`,
        on: { click: () => void controller.setDecision(shot.shotIndex, decision === 'keep' ? null : 'keep') },
      });
      const drop = h('button', {
        class: `am-toggle am-drop${decision === 'drop' ? ' am-on' : ''}${waiting}`,
        text: 'Drop',
        test: `drop-${shot.shotIndex}`,
        on: { click: () => void controller.setDecision(shot.shotIndex, decision === 'drop' ? null : 'drop') },
      });
      keep.disabled = busy;
      drop.disabled = busy;
      list.append(
        h('div', { class: 'am-shot', attrs: { 'data-shot': String(shot.shotIndex) } }, [
          h('span', { class: 'am-shot-id', text: `#${shot.shotIndex + 1}` }),
          h('span', {
            class: `am-shot-text${isPremiere ? ' am-clickable' : ''}`,
            ...(isPremiere ? { attrs: { title: 'Open in the Source Monitor at its source in' }, on: { click: () => void controller.showShot(shot.shotIndex) }, test: `show-${shot.shotIndex}` } : {}),
            text: `scene ${shot.sceneIndex + 1} · ${formatMinutesSeconds(shot.sourceStartSeconds)}–${formatMinutesSeconds(shot.sourceEndSeconds)} · ${shot.barCount} ${shot.barCount === 1 ? unitWords(result.montage.plan.options.granularity).one : unitWords(result.montage.plan.options.granularity).plural}${shot.emotion ? ` · ${shot.emotion.label}` : ''}`,
          }),
          keep,
          drop,
        ]),
      );
    }
    const shotsWithDecisions = new Set([...current.decisions.keys(), ...current.pending.keys()]);
    const dropped = [...shotsWithDecisions].filter((shot) => controller.decisionOf(shot) === 'drop');
    resultSection.append(h('label', { class: 'am-label', text: `Chosen shots (${result.montage.chosen.length})` }), list);
    if (current.pending.size > 0 || current.steerPending) {
      // Batched: one Apply, one re-solve, one new version in the Auto-Montage bin.
      const changes = current.pending.size + (current.steerPending ? 1 : 0);
      const what = current.pending.size === 0 ? 'steering' : `${changes} ${changes === 1 ? 'change' : 'changes'}`;
      const apply = h('button', { class: 'am-button am-cta', text: `Apply ${what}`, test: 'apply', on: { click: () => void controller.applyDecisions() } });
      const discard = h('button', { class: 'am-button am-quiet', text: 'Discard', test: 'discard', on: { click: () => controller.discardPending() } });
      apply.disabled = busy;
      resultSection.append(h('div', { class: 'am-row am-apply', test: 'apply-row' }, [apply, discard, h('span', { class: 'am-hint', text: 'makes one new version' })]));
    }
    if (dropped.length > 0) {
      const row = h('div', { class: 'am-row am-wrap', test: 'dropped' }, [h('span', { class: 'am-hint', text: 'Dropped:' })]);
      for (const shot of dropped.sort((a, b) => a - b)) {
        row.append(h('button', { class: 'am-toggle am-drop am-on', text: `#${shot + 1} ×`, test: `undrop-${shot}`, on: { click: () => void controller.setDecision(shot, null) } }));
      }
      resultSection.append(row);
    }
  };

  const unsubscribe = controller.onChange(render);
  render(controller.state);
  return () => {
    unsubscribe();
    clear(root);
  };
}

function legend(colour: string, label: string): HTMLElement {
  const swatch = h('span', { class: 'am-swatch' });
  swatch.style.backgroundColor = colour;
  return h('span', { class: 'am-legend-item' }, [swatch, ` ${label}`]);
}
