import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/core/random.js';
import { encodeNpy } from '../../src/io/npy.js';
import { writeNpz } from '../../src/io/matrixFile.js';
import { binary, cli, FIXTURES, gaussian, relDiff, SHARED_DATA, tempDir } from '../helpers.js';

test('dimension --json prints one record with the contract keys, agreeing with scikit-learn', async (t) => {
  const ref = JSON.parse(readFileSync(join(FIXTURES, 'dimension', 'dimension.json'), 'utf8')).cases.wide_f4;
  const r = await cli('dimension', join(FIXTURES, 'dimension', 'wide_f4.npy'), '--json');
  t.is(r.code, 0, r.stderr);
  const rec = JSON.parse(r.stdout);
  for (const k of ['id', 'createdAt', 'toolkitVersion', 'source', 'params', 'n', 'd', 'effectiveDimension', 'participationRatio', 'alpha', 'spectrum'])
    t.true(k in rec, k);
  t.is(rec.n, 40);
  t.is(rec.d, 300);
  t.is(rec.source.kind, 'npy');
  t.regex(rec.source.sha256, /^[0-9a-f]{64}$/);
  t.true(relDiff(rec.effectiveDimension, ref.effectiveDimension) < 1e-9);
  t.is(r.stdout.trim().split('\n').length, 1);
});

test('bad inputs exit 2 with a message naming the file, no stack trace', async (t) => {
  const dir = tempDir();
  const good = encodeNpy([1, 2, 3, 4, 5, 6], [3, 2]);
  writeFileSync(join(dir, 'trunc.npy'), good.subarray(0, good.length - 5));
  const magic = Uint8Array.from(good);
  magic[0] = 0;
  writeFileSync(join(dir, 'magic.npy'), magic);
  writeFileSync(join(dir, 'ragged.csv'), '1,2\n3\n');
  writeFileSync(join(dir, 'nan.csv'), '1,2\n3,nan\n5,6\n');
  writeFileSync(join(dir, 'nan.npy'), encodeNpy([1, 2, NaN, 4], [2, 2]));
  writeFileSync(join(dir, 'one.json'), JSON.stringify({ data: [[1, 2, 3]] }));
  const cases: [string, RegExp][] = [
    ['trunc.npy', /trunc\.npy: truncated/],
    ['magic.npy', /magic\.npy: not a \.npy file/],
    ['ragged.csv', /ragged\.csv: line 2/],
    ['nan.csv', /nan\.csv: NaN at row 2, column 2/],
    ['nan.npy', /nan\.npy: NaN at row 2, column 1/],
    ['one.json', /one\.json: needs at least 2 stimuli/],
    ['missing.npy', /missing\.npy: no such file/],
  ];
  for (const [file, pattern] of cases) {
    const r = await cli('dimension', join(dir, file));
    t.is(r.code, 2, file);
    t.regex(r.stderr, pattern, file);
    t.notRegex(r.stderr, /\n\s+at /, `${file}: no stack trace`);
    t.is(r.stdout, '');
  }
});

test('usage errors exit 2', async (t) => {
  t.is((await cli('dimension')).code, 2);
  t.is((await cli('dimension', 'a.npy', '--intervals', 'x')).code, 2);
  t.is((await cli('dimension', 'a.npy', '--nope')).code, 2);
  t.is((await cli('frobnicate')).code, 2);
  const help = await cli('dimension', '--help');
  t.is(help.code, 0);
  t.regex(help.stdout, /--intervals/);
  t.notRegex(help.stdout, /--bootstrap/);
});

test('all-zero variance exits 1 (analysis error)', async (t) => {
  const dir = tempDir();
  writeFileSync(join(dir, 'flat.csv'), '1,1\n1,1\n1,1\n');
  const r = await cli('dimension', join(dir, 'flat.csv'));
  t.is(r.code, 1);
  t.regex(r.stderr, /zero variance/);
});

test('intervals through the CLI: same seed, identical intervals; the retired --bootstrap names --intervals', async (t) => {
  const p = join(FIXTURES, 'dimension', 'tall_f8.npy');
  const a = JSON.parse((await cli('dimension', p, '--intervals', '30', '--seed', '9', '--json')).stdout);
  const b = JSON.parse((await cli('dimension', p, '--intervals', '30', '--seed', '9', '--json')).stdout);
  t.deepEqual(a.intervals, b.intervals);
  const old = await cli('dimension', p, '--bootstrap', '30');
  t.is(old.code, 2);
  t.regex(old.stderr, /--bootstrap is now --intervals/);
  t.is(a.params.intervals, 30);
  t.is(a.intervals.method, 'grouped-jackknife');
  const implicit = JSON.parse((await cli('dimension', p, '--intervals', '--seed', '1', '--json')).stdout);
  t.is(implicit.intervals.groups, 20);
  for (const k of ['effectiveDimension', 'effectiveDimensionCorrected', 'participationRatio', 'participationRatioCorrected']) {
    const iv = implicit.intervals.bounds[k];
    t.true(iv.lo <= implicit[k] && implicit[k] <= iv.hi, k);
  }
  const text = await cli('dimension', p, '--intervals', '--seed', '1');
  t.regex(text.stdout, /corrected \(population estimate\)\s+[\d.]+\s+95% CI \[/);
});

test('--stimulus-ids averages trials per stimulus and adds cvPCA', async (t) => {
  const dir = tempDir();
  const rng = new Rng(5);
  const nStim = 40,
    reps = 3,
    d = 15;
  const sig = gaussian(rng, nStim, d);
  const trials = new Float64Array(nStim * reps * d);
  const ids: number[] = [];
  for (let r = 0; r < reps; r++)
    for (let i = 0; i < nStim; i++) {
      const row = r * nStim + i;
      ids.push(i + 100);
      for (let j = 0; j < d; j++) trials[row * d + j] = sig[i * d + j] + 0.3 * rng.normal();
    }
  writeNpz(join(dir, 'trials.npz'), [
    ['responses', { data: trials, shape: [nStim * reps, d] }],
    ['stimulus', { data: ids, shape: [ids.length] }],
  ]);
  const r = await cli('dimension', join(dir, 'trials.npz'), '--key', 'responses', '--stimulus-ids', 'stimulus', '--json');
  t.is(r.code, 0, r.stderr);
  const rec = JSON.parse(r.stdout);
  t.is(rec.n, nStim);
  t.is(rec.trials, nStim * reps);
  t.is(rec.cvPCA.stimuli, nStim);
  t.is(rec.cvPCA.minRepeats, reps);
  const bad = await cli('dimension', join(dir, 'trials.npz'), '--key', 'responses', '--stimulus-ids', 'nothing');
  t.is(bad.code, 2);
});

test('the built binary works as a user runs it, on the shared MNIST images', (t) => {
  const mnist = join(SHARED_DATA, 'datasets', 'mnist', 'mnist_test_first2000_images_uint8.npy');
  const r = binary(['dimension', mnist, '--json']);
  t.is(r.code, 0, r.stderr);
  const rec = JSON.parse(r.stdout);
  t.is(rec.n, 2000);
  t.is(rec.d, 784);
  // scikit-learn: exp(-sum p log p) of PCA().fit(X).explained_variance_ratio_ on these images
  t.true(relDiff(rec.effectiveDimension, 68.77816738851574) < 1e-9, String(rec.effectiveDimension));
  t.is(binary(['--version']).stdout.trim(), JSON.parse(readFileSync(join(FIXTURES, '..', '..', 'package.json'), 'utf8')).version);
});

test('info lists the arrays of an npz', async (t) => {
  const r = await cli('info', join(FIXTURES, 'npy', 'deflated.npz'), '--json');
  t.is(r.code, 0);
  const inv = JSON.parse(r.stdout);
  t.deepEqual(
    inv.arrays.map((a: { name: string }) => a.name),
    ['a', 'b'],
  );
  t.deepEqual(inv.arrays[1].shape, [3, 2]);
});

test('the command registry (loaded lazily) matches every command: names and summaries for --help', async (t) => {
  const { COMMANDS } = await import('../../src/cli/main.js');
  for (const entry of COMMANDS) {
    const command = await entry.load();
    t.is(command.name, entry.name);
    t.is(command.summary, entry.summary, entry.name);
  }
  const help = await cli('--help');
  for (const entry of COMMANDS) t.true(help.stdout.includes(entry.name), entry.name);
});
