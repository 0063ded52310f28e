/**
 * Inputs the NWB schema does not allow, and options checked before any work (issue "Hardening,
 * third round (last part)", items 2 and 4). Every file and server here is built at run time.
 */

import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { twoAreaSpec, writeTemp } from '../adapters/nwb/helpers.js';
import { ROOT, tempDir } from '../helpers.js';
import { neurorep, userMistake } from './helpers.js';

test('a 2-D spike_times dataset is an input error naming it, never flattened into one list', async (t) => {
  const { spec } = twoAreaSpec();
  const total = spec.units!.spikeTimes.reduce((a, s) => a + s.length, 0);
  spec.units!.spikeTimesShape = [total, 1];
  const path = await writeTemp(spec, 'two-d.nwb');
  userMistake(
    t,
    neurorep(['analyze', path, '--stimulus', 'orientation', '--no-store']),
    /\/units\/spike_times: has shape \d+ x 1; NWB keeps one spike time per element/,
  );
});

test('an NWB file cut inside its HDF5 superblock (8 bytes) is named truncated', (t) => {
  const path = join(tempDir(), 'eight.nwb');
  writeFileSync(path, Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]));
  for (const cmd of ['info', 'analyze'])
    userMistake(t, neurorep([cmd, path, '--no-store']), /eight\.nwb: truncated: the file has 8 bytes and ends inside its HDF5 superblock/);
});

test('--sliding with more than 1000 windows is refused before the main analysis runs', async (t) => {
  const path = await writeTemp(twoAreaSpec().spec, 'sliding.nwb');
  const r = neurorep(['analyze', path, '--stimulus', 'orientation', '--sliding', '0,100,0.01', '--width', '0.05', '--no-store']);
  userMistake(t, r, /--sliding: more than 1000 windows; use a larger STEP/);
  // The main analysis logs its rows and groups when it starts: it never did.
  t.notRegex(r.stderr, /\d+ groups?, \d+ rows/);
});

test('serve on a folder without a store says so and creates nothing', (t) => {
  const dir = join(tempDir(), 'no-store-here');
  // A bounded wait: a viewer that started on an empty store would run until the timeout.
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'neurorep.js'), 'serve', '--store', dir, '--port', '0'], { encoding: 'utf8', timeout: 30_000 });
  t.is(r.status, 2, r.stderr);
  t.regex(r.stderr, /no-store-here: no results store here/);
  t.false(existsSync(dir), 'the store folder was created');
});

test('compare --metric with a name from Object.prototype is an unknown metric, not a crash', (t) => {
  for (const name of ['__proto__', 'constructor', 'toString']) {
    userMistake(t, neurorep(['compare', 'abcd', '--metric', name, '--store', tempDir()]), new RegExp(`--metric: unknown metric '${name}'`));
  }
});

test('NEUROREP_REMOTE_BLOCK_KIB is validated before any request', (t) => {
  for (const value of ['0.001', '0', '-4', 'lots', '1000000']) {
    const r = neurorep(['info', 'http://127.0.0.1:9/session.nwb'], { env: { NEUROREP_REMOTE_BLOCK_KIB: value } });
    userMistake(t, r, /NEUROREP_REMOTE_BLOCK_KIB must be a whole number of KiB from 1 to 65536/);
  }
});
