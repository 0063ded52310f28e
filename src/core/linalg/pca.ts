/**
 * Principal components of centred data: the covariance spectrum, the top principal axes, and the
 * principal scores of wide data from its Gram matrix. Each picks the cheaper of covariance and
 * Gram, and Lanczos or a full eigendecomposition.
 */

import { productsBackend } from './backend.js';
import { keptRank, symmetricEigen } from './eigen.js';
import { topEigenpairs } from './lanczos.js';
import { crossProductTransA, crossProductTransB, transpose } from './products.js';

/** The non-zero covariance spectrum of centred data, via whichever of A^T A and A A^T is smaller. */
export function covarianceSpectrum(centred: Float64Array, n: number, d: number): Float64Array {
  // A^T A is the Gram product of A^T's rows (what the product computes for it anyway).
  return d <= n ? scaledGramSpectrum(transpose(centred, n, d), d, n, n, true) : scaledGramSpectrum(centred, n, d, n);
}

/**
 * Eigenvalues (descending) of A A^T / (n - 1) for a row-major r x c matrix A: a covariance
 * spectrum from the rows of the centred data's transpose (r = d), or from its rows (r = n). With
 * `consume`, the product may take A's memory (A may be detached on return).
 */
export function scaledGramSpectrum(a: Float64Array, r: number, c: number, n: number, consume = false): Float64Array {
  const s = crossProductTransB(a, r, c, { consume });
  const scale = 1 / (n - 1);
  for (let i = 0; i < s.length; i++) s[i] *= scale;
  return symmetricEigen(s, r).values;
}

export interface PrincipalAxes {
  /** Covariance eigenvalues (descending), one per axis. */
  values: Float64Array;
  /** Unit-length principal axes as rows, k x d. */
  axes: Float64Array;
  k: number;
}

/** Dimension above which a few principal axes come from Lanczos instead of a full eigendecomposition. */
export const LANCZOS_MIN_DIMENSION = 256;

/**
 * The top k principal axes of centred data (n x d). For small problems (min(n, d) <= 256, or k
 * more than a quarter of it) via a full eigendecomposition of the smaller of covariance and Gram;
 * otherwise by Lanczos on the implicit covariance operator v -> Xc^T (Xc v) / (n - 1), which
 * never forms a d x d or n x n matrix.
 * Through the Gram matrix, axis v = A^T u / ||A^T u|| for each eigenvector u; axes whose
 * eigenvalue is numerically zero are dropped, so fewer than k may come back.
 */
export function principalAxes(centred: Float64Array, n: number, d: number, k: number): PrincipalAxes {
  const scale = 1 / Math.max(1, n - 1);
  const small = Math.min(n, d);
  if (small > LANCZOS_MIN_DIMENSION && k <= small / 4) {
    const tmp = new Float64Array(n);
    const op = (v: Float64Array, out: Float64Array): void => {
      for (let i = 0; i < n; i++) {
        const oi = i * d;
        let s = 0;
        for (let j = 0; j < d; j++) s += centred[oi + j] * v[j];
        tmp[i] = s;
      }
      out.fill(0);
      for (let i = 0; i < n; i++) {
        const t = tmp[i] * scale;
        if (t === 0) continue;
        const oi = i * d;
        for (let j = 0; j < d; j++) out[j] += t * centred[oi + j];
      }
    };
    const top = topEigenpairs(op, d, k);
    const kk = Math.min(top.k, keptRank(top.values));
    return { values: top.values.slice(0, kk), axes: top.vectors.slice(0, kk * d), k: kk };
  }
  if (d <= n) {
    const c = crossProductTransA(centred, n, d);
    for (let i = 0; i < c.length; i++) c[i] *= scale;
    const eig = symmetricEigen(c, d, { vectors: true, count: k });
    const kk = Math.min(k, keptRank(eig.values));
    return { values: eig.values.slice(0, kk), axes: eig.vectors!.slice(0, kk * d), k: kk };
  }
  const g = crossProductTransB(centred, n, d);
  for (let i = 0; i < g.length; i++) g[i] *= scale;
  const eig = symmetricEigen(g, n, { vectors: true, count: k });
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

/**
 * Principal-component scores Xc V (n x k, column c = u_c s_c) of wide centred data (d > n) from
 * the n x n Gram matrix, without forming any axis in R^d: the Gram product goes through the
 * products backend, and its top k eigenpairs come from Lanczos on the n-dimensional operator (or a
 * full eigendecomposition when k is more than a quarter of n). For a 2000 x 6272 CNN layer and
 * k = 256 this replaced Lanczos on the 6272-dimensional covariance operator (36 s -> about 2 s).
 * Values are covariance eigenvalues (descending); scores' signs are arbitrary.
 */
export function principalScoresViaGram(
  centred: Float64Array,
  n: number,
  d: number,
  k: number,
  gram?: Float64Array,
): { values: Float64Array; scores: Float64Array; k: number } {
  const scale = 1 / Math.max(1, n - 1);
  // `gram`, when given, is Xc Xc^T already computed (read only: it is scaled in a copy).
  const g = gram ? Float64Array.from(gram) : crossProductTransB(centred, n, d);
  for (let i = 0; i < g.length; i++) g[i] *= scale;
  let values: Float64Array, vectors: Float64Array, found: number;
  if (n > LANCZOS_MIN_DIMENSION && k <= n / 4) {
    const op = (v: Float64Array, out: Float64Array): void => {
      for (let i = 0; i < n; i++) {
        const oi = i * n;
        let s = 0;
        for (let j = 0; j < n; j++) s += g[oi + j] * v[j];
        out[i] = s;
      }
    };
    const top = productsBackend()?.topEigenpairs?.(g, n, k) ?? topEigenpairs(op, n, k);
    values = top.values;
    vectors = top.vectors;
    found = top.k;
  } else {
    const eig = symmetricEigen(g, n, { vectors: true, count: k });
    values = eig.values;
    vectors = eig.vectors!;
    found = Math.min(k, n);
  }
  const kk = Math.min(found, keptRank(values));
  const scores = new Float64Array(n * kk);
  for (let c = 0; c < kk; c++) {
    const sv = Math.sqrt(values[c] * (n - 1));
    for (let i = 0; i < n; i++) scores[i * kk + c] = vectors[c * n + i] * sv;
  }
  return { values: values.slice(0, kk), scores, k: kk };
}
