/**
 * Effective dimension of a representation (OBSERVABLES.md section 1): D_eff = exp(H) of the
 * normalised covariance spectrum, the participation ratio, the power-law exponent alpha, the
 * noise-corrected cvPCA variant, and bootstrap intervals.
 *
 * Choices where OBSERVABLES.md is silent (also in the README):
 * - alpha's default upper rank is floor(min(500, rank / 2)); "rank" is the number of kept
 *   eigenvalues (for cvPCA: the number of positive signal variances).
 * - cvPCA: with r repeats of a stimulus, half A takes floor(r / 2) random repeats and half B the
 *   rest; both halves are centred over stimuli; signal variance is a mean over stimuli (divide
 *   by the number of stimuli). The split-averaged curve is kept whole (negatives included);
 *   D_eff, PR and alpha use its positive entries at their original ranks.
 * - Bootstrap intervals are numpy's default "linear" percentiles; resamples whose spectrum is
 *   degenerate (all-zero variance) are skipped and counted.
 */

import { centerColumns, InputError, selectRows, type ResponseMatrix } from './matrix.js';
import { covarianceSpectrum, keptRank, principalAxes, symmetricEigen } from './linalg.js';
import { linearGram } from './cka.js';
import { bootstrapScalars, fitLine, Rng, type BootstrapSummary } from './stats.js';

export type { BootstrapSummary } from './stats.js';

/** An analysis that cannot give a number for this data (exit code 1 in the CLI). */
export class AnalysisError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnalysisError';
  }
}

export interface PowerLawOptions {
  /** First rank of the fit (1-based). Default 10. */
  nmin?: number;
  /** Last rank of the fit. Default floor(min(500, rank / 2)). */
  nmax?: number;
}

export interface PowerLawExponent {
  /** alpha in lambda_n ~ n^-alpha; null when fewer than 2 ranks are available. */
  alpha: number | null;
  /** Ranks [first, last] the fit used. */
  alphaRange: [number, number];
  /** R^2 of the log-log fit. */
  alphaR2: number | null;
}

/** Observables computed from one eigenvalue spectrum. */
export interface SpectrumObservables extends PowerLawExponent {
  effectiveDimension: number;
  participationRatio: number;
  /** Number of eigenvalues kept. */
  rank: number;
  /** The kept eigenvalues, normalised to sum 1, in descending order. */
  spectrum: number[];
}

export interface CvPcaResult extends SpectrumObservables {
  /** Split-averaged signal variance per component (negative values kept). */
  signalVariance: number[];
  splits: number;
  stimuli: number;
  /** Smallest number of repeats of any stimulus. */
  minRepeats: number;
}

export interface DimensionResult extends SpectrumObservables {
  n: number;
  d: number;
  /** Sum of the covariance eigenvalues (total variance). */
  totalVariance: number;
  cvPCA?: CvPcaResult;
  bootstrap?: BootstrapSummary;
}

export interface DimensionOptions extends PowerLawOptions {
  /** Row groups (repeats of each stimulus) for cvPCA; each group needs >= 2 rows. */
  repeats?: readonly (readonly number[])[];
  /** The trials matrix the repeat groups index into; defaults to the matrix itself. */
  trials?: ResponseMatrix;
  /** Number of random A/B splits for cvPCA. Default 5. */
  splits?: number;
  /** Bootstrap resamples (0 = none). */
  bootstrap?: number;
  seed?: number;
  onProgress?: (done: number, total: number) => void;
}

/** alpha of lambda_n ~ n^-alpha by least squares of ln lambda on ln n over a rank range. */
export function powerLawExponent(values: ArrayLike<number>, ranks: ArrayLike<number> | null, opts: PowerLawOptions = {}): PowerLawExponent {
  const rankOf = (i: number): number => (ranks ? ranks[i] : i + 1);
  const count = values.length;
  const rank = count > 0 ? rankOf(count - 1) : 0;
  let lo = opts.nmin ?? 10;
  let hi = opts.nmax ?? Math.floor(Math.min(500, rank / 2));
  const inRange = (a: number, b: number): number[] => {
    const idx: number[] = [];
    for (let i = 0; i < count; i++) if (rankOf(i) >= a && rankOf(i) <= b) idx.push(i);
    return idx;
  };
  let idx = inRange(lo, hi);
  if (idx.length < 5) {
    lo = 1;
    hi = rank;
    idx = inRange(lo, hi);
  }
  const x = idx.map((i) => Math.log(rankOf(i)));
  const y = idx.map((i) => Math.log(values[i]));
  const fit = fitLine(x, y);
  if (!Number.isFinite(fit.slope)) return { alpha: null, alphaRange: [lo, hi], alphaR2: null };
  return { alpha: -fit.slope, alphaRange: [lo, hi], alphaR2: fit.r2 };
}

/**
 * D_eff, PR and alpha from positive values (descending or not), at the given 1-based ranks.
 * Values must already be filtered to the kept ones.
 */
function observablesOf(values: ArrayLike<number>, ranks: ArrayLike<number> | null, opts: PowerLawOptions): SpectrumObservables {
  let sum = 0, sumSq = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    sumSq += values[i] * values[i];
  }
  let h = 0;
  const spectrum: number[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const p = values[i] / sum;
    spectrum[i] = p;
    if (p > 0) h -= p * Math.log(p);
  }
  return {
    effectiveDimension: Math.exp(h),
    participationRatio: (sum * sum) / sumSq,
    rank: values.length,
    spectrum,
    ...powerLawExponent(values, ranks, opts),
  };
}

/** Observables of a covariance spectrum (descending eigenvalues, zeros allowed). */
export function spectrumObservables(eigenvalues: Float64Array, opts: PowerLawOptions = {}): SpectrumObservables {
  const r = keptRank(eigenvalues);
  if (r === 0) throw new AnalysisError('every neuron has zero variance over the stimuli; the effective dimension is undefined');
  return observablesOf(eigenvalues.subarray(0, r), null, opts);
}

/** Covariance eigenvalues of a response matrix (descending), via the smaller of covariance and Gram. */
export function covarianceEigenvalues(m: ResponseMatrix): Float64Array {
  if (m.d > m.n) {
    // The n x n Gram route; the Gram matrix is cached for CKA on the same matrix.
    const values = symmetricEigen(linearGram(m), m.n).values;
    for (let i = 0; i < values.length; i++) values[i] /= m.n - 1;
    return values;
  }
  return covarianceSpectrum(centerColumns(m).data, m.n, m.d);
}

/** Effective dimension and its companions for one response matrix (rows = stimuli). */
export function effectiveDimension(m: ResponseMatrix, opts: DimensionOptions = {}): DimensionResult {
  if (m.n < 2) throw new InputError(`needs at least 2 stimuli, got ${m.n}`);
  const values = covarianceEigenvalues(m);
  let total = 0;
  for (const v of values) total += Math.max(0, v);
  const result: DimensionResult = { n: m.n, d: m.d, totalVariance: total, ...spectrumObservables(values, opts) };
  const seed = opts.seed ?? 0;
  if (opts.repeats) result.cvPCA = cvPCA(opts.trials ?? m, opts.repeats, { ...opts, seed });
  if (opts.bootstrap && opts.bootstrap > 0) {
    result.bootstrap = opts.repeats
      ? bootstrapWithRepeats(m, opts.trials ?? m, opts.repeats, opts.bootstrap, seed, opts)
      : bootstrapDimension(m, opts.bootstrap, seed, opts, opts.onProgress);
  }
  return result;
}

/**
 * Noise-corrected spectrum (cvPCA, Stringer et al. 2019): principal axes from one half of the
 * repeats, signal variance as the covariance of both halves' projections on each axis.
 */
export function cvPCA(trials: ResponseMatrix, repeats: readonly (readonly number[])[], opts: PowerLawOptions & { splits?: number; seed?: number } = {}): CvPcaResult {
  const nStim = repeats.length;
  if (nStim < 2) throw new InputError(`cvPCA needs at least 2 stimuli, got ${nStim}`);
  let minRepeats = Infinity;
  for (const g of repeats) minRepeats = Math.min(minRepeats, g.length);
  if (minRepeats < 2) throw new InputError(`cvPCA needs at least 2 repeats of every stimulus; one stimulus has ${minRepeats}`);
  const splits = opts.splits ?? 5;
  const rng = new Rng(opts.seed ?? 0);
  const d = trials.d;
  let curve: Float64Array | null = null;
  for (let s = 0; s < splits; s++) {
    const a = new Float64Array(nStim * d);
    const b = new Float64Array(nStim * d);
    repeats.forEach((rows, i) => {
      const order = rng.permutation(rows.length);
      const half = Math.floor(rows.length / 2);
      for (let t = 0; t < rows.length; t++) {
        const target = t < half ? a : b;
        const src = rows[order[t]] * d;
        for (let j = 0; j < d; j++) target[i * d + j] += trials.data[src + j];
      }
      for (let j = 0; j < d; j++) {
        a[i * d + j] /= half;
        b[i * d + j] /= rows.length - half;
      }
    });
    const ac = centerColumns({ n: nStim, d, data: a }).data;
    const bc = centerColumns({ n: nStim, d, data: b }).data;
    const axes = principalAxes(ac, nStim, d, Math.min(nStim - 1, d));
    const k = axes.k;
    const sv = new Float64Array(k);
    for (let i = 0; i < nStim; i++) {
      for (let c = 0; c < k; c++) {
        let pa = 0, pb = 0;
        const oa = i * d, ov = c * d;
        for (let j = 0; j < d; j++) {
          pa += ac[oa + j] * axes.axes[ov + j];
          pb += bc[oa + j] * axes.axes[ov + j];
        }
        sv[c] += pa * pb;
      }
    }
    for (let c = 0; c < k; c++) sv[c] /= nStim;
    if (!curve) curve = sv;
    else {
      const len = Math.min(curve.length, k);
      const next = new Float64Array(len);
      for (let c = 0; c < len; c++) next[c] = curve[c] + sv[c];
      curve = next;
    }
  }
  if (!curve || curve.length === 0) throw new AnalysisError('cvPCA: the trial-averaged responses have zero variance');
  for (let c = 0; c < curve.length; c++) curve[c] /= splits;
  const positive: number[] = [];
  const ranks: number[] = [];
  curve.forEach((v, c) => {
    if (v > 0) {
      positive.push(v);
      ranks.push(c + 1);
    }
  });
  if (positive.length === 0) throw new AnalysisError('cvPCA: no component has positive signal variance (responses are not reliable across repeats)');
  return {
    ...observablesOf(positive, ranks, opts),
    signalVariance: Array.from(curve),
    splits,
    stimuli: nStim,
    minRepeats,
  };
}

/**
 * Percentile intervals of D_eff, PR and alpha over B resamples of the stimuli (rows) with
 * replacement. Seeded: the same seed gives identical intervals.
 */
export function bootstrapDimension(m: ResponseMatrix, resamples: number, seed: number, opts: PowerLawOptions = {}, onProgress?: (done: number, total: number) => void): BootstrapSummary {
  return bootstrapScalars(
    m.n,
    resamples,
    seed,
    (rows) => {
      const obs = spectrumObservables(covarianceEigenvalues(selectRows(m, rows)), opts);
      return { effectiveDimension: obs.effectiveDimension, participationRatio: obs.participationRatio, alpha: obs.alpha };
    },
    (err) => err instanceof AnalysisError,
    onProgress,
  );
}

/**
 * With repeated trials, a bootstrap resample draws stimuli with replacement together with all their
 * repeats, so the cvPCA scalars get intervals too (cvEffectiveDimension, cvParticipationRatio,
 * cvAlpha) beside the trial-averaged ones.
 */
function bootstrapWithRepeats(
  averaged: ResponseMatrix,
  trials: ResponseMatrix,
  repeats: readonly (readonly number[])[],
  resamples: number,
  seed: number,
  opts: DimensionOptions,
): BootstrapSummary {
  return bootstrapScalars(
    averaged.n,
    resamples,
    seed,
    (rows) => {
      const obs = spectrumObservables(covarianceEigenvalues(selectRows(averaged, rows)), opts);
      const cv = cvPCA(trials, Array.from(rows, (r) => repeats[r]), { ...opts, seed });
      return {
        effectiveDimension: obs.effectiveDimension,
        participationRatio: obs.participationRatio,
        alpha: obs.alpha,
        cvEffectiveDimension: cv.effectiveDimension,
        cvParticipationRatio: cv.participationRatio,
        cvAlpha: cv.alpha,
      };
    },
    (err) => err instanceof AnalysisError,
    opts.onProgress,
  );
}
