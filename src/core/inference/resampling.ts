/** Resampling indices (bootstrap draws, cross-validation folds) and percentiles. */

import type { Rng } from '../random.js';

/** n row indices drawn with replacement from 0..n-1. */
export function bootstrapIndices(rng: Rng, n: number): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = rng.int(n);
  return idx;
}

/**
 * Assign n items to k folds of (almost) equal size after a seeded shuffle.
 * Returns fold[i] in 0..k-1.
 */
export function foldAssignment(rng: Rng, n: number, k: number): Int32Array {
  if (k < 2 || k > n) throw new RangeError(`need 2 <= folds <= n, got ${k} folds for ${n} items`);
  const perm = rng.permutation(n);
  const fold = new Int32Array(n);
  for (let r = 0; r < n; r++) fold[perm[r]] = r % k;
  return fold;
}

/**
 * The q-th percentile (0..100) with linear interpolation between order statistics, numpy's
 * default ("linear") method. NaN values are ignored; all-NaN gives NaN.
 */
export function percentile(values: ArrayLike<number>, q: number): number {
  const v = Array.from(values)
    .filter((x) => !Number.isNaN(x))
    .sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const pos = (q / 100) * (v.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

/** A 95 % percentile interval. */
export interface Interval {
  lo: number;
  hi: number;
}
