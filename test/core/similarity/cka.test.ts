import test from 'ava';
import { linearCka } from '../../../src/core/similarity/cka.js';
import { responseMatrix } from '../../../src/core/matrix.js';
import { Rng } from '../../../src/core/random.js';
import { gaussian } from '../../helpers.js';

test('identical representations give CKA 1 (both estimators); invariant to rotation and scale', (t) => {
  const rng = new Rng(1);
  const x = responseMatrix(50, 8, gaussian(rng, 50, 8));
  t.true(Math.abs(linearCka(x, x) - 1) < 1e-12);
  t.true(Math.abs(linearCka(x, x, false) - 1) < 1e-12);
  // rotate the 8 features by a permutation with sign flips and scale by 3
  const perm = [3, 1, 7, 0, 2, 6, 4, 5];
  const y = responseMatrix(
    50,
    8,
    Float64Array.from({ length: 400 }, (_, k) => 3 * (k % 2 ? -1 : 1) * x.data[Math.floor(k / 8) * 8 + perm[k % 8]]),
  );
  t.true(Math.abs(linearCka(x, y) - 1) < 1e-9);
});

test('independent random representations: debiased CKA about 0, biased clearly above 0 at n = 32', (t) => {
  const rng = new Rng(2);
  const n = 32,
    d = 100;
  const deb: number[] = [];
  const bia: number[] = [];
  for (let rep = 0; rep < 20; rep++) {
    const x = responseMatrix(n, d, gaussian(rng, n, d));
    const y = responseMatrix(n, d, gaussian(rng, n, d));
    deb.push(linearCka(x, y));
    bia.push(linearCka(x, y, false));
  }
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  t.true(Math.abs(mean(deb)) < 0.03, `debiased mean ${mean(deb)}`);
  t.true(mean(bia) > 0.5, `biased mean ${mean(bia)}`);
});

test('CKA tracks shared structure: a noisy copy scores between 0 and 1', (t) => {
  const rng = new Rng(3);
  const x = responseMatrix(200, 10, gaussian(rng, 200, 10));
  const y = responseMatrix(
    200,
    10,
    x.data.map((v) => v + 1.0 * rng.normal()),
  );
  const c = linearCka(x, y);
  t.true(c > 0.3 && c < 0.95, `CKA ${c}`);
});
