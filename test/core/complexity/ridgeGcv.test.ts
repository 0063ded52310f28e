import test from 'ava';
import { ridgeByGcv } from '../../../src/core/complexity/ridgeGcv.js';
import { symmetricEigen } from '../../../src/core/linalg/eigen.js';
import { choleskySolve } from '../../../src/core/linalg/cholesky.js';
import { Rng } from '../../../src/core/random.js';

/** The eigenpairs of a scatter matrix, as ridgeByGcv takes them. */
function scatterEigen(s: Float64Array, m: number) {
  const e = symmetricEigen(s, m, { vectors: true });
  return { values: e.values, vectors: e.vectors! };
}

/** Centred X (n x m), Y = X W + noise (n x q), and the sufficient statistics ridgeByGcv takes. */
function problem(n: number, m: number, q: number, noise: number, seed: number) {
  const rng = new Rng(seed);
  const x = Float64Array.from({ length: n * m }, () => rng.normal());
  const w = Float64Array.from({ length: m * q }, () => rng.normal());
  const y = new Float64Array(n * q);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < q; j++) {
      let v = noise * rng.normal();
      for (let a = 0; a < m; a++) v += x[i * m + a] * w[a * q + j];
      y[i * q + j] = v;
    }
  for (const [data, cols] of [
    [x, m],
    [y, q],
  ] as const)
    for (let j = 0; j < cols; j++) {
      let mu = 0;
      for (let i = 0; i < n; i++) mu += data[i * cols + j] / n;
      for (let i = 0; i < n; i++) data[i * cols + j] -= mu;
    }
  const xtx = new Float64Array(m * m),
    xty = new Float64Array(m * q);
  for (let i = 0; i < n; i++)
    for (let a = 0; a < m; a++) {
      for (let b = 0; b < m; b++) xtx[a * m + b] += x[i * m + a] * x[i * m + b];
      for (let j = 0; j < q; j++) xty[a * q + j] += x[i * m + a] * y[i * q + j];
    }
  const yy = y.reduce((s, v) => s + v * v, 0);
  return { x, y, w, xtx, xty, yy };
}

/** GCV(lambda) computed directly: beta = (X'X + lambda I)^-1 X'Y, RSS and df = tr(X (X'X + lambda I)^-1 X'). */
function directGcv(p: ReturnType<typeof problem>, n: number, m: number, q: number, lambda: number) {
  const reg = Float64Array.from(p.xtx);
  for (let a = 0; a < m; a++) reg[a * m + a] += lambda;
  const beta = choleskySolve(reg, p.xty, m, q);
  let rss = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < q; j++) {
      let v = p.y[i * q + j];
      for (let a = 0; a < m; a++) v -= p.x[i * m + a] * beta[a * q + j];
      rss += v * v;
    }
  const inv = choleskySolve(reg, p.xtx, m, m); // (X'X + lambda I)^-1 X'X: its trace is df
  let df = 0;
  for (let a = 0; a < m; a++) df += inv[a * m + a];
  return { beta, gcv: rss / (n - df) ** 2, df };
}

test('the chosen fit equals the direct ridge solution at its lambda, and no grid lambda has a lower direct GCV', (t) => {
  const n = 120,
    m = 6,
    q = 3;
  const p = problem(n, m, q, 1, 5);
  const fit = ridgeByGcv(scatterEigen(p.xtx, m), p.xty, p.yy, n, m, q);
  const direct = directGcv(p, n, m, q, fit.lambda);
  for (let i = 0; i < m * q; i++) t.true(Math.abs(fit.beta[i] - direct.beta[i]) < 1e-9, `beta ${i}`);
  t.true(Math.abs(fit.df - direct.df) < 1e-9);
  const meanEig = symmetricEigen(p.xtx, m).values.reduce((s, v) => s + v, 0) / m;
  for (let i = 0; i <= 40; i++) {
    const other = directGcv(p, n, m, q, meanEig * 10 ** (-8 + i / 4));
    t.true(other.gcv >= direct.gcv * (1 - 1e-9), `lambda index ${i} has a lower GCV`);
  }
});

test('little noise: a small penalty and the planted coefficients; pure noise: heavy shrinkage', (t) => {
  const n = 200,
    m = 4,
    q = 2;
  const clean = problem(n, m, q, 1e-3, 6);
  const a = ridgeByGcv(scatterEigen(clean.xtx, m), clean.xty, clean.yy, n, m, q);
  for (let i = 0; i < m * q; i++) t.true(Math.abs(a.beta[i] - clean.w[i]) < 1e-3, `coefficient ${i}: ${a.beta[i]} vs ${clean.w[i]}`);
  t.true(a.df > m - 0.01);
  const rng = new Rng(7);
  const noise = problem(n, m, q, 1, 8);
  const y = Float64Array.from({ length: n * q }, () => rng.normal());
  const xty = new Float64Array(m * q);
  for (let i = 0; i < n; i++) for (let c = 0; c < m; c++) for (let j = 0; j < q; j++) xty[c * q + j] += noise.x[i * m + c] * y[i * q + j];
  const b = ridgeByGcv(
    scatterEigen(noise.xtx, m),
    xty,
    y.reduce((s, v) => s + v * v, 0),
    n,
    m,
    q,
  );
  t.true(b.df < a.df, `df on noise ${b.df} vs ${a.df}`);
});
