/** The viewer's cross-session summary page on a real batch: charts render, points link to runs, strings escaped. */

import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { writeSessions } from '../adapters/nwb/helpers.js';
import { binary, ROOT, tempDir } from '../helpers.js';
import { HOSTILE, serveStore } from './helpers.js';

test('summary page: one chart per observable with a point per session, links to the runs, escaped area names', async (t) => {
  const dir = tempDir();
  const folder = join(dir, 'sessions');
  await writeSessions(folder, 3, 'summary', (spec) => {
    spec.electrodes!.location = spec.electrodes!.location.map((l) => (l === 'LM' ? `LM ${HOSTILE}` : l));
  });
  const store = join(dir, 'store');
  const b = binary(['batch', folder, '--stimulus', 'orientation', '--store', store]);
  t.is(b.code, 0, b.stderr);

  const viewer = await serveStore(store);
  const base = viewer.base;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const api = (await (await fetch(`${base}/api/summary`)).json()) as { rows: { runId: string; area: string }[] };
    t.is(api.rows.length, 6);
    t.is((await fetch(`${base}/summary?batch=not-an-id`)).status, 400);
    t.is((await fetch(`${base}/summary?batch=ffffffff`)).status, 404);

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${base}/summary`);
    await page.waitForSelector('body[data-charts-rendered]', { timeout: 30000 });
    t.is(await page.getAttribute('body', 'data-charts-rendered'), 'yes');
    // At least D_eff, corrected, PR, switching, S_all and complexity: 6 points each.
    t.true((await page.locator('.chart svg .mark-symbol path').count()) >= 36);
    t.is(await page.evaluate('window.__pwned'), undefined, 'no script from data ran');
    const links = await page.locator('table a[href^="/runs/"]').count();
    t.is(links, 6);
    if (existsSync(join(ROOT, 'test-artifacts'))) await page.screenshot({ path: join(ROOT, 'test-artifacts', 'summary.png'), fullPage: true });
    t.deepEqual(errors, []);
  } finally {
    await browser.close();
    await viewer.close();
  }
});
