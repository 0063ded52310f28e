/** The browser app under test: the viewer's server (which serves /app/), Debian's chromium, and the page's steps. */

import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { allowedHosts, createApp } from '../../src/server/app.js';
import { RunStore } from '../../src/store/runStore.js';
import { ROOT, tempDir, type CliResult } from '../helpers.js';

const CHROMIUM = '/usr/bin/chromium';

export interface AppServer {
  base: string;
  store: string;
  close: () => Promise<void>;
}

/** `neurorep serve`'s app over an empty store, on a free port of 127.0.0.1. */
export async function startAppServer(): Promise<AppServer> {
  const store = tempDir('neurorep-web-');
  RunStore.open(store).close();
  let hosts = new Set<string>();
  const { app, store: opened } = createApp(store, { hosts: () => hosts });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts('127.0.0.1', port);
  return {
    base: `http://127.0.0.1:${port}`,
    store,
    close: () =>
      new Promise<void>((resolve) => {
        opened.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does`);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

export interface AppPage {
  page: Page;
  /** Every request the page and its workers made. */
  requests: string[];
  errors: string[];
}

export async function openApp(browser: Browser, base: string, hash = ''): Promise<AppPage> {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  // The context sees the workers' requests too (the range reads happen in the analysis worker).
  context.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/app/${hash}`);
  await page.waitForFunction('document.body.dataset.state !== undefined');
  return { page, requests, errors };
}

type State = 'opened' | 'done' | 'error' | 'cancelled';

export async function waitForState(page: Page, states: State[], timeout = 600_000): Promise<State> {
  await page.waitForFunction(`${JSON.stringify(states)}.includes(document.body.dataset.state)`, null, { timeout, polling: 100 });
  return (await page.evaluate('document.body.dataset.state')) as State;
}

export async function errorText(page: Page): Promise<string> {
  return (await page.textContent('#error')) ?? '';
}

/** Open a recording by URL in the page; resolves with the state reached. */
export async function openUrl(page: Page, url: string): Promise<State> {
  await page.fill('#url', url);
  await page.click('#open-url button');
  return waitForState(page, ['opened', 'error']);
}

export interface PageOptions {
  stimulus?: string;
  intervals?: number;
  nulls?: number;
  seed?: number;
  groupBy?: string;
  window?: string;
  bin?: number;
  transitions?: boolean;
  matchNeurons?: boolean;
}

/** Fill the options form, analyze, and return the state reached and the record shown. */
export async function analyzeInPage(page: Page, o: PageOptions): Promise<{ state: State; record: Record<string, unknown> | null; note: string }> {
  if (o.stimulus !== undefined) await page.selectOption('#opt-stimulus', o.stimulus);
  await page.fill('#opt-intervals', String(o.intervals ?? 0));
  await page.fill('#opt-nulls', String(o.nulls ?? 0));
  await page.fill('#opt-seed', String(o.seed ?? 0));
  await page.fill('#opt-groupby', o.groupBy ?? '');
  await page.fill('#opt-window', o.window ?? '0,0.25');
  await page.fill('#opt-bin', o.bin === undefined ? '' : String(o.bin));
  await page.setChecked('#opt-transitions', o.transitions === true);
  await page.setChecked('#opt-match', o.matchNeurons === true);
  await page.click('#analyze');
  const state = await waitForState(page, ['done', 'error']);
  if (state !== 'done') return { state, record: null, note: await errorText(page) };
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const shard = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { record: Record<string, unknown> };
  return { state, record: shard.record, note: (await page.textContent('#result-note')) ?? '' };
}

/** The built CLI in its own process (a file server in this process must stay free to answer it), timed. */
export function runBinary(args: string[]): Promise<CliResult & { seconds: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'neurorep.js'), ...args], { cwd: ROOT });
    let stdout = '',
      stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, seconds: (performance.now() - t0) / 1000 }));
  });
}

/** The numbers of two records that differ by more than `tol` relative (ids, times and sources aside); strings and integers exactly. */
export function recordDifferences(a: unknown, b: unknown, tol = 1e-12): { diffs: string[]; numbers: number } {
  const skip = new Set(['$.id', '$.createdAt', '$.source']);
  const diffs: string[] = [];
  let numbers = 0;
  const walk = (x: unknown, y: unknown, path: string): void => {
    if (skip.has(path)) return;
    if (typeof x === 'number' && typeof y === 'number') {
      numbers++;
      if (Math.abs(x - y) > tol * Math.max(1, Math.abs(x))) diffs.push(`${path}: ${x} vs ${y}`);
    } else if (x && y && typeof x === 'object' && typeof y === 'object') {
      const kx = Object.keys(x).sort(),
        ky = Object.keys(y).sort();
      if (kx.join() !== ky.join()) diffs.push(`${path}: keys ${kx.join()} vs ${ky.join()}`);
      else for (const k of kx) walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${path}.${k}`);
    } else if (x !== y) diffs.push(`${path}: ${JSON.stringify(x)} vs ${JSON.stringify(y)}`);
  };
  walk(a, b, '$');
  return { diffs, numbers };
}

/** Resident memory of this process's chromium processes (every renderer and worker process), in bytes. */
export function chromiumRss(): number {
  const parent = new Map<number, number>();
  const comm = new Map<number, string>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const m = /^\d+ \((.*)\) \S (\d+)/.exec(stat);
      if (m) {
        parent.set(Number(d), Number(m[2]));
        comm.set(Number(d), m[1]);
      }
    } catch {
      /* gone */
    }
  }
  const mine = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === process.pid) return true;
    return false;
  };
  let total = 0;
  for (const [pid, name] of comm) {
    if (!/chrom/i.test(name) || !mine(pid)) continue;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      /* gone */
    }
  }
  return total;
}
