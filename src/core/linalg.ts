/**
 * The heavy kernels, in one place so they can be made fast in one place: cross products
 * (covariance / Gram), symmetric eigendecomposition, Cholesky solves.
 *
 * Matrices are row-major Float64Array. Pure: no I/O, no Node APIs.
 */

/**
 * A^T A for a row-major n x d matrix A: the d x d (unscaled) covariance of centred data.
 * Works on a transposed copy so that every dot product runs over contiguous memory, four output
 * columns at a time to reuse each loaded column of A.
 */
export function crossProductTransA(a: Float64Array, n: number, d: number): Float64Array {
  const at = transpose(a, n, d); // d x n
  return rowGram(at, d, n);
}

/** A A^T for a row-major n x d matrix A: the n x n (unscaled) Gram matrix. */
export function crossProductTransB(a: Float64Array, n: number, d: number): Float64Array {
  return rowGram(a, n, d);
}

/** G[i][j] = <row i, row j> for the rows of an r x c row-major matrix; returns r x r. */
function rowGram(x: Float64Array, r: number, c: number): Float64Array {
  const g = new Float64Array(r * r);
  // Block over the inner dimension so that a panel of rows stays in cache while it is reused.
  const panel = Math.max(64, Math.min(c, Math.floor(16384 / Math.max(1, Math.min(r, 64)))));
  for (let k0 = 0; k0 < c; k0 += panel) {
    const k1 = Math.min(c, k0 + panel);
    for (let i = 0; i < r; i++) {
      const oi = i * c;
      let j = i;
      for (; j + 3 < r; j += 4) {
        const o0 = j * c, o1 = o0 + c, o2 = o1 + c, o3 = o2 + c;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let k = k0; k < k1; k++) {
          const v = x[oi + k];
          s0 += v * x[o0 + k];
          s1 += v * x[o1 + k];
          s2 += v * x[o2 + k];
          s3 += v * x[o3 + k];
        }
        const gi = i * r + j;
        g[gi] += s0;
        g[gi + 1] += s1;
        g[gi + 2] += s2;
        g[gi + 3] += s3;
      }
      for (; j < r; j++) {
        const oj = j * c;
        let s = 0;
        for (let k = k0; k < k1; k++) s += x[oi + k] * x[oj + k];
        g[i * r + j] += s;
      }
    }
  }
  for (let i = 0; i < r; i++) for (let j = i + 1; j < r; j++) g[j * r + i] = g[i * r + j];
  return g;
}

/** Transpose of a row-major rows x cols matrix. */
export function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  const B = 32;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(rows, i0 + B);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(cols, j0 + B);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) t[j * rows + i] = a[i * cols + j];
    }
  }
  return t;
}

/** C = A B for row-major A (n x k) and B (k x m). */
export function matmul(a: Float64Array, b: Float64Array, n: number, k: number, m: number): Float64Array {
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const oc = i * m;
    for (let p = 0; p < k; p++) {
      const v = a[i * k + p];
      if (v === 0) continue;
      const ob = p * m;
      for (let j = 0; j < m; j++) c[oc + j] += v * b[ob + j];
    }
  }
  return c;
}

/** C = A B^T for row-major A (n x k) and B (m x k): dot products of rows. */
export function matmulTransB(a: Float64Array, b: Float64Array, n: number, k: number, m: number): Float64Array {
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const oa = i * k;
    for (let j = 0; j < m; j++) {
      const ob = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[oa + p] * b[ob + p];
      c[i * m + j] = s;
    }
  }
  return c;
}

export interface SymmetricEigen {
  /** Eigenvalues in descending order. */
  values: Float64Array;
  /** Eigenvectors as rows (row i belongs to values[i]), row-major n x n; only when asked for. */
  vectors?: Float64Array;
}

/**
 * Eigenvalues (and optionally eigenvectors) of a real symmetric n x n matrix: Householder
 * reduction to tridiagonal form, then the implicit QL algorithm (after EISPACK tred2/tql2, as in
 * JAMA). The input is not modified. Without vectors the O(n^3) accumulation is skipped entirely.
 */
export function symmetricEigen(s: Float64Array, n: number, opts: { vectors?: boolean } = {}): SymmetricEigen {
  if (s.length !== n * n) throw new RangeError(`symmetricEigen: expected ${n * n} values, got ${s.length}`);
  const wantVectors = opts.vectors === true;
  if (n === 0) return { values: new Float64Array(0), ...(wantVectors ? { vectors: new Float64Array(0) } : {}) };
  // w is the transpose of EISPACK's working matrix V: the reduction's inner loops walk V's
  // columns, which are w's rows, so they run over contiguous memory. w = s initially (symmetric).
  const w = Float64Array.from(s);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalize(w, n, d, e);
  let z: Float64Array | undefined;
  if (wantVectors) {
    // Accumulate the Householder transformations in EISPACK's orientation, then store the
    // eigenvectors as rows so that the QL rotations touch contiguous rows.
    const v = transpose(w, n, n);
    accumulateTransformations(v, n, d);
    z = transpose(v, n, n);
  } else {
    for (let i = 0; i < n; i++) d[i] = w[i * n + i];
  }
  e[0] = 0;
  tridiagonalQL(d, e, n, z);
  // Sort descending (with vectors permuted alongside).
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[j] - d[i]);
  const values = Float64Array.from(order, (i) => d[i]);
  if (!z) return { values };
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => vectors.set(z!.subarray(src * n, src * n + n), dst * n));
  return { values, vectors };
}

/** EISPACK tred2's reduction, on w = V^T. Leaves the subdiagonal in e and the Householder data in w. */
function tridiagonalize(w: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  for (let j = 0; j < n; j++) d[j] = w[j * n + (n - 1)];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = w[j * n + (i - 1)];
        w[j * n + i] = 0; // V[i][j]
        w[i * n + j] = 0; // V[j][i]
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        const oj = j * n;
        w[i * n + j] = f; // V[j][i] = f
        g = e[j] + w[oj + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          const vkj = w[oj + k]; // V[k][j]
          g += vkj * d[k];
          e[k] += vkj * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        const oj = j * n;
        for (let k = j; k <= i - 1; k++) w[oj + k] -= f * e[k] + g * d[k];
        d[j] = w[oj + (i - 1)];
        w[oj + i] = 0; // V[i][j]
      }
    }
    d[i] = h;
  }
}

/** EISPACK tred2's accumulation, on V (EISPACK orientation). Leaves the diagonal in d. */
function accumulateTransformations(v: Float64Array, n: number, d: Float64Array): void {
  for (let i = 0; i < n - 1; i++) {
    v[(n - 1) * n + i] = v[i * n + i];
    v[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[k * n + i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[k * n + i + 1] * v[k * n + j];
        for (let k = 0; k <= i; k++) v[k * n + j] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) v[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[(n - 1) * n + j];
    v[(n - 1) * n + j] = 0;
  }
  v[(n - 1) * n + (n - 1)] = 1;
}

/**
 * EISPACK tql2: eigenvalues of the symmetric tridiagonal matrix (diagonal d, subdiagonal e[1..]),
 * in place in d. When z is given (eigenvectors as rows), the rotations are applied to its rows.
 */
function tridiagonalQL(d: Float64Array, e: Float64Array, n: number, z?: Float64Array): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 200) throw new Error('symmetricEigen: QL iteration did not converge');
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1, c2 = c, c3 = c;
        const el1 = e[l + 1];
        let s = 0, s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (z) {
            const oi = i * n, oi1 = oi + n;
            for (let k = 0; k < n; k++) {
              const hk = z[oi1 + k];
              z[oi1 + k] = s * z[oi + k] + c * hk;
              z[oi + k] = c * z[oi + k] - s * hk;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}

/** The non-zero covariance spectrum of centred data, via whichever of A^T A and A A^T is smaller. */
export function covarianceSpectrum(centred: Float64Array, n: number, d: number): Float64Array {
  const scale = 1 / (n - 1);
  const s = d <= n ? crossProductTransA(centred, n, d) : crossProductTransB(centred, n, d);
  const size = Math.min(n, d);
  for (let i = 0; i < s.length; i++) s[i] *= scale;
  return symmetricEigen(s, size).values;
}

export interface PrincipalAxes {
  /** Covariance eigenvalues (descending), one per axis. */
  values: Float64Array;
  /** Unit-length principal axes as rows, k x d. */
  axes: Float64Array;
  k: number;
}

/**
 * The top k principal axes of centred data (n x d), via the smaller of covariance and Gram.
 * Through the Gram matrix, axis v = A^T u / ||A^T u|| for each eigenvector u; axes whose
 * eigenvalue is numerically zero are dropped, so fewer than k may come back.
 */
export function principalAxes(centred: Float64Array, n: number, d: number, k: number): PrincipalAxes {
  const scale = 1 / Math.max(1, n - 1);
  if (d <= n) {
    const c = crossProductTransA(centred, n, d);
    for (let i = 0; i < c.length; i++) c[i] *= scale;
    const eig = symmetricEigen(c, d, { vectors: true });
    const kk = Math.min(k, keptRank(eig.values));
    return { values: eig.values.slice(0, kk), axes: eig.vectors!.slice(0, kk * d), k: kk };
  }
  const g = crossProductTransB(centred, n, d);
  for (let i = 0; i < g.length; i++) g[i] *= scale;
  const eig = symmetricEigen(g, n, { vectors: true });
  const kk = Math.min(k, keptRank(eig.values));
  const axes = new Float64Array(kk * d);
  for (let a = 0; a < kk; a++) {
    const u = eig.vectors!.subarray(a * n, a * n + n);
    const row = axes.subarray(a * d, a * d + d);
    for (let i = 0; i < n; i++) {
      const ui = u[i];
      if (ui === 0) continue;
      const oi = i * d;
      for (let j = 0; j < d; j++) row[j] += ui * centred[oi + j];
    }
    let norm = 0;
    for (let j = 0; j < d; j++) norm += row[j] * row[j];
    norm = Math.sqrt(norm);
    for (let j = 0; j < d; j++) row[j] /= norm;
  }
  return { values: eig.values.slice(0, kk), axes, k: kk };
}

/** Relative threshold below which an eigenvalue counts as zero (OBSERVABLES.md section 1). */
export const EIGEN_RELATIVE_TOLERANCE = 1e-12;

/** Number of leading eigenvalues above EIGEN_RELATIVE_TOLERANCE * lambda_1 (values descending). */
export function keptRank(values: Float64Array): number {
  if (values.length === 0 || !(values[0] > 0)) return 0;
  const tol = EIGEN_RELATIVE_TOLERANCE * values[0];
  let r = 0;
  while (r < values.length && values[r] > tol) r++;
  return r;
}

/**
 * Solve the symmetric positive definite system S x = b for several right-hand sides (S is k x k,
 * B is k x m, both row-major) by Cholesky factorisation. Returns X (k x m). Throws if S is not
 * positive definite.
 */
export function choleskySolve(s: Float64Array, b: Float64Array, k: number, m: number): Float64Array {
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = s[i * k + j];
      for (let p = 0; p < j; p++) sum -= l[i * k + p] * l[j * k + p];
      if (i === j) {
        if (!(sum > 0)) throw new Error('choleskySolve: matrix is not positive definite');
        l[i * k + i] = Math.sqrt(sum);
      } else {
        l[i * k + j] = sum / l[j * k + j];
      }
    }
  }
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

/**
 * The k-means distance step: for each of n points (row-major n x m), the nearest of k centroids
 * (k x m) by squared Euclidean distance. Writes labels and squared distances; returns the sum of
 * squared distances (inertia).
 */
export function assignNearest(
  x: Float64Array,
  n: number,
  m: number,
  centroids: Float64Array,
  k: number,
  labels: Int32Array,
  dist: Float64Array,
): number {
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const oi = i * m;
    let best = Infinity;
    let arg = 0;
    for (let c = 0; c < k; c++) {
      const oc = c * m;
      let s = 0;
      for (let j = 0; j < m; j++) {
        const t = x[oi + j] - centroids[oc + j];
        s += t * t;
        if (s >= best) break;
      }
      if (s < best) {
        best = s;
        arg = c;
      }
    }
    labels[i] = arg;
    dist[i] = best;
    inertia += best;
  }
  return inertia;
}

/** Squared distances from every point to one centre (used by k-means++ seeding). */
export function squaredDistancesTo(x: Float64Array, n: number, m: number, centre: Float64Array, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const oi = i * m;
    let s = 0;
    for (let j = 0; j < m; j++) {
      const t = x[oi + j] - centre[j];
      s += t * t;
    }
    out[i] = s;
  }
}
