/**
 * complexity/2's inputs, prepared once per matrix and options: X centred (or z-scored) and
 * projected on its principal components with canonical signs, Y centred, and the shares of
 * variance they keep. Cached per matrix, so a layer compared with several others is reduced once.
 */

import { centerColumns, responseMatrix, type ResponseMatrix } from '../matrix.js';
import { LANCZOS_MIN_DIMENSION, principalAxes, principalScoresViaGram } from '../linalg/pca.js';
import { matmul } from '../linalg/products.js';
import { linearGram } from '../similarity/cka.js';

/** Inputs prepared once per (X, options): centred principal-component scores and folds. */
export interface PreparedX {
  n: number;
  p: number;
  m: number;
  z: Float64Array;
  varianceKept: number;
}

const preparedCache = new WeakMap<ResponseMatrix, Map<string, PreparedX>>();

function zscore(m: ResponseMatrix): ResponseMatrix {
  const c = centerColumns(m);
  const { n, d, data } = c;
  const out = new Float64Array(n * d);
  for (let j = 0; j < d; j++) {
    let v = 0;
    for (let i = 0; i < n; i++) v += data[i * d + j] ** 2;
    const sd = Math.sqrt(v / Math.max(1, n - 1));
    if (sd > 0) for (let i = 0; i < n; i++) out[i * d + j] = data[i * d + j] / sd;
  }
  return responseMatrix(n, d, out);
}

/**
 * Centred scores on the top principal components (up to `cap`), and the share of variance they
 * carry. Each component's sign is canonical (third moment of its scores >= 0, else the first
 * clearly nonzero score > 0) and scores are divided by their largest magnitude and rounded to 2^-30, so that
 * a rotated, rescaled or shifted copy of the data reaches the rest of the procedure as the same
 * numbers (otherwise rounding noise can flip near-ties in the tree and move a point between pieces).
 */
function principalScores(x: ResponseMatrix, cap: number): { scores: Float64Array; m: number; varianceKept: number; scale: number } {
  const xc = centerColumns(x).data;
  let total = 0;
  for (let i = 0; i < xc.length; i++) total += xc[i] * xc[i];
  total /= Math.max(1, x.n - 1);
  if (!(total > 0)) return { scores: new Float64Array(0), m: 0, varianceKept: 0, scale: 1 };
  const want = Math.min(cap, x.d, x.n - 1);
  const n = x.n;
  let m: number, scores: Float64Array, values: Float64Array;
  if (x.d > x.n && x.n > LANCZOS_MIN_DIMENSION) {
    // Wide data (CNN feature maps): scores straight from the n x n Gram matrix, the one the
    // effective dimension of the same matrix computed (cached per matrix object).
    const g = principalScoresViaGram(xc, n, x.d, want, linearGram(x));
    m = g.k;
    scores = g.scores;
    values = g.values;
  } else {
    const axes = principalAxes(xc, x.n, x.d, want);
    m = axes.k;
    values = axes.values;
    // scores = Xc A^T (n x m), A the axes as rows (m x d).
    const at = new Float64Array(x.d * m);
    for (let c = 0; c < m; c++) for (let j = 0; j < x.d; j++) at[j * m + c] = axes.axes[c * x.d + j];
    scores = matmul(xc, at, n, x.d, m);
  }
  let maxAbs = 0;
  for (let c = 0; c < m; c++) {
    let third = 0,
      abs3 = 0,
      big = 0;
    for (let i = 0; i < n; i++) {
      const v = scores[i * m + c];
      third += v * v * v;
      abs3 += Math.abs(v * v * v);
      big = Math.max(big, Math.abs(v));
    }
    let sign = third < 0 ? -1 : 1;
    if (Math.abs(third) <= 1e-8 * abs3) {
      for (let i = 0; i < n; i++) {
        const v = scores[i * m + c];
        if (Math.abs(v) > 1e-6 * big) {
          sign = v < 0 ? -1 : 1;
          break;
        }
      }
    }
    for (let i = 0; i < n; i++) scores[i * m + c] *= sign;
    maxAbs = Math.max(maxAbs, big);
  }
  // In units of the largest score (scale-free), rounded to 2^-30.
  const unit = 2 ** 30;
  for (let i = 0; i < scores.length; i++) scores[i] = Math.round((scores[i] / maxAbs) * unit) / unit;
  let kept = 0;
  for (let c = 0; c < m; c++) kept += values[c];
  return { scores, m, varianceKept: Math.min(1, kept / total), scale: maxAbs };
}

const scoresCache = new WeakMap<ResponseMatrix, Map<string, ReturnType<typeof principalScores>>>();

/**
 * principalScores of a matrix (z-scored first with `standardize`), cached per matrix object: in a
 * depth profile every layer is the output of one map and the input of the next (and the output of
 * the map from the input), and on wide layers these scores are most of the cost.
 */
function cachedScores(x: ResponseMatrix, cap: number, standardize: boolean): ReturnType<typeof principalScores> {
  const key = `${cap}:${standardize}`;
  let byKey = scoresCache.get(x);
  if (!byKey) scoresCache.set(x, (byKey = new Map()));
  let hit = byKey.get(key);
  if (!hit) byKey.set(key, (hit = principalScores(standardize ? zscore(x) : x, cap)));
  return hit;
}

export function prepareX(x: ResponseMatrix, cap: number, standardize: boolean): PreparedX {
  const key = `${cap}:${standardize}`;
  let byKey = preparedCache.get(x);
  if (!byKey) preparedCache.set(x, (byKey = new Map()));
  const hit = byKey.get(key);
  if (hit) return hit;
  const ps = cachedScores(x, cap, standardize);
  const prepared = { n: x.n, p: x.d, m: ps.m, z: ps.scores, varianceKept: ps.varianceKept };
  byKey.set(key, prepared);
  return prepared;
}

/**
 * Outputs as canonical principal-component scores (see principalScores), at most 256 of them;
 * the variance in components left out counts as unexplained.
 */
export function prepareY(y: ResponseMatrix, standardize: boolean): { yc: Float64Array; q: number; dropped: Float64Array; outputVarianceKept: number } {
  const base = standardize ? zscore(y) : centerColumns(y);
  const n = y.n;
  const ps = cachedScores(y, 256, standardize);
  const dropped = new Float64Array(n);
  let kept = 0,
    total = 0;
  for (let i = 0; i < n; i++) {
    let all = 0,
      part = 0;
    for (let j = 0; j < y.d; j++) all += base.data[i * y.d + j] ** 2;
    for (let c = 0; c < ps.m; c++) part += ps.scores[i * ps.m + c] ** 2;
    part *= ps.scale * ps.scale; // scores are in units of their largest magnitude
    // Only the variance of components really left out counts (not the rounding of the scores),
    // in the units of the scores, like the residuals it is added to.
    dropped[i] = ps.varianceKept < 1 - 1e-12 ? Math.max(0, all - part) / (ps.scale * ps.scale) : 0;
    kept += part;
    total += all;
  }
  return { yc: ps.scores, q: ps.m, dropped, outputVarianceKept: total > 0 ? Math.min(1, kept / total) : 1 };
}
