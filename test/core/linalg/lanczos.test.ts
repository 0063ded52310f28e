import test from 'ava';
import { principalAxes, principalScoresViaGram } from '../../../src/core/linalg/pca.js';
import { crossProductTransA } from '../../../src/core/linalg/products.js';
import { symmetricEigen } from '../../../src/core/linalg/eigen.js';
import { topEigenpairs } from '../../../src/core/linalg/lanczos.js';
import { centerColumns, responseMatrix } from '../../../src/core/matrix.js';
import { Rng } from '../../../src/core/random.js';
import { gaussian, withSpectrum } from '../../helpers.js';

test('Lanczos top-k eigenpairs equal the full eigendecomposition (values 1e-9, axes up to sign)', (t) => {
  const rng = new Rng(5);
  const n = 600,
    d = 400,
    k = 12;
  // Data with a decaying spectrum: column j scaled by (j + 1)^-0.7.
  const a = gaussian(rng, n, d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) a[i * d + j] *= (j + 1) ** -0.7;
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += a[i * d + j];
    for (let i = 0; i < n; i++) a[i * d + j] -= m / n;
  }
  const lanczos = principalAxes(a, n, d, k); // min(n, d) = 400 > 256 and k <= 100: the Lanczos path
  const cov = crossProductTransA(a, n, d).map((v) => v / (n - 1));
  const full = symmetricEigen(cov, d, { vectors: true });
  t.is(lanczos.k, k);
  for (let c = 0; c < k; c++) {
    t.true(Math.abs(lanczos.values[c] - full.values[c]) < 1e-9 * full.values[0], `value ${c}`);
    let dot = 0;
    for (let j = 0; j < d; j++) dot += lanczos.axes[c * d + j] * full.vectors![c * d + j];
    t.true(Math.abs(Math.abs(dot) - 1) < 1e-8, `axis ${c}: |dot| ${Math.abs(dot)}`);
  }
});

test('topEigenpairs stops early on a low-rank operator', (t) => {
  const values = [5, 3, 1];
  const s = withSpectrum([...values, 0, 0, 0, 0, 0, 0, 0], new Rng(6));
  const n = 10;
  const top = topEigenpairs(
    (v, out) => {
      for (let i = 0; i < n; i++) {
        let acc = 0;
        for (let j = 0; j < n; j++) acc += s[i * n + j] * v[j];
        out[i] = acc;
      }
    },
    n,
    3,
  );
  t.deepEqual(
    Array.from(top.values).map((v) => Math.round(v * 1e9) / 1e9),
    values,
  );
  t.true(top.iterations <= 4);
});

test('principal scores of wide data from the Gram matrix equal Xc times the principal axes (up to sign), Lanczos and full routes', (t) => {
  const rng = new Rng(21);
  for (const [n, d, k] of [
    [300, 900, 40],
    [120, 500, 60],
  ]) {
    const x = new Float64Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = rng.normal() * (j + 1) ** -0.6;
    const xc = centerColumns(responseMatrix(n, d, x)).data;
    const viaGram = principalScoresViaGram(xc, n, d, k);
    // Reference: the full covariance eigendecomposition (d x d), then scores = Xc v.
    const cov = crossProductTransA(xc, n, d).map((v) => v / (n - 1));
    const eig = symmetricEigen(cov, d, { vectors: true });
    t.is(viaGram.k, k);
    for (let c = 0; c < k; c++) {
      t.true(Math.abs(viaGram.values[c] - eig.values[c]) <= 1e-10 * eig.values[0], `value ${c}`);
      const v = eig.vectors!.subarray(c * d, c * d + d);
      let sign = 0,
        worst = 0,
        norm = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += xc[i * d + j] * v[j];
        if (sign === 0 && Math.abs(s) > 1e-6) sign = Math.sign(s) * Math.sign(viaGram.scores[i * k + c]);
        worst = Math.max(worst, Math.abs(s - sign * viaGram.scores[i * k + c]));
        norm = Math.max(norm, Math.abs(s));
      }
      // Near-degenerate trailing pairs rotate into each other; the leading ones are well separated.
      if (c < k / 2) t.true(worst <= 1e-7 * norm, `scores of component ${c}: ${worst / norm}`);
    }
  }
});
