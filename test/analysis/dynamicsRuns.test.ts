import test from 'ava';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { dynamicsOfRuns, groupOf } from '../../src/analysis/dynamicsRuns.js';
import { spectralDimensions } from '../../src/core/inference/spectrumCorrection.js';
import { responseMatrix, type ResponseMatrix } from '../../src/core/matrix.js';
import { writeNpz } from '../../src/io/matrixFile.js';
import { cli, orthonormalCentredColumns, tempDir } from '../helpers.js';

const N = 120,
  D = 20;

/** Covariance eigenvalues j^-a (j = 1..D), with a chosen by bisection so that D_eff is exactly `target`. */
function withDeff(target: number, seed: number): ResponseMatrix {
  const spectrum = (a: number) => Array.from({ length: D }, (_, j) => (j + 1) ** -a);
  let lo = 0,
    hi = 20;
  for (let k = 0; k < 200; k++) {
    const mid = (lo + hi) / 2;
    if (spectralDimensions(spectrum(mid)).effectiveDimension > target) lo = mid;
    else hi = mid;
  }
  const lambda = spectrum((lo + hi) / 2);
  const cols = orthonormalCentredColumns(N, D, seed);
  const x = new Float64Array(N * D);
  for (let j = 0; j < D; j++) for (let i = 0; i < N; i++) x[i * D + j] = cols[j][i] * Math.sqrt(lambda[j]) * 10;
  return responseMatrix(N, D, x);
}

const steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
/** Planted D_eff(t) = c t^b, times a deterministic wobble of 1 % (exact data would tie every model's AICc). */
const planted = (c: number, b: number, run: number) => steps.map((t, k) => c * t ** b * (1 + 0.01 * Math.sin(1.7 * k + run)));

function run(name: string, c: number, b: number, index: number) {
  return {
    name,
    checkpoints: planted(c, b, index).map((v, k) => ({
      step: steps[k],
      layers: [{ name: 'h', matrix: withDeff(v, 100 * index + k) }],
      input: null,
      source: `${name}@${steps[k]}`,
    })),
  };
}

test("several runs: per group the pooled exponent covers the planted one, the groups differ by Welch, the band is the runs' mean", (t) => {
  const runs = [
    run('a/s1', 10, -0.3, 1),
    run('a/s2', 11, -0.3, 2),
    run('a/s3', 12, -0.3, 3),
    run('b/s1', 10, -0.1, 4),
    run('b/s2', 11, -0.1, 5),
    run('b/s3', 12, -0.1, 6),
  ];
  const d = dynamicsOfRuns(runs, { resamples: 50, complexity: { repeats: 1 } });
  t.deepEqual(d.groups, ['a', 'b']);
  t.deepEqual(d.steps, steps);
  for (const [group, b] of [
    ['a', -0.3],
    ['b', -0.1],
  ] as const) {
    const p = d.pooled.find((x) => x.group === group && x.layer === 'h' && x.observable === 'effectiveDimension')!;
    t.is(p.selected, 'power', JSON.stringify(p.deltaAicc));
    t.is(p.exponent.perRun.length, 3);
    for (const r of p.exponent.perRun) t.true(Math.abs(r.b - b) < 0.01, `${r.run}: b ${r.b}`);
    const pooled = p.exponent.pooled!;
    t.true(pooled.interval![0] <= b && b <= pooled.interval![1], `pooled ${JSON.stringify(pooled)}`);
    // Independent: the planted values' mean over the three runs at each checkpoint.
    const offset = group === 'a' ? 1 : 4;
    steps.forEach((_, k) => {
      const expected = [0, 1, 2].map((r) => planted(10 + r, b, offset + r)[k]).reduce((x, y) => x + y) / 3;
      t.true(Math.abs(p.mean[k]! - expected) < 1e-6 * expected, `step ${steps[k]}: ${p.mean[k]} vs ${expected}`);
      t.truthy(p.intervals[k]);
    });
    t.true(p.curve.length > 0, 'the selected model has a curve');
  }
  const cmp = d.comparisons.find((c) => c.observable === 'effectiveDimension')!;
  t.deepEqual(cmp.groups, ['a', 'b']);
  t.true(cmp.test!.pValue < 0.01, `p ${cmp.test!.pValue}`);
  t.true(cmp.test!.interval[0] <= -0.2 && -0.2 <= cmp.test!.interval[1], JSON.stringify(cmp.test));
  // Every run's own series is kept, tagged with its run and group.
  t.is(d.series.filter((s) => s.observable === 'effectiveDimension').length, 6);
  t.deepEqual([...new Set(d.series.map((s) => s.group))], ['a', 'b']);
});

test('groupOf: the name up to the last slash, else one group', (t) => {
  t.is(groupOf('mnist/seed1'), 'mnist');
  t.is(groupOf('cnn/mnist/seed1'), 'cnn/mnist');
  t.is(groupOf('seed1'), 'all');
});

test('dynamics CLI with NAME=DIR runs: pooled table and JSON; mixing files with runs, a missing folder and twice the same name exit 2', async (t) => {
  const dir = tempDir();
  const dirs = [1, 2].map((r) => {
    const d = join(dir, `run${r}`);
    mkdirSync(d);
    planted(8 + r, -0.2, r).forEach((v, k) =>
      writeNpz(join(d, `acts-${k}.npz`), [
        ['h', { data: withDeff(v, 10 * r + k).data, shape: [N, D] }],
        ['step', { data: [steps[k]], shape: [1] }],
      ]),
    );
    return d;
  });
  const r = await cli('dynamics', `x/s1=${dirs[0]}`, `x/s2=${dirs[1]}`, '--resamples', '20', '--repeats', '1');
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /2 runs in 1 group\(s\) \(x\)/);
  t.regex(r.stdout, /x\s+h\s+effectiveDimension\s+2\s+power/);
  const j = await cli('dynamics', `x/s1=${dirs[0]}`, `x/s2=${dirs[1]}`, '--resamples', '20', '--repeats', '1', '--json');
  const rec = JSON.parse(j.stdout);
  t.deepEqual(
    rec.runs.map((x: { name: string }) => x.name),
    ['x/s1', 'x/s2'],
  );
  const p = rec.pooled.find((x: { observable: string }) => x.observable === 'effectiveDimension');
  t.true(Math.abs(p.exponent.pooled.mean + 0.2) < 0.01, JSON.stringify(p.exponent));
  const mixed = await cli('dynamics', `x/s1=${dirs[0]}`, join(dirs[1], 'acts-0.npz'));
  t.is(mixed.code, 2);
  t.regex(mixed.stderr, /either checkpoint files or NAME=DIR runs, not both/);
  const missing = await cli('dynamics', `x/s1=${dirs[0]}`, `x/s2=${join(dir, 'nowhere')}`);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /nowhere: no such directory \(run 'x\/s2'\)/);
  const twice = await cli('dynamics', `x/s1=${dirs[0]}`, `x/s1=${dirs[1]}`);
  t.is(twice.code, 2);
  t.regex(twice.stderr, /two runs are named 'x\/s1'/);
});
