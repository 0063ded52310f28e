import test from 'ava';
import { kmeans, kmeansWith } from '../../../src/core/complexity/kmeans.js';
import { Rng } from '../../../src/core/random.js';
import { gaussian } from '../../helpers.js';

/** Definition 1 exactly as it ran before 2026-11-26 (kept reachable with --definition 1). */

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
