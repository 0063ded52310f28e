/**
 * Generalized shape metrics (Williams et al. 2021, netrep's LinearMetric with score_method
 * 'angular'): each representation is partially whitened, X Z with Z = V diag(alpha + (1 - alpha)
 * lambda^-1/2) V^T from the eigenvalues lambda of its centred scatter X^T X, then the two are
 * rotated onto each other (orthogonal Procrustes), and the distance is the angle
 * arccos(<X Wx, Y Wy> / (|X Wx| |Y Wy|)). alpha = 1 is the angular Procrustes distance, alpha = 0
 * the CCA distance. Cross-validated: the centring, whitening and rotation are fitted on the
 * training folds and the angle is measured on the held-out stimuli. docs/observables.md 7.3.
 *
 * Where a training scatter is singular (more neurons than training stimuli), netrep clips its
 * eigenvalues at 1e-7, which for alpha < 1 multiplies held-out activity in those directions by up
 * to 3000; here those directions are left out of the whitened space instead (alpha = 1 keeps
 * every direction, exactly as netrep).
 */

import { crossProductTransA, crossProductTransB, matmul, transpose } from '../linalg/products.js';
import { keptRank, symmetricEigen } from '../linalg/eigen.js';
import { factorRows, type Factor } from './factor.js';
import { foldRows } from './predictivity.js';

/**
 * Dimensions per training stimulus above which a shape metric towards CCA (alpha < 1) is read
 * with care (`shape-overfit`), and above which, for alpha <= SUPPRESS_MAX_ALPHA, it is not
 * reported: measured on planted shared signals (docs/observables.md 7.3), the held-out angle is
 * biased up by 0.04-0.09 rad at alpha 0 and 0.05-0.14 at alpha 0.5 for ratios 0.42-0.83, and
 * tends to pi/2 whatever the data as the ratio reaches 1.
 */
export const OVERFIT_WARN_RATIO = 0.5;
export const OVERFIT_SUPPRESS_RATIO = 0.8;
export const SUPPRESS_MAX_ALPHA = 0.25;

export interface ShapeDistance {
  alpha: number;
  /** Mean over folds of the held-out angle (radians, 0 = same shape). */
  distance: number;
  /** Held-out angle of each fold. */
  perFold: number[];
  /** Each fold's per-stimulus terms (intervals and resamples without refitting). */
  terms: HeldOutTerms[];
}

/** The partial whitening matrix Z (r x r) of centred training rows x (m x r). */
function whitening(x: Float64Array, m: number, r: number, alpha: number): Float64Array {
  const z = new Float64Array(r * r);
  if (alpha >= 1 - 1e-7) {
    for (let i = 0; i < r; i++) z[i * r + i] = 1;
    return z;
  }
  const s = crossProductTransA(x, m, r);
  const { values, vectors } = symmetricEigen(s, r, { vectors: true });
  const kept = keptRank(values);
  for (let c = 0; c < kept; c++) {
    const w = alpha + (1 - alpha) / Math.sqrt(values[c]);
    for (let i = 0; i < r; i++) {
      const vi = vectors![c * r + i] * w;
      for (let j = 0; j < r; j++) z[i * r + j] += vi * vectors![c * r + j];
    }
  }
  return z;
}

/** Singular vector pairs (u_k, v_k) of M (p x q) with non-zero singular values, through the smaller Gram. */
function singularPairs(mm: Float64Array, p: number, q: number): { u: Float64Array; v: Float64Array; k: number } {
  const small = Math.min(p, q);
  const g = p <= q ? crossProductTransB(mm, p, q) : crossProductTransA(mm, p, q);
  const { values, vectors } = symmetricEigen(g, small, { vectors: true });
  const k = keptRank(values);
  const u = new Float64Array(p * k),
    v = new Float64Array(q * k);
  for (let c = 0; c < k; c++) {
    const s = Math.sqrt(values[c]);
    if (p <= q) {
      for (let i = 0; i < p; i++) u[i * k + c] = vectors![c * p + i];
      for (let j = 0; j < q; j++) {
        let acc = 0;
        for (let i = 0; i < p; i++) acc += mm[i * q + j] * u[i * k + c];
        v[j * k + c] = acc / s;
      }
    } else {
      for (let j = 0; j < q; j++) v[j * k + c] = vectors![c * q + j];
      for (let i = 0; i < p; i++) {
        let acc = 0;
        for (let j = 0; j < q; j++) acc += mm[i * q + j] * v[j * k + c];
        u[i * k + c] = acc / s;
      }
    }
  }
  return { u, v, k };
}

/** A fold's held-out stimuli and, per stimulus, its terms of the angle: <X Wx, Y Wy> and the two squared norms. */
export interface HeldOutTerms {
  test: Int32Array;
  inner: Float64Array;
  normX: Float64Array;
  normY: Float64Array;
}

/** The angle from summed held-out terms (all of a fold's stimuli, or those in `weight` with their multiplicity). */
export function angleOfTerms(t: HeldOutTerms, weight?: Float64Array): number | null {
  let inner = 0,
    nx = 0,
    ny = 0;
  for (let k = 0; k < t.test.length; k++) {
    const w = weight ? weight[t.test[k]] : 1;
    if (!w) continue;
    inner += w * t.inner[k];
    nx += w * t.normX[k];
    ny += w * t.normY[k];
  }
  if (!(nx > 0) || !(ny > 0)) return null;
  return Math.acos(Math.min(1, Math.max(-1, inner / Math.sqrt(nx * ny))));
}

/** Align X and Y on rows `train`; the per-stimulus terms of their angle on rows `test`. */
export function alignedTerms(x: Factor, y: Factor, train: ArrayLike<number>, test: ArrayLike<number>, alpha: number, yRowOrder?: Int32Array): HeldOutTerms {
  const yTrainRows = yRowOrder ? Array.from(train, (i) => yRowOrder[i]) : train;
  const yTestRows = yRowOrder ? Array.from(test, (i) => yRowOrder[i]) : test;
  const xt = factorRows(x, train),
    yt = factorRows(y, yTrainRows);
  const m = train.length;
  const zx = whitening(xt.data, m, x.r, alpha),
    zy = whitening(yt.data, m, y.r, alpha);
  const xw = matmul(xt.data, zx, m, x.r, x.r),
    yw = matmul(yt.data, zy, m, y.r, y.r);
  const mm = matmul(transpose(xw, m, x.r), yw, x.r, m, y.r); // M = Xw^T Yw (rx x ry)
  const { u, v, k } = singularPairs(mm, x.r, y.r);
  // Held-out rows centred with the training means, whitened with the training Z.
  const xs = factorRows(x, test, train),
    ys = factorRows(y, yTestRows, yTrainRows);
  const nt = test.length;
  const ax = matmul(xs.data, zx, nt, x.r, x.r),
    ay = matmul(ys.data, zy, nt, y.r, y.r);
  const pu = matmul(ax, u, nt, x.r, k),
    pv = matmul(ay, v, nt, y.r, k);
  const inner = new Float64Array(nt),
    normX = new Float64Array(nt),
    normY = new Float64Array(nt);
  for (let i = 0; i < nt; i++) {
    for (let c = 0; c < k; c++) inner[i] += pu[i * k + c] * pv[i * k + c];
    for (let c = 0; c < x.r; c++) normX[i] += ax[i * x.r + c] ** 2;
    for (let c = 0; c < y.r; c++) normY[i] += ay[i * y.r + c] ** 2;
  }
  return { test: Int32Array.from(test), inner, normX, normY };
}

/** The angle between X and Y on rows `test` after aligning them on rows `train`. */
export function alignedAngle(x: Factor, y: Factor, train: ArrayLike<number>, test: ArrayLike<number>, alpha: number, yRowOrder?: Int32Array): number {
  return angleOfTerms(alignedTerms(x, y, train, test, alpha, yRowOrder)) ?? Math.PI / 2;
}

/** Cross-validated shape distance: the mean held-out angle over the folds. */
export function shapeDistance(x: Factor, y: Factor, alpha: number, fold: Int32Array, folds: number, yRowOrder?: Int32Array): ShapeDistance {
  const terms = foldRows(fold, folds).map(({ train, test }) => alignedTerms(x, y, train, test, alpha, yRowOrder));
  const perFold = terms.map((t) => angleOfTerms(t) ?? Math.PI / 2);
  return { alpha, distance: perFold.reduce((a, b) => a + b, 0) / perFold.length, perFold, terms };
}

/** The cross-validated distance refitted on the stimuli `keep` only (each fold trains and tests on its kept stimuli). */
export function shapeDistanceOn(x: Factor, y: Factor, alpha: number, fold: Int32Array, folds: number, keep: Int32Array): number {
  const angles: number[] = [];
  for (let f = 0; f < folds; f++) {
    const train = keep.filter((i) => fold[i] !== f),
      test = keep.filter((i) => fold[i] === f);
    if (!test.length || train.length < 2) continue;
    const a = angleOfTerms(alignedTerms(x, y, train, test, alpha));
    if (a !== null) angles.push(a);
  }
  return angles.length ? angles.reduce((a, b) => a + b, 0) / angles.length : NaN;
}

/**
 * The cross-validated distance on some stimuli (with multiplicity), from the folds' held-out terms
 * without refitting: each fold's angle over its kept held-out stimuli, averaged over the folds
 * that keep any (as predictivity's intervals reuse its out-of-fold predictions).
 */
export function shapeDistanceOnRows(s: ShapeDistance, n: number, rows: ArrayLike<number>): number {
  const weight = new Float64Array(n);
  for (let k = 0; k < rows.length; k++) weight[rows[k]]++;
  let sum = 0,
    count = 0;
  for (const t of s.terms) {
    const a = angleOfTerms(t, weight);
    if (a === null) continue;
    sum += a;
    count++;
  }
  return count ? sum / count : NaN;
}

/** The in-sample angle (fitted and measured on all stimuli), as netrep's fit_score. */
export function shapeDistanceInSample(x: Factor, y: Factor, alpha: number): number {
  const all = Int32Array.from({ length: x.n }, (_, i) => i);
  return alignedAngle(x, y, all, all, alpha);
}
