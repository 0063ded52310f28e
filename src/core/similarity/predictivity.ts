/**
 * Linear predictivity (Brain-Score's neural predictivity, Schrimpf et al. 2018): ridge regression
 * from a source representation to every neuron of a target, the ridge penalty chosen per neuron
 * inside each training fold by exact leave-one-out error (PRESS), scored by the median over
 * neurons of the Pearson correlation between held-out predictions and responses.
 *
 * Every stimulus is predicted once, by the fold that left it out; the Pearson r is taken within
 * each fold and averaged over folds (Brain-Score's convention). The out-of-fold predictions are
 * kept, so intervals and the layer bootstrap resample stimuli without refitting.
 * docs/observables.md section 7.1.
 */

import { crossProductTransA, crossProductTransB, matmul, transpose } from '../linalg/products.js';
import { keptRank, symmetricEigen } from '../linalg/eigen.js';
import type { ResponseMatrix } from '../matrix.js';
import { median } from './correlation.js';
import { factorRows, type Factor } from './factor.js';

/** Penalties tried, as multiples of the mean non-zero eigenvalue of the training scatter. */
export const RIDGE_GRID: readonly number[] = Array.from({ length: 13 }, (_, i) => 10 ** (-3 + i / 2));

export interface Predictivity {
  /** Median over neurons of the held-out Pearson r. */
  score: number;
  /** Held-out Pearson r per target neuron (NaN for a neuron without variance). */
  perNeuron: Float64Array;
  /** Out-of-fold predictions, n x q. */
  predictions: Float64Array;
  /** Penalty chosen per fold and neuron, as a multiple of the mean eigenvalue (folds x q). */
  penalties: Float64Array;
}

/** One training fold's thin SVD of the centred source, and the test rows' coordinates. */
export interface FoldBasis {
  train: Int32Array;
  test: Int32Array;
  /** ntr x k left singular vectors. */
  u: Float64Array;
  s2: Float64Array;
  /** nte x k: (F_test - mean_train) V. */
  testScores: Float64Array;
  k: number;
  meanEigen: number;
}

/** Rows of each fold (fold[i] in 0..K-1). */
export function foldRows(fold: Int32Array, k: number): { train: Int32Array; test: Int32Array }[] {
  return Array.from({ length: k }, (_, f) => ({
    train: Int32Array.from([...fold.keys()].filter((i) => fold[i] !== f)),
    test: Int32Array.from([...fold.keys()].filter((i) => fold[i] === f)),
  }));
}

/** The per-fold decompositions of a source representation (reused across targets and permutations). */
export function foldBases(source: Factor, fold: Int32Array, folds: number): FoldBasis[] {
  return foldRows(fold, folds).map(({ train, test }) => {
    const { data: x, mean } = factorRows(source, train);
    const ntr = train.length,
      r = source.r;
    let u: Float64Array,
      s2: Float64Array,
      v: Float64Array | null = null,
      k: number;
    if (r <= ntr) {
      const e = symmetricEigen(crossProductTransA(x, ntr, r), r, { vectors: true });
      k = keptRank(e.values);
      s2 = e.values.slice(0, k);
      v = new Float64Array(r * k); // r x k
      u = new Float64Array(ntr * k);
      for (let c = 0; c < k; c++) {
        const s = Math.sqrt(s2[c]);
        for (let j = 0; j < r; j++) v[j * k + c] = e.vectors![c * r + j];
        for (let i = 0; i < ntr; i++) {
          let acc = 0;
          for (let j = 0; j < r; j++) acc += x[i * r + j] * e.vectors![c * r + j];
          u[i * k + c] = acc / s;
        }
      }
    } else {
      const e = symmetricEigen(crossProductTransB(x, ntr, r), ntr, { vectors: true });
      k = keptRank(e.values);
      s2 = e.values.slice(0, k);
      u = new Float64Array(ntr * k);
      for (let c = 0; c < k; c++) for (let i = 0; i < ntr; i++) u[i * k + c] = e.vectors![c * ntr + i];
    }
    // Test coordinates: (F_test - mean) V, with V = X^T U / s when it was not formed.
    const nte = test.length;
    const testScores = new Float64Array(nte * k);
    for (let t = 0; t < nte; t++) {
      const o = test[t] * r;
      const row = new Float64Array(r);
      for (let j = 0; j < r; j++) row[j] = source.data[o + j] - mean[j];
      if (v) {
        for (let c = 0; c < k; c++) {
          let acc = 0;
          for (let j = 0; j < r; j++) acc += row[j] * v[j * k + c];
          testScores[t * k + c] = acc;
        }
      } else {
        const xr = new Float64Array(ntr); // x_train . row
        for (let i = 0; i < ntr; i++) {
          let acc = 0;
          for (let j = 0; j < r; j++) acc += x[i * r + j] * row[j];
          xr[i] = acc;
        }
        for (let c = 0; c < k; c++) {
          let acc = 0;
          for (let i = 0; i < ntr; i++) acc += xr[i] * u[i * k + c];
          testScores[t * k + c] = acc / Math.sqrt(s2[c]);
        }
      }
    }
    let sum = 0;
    for (let c = 0; c < k; c++) sum += s2[c];
    return { train, test, u, s2, testScores, k, meanEigen: k > 0 ? sum / k : 0 };
  });
}

/**
 * Held-out ridge predictions of every column of `target` (n x q) from the source's fold bases;
 * `rowOrder` (optional) reads target row rowOrder[i] for stimulus i (a permutation null).
 */
export function ridgePredictions(bases: FoldBasis[], target: ResponseMatrix, rowOrder?: Int32Array): { predictions: Float64Array; penalties: Float64Array } {
  const n = target.n,
    q = target.d;
  const y = (i: number, j: number) => target.data[(rowOrder ? rowOrder[i] : i) * q + j];
  const predictions = new Float64Array(n * q);
  const penalties = new Float64Array(bases.length * q);
  bases.forEach((b, f) => {
    const ntr = b.train.length,
      k = b.k;
    // Centred training targets and U^T Yc.
    const ym = new Float64Array(q);
    for (const i of b.train) for (let j = 0; j < q; j++) ym[j] += y(i, j);
    for (let j = 0; j < q; j++) ym[j] /= ntr;
    const yc = new Float64Array(ntr * q);
    for (let t = 0; t < ntr; t++) for (let j = 0; j < q; j++) yc[t * q + j] = y(b.train[t], j) - ym[j];
    const uty = matmul(transpose(b.u, ntr, k), yc, k, ntr, q);
    // PRESS for every penalty of the grid, per neuron: residual / (1 - leverage), leverage
    // including the unpenalised intercept (1 / ntr).
    const best = new Float64Array(q).fill(Infinity);
    const choice = new Int32Array(q);
    const us = new Float64Array(ntr * k),
      h = new Float64Array(ntr);
    RIDGE_GRID.forEach((g, gi) => {
      const lambda = g * b.meanEigen;
      h.fill(1 / ntr);
      for (let t = 0; t < ntr; t++) {
        for (let c = 0; c < k; c++) {
          const w = b.u[t * k + c] * (b.s2[c] / (b.s2[c] + lambda));
          us[t * k + c] = w;
          h[t] += b.u[t * k + c] * w;
        }
      }
      const fitted = matmul(us, uty, ntr, k, q);
      const press = new Float64Array(q);
      for (let t = 0; t < ntr; t++) {
        const inv = 1 / (1 - h[t]);
        const o = t * q;
        for (let j = 0; j < q; j++) {
          const e = (yc[o + j] - fitted[o + j]) * inv;
          press[j] += e * e;
        }
      }
      for (let j = 0; j < q; j++) {
        if (press[j] < best[j]) {
          best[j] = press[j];
          choice[j] = gi;
        }
      }
    });
    for (let j = 0; j < q; j++) penalties[f * q + j] = RIDGE_GRID[choice[j]];
    // Predictions of the held-out rows: mean + sum_c P_tc s_c / (s_c^2 + lambda) (U^T y)_c.
    for (let t = 0; t < b.test.length; t++) {
      const o = b.test[t] * q;
      for (let j = 0; j < q; j++) {
        const lambda = RIDGE_GRID[choice[j]] * b.meanEigen;
        let acc = ym[j];
        for (let c = 0; c < k; c++) acc += ((b.testScores[t * k + c] * Math.sqrt(b.s2[c])) / (b.s2[c] + lambda)) * uty[c * q + j];
        predictions[o + j] = acc;
      }
    }
  });
  return { predictions, penalties };
}

/**
 * Per-neuron held-out correlation (Brain-Score's convention): the Pearson r between predictions and
 * responses within each fold, averaged over the folds, on the given rows (all by default). Within a
 * fold the predictions come from a model fitted without those responses, so a map that predicts
 * nothing scores 0 on average. (One r over all out-of-fold predictions is biased negative on
 * unrelated data, about -0.1 at 60 stimuli and 5 folds: each fold's model was fitted on the other
 * folds' responses.)
 */
export function heldOutCorrelations(
  predictions: Float64Array,
  target: ResponseMatrix,
  fold: Int32Array,
  rows?: ArrayLike<number>,
  rowOrder?: Int32Array,
): Float64Array {
  const q = target.d;
  const idx = rows ?? Int32Array.from({ length: target.n }, (_, i) => i);
  let folds = 0;
  for (let t = 0; t < idx.length; t++) folds = Math.max(folds, fold[idx[t]] + 1);
  const members: number[][] = Array.from({ length: folds }, () => []);
  for (let t = 0; t < idx.length; t++) members[fold[idx[t]]].push(idx[t]);
  const r = new Float64Array(q);
  const rowOf = (i: number) => (rowOrder ? rowOrder[i] : i);
  for (let j = 0; j < q; j++) {
    let sum = 0,
      used = 0;
    for (const m of members) {
      if (m.length < 3) continue;
      // One pass of sums (no arrays: the bootstrap calls this for every resample).
      let sa = 0,
        sb = 0;
      for (const i of m) {
        sa += predictions[i * q + j];
        sb += target.data[rowOf(i) * q + j];
      }
      const ma = sa / m.length,
        mb = sb / m.length;
      let sab = 0,
        saa = 0,
        sbb = 0;
      for (const i of m) {
        const x = predictions[i * q + j] - ma,
          y = target.data[rowOf(i) * q + j] - mb;
        sab += x * y;
        saa += x * x;
        sbb += y * y;
      }
      if (saa > 0 && sbb > 0) {
        sum += sab / Math.sqrt(saa * sbb);
        used++;
      }
    }
    r[j] = used ? sum / used : NaN;
  }
  return r;
}

/** Linear predictivity of `target` from `source` with the given folds. */
export function linearPredictivity(source: Factor, target: ResponseMatrix, fold: Int32Array, folds: number): Predictivity {
  const bases = foldBases(source, fold, folds);
  const { predictions, penalties } = ridgePredictions(bases, target);
  const perNeuron = heldOutCorrelations(predictions, target, fold);
  return { score: median(perNeuron), perNeuron, predictions, penalties };
}
