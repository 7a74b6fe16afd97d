/**
 * The Premiere panel's storyboard: UXP has no <video>, so a scrubbable strip stands in for the preview. A slider
 * over the montage's time shows the frame of the shot that plays there (from the shot's strip of thumbnails);
 * under it one card per chosen shot, in record order, with its thumbnail, units, emotion and fit. A click on a card
 * opens that shot in Premiere's Source Monitor at its source in; a click on one of its alternatives (the next best
 * same-length shots) swaps it in, one re-solve and one new version. Keep and Drop on a card, and "Use it" on a shot
 * the clean pool left out, wait for Apply as the list's do. Plain DOM within what UXP renders (div, span,
 * img, input type=range; flexbox). The storyboard comes over the WebSocket (PanelController.loadStoryboard), its
 * pictures as data URIs, so the panel makes no http:// request (macOS blocks them in UXP).
 */
import type { MontageResultMessage } from '../../../companion/protocol/messages';
import type { StoryboardModel, StoryboardSlot } from '../../../companion/protocol/storyboard';
import { clock, LABEL_COLOURS, REASON_TEXT } from './storyboard';

/** What the storyboard asks of the controller. */
export interface PanelStoryboardActions {
  loadStoryboard(result: MontageResultMessage): Promise<StoryboardModel | null>;
  showShot(shotIndex: number): Promise<boolean>;
  swap(current: number, replacement: number): Promise<unknown>;
  setDecision(shotIndex: number, decision: 'keep' | 'drop' | null): Promise<unknown>;
  /** The decision a shot will have once the pending clicks are applied. */
  decisionOf(shotIndex: number): 'keep' | 'drop' | null;
  /** A job runs: the alternatives wait. */
  readonly state: { readonly job: unknown };
}

const SCRUB_STEPS = 1000;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, test?: string, text?: string): HTMLElementTagNameMap[K] {
  const made = document.createElement(tag);
  made.className = className;
  if (test) made.setAttribute('data-test', test);
  if (text !== undefined) made.textContent = text;
  return made;
}

/** The slot playing at `seconds` of the montage (the last one at its very end). */
export function slotAt(model: StoryboardModel, seconds: number): StoryboardSlot | undefined {
  return model.slots.find((slot) => seconds >= slot.startSeconds && seconds < slot.startSeconds + slot.durationSeconds) ?? model.slots[model.slots.length - 1];
}

/** The picture for `seconds` of the montage: the strip frame nearest that point of the slot (its thumbnail without a strip). */
export function frameAt(slot: StoryboardSlot, seconds: number): string | undefined {
  if (slot.strip.length === 0) return slot.thumbnail;
  const fraction = Math.max(0, Math.min(0.999, (seconds - slot.startSeconds) / Math.max(1e-6, slot.durationSeconds)));
  return slot.strip[Math.floor(fraction * slot.strip.length)] ?? slot.thumbnail;
}

/** Fills `container` with the result's storyboard (loaded once per job). */
export function mountPanelStoryboard(container: HTMLElement, result: MontageResultMessage, actions: PanelStoryboardActions): void {
  container.setAttribute('data-test', 'panel-storyboard');
  container.textContent = 'Loading the storyboard…';
  void actions.loadStoryboard(result).then((model) => {
    while (container.firstChild) container.removeChild(container.firstChild);
    if (!model || model.slots.length === 0) return;
    render(container, model, actions);
  });
}

function render(container: HTMLElement, model: StoryboardModel, actions: PanelStoryboardActions): void {
  const frame = element('img', 'am-sb-frame', 'sb-frame');
  frame.setAttribute('alt', 'the montage at the slider');
  const scrub = element('input', 'am-sb-scrub', 'sb-scrub');
  scrub.setAttribute('type', 'range');
  scrub.setAttribute('min', '0');
  scrub.setAttribute('max', String(SCRUB_STEPS));
  scrub.setAttribute('step', '1');
  const time = element('span', 'am-hint', 'sb-time');
  const cards = element('div', 'am-sb-cards', 'sb-cards');
  const cardOf = new Map<number, HTMLElement>();

  const show = (seconds: number) => {
    const slot = slotAt(model, seconds);
    if (!slot) return;
    const src = frameAt(slot, seconds);
    if (src) frame.setAttribute('src', src);
    frame.setAttribute('data-slot', String(slot.index));
    time.textContent = `${clock(seconds)} · #${slot.shot + 1} · ${slot.label ?? '—'}`;
    cardOf.forEach((card, index) => card.classList.toggle('am-playing', index === slot.index));
  };
  const seek = (seconds: number) => {
    scrub.value = String(Math.round((seconds / Math.max(1e-6, model.durationSeconds)) * SCRUB_STEPS));
    show(seconds);
  };
  scrub.addEventListener('input', () => show((Number(scrub.value) / SCRUB_STEPS) * model.durationSeconds));

  for (const slot of model.slots) {
    const card = element('div', 'am-sb-card', `sb-card-${slot.index}`);
    card.setAttribute('data-slot', String(slot.index));
    card.setAttribute('data-shot', String(slot.shot));
    card.setAttribute('title', `Open #${slot.shot + 1} in the Source Monitor at ${clock(slot.sourceStartSeconds)}`);
    card.style.borderTopColor = LABEL_COLOURS[slot.label ?? ''] ?? '#4a4a4a';
    const thumb = element('img', 'am-sb-thumb');
    if (slot.thumbnail) thumb.setAttribute('src', slot.thumbnail);
    thumb.setAttribute('alt', `#${slot.shot + 1} at ${clock(slot.sourceStartSeconds)}`);
    card.append(thumb, element('div', 'am-sb-text', undefined, `${slot.index + 1} · #${slot.shot + 1} · ${slot.barCount} ${slot.barCount === 1 ? 'unit' : 'units'}`), element('div', 'am-sb-text', undefined, `${slot.label ?? '—'} · fit ${slot.fit.toFixed(2)}`));
    if (slot.alternatives.length > 0) {
      const alternatives = element('div', 'am-sb-alts');
      for (const alternative of slot.alternatives) {
        const button = element('div', 'am-sb-alt', `sb-alt-${slot.index}-${alternative.shot}`);
        button.setAttribute('data-shot', String(alternative.shot));
        button.setAttribute('title', `Use #${alternative.shot + 1} here instead (${alternative.label ?? 'no reading'}, score ${alternative.score.toFixed(2)}): one re-solve, one new version`);
        const picture = element('img', 'am-sb-alt-img');
        if (alternative.thumbnail) picture.setAttribute('src', alternative.thumbnail);
        picture.setAttribute('alt', `#${alternative.shot + 1}`);
        button.append(picture, element('span', '', undefined, `#${alternative.shot + 1}`));
        button.addEventListener('click', (event) => {
          // The card's own click (Source Monitor) is not this one's.
          event.stopPropagation();
          if (actions.state.job === null) void actions.swap(slot.shot, alternative.shot);
        });
        alternatives.append(button);
      }
      card.append(alternatives);
    }
    const decision = actions.decisionOf(slot.shot);
    const decide = (wanted: 'keep' | 'drop', test: string) => {
      const button = element('div', `am-sb-decide${wanted === 'drop' ? ' am-drop' : ''}${decision === wanted ? ' am-on' : ''}`, test, wanted === 'keep' ? 'Keep' : 'Drop');
      button.addEventListener('click', (event) => {
        event.stopPropagation();
        void actions.setDecision(slot.shot, decision === wanted ? null : wanted);
      });
      return button;
    };
    const decisions = element('div', 'am-row');
    decisions.append(decide('keep', `sb-keep-${slot.index}`), decide('drop', `sb-drop-${slot.index}`));
    card.append(decisions);
    card.addEventListener('click', () => {
      cardOf.forEach((other) => other.classList.remove('am-selected'));
      card.classList.add('am-selected');
      seek(slot.startSeconds);
      void actions.showShot(slot.shot);
    });
    cardOf.set(slot.index, card);
    cards.append(card);
  }
  const label = element('label', 'am-label', undefined, `Storyboard (${model.slots.length} shots) · drag to scrub, click a shot to open it in the Source Monitor`);
  const row = element('div', 'am-row');
  row.append(scrub, time);
  container.append(label, frame, row, cards);
  const left = model.excluded.filter((shot) => !shot.trimmed);
  if (left.length > 0) {
    const list = element('div', 'am-sb-excluded', 'sb-excluded');
    for (const shot of left) {
      const item = element('div', 'am-row am-sb-excluded-shot');
      item.setAttribute('data-shot', String(shot.shot));
      const picture = element('img', 'am-sb-alt-img');
      if (shot.thumbnail) picture.setAttribute('src', shot.thumbnail);
      picture.setAttribute('alt', `#${shot.shot + 1}`);
      item.append(picture, element('span', 'am-sb-text', undefined, `#${shot.shot + 1} · ${clock(shot.sourceStartSeconds)} · ${REASON_TEXT[shot.reason]}${shot.duplicateOf !== undefined ? ` (kept: #${shot.duplicateOf + 1})` : ''}`));
      const planShot = shot.planShot;
      if (planShot !== undefined) {
        const kept = actions.decisionOf(planShot) === 'keep';
        const use = element('div', `am-sb-decide${kept ? ' am-on' : ''}`, `sb-use-${planShot}`, kept ? 'Kept' : 'Use it');
        use.setAttribute('title', 'Keep (pin) it: the next re-solve uses it');
        use.addEventListener('click', () => void actions.setDecision(planShot, kept ? null : 'keep'));
        item.append(use);
      }
      list.append(item);
    }
    container.append(element('label', 'am-label', undefined, `Left out of the pool (${left.length})`), list);
  }
  seek(0);
}
