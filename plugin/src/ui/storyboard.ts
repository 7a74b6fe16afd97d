/**
 * The storyboard: the chosen shots in record order as cards (thumbnail, strip, bar count, emotion, fit, the
 * next alternatives), and the shots left out of the pool with their reasons. Rendered as an HTML string with
 * no DOM, so report.html (written by the companion in Node) and the web UI's result view are the same markup.
 * Interactive pages add buttons (data-action = swap | keep | drop | reenable) and handle clicks by delegation.
 */
import type { StoryboardExclusion, StoryboardModel, StoryboardSlot } from '../../../companion/protocol/storyboard';
import { PLOT_COLOURS } from './plot-colours';

export interface StoryboardRenderOptions {
  /** Add the swap / keep / drop / re-enable buttons (the web UI; report.html is read-only). */
  readonly interactive?: boolean;
  /** Slots the editor pinned (Keep), to mark them. */
  readonly kept?: readonly number[];
}

/** Emotion label colours, shared by the cards and the music timeline. */
export const LABEL_COLOURS: Readonly<Record<string, string>> = {
  excited: '#f29423',
  fearful: '#9b59b6',
  neutral: '#8a8a8a',
  relaxed: '#2d9d78',
  sad: '#4b6cf5',
  tense: '#d7373f',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** m:ss.s */
export function clock(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, '0')}`;
}

/** Why a shot was left out, in words (report.html, the web UI and the Premiere panel). */
export const REASON_TEXT: Readonly<Record<StoryboardExclusion['reason'], string>> = {
  text: 'title card / text',
  black: 'black frames',
  white: 'white frames',
  frozen: 'frozen frames',
  duplicate: 'near-duplicate',
};

function image(src: string | undefined, alt: string, className: string): string {
  return src ? `<img class="${className}" src="${src}" alt="${escapeHtml(alt)}" loading="lazy">` : `<div class="${className} am-noimg" role="img" aria-label="${escapeHtml(alt)}">no picture</div>`;
}

function slotCard(slot: StoryboardSlot, options: StoryboardRenderOptions): string {
  const colour = LABEL_COLOURS[slot.label ?? ''] ?? PLOT_COLOURS.grid;
  const kept = options.kept?.includes(slot.shot);
  const why = slot.parts.map((p) => `${p.label} ${p.value.toFixed(3)}`).join(' · ');
  const alternatives = slot.alternatives.length
    ? `<div class="am-alts"><span class="am-alts-label">instead:</span>${slot.alternatives
        .map(
          (a) =>
            `<${options.interactive ? 'button type="button"' : 'span'} class="am-alt" data-action="swap" data-slot="${slot.index}" data-shot="${a.shot}" title="#${a.shot + 1} · ${escapeHtml(a.label ?? '')} · score ${a.score.toFixed(3)} · at ${clock(a.sourceStartSeconds)}">${image(a.thumbnail, `alternative #${a.shot + 1}`, 'am-alt-img')}<span>#${a.shot + 1} ${a.score.toFixed(2)}</span></${options.interactive ? 'button' : 'span'}>`,
        )
        .join('')}</div>`
    : '<div class="am-alts am-alts-none">no same-length alternative</div>';
  const buttons = options.interactive
    ? `<div class="am-slot-actions"><button type="button" data-action="keep" data-slot="${slot.index}" data-shot="${slot.shot}" aria-pressed="${kept ? 'true' : 'false'}">${kept ? 'Kept' : 'Keep'}</button><button type="button" data-action="drop" data-slot="${slot.index}" data-shot="${slot.shot}">Drop</button></div>`
    : '';
  return `<figure class="am-slot${kept ? ' am-kept' : ''}" data-slot="${slot.index}" data-shot="${slot.shot}" data-start="${slot.startSeconds.toFixed(3)}" style="--am-label:${colour}">
${image(slot.thumbnail, `#${slot.shot + 1} at ${clock(slot.sourceStartSeconds)}`, 'am-thumb')}
<div class="am-strip">${slot.strip.map((src, k) => `<img src="${src}" alt="frame ${k + 1} of #${slot.shot + 1}">`).join('')}</div>
<figcaption><b>${slot.index + 1}</b> · #${slot.shot + 1} · ${slot.barCount} ${slot.barCount === 1 ? 'unit' : 'units'} · <span class="am-label">${escapeHtml(slot.label ?? '—')}</span> · fit ${slot.fit.toFixed(2)}<br><small>${clock(slot.startSeconds)} · from ${escapeHtml(slot.sourceName)} ${clock(slot.sourceStartSeconds)} · scene ${slot.scene + 1}</small><br><small class="am-why" title="${escapeHtml(why)}">${escapeHtml(why)}</small></figcaption>
${alternatives}${buttons}</figure>`;
}

/** The storyboard cards, one `<figure>` with one thumbnail `<img class="am-thumb">` per placement. */
export function renderStoryboard(model: StoryboardModel, options: StoryboardRenderOptions = {}): string {
  return `<section class="am-storyboard" aria-label="Storyboard">${model.slots.map((slot) => slotCard(slot, options)).join('\n')}</section>`;
}

/** The shots left out of the pool (and the trimmed ones), each with its reason. */
export function renderExcluded(model: StoryboardModel, options: StoryboardRenderOptions = {}): string {
  if (model.excluded.length === 0) return '<section class="am-excluded"><h2>Shots left out</h2><p>None: every shot was in the pool.</p></section>';
  const rows = model.excluded
    .map(
      (e) =>
        `<li class="am-excluded-shot" data-shot="${e.shot}">${image(e.thumbnail, `#${e.shot + 1}`, 'am-ex-img')}<div><b>#${e.shot + 1}</b> · ${clock(e.sourceStartSeconds)} · <span class="am-reason">${e.trimmed ? 'trimmed: ' : ''}${REASON_TEXT[e.reason]}</span><br><small>${escapeHtml(e.detail)}${e.duplicateOf !== undefined ? ` (kept: #${e.duplicateOf + 1})` : ''}</small>${
          options.interactive && !e.trimmed && e.planShot !== undefined ? `<br><button type="button" data-action="reenable" data-shot="${e.planShot}" title="Keep (pin) it: the next re-solve uses it">Use it (Keep)</button>` : ''
        }</div></li>`,
    )
    .join('');
  return `<section class="am-excluded"><h2>Shots left out (${model.excluded.filter((e) => !e.trimmed).length}) and trimmed (${model.excluded.filter((e) => e.trimmed).length})</h2><ul>${rows}</ul></section>`;
}

/** Styles for the storyboard, the excluded list and the music timeline (dark, as the panel). */
export const STORYBOARD_CSS = `
.am-storyboard{display:flex;flex-wrap:wrap;gap:10px}
.am-slot{margin:0;width:200px;background:#2b2b2b;border-top:4px solid var(--am-label);border-radius:4px;padding:6px;font-size:12px;color:#ddd}
.am-slot.am-kept{outline:2px solid #2d9d78}
.am-slot.am-playing{outline:2px solid #fff}
.am-thumb{width:100%;aspect-ratio:16/9;object-fit:cover;display:block;background:#111}
.am-noimg{display:flex;align-items:center;justify-content:center;color:#777;font-size:11px;background:#111;aspect-ratio:16/9}
.am-strip{display:flex;gap:2px;margin-top:2px}.am-strip img{flex:1;min-width:0;height:22px;object-fit:cover}
.am-slot figcaption{margin-top:4px;line-height:1.35}.am-label{color:var(--am-label);font-weight:600}
.am-why{color:#999;display:block;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.am-alts{display:flex;gap:3px;margin-top:4px;align-items:center;font-size:10px;color:#999}
.am-alt{display:flex;flex-direction:column;align-items:center;background:none;border:1px solid #444;color:#ccc;padding:1px;font-size:10px;cursor:pointer}
.am-alt-img{width:44px;height:25px;object-fit:cover}
.am-slot-actions{display:flex;gap:4px;margin-top:4px}.am-slot-actions button{flex:1}
.am-excluded ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:8px}
.am-excluded-shot{display:flex;gap:6px;width:300px;background:#2b2b2b;padding:4px;font-size:12px;color:#ddd}
.am-ex-img{width:96px;height:54px;object-fit:cover;flex:none}.am-reason{color:#f29423}
.am-timeline svg{width:100%;height:auto;background:#1e1e1e;font:10px sans-serif}
`;
