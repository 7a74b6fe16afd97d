/**
 * The editor's view in headless Chromium against the real companion, driven by clicks:
 *   - the web UI: the storyboard (one thumbnail per placement), the preview video and the music timeline kept in
 *     step, a one-click swap from a slot's alternatives, and the steering (the mood control, a valence/arousal
 *     point, a drawn emotion arc, scenes and hard/soft), each a re-solve from the cached analysis;
 *   - the Premiere panel (its UI with FakePremiereHost, macOS network rules): the storyboard with thumbnails over
 *     the WebSocket, a scrubbable strip, a card's click opening the shot in the Source Monitor, steering at Apply.
 * The footage is generated: five warm, busy shots (Life in reds and yellows) and five cold, calm ones (blue
 * Mandelbrot zooms), so the mood decides which are chosen. Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { synthesizeMovie, synthesizeMusic } from '../../companion/media/synthesize';
import { startServer, type RunningServer } from '../../companion/server/index';
import type { HostSequence } from '../../plugin/src/host';
import { sequenceOfFiles } from '../support/host-sequence';

const repoRoot = join(import.meta.dirname, '..', '..');
const artifacts = join(repoRoot, 'test-artifacts');
const CHROMIUM = '/usr/bin/chromium';
const TPS = 254016000000;

// Page globals the callbacks touch (the repo's tsconfig has no DOM lib).
interface PageElement {
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  readonly naturalWidth: number;
}
interface PageVideo {
  readonly readyState: number;
  readonly duration: number;
  currentTime: number;
}
declare const document: { querySelector(selector: string): PageElement | null; querySelectorAll(selector: string): ArrayLike<PageElement> };
declare const window: object;

const browserMissing = !existsSync(CHROMIUM);
if (browserMissing && process.env['CI'] === 'true') {
  test('headless Chromium is installed for the storyboard tests', () => assert.fail(`${CHROMIUM} is missing; .ci/run must install Debian's chromium`));
}
const skip = browserMissing ? `${CHROMIUM} is not installed (apt-get install chromium)` : false;

let server: RunningServer;
let browser: Browser;
let dir: string;
const size = '320x180';
const warm = (seed: number, colour: string) => ({ source: `life=size=${size}:rate=25:seed=${seed}:ratio=0.25:life_color=${colour}:death_color=0x402000`, seconds: 3 });
const cold = (x: number, y: number) => ({ source: `mandelbrot=size=${size}:rate=25:start_x=${x}:start_y=${y}:start_scale=0.8:end_scale=0.2,hue=h=220:s=0.5,eq=brightness=-0.2`, seconds: 3 });

before(async () => {
  if (browserMissing) return;
  dir = mkdtempSync(join(tmpdir(), 'am-storyboard-'));
  const built = spawnSync(process.execPath, [join(repoRoot, 'scripts/build-plugin.mjs'), '--out', dir], { encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
  // The Premiere panel's UI with the fake Premiere, beside the web UI (same origin, as in panel-browser.test.ts).
  await build({ entryPoints: [join(repoRoot, 'plugin/src/testing/panel-harness.ts')], outfile: join(dir, 'web', 'harness', 'harness.js'), bundle: true, format: 'iife', platform: 'browser', target: 'es2020', logLevel: 'warning' });
  const css = readFileSync(join(repoRoot, 'plugin/src/ui/styles.css'), 'utf8');
  writeFileSync(join(dir, 'web', 'harness', 'index.html'), `<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;background:#232323}${css}</style></head><body><div id="app"></div><script src="harness.js"></script></body></html>`);
  await synthesizeMovie(join(dir, 'moods.mp4'), [warm(3, '0xff3020'), cold(-0.7436, 0.1318), warm(5, '0xffa000'), cold(-0.16, 1.0405), warm(9, '0xff5010'), cold(-1.25066, 0.02012), warm(13, '0xffd040'), cold(-0.748, 0.1), warm(17, '0xff2050'), cold(0.285, 0.01)]);
  await synthesizeMusic(join(dir, 'music.m4a'), { tempoBpm: 120, beatsPerBar: 4, seconds: 9, offsetSeconds: 0.5 });
  server = await startServer({ port: 0, dataDir: join(dir, 'data'), configDir: join(dir, 'config'), uiDir: join(dir, 'web') });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  mkdirSync(artifacts, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

interface Slot {
  readonly slot: string | null;
  readonly shot: string | null;
}
const slots = (page: Page): Promise<Slot[]> => page.$$eval('[data-test="editor"] .am-slot', (cards) => cards.map((c) => ({ slot: c.getAttribute('data-slot'), shot: c.getAttribute('data-shot') })));
const jobId = (page: Page): Promise<string> => page.evaluate(() => (window as unknown as { automontage: { state: { result: { jobId: string } } } }).automontage.state.result.jobId);

async function montage(page: Page, mood: string): Promise<void> {
  const before = await page.evaluate(() => (window as unknown as { automontage: { state: { result: { jobId: string } | null } } }).automontage.state.result?.jobId ?? '');
  await page.selectOption('[data-test="mood"]', mood);
  await page.click('[data-test="run"]');
  await page.waitForFunction((previous) => {
    const state = (window as unknown as { automontage: { state: { result: { jobId: string } | null; job: unknown } } }).automontage.state;
    return state.job === null && !!state.result && state.result.jobId !== previous && document.querySelectorAll('[data-test="editor"] .am-slot').length > 0;
  }, before, { timeout: 240_000 });
}

interface PageState {
  readonly result: { readonly jobId: string; readonly kind: string; readonly montage: { readonly chosen: readonly { readonly shotIndex: number; readonly sourceStartSeconds: number }[]; readonly musicEmotion: readonly { readonly emotion?: { readonly label: string } }[]; readonly plan: { readonly sceneCount: number; readonly options: { readonly scenes: number; readonly mode: string }; readonly relaxations?: readonly { readonly relax: string }[] } } } | null;
  readonly job: unknown;
  readonly steering: { readonly moodTarget: unknown; readonly emotionArc: readonly unknown[] };
  readonly steerPending: boolean;
}
const pageState = (page: Page, global = 'automontage'): Promise<PageState> => page.evaluate((name) => JSON.parse(JSON.stringify((window as unknown as Record<string, { state: PageState }>)[name]!.state, (key, value) => (value instanceof Map ? [...value] : value))) as PageState, global);

/**
 * Does `act` (a steering click or drag) and waits for the re-solve it starts to land in the storyboard: a new
 * result of kind resolve, no job running, the cards of that job drawn. Returns the re-solve's wall time (ms).
 */
async function steered(page: Page, act: () => Promise<unknown>): Promise<number> {
  const previous = (await pageState(page)).result?.jobId ?? '';
  const started = Date.now();
  await act();
  await page.waitForFunction((before) => {
    const state = (window as unknown as { automontage: { state: PageState } }).automontage.state;
    return state.job === null && !!state.result && state.result.jobId !== before && state.result.kind === 'resolve' && document.querySelectorAll('[data-test="editor"] .am-slot').length === state.result.montage.chosen.length;
  }, previous, { timeout: 30_000 });
  return Date.now() - started;
}

test('the web UI shows the storyboard with a thumbnail per placement, keeps the preview and the music timeline in step, swaps one slot in a re-solve of at most 2 s, and steers by mood, point, arc, scenes and mode', { skip, timeout: 400_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(server.uiUrl);
  await page.waitForSelector('.am-dot.am-connected', { timeout: 10_000 });
  await page.fill('[data-test="movie-path"]', join(dir, 'moods.mp4'));
  await page.fill('[data-test="web-music-path"]', join(dir, 'music.m4a'));
  await page.fill('[data-test="scenes"]', '10');
  await page.dispatchEvent('[data-test="scenes"]', 'change');
  await page.selectOption('[data-test="granularity"]', 'bar');
  await montage(page, 'excited');

  // One card per placement, each with one decoded thumbnail.
  const chosen = await page.evaluate(() => (window as unknown as { automontage: { state: { result: { montage: { chosen: unknown[] } } } } }).automontage.state.result.montage.chosen.length);
  const thumbs = await page.$$eval('[data-test="editor"] .am-slot img.am-thumb', (images) => images.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth));
  assert.equal(thumbs.length, chosen);
  assert.ok(thumbs.every((w) => w > 0), `thumbnails decode: ${thumbs.join(', ')}`);
  const excited = await slots(page);

  // report.html is served with the token only, sandboxed (its script gets an opaque origin) and self-contained.
  const reportUrl = await page.getAttribute('[data-test="downloads"] a[href*="report.html"]', 'href');
  assert.ok(reportUrl);
  const served = await page.evaluate(async (url) => {
    const withToken = await fetch(url);
    const without = await fetch(url.split('?')[0]!);
    return { status: withToken.status, type: withToken.headers.get('content-type'), policy: withToken.headers.get('content-security-policy'), body: await withToken.text(), bare: without.status };
  }, new URL(reportUrl, server.url).toString());
  assert.equal(served.status, 200);
  assert.equal(served.bare, 401);
  assert.match(served.type ?? '', /^text\/html/);
  assert.match(served.policy ?? '', /^sandbox allow-scripts; default-src 'none'; img-src data:/);
  assert.equal((served.body.match(/<img class="am-thumb"/g) ?? []).length, chosen);
  // The thumbnails travel in storyboard.json, which is served only with the token too (query or Bearer header).
  const storyboardUrl = new URL((await page.getAttribute('[data-test="downloads"] a[href*="storyboard.json"]', 'href'))!, server.url);
  const thumbnails = await page.evaluate(async (url) => {
    const bare = url.split('?')[0]!;
    const withToken = await fetch(url);
    const model = (await withToken.json()) as { slots: { thumbnail?: string }[] };
    const token = new URL(url).searchParams.get('token') ?? '';
    const bearer = await fetch(bare, { headers: { authorization: `Bearer ${token}` } });
    const wrong = await fetch(`${bare}?token=${'0'.repeat(token.length)}`);
    const none = await fetch(bare);
    return { status: withToken.status, thumbnails: model.slots.map((slot) => slot.thumbnail?.slice(0, 23) ?? ''), bearer: bearer.status, wrong: wrong.status, none: none.status, noneBody: await none.text() };
  }, storyboardUrl.toString());
  assert.equal(thumbnails.status, 200);
  assert.deepEqual(thumbnails.thumbnails, Array(chosen).fill('data:image/jpeg;base64,'));
  assert.equal(thumbnails.bearer, 200);
  assert.deepEqual([thumbnails.none, thumbnails.wrong], [401, 401], 'no token, or a wrong one: refused');
  assert.match(thumbnails.noneBody, /AM_ERR_UNAUTHORIZED/);
  assert.doesNotMatch(thumbnails.noneBody, /data:image/);
  await page.screenshot({ path: join(artifacts, 'storyboard-web.png'), fullPage: true });

  // The preview: a click at 60 % of the timeline's plot seeks the video there; the playhead follows the video.
  await page.waitForFunction(() => {
    const video = document.querySelector('[data-test="preview"]') as unknown as PageVideo | null;
    return !!video && video.readyState >= 1 && Number.isFinite(video.duration);
  }, undefined, { timeout: 30_000 });
  const duration = Number(await page.getAttribute('[data-test="editor"] .am-timeline', 'data-duration'));
  const seek = page.locator('[data-test="editor"] rect.am-seek');
  const box = (await seek.boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.6, box.y + box.height / 2);
  const seeked = await page.evaluate(() => (document.querySelector('[data-test="preview"]') as unknown as PageVideo).currentTime);
  assert.ok(Math.abs(seeked - duration * 0.6) < 0.05, `the video is at ${seeked.toFixed(3)} s, the click at ${(duration * 0.6).toFixed(3)} s`);
  await page.evaluate(() => ((document.querySelector('[data-test="preview"]') as unknown as PageVideo).currentTime = 1.25));
  await page.waitForFunction(() => Math.abs(Number(document.querySelector('[data-test="editor"] .am-playhead')?.getAttribute('data-seconds')) - 1.25) < 0.01, undefined, { timeout: 5_000 });
  assert.equal(await page.getAttribute('[data-test="editor"] .am-slot.am-playing', 'data-slot'), '0', 'the card under the playhead is marked');

  // A swap: the first slot that offers an alternative takes it; only that slot changes, within 2 s.
  const alternative = page.locator('[data-test="editor"] button.am-alt').first();
  const slot = Number(await alternative.getAttribute('data-slot'));
  const replacement = await alternative.getAttribute('data-shot');
  const beforeSwap = await jobId(page);
  const started = Date.now();
  await alternative.click();
  await page.waitForFunction(
    ({ slot, replacement, previous }) => {
      const state = (window as unknown as { automontage: { state: { result: { jobId: string }; job: unknown } } }).automontage.state;
      return state.job === null && state.result.jobId !== previous && document.querySelector(`[data-test="editor"] .am-slot[data-slot="${slot}"]`)?.getAttribute('data-shot') === replacement;
    },
    { slot, replacement, previous: beforeSwap },
    { timeout: 30_000 },
  );
  const swapMs = Date.now() - started;
  console.log(`swap: slot ${slot} → shot ${replacement} re-solved and redrawn in ${swapMs} ms`);
  assert.ok(swapMs <= 2000, `the swap took ${swapMs} ms`);
  const swapped = await slots(page);
  assert.equal(swapped.length, excited.length);
  swapped.forEach((s, i) => (i === slot ? assert.equal(s.shot, replacement) : assert.equal(s.shot, excited[i]!.shot, `slot ${i} is unchanged`)));
  await page.screenshot({ path: join(artifacts, 'storyboard-web-swapped.png'), fullPage: true });

  // Steering, each a re-solve from the cached analysis. The swap's keep/drop go first (the Dropped row's
  // buttons), so what follows is the steering's doing alone.
  for (const undo of await page.$$('[data-test^="undrop-"]')) await steered(page, () => undo.click());
  for (const kept of await page.$$('[data-test="editor"] .am-slot-actions button[data-action="keep"][aria-pressed="true"]')) await steered(page, () => kept.click());
  const timings: Record<string, number> = {};
  const shotsOf = (list: Slot[]) => list.map((s) => s.shot).join(',');
  const excitedShots = shotsOf(await slots(page));

  // The mood control: sad chooses other shots than excited, from the same analysis.
  timings['mood sad'] = await steered(page, () => page.selectOption('[data-test="mood"]', 'sad'));
  const sad = shotsOf(await slots(page));
  assert.notEqual(sad, excitedShots, `excited ${excitedShots} vs sad ${sad}`);
  assert.ok((await pageState(page)).result!.montage.musicEmotion.every((unit) => unit.emotion?.label === 'sad'), 'the plan followed the sad target');
  // The re-solve's storyboard (and so its report.html) says what it was steered by.
  const settings = await page.evaluate(async () => {
    const file = (window as unknown as { automontage: { state: { result: { montage: { files: { name: string; url: string }[] } } } } }).automontage.state.result.montage.files.find((f) => f.name === 'storyboard.json')!;
    return ((await (await fetch(file.url)).json()) as { settings: { label: string; value: string }[] }).settings;
  });
  assert.deepEqual(settings.find((row) => row.label === 'steered by'), { label: 'steered by', value: 'sad' });
  await page.screenshot({ path: join(artifacts, 'storyboard-web-sad.png'), fullPage: true });

  // A valence/arousal point: the pad's upper right (positive, aroused) steers back to the warm shots.
  timings['point'] = await steered(page, () => page.selectOption('[data-test="mood"]', 'point'));
  const pad = (await page.locator('[data-test="mood-pad"]').boundingBox())!;
  timings['point excited'] = await steered(page, () => page.mouse.click(pad.x + pad.width * 0.81, pad.y + pad.height * 0.2));
  const target = (await pageState(page)).steering.moodTarget as { valence: number; arousal: number };
  assert.ok(Math.abs(target.valence - 0.62) < 0.05 && Math.abs(target.arousal - 0.6) < 0.05, JSON.stringify(target));
  const pointShots = shotsOf(await slots(page));
  assert.notEqual(pointShots, sad, `the point ${pointShots} vs sad ${sad}`);

  // The emotion arc: a drag across the valence lane from positive (left) to negative (right) changes the plan;
  // Clear arc goes back to the point's plan.
  const arc = (await page.locator('[data-test="arc"]').boundingBox())!;
  const laneHeight = (arc.height * 56) / 122;
  timings['arc'] = await steered(page, async () => {
    await page.mouse.move(arc.x + 2, arc.y + laneHeight * 0.02);
    await page.mouse.down();
    for (let k = 1; k <= 10; k++) await page.mouse.move(arc.x + 2 + ((arc.width - 4) * k) / 10, arc.y + laneHeight * (0.02 + (0.96 * k) / 10));
    await page.mouse.up();
  });
  const drawn = await pageState(page);
  assert.equal(drawn.steering.emotionArc.length, drawn.result!.montage.musicEmotion.length, 'one arc point per unit');
  const arcShots = shotsOf(await slots(page));
  assert.notEqual(arcShots, pointShots, `the arc ${arcShots} vs the point ${pointShots}`);
  await page.screenshot({ path: join(artifacts, 'storyboard-web-arc.png'), fullPage: true });
  timings['clear arc'] = await steered(page, () => page.click('[data-test="clear-arc"]'));
  assert.equal(shotsOf(await slots(page)), pointShots, 'without the arc the point plans as before');

  // Scenes and hard/soft.
  timings['scenes 2'] = await steered(page, async () => {
    await page.fill('[data-test="scenes"]', '2');
    await page.dispatchEvent('[data-test="scenes"]', 'change');
  });
  const fewer = (await pageState(page)).result!.montage.plan;
  assert.ok(fewer.sceneCount <= 2 || (fewer.relaxations ?? []).some((r) => r.relax === 'scenes'), `${fewer.sceneCount} scenes, relaxations ${JSON.stringify(fewer.relaxations)}`);
  timings['soft'] = await steered(page, () => page.selectOption('[data-test="mode"]', 'soft'));
  assert.equal((await pageState(page)).result!.montage.plan.options.mode, 'soft');
  console.log(`steering re-solves (click to redrawn storyboard, ms): ${JSON.stringify(timings)}`);
  for (const [what, ms] of Object.entries(timings)) assert.ok(ms <= 2000, `${what} took ${ms} ms`);
  await page.screenshot({ path: join(artifacts, 'storyboard-web-steered.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

/** A sequence of the generated movie (V1) and music (A2), as the fake Premiere reads it. */
function moodsSequence(): Promise<HostSequence> {
  return sequenceOfFiles({ name: 'Moods edit', moviePath: join(dir, 'moods.mp4'), musicPath: join(dir, 'music.m4a'), musicName: 'music', musicSeconds: [0, 9] });
}

test('the Premiere panel shows the storyboard with thumbnails read over the WebSocket, scrubs it, opens a clicked shot in the Source Monitor, steers at Apply, swaps from a card, and keeps, drops and re-enables from it at Apply', { skip, timeout: 300_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 420, height: 1500 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // Everything the page asks over http after loading the harness: the panel itself must ask nothing (macOS).
  const requests: string[] = [];
  page.on('request', (request) => {
    if (/^https?:/.test(request.url()) && !/\/harness\//.test(request.url())) requests.push(request.url());
  });
  await page.addInitScript((config) => Object.assign(window, { __harness: config }), { sequences: [await moodsSequence()], url: server.url });
  await page.goto(`${server.url}/harness/index.html`);
  await page.fill('[data-test="pairing"]', server.pairingCode());
  await page.press('[data-test="pairing"]', 'Enter');
  await page.waitForSelector('.am-dot.am-connected');
  await page.click('[data-test="refresh"]');
  await page.waitForFunction(() => document.querySelector('[data-test="sequence"]')?.textContent?.startsWith('Moods edit'));
  await page.fill('[data-test="scenes"]', '10');
  await page.dispatchEvent('[data-test="scenes"]', 'change');
  await page.selectOption('[data-test="granularity"]', 'bar');
  await page.selectOption('[data-test="mood"]', 'excited');
  await page.click('[data-test="run"]');
  await page.waitForSelector('[data-test="summary"]', { timeout: 240_000 });
  const state = () => pageState(page, '__controller');

  // One card per chosen shot, each with a decoded thumbnail, in record order.
  const chosen = (await state()).result!.montage.chosen;
  await page.waitForFunction((count) => document.querySelectorAll('[data-test="panel-storyboard"] .am-sb-card').length === count, chosen.length, { timeout: 10_000 });
  const cards = await page.$$eval('[data-test="panel-storyboard"] .am-sb-card', (list) => list.map((card) => ({ shot: Number(card.getAttribute('data-shot')), width: (card.querySelector('img') as unknown as { naturalWidth: number }).naturalWidth })));
  assert.deepEqual(cards.map((c) => c.shot), chosen.map((c) => c.shotIndex));
  assert.ok(cards.every((c) => c.width > 0), `thumbnails decode: ${cards.map((c) => c.width).join(', ')}`);
  assert.deepEqual(requests, [], 'the panel read the storyboard over the WebSocket, not http://');

  // The strip scrubs: at 90 % of the slider the picture is the last slot's.
  const last = chosen.length - 1;
  await page.$eval('[data-test="sb-scrub"]', (input) => {
    (input as unknown as { value: string }).value = '900';
    input.dispatchEvent(new Event('input'));
  });
  assert.equal(await page.getAttribute('[data-test="sb-frame"]', 'data-slot'), String(last));
  assert.match((await page.getAttribute('[data-test="sb-frame"]', 'src')) ?? '', /^data:image\/jpeg;base64,/);
  assert.equal(await page.getAttribute(`[data-test="sb-card-${last}"]`, 'class'), 'am-sb-card am-playing');

  // A click on the second card opens that shot in the Source Monitor at its source in.
  await page.click('[data-test="sb-card-1"]');
  await page.waitForFunction(() => (window as unknown as { __fakeHost: { sourceMonitor: unknown } }).__fakeHost.sourceMonitor !== null);
  const monitor = await page.evaluate(() => (window as unknown as { __fakeHost: { sourceMonitor: { mediaPath: string; atTicks: string } } }).__fakeHost.sourceMonitor);
  assert.equal(monitor.mediaPath, join(dir, 'moods.mp4'));
  assert.ok(Math.abs(Number(monitor.atTicks) / TPS - chosen[1]!.sourceStartSeconds) < 1e-3, `${Number(monitor.atTicks) / TPS} s vs ${chosen[1]!.sourceStartSeconds} s`);
  assert.equal(await page.getAttribute('[data-test="sb-frame"]', 'data-slot'), '1', 'the strip jumps to the clicked shot');
  await page.screenshot({ path: join(artifacts, 'storyboard-panel.png'), fullPage: true });

  // Steering waits for Apply (each re-solve builds a version): nothing is sent until then.
  await page.selectOption('[data-test="mood"]', 'sad');
  assert.equal(await page.textContent('[data-test="apply"]'), 'Apply steering');
  const before = (await state()).result!.jobId;
  assert.equal((await state()).steerPending, true);
  const started = Date.now();
  await page.click('[data-test="apply"]');
  await page.waitForFunction(() => /Auto-Montage v2/.test(document.querySelector('[data-test="notice"]')?.textContent ?? ''), undefined, { timeout: 30_000 });
  console.log(`Premiere steering: Apply to version 2 built in ${Date.now() - started} ms (${(await page.textContent('[data-test="notice"]'))?.match(/Re-solved in [\d.]+ s/)?.[0]})`);
  const after = await state();
  assert.notEqual(after.result!.jobId, before);
  assert.equal(after.result!.kind, 'resolve');
  assert.ok(after.result!.montage.musicEmotion.every((unit) => unit.emotion?.label === 'sad'), 'the re-solve followed the sad target');
  assert.notDeepEqual(after.result!.montage.chosen.map((c) => c.shotIndex), chosen.map((c) => c.shotIndex), 'sad chooses other shots');
  await page.waitForFunction((count) => document.querySelectorAll('[data-test="panel-storyboard"] .am-sb-card').length === count, after.result!.montage.chosen.length, { timeout: 10_000 });
  assert.deepEqual(requests, [], 'still nothing over http://');
  await page.screenshot({ path: join(artifacts, 'storyboard-panel-sad.png'), fullPage: true });

  // A card's alternative swaps it in at once: one re-solve, version 3, only that slot changed.
  const alternative = page.locator('[data-test="panel-storyboard"] .am-sb-alt').first();
  const slot = Number(await alternative.evaluate((node) => (node as unknown as { closest(s: string): PageElement }).closest('.am-sb-card').getAttribute('data-slot')));
  const replacement = Number(await alternative.getAttribute('data-shot'));
  const sadShots = after.result!.montage.chosen.map((c) => c.shotIndex);
  await alternative.click();
  await page.waitForFunction(() => /Auto-Montage v3/.test(document.querySelector('[data-test="notice"]')?.textContent ?? ''), undefined, { timeout: 30_000 });
  const swapped = (await state()).result!.montage.chosen.map((c) => c.shotIndex);
  assert.equal(swapped.length, sadShots.length);
  swapped.forEach((shot, i) => assert.equal(shot, i === slot ? replacement : sadShots[i], `slot ${i}`));
  await page.waitForFunction(({ slot, replacement }) => document.querySelector(`[data-test="sb-card-${slot}"]`)?.getAttribute('data-shot') === String(replacement), { slot, replacement }, { timeout: 10_000 });
  assert.equal(await page.evaluate(() => (window as unknown as { __fakeHost: { sourceMonitor: { atTicks: string } } }).__fakeHost.sourceMonitor.atTicks), monitor.atTicks, 'the alternative\'s click did not open the Source Monitor');

  // Drop on a card and "Use it" on a shot the pool left out wait for Apply, then make one re-solve (version 4).
  const excluded = await page.$$eval('[data-test="sb-excluded"] [data-test^="sb-use-"]', (buttons) => buttons.map((b) => Number(b.getAttribute('data-test')!.slice('sb-use-'.length))));
  assert.ok(excluded.length > 0, 'the generated footage has a near-duplicate the pool leaves out');
  const droppedShot = swapped[0]!;
  await page.click('[data-test="sb-drop-0"]');
  await page.click(`[data-test="sb-use-${excluded[0]}"]`);
  assert.equal(await page.textContent('[data-test="apply"]'), 'Apply 2 changes');
  await page.click('[data-test="apply"]');
  await page.waitForFunction(() => /Auto-Montage v4/.test(document.querySelector('[data-test="notice"]')?.textContent ?? ''), undefined, { timeout: 30_000 });
  const applied = (await state()).result!.montage.chosen.map((c) => c.shotIndex);
  assert.ok(!applied.includes(droppedShot), `#${droppedShot} dropped: ${applied.join(',')}`);
  assert.ok(applied.includes(excluded[0]!), `#${excluded[0]} used again: ${applied.join(',')}`);
  await page.screenshot({ path: join(artifacts, 'storyboard-panel-applied.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
