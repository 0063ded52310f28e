/**
 * An independent JavaScript check of the spectrum: ml-pca (mljs, its own SVD/eigen code) on small
 * matrices, both routes of covarianceEigenvalues (d <= n: covariance; d > n: Gram), and D_eff
 * recomputed from ml-pca's eigenvalues by the definition (exp of the spectral entropy).
 */

import test from 'ava';
import { PCA } from 'ml-pca';
import { covarianceEigenvalues, effectiveDimension } from '../../../src/core/dimension/effectiveDimension.js';
import { responseMatrix } from '../../../src/core/matrix.js';
import { Rng } from '../../../src/core/random.js';

function planted(seed: number, n: number, d: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, (_v, j) => rng.normal() * (j + 1) ** -0.7 + 0.3 * rng.normal()));
}

for (const [n, d] of [
  [60, 12],
  [40, 40],
  [25, 70],
]) {
  test(`covariance spectrum equals ml-pca's eigenvalues (n = ${n}, d = ${d}) to 1e-10 relative`, (t) => {
    for (let seed = 0; seed < 3; seed++) {
      const rows = planted(seed, n, d);
      const ours = Array.from(covarianceEigenvalues(responseMatrix(n, d, Float64Array.from(rows.flat()))));
      const theirs = new PCA(rows, { method: d > n ? 'SVD' : 'covarianceMatrix', center: true, scale: false }).getEigenvalues();
      const k = Math.min(n - 1, d);
      const top = theirs[0];
      for (let i = 0; i < k; i++) t.true(Math.abs(ours[i] - theirs[i]) <= 1e-10 * top, `eigenvalue ${i}: ${ours[i]} vs ${theirs[i]}`);
      for (let i = k; i < ours.length; i++) t.true(Math.abs(ours[i]) <= 1e-10 * top, 'rank beyond n - 1 is zero');

      const positive = theirs.slice(0, k).filter((v) => v > 1e-12 * top);
      const sum = positive.reduce((a, v) => a + v, 0);
      const h = -positive.reduce((a, v) => a + (v / sum) * Math.log(v / sum), 0);
      const r = effectiveDimension(responseMatrix(n, d, Float64Array.from(rows.flat())), { correctionMaxRank: 0 });
      t.true(Math.abs(r.effectiveDimension - Math.exp(h)) < 1e-9 * Math.exp(h), `D_eff ${r.effectiveDimension} vs ${Math.exp(h)}`);
    }
  });
}
