/** Cholesky factorisation of symmetric positive definite matrices, and solves with it. */

/** Cholesky factor in the lower triangle of a k x k SPD matrix, in place; false if not positive definite. */
export function choleskyInPlace(m: Float64Array, k: number): boolean {
  for (let j = 0; j < k; j++) {
    let d = m[j * k + j];
    for (let c = 0; c < j; c++) d -= m[j * k + c] * m[j * k + c];
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    m[j * k + j] = ljj;
    for (let i = j + 1; i < k; i++) {
      let v = m[i * k + j];
      for (let c = 0; c < j; c++) v -= m[i * k + c] * m[j * k + c];
      m[i * k + j] = v / ljj;
    }
  }
  return true;
}

/**
 * Solve the symmetric positive definite system S x = b for several right-hand sides (S is k x k,
 * B is k x m, both row-major) by Cholesky factorisation. Returns X (k x m). Throws if S is not
 * positive definite.
 */
export function choleskySolve(s: Float64Array, b: Float64Array, k: number, m: number): Float64Array {
  const l = Float64Array.from(s);
  if (!choleskyInPlace(l, k)) throw new Error('choleskySolve: matrix is not positive definite');
  const x = Float64Array.from(b);
  // Forward: L y = b; backward: L^T x = y; on all columns at once.
  for (let i = 0; i < k; i++) {
    const oi = i * m;
    for (let p = 0; p < i; p++) {
      const lip = l[i * k + p];
      if (lip === 0) continue;
      const op = p * m;
      for (let c = 0; c < m; c++) x[oi + c] -= lip * x[op + c];
    }
    const lii = l[i * k + i];
    for (let c = 0; c < m; c++) x[oi + c] /= lii;
  }
  for (let i = k - 1; i >= 0; i--) {
    const oi = i * m;
    for (let p = i + 1; p < k; p++) {
      const lpi = l[p * k + i];
      if (lpi === 0) continue;
      const op = p * m;
      for (let c = 0; c < m; c++) x[oi + c] -= lpi * x[op + c];
    }
    const lii = l[i * k + i];
    for (let c = 0; c < m; c++) x[oi + c] /= lii;
  }
  return x;
}
