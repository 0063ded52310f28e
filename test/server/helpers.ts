/** A store with real runs (the demo's, plus one with hostile strings from a data file) and a running viewer. */

import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/core/random.js';
import { writeNpz } from '../../src/io/matrixFile.js';
import type { Server } from 'node:http';
import { allowedHosts, createApp } from '../../src/server/app.js';
import { cli, tempDir } from '../helpers.js';
import { twoAreaSpec, writeTemp } from '../adapters/nwb/helpers.js';

export interface Viewer {
  base: string;
  store: string;
  ids: { network: string; analyze: string; hostile: string; dynamics: string; dynamicsRuns: string };
  close: () => Promise<void>;
}

export const HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">';

export async function startViewer(): Promise<Viewer> {
  const store = tempDir('neurorep-viewer-');
  // Few permutations: the viewer tests need p-values to show, not to be small (the demo's default takes ~50 s).
  const demo = await cli('demo', '--store', store, '--json', '--quiet', '--null', '9');
  if (demo.code !== 0) throw new Error(`demo failed: ${demo.stderr}`);
  const { analyze, network } = JSON.parse(demo.stdout);
  const { spec } = twoAreaSpec();
  spec.sessionDescription = `session ${HOSTILE}`;
  spec.electrodes!.location = spec.electrodes!.location.map((l) => (l === 'V1' ? `V1 ${HOSTILE}` : l === 'LM' ? 'LM\u2028line\u2029para' : l));
  const p = await writeTemp(spec, 'hostile.nwb');
  const r = await cli('analyze', p, '--stimulus', 'orientation', '--store', store, '--json', '--quiet');
  if (r.code !== 0) throw new Error(`analyze failed: ${r.stderr}`);
  const hostile = JSON.parse(r.stdout).id;
  // Three checkpoints of a small two-layer representation that spreads out over training.
  const rng = new Rng(4);
  const files = [1, 10, 100].map((step) => {
    const f = join(store, `acts-${step}.npz`);
    const spread = Math.log10(step) + 1;
    const h1 = Float64Array.from({ length: 60 * 8 }, (_, i) => Math.max(0, rng.normal() * (i % 8 < 2 * spread ? 1 : 0.05)));
    const h2 = Float64Array.from({ length: 60 * 4 }, () => Math.max(0, rng.normal()));
    writeNpz(f, [
      ['h1', { data: h1, shape: [60, 8] }],
      ['h2', { data: h2, shape: [60, 4] }],
      ['step', { data: [step], shape: [1] }],
    ]);
    return f;
  });
  const dyn = await cli('dynamics', ...files, '--store', store, '--json', '--quiet');
  if (dyn.code !== 0) throw new Error(`dynamics failed: ${dyn.stderr}`);
  const dynamics = JSON.parse(dyn.stdout).id;
  // Two runs in two groups, one named with markup: the several-run page.
  const runDirs = ['a', 'b'].map((name, r) => {
    const dir = join(store, `run-${name}`);
    mkdirSync(dir);
    [1, 3, 10, 30, 100, 300, 1000].forEach((step) => {
      const spread = Math.log10(step) + 1 + r;
      writeNpz(join(dir, `acts-${step}.npz`), [
        ['h1', { data: Float64Array.from({ length: 60 * 8 }, (_, i) => Math.max(0, rng.normal() * (i % 8 < spread ? 1 : 0.05))), shape: [60, 8] }],
        ['step', { data: [step], shape: [1] }],
      ]);
    });
    return dir;
  });
  const runs = await cli(
    'dynamics',
    `mnist/s1=${runDirs[0]}`,
    `<b>x</b>/s1=${runDirs[1]}`,
    '--resamples',
    '20',
    '--repeats',
    '1',
    '--store',
    store,
    '--json',
    '--quiet',
  );
  if (runs.code !== 0) throw new Error(`dynamics of runs failed: ${runs.stderr}`);
  const dynamicsRuns = JSON.parse(runs.stdout).id;
  const served = await serveStore(store);
  return { ...served, store, ids: { network, analyze, hostile, dynamics, dynamicsRuns } };
}

/** The viewer app on a store, on a free loopback port. */
export async function serveStore(store: string): Promise<{ base: string; close: () => Promise<void> }> {
  let hosts = new Set<string>();
  const { app, store: db } = createApp(store, { hosts: () => hosts });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  hosts = allowedHosts('127.0.0.1', port);
  return {
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) =>
        server.close(() => {
          db.close();
          resolve();
        }),
      ),
  };
}
