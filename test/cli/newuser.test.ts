/** What a new user tripped over (issue: a toolkit, not only a command): each fixed point, end to end. */

import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeNpz } from '../../src/io/matrixFile.js';
import { Rng } from '../../src/core/random.js';
import { RunStore } from '../../src/store/runStore.js';
import { runsListPage, comparePage } from '../../src/report/pages.js';
import { cli, tempDir } from '../helpers.js';

/** input (n x 6) and a ReLU layer named like an ONNX tensor, with ':' and '/' in the name. */
function network(dir: string, n = 300): string {
  const rng = new Rng(4);
  const input = Float64Array.from({ length: n * 6 }, () => rng.normal());
  const w = Float64Array.from({ length: 6 * 24 }, () => rng.normal());
  const h = new Float64Array(n * 24);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < 24; j++) {
      let s = 0;
      for (let k = 0; k < 6; k++) s += input[i * 6 + k] * w[k * 24 + j];
      h[i * 24 + j] = Math.max(0, s);
    }
  const path = join(dir, 'acts.npz');
  writeNpz(path, [
    ['input', { shape: [n, 6], data: input }],
    ['onnx::Gemm_12', { shape: [n, 24], data: h }],
    ['/fc1/Relu_output_0', { shape: [n, 24], data: h }],
  ]);
  return path;
}

test('file.npz:key works for keys holding ":" and "/" (ONNX tensor names), and a wrong key lists the keys', async (t) => {
  const dir = tempDir();
  const path = network(dir);
  for (const key of ['onnx::Gemm_12', '/fc1/Relu_output_0']) {
    const r = await cli('dimension', `${path}:${key}`, '--no-store', '--json');
    t.is(r.code, 0, r.stderr);
    const rec = JSON.parse(r.stdout) as { d: number; source: { key: string } };
    t.is(rec.d, 24);
    t.is(rec.source.key, key);
  }
  const bad = await cli('dimension', `${path}:onnx::Nope`, '--no-store');
  t.is(bad.code, 2);
  t.regex(bad.stderr, /no array named 'onnx::Nope'; it holds: input, onnx::Gemm_12, \/fc1\/Relu_output_0/);
});

test('network and patterns print their intervals in the text output', async (t) => {
  const path = network(tempDir());
  const net = await cli('network', path, '--order', 'onnx::Gemm_12', '--intervals', '10', '--no-store');
  t.is(net.code, 0, net.stderr);
  const row = net.stdout.split('\n').find((l) => l.trim().startsWith('onnx::Gemm_12'))!;
  // D_eff, corrected, alpha, switching and S_all, and C from input: six bracketed intervals; C
  // also carries its fold seeds' range and its gain's interval.
  t.is(row.match(/\[[-0-9.e]+, [-0-9.e]+\]/g)?.length, 8, row);
  t.regex(row, /[\d.]+ \[[\d.e-]+, [\d.e-]+\], seeds \[[\d.]+, [\d.]+\], gain [\d.]+ % \[/);
  t.regex(net.stdout, /95 % intervals, grouped jackknife/);
  const pat = await cli('patterns', `${path}:onnx::Gemm_12`, '--intervals', '10', '--no-store');
  t.is(pat.code, 0, pat.stderr);
  t.true((pat.stdout.match(/95% CI \[/g)?.length ?? 0) >= 4, pat.stdout);
});

test('--label and key parameters tell runs of one file apart in runs, the run list page and the compare picker; runs rm deletes', async (t) => {
  const store = tempDir();
  const path = network(tempDir());
  t.is((await cli('network', path, '--store', store, '--order', 'onnx::Gemm_12', '--label', 'flat maps')).code, 0);
  t.is((await cli('network', path, '--store', store, '--order', 'onnx::Gemm_12', '--pool', 'mean', '--seed', '3')).code, 0);
  const list = await cli('runs', '--store', store);
  t.is(list.code, 0, list.stderr);
  t.regex(list.stdout, /"flat maps"/);
  t.regex(list.stdout, /pool mean, seed 3/);
  t.regex(list.stdout, /pool none, seed 0/);

  const db = RunStore.open(store, { readonly: true });
  const runs = db.list();
  db.close();
  t.is(runs.length, 2);
  t.deepEqual(
    runs.map((r) => r.label),
    [null, 'flat maps'],
  );
  const assets = { mode: 'linked' } as const;
  const html = runsListPage(runs, assets);
  t.regex(html, /<td>flat maps<\/td>/);
  t.regex(html, /pool mean, seed 3/);
  t.regex(comparePage(runs, [], null, assets), /<b>flat maps<\/b>.*pool none/s);

  const bad = await cli('network', path, '--store', store, '--label', '');
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--label needs a non-empty value/);
  const long = await cli('network', path, '--store', store, '--label', 'x'.repeat(201));
  t.is(long.code, 2);
  t.regex(long.stderr, /--label takes a non-empty text of at most 200 characters/);

  const unknown = await cli('runs', 'rm', 'ffffffff', '--store', store);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /ffffffff: no such run/);
  const rm = await cli('runs', 'rm', runs[1].id.slice(0, 8), '--store', store);
  t.is(rm.code, 0, rm.stderr);
  t.regex(rm.stdout, new RegExp(`removed ${runs[1].id}`));
  const after = RunStore.open(store, { readonly: true });
  t.deepEqual(
    after.list().map((r) => r.id),
    [runs[0].id],
  );
  t.is(after.representations(runs[1].id).length, 0);
  t.true(after.representations(runs[0].id).length > 0);
  after.close();
  t.true(existsSync(join(store, 'neurorep.db')));
});

test('without a terminal, long work prints a plain progress line every few seconds', async (t) => {
  const path = network(tempDir(), 400);
  process.env.NEUROREP_PROGRESS_SECONDS = '0.2';
  try {
    const r = await cli('network', path, '--order', 'onnx::Gemm_12', '--null', '19', '--intervals', '20', '--no-store');
    t.is(r.code, 0, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => /: \d+\/\d+ \(\d+ s\)$/.test(l));
    t.true(lines.length >= 2, r.stderr);
    t.false(r.stderr.includes('\r'), 'no carriage returns outside a terminal');
  } finally {
    delete process.env.NEUROREP_PROGRESS_SECONDS;
  }
});
