/**
 * Ridge regression with its penalty chosen by generalized cross-validation (Golub, Heath & Wahba
 * 1979), from the eigendecomposition of the centred inputs' scatter matrix: every lambda on the
 * grid costs O(m q), so the search is free once the eigendecomposition exists.
 *
 * GCV(lambda) = RSS(lambda) / (n - df(lambda))^2, df = sum ev / (ev + lambda); the grid is 41
 * log-spaced values from 1e-8 to 1e2 times the mean eigenvalue (so it follows the inputs' scale).
 */

export interface ScatterEigen {
  /** Eigenvalues of Xc^T Xc (m). */
  values: Float64Array;
  /** Eigenvectors as rows (m x m). */
  vectors: Float64Array;
}

export interface RidgeFit {
  /** Coefficients m x q (centred inputs to centred outputs). */
  beta: Float64Array;
  lambda: number;
  /** Effective degrees of freedom at lambda. */
  df: number;
}

/**
 * The GCV-chosen ridge fit. `xty` is Xc^T Yc (m x q), `yy` is |Yc|^2, n the rows behind them.
 */
export function ridgeByGcv(eig: ScatterEigen, xty: Float64Array, yy: number, n: number, m: number, q: number): RidgeFit {
  const ev = eig.values;
  // P = V^T Xc^T Yc: the outputs' coordinates along each input eigenvector (scaled by its root).
  const p = new Float64Array(m * q);
  for (let a = 0; a < m; a++) {
    const va = eig.vectors.subarray(a * m, a * m + m);
    const pa = a * q;
    for (let c = 0; c < m; c++) {
      const v = va[c];
      if (v === 0) continue;
      const oc = c * q;
      for (let j = 0; j < q; j++) p[pa + j] += v * xty[oc + j];
    }
  }
  const proj2 = new Float64Array(m);
  let explained = 0;
  let mean = 0;
  for (let a = 0; a < m; a++) {
    mean += Math.max(0, ev[a]) / m;
    if (!(ev[a] > 0)) continue;
    let s = 0;
    for (let j = 0; j < q; j++) s += p[a * q + j] ** 2;
    proj2[a] = s / ev[a];
    explained += proj2[a];
  }
  const rest = Math.max(0, yy - explained);
  let best = { gcv: Infinity, lambda: mean, df: 0 };
  for (let i = 0; i <= 40; i++) {
    const lambda = mean * 10 ** (-8 + i / 4);
    let rss = rest,
      df = 0;
    for (let a = 0; a < m; a++) {
      if (!(ev[a] > 0)) continue;
      const shrink = lambda / (ev[a] + lambda);
      rss += shrink * shrink * proj2[a];
      df += ev[a] / (ev[a] + lambda);
    }
    if (!(n - df > 0)) continue;
    const gcv = rss / (n - df) ** 2;
    if (gcv < best.gcv) best = { gcv, lambda, df };
  }
  const beta = new Float64Array(m * q);
  for (let a = 0; a < m; a++) {
    if (!(ev[a] > 0)) continue;
    const w = 1 / (ev[a] + best.lambda);
    const va = eig.vectors.subarray(a * m, a * m + m);
    const pa = a * q;
    for (let c = 0; c < m; c++) {
      const f = w * va[c];
      if (f === 0) continue;
      const oc = c * q;
      for (let j = 0; j < q; j++) beta[oc + j] += f * p[pa + j];
    }
  }
  return { beta, lambda: best.lambda, df: best.df };
}
