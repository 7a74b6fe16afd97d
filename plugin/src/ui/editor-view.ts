/**
 * The web UI's editor view of a result: the music timeline and the storyboard (the same markup as report.html,
 * from the job's storyboard.json), wired to the preview video and the controller:
 *   - the timeline's playhead follows the video; a click on the timeline (or on a card's picture) seeks it;
 *   - a card's alternative swaps it in (one pin/ban re-solve, the other slots held), Keep pins, Drop bans;
 *   - a shot left out of the pool can be pinned back ("Use it").
 * storyboard.json is fetched with the token its artifact URL carries (served through the companion's artifact
 * route, like every job file).
 */
import type { MontageResultMessage } from '../../../companion/protocol/messages';
import type { StoryboardModel } from '../../../companion/protocol/storyboard';
import { renderMusicTimeline, timelineX, TIMELINE_WIDTH } from './music-timeline';
import { renderExcluded, renderStoryboard, STORYBOARD_CSS } from './storyboard';

/** What the view asks of the controller. */
export interface EditorActions {
  setDecision(shotIndex: number, decision: 'keep' | 'drop' | null): Promise<unknown>;
  swap(current: number, replacement: number): Promise<unknown>;
  readonly state: { readonly decisions: ReadonlyMap<number, 'keep' | 'drop'>; readonly job: unknown };
}

const models = new Map<string, Promise<StoryboardModel | null>>();

/** The result's storyboard (fetched once per job). */
function loadModel(result: MontageResultMessage): Promise<StoryboardModel | null> {
  const file = result.montage.files.find((f) => f.name === 'storyboard.json');
  if (!file) return Promise.resolve(null);
  let model = models.get(file.url);
  if (!model) {
    // The web UI's fetch (UXP's typings have none; the Premiere panel does not mount this view).
    const get = (globalThis as unknown as { fetch?: (url: string) => Promise<{ ok: boolean; json(): Promise<unknown> }> }).fetch;
    const loaded: Promise<StoryboardModel | null> = get
      ? get(file.url)
          .then(async (response) => (response.ok ? ((await response.json()) as StoryboardModel) : null))
          .catch(() => null)
      : Promise.resolve(null);
    models.set(file.url, loaded);
    model = loaded;
  }
  return model;
}

let styled = false;
function addStyles(): void {
  if (styled || typeof document === 'undefined') return;
  styled = true;
  const style = document.createElement('style');
  style.textContent = STORYBOARD_CSS;
  document.head.append(style);
}

/** Fills `container` with the result's timeline and storyboard; `video` is the preview, when there is one. */
export function mountEditorView(container: HTMLElement, result: MontageResultMessage, actions: EditorActions, video: HTMLVideoElement | undefined): void {
  addStyles();
  container.setAttribute('data-test', 'editor');
  container.textContent = 'Loading the storyboard…';
  void loadModel(result).then((model) => {
    if (!container.isConnected && container.parentNode === null) return;
    if (!model) {
      container.textContent = '';
      return;
    }
    const kept = [...actions.state.decisions].filter(([, d]) => d === 'keep').map(([shot]) => shot);
    container.innerHTML = renderMusicTimeline(model) + renderStoryboard(model, { interactive: true, kept }) + renderExcluded(model, { interactive: true });
    const busy = actions.state.job !== null;
    container.querySelectorAll('button').forEach((button) => ((button as HTMLButtonElement).disabled = busy));
    wire(container, model, actions, video);
  });
}

function wire(container: HTMLElement, model: StoryboardModel, actions: EditorActions, video: HTMLVideoElement | undefined): void {
  const svg = container.querySelector('svg');
  const playhead = container.querySelector('.am-playhead');
  const cards = Array.from(container.querySelectorAll('.am-slot'));
  const showTime = (seconds: number) => {
    const x = timelineX(seconds, model.durationSeconds).toFixed(1);
    playhead?.setAttribute('d', `M${x} 14V${playhead.getAttribute('d')?.split('V')[1] ?? '300'}`);
    playhead?.setAttribute('data-seconds', seconds.toFixed(3));
    const playing = model.slots.find((s) => seconds >= s.startSeconds && seconds < s.startSeconds + s.durationSeconds);
    cards.forEach((card) => card.classList.toggle('am-playing', playing !== undefined && card.getAttribute('data-slot') === String(playing.index)));
  };
  const seek = (seconds: number) => {
    const clamped = Math.max(0, Math.min(model.durationSeconds, seconds));
    if (video) video.currentTime = clamped;
    showTime(clamped);
  };
  if (video) {
    const follow = () => showTime(video.currentTime);
    video.addEventListener('timeupdate', follow);
    video.addEventListener('seeked', follow);
  }
  svg?.addEventListener('click', (event) => {
    const box = svg.getBoundingClientRect();
    if (box.width <= 0) return;
    const x = ((event.clientX - box.left) / box.width) * TIMELINE_WIDTH;
    // The inverse of timelineX, from the SVG's own units.
    const left = timelineX(0, model.durationSeconds);
    const right = timelineX(model.durationSeconds, model.durationSeconds);
    seek(((x - left) / (right - left)) * model.durationSeconds);
  });
  container.addEventListener('click', (event) => {
    const target = event.target as HTMLElement;
    const button = target.closest('[data-action]');
    if (button && button.tagName === 'BUTTON') {
      const shot = Number(button.getAttribute('data-shot'));
      const action = button.getAttribute('data-action');
      if (action === 'swap') {
        const slot = model.slots[Number(button.getAttribute('data-slot'))];
        if (slot) void actions.swap(slot.shot, shot);
      } else if (action === 'keep') void actions.setDecision(shot, actions.state.decisions.get(shot) === 'keep' ? null : 'keep');
      else if (action === 'drop') void actions.setDecision(shot, 'drop');
      else if (action === 'reenable') void actions.setDecision(shot, 'keep');
      return;
    }
    const card = target.closest('.am-slot');
    if (card && target.tagName === 'IMG') seek(Number(card.getAttribute('data-start')));
  });
}
