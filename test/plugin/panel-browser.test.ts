/**
 * The panel UI and the web UI in headless Chromium against the real companion on 127.0.0.1, driven by clicks:
 *   - the Premiere panel's UI with FakePremiereHost (a sequence built from real media), served by the
 *     companion beside the web UI (same origin, as the companion's Origin check and CORS expect of a page);
 *   - the web UI exactly as the companion serves it from the freshly built dist/web.
 * Screenshots go to test-artifacts/ (gitignored). Without /usr/bin/chromium the tests skip locally and FAIL
 * under CI=true (.ci/run installs Debian's chromium).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEMO_SHOTS, synthesizeMovie, synthesizeMusic } from '../../companion/media/synthesize';
import { startServer, type RunningServer } from '../../companion/server/index';
import type { HostSequence } from '../../plugin/src/host';
import { sequenceOfFiles } from '../support/host-sequence';
import { PLOT_COLOURS } from '../../plugin/src/ui/plot-colours';

const repoRoot = join(import.meta.dirname, '..', '..');
const sharedMedia = join(repoRoot, '..', 'shared', 'media');
const moviePath = join(sharedMedia, 'film', 'sintel_trailer.mp4');
const musicPath = join(sharedMedia, 'beats', 'fof_escape_from_chaosland.ogg');
const artifacts = join(repoRoot, 'test-artifacts');
const CHROMIUM = '/usr/bin/chromium';
const TPS = 254016000000;

// The callbacks given to page.evaluate/$eval run in the page. The repo's tsconfig has no DOM lib, so the few
// page globals they touch are declared here, structurally.
interface PageNode {
  readonly textContent: string | null;
  readonly classList: { contains(name: string): boolean };
  getAttribute(name: string): string | null;
}
interface PageCanvas {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, width: number, height: number): { data: ArrayLike<number> } } | null;
}
interface PageVideo {
  readonly readyState: number;
  readonly duration: number;
}
declare const document: { querySelector(selector: string): PageNode | null };
declare const window: object;

const browserMissing = !existsSync(CHROMIUM);
if (browserMissing && process.env['CI'] === 'true') {
  test('headless Chromium is installed for the UI tests', () => assert.fail(`${CHROMIUM} is missing; .ci/run must install Debian's chromium`));
}
const skip = browserMissing ? `${CHROMIUM} is not installed (apt-get install chromium)` : false;

let server: RunningServer;
let browser: Browser;
let buildDir: string;
const fastCutPath = () => join(buildDir, 'fast-cut.mp4');
const slowMusicPath = () => join(buildDir, 'slow.m4a');

before(async () => {
  if (browserMissing) return;
  buildDir = mkdtempSync(join(tmpdir(), 'am-ui-'));
  const built = spawnSync(process.execPath, [join(repoRoot, 'scripts/build-plugin.mjs'), '--out', buildDir], { encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
  await build({
    entryPoints: [join(repoRoot, 'plugin/src/testing/panel-harness.ts')],
    outfile: join(buildDir, 'web', 'harness', 'harness.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    logLevel: 'warning',
  });
  // The harness page sits beside the web UI in the folder the companion serves, so it shares the companion's
  // origin as the web UI does (Chromium refuses a WebSocket to 127.0.0.1 from a page that did not come from a
  // local address, and the companion sends no CORS headers; the real panel's fetch is not a web page's).
  const css = readFileSync(join(repoRoot, 'plugin/src/ui/styles.css'), 'utf8');
  writeFileSync(
    join(buildDir, 'web', 'harness', 'index.html'),
    `<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;background:#232323}${css}</style></head><body><div id="app"></div><script src="harness.js"></script></body></html>`,
  );
  // A fast cut (twelve 2.5 s shots) and slow music (60 BPM, 4 s bars) for the relaxation test.
  await synthesizeMovie(fastCutPath(), DEMO_SHOTS.map((shot) => ({ source: shot.source, seconds: 2.5 })));
  await synthesizeMusic(slowMusicPath(), { tempoBpm: 60, beatsPerBar: 4, seconds: 17, offsetSeconds: 0.5 });
  server = await startServer({ port: 0, dataDir: join(buildDir, 'data'), configDir: join(buildDir, 'config'), uiDir: join(buildDir, 'web') });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  mkdirSync(artifacts, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Collects page errors and console errors, which fail the test. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource|WebSocket connection/.test(message.text())) errors.push(`console: ${message.text()}`);
  });
  page.on('dialog', (dialog) => {
    errors.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return errors;
}

/** The number of plot pixels that differ from the canvas background (the plot was drawn). */
async function plotInk(page: Page): Promise<number> {
  return page.$eval('[data-test="plot"]', (element) => {
    const canvas = element as unknown as PageCanvas;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let ink = 0;
    for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) ink++;
    return ink;
  });
}

/**
 * Opaque plot pixels in the music and the shot series colours. The grid alone inks hundreds of pixels, so
 * this is what shows that both series were drawn, not only the frames.
 */
async function plotSeriesPixels(page: Page): Promise<{ music: number; shot: number }> {
  const hex = (colour: string) => [1, 3, 5].map((at) => parseInt(colour.slice(at, at + 2), 16));
  return page.$eval(
    '[data-test="plot"]',
    (element, colours) => {
      const canvas = element as unknown as PageCanvas;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const counts = { music: 0, shot: 0 };
      for (let i = 0; i < data.length; i += 4) {
        if ((data[i + 3] ?? 0) < 250) continue;
        for (const key of ['music', 'shot'] as const) {
          const [r, g, b] = colours[key];
          if (Math.abs((data[i] ?? 0) - (r ?? 0)) + Math.abs((data[i + 1] ?? 0) - (g ?? 0)) + Math.abs((data[i + 2] ?? 0) - (b ?? 0)) < 24) counts[key]++;
        }
      }
      return counts;
    },
    { music: hex(PLOT_COLOURS.music), shot: hex(PLOT_COLOURS.shot) },
  );
}

/** Asserts the plot shows its frame and both emotion series. */
async function assertPlotDrawn(page: Page): Promise<void> {
  assert.ok((await plotInk(page)) > 500, 'the emotion plot is drawn');
  const series = await plotSeriesPixels(page);
  assert.ok(series.music > 100, `the music series is drawn (${series.music} px)`);
  assert.ok(series.shot > 100, `the chosen-shot series is drawn (${series.shot} px)`);
}

/**
 * The controls for the relaxation tests: 60 BPM in 4 (4 s bars), cut on bars, one scene. The fast cut's 2.5 s
 * shots fit no 4 s bar, and one look of the movie holds too little, so the companion must relax both.
 */
async function askForSlowBarsAndOneScene(page: Page): Promise<void> {
  await page.fill('[data-test="bpm"]', '60');
  await page.dispatchEvent('[data-test="bpm"]', 'change');
  await page.selectOption('[data-test="beats-per-bar"]', '4');
  await page.selectOption('[data-test="granularity"]', 'bar');
  await page.fill('[data-test="scenes"]', '1');
  await page.dispatchEvent('[data-test="scenes"]', 'change');
}

/** The fake Premiere's project as the Project panel would show it. */
async function fakeProject(page: Page) {
  return page.evaluate(() => {
    interface Item {
      id: string;
      kind: string;
      name: string;
      parentId: string | null;
      mediaPath?: string;
      sequenceId?: string;
    }
    const host = (window as unknown as { __fakeHost: { imports: unknown[]; activeId: string; projectItems: Item[]; transactions: { label: string }[]; markers: Map<string, unknown[]> } }).__fakeHost;
    const items = host.projectItems;
    const bins = items.filter((item) => item.kind === 'bin' && item.parentId === 'root');
    const versionBin = bins.find((bin) => bin.name === 'Auto-Montage');
    const versions = items.filter((item) => item.kind === 'sequence' && item.parentId === versionBin?.id);
    const paths = items.filter((item) => item.kind === 'clip').map((item) => item.mediaPath ?? '');
    return {
      imports: host.imports.length,
      transactions: host.transactions.map((t) => ({ label: t.label })),
      versionBins: bins.map((bin) => bin.name),
      versions: versions.map((item) => item.name),
      duplicateMasterClips: paths.filter((path, i) => paths.indexOf(path) !== i),
      activeIsNewest: host.activeId === versions[versions.length - 1]?.sequenceId,
      markersOfActive: host.markers.get(host.activeId)?.length ?? 0,
    };
  });
}

function sequenceFromRealMedia(movieFile = moviePath, musicFile = musicPath, musicSeconds: [number, number] = [30, 40], name = 'Sintel edit'): Promise<HostSequence> {
  return sequenceOfFiles({ name, moviePath: movieFile, movieEndSeconds: (duration) => duration - 1, musicPath: musicFile, ...(musicFile === musicPath ? { musicName: 'chaosland' } : {}), musicSeconds });
}

test('the Premiere panel UI, with a fake Premiere and the real companion, makes a montage by clicks and re-solves a dropped shot', { skip, timeout: 300_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 360, height: 1100 } });
  const errors = watchErrors(page);
  const sequence = await sequenceFromRealMedia();
  await page.addInitScript((config) => Object.assign(window, { __harness: config }), { sequences: [sequence], url: server.url });
  await page.goto(`${server.url}/harness/index.html`);

  // Not connected yet: the panel says how to start the companion.
  await page.waitForSelector('[data-test="status"]');
  assert.equal(await page.textContent('[data-test="status"]'), 'Not connected');
  assert.match((await page.textContent('[data-test="start-help"]')) ?? '', /npx auto-montage serve/);

  // As on macOS (the harness makes password fields unreadable): no password field at all; a wrong pairing code
  // is refused in plain words with the fix, and the code the companion prints pairs the panel.
  assert.equal(await page.$$eval('input[type="password"]', (inputs) => inputs.length), 0, 'no password field');
  await page.fill('[data-test="pairing"]', 'AAAA-AAAA');
  await page.click('[data-test="connect"]');
  await page.waitForSelector('[data-test="problem-title"]');
  assert.match((await page.textContent('[data-test="problem-title"]')) ?? '', /refused the pairing code/, (await page.textContent('[data-test="problem"]')) ?? '');
  assert.match((await page.textContent('[data-test="problem-fix"]')) ?? '', /pairing code .* printed last/);
  await page.fill('[data-test="pairing"]', server.pairingCode());
  await page.press('[data-test="pairing"]', 'Enter');
  await page.waitForSelector('.am-dot.am-connected');
  assert.equal(await page.isVisible('[data-test="pairing-row"]'), false, 'paired: no code to type any more');
  assert.equal(
    await page.evaluate(() => (window as unknown as { __fakeHost: { secureStorage: { text(key: string): string | undefined } } }).__fakeHost.secureStorage.text('automontage.token')),
    server.token,
    'the token went to secureStorage',
  );
  assert.match((await page.textContent('[data-test="status"]')) ?? '', /^Connected to http:\/\/127\.0\.0\.1:\d+/);
  assert.equal(await page.isVisible('[data-test="problem"]'), false, 'the problem is cleared');

  // Read the sequence, choose options, press Auto-montage.
  await page.click('[data-test="refresh"]');
  await page.waitForFunction(() => document.querySelector('[data-test="sequence"]')?.textContent?.startsWith('Sintel edit'));
  assert.match((await page.textContent('[data-test="movie"]')) ?? '', /sintel_trailer\.mp4/);
  assert.match((await page.$eval('[data-test="music-select"]', (select) => (select as unknown as { selectedOptions: ArrayLike<PageNode> }).selectedOptions[0]?.textContent ?? '')) ?? '', /^A2: chaosland/);
  await page.fill('[data-test="scenes"]', '6');
  await page.dispatchEvent('[data-test="scenes"]', 'change');
  await page.selectOption('[data-test="mode"]', 'hard');
  // Bars, not auto: the markers below are one per bar.
  await page.selectOption('[data-test="granularity"]', 'bar');
  await page.click('[data-test="run"]');
  await page.waitForSelector('[data-test="progress"]', { state: 'visible', timeout: 10_000 });
  await page.waitForSelector('[data-test="summary"]', { timeout: 240_000 });
  assert.deepEqual(errors, []);
  assert.equal(await page.isVisible('[data-test="problem"]'), false, (await page.textContent('[data-test="problem"]')) ?? '');
  const summary = (await page.textContent('[data-test="summary"]')) ?? '';
  // Bars were asked for; the companion may relax to half bars when the shots are short (it says so).
  assert.match(summary, /^\d+ shots from \d+ scenes? over \d+ (half )?bars/);
  const shotsBefore = await page.$$eval('[data-test="shots"] [data-shot]', (rows) => rows.map((row) => Number(row.getAttribute('data-shot'))));
  assert.ok(shotsBefore.length >= 2, `${shotsBefore.length} shots listed`);
  assert.match(summary, new RegExp(`^${shotsBefore.length} shots`), 'the summary counts the listed shots');
  await assertPlotDrawn(page);

  // The fake Premiere built version 1 in place, in one undoable transaction, opened it, with one marker per bar.
  const first = await fakeProject(page);
  assert.equal(first.imports, 0, 'no xmeml import: the cut was built from the project’s clips');
  assert.deepEqual(first.transactions.map((t) => t.label), [first.versions[0] ? `Auto-Montage: ${first.versions[0]}` : '?']);
  assert.match(first.versions[0] ?? '', /^Auto-Montage v1 · fof_escape_from_chaosland · \d+ scenes? · (half )?bars$/);
  assert.equal(first.activeIsNewest, true);
  const notice = (await page.textContent('[data-test="notice"]')) ?? '';
  const marked = Number(/with (\d+) bar markers/.exec(notice)?.[1]);
  assert.ok(marked > 0 && first.markersOfActive === marked, `one marker per bar: ${first.markersOfActive} in the sequence, ${notice}`);
  assert.match(notice, /Built “Auto-Montage v1 .*” in the Auto-Montage bin from the project’s clips \(one undo step\)/);
  await page.screenshot({ path: join(artifacts, 'plugin-panel.png'), fullPage: true });

  // Keep/Drop wait for Apply: two clicks, nothing sent; Apply re-solves once and builds version 2.
  const dropped = shotsBefore[1]!;
  await page.click(`[data-test="drop-${dropped}"]`);
  await page.click(`[data-test="keep-${shotsBefore[0]!}"]`);
  assert.match((await page.textContent('[data-test="apply"]')) ?? '', /^Apply 2 changes$/);
  assert.equal((await fakeProject(page)).versions.length, 1, 'nothing re-solved before Apply');
  await page.click(`[data-test="keep-${shotsBefore[0]!}"]`); // changed my mind: back to as it was
  assert.match((await page.textContent('[data-test="apply"]')) ?? '', /^Apply 1 change$/);
  await page.click('[data-test="apply"]');
  await page.waitForFunction(() => /Re-solved in/.test(document.querySelector('[data-test="notice"]')?.textContent ?? ''), undefined, { timeout: 30_000 });
  await page.waitForFunction(() => /Auto-Montage v2/.test(document.querySelector('[data-test="notice"]')?.textContent ?? ''), undefined, { timeout: 30_000 });
  const shotsAfter = await page.$$eval('[data-test="shots"] [data-shot]', (rows) => rows.map((row) => Number(row.getAttribute('data-shot'))));
  assert.ok(!shotsAfter.includes(dropped), `shot ${dropped} is gone from ${shotsAfter.join(',')}`);
  assert.equal(await page.isVisible(`[data-test="undrop-${dropped}"]`), true, 'the dropped shot can be brought back');
  const resolveSeconds = Number(/Re-solved in ([\d.]+) s/.exec((await page.textContent('[data-test="notice"]')) ?? '')?.[1]);
  assert.ok(resolveSeconds <= 2, `re-solved in ${resolveSeconds} s`);
  // One bin holds both versions; no media got a second master clip; each version was one undo step.
  const second = await fakeProject(page);
  assert.deepEqual(second.versionBins, ['Auto-Montage']);
  assert.equal(second.versions.length, 2);
  assert.match(second.versions[1] ?? '', /^Auto-Montage v2 /);
  assert.deepEqual(second.duplicateMasterClips, []);
  assert.equal(second.transactions.length, 2);
  assert.equal(second.imports, 0);
  assert.deepEqual(errors, []);
  await page.screenshot({ path: join(artifacts, 'plugin-panel-resolved.png'), fullPage: true });
  await page.close();
});

test('at 280 px the Premiere panel lists the montage’s files, each with its clips and selected time, most used first', { skip, timeout: 120_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 280, height: 900 } });
  const errors = watchErrors(page);
  const at = (seconds: number) => String(Math.round(seconds * 25) * (TPS / 25));
  const video = (mediaPath: string, srcIn: number, srcOut: number, start: number) => ({ kind: 'video' as const, track: 0, name: basename(mediaPath), mediaPath, srcInTicks: at(srcIn), srcOutTicks: at(srcOut), startTicks: at(start), endTicks: at(start + srcOut - srcIn), disabled: false });
  // Six clips from three files with gaps between them, one file with a name far longer than the panel is wide.
  const long = '/media/A001_C003_20260412_interview-with-the-director-take-3-final-graded.mov';
  const sequence: HostSequence = {
    id: 'many',
    name: 'Selects',
    fps: 25,
    ticksPerFrame: TPS / 25,
    width: 1920,
    height: 1080,
    durationTicks: at(120),
    clips: [video(long, 10, 25, 0), video('/media/street.mp4', 0, 4, 20), video(long, 60, 90, 30), video('/media/b-roll.mp4', 5, 7, 70), video('/media/street.mp4', 30, 36, 80), video(long, 100, 102, 100)],
  };
  await page.addInitScript((config) => Object.assign(window, { __harness: config }), { sequences: [sequence], url: server.url });
  await page.goto(`${server.url}/harness/index.html`);
  await page.click('[data-test="refresh"]');
  await page.waitForFunction(() => document.querySelector('[data-test="sequence"]')?.textContent?.startsWith('Selects'));
  assert.equal(await page.textContent('[data-test="sources-count"]'), 'Footage: 3 files, 6 clips');
  const rows = await page.$$eval('[data-test="source"]', (found) => found.map((row) => (row as unknown as { textContent: string }).textContent));
  assert.deepEqual(rows, [`${basename(long)}3 clips · 0:47.0`, 'street.mp42 clips · 0:10.0', 'b-roll.mp41 clip · 0:02.0']);
  const layout = await page.evaluate(() => {
    const spans = Array.from((document as unknown as { querySelectorAll(s: string): ArrayLike<{ getBoundingClientRect(): { left: number; right: number } }> }).querySelectorAll('[data-test="source"] span'), (span) => span.getBoundingClientRect());
    return { right: Math.max(...spans.map((box) => box.right)), scrollWidth: (document as unknown as { documentElement: { scrollWidth: number } }).documentElement.scrollWidth };
  });
  assert.ok(layout.right <= 280 && layout.scrollWidth <= 280, `the list fits 280 px (rightmost ${layout.right} px, page ${layout.scrollWidth} px)`);
  assert.deepEqual(errors, []);
  await page.screenshot({ path: join(artifacts, 'plugin-panel-sources-280.png'), fullPage: true });
  await page.close();
});

test('with Spectrum widgets, as in UXP, the panel pairs and its result fits 280 px and 600 px wide, the plot with a time axis', { skip, timeout: 300_000 }, async () => {
  const sequence = await sequenceFromRealMedia();
  for (const width of [280, 600]) {
    const page = await browser.newPage({ viewport: { width, height: 1100 } });
    const errors = watchErrors(page);
    await page.addInitScript((config) => Object.assign(window, { __harness: config }), { sequences: [sequence], url: server.url, spectrum: true });
    await page.goto(`${server.url}/harness/index.html`);
    await page.waitForSelector('[data-test="status"]');
    // Spectrum in place of the plain controls: every panel button an sp-button, every text field an sp-textfield.
    assert.equal(await page.$$eval('button.am-button, input[type="text"]', (found) => found.length), 0);
    assert.ok((await page.$$eval('sp-button', (found) => found.length)) >= 4);
    assert.equal(await page.$eval('[data-test="pairing"]', (element) => (element as unknown as { tagName: string }).tagName), 'SP-TEXTFIELD');
    const code = width === 280 ? server.pairingCode() : server.token;
    await page.$eval(
      '[data-test="pairing"]',
      (element, value) => {
        const field = element as unknown as { value: string; dispatchEvent(event: unknown): void };
        field.value = value;
        field.dispatchEvent(new (window as unknown as { Event: new (type: string) => unknown }).Event('input'));
      },
      code,
    );
    await page.click('[data-test="connect"]');
    await page.waitForSelector('.am-dot.am-connected');
    await page.click('[data-test="refresh"]');
    await page.waitForFunction(() => document.querySelector('[data-test="sequence"]')?.textContent?.startsWith('Sintel edit'));
    await page.click('[data-test="run"]');
    await page.waitForSelector('[data-test="summary"]', { timeout: 240_000 });
    const layout = await page.evaluate(() => {
      const canvas = document.querySelector('[data-test="plot"]') as unknown as { width: number };
      const labels = Array.from((document as unknown as { querySelectorAll(s: string): ArrayLike<PageNode> }).querySelectorAll('[data-test="plot-axis"] span'), (span) => span.textContent ?? '');
      const page = (document as unknown as { documentElement: { scrollWidth: number } }).documentElement;
      // What sticks out, if anything (for the message).
      const all = Array.from((document as unknown as { querySelectorAll(s: string): ArrayLike<{ getBoundingClientRect(): { right: number }; tagName: string; className: string; getAttribute(n: string): string | null }> }).querySelectorAll('#app *'));
      const wide = all.filter((element) => element.getBoundingClientRect().right > page.scrollWidth - 1 && page.scrollWidth > (window as unknown as { innerWidth: number }).innerWidth).slice(0, 5).map((element) => `${element.tagName.toLowerCase()}.${element.className}[${element.getAttribute('data-test') ?? ''}]`);
      return { canvas: canvas.width, labels, scrollWidth: page.scrollWidth, wide };
    });
    assert.ok(layout.canvas <= width - 16 && layout.canvas >= Math.min(width - 40, 200), `plot ${layout.canvas} px in a ${width} px panel`);
    assert.ok(layout.scrollWidth <= width, `nothing wider than the panel (${layout.scrollWidth} px: ${layout.wide.join(', ')})`);
    assert.equal(layout.labels.length, 3);
    assert.match(layout.labels[0] ?? '', /^0:00(\.0)?$/);
    assert.match(layout.labels[2] ?? '', /^\d+:\d\d(\.\d)?$/);
    assert.notEqual(layout.labels[2], layout.labels[0], 'the axis spans the montage');
    await assertPlotDrawn(page);
    assert.deepEqual(errors, []);
    await page.screenshot({ path: join(artifacts, `plugin-panel-${width}.png`), fullPage: true });
    await page.close();
  }
});

test('the web UI served by the companion makes a montage from typed paths, offers every download and the preview, and re-solves', { skip, timeout: 300_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 900, height: 1300 } });
  const errors = watchErrors(page);
  // `auto-montage serve` prints the UI address with the token in the fragment.
  await page.goto(server.uiUrl);
  await page.waitForSelector('.am-dot.am-connected', { timeout: 10_000 });
  assert.equal(new URL(page.url()).hash, '', 'the token is removed from the address bar');
  assert.equal(await page.isVisible('[data-test="refresh"]'), false, 'no Premiere controls in the browser');

  await page.fill('[data-test="movie-path"]', moviePath);
  await page.fill('[data-test="web-music-path"]', musicPath);
  await page.fill('[data-test="music-start"]', '30');
  await page.fill('[data-test="music-end"]', '40');
  await page.fill('[data-test="scenes"]', '6');
  await page.dispatchEvent('[data-test="scenes"]', 'change');
  // The editor's music overrides: tempo, metre, first downbeat, mood. An out-of-range tempo is clamped in the field.
  await page.fill('[data-test="bpm"]', '900');
  await page.dispatchEvent('[data-test="bpm"]', 'change');
  assert.equal(await page.inputValue('[data-test="bpm"]'), '300');
  await page.fill('[data-test="bpm"]', '135');
  await page.dispatchEvent('[data-test="bpm"]', 'change');
  await page.selectOption('[data-test="beats-per-bar"]', '3');
  await page.fill('[data-test="first-downbeat"]', '31.5');
  await page.dispatchEvent('[data-test="first-downbeat"]', 'change');
  assert.deepEqual(await page.$$eval('[data-test="mood"] option', (options) => options.map((o) => o.getAttribute('value'))), ['auto', 'excited', 'fearful', 'neutral', 'relaxed', 'sad', 'tense', 'point']);
  await page.selectOption('[data-test="mood"]', 'sad');
  // Cut on the bars themselves: the check below reads their starts (auto might choose another unit).
  await page.selectOption('[data-test="granularity"]', 'bar');
  await page.click('[data-test="run"]');
  await page.waitForSelector('[data-test="summary"]', { timeout: 240_000 });
  assert.equal(await page.isVisible('[data-test="problem"]'), false, (await page.textContent('[data-test="problem"]')) ?? '');
  await assertPlotDrawn(page);
  // The companion cut on those bars and read the music as sad.
  const reading = await page.evaluate(() => {
    const result = (window as unknown as { automontage: { state: { result: { analysis: { music: { tempoBpm: number; beatsPerBar: number } }; montage: { musicEmotion: { startSeconds: number; emotion?: { label: string } }[] } } } } }).automontage.state.result;
    return { music: result.analysis.music, starts: result.montage.musicEmotion.map((bar) => bar.startSeconds), labels: result.montage.musicEmotion.map((bar) => bar.emotion?.label) };
  });
  assert.equal(reading.music.beatsPerBar, 3);
  assert.ok(Math.abs(reading.music.tempoBpm - 135) < 0.5, `${reading.music.tempoBpm} BPM`);
  assert.ok(reading.starts.some((start) => Math.abs(start - 31.5) <= 60 / 135 / 2 + 1e-3), `a bar starts near 31.5 s: ${reading.starts.join(', ')}`);
  assert.ok(reading.labels.length > 0 && reading.labels.every((label) => label === 'sad'), reading.labels.join(', '));

  // Every timeline format can be downloaded with the token the link carries.
  const links = await page.$$eval('[data-test="downloads"] a', (anchors) => anchors.map((a) => ({ format: a.getAttribute('data-format') ?? '', href: (a as unknown as { href: string }).href })));
  const formats = links.map((link) => link.format);
  for (const format of ['fcp7-xml', 'fcpxml', 'edl', 'otio']) assert.ok(formats.includes(format), `${format} in ${formats.join(', ')}`);
  const timelineLinks = links.filter((link) => ['fcp7-xml', 'fcpxml', 'edl', 'otio'].includes(link.format));
  const bodies = await page.evaluate(async (hrefs: string[]) => Promise.all(hrefs.map(async (href) => {
    const response = await fetch(href);
    return { status: response.status, head: (await response.text()).slice(0, 300) };
  })), timelineLinks.map((link) => link.href));
  for (const body of bodies) assert.equal(body.status, 200);
  // Each link serves its own format, not just some file of each kind among them.
  const expected: Record<string, RegExp> = { 'fcp7-xml': /<xmeml/, fcpxml: /<fcpxml/, edl: /^TITLE:/, otio: /OTIO_SCHEMA/ };
  timelineLinks.forEach((link, index) => assert.match(bodies[index]?.head ?? '', expected[link.format]!, `${link.format} link serves ${link.format}`));

  // The preview plays in the page: metadata loads (range requests) and it lasts the montage.
  await page.waitForSelector('[data-test="preview"]');
  const preview = await page.waitForFunction(() => {
    const video = document.querySelector('[data-test="preview"]') as unknown as PageVideo | null;
    return video && video.readyState >= 1 && Number.isFinite(video.duration) ? video.duration : null;
  }, undefined, { timeout: 30_000 });
  const previewSeconds = Number(await preview.jsonValue());
  const montageSeconds = await page.evaluate(() => (window as unknown as { automontage: { state: { result: { montage: { plan: { durationSeconds: number } } } } } }).automontage.state.result.montage.plan.durationSeconds);
  assert.ok(Math.abs(previewSeconds - montageSeconds) < 0.25, `preview ${previewSeconds} s vs montage ${montageSeconds} s`);
  await page.screenshot({ path: join(artifacts, 'plugin-web.png'), fullPage: true });

  // Keep the last shot and drop the first: instant re-solve, both honoured.
  const shots = await page.$$eval('[data-test="shots"] [data-shot]', (rows) => rows.map((row) => Number(row.getAttribute('data-shot'))));
  const kept = shots[shots.length - 1]!;
  await page.click(`[data-test="keep-${kept}"]`);
  await page.waitForFunction((shot) => document.querySelector(`[data-test="keep-${shot}"]`)?.classList.contains('am-on') && /Re-solved/.test(document.querySelector('[data-test="notice"]')?.textContent ?? ''), kept, { timeout: 30_000 });
  await page.click(`[data-test="drop-${shots[0]}"]`);
  await page.waitForSelector(`[data-test="shots"] [data-shot="${shots[0]}"]`, { state: 'detached', timeout: 30_000 });
  await page.waitForSelector('[data-test="progress"]', { state: 'hidden' });
  assert.equal(await page.isVisible(`[data-test="undrop-${shots[0]}"]`), true, 'the dropped shot can be brought back');
  const after = await page.$$eval('[data-test="shots"] [data-shot]', (rows) => rows.map((row) => Number(row.getAttribute('data-shot'))));
  assert.ok(after.includes(kept), 'the kept shot stays');
  assert.ok(!after.includes(shots[0]!), 'the dropped shot is gone');
  assert.equal(await page.isVisible('[data-test="problem"]'), false, (await page.textContent('[data-test="problem"]')) ?? '');
  assert.deepEqual(errors, []);
  await page.screenshot({ path: join(artifacts, 'plugin-web-resolved.png'), fullPage: true });
  await page.close();
});

test('the web UI shows each relaxation with its undo, and undoing one re-solves with it forbidden', { skip, timeout: 300_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 900, height: 1300 } });
  const errors = watchErrors(page);
  await page.goto(server.uiUrl);
  await page.waitForSelector('.am-dot.am-connected', { timeout: 10_000 });
  assert.equal(await page.inputValue('[data-test="granularity"]'), 'auto', 'auto is the default unit');
  assert.equal(await page.inputValue('[data-test="relax"]'), 'auto', 'relaxing is the default');
  await page.fill('[data-test="movie-path"]', fastCutPath());
  await page.fill('[data-test="web-music-path"]', slowMusicPath());
  await askForSlowBarsAndOneScene(page);
  await page.click('[data-test="run"]');
  await page.waitForSelector('[data-test="summary"]', { timeout: 240_000 });
  assert.equal(await page.isVisible('[data-test="problem"]'), false, (await page.textContent('[data-test="problem"]')) ?? '');
  assert.match((await page.textContent('[data-test="relaxation-granularity"]')) ?? '', /Relaxed: used half-bars instead of bars: shots average 2\.\d s, bars are 4\.0 s/);
  assert.match((await page.textContent('[data-test="relaxation-scenes"]')) ?? '', /Relaxed: allowed 2 scenes instead of 1\./);
  assert.match((await page.textContent('[data-test="granularity-reason"]')) ?? '', /^Cuts on half bars: bars do not fit the shots/);
  assert.equal(await page.isVisible('[data-test="undo-granularity"]'), false, 'no undo where nothing else makes a plan');
  assert.equal(await page.isVisible('[data-test="undo-scenes"]'), true);
  assert.match((await page.textContent('[data-test="summary"]')) ?? '', /over 8 half bars/);
  await page.screenshot({ path: join(artifacts, 'plugin-web-relaxed.png'), fullPage: true });

  // Undo the extra scene: the re-solve forbids it, so the companion keeps one scene and ends the music earlier.
  await page.click('[data-test="undo-scenes"]');
  await page.waitForSelector('[data-test="relaxation-music"]', { timeout: 30_000 });
  assert.equal(await page.isVisible('[data-test="relaxation-scenes"]'), false);
  assert.match((await page.textContent('[data-test="relaxation-music"]')) ?? '', /Relaxed: ended the montage after \d of 8 half-bars/);
  assert.equal(await page.inputValue('[data-test="relax"]'), 'granularity,trim,music', 'the panel shows what is still allowed');
  const plan = await page.evaluate(() => (window as unknown as { automontage: { state: { result: { montage: { plan: { sceneCount: number; options: { scenes: number; granularity: string } } } } } } }).automontage.state.result.montage.plan);
  assert.equal(plan.sceneCount, 1);
  assert.equal(plan.options.scenes, 1);
  assert.equal(plan.options.granularity, 'halfbar');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the Premiere panel shows the relaxations of a fast cut under slow music, and its undo imports the re-solve as a new version', { skip, timeout: 300_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 360, height: 1300 } });
  const errors = watchErrors(page);
  const sequence = await sequenceFromRealMedia(fastCutPath(), slowMusicPath(), [0, 17], 'Fast cut');
  await page.addInitScript((config) => Object.assign(window, { __harness: config }), { sequences: [sequence], url: server.url });
  await page.goto(`${server.url}/harness/index.html`);
  await page.fill('[data-test="pairing"]', server.token);
  await page.click('[data-test="connect"]');
  await page.waitForSelector('.am-dot.am-connected');
  await page.click('[data-test="refresh"]');
  await page.waitForFunction(() => document.querySelector('[data-test="sequence"]')?.textContent?.startsWith('Fast cut'));
  await askForSlowBarsAndOneScene(page);
  await page.click('[data-test="run"]');
  await page.waitForSelector('[data-test="relaxations"]', { timeout: 240_000 });
  assert.match((await page.textContent('[data-test="relaxation-granularity"]')) ?? '', /used half-bars instead of bars/);
  assert.match((await page.textContent('[data-test="relaxation-scenes"]')) ?? '', /allowed 2 scenes instead of 1/);
  await page.waitForFunction(() => /Auto-Montage v1/.test(document.querySelector('[data-test="notice"]')?.textContent ?? ''), undefined, { timeout: 30_000 });
  await page.screenshot({ path: join(artifacts, 'plugin-panel-relaxed.png'), fullPage: true });

  await page.click('[data-test="undo-scenes"]');
  await page.waitForSelector('[data-test="relaxation-music"]', { timeout: 30_000 });
  await page.waitForFunction(() => /Auto-Montage v2/.test(document.querySelector('[data-test="notice"]')?.textContent ?? ''), undefined, { timeout: 30_000 });
  assert.equal(await page.isVisible('[data-test="relaxation-scenes"]'), false);
  assert.equal((await fakeProject(page)).versions.length, 2, 'the undo makes a new version');
  assert.deepEqual(errors, []);
  await page.close();
});
