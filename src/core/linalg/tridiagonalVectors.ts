/**
 * Eigenvectors of a symmetric tridiagonal matrix for given (accurate) eigenvalues, by inverse
 * iteration (after LAPACK's dstein): each vector is three solves of (T - lambda I) x = x with a
 * pivoted LU, reorthogonalised against the vectors of its cluster (eigenvalues closer than
 * 1e-3 ||T||), so a few vectors of a large T cost O(m) each instead of the O(m^3) of QL with
 * vectors. Lanczos uses it for the Ritz vectors it keeps.
 */

/**
 * Unit eigenvectors (rows, count x m) of the tridiagonal matrix with diagonal a (m) and
 * off-diagonal b (b[i] couples i and i + 1), for eigenvalues `values` given in descending order.
 */
export function tridiagonalEigenvectors(a: ArrayLike<number>, b: ArrayLike<number>, m: number, values: ArrayLike<number>): Float64Array {
  const count = values.length;
  const out = new Float64Array(count * m);
  let norm = 0;
  for (let i = 0; i < m; i++) norm = Math.max(norm, Math.abs(a[i]) + (i > 0 ? Math.abs(b[i - 1]) : 0) + (i + 1 < m ? Math.abs(b[i]) : 0));
  if (m === 0) return out;
  const eps = 2 ** -52;
  const tiny = Math.max(eps * norm, Number.MIN_VALUE);
  const clusterGap = 1e-3 * norm;
  const lu = { d: new Float64Array(m), du: new Float64Array(m), du2: new Float64Array(m), dl: new Float64Array(m), pivot: new Uint8Array(m) };
  let clusterStart = 0;
  let previous = Infinity;
  for (let v = 0; v < count; v++) {
    let lambda = values[v];
    if (previous - lambda > clusterGap) clusterStart = v;
    // Equal (or nearly) eigenvalues would give the same vector: separate the shifts a little.
    if (v > clusterStart && previous - lambda < 10 * eps * Math.abs(lambda)) lambda = previous - 10 * eps * Math.max(Math.abs(previous), tiny);
    previous = lambda;
    factor(a, b, m, lambda, tiny, lu);
    const x = out.subarray(v * m, (v + 1) * m);
    for (let i = 0; i < m; i++) x[i] = Math.sin(1.3 + 0.91 * i + 0.37 * v) + 0.5; // fixed, generic start
    for (let iteration = 0; iteration < 3; iteration++) {
      solve(lu, m, x);
      for (let u = clusterStart; u < v; u++) {
        const y = out.subarray(u * m, (u + 1) * m);
        let dot = 0;
        for (let i = 0; i < m; i++) dot += x[i] * y[i];
        for (let i = 0; i < m; i++) x[i] -= dot * y[i];
      }
      let s = 0;
      for (let i = 0; i < m; i++) s += x[i] * x[i];
      s = Math.sqrt(s);
      for (let i = 0; i < m; i++) x[i] /= s;
    }
  }
  return out;
}

interface TridiagonalLu {
  d: Float64Array;
  du: Float64Array;
  du2: Float64Array;
  dl: Float64Array;
  pivot: Uint8Array;
}

/** LU with partial pivoting of T - lambda I (LAPACK dgttrf); zero pivots become `tiny`. */
function factor(a: ArrayLike<number>, b: ArrayLike<number>, m: number, lambda: number, tiny: number, lu: TridiagonalLu): void {
  const { d, du, du2, dl, pivot } = lu;
  for (let i = 0; i < m; i++) {
    d[i] = a[i] - lambda;
    du[i] = i + 1 < m ? b[i] : 0;
    dl[i] = i + 1 < m ? b[i] : 0;
    du2[i] = 0;
    pivot[i] = 0;
  }
  for (let k = 0; k + 1 < m; k++) {
    if (Math.abs(d[k]) >= Math.abs(dl[k])) {
      if (d[k] === 0) d[k] = tiny;
      const l = dl[k] / d[k];
      dl[k] = l;
      d[k + 1] -= l * du[k];
    } else {
      const l = d[k] / dl[k];
      d[k] = dl[k];
      dl[k] = l;
      const t = du[k];
      du[k] = d[k + 1];
      d[k + 1] = t - l * d[k + 1];
      if (k + 2 < m) {
        du2[k] = du[k + 1];
        du[k + 1] = -l * du[k + 1];
      }
      pivot[k] = 1;
    }
  }
  if (d[m - 1] === 0) d[m - 1] = tiny;
}

/** Solve with the factors in place (LAPACK dgttrs, one right-hand side). */
function solve(lu: TridiagonalLu, m: number, x: Float64Array): void {
  const { d, du, du2, dl, pivot } = lu;
  for (let k = 0; k + 1 < m; k++) {
    if (pivot[k]) {
      const t = x[k];
      x[k] = x[k + 1];
      x[k + 1] = t - dl[k] * x[k + 1];
    } else x[k + 1] -= dl[k] * x[k];
  }
  x[m - 1] /= d[m - 1];
  if (m > 1) x[m - 2] = (x[m - 2] - du[m - 2] * x[m - 1]) / d[m - 2];
  for (let k = m - 3; k >= 0; k--) x[k] = (x[k] - du[k] * x[k + 1] - du2[k] * x[k + 2]) / d[k];
}
