/**
 * Observables of one covariance spectrum (docs/observables.md, section 1): D_eff = exp(H) of the
 * normalised spectrum, the participation ratio, and the power-law exponent alpha.
 *
 * alpha's default upper rank is floor(min(500, rank / 2)); fewer than 5 ranks in the fit range
 * make alpha null (warning alpha-too-few-ranks), never a slope through two points.
 */

import { AnalysisError } from '../matrix.js';
import { keptRank } from '../linalg/eigen.js';
import { fitLine } from '../stats.js';
import { warning, type Warning } from '../warnings.js';

/** Fewest ranks a power-law fit may use. */
export const MIN_ALPHA_RANKS = 5;

export interface PowerLawOptions {
  /** First rank of the fit (1-based). Default 10 (1 for cvPCA). */
  nmin?: number;
  /** Last rank of the fit. Default floor(min(500, rank / 2)) (the reliable rank for cvPCA). */
  nmax?: number;
}

export interface PowerLawExponent {
  /** alpha in lambda_n ~ n^-alpha; null when the fit range has fewer than 5 ranks. */
  alpha: number | null;
  /** Ranks [first, last] the fit used (or would have used). */
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

/** alpha of lambda_n ~ n^-alpha by least squares of ln lambda on ln n over a rank range. */
export function powerLawExponent(
  values: ArrayLike<number>,
  ranks: ArrayLike<number> | null,
  opts: PowerLawOptions & { defaultMin?: number; defaultMax?: number; fallback?: boolean } = {},
): PowerLawExponent {
  const rankOf = (i: number): number => (ranks ? ranks[i] : i + 1);
  const count = values.length;
  const rank = count > 0 ? rankOf(count - 1) : 0;
  let lo = opts.nmin ?? opts.defaultMin ?? 10;
  let hi = opts.nmax ?? opts.defaultMax ?? Math.floor(Math.min(500, rank / 2));
  const inRange = (a: number, b: number): number[] => {
    const idx: number[] = [];
    for (let i = 0; i < count; i++) if (rankOf(i) >= a && rankOf(i) <= b && values[i] > 0) idx.push(i);
    return idx;
  };
  let idx = inRange(lo, hi);
  // Too short a default range: fit all ranks instead (never for cvPCA, whose later ranks are noise).
  if (idx.length < MIN_ALPHA_RANKS && opts.nmin === undefined && opts.nmax === undefined && opts.fallback !== false) {
    lo = 1;
    hi = rank;
    idx = inRange(lo, hi);
  }
  if (idx.length < MIN_ALPHA_RANKS) return { alpha: null, alphaRange: [lo, hi], alphaR2: null };
  const fit = fitLine(
    idx.map((i) => Math.log(rankOf(i))),
    idx.map((i) => Math.log(values[i])),
  );
  if (!Number.isFinite(fit.slope)) return { alpha: null, alphaRange: [lo, hi], alphaR2: null };
  return { alpha: -fit.slope, alphaRange: [lo, hi], alphaR2: fit.r2 };
}

/** D_eff, PR and alpha from positive values at the given 1-based ranks. */
export function observablesOf(
  values: ArrayLike<number>,
  ranks: ArrayLike<number> | null,
  opts: PowerLawOptions & { defaultMin?: number; defaultMax?: number; fallback?: boolean },
): SpectrumObservables {
  let sum = 0,
    sumSq = 0;
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

export function alphaWarning(what: string, range: [number, number], group?: string): Warning {
  return warning('alpha-too-few-ranks', `${what}: fewer than ${MIN_ALPHA_RANKS} ranks in the fit range ${range[0]}-${range[1]}; alpha is not reported`, group);
}
