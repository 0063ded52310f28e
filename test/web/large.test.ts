/**
 * A recording of more than a gigabyte in the browser app: by URL it fetches a small part of the
 * file (the units and trials, not the raw voltage beside them); chosen from the disk it is read in
 * place by slices, never whole (bytes read and the browser's memory measured). Times of the page
 * and of the CLI are logged (targets are measured by the tests, not asserted as wall-clock).
 */

import test from 'ava';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';
import { writeBigRecording } from './bigRecording.js';
import { startFileServer } from './fileServer.js';
import {
  analyzeInPage,
  chromiumRss,
  errorText,
  launchChromium,
  openApp,
  openUrl,
  recordDifferences,
  runBinary,
  startAppServer,
  waitForState,
} from './helpers.js';

test('a 1.1 GB recording: by URL a small part is fetched; from the disk it is never read whole', async (t) => {
  const path = join(tempDir('neurorep-web-big-'), 'big.nwb');
  await writeBigRecording(path, 1.1e9);
  const size = statSync(path).size;
  t.true(size >= 1e9, `${size} bytes`);
  const app = await startAppServer();
  const files = await startFileServer({ 'big.nwb': path });
  const browser = await launchChromium();
  try {
    const url = `${files.base}/big.nwb`;
    const cliRun = await runBinary(['analyze', url, '--stimulus', 'orientation', '--json', '--no-store', '--quiet']);
    t.is(cliRun.code, 0, cliRun.stderr);
    const expected = JSON.parse(cliRun.stdout) as { source: { bytesFetched: number } };

    // By URL.
    const served = { ...files.stats };
    const remote = await openApp(browser, app.base);
    const t0 = performance.now();
    t.is(await openUrl(remote.page, url), 'opened', await errorText(remote.page));
    const byUrl = await analyzeInPage(remote.page, { stimulus: 'orientation' });
    const pageSeconds = (performance.now() - t0) / 1000;
    t.is(byUrl.state, 'done', byUrl.note);
    t.deepEqual(recordDifferences(expected, byUrl.record).diffs, []);
    const fetched = (byUrl.record as { source: { bytesFetched: number } }).source.bytesFetched;
    const servedBytes = files.stats.bytes - served.bytes;
    t.true(fetched <= 0.05 * size, `fetched ${fetched} of ${size} bytes`);
    t.true(servedBytes <= 0.05 * size, `the server sent ${servedBytes} bytes`);
    t.log(
      `by URL: the page fetched ${(fetched / 2 ** 20).toFixed(1)} MiB of ${(size / 2 ** 30).toFixed(2)} GiB (${((100 * fetched) / size).toFixed(2)} %; the CLI ${(expected.source.bytesFetched / 2 ** 20).toFixed(1)} MiB); open + analyze ${pageSeconds.toFixed(1)} s in the page, ${cliRun.seconds.toFixed(1)} s by the CLI (${(pageSeconds / cliRun.seconds).toFixed(2)}x)`,
    );
    await remote.page.context().close();

    // A server that ignores Range would send the whole gigabyte: the page reads its first answer's
    // headers only and cancels the body.
    const refused = await openApp(browser, app.base);
    const sentBefore = files.stats.bytes;
    t.is(await openUrl(refused.page, `${files.base}/norange/big.nwb`), 'error');
    t.regex(await errorText(refused.page), /does not answer Range requests/);
    await new Promise((r) => setTimeout(r, 500));
    const sent = files.stats.bytes - sentBefore;
    t.true(sent < 0.05 * size, `the server sent ${sent} bytes to a page that asked for a range`);
    t.log(`a server without ranges: ${(sent / 2 ** 20).toFixed(1)} MiB sent before the page cancelled`);
    await refused.page.context().close();

    // From the disk: bytes read by the page and the browser's resident memory, sampled throughout.
    const local = await openApp(browser, app.base);
    const before = chromiumRss();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, chromiumRss())), 100);
    try {
      await local.page.setInputFiles('#file', path);
      t.is(await waitForState(local.page, ['opened', 'error']), 'opened', await errorText(local.page));
      const fromDisk = await analyzeInPage(local.page, { stimulus: 'orientation' });
      t.is(fromDisk.state, 'done', fromDisk.note);
      t.deepEqual(recordDifferences(expected, fromDisk.record).diffs, []);
      const read = (fromDisk.record as { source: { bytesRead: number } }).source.bytesRead;
      peak = Math.max(peak, chromiumRss());
      t.true(read <= 0.05 * size, `read ${read} of ${size} bytes`);
      // Reading the file whole would add its 1.1 GB to the browser's memory.
      t.true(peak - before < 0.5 * size, `the browser's memory grew by ${peak - before} bytes`);
      t.log(
        `from the disk: read ${(read / 2 ** 20).toFixed(1)} MiB (${((100 * read) / size).toFixed(2)} %); the browser's resident memory ${(before / 2 ** 20).toFixed(0)} MiB before, ${(peak / 2 ** 20).toFixed(0)} MiB at most (+${((peak - before) / 2 ** 20).toFixed(0)} MiB)`,
      );
    } finally {
      clearInterval(sampler);
    }
    t.deepEqual(
      remote.requests.concat(local.requests).filter((u) => !u.startsWith(app.base) && !u.startsWith(files.base)),
      [],
    );
  } finally {
    await browser.close();
    await files.close();
    await app.close();
  }
});
