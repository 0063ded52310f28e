/**
 * Symmetric eigendecomposition: eigenvalues (one-stage Householder + QL, or the two-stage route
 * for large matrices with a products backend), all eigenvectors, or only the top few by inverse
 * iteration; and the numerical rank of a spectrum.
 */

import { productsBackend } from './backend.js';
import { bandStorageWidth, type BandMatrix } from './bandReduction.js';
import { bandToTridiagonal } from './bulgeChasing.js';
import { sharedFloat64 } from '../parallel.js';
import { transpose } from './products.js';
import { accumulateTransformations, tridiagonalize } from './tridiagonalize.js';
import { tridiagonalEigenvalues, tridiagonalQL } from './tridiagonalQl.js';
import { tridiagonalEigenvectors } from './tridiagonalVectors.js';

export interface SymmetricEigen {
  /** Eigenvalues in descending order. */
  values: Float64Array;
  /**
   * Eigenvectors as rows (row i belongs to values[i]), row-major; only when asked for. All n, or
   * at least the top `count` when a count was given (fewer than n/2 of them come from a cheaper
   * route, and then only those rows exist).
   */
  vectors?: Float64Array;
}

/**
 * Eigenvalues (and optionally eigenvectors) of a real symmetric n x n matrix: Householder
 * reduction to tridiagonal form, then the implicit QL algorithm (after EISPACK tred2/tql2, as in
 * JAMA). The input is not modified. Without vectors the O(n^3) accumulation is skipped entirely,
 * and from order TWO_STAGE_FROM, with a products backend that offers it, the eigenvalues come
 * from the two-stage route instead. With `count` below n / 2, only the top `count` eigenvectors
 * are computed (topEigenvectors).
 */
export function symmetricEigen(s: Float64Array, n: number, opts: { vectors?: boolean; count?: number } = {}): SymmetricEigen {
  if (s.length !== n * n) throw new RangeError(`symmetricEigen: expected ${n * n} values, got ${s.length}`);
  const wantVectors = opts.vectors === true;
  if (n === 0) return { values: new Float64Array(0), ...(wantVectors ? { vectors: new Float64Array(0) } : {}) };
  if (!wantVectors) {
    const band = twoStageBand(s, n);
    if (band) return { values: bandEigenvalues(band) };
  }
  const count = Math.min(n, Math.max(0, Math.floor(opts.count ?? n)));
  if (wantVectors && count < n * FEW_VECTORS && n > FEW_VECTORS_FROM) return topEigenvectors(s, n, count);
  // w is the transpose of EISPACK's working matrix V: the reduction's inner loops walk V's
  // columns, which are w's rows, so they run over contiguous memory. w = s initially (symmetric).
  const d = sharedFloat64(n);
  const e = sharedFloat64(n);
  const w = sharedFloat64(s);
  tridiagonalize(w, n, d, e);
  if (!wantVectors) {
    for (let i = 0; i < n; i++) d[i] = w[i * n + i];
    return { values: tridiagonalEigenvalues(d, e, n).reverse() };
  }
  // Accumulate the Householder transformations in EISPACK's orientation, then store the
  // eigenvectors as rows so that the QL rotations touch contiguous rows.
  const v = transpose(w, n, n);
  accumulateTransformations(v, n, d);
  const z = transpose(v, n, n);
  e[0] = 0;
  tridiagonalQL(d, e, n, z);
  // Sort descending (with vectors permuted alongside).
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[j] - d[i]);
  const values = Float64Array.from(order, (i) => d[i]);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => vectors.set(z.subarray(src * n, src * n + n), dst * n));
  return { values, vectors };
}

/**
 * Eigenvalues only, of a large matrix, with a products backend that reduces to band form: the
 * two-stage route (bandReduction.ts, bulgeChasing.ts), whose first stage runs at BLAS speed.
 * Null (one-stage Householder instead) for small matrices or without such a backend.
 */
function twoStageBand(s: Float64Array, n: number): BandMatrix | null {
  const backend = productsBackend();
  if (!backend?.bandReduce || n < TWO_STAGE_FROM) return null;
  const data = backend.bandReduce(s, n, TWO_STAGE_BANDWIDTH);
  if (!data || data.length !== n * bandStorageWidth(TWO_STAGE_BANDWIDTH)) return null;
  return { data, n, b: TWO_STAGE_BANDWIDTH, width: bandStorageWidth(TWO_STAGE_BANDWIDTH) };
}

/**
 * Order from which the two-stage route runs. Warm, it is faster from about 400 (`npm run
 * bench:kernels`); its first call also creates a session (30-140 ms), and end to end (dimension on
 * 2000 x d, process start included) the two routes take the same time at 500-700.
 */
export const TWO_STAGE_FROM = 600;
/** Bandwidth of the intermediate band: wider makes the products faster and the chasing slower. */
export const TWO_STAGE_BANDWIDTH = 32;

/** Eigenvalues (descending) of a symmetric band matrix (modified): bulge chasing, then QL. */
export function bandEigenvalues(band: BandMatrix): Float64Array {
  const d = new Float64Array(band.n),
    e = new Float64Array(band.n);
  bandToTridiagonal(band, d, e);
  return tridiagonalEigenvalues(d, e, band.n).reverse();
}

/** Below this fraction of n, the `count` top eigenvectors come from inverse iteration (topEigenvectors). */
const FEW_VECTORS = 0.5;
/** ... and only for matrices larger than this (small ones keep the single route: little to gain). */
const FEW_VECTORS_FROM = 64;

/**
 * All eigenvalues and the top `count` eigenvectors: Householder tridiagonalization (as
 * symmetricEigen), eigenvalues by QL, the tridiagonal's eigenvectors by inverse iteration
 * (tridiagonalVectors.ts), then the Householder reflections applied to those vectors only
 * (2 n^2 count flops instead of forming the n x n transformation and rotating it in QL).
 */
function topEigenvectors(s: Float64Array, n: number, count: number): SymmetricEigen {
  const d = sharedFloat64(n);
  const e = sharedFloat64(n);
  const w = sharedFloat64(s);
  tridiagonalize(w, n, d, e);
  const h = Float64Array.from(d); // h[i]: the scale of reflection i (0: none), i >= 1
  const diag = new Float64Array(n);
  for (let i = 0; i < n; i++) diag[i] = w[i * n + i];
  const sub = new Float64Array(Math.max(0, n - 1));
  for (let i = 1; i < n; i++) sub[i - 1] = e[i];
  const values = tridiagonalEigenvalues(diag, e, n).reverse();
  const vectors = tridiagonalEigenvectors(diag, sub, n, values.subarray(0, count));
  // x = P_{n-1} ... P_1 y, P_i = I - u_i u_i^T / h_i with u_i in row i of w (entries 0 .. i-1).
  for (let i = 1; i < n; i++) {
    const hi = h[i];
    if (hi === 0) continue;
    const oi = i * n;
    for (let r = 0; r < count; r++) {
      const y = vectors.subarray(r * n, r * n + n);
      let g = 0;
      for (let k = 0; k < i; k++) g += w[oi + k] * y[k];
      g /= hi;
      for (let k = 0; k < i; k++) y[k] -= g * w[oi + k];
    }
  }
  return { values, vectors };
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
