/**
 * Noise ceilings from two independent halves of the repeated trials (each half averaged per
 * stimulus): the split-half correlation of every neuron, Spearman-Brown corrected to the
 * reliability of the full average, rho = 2 r / (1 + r). A perfect model predicts the signal, whose
 * correlation with the noisy full average is sqrt(rho): that is the predictivity ceiling of the
 * neuron. docs/observables.md 7.5.
 */

import type { ResponseMatrix } from '../matrix.js';
import { median, pearson, spearmanBrown } from './correlation.js';

export interface SplitHalfReliability {
  /** Split-half correlation per neuron (NaN without variance). */
  splitHalf: Float64Array;
  /** Spearman-Brown corrected reliability of the full average per neuron. */
  reliability: Float64Array;
  /** Median reliability over neurons. */
  medianReliability: number;
  /** Predictivity ceiling: the median over neurons of sqrt(max(rho, 0)). */
  predictivityCeiling: number;
}

/** Split-half reliability of every neuron from the two halves' trial averages (n stimuli x d). */
export function splitHalfReliability(a: ResponseMatrix, b: ResponseMatrix): SplitHalfReliability {
  const d = a.d;
  const splitHalf = new Float64Array(d),
    reliability = new Float64Array(d),
    root = new Float64Array(d);
  const x = new Float64Array(a.n),
    y = new Float64Array(a.n);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < a.n; i++) {
      x[i] = a.data[i * d + j];
      y[i] = b.data[i * d + j];
    }
    splitHalf[j] = pearson(x, y);
    reliability[j] = spearmanBrown(splitHalf[j]);
    root[j] = Number.isFinite(reliability[j]) ? Math.sqrt(Math.max(reliability[j], 0)) : NaN;
  }
  return { splitHalf, reliability, medianReliability: median(reliability), predictivityCeiling: median(root) };
}
