/**
 * report.html from a real montage of Big Buck Bunny: self-contained (every picture a data URI, nothing fetched),
 * one thumbnail per placement, the timeline's cuts and bars, the excluded title card with its reason; opened in
 * headless Chromium from file:// with every request outside the page refused. --keep-text-shots puts the title
 * shots back. Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import type { StoryboardModel } from '../../companion/protocol/storyboard';
import { cli } from '../support/cli';
import { filmDir, musicDir, repoRoot, scratchDir } from '../support/paths';

const CHROMIUM = '/usr/bin/chromium';
const dir = scratchDir('report-html');
const cache = join(dir, 'cache');
const movie = join(filmDir, 'big_buck_bunny_first60s.mp4');
const music = join(musicDir, 'flare_boss_theme.ogg');
const artifacts = join(repoRoot, 'test-artifacts');
let browser: Browser | undefined;

before(async () => {
  if (existsSync(CHROMIUM)) browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  mkdirSync(artifacts, { recursive: true });
});
after(async () => browser?.close());

async function montage(name: string, extra: string[] = []) {
  const out = join(dir, name);
  const run = await cli(['montage', '--movie', movie, '--music', music, '--music-range', '0:24', '--out', out, '--no-preview', '--quiet', '--cache', cache, '--format', 'edl', ...extra]);
  assert.equal(run.code, 0, run.stderr);
  const plan = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')) as { placements: { shotIndex: number }[]; pool?: { excluded: { shot: number; reason: string }[]; reenabled: { shot: number; reason: string }[] } };
  return { out, plan, html: readFileSync(join(out, 'report.html'), 'utf8'), storyboard: JSON.parse(readFileSync(join(out, 'storyboard.json'), 'utf8')) as StoryboardModel };
}

test('report.html is self-contained: one thumbnail per placement, the cuts and bars on the timeline, the title card left out with its reason', async () => {
  const { plan, html, storyboard } = await montage('clean');
  assert.ok(plan.pool, 'plan.json lists the pool');
  const titles = plan.pool.excluded.filter((e) => e.reason === 'text').map((e) => e.shot);
  assert.ok(titles.includes(0) && titles.length >= 2, `the poster frame and the title shot are out (${titles.join(', ')})`);
  for (const placement of plan.placements) assert.ok(!titles.includes(placement.shotIndex), `title shot ${placement.shotIndex} is not used`);
  // One card with one thumbnail per placement, every picture inline.
  assert.equal((html.match(/<img class="am-thumb" src="data:image\/jpeg;base64,/g) ?? []).length, plan.placements.length);
  assert.doesNotMatch(html, /\b(?:src|href)="(?!data:)/, 'no picture, style or script is fetched');
  assert.doesNotMatch(html, /<link\b|@import|url\(/);
  // The timeline: a waveform, one block per placement with its why, and the bar grid.
  assert.ok(storyboard.music.waveform.length > 100 && storyboard.music.waveform.some((p) => p > 0.5));
  assert.equal((html.match(/class="am-slot-block"/g) ?? []).length, plan.placements.length);
  assert.match(html, /<title>units 1–\d+ \(0:00\.0\): #\d+, \w+ on music that is/);
  assert.match(html, /class="am-bar-grid" d="(M[\d.]+ \d+V\d+){3,}/);
  assert.match(html, /#1<\/b> · 0:00\.0 · <span class="am-reason">title card \/ text/);
  assert.equal(storyboard.slots.length, plan.placements.length);

  if (!browser) return;
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const outside: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file://') || url.startsWith('data:')) return route.continue();
    outside.push(url);
    return route.abort();
  });
  await page.goto(`file://${join(dir, 'clean', 'report.html')}`);
  assert.equal(await page.locator('.am-slot img.am-thumb').count(), plan.placements.length);
  // Every thumbnail decoded (a broken data URI has naturalWidth 0).
  const widths = await page.locator('img.am-thumb').evaluateAll((images) => images.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth));
  assert.ok(widths.every((w) => w > 0), `widths ${widths.join(', ')}`);
  // Hovering a block on the timeline outlines its card.
  await page.locator('rect.am-slot-block').nth(1).hover();
  assert.equal(await page.locator('.am-slot.am-hover').getAttribute('data-slot'), '1');
  await page.screenshot({ path: join(artifacts, 'report-html.png'), fullPage: true });
  await page.close();
  assert.deepEqual(outside, []);
});

test('--keep-text-shots puts the title shots back in the pool, and the report lists them as re-enabled', async () => {
  const { plan } = await montage('keep-text', ['--keep-text-shots']);
  assert.ok(plan.pool);
  assert.equal(plan.pool.excluded.filter((e) => e.reason === 'text').length, 0);
  assert.ok(plan.pool.reenabled.some((e) => e.shot === 0 && e.reason === 'text'));
  const report = readFileSync(join(dir, 'keep-text', 'report.txt'), 'utf8');
  assert.match(report, /\+ shot 0: kept although title card \/ text/);
});
