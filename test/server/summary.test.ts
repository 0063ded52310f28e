/** The viewer's cross-session summary page on a real batch: charts render, points link to runs, strings escaped. */

import test from 'ava';
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { writeNwbFile } from '../../adapters/nwb/write.js';
import { allowedHosts, createApp } from '../../src/server/app.js';
import { twoAreaSpec } from '../adapters/nwb/helpers.js';
import { binary, ROOT, tempDir } from '../helpers.js';
import { HOSTILE } from './helpers.js';

test('summary page: one chart per observable with a point per session, links to the runs, escaped area names', async (t) => {
  const dir = tempDir();
  const folder = join(dir, 'sessions');
  mkdirSync(folder);
  for (let i = 1; i <= 3; i++) {
    const { spec } = twoAreaSpec();
    spec.identifier = `summary-${i}`;
    spec.units!.spikeTimes = spec.units!.spikeTimes.map((s) => s.map((v) => v + 1e-4 * i));
    spec.electrodes!.location = spec.electrodes!.location.map((l) => (l === 'LM' ? `LM ${HOSTILE}` : l));
    await writeNwbFile(join(folder, `s${i}.nwb`), spec);
  }
  const store = join(dir, 'store');
  const b = binary(['batch', folder, '--stimulus', 'orientation', '--store', store]);
  t.is(b.code, 0, b.stderr);

  let hosts = new Set<string>();
  const { app, store: db } = createApp(store, { hosts: () => hosts });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  hosts = allowedHosts('127.0.0.1', port);
  const base = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
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
    await new Promise((resolve) => server.close(resolve));
    db.close();
  }
});
