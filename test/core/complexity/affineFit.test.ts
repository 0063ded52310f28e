import test from 'ava';
import { addRow, combine, countOf, emptyStats, fitAffine, fittedSse, predictRow, sseOf } from '../../../src/core/complexity/affineFit.js';
import { Rng } from '../../../src/core/random.js';

/** Rows u (n x m) and r = [1, u] B + noise (n x q). */
function planted(n: number, m: number, q: number, noise: number, seed: number) {
  const rng = new Rng(seed);
  const u = Float64Array.from({ length: n * m }, () => rng.normal());
  const B = Float64Array.from({ length: (m + 1) * q }, () => rng.normal());
  const r = new Float64Array(n * q);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < q; j++) {
      let v = B[j];
      for (let a = 0; a < m; a++) v += u[i * m + a] * B[(a + 1) * q + j];
      r[i * q + j] = v + noise * rng.normal();
    }
  return { u, r, B };
}

function statsOf(u: Float64Array, r: Float64Array, rows: number[], m: number, q: number) {
  const s = emptyStats(m + 1, q);
  for (const i of rows) addRow(s, u, i * m, r, i * q);
  return s;
}

test('an exact affine map is recovered from the statistics alone, with zero residual', (t) => {
  const n = 50,
    m = 3,
    q = 2;
  const { u, r, B } = planted(n, m, q, 0, 1);
  const s = statsOf(u, r, [...Array(n).keys()], m, q);
  t.is(countOf(s), n);
  const beta = fitAffine(s, 0);
  for (let i = 0; i < B.length; i++) t.true(Math.abs(beta[i] - B[i]) < 1e-9, `coefficient ${i}: ${beta[i]} vs ${B[i]}`);
  // From sufficient statistics, t - 2 <b, B> + <b, A b> cancels to rounding error of t.
  t.true(fittedSse(s, 0) < 1e-9 * s.t, `${fittedSse(s, 0)} of ${s.t}`);
  const out = new Float64Array(q);
  predictRow(beta, m + 1, q, u, 7 * m, out);
  for (let j = 0; j < q; j++) t.true(Math.abs(out[j] - r[7 * q + j]) < 1e-9);
});

test('sseOf equals the residual sum of squares computed row by row', (t) => {
  const n = 40,
    m = 2,
    q = 3;
  const { u, r } = planted(n, m, q, 0.5, 2);
  const s = statsOf(u, r, [...Array(n).keys()], m, q);
  const beta = fitAffine(s, 0.01);
  let direct = 0;
  const out = new Float64Array(q);
  for (let i = 0; i < n; i++) {
    predictRow(beta, m + 1, q, u, i * m, out);
    for (let j = 0; j < q; j++) direct += (r[i * q + j] - out[j]) ** 2;
  }
  t.true(Math.abs(sseOf(s, beta) - direct) < 1e-9 * direct, `${sseOf(s, beta)} vs ${direct}`);
  t.true(Math.abs(fittedSse(s, 0.01) - direct) < 1e-9 * direct);
});

test('combining statistics equals the statistics of the union; sign -1 removes a part', (t) => {
  const n = 30,
    m = 2,
    q = 2;
  const { u, r } = planted(n, m, q, 1, 3);
  const a = statsOf(u, r, [...Array(12).keys()], m, q);
  const b = statsOf(
    u,
    r,
    [...Array(n - 12).keys()].map((i) => i + 12),
    m,
    q,
  );
  const all = statsOf(u, r, [...Array(n).keys()], m, q);
  const joined = combine(a, b);
  const back = combine(all, b, -1);
  for (let i = 0; i < all.A.length; i++) {
    t.true(Math.abs(joined.A[i] - all.A[i]) < 1e-12 * Math.max(1, Math.abs(all.A[i])));
    t.true(Math.abs(back.A[i] - a.A[i]) < 1e-10 * Math.max(1, Math.abs(a.A[i])));
  }
  t.true(Math.abs(joined.t - all.t) < 1e-12 * all.t);
});

test('the ridge shrinks slopes, never the intercept; collinear coordinates fall back to the mean', (t) => {
  const n = 40,
    m = 1,
    q = 1;
  const rng = new Rng(4);
  const u = Float64Array.from({ length: n }, () => rng.normal());
  const r = u.map((x) => 5 + 2 * x);
  const s = statsOf(u, r, [...Array(n).keys()], m, q);
  const free = fitAffine(s, 0),
    strong = fitAffine(s, 1e6);
  t.true(Math.abs(free[1] - 2) < 1e-9 && Math.abs(strong[1]) < 1e-3, `slopes ${free[1]}, ${strong[1]}`);
  const meanR = r.reduce((x, y) => x + y, 0) / n;
  t.true(Math.abs(strong[0] - meanR) < 1e-3 * Math.abs(meanR), 'a fully shrunk fit predicts the mean');
  // Two identical points: the slope is not determined; the fit is the mean, not NaN.
  const same = statsOf(Float64Array.from([1, 1]), Float64Array.from([3, 5]), [0, 1], 1, 1);
  const beta = fitAffine(same, 0);
  t.true(beta.every(Number.isFinite));
});
