import test from 'ava';
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinModules } from 'node:module';
import { chromium } from 'playwright-core';
import { ROOT } from '../helpers.js';
import { EIGEN_ORDER, plantedEigenvalue, workload } from './browser/workload.js';

const CHROMIUM = '/usr/bin/chromium';

// A JSON round trip turns typed arrays into plain objects on both sides alike.
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x) => (ArrayBuffer.isView(x) ? Array.from(x as Float64Array) : x)));

test('nothing under src/core imports a Node module', (t) => {
  const files = readdirSync(join(ROOT, 'src', 'core'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'));
  t.true(files.length > 10);
  const node = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  for (const f of files) {
    const src = readFileSync(join(ROOT, 'src', 'core', f), 'utf8');
    for (const m of src.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) t.false(node.has(m[1]), `src/core/${f} imports ${m[1]}`);
  }
});

test('the core bundled for a browser computes in chromium exactly what it computes in Node', async (t) => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does`);
  const bundle = await build({
    entryPoints: [join(ROOT, 'test', 'core', 'browser', 'workload.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'neurorepCore',
    write: false,
    logLevel: 'silent',
  });
  const code = bundle.outputFiles[0].text;
  t.false(/require\(["']node:/.test(code), 'the bundle needs no Node module');

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.setContent('<!doctype html><title>core</title>');
    await page.addScriptTag({ content: code });
    type Core = { preloadWasmKernels: () => Promise<boolean>; kernelsInUse: () => boolean };
    // A page's main thread refuses to compile the kernels synchronously; the core falls back to
    // JavaScript there unless the page preloads them (as an app would), and then uses them.
    const withoutPreload = await page.evaluate(() => (globalThis as unknown as { neurorepCore: Core }).neurorepCore.kernelsInUse());
    t.log(`WebAssembly kernels on the page's main thread without a preload: ${withoutPreload}`);
    t.true(await page.evaluate(() => (globalThis as unknown as { neurorepCore: Core }).neurorepCore.preloadWasmKernels()));
    t.true(
      await page.evaluate(() => (globalThis as unknown as { neurorepCore: Core }).neurorepCore.kernelsInUse()),
      'the page computes with the WebAssembly kernels',
    );
    const fromBrowser = await page.evaluate(() => {
      const r = (globalThis as unknown as { neurorepCore: { workload: () => unknown } }).neurorepCore.workload();
      return JSON.stringify(r, (_k, x) => (ArrayBuffer.isView(x) ? Array.from(x as Float64Array) : x));
    });
    t.deepEqual(errors, []);
    const inBrowser = JSON.parse(fromBrowser) as {
      dim: { effectiveDimension: number; cvPCA?: unknown };
      complexity: { complexity: number; pieces?: number };
      patterns: unknown;
      similarity: Record<string, { value: number }>;
      eigen: { values: number[]; twoStage: number[]; topValues: number[]; topResidual: number[] };
    };
    const inNode = plain(workload()) as typeof inBrowser;
    // Planted truths first, so that equal-but-wrong cannot pass.
    t.true(inNode.dim.effectiveDimension > 5 && inNode.dim.effectiveDimension < 40);
    t.truthy(inNode.dim.cvPCA);
    t.true(Math.abs(Math.exp(inNode.complexity.complexity) - 2) < 0.1, `exp(C) = ${Math.exp(inNode.complexity.complexity)}`);
    // The layer is a rotated, rescaled copy of the first 20 signal dimensions: strongly similar.
    // The page is not cross-origin isolated (no SharedArrayBuffer): eigenproblems above the chunked
    // reduction's size must still run there, and recover the planted spectrum by both routes.
    t.false(await page.evaluate(() => typeof SharedArrayBuffer !== 'undefined'), 'the page has no SharedArrayBuffer');
    for (const route of ['values', 'twoStage'] as const) {
      const got = inBrowser.eigen[route];
      t.is(got.length, EIGEN_ORDER);
      const worst = Math.max(...got.map((v, i) => Math.abs(v - plantedEigenvalue(i))));
      t.true(worst < 1e-12, `${route}: largest error ${worst} against the planted spectrum`);
    }
    t.true(Math.max(...inBrowser.eigen.topResidual) < 1e-10, `top-10 eigenvector residuals ${inBrowser.eigen.topResidual}`);
    t.true(inNode.similarity.cka.value > 0.5 && inNode.similarity['predictivity-reverse'].value > 0.5, JSON.stringify(inNode.similarity.cka));
    // Equal to 1e-12 relative (chromium's V8 and Node's differ in the last bits of Math.pow/log);
    // every string, integer, key and array length exactly.
    const diffs: string[] = [];
    const compare = (a: unknown, b: unknown, path: string): void => {
      if (typeof a === 'number' && typeof b === 'number') {
        if (Number.isInteger(a) && Number.isInteger(b) && Math.abs(a) < 2 ** 31 ? a !== b : Math.abs(a - b) > 1e-12 * Math.max(1, Math.abs(a)))
          diffs.push(`${path}: ${a} vs ${b}`);
      } else if (a && b && typeof a === 'object' && typeof b === 'object') {
        const ka = Object.keys(a).sort(),
          kb = Object.keys(b).sort();
        if (ka.join() !== kb.join()) diffs.push(`${path}: keys ${ka.join()} vs ${kb.join()}`);
        else for (const k of ka) compare((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      } else if (a !== b) diffs.push(`${path}: ${String(a)} vs ${String(b)}`);
    };
    compare(inBrowser, inNode, 'result');
    t.deepEqual(diffs, []);
    let numbers = 0;
    JSON.stringify(inNode, (_k, x) => (typeof x === 'number' && numbers++, x));
    t.true(numbers > 200, `${numbers} numbers compared`);
  } finally {
    await browser.close();
  }
});
