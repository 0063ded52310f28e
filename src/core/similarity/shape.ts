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

export interface ShapeDistance {
  alpha: number;
  /** Mean over folds of the held-out angle (radians, 0 = same shape). */
  distance: number;
  /** Held-out angle of each fold. */
  perFold: number[];
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

/** The angle between X and Y on rows `test` after aligning them on rows `train`. */
export function alignedAngle(x: Factor, y: Factor, train: ArrayLike<number>, test: ArrayLike<number>, alpha: number, yRowOrder?: Int32Array): number {
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
  let nx = 0,
    ny = 0;
  for (const a of ax) nx += a * a;
  for (const a of ay) ny += a * a;
  const pu = matmul(ax, u, nt, x.r, k),
    pv = matmul(ay, v, nt, y.r, k);
  let inner = 0;
  for (let i = 0; i < pu.length; i++) inner += pu[i] * pv[i];
  const c = inner / Math.sqrt(nx * ny);
  return Math.acos(Math.min(1, Math.max(-1, c)));
}

/** Cross-validated shape distance: the mean held-out angle over the folds. */
export function shapeDistance(x: Factor, y: Factor, alpha: number, fold: Int32Array, folds: number, yRowOrder?: Int32Array): ShapeDistance {
  const perFold = foldRows(fold, folds).map(({ train, test }) => alignedAngle(x, y, train, test, alpha, yRowOrder));
  return { alpha, distance: perFold.reduce((a, b) => a + b, 0) / perFold.length, perFold };
}

/** The in-sample angle (fitted and measured on all stimuli), as netrep's fit_score. */
export function shapeDistanceInSample(x: Factor, y: Factor, alpha: number): number {
  const all = Int32Array.from({ length: x.n }, (_, i) => i);
  return alignedAngle(x, y, all, all, alpha);
}
