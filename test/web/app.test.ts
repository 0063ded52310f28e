/**
 * The browser app in Debian's chromium: recordings opened by URL (from another origin, by ranges)
 * and from the disk (File API), analysed in the page's workers, every number equal to
 * `neurorep analyze --json`; the record downloaded is one `neurorep import` takes and the page
 * opens again; a recording of a gigabyte is read in small part; errors are one clear message each;
 * names from a file stay text; the page asks no host but its own and the file's.
 */

import test from 'ava';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { cli, ROOT, SHARED_DATA, tempDir } from '../helpers.js';
import { WEB_APP_FILES } from '../../src/server/webApp.js';
import { twoAreaSpec, writeTemp } from '../adapters/nwb/helpers.js';
import { startFileServer, type FileServer } from './fileServer.js';
import {
  analyzeInPage,
  errorText,
  launchChromium,
  openApp,
  openUrl,
  recordDifferences,
  runBinary,
  startAppServer,
  waitForState,
  type AppServer,
} from './helpers.js';

const REAL = join(SHARED_DATA, 'nwb', 'sub_anm00239123_ses_20170627T093549_ecephys_and_ogen.nwb');
const HOSTILE = '<img src=x onerror="window.__pwned=1">';

let app: AppServer;
let files: FileServer;
let browser: Browser;
let demo: string;
let hostile: string;

test.before(async () => {
  app = await startAppServer();
  const dir = tempDir('neurorep-web-data-');
  const d = await cli('demo', '--store', dir, '--quiet', '--null', '1');
  if (d.code !== 0) throw new Error(`demo failed: ${d.stderr}`);
  demo = join(dir, 'demo', 'session.nwb');
  const { spec } = twoAreaSpec();
  spec.sessionDescription = `session ${HOSTILE}`;
  spec.identifier = `id ${HOSTILE}`;
  spec.electrodes!.location = spec.electrodes!.location.map((l) => (l === 'V1' ? `V1 ${HOSTILE}` : l));
  hostile = await writeTemp(spec, 'hostile.nwb');
  const notNwb = join(dir, 'table.csv');
  writeFileSync(notNwb, 'a,b\n1,2\n'.repeat(1000));
  files = await startFileServer({ 'session.nwb': demo, 'hostile.nwb': hostile, 'table.csv': notNwb, 'real.nwb': REAL });
  browser = await launchChromium();
});

test.after.always(async () => {
  await browser?.close();
  await files?.close();
  await app?.close();
});

/** `analyze --json` of the demo session with the options most tests use (one CLI run, shared). */
let demoExpected: Promise<{ code: number; stdout: string; stderr: string }> | null = null;
function demoReference() {
  return (demoExpected ??= runBinary(['analyze', demo, '--stimulus', 'orientation', '--intervals', '5', '--null', '5', '--json', '--no-store', '--quiet']));
}

/** Every request went to the app's own origin or the file's server. */
function foreign(requests: string[]): string[] {
  const allowed = [new URL(app.base).origin, new URL(files.base).origin];
  return requests.filter((u) => !allowed.includes(new URL(u).origin) && !u.startsWith('blob:') && !u.startsWith('data:'));
}

test.serial('the demo session by URL: every number equals `analyze --json`; the record imports, and opens again in the page', async (t) => {
  const url = `${files.base}/session.nwb`;
  const cliRun = await demoReference();
  t.is(cliRun.code, 0, cliRun.stderr);
  const expected = JSON.parse(cliRun.stdout) as Record<string, unknown>;
  const { page, requests, errors } = await openApp(browser, app.base);
  t.is(await openUrl(page, url), 'opened', await errorText(page));
  t.regex((await page.textContent('#inventory')) ?? '', /orientation[\s\S]*a stimulus candidate/);
  const { state, record, note } = await analyzeInPage(page, { stimulus: 'orientation', intervals: 5, nulls: 5 });
  t.is(state, 'done', note);
  const { diffs, numbers } = recordDifferences(expected, record);
  t.deepEqual(diffs, []);
  t.true(numbers > 500, `${numbers} numbers compared`);
  // Planted truth first: the demo's V1 is higher-dimensional than LM, so equal-but-wrong cannot pass.
  const groups = (record as { groups: { name: string; effectiveDimension: number }[] }).groups;
  t.true(groups.find((g) => g.name.startsWith('V1'))!.effectiveDimension > groups.find((g) => g.name.startsWith('LM'))!.effectiveDimension);
  t.deepEqual((record as { source: { url: string } }).source.url, url);
  t.deepEqual(foreign(requests), []);
  t.true(
    requests.some((u) => u.startsWith(files.base)),
    'the range reads are in the network log',
  );
  t.deepEqual(errors, []);

  // The downloaded record: `neurorep import` adds it to a store; the page opens it again.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const saved = join(tempDir('neurorep-web-dl-'), 'run.json');
  await download.saveAs(saved);
  const store = tempDir('neurorep-web-store-');
  const imported = await cli('import', saved, '--store', store);
  t.is(imported.code, 0, imported.stderr);
  t.regex(imported.stdout, /^1 run imported/);
  const shown = await cli('runs', '--store', store, '--json');
  t.true(shown.stdout.includes((record as { id: string }).id));
  const again = await openApp(browser, app.base);
  await again.page.setInputFiles('#record', saved);
  t.is(await waitForState(again.page, ['done', 'error']), 'done', await errorText(again.page));
  t.true(((await again.page.textContent('#run')) ?? '').includes((record as { id: string }).id.slice(0, 8)));
  // A record changed after it was written is refused, as import refuses it.
  const edited = join(tempDir('neurorep-web-dl-'), 'edited.json');
  const text = readFileSync(saved, 'utf8');
  writeFileSync(edited, text.replace('"seed":0', '"seed":1'));
  await again.page.setInputFiles('#record', edited);
  t.is(await waitForState(again.page, ['error']), 'error');
  t.regex(await errorText(again.page), /edited\.json: the shard was changed after it was written/);
  await page.context().close();
  await again.page.context().close();
});

test.serial('deployed as plain files (no cross-origin isolation, so one thread): the same numbers as the CLI on two threads', async (t) => {
  const web = join(ROOT, 'dist', 'web');
  const plain = await startFileServer({
    ...Object.fromEntries(Object.keys(WEB_APP_FILES).map((f) => [f, join(web, f)])),
    'session.nwb': demo,
  });
  try {
    const cliRun = await demoReference();
    t.is(cliRun.code, 0, cliRun.stderr);
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${plain.base}/index.html`);
    t.false(await page.evaluate('crossOriginIsolated'));
    t.is(await openUrl(page, `${plain.base}/session.nwb`), 'opened', await errorText(page));
    t.regex((await page.textContent('#inventory')) ?? '', /runs on 1 thread of this computer/);
    const { state, record, note } = await analyzeInPage(page, { stimulus: 'orientation', intervals: 5, nulls: 5 });
    t.is(state, 'done', note);
    t.deepEqual(recordDifferences(JSON.parse(cliRun.stdout), record).diffs, []);
    await context.close();
  } finally {
    await plain.close();
  }
});

test.serial('a real recording (../shared/data) chosen from the disk: every number equals `analyze --json`', async (t) => {
  const cliRun = await runBinary(['analyze', REAL, '--stimulus', 'type', '--intervals', '10', '--null', '9', '--json', '--no-store', '--quiet']);
  t.is(cliRun.code, 0, cliRun.stderr);
  const { page, requests, errors } = await openApp(browser, app.base);
  await page.setInputFiles('#file', REAL);
  t.is(await waitForState(page, ['opened', 'error']), 'opened', await errorText(page));
  const { state, record, note } = await analyzeInPage(page, { stimulus: 'type', intervals: 10, nulls: 9 });
  t.is(state, 'done', note);
  const { diffs, numbers } = recordDifferences(JSON.parse(cliRun.stdout), record);
  t.deepEqual(diffs, []);
  t.true(numbers > 100, `${numbers} numbers compared`);
  t.is((record as { source: { path: string } }).source.path, 'sub_anm00239123_ses_20170627T093549_ecephys_and_ogen.nwb');
  // A local file: nothing but the app's own files was requested.
  t.deepEqual(
    requests.filter((u) => !u.startsWith(app.base)),
    [],
  );
  t.deepEqual(errors, []);
  await page.context().close();
});

test.serial('the other options: complexity between areas and matched neurons (the demo), time bins (a real recording without trials)', async (t) => {
  const { page } = await openApp(browser, app.base);
  const demoCli = await runBinary(['analyze', demo, '--stimulus', 'orientation', '--transitions', '--match-neurons', '--json', '--no-store', '--quiet']);
  t.is(demoCli.code, 0, demoCli.stderr);
  t.is(await openUrl(page, `${files.base}/session.nwb`), 'opened');
  const both = await analyzeInPage(page, { stimulus: 'orientation', transitions: true, matchNeurons: true });
  t.is(both.state, 'done', both.note);
  t.is((both.record as { transitions: unknown[] }).transitions.length, 1);
  t.deepEqual(recordDifferences(JSON.parse(demoCli.stdout), both.record).diffs, []);
  const binned = join(SHARED_DATA, 'nwb', 'tingley_buzsaki_lfp_units_test.nwb');
  const binCli = await runBinary(['analyze', binned, '--bin', '0.5', '--json', '--no-store', '--quiet']);
  t.is(binCli.code, 0, binCli.stderr);
  await page.setInputFiles('#file', binned);
  t.is(await waitForState(page, ['opened', 'error']), 'opened', await errorText(page));
  t.regex((await page.textContent('#inventory')) ?? '', /No interval tables/);
  const bins = await analyzeInPage(page, { bin: 0.5 });
  t.is(bins.state, 'done', bins.note);
  t.is((bins.record as { rowsTotal: number }).rowsTotal, 3188);
  t.deepEqual(recordDifferences(JSON.parse(binCli.stdout), bins.record).diffs, []);
  await page.context().close();
});

test.serial('errors are one clear message each: no Range, no CORS, not NWB, a column the table lacks', async (t) => {
  const { page } = await openApp(browser, app.base);
  t.is(await openUrl(page, `${files.base}/norange/session.nwb`), 'error');
  t.regex(await errorText(page), /session\.nwb: the server does not answer Range requests .*download the file/);
  t.is(await openUrl(page, `${files.base}/nocors/session.nwb`), 'error');
  t.regex(await errorText(page), /nocors\/session\.nwb: the request failed: .*CORS/);
  t.is(await openUrl(page, `${files.base}/table.csv`), 'error');
  t.regex(await errorText(page), /table\.csv: not an HDF5 file/);
  t.is(await openUrl(page, `${files.base}/session.nwb`), 'opened');
  const { state, note } = await analyzeInPage(page, { groupBy: 'no_such_column' });
  t.is(state, 'error');
  t.regex(note, /no_such_column/);
  t.notRegex(note, /internal error|\bat .*\.js:\d+/);
  await page.context().close();
});

test.serial('names from a hostile file are shown as text, in the inventory, the tables and the charts', async (t) => {
  const { page, errors } = await openApp(browser, app.base);
  t.is(await openUrl(page, `${files.base}/hostile.nwb`), 'opened');
  t.true(((await page.textContent('#inventory')) ?? '').includes(HOSTILE));
  const { state, note } = await analyzeInPage(page, { stimulus: 'orientation' });
  t.is(state, 'done', note);
  await page.waitForFunction('document.body.dataset.charts === "rendered"');
  t.true(((await page.textContent('#run')) ?? '').includes(`V1 ${HOSTILE}`));
  t.is(await page.evaluate('window.__pwned'), undefined);
  t.is(await page.locator('img[src="x"]').count(), 0);
  t.deepEqual(errors, []);
  await page.context().close();
});

test.serial('cancel stops an analysis; Analyze then runs again from the start', async (t) => {
  const { page } = await openApp(browser, app.base);
  t.is(await openUrl(page, `${files.base}/session.nwb`), 'opened');
  await page.selectOption('#opt-stimulus', 'orientation');
  await page.fill('#opt-nulls', '999');
  await page.click('#analyze');
  await page.waitForFunction('document.getElementById("status").textContent.length > 12');
  await page.click('#cancel');
  t.is(await waitForState(page, ['cancelled']), 'cancelled');
  const { state, record } = await analyzeInPage(page, { stimulus: 'orientation' });
  t.is(state, 'done');
  t.is((record as { params: { nulls: number } }).params.nulls, 0);
  await page.context().close();
});
