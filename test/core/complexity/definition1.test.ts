import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMatrixFile } from '../../../src/io/matrixFile.js';
import { complexityScales, mapComplexity1 as mapComplexity1Raw, summarise, type Complexity1Options } from '../../../src/core/complexity/definition1.js';
import { responseMatrix, type ResponseMatrix } from '../../../src/core/matrix.js';
import { Rng } from '../../../src/core/random.js';
import { FIXTURES, gaussian } from '../../helpers.js';

/** Definition 1 exactly as it ran before 2026-11-26 (kept reachable with --definition 1). */
function mapComplexity1(x: ResponseMatrix, y: ResponseMatrix, opts: Complexity1Options = {}) {
  const r = mapComplexity1Raw(x, y, opts);
  return { ...r, complexity: r.complexity as number };
}

function column(values: ArrayLike<number>): ResponseMatrix {
  return responseMatrix(values.length, 1, Float64Array.from(values));
}

test('definition 1: linear map Y = X A + small noise has complexity 0 (p = 5, q = 8, n = 2000)', (t) => {
  const rng = new Rng(1);
  const n = 2000,
    p = 5,
    q = 8;
  const x = gaussian(rng, n, p);
  const a = gaussian(rng, p, q);
  const y = new Float64Array(n * q);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < q; j++) {
      let s = 0.05 * rng.normal();
      for (let k = 0; k < p; k++) s += x[i * p + k] * a[k * q + j];
      y[i * q + j] = s;
    }
  const r = mapComplexity1(responseMatrix(n, p, x), responseMatrix(n, q, y), { seed: 2 });
  t.is(r.complexity, 0);
  t.is(r.kStar, 1);
  t.is(r.effectivePieces, 1);
  t.true(r.linearR2 > 0.99);
});

test('definition 1: Y = |x| + small noise on x uniform in [-1, 1]: K* = 2 and C within 0.05 of ln 2', (t) => {
  const rng = new Rng(3);
  const n = 2000;
  const x = Array.from({ length: n }, () => 2 * rng.next() - 1);
  const r = mapComplexity1(column(x), column(x.map((v) => Math.abs(v) + 0.02 * rng.normal())), { seed: 4 });
  t.is(r.kStar, 2);
  t.true(Math.abs(r.complexity - Math.log(2)) < 0.05, `C = ${r.complexity}`);
  t.true(r.linearR2 < 0.05, 'a line cannot fit |x| on a symmetric interval');
  t.true(r.bestR2 > 0.98);
});

test('definition 1: Y = sin(3x) on [-pi, pi]: C > ln 2, and C increases when the noise decreases', (t) => {
  const rng = new Rng(5);
  const n = 2000;
  const x = Array.from({ length: n }, () => Math.PI * (2 * rng.next() - 1));
  const z = Array.from({ length: n }, () => rng.normal());
  const at = (noise: number) => mapComplexity1(column(x), column(x.map((v, i) => Math.sin(3 * v) + noise * z[i])), { seed: 6 });
  const loud = at(6),
    quiet = at(0.1),
    quieter = at(0.01);
  t.true(quiet.complexity > Math.log(2), `C = ${quiet.complexity}`);
  // Under the 10 % rule the plateau is K* = 8 (C = ln 8) at low noise; strong noise hides the
  // curvature entirely (gain < 0.01, C = 0).
  t.true(loud.complexity < quiet.complexity, `noise 6: ${loud.complexity}, noise 0.1: ${quiet.complexity}`);
  t.true(quieter.complexity >= quiet.complexity - 1e-9);
  t.true(quieter.bestR2 > quiet.bestR2);
});

test('definition 1: held-out r never fits on test stimuli: pure-noise Y gives r_1 >= 1 - small', (t) => {
  const rng = new Rng(7);
  const n = 1000,
    p = 3;
  const r = mapComplexity1(responseMatrix(n, p, gaussian(rng, n, p)), responseMatrix(n, 2, gaussian(rng, n, 2)), { seed: 8 });
  t.true(r.curve[0].r >= 0.99, `r_1 = ${r.curve[0].r}`);
  t.true(
    r.curve.every((c) => c.r >= 0.99),
    'no scale explains noise held out',
  );
  t.is(r.complexity, 0);
});

test('definition 1: same seed, same numbers', (t) => {
  const rng = new Rng(9);
  const n = 600;
  const x = Array.from({ length: n }, () => 2 * rng.next() - 1);
  const y = column(x.map((v) => v * v + 0.05 * rng.normal()));
  const a = mapComplexity1(column(x), y, { seed: 1 });
  const b = mapComplexity1(column(x), y, { seed: 1 });
  t.deepEqual(a, b);
});

test('scale grid: powers of two up to n / (5 (m + 1)), with K = 2 when n is small', (t) => {
  t.deepEqual(complexityScales(2000, 1), [1, 2, 4, 8, 16, 32, 64, 128]);
  t.deepEqual(complexityScales(2000, 32), [1, 2, 4, 8]);
  t.deepEqual(complexityScales(50, 32), [1, 2]);
});

test('summarise: gain below the threshold means C = 0; the 10 % rule picks K*', (t) => {
  const shape = { n: 100, p: 1, q: 1, m: 1 };
  const flat = summarise(
    [
      { k: 1, r: 0.5, entropy: 0 },
      { k: 2, r: 0.495, entropy: 0.69 },
    ],
    shape,
  );
  t.is(flat.complexity, 0);
  const curved = summarise(
    [
      { k: 1, r: 1, entropy: 0 },
      { k: 2, r: 0.5, entropy: 0.6 },
      { k: 4, r: 0.12, entropy: 1.3 },
      { k: 8, r: 0.1, entropy: 2 },
    ],
    shape,
  );
  // min r = 0.1, gain 0.9, limit 0.19: K = 4 is the first within it.
  t.is(curved.kStar, 4);
  t.is(curved.complexity, 1.3);
});

const reference = JSON.parse(readFileSync(join(FIXTURES, 'complexity', 'complexity.json'), 'utf8')) as {
  cases: Record<string, { complexity: number; kStar: number; curve: { k: number; r: number; entropy: number }[] }>;
};

for (const [name, ref] of Object.entries(reference.cases)) {
  test(`definition 1 agrees with the numpy/scikit-learn implementation: ${name}`, (t) => {
    const load = (s: string) => readMatrixFile(join(FIXTURES, 'complexity', `${name}_${s}.npy`)).matrix;
    const folds = Int32Array.from(load('folds').data);
    const r = mapComplexity1(load('x'), load('y'), { foldOf: folds, seed: 0 });
    t.deepEqual(
      r.curve.map((c) => c.k),
      ref.curve.map((c) => c.k),
    );
    t.true(Math.abs(r.complexity - ref.complexity) <= 0.02, `C ${r.complexity} vs ${ref.complexity}`);
    r.curve.forEach((c, i) => {
      t.true(Math.abs(c.r - ref.curve[i].r) <= 0.02, `r_${c.k} ${c.r} vs ${ref.curve[i].r}`);
      t.true(Math.abs(c.entropy - ref.curve[i].entropy) <= 0.02, `H_${c.k} ${c.entropy} vs ${ref.curve[i].entropy}`);
    });
  });
}
