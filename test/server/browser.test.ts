import test from 'ava';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { cli, ROOT } from '../helpers.js';
import { startViewer, type Viewer } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts');
let viewer: Viewer;
let browser: Browser;

test.before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does`);
  mkdirSync(ARTIFACTS, { recursive: true });
  viewer = await startViewer();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
});
test.after.always(async () => {
  await browser?.close();
  await viewer?.close();
});

async function visit(t: import('ava').ExecutionContext, url: string, shot: string, minMarks: number): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForSelector('body[data-charts-rendered]', { timeout: 30000 });
  t.is(await page.getAttribute('body', 'data-charts-rendered'), 'yes');
  const marks = await page.locator('.chart svg .mark-symbol path, .chart svg .mark-rect path, .chart svg .mark-line path').count();
  t.true(marks >= minMarks, `${shot}: ${marks} marks`);
  t.is(await page.evaluate('window.__pwned'), undefined, 'no script from data ran');
  await page.screenshot({ path: join(ARTIFACTS, `${shot}.png`), fullPage: true });
  t.deepEqual(errors, [], `${shot}: console errors`);
  await page.close();
}

test.serial('run list page: sortable table of runs', async (t) => {
  const page = await browser.newPage();
  await page.goto(`${viewer.base}/`);
  t.is(await page.locator('#runs tbody tr').count(), 5);
  await page.click('#runs th:nth-child(2)');
  const kinds = await page.locator('#runs tbody tr td:nth-child(2)').allTextContents();
  t.deepEqual(kinds, [...kinds].sort());
  await page.screenshot({ path: join(ARTIFACTS, 'runs.png'), fullPage: true });
  await page.close();
});

test.serial('run page renders every chart', async (t) => {
  await visit(t, `${viewer.base}/runs/${viewer.ids.analyze}`, 'run-analyze', 20);
  const page = await browser.newPage();
  await page.goto(`${viewer.base}/runs/${viewer.ids.analyze}`);
  await page.waitForSelector('body[data-charts-rendered]');
  t.true((await page.locator('#over-time svg .mark-line path').count()) >= 2 * 5, 'observables over time: a line per area and observable');
  await page.close();
  await visit(t, `${viewer.base}/runs/${viewer.ids.network}`, 'run-network', 20);
  await visit(t, `${viewer.base}/runs/${viewer.ids.hostile}`, 'run-hostile', 5);
  await visit(t, `${viewer.base}/runs/${viewer.ids.dynamics}`, 'run-dynamics', 10);
  await visit(t, `${viewer.base}/runs/${viewer.ids.dynamicsRuns}`, 'run-dynamics-runs', 6);
  const page2 = await browser.newPage();
  await page2.goto(`${viewer.base}/runs/${viewer.ids.dynamicsRuns}`);
  await page2.waitForSelector('body[data-charts-rendered]');
  // Log-log axes, a line per run and panel, and the group named with markup shown as text.
  t.true((await page2.locator('#dynamics-runs svg .mark-line path').count()) >= 2, 'run lines');
  t.regex(await page2.locator('body').innerText(), /<b>x<\/b>/);
  t.is(await page2.locator('b:text("x")').count(), 0, 'markup in a run name is not rendered');
  await page2.close();
});

test.serial('compare page: profile on shared axes, a heatmap per similarity, ceilings and the layer mapping', async (t) => {
  await visit(t, `${viewer.base}/compare?ids=${viewer.ids.network},${viewer.ids.analyze}`, 'compare', 10);
  const page = await browser.newPage();
  await page.goto(`${viewer.base}/compare?ids=${viewer.ids.network},${viewer.ids.analyze}`);
  await page.waitForSelector('body[data-charts-rendered]');
  const heatmaps = page.locator('[id^="sim-"]:not(#sim-over-time)');
  t.is(await heatmaps.count(), 8); // predictivity both ways, 4 RSA, Procrustes, CKA
  for (let k = 0; k < 8; k++) t.is(await heatmaps.nth(k).locator('svg .mark-rect.role-mark path').count(), 6, `heatmap ${k}`); // 3 layers x 2 areas
  t.true((await page.locator('#mapping svg .mark-symbol path').count()) >= 2 * 8 * 3); // areas x measures x layers
  t.regex(await page.locator('body').innerText(), /Noise ceilings[\s\S]*predictivity ceiling/);
  // Every chart fits the 1400 px page (the layer mapping of 8 measures once took 1508 px).
  const widest = (await page.evaluate('Math.max(...[...document.querySelectorAll(".chart svg")].map((s) => s.getBoundingClientRect().right))')) as number;
  t.true(widest <= 1400, `widest chart ends at ${widest} px`);
  // The demo's analysis is time-resolved: every measure over its 6 windows, for both areas.
  t.true((await page.locator('#sim-over-time svg .mark-line path').count()) >= 8 * 2, 'similarity over time: a line per measure and area');
  await page.close();
  // Names with the line separator U+2028 (the hostile run's area) and markup: every chart still renders.
  await visit(t, `${viewer.base}/compare?ids=${viewer.ids.network},${viewer.ids.hostile}`, 'compare-hostile', 10);
});

test.serial('a self-contained report renders offline', async (t) => {
  const out = join(ARTIFACTS, 'report.html');
  const r = await cli('report', viewer.ids.analyze, '--out', out, '--store', viewer.store, '--force');
  t.is(r.code, 0, r.stderr);
  const context = await browser.newContext({ offline: true });
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (req) => {
    if (!req.url().startsWith('file:')) requests.push(req.url());
  });
  await page.goto(`file://${out}`);
  await page.waitForSelector('body[data-charts-rendered]', { timeout: 30000 });
  t.is(await page.getAttribute('body', 'data-charts-rendered'), 'yes');
  t.true((await page.locator('.chart svg').count()) >= 5);
  t.deepEqual(requests, [], 'the report loads nothing from outside');
  await context.close();
  writeFileSync(join(ARTIFACTS, 'README.txt'), 'Screenshots and a report from the browser tests (test/server/browser.test.ts).\n');
});
