/**
 * The README's pictures of the browser app: the demo session opened by URL from another local
 * server, analysed in the page. Run: node --import tsx test/web/screenshot.ts (writes docs/images/).
 */

import { join } from 'node:path';
import { cli, ROOT, tempDir } from '../helpers.js';
import { startFileServer } from './fileServer.js';
import { analyzeInPage, launchChromium, openApp, openUrl, startAppServer } from './helpers.js';

const dir = tempDir('neurorep-shot-');
const d = await cli('demo', '--store', dir, '--quiet', '--null', '1');
if (d.code !== 0) throw new Error(d.stderr);
const app = await startAppServer();
const files = await startFileServer({ 'session.nwb': join(dir, 'demo', 'session.nwb') });
const browser = await launchChromium();
try {
  const { page } = await openApp(browser, app.base);
  await page.setViewportSize({ width: 1280, height: 900 });
  if ((await openUrl(page, `${files.base}/session.nwb`)) !== 'opened') throw new Error('not opened');
  await page.screenshot({ path: join(ROOT, 'docs', 'images', 'app-opened.png') });
  const { state } = await analyzeInPage(page, { stimulus: 'orientation', intervals: 20, nulls: 9 });
  if (state !== 'done') throw new Error(state);
  await page.waitForFunction('document.body.dataset.charts === "rendered"');
  // The observables table, the warnings and the first charts, as the viewer shows a run.
  await page.setViewportSize({ width: 1280, height: 1500 });
  await page.evaluate('document.querySelector("#run h2").scrollIntoView()');
  await page.screenshot({ path: join(ROOT, 'docs', 'images', 'app-result.png') });
} finally {
  await browser.close();
  await files.close();
  await app.close();
}
