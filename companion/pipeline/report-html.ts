/**
 * report.html: one self-contained page (no external file, no script from elsewhere; thumbnails are data URIs) that
 * opens offline and can be shared: the music timeline (waveform, bar grid, cuts, valence and arousal of the music
 * and the chosen shots), the storyboard with thumbnails and alternatives, the shots left out of the pool with
 * their reasons, and the run's settings and diagnostics. The markup is the web UI's result view
 * (plugin/src/ui/storyboard.ts, music-timeline.ts), drawn read-only.
 */
import type { StoryboardModel } from '../protocol/storyboard';
import { renderMusicTimeline } from '../../plugin/src/ui/music-timeline';
import { clock, escapeHtml, renderExcluded, renderStoryboard, STORYBOARD_CSS } from '../../plugin/src/ui/storyboard';

const PAGE_CSS = `
body{margin:0;padding:16px 20px;background:#1b1b1b;color:#ddd;font:13px/1.4 system-ui,sans-serif}
h1{font-size:18px;margin:0 0 4px}h2{font-size:15px;margin:18px 0 8px}
.am-summary{color:#aaa;margin-bottom:10px}
table{border-collapse:collapse}td{padding:2px 10px 2px 0;vertical-align:top}td:first-child{color:#999}
.am-diagnostics li{color:#e0b050}
.am-slot.am-hover{outline:2px solid #fff}
`;

// Hovering a block on the timeline outlines its card (and the reverse); no other behaviour, so the page stays static.
const PAGE_SCRIPT = `
document.addEventListener('mouseover',function(e){var t=e.target.closest&&e.target.closest('[data-slot]');document.querySelectorAll('.am-hover').forEach(function(n){n.classList.remove('am-hover')});if(!t)return;document.querySelectorAll('.am-slot[data-slot="'+t.getAttribute('data-slot')+'"]').forEach(function(n){n.classList.add('am-hover')})});
`;

export function renderReportHtml(model: StoryboardModel): string {
  const scenes = new Set(model.slots.map((s) => s.scene)).size;
  const settings = model.settings.map((s) => `<tr><td>${escapeHtml(s.label)}</td><td>${escapeHtml(s.value)}</td></tr>`).join('');
  const diagnostics = model.diagnostics.length ? `<ul class="am-diagnostics">${model.diagnostics.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>` : '<p>None.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(model.title)}</title>
<style>${PAGE_CSS}${STORYBOARD_CSS}</style></head>
<body>
<h1>${escapeHtml(model.title)}</h1>
<p class="am-summary">${model.slots.length} shots from ${scenes} scene${scenes === 1 ? '' : 's'} on ${model.bars.length} units · ${clock(model.durationSeconds)} · music ${escapeHtml(model.music.name)} from ${clock(model.music.startSeconds)}</p>
<h2>Music timeline</h2>
${renderMusicTimeline(model)}
<h2>Storyboard</h2>
${renderStoryboard(model)}
${renderExcluded(model)}
<h2>Settings</h2>
<table>${settings}</table>
<h2>Diagnostics</h2>
${diagnostics}
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}
