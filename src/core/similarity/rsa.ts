/**
 * Comparing two RDMs (rsatoolbox's compare_spearman and compare_cosine_cov_weighted): Spearman
 * correlation of their upper triangles, and the whitened cosine, the cosine between the
 * double-centred matrices -1/2 H D H (Diedrichsen et al. 2021: the whitening of rsatoolbox
 * without a noise covariance, which it computes in the same way). docs/observables.md 7.2.
 */

import { spearman } from './correlation.js';
import { upperTriangle } from './rdm.js';

/** Spearman correlation of the upper triangles of two RDMs over `rows` (all by default). */
export function rdmSpearman(a: Float64Array, b: Float64Array, n: number, rows?: ArrayLike<number>): number {
  return spearman(upperTriangle(a, n, rows), upperTriangle(b, n, rows));
}

/** -1/2 H D H for the stimuli `rows` of an RDM (a second-moment matrix of the patterns). */
function doubleCentred(d: Float64Array, n: number, rows: ArrayLike<number>): Float64Array {
  const m = rows.length;
  const g = new Float64Array(m * m);
  const rowMean = new Float64Array(m);
  let all = 0;
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < m; b++) {
      const v = rows[a] === rows[b] ? 0 : -0.5 * d[rows[a] * n + rows[b]];
      g[a * m + b] = v;
      rowMean[a] += v;
    }
    all += rowMean[a];
    rowMean[a] /= m;
  }
  all /= m * m;
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) g[a * m + b] += all - rowMean[a] - rowMean[b];
  return g;
}

/** Whitened cosine similarity of two RDMs over `rows` (all by default). */
export function rdmWhitenedCosine(a: Float64Array, b: Float64Array, n: number, rows?: ArrayLike<number>): number {
  const idx = rows ?? Int32Array.from({ length: n }, (_, i) => i);
  const ga = doubleCentred(a, n, idx), gb = doubleCentred(b, n, idx);
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < ga.length; i++) {
    ab += ga[i] * gb[i];
    aa += ga[i] * ga[i];
    bb += gb[i] * gb[i];
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : NaN;
}
