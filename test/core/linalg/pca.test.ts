import test from 'ava';
import { covarianceSpectrum, principalAxes } from '../../../src/core/linalg/pca.js';
import { crossProductTransA } from '../../../src/core/linalg/products.js';
import { symmetricEigen } from '../../../src/core/linalg/eigen.js';
import { Rng } from '../../../src/core/random.js';
import { gaussian } from '../../helpers.js';

test('covariance and Gram routes give the same non-zero spectrum', (t) => {
  const rng = new Rng(3);
  const n = 20,
    d = 35;
  const a = gaussian(rng, n, d);
  // centre
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += a[i * d + j];
    for (let i = 0; i < n; i++) a[i * d + j] -= m / n;
  }
  const viaGram = covarianceSpectrum(a, n, d); // d > n: Gram route, n values
  const cov = crossProductTransA(a, n, d).map((v) => v / (n - 1));
  const viaCov = symmetricEigen(cov, d).values;
  for (let i = 0; i < n - 1; i++) t.true(Math.abs(viaGram[i] - viaCov[i]) < 1e-10 * viaCov[0]);
});

test('principalAxes via Gram equal those via covariance (up to sign)', (t) => {
  const rng = new Rng(4);
  const n = 15,
    d = 30;
  const a = gaussian(rng, n, d);
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += a[i * d + j];
    for (let i = 0; i < n; i++) a[i * d + j] -= m / n;
  }
  const gram = principalAxes(a, n, d, 5);
  const cov = crossProductTransA(a, n, d).map((v) => v / (n - 1));
  const full = symmetricEigen(cov, d, { vectors: true });
  t.is(gram.k, 5);
  for (let k = 0; k < 5; k++) {
    let dot = 0;
    for (let j = 0; j < d; j++) dot += gram.axes[k * d + j] * full.vectors![k * d + j];
    t.true(Math.abs(Math.abs(dot) - 1) < 1e-9, `axis ${k}: |dot| = ${Math.abs(dot)}`);
    t.true(Math.abs(gram.values[k] - full.values[k]) < 1e-10);
  }
});
