import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapComplexity1 as mapComplexity1Raw, type Complexity1Options } from '../../../src/core/complexity/definition1.js';
import { kmeans, kmeansWith } from '../../../src/core/complexity/kmeans.js';
import { type ResponseMatrix } from '../../../src/core/matrix.js';
import { Rng } from '../../../src/core/random.js';
import { readMatrixFile } from '../../../src/io/matrixFile.js';
import { FIXTURES, gaussian } from '../../helpers.js';

/** Definition 1 exactly as it ran before 2026-11-26 (kept reachable with --definition 1). */
function mapComplexity1(x: ResponseMatrix, y: ResponseMatrix, opts: Complexity1Options = {}) {
  const r = mapComplexity1Raw(x, y, opts);
  return { ...r, complexity: r.complexity as number };
}

test('k-means finds well separated clusters and is seeded', (t) => {
  const rng = new Rng(10);
  const centres = [
    [0, 0],
    [10, 0],
    [0, 10],
  ];
  const n = 300;
  const x = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const c = centres[i % 3];
    x[2 * i] = c[0] + 0.3 * rng.normal();
    x[2 * i + 1] = c[1] + 0.3 * rng.normal();
  }
  const a = kmeans(x, n, 2, 3, new Rng(1));
  const b = kmeans(x, n, 2, 3, new Rng(1));
  t.deepEqual(a.labels, b.labels);
  for (let i = 3; i < n; i++) t.is(a.labels[i], a.labels[i % 3]);
  t.is(new Set(a.labels).size, 3);
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

test('k-means with Elkan or Hamerly bounds gives exactly the plain Lloyd assignments', (t) => {
  const rng = new Rng(11);
  for (const [n, m, k] of [
    [800, 3, 5],
    [1500, 32, 16],
    [400, 8, 30],
  ]) {
    const x = gaussian(rng, n, m);
    for (let i = 0; i < n; i++) x[i * m] += 4 * (i % 3); // some structure
    const b = kmeansWith('plain', x, n, m, k, new Rng(n + k));
    for (const impl of ['bounded', 'elkan'] as const) {
      const a = kmeansWith(impl, x, n, m, k, new Rng(n + k));
      t.deepEqual(Array.from(a.labels), Array.from(b.labels), `${impl}: n ${n} m ${m} k ${k}`);
      t.is(a.iterations, b.iterations);
      t.true(Math.abs(a.inertia - b.inertia) <= 1e-9 * b.inertia);
    }
  }
});
