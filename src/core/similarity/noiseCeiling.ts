/**
 * Noise-extrapolated ceilings (compare/3, docs/observables.md 7.5): the expected similarity of a
 * perfect model (the noiseless signal) with a recording's noisy full average, for any similarity.
 *
 * Write c(t) for the expected similarity of two independent noisy copies of the signal whose noise
 * covariances are t times that of one half of the trials. The halves give c(1); the full average
 * carries noise t = 1/2, and for a similarity whose noise enters each side separately the ceiling
 * is sqrt(c(1/2)). Spearman-Brown's step from c(1) to c(1/2) assumes c(t) = 1 / (1 + k t), which
 * is right for a Pearson correlation but not for measures whose noise terms grow with the square
 * of the noise variance (CKA's HSIC, RDM entries from products of noisy patterns): their split-half
 * similarity falls faster, and Spearman-Brown reads them as noisier than they are (normalised
 * scores up to 1.2 at reliability 0.3). Here c(t) = 1 / (1 + k1 t + k2 t^2), k1, k2 >= 0,
 * through the observed c(1), with the split between k1 and k2 measured by adding simulated noise
 * to the halves (t = 1.5, 2, 3; SIMEX, Cook & Stefanski 1994). The simulated noise has the halves'
 * noise covariance, estimated from their differences with Ledoit-Wolf shrinkage (the raw sample
 * covariance of n differences inflates quadratic noise terms by about 1 + d / n).
 */

import { crossProductTransB, matmul } from '../linalg/products.js';
import { jackknifeGroups, jackknifeIntervals, keptUnits, MIN_JACKKNIFE_UNITS } from '../inference/jackknife.js';
import { responseMatrix, selectRows, type ResponseMatrix } from '../matrix.js';
import { Rng } from '../random.js';

/** Noise levels (in units of one half's noise) added by simulation. */
export const SIMULATED_LEVELS = [1.5, 2, 3] as const;
/** Simulated noise draws per level (the same draws, scaled, at every level). */
export const SIMULATED_DRAWS = 8;

export interface NoiseCeiling {
  /** The ceiling: expected similarity of the signal with the full average. */
  ceiling: number;
  /** The similarity of the two halves, c(1). */
  halfSimilarity: number;
  /** Share of k2 in k1 + k2 (0: Spearman-Brown's form; 1: all noise terms quadratic). */
  quadraticShare: number;
  /** The simulated c(t) at SIMULATED_LEVELS (mean over draws). */
  simulated: number[];
  /**
   * 95 % interval of the ceiling: grouped jackknife over stimuli of the halves' similarity, the
   * fitted share held (ceilingInterval; null until asked for, or with too few stimuli).
   */
  interval: [number, number] | null;
}

/** Jackknife groups of stimuli behind a ceiling's interval. */
export const CEILING_GROUPS = 20;

/**
 * A sampler of noise with the covariance of one half's noise, from the halves' differences
 * x_k = (a_k - b_k) / sqrt 2 (each with that covariance): Ledoit-Wolf's shrinkage of their
 * second moment towards a multiple of the identity, drawn as iso * Z + mix * G X / sqrt n
 * (Z n x d, G n x n standard normal), whose covariance is the shrunk estimate.
 */
export function halfNoiseSampler(a: ResponseMatrix, b: ResponseMatrix): (rng: Rng) => Float64Array {
  const { n, d } = a;
  const x = new Float64Array(n * d);
  for (let i = 0; i < n * d; i++) x[i] = (a.data[i] - b.data[i]) / Math.SQRT2;
  // Ledoit & Wolf (2004), lemma 3.2 ff., with the mean known to be 0, from the n x n Gram matrix.
  const g = crossProductTransB(x, n, d);
  let trace = 0,
    frobenius = 0,
    fourth = 0,
    quadratic = 0;
  for (let i = 0; i < n; i++) {
    trace += g[i * n + i] / n;
    fourth += g[i * n + i] ** 2;
    let row = 0;
    for (let j = 0; j < n; j++) row += g[i * n + j] ** 2;
    frobenius += row / (n * n);
    quadratic += row / n;
  }
  const m = trace / d;
  const spread = (frobenius - 2 * m * trace + m * m * d) / d;
  const sampling = (fourth - 2 * quadratic + n * frobenius) / (n * n) / d;
  const shrink = spread > 0 ? Math.min(sampling, spread) / spread : 1;
  const iso = Math.sqrt(shrink * m),
    mix = Math.sqrt((1 - shrink) / n);
  return (rng) => {
    const gauss = Float64Array.from({ length: n * n }, () => rng.normal() * mix);
    const out = matmul(gauss, x, n, n, d);
    for (let i = 0; i < n * d; i++) out[i] += iso * rng.normal();
    return out;
  };
}

/** c(t) = 1 / (1 + K ((1 - q) t + q t^2)). */
const model = (k: number, q: number, t: number) => 1 / (1 + k * ((1 - q) * t + q * t * t));

/**
 * The noise-extrapolated ceiling of `similarity` for a recording with trial-average halves a and b.
 * `similarity` takes two n x d matrices; null where the halves' similarity is undefined.
 */
export function noiseExtrapolatedCeiling(
  similarity: (x: ResponseMatrix, y: ResponseMatrix) => number,
  a: ResponseMatrix,
  b: ResponseMatrix,
  seed: number,
): NoiseCeiling | null {
  const r1 = similarity(a, b);
  if (!Number.isFinite(r1)) return null;
  if (r1 <= 0) return { ceiling: 0, halfSimilarity: r1, quadraticShare: 0, simulated: [], interval: null };
  if (r1 >= 1) return { ceiling: 1, halfSimilarity: r1, quadraticShare: 0, simulated: [], interval: null };
  const draw = halfNoiseSampler(a, b);
  const rng = new Rng(seed);
  const sums = SIMULATED_LEVELS.map(() => 0),
    counts = SIMULATED_LEVELS.map(() => 0);
  for (let r = 0; r < SIMULATED_DRAWS; r++) {
    const e1 = draw(rng),
      e2 = draw(rng);
    SIMULATED_LEVELS.forEach((t, k) => {
      const s = Math.sqrt(t - 1);
      const v = similarity(
        responseMatrix(
          a.n,
          a.d,
          a.data.map((v, i) => v + s * e1[i]),
        ),
        responseMatrix(
          b.n,
          b.d,
          b.data.map((v, i) => v + s * e2[i]),
        ),
      );
      if (Number.isFinite(v)) {
        sums[k] += v;
        counts[k]++;
      }
    });
  }
  const simulated = sums.map((s, k) => (counts[k] ? s / counts[k] : NaN));
  const k = 1 / r1 - 1;
  // Least squares in c over the share q in [0, 1] (a grid: one parameter, a bounded range).
  let best = Infinity,
    q = 0;
  for (let step = 0; step <= 200; step++) {
    const share = step / 200;
    let err = 0;
    SIMULATED_LEVELS.forEach((t, i) => {
      if (Number.isFinite(simulated[i])) err += (simulated[i] - model(k, share, t)) ** 2;
    });
    if (err < best - 1e-15) {
      best = err;
      q = share;
    }
  }
  return { ceiling: ceilingFromHalves(r1, q), halfSimilarity: r1, quadraticShare: q, simulated, interval: null };
}

/** The ceiling from a halves' similarity r at a quadratic share q (0: Spearman-Brown). */
export function ceilingFromHalves(r: number, q: number): number {
  if (!(r > 0)) return 0;
  if (r >= 1) return 1;
  return Math.sqrt(model(1 / r - 1, q, 0.5));
}

/**
 * The 95 % interval of a ceiling `c` (from noiseExtrapolatedCeiling on the same halves): grouped
 * jackknife over stimuli of the halves' similarity, mapped through the fitted share.
 */
export function ceilingInterval(
  similarity: (x: ResponseMatrix, y: ResponseMatrix) => number,
  a: ResponseMatrix,
  b: ResponseMatrix,
  c: NoiseCeiling,
  seed: number,
): [number, number] | null {
  if (a.n < Math.max(MIN_JACKKNIFE_UNITS, CEILING_GROUPS)) return null;
  const q = c.quadraticShare;
  const groups = jackknifeGroups(a.n, CEILING_GROUPS, seed);
  const j = jackknifeIntervals({ c: c.ceiling }, CEILING_GROUPS, seed, (g) => {
    const keep = keptUnits(groups, g);
    return { c: ceilingFromHalves(similarity(selectRows(a, keep), selectRows(b, keep)), q) };
  });
  const iv = j.bounds.c;
  return iv && iv.lo !== null && iv.hi !== null ? [Math.max(0, iv.lo), Math.min(1, iv.hi)] : null;
}
