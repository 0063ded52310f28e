import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/core/random.js';
import { encodeNpy } from '../../src/io/npy.js';
import { writeNpz } from '../../src/io/matrixFile.js';
import { cli, tempDir } from '../helpers.js';

function absCase(dir: string, n = 400): { x: string; y: string } {
  const rng = new Rng(1);
  const x = Array.from({ length: n }, () => 2 * rng.next() - 1);
  writeFileSync(join(dir, 'x.npy'), encodeNpy(x, [n, 1]));
  writeFileSync(join(dir, 'y.csv'), x.map((v) => String(Math.abs(v) + 0.01 * rng.normal())).join('\n') + '\n');
  return { x: join(dir, 'x.npy'), y: join(dir, 'y.csv') };
}

test('complexity --json carries the contract keys; same seed gives the same numbers', async (t) => {
  const dir = tempDir();
  const { x, y } = absCase(dir);
  const a = await cli('complexity', x, y, '--seed', '3', '--json');
  t.is(a.code, 0, a.stderr);
  const rec = JSON.parse(a.stdout);
  for (const k of ['id', 'createdAt', 'toolkitVersion', 'source', 'params', 'complexity', 'effectivePieces', 'kStar', 'linearR2', 'bestR2', 'curve'])
    t.true(k in rec, k);
  for (const c of rec.curve) for (const k of ['entropy', 'k', 'r']) t.true(k in c, k);
  t.is(rec.definition, 'complexity/3');
  t.is(rec.kStar, 2);
  t.true(Array.isArray(rec.warnings));
  // complexity/3's fields, so tools can read them.
  for (const k of ['absolute', 'relative', 'interval', 'weak']) t.true(k in rec.gain, `gain.${k}`);
  t.is(rec.seeds.length, 5);
  for (const s of rec.seeds) for (const k of ['seed', 'complexity', 'kStar', 'gain']) t.true(k in s, `seeds[].${k}`);
  t.true(rec.scaleCurve.length >= 5);
  for (const p of rec.scaleCurve) for (const k of ['resolution', 'complexity']) t.true(k in p, `scaleCurve[].${k}`);
  t.is(rec.source.length, 2);
  const b = JSON.parse((await cli('complexity', x, y, '--seed', '3', '--json')).stdout);
  t.deepEqual(b.curve, rec.curve);
  t.is(b.complexity, rec.complexity);
});

test('complexity reads arrays from one npz with file.npz:key', async (t) => {
  const dir = tempDir();
  const rng = new Rng(2);
  const xs = Array.from({ length: 100 }, () => rng.normal());
  writeNpz(join(dir, 'pair.npz'), [
    ['input', { data: xs, shape: [100, 1] }],
    ['output', { data: xs.map((v) => 2 * v + 0.01 * rng.normal()), shape: [100, 1] }],
  ]);
  const r = await cli('complexity', `${join(dir, 'pair.npz')}:input`, `${join(dir, 'pair.npz')}:output`, '--json');
  t.is(r.code, 0, r.stderr);
  const rec = JSON.parse(r.stdout);
  t.is(rec.complexity, 0);
  t.deepEqual(
    rec.source.map((s: { key: string }) => s.key),
    ['input', 'output'],
  );
});

test('complexity: different row counts and NaN exit 2 naming the file', async (t) => {
  const dir = tempDir();
  const { x } = absCase(dir, 50);
  writeFileSync(
    join(dir, 'short.npy'),
    encodeNpy(
      Array.from({ length: 40 }, (_, i) => i),
      [40, 1],
    ),
  );
  const nan = Array.from({ length: 50 }, (_, i) => (i === 7 ? NaN : i));
  writeFileSync(join(dir, 'nan.npy'), encodeNpy(nan, [50, 1]));
  const r1 = await cli('complexity', x, join(dir, 'short.npy'));
  t.is(r1.code, 2);
  t.regex(r1.stderr, /x\.npy has 50 rows but .*short\.npy has 40/);
  const r2 = await cli('complexity', x, join(dir, 'nan.npy'));
  t.is(r2.code, 2);
  t.regex(r2.stderr, /nan\.npy: NaN at row 8/);
  t.is((await cli('complexity', x)).code, 2);
});

test('complexity --definition 1 keeps the old scales; --intervals give grouped-jackknife intervals', async (t) => {
  const dir = tempDir();
  const { x, y } = absCase(dir, 200);
  const r = await cli('complexity', x, y, '--definition', '1', '--intervals', '4', '--scales', '1,2,4', '--json');
  t.is(r.code, 0, r.stderr);
  const rec = JSON.parse(r.stdout);
  t.is(rec.definition, 'complexity/1');
  t.deepEqual(
    rec.curve.map((c: { k: number }) => c.k),
    [1, 2, 4],
  );
  t.is(rec.intervals.groups, 4);
  t.is(rec.intervals.method, 'grouped-jackknife');
  t.true(rec.intervals.bounds.complexity.lo <= rec.complexity && rec.complexity <= rec.intervals.bounds.complexity.hi);
  const two = await cli('complexity', x, y, '--scales', '1,2,4');
  t.is(two.code, 2, 'definition-1 options with definition 2 are a usage error');
  t.regex(two.stderr, /add --definition 1/);
});

test('complexity --null N: a p-value beside the gain, printed and in the record; --repeats sets the fold seeds', async (t) => {
  const dir = tempDir();
  const { x, y } = absCase(dir, 300);
  const r = await cli('complexity', x, y, '--null', '19', '--repeats', '3');
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /best piecewise R\^2  [\d.]+   null [-\d.e]+ \(sd [\d.e-]+\), p = 0\.05 over 19 shuffles/);
  t.regex(r.stdout, /over 3 fold seeds   median; range \[/);
  t.regex(r.stdout, /held-out gain       [\d.]+ % of Y's variance, 95% CI \[/);
  t.notRegex(r.stdout, /lower-bound/, 'a tree that stops splitting with nothing left to gain is no bound');
  const old = await cli('complexity', x, y, '--definition', '2', '--repeats', '3');
  t.regex(old.stdout, /over 3 seeds: C mean/, 'definition 2 keeps its reruns');
  const bad = await cli('complexity', x, y, '--resolutions', '0.1,2');
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--resolutions expects fractions of variance between 0 and 1/);
  const rec = JSON.parse((await cli('complexity', x, y, '--null', '19', '--json')).stdout);
  t.is(rec.null.samples, 19);
  t.is(rec.null.pValue, 0.05);
  t.is(rec.null.statistic, 'gain');
});

test('patterns --json carries the contract keys and honours --threshold', async (t) => {
  const dir = tempDir();
  writeFileSync(join(dir, 'm.csv'), 'a,b\n1,0\n2,0\n0,3\n0,0\n');
  const r = await cli('patterns', join(dir, 'm.csv'), '--json');
  t.is(r.code, 0, r.stderr);
  const rec = JSON.parse(r.stdout);
  for (const k of ['switchingFraction', 'curve', 'entropyAll', 'saturated', 'id', 'source', 'params']) t.true(k in rec, k);
  t.is(rec.distinctPatterns, 3);
  const hi = JSON.parse((await cli('patterns', join(dir, 'm.csv'), '--threshold', '1.5', '--json')).stdout);
  t.is(hi.distinctPatterns, 3); // 00, 10 (row 2), 01 (row 3); row 1 is now 00
  t.deepEqual(hi.firingProbability, [0.25, 0.25]);
  const calcium = JSON.parse((await cli('patterns', join(dir, 'm.csv'), '--source', 'calcium', '--json')).stdout);
  t.is(calcium.threshold, 'mean+sd');
  t.is((await cli('patterns', join(dir, 'm.csv'), '--threshold', 'high')).code, 2);
  t.is((await cli('patterns', join(dir, 'm.csv'), '--source', 'fmri')).code, 2);
});

test('patterns: NaN input exits 2 naming the file; intervals are seeded', async (t) => {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'bad.json'),
    JSON.stringify({
      data: [
        [1, 2],
        [null, 1],
        [0, 0],
      ],
    }),
  );
  const bad = await cli('patterns', join(dir, 'bad.json'));
  t.is(bad.code, 2);
  t.regex(bad.stderr, /bad\.json: NaN at row 2, column 1/);
  const rng = new Rng(4);
  writeFileSync(
    join(dir, 'g.npy'),
    encodeNpy(
      Array.from({ length: 600 }, () => rng.normal()),
      [60, 10],
    ),
  );
  const a = JSON.parse((await cli('patterns', join(dir, 'g.npy'), '--intervals', '10', '--seed', '2', '--json')).stdout);
  const b = JSON.parse((await cli('patterns', join(dir, 'g.npy'), '--intervals', '10', '--seed', '2', '--json')).stdout);
  t.deepEqual(a.intervals, b.intervals);
  t.deepEqual(a.curve, b.curve);
});
