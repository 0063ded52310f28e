/**
 * A representation reduced to what every similarity needs: an n x r matrix F with centred columns
 * whose inner products equal those of the centred responses (F F^T = Xc Xc^T). From a response
 * matrix F is Xc itself (or, when d > n, U sqrt(L) from its Gram matrix, which is smaller); from a
 * stored Gram matrix it is U sqrt(L). Every similarity here is invariant to rotating the neurons,
 * so F stands in for X exactly.
 */

import { crossProductTransB } from '../linalg/products.js';
import { keptRank, symmetricEigen } from '../linalg/eigen.js';
import { centerColumns, type ResponseMatrix } from '../matrix.js';

export interface Factor {
  n: number;
  r: number;
  /** n x r, row-major, columns centred. */
  data: Float64Array;
}

/** The factor of a response matrix (n stimuli x d neurons). */
export function factorOfMatrix(m: ResponseMatrix): Factor {
  const c = centerColumns(m);
  if (m.d <= m.n) return { n: m.n, r: m.d, data: Float64Array.from(c.data) };
  return factorOfGram(crossProductTransB(c.data, m.n, m.d), m.n);
}

/** The factor U sqrt(L) of a centred Gram matrix (n x n). */
export function factorOfGram(gram: Float64Array, n: number): Factor {
  const { values, vectors } = symmetricEigen(gram, n, { vectors: true });
  const r = keptRank(values);
  const data = new Float64Array(n * r);
  for (let k = 0; k < r; k++) {
    const s = Math.sqrt(values[k]);
    for (let i = 0; i < n; i++) data[i * r + k] = vectors![k * n + i] * s;
  }
  return { n, r, data };
}

/** Rows `rows` of F, with columns re-centred on `centreRows` (default: the selected rows). */
export function factorRows(f: Factor, rows: ArrayLike<number>, centreRows: ArrayLike<number> = rows): { data: Float64Array; mean: Float64Array } {
  const mean = new Float64Array(f.r);
  for (let t = 0; t < centreRows.length; t++) {
    const o = centreRows[t] * f.r;
    for (let k = 0; k < f.r; k++) mean[k] += f.data[o + k];
  }
  for (let k = 0; k < f.r; k++) mean[k] /= centreRows.length;
  const data = new Float64Array(rows.length * f.r);
  for (let t = 0; t < rows.length; t++) {
    const o = rows[t] * f.r;
    for (let k = 0; k < f.r; k++) data[t * f.r + k] = f.data[o + k] - mean[k];
  }
  return { data, mean };
}
