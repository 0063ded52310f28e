import test from 'ava';
import { choleskySolve, covarianceSpectrum, crossProductTransA, crossProductTransB, matmul, principalAxes, principalScoresViaGram, symmetricEigen, topEigenpairs, transpose } from '../../src/core/linalg.js';
import { centerColumns, responseMatrix } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/stats.js';
import { gaussian, withSpectrum } from '../helpers.js';

test('symmetricEigen recovers a known spectrum, values only and with vectors', (t) => {
  const rng = new Rng(1);
  const values = [9, 7.5, 3, 3, 1, 0.25, 0, -2];
  const s = withSpectrum(values, rng);
  const plain = symmetricEigen(s, values.length);
  const full = symmetricEigen(s, values.length, { vectors: true });
  const expected = [...values].sort((a, b) => b - a);
  expected.forEach((v, i) => {
    t.true(Math.abs(plain.values[i] - v) < 1e-12, `value ${i}: ${plain.values[i]} vs ${v}`);
    t.true(Math.abs(full.values[i] - v) < 1e-12);
  });
  // S v = lambda v and unit length, for every eigenvector row.
  const n = values.length;
  for (let k = 0; k < n; k++) {
    const v = full.vectors!.subarray(k * n, k * n + n);
    let norm = 0;
    for (let i = 0; i < n; i++) {
      let sv = 0;
      for (let j = 0; j < n; j++) sv += s[i * n + j] * v[j];
      t.true(Math.abs(sv - full.values[k] * v[i]) < 1e-10);
      norm += v[i] * v[i];
    }
    t.true(Math.abs(norm - 1) < 1e-12);
  }
});

test('symmetricEigen handles diagonal, 1x1 and zero matrices', (t) => {
  t.deepEqual(Array.from(symmetricEigen(Float64Array.from([3, 0, 0, 0, 1, 0, 0, 0, 2]), 3).values), [3, 2, 1]);
  t.deepEqual(Array.from(symmetricEigen(Float64Array.from([5]), 1).values), [5]);
  t.deepEqual(Array.from(symmetricEigen(new Float64Array(4), 2).values), [0, 0]);
});

test('A^T A and A A^T equal the naive products', (t) => {
  const rng = new Rng(2);
  const n = 13, d = 9;
  const a = gaussian(rng, n, d);
  const ata = crossProductTransA(a, n, d);
  const aat = crossProductTransB(a, n, d);
  const naive = matmul(transpose(a, n, d), a, d, n, d);
  const naive2 = matmul(a, transpose(a, n, d), n, d, n);
  naive.forEach((v, i) => t.true(Math.abs(v - ata[i]) < 1e-12));
  naive2.forEach((v, i) => t.true(Math.abs(v - aat[i]) < 1e-12));
});

test('covariance and Gram routes give the same non-zero spectrum', (t) => {
  const rng = new Rng(3);
  const n = 20, d = 35;
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
  const n = 15, d = 30;
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

test('choleskySolve solves an SPD system for several right-hand sides', (t) => {
  const s = Float64Array.from([4, 1, 0, 1, 3, 1, 0, 1, 2]);
  const x = Float64Array.from([1, -1, 2, 0, 3, 1]); // 3 x 2
  const b = matmul(s, x, 3, 3, 2);
  const solved = choleskySolve(s, b, 3, 2);
  x.forEach((v, i) => t.true(Math.abs(v - solved[i]) < 1e-12));
  t.throws(() => choleskySolve(Float64Array.from([1, 2, 2, 1]), Float64Array.from([1, 1]), 2, 1), { message: /positive definite/ });
});

test('Lanczos top-k eigenpairs equal the full eigendecomposition (values 1e-9, axes up to sign)', (t) => {
  const rng = new Rng(5);
  const n = 600, d = 400, k = 12;
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
  const top = topEigenpairs((v, out) => {
    for (let i = 0; i < n; i++) {
      let acc = 0;
      for (let j = 0; j < n; j++) acc += s[i * n + j] * v[j];
      out[i] = acc;
    }
  }, n, 3);
  t.deepEqual(Array.from(top.values).map((v) => Math.round(v * 1e9) / 1e9), values);
  t.true(top.iterations <= 4);
});

test('symmetricEigen on a 500 x 500 matrix (the chunked reduction) recovers a known spectrum', (t) => {
  const values = Array.from({ length: 500 }, (_, i) => 10 / (i + 1) + (i % 7 === 0 ? 0.5 : 0));
  const s = withSpectrum(values, new Rng(9));
  const got = symmetricEigen(s, 500).values;
  const expected = [...values].sort((a, b) => b - a);
  let worst = 0;
  expected.forEach((v, i) => (worst = Math.max(worst, Math.abs(got[i] - v))));
  t.true(worst < 1e-11, `max error ${worst}`);
  const withVectors = symmetricEigen(s, 500, { vectors: true });
  t.deepEqual(Array.from(withVectors.values).map((v) => v.toFixed(9)), expected.map((v) => v.toFixed(9)));
});

test('principal scores of wide data from the Gram matrix equal Xc times the principal axes (up to sign), Lanczos and full routes', (t) => {
  const rng = new Rng(21);
  for (const [n, d, k] of [[300, 900, 40], [120, 500, 60]]) {
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
      let sign = 0, worst = 0, norm = 0;
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

test('symmetricEigen with a count below n / 2: the top eigenvectors by inverse iteration equal the full route (up to sign), values identical', (t) => {
  const rng = new Rng(21);
  const n = 300, count = 60;
  const values = Array.from({ length: n }, (_, i) => (i < 5 ? 10 - i : 1 / (i + 1)) * (i % 4 === 3 ? -1 : 1));
  const s = withSpectrum(values, rng);
  const full = symmetricEigen(s, n, { vectors: true });
  const top = symmetricEigen(s, n, { vectors: true, count });
  t.is(top.vectors!.length, count * n);
  t.deepEqual(Array.from(top.values), Array.from(symmetricEigen(s, n).values));
  let worst = 0;
  for (let c = 0; c < count; c++) {
    let dot = 0;
    for (let i = 0; i < n; i++) dot += full.vectors![c * n + i] * top.vectors![c * n + i];
    worst = Math.max(worst, 1 - Math.abs(dot));
  }
  t.true(worst < 1e-12, `1 - |cos| = ${worst}`);
});
