/**
 * The browser app against the CLI on a large recording: the demo's units and trials beside raw
 * voltage (1.1 GB by default), served by ranges from another local origin. Times `neurorep analyze
 * URL` (its own process) and the page's open + analyze in Debian's chromium, by URL and from the
 * disk, each `--repeats` times (the median is reported), and the bytes each read.
 *
 *   npm run bench:web [-- --bytes 1.1e9 --repeats 3 --nulls 0]
 * Writes bench/out/web.json.
 */

import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../test/helpers.js';
import { writeBigRecording } from '../test/web/bigRecording.js';
import { startFileServer } from '../test/web/fileServer.js';
import { analyzeInPage, launchChromium, openApp, openUrl, runBinary, startAppServer, waitForState } from '../test/web/helpers.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const bytes = arg('bytes', 1.1e9),
  repeats = arg('repeats', 3),
  nulls = arg('nulls', 0);
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

const path = join(tempDir('neurorep-bench-web-'), 'big.nwb');
await writeBigRecording(path, bytes);
const size = statSync(path).size;
const app = await startAppServer();
const files = await startFileServer({ 'big.nwb': path });
const browser = await launchChromium();
const url = `${files.base}/big.nwb`;
const out: Record<string, unknown> = { size, nulls, repeats };
try {
  const cli: number[] = [];
  let cliFetched = 0;
  for (let r = 0; r < repeats; r++) {
    const run = await runBinary(['analyze', url, '--stimulus', 'orientation', ...(nulls ? ['--null', String(nulls)] : []), '--json', '--no-store', '--quiet']);
    if (run.code !== 0) throw new Error(run.stderr);
    cli.push(run.seconds);
    cliFetched = (JSON.parse(run.stdout) as { source: { bytesFetched: number } }).source.bytesFetched;
  }
  const page = async (how: 'url' | 'disk') => {
    const times: number[] = [];
    let read = 0;
    for (let r = 0; r < repeats; r++) {
      const { page } = await openApp(browser, app.base);
      const t0 = performance.now();
      if (how === 'url') await openUrl(page, url);
      else {
        await page.setInputFiles('#file', path);
        await waitForState(page, ['opened', 'error']);
      }
      const result = await analyzeInPage(page, { stimulus: 'orientation', nulls });
      if (result.state !== 'done') throw new Error(result.note);
      times.push((performance.now() - t0) / 1000);
      const src = (result.record as { source: { bytesFetched?: number; bytesRead?: number } }).source;
      read = src.bytesFetched ?? src.bytesRead ?? 0;
      await page.context().close();
    }
    return { seconds: median(times), all: times, read };
  };
  const byUrl = await page('url');
  const fromDisk = await page('disk');
  Object.assign(out, { cli: { seconds: median(cli), all: cli, fetched: cliFetched }, byUrl, fromDisk });
  const pct = (n: number) => `${((100 * n) / size).toFixed(2)} %`;
  console.log(`recording ${(size / 2 ** 30).toFixed(2)} GiB, permutations ${nulls}, median of ${repeats}`);
  console.log(`  CLI by URL        ${median(cli).toFixed(2)} s   fetched ${pct(cliFetched)}`);
  console.log(`  page by URL       ${byUrl.seconds.toFixed(2)} s   fetched ${pct(byUrl.read)}   ${(byUrl.seconds / median(cli)).toFixed(2)}x the CLI`);
  console.log(`  page from disk    ${fromDisk.seconds.toFixed(2)} s   read ${pct(fromDisk.read)}   ${(fromDisk.seconds / median(cli)).toFixed(2)}x the CLI`);
} finally {
  await browser.close();
  await files.close();
  await app.close();
}
mkdirSync(join('bench', 'out'), { recursive: true });
writeFileSync(join('bench', 'out', 'web.json'), JSON.stringify(out, null, 2));
