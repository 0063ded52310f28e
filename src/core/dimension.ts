/**
 * Effective dimension of a representation (docs/observables.md, section 1): D_eff = exp(H) of the
 * normalised covariance spectrum, the participation ratio, the power-law exponent alpha, their
 * finite-sample corrections, the noise-corrected cvPCA variant, grouped-jackknife intervals and
 * the cvPCA shuffle null.
 *
 * Choices where the definitions are silent (also in docs/observables.md):
 * - alpha's default upper rank is floor(min(500, rank / 2)); fewer than 5 ranks in the fit range
 *   make alpha null (warning alpha-too-few-ranks), never a slope through two points.
 * - cvPCA: stimuli with fewer than 2 repeats are left out (counted, warned); with r repeats, half
 *   A takes floor(r / 2) random repeats and half B the rest; both halves are centred over stimuli;
 *   signal variance is a mean over stimuli. D_eff and PR use the positive split-averaged signal
 *   variances; alpha is fitted over ranks [1, reliable rank] (section 1.3).
 * - Interval replicates leave out groups of stimuli (with all their repeats).
 */

import { AnalysisError, centerColumns, InputError, selectRows, type ResponseMatrix } from './matrix.js';
import { covarianceSpectrum, keptRank, principalAxes, symmetricEigen } from './linalg.js';
import { linearGram } from './cka.js';
import { fitLine, Rng } from './stats.js';
import { jackknifeGroups, jackknifeIntervals, keptUnits, withoutReplicates, type IntervalSummary } from './jackknife.js';
import { permutationNull, type NullSummary } from './permutation.js';
import { correctedSpectrum, isCorrected, type CorrectedSpectrum } from './spectrumCorrection.js';
import { warning, type Warning } from './warnings.js';

export type { IntervalSummary } from './jackknife.js';

export { AnalysisError } from './matrix.js';

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

export interface CvPcaResult {
  /** D_eff, PR and alpha of the signal spectrum; null when there is no reliable signal. */
  effectiveDimension: number | null;
  participationRatio: number | null;
  alpha: number | null;
  alphaRange: [number, number];
  alphaR2: number | null;
  /** Positive signal variances, normalised to sum 1, at their ranks (see `signalVariance`). */
  spectrum: number[];
  rank: number;
  /** Split-averaged signal variance per component (negative values kept). */
  signalVariance: number[];
  /** Its standard error per component (spread of the per-stimulus products, averaged over splits). */
  signalVarianceSE: number[];
  /** Components whose signal variance stays above the axes' detectability threshold (section 1.3). */
  reliableRank: number;
  /** Summed signal variance / total single-trial variance: the stimulus-driven share. */
  reliableVarianceFraction: number;
  splits: number;
  /** Stimuli used (those with >= 2 repeats) and left out. */
  stimuli: number;
  stimuliDropped: number;
  /** Smallest number of repeats among the stimuli used. */
  minRepeats: number;
  /** Summed signal variance against repeats shuffled across stimuli (with --null). */
  null?: NullSummary;
}

export interface DimensionResult extends SpectrumObservables {
  n: number;
  d: number;
  /** Sum of the covariance eigenvalues (total variance). */
  totalVariance: number;
  /** Population D_eff and PR estimated with the finite-sample correction (null when not identified). */
  effectiveDimensionCorrected: number | null;
  participationRatioCorrected: number | null;
  cvPCA?: CvPcaResult;
  /** Grouped-jackknife intervals (the key keeps its definition-1 name). */
  bootstrap?: IntervalSummary;
  warnings: Warning[];
}

export interface DimensionOptions extends PowerLawOptions {
  /** Row groups (repeats of each stimulus) for cvPCA; stimuli with one repeat are left out. */
  repeats?: readonly (readonly number[])[];
  /** The trials matrix the repeat groups index into; defaults to the matrix itself. */
  trials?: ResponseMatrix;
  /** Number of random A/B splits for cvPCA. Default 5. */
  splits?: number;
  /** Interval groups G (0 or undefined = no intervals). */
  intervals?: number;
  /** Permutations for the cvPCA shuffle null (0 = none). */
  nulls?: number;
  /** Largest rank the correction calibrates (default 256). */
  correctionMaxRank?: number;
  seed?: number;
  onProgress?: (label: string, done: number, total: number) => void;
}

/** Default largest rank of the finite-sample correction (about a second in JavaScript). */
export const DEFAULT_CORRECTION_MAX_RANK = 256;

/** alpha of lambda_n ~ n^-alpha by least squares of ln lambda on ln n over a rank range. */
export function powerLawExponent(values: ArrayLike<number>, ranks: ArrayLike<number> | null, opts: PowerLawOptions & { defaultMin?: number; defaultMax?: number; fallback?: boolean } = {}): PowerLawExponent {
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
  const fit = fitLine(idx.map((i) => Math.log(rankOf(i))), idx.map((i) => Math.log(values[i])));
  if (!Number.isFinite(fit.slope)) return { alpha: null, alphaRange: [lo, hi], alphaR2: null };
  return { alpha: -fit.slope, alphaRange: [lo, hi], alphaR2: fit.r2 };
}

/** D_eff, PR and alpha from positive values at the given 1-based ranks. */
function observablesOf(values: ArrayLike<number>, ranks: ArrayLike<number> | null, opts: PowerLawOptions & { defaultMin?: number; defaultMax?: number; fallback?: boolean }): SpectrumObservables {
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

function alphaWarning(what: string, range: [number, number], group?: string): Warning {
  return warning('alpha-too-few-ranks', `${what}: fewer than ${MIN_ALPHA_RANKS} ranks in the fit range ${range[0]}-${range[1]}; alpha is not reported`, group);
}

/** Effective dimension and its companions for one response matrix (rows = stimuli). */
export function effectiveDimension(m: ResponseMatrix, opts: DimensionOptions = {}): DimensionResult {
  if (m.n < 2) throw new InputError(`needs at least 2 stimuli, got ${m.n}`);
  const seed = opts.seed ?? 0;
  const warnings: Warning[] = [];
  const values = covarianceEigenvalues(m);
  let total = 0;
  for (const v of values) total += Math.max(0, v);
  const obs = spectrumObservables(values, opts);
  if (obs.alpha === null) warnings.push(alphaWarning('spectrum', obs.alphaRange));
  const corrected = correctedSpectrum(values, m.n, m.d, { seed, maxRank: opts.correctionMaxRank ?? DEFAULT_CORRECTION_MAX_RANK });
  if (!isCorrected(corrected)) warnings.push(warning('corrected-unavailable', `corrected D_eff and PR not computed: ${corrected.reason}`));
  else if (corrected.effectiveDimension >= 0.98 * obs.rank) {
    // The boundary of the parameter space: the estimator cannot exceed the rank, so near an
    // isotropic population its interval is too narrow (coverage 65-83 % measured, docs/coverage.md).
    warnings.push(warning('corrected-at-boundary', `corrected D_eff ${corrected.effectiveDimension.toFixed(2)} is within 2 % of the most it can be (${obs.rank} dimensions): the population looks isotropic; read it as D_eff close to ${obs.rank}, and its interval as too narrow (it covers the truth less often than 95 % at this boundary)`));
  }
  const result: DimensionResult = {
    n: m.n,
    d: m.d,
    totalVariance: total,
    ...obs,
    effectiveDimensionCorrected: isCorrected(corrected) ? corrected.effectiveDimension : null,
    participationRatioCorrected: isCorrected(corrected) ? corrected.participationRatio : null,
    warnings,
  };
  const trials = opts.trials ?? m;
  if (opts.repeats) {
    try {
      result.cvPCA = cvPCA(trials, opts.repeats, { ...opts, seed });
      warnings.push(...cvPcaWarnings(result.cvPCA));
    } catch (err) {
      if (!(err instanceof AnalysisError || err instanceof InputError)) throw err;
      warnings.push(warning('cvpca-failed', `cvPCA not computed: ${err.message}; the plain D_eff above is unaffected`));
    }
  }
  if (opts.intervals && opts.intervals > 0) {
    result.bootstrap = dimensionIntervals(m, result, isCorrected(corrected) ? corrected : null, opts);
  }
  if (opts.nulls && opts.nulls > 0 && result.cvPCA && opts.repeats) {
    const used = opts.repeats.filter((g) => g.length >= 2);
    const observed = sum(result.cvPCA.signalVariance);
    result.cvPCA.null =
      permutationNull('signalVariance', 'trials shuffled across stimuli (Stringer et al. 2019)', observed, opts.nulls, seed, (rng) => {
        try {
          return sum(cvPCA(trials, shuffleRepeats(used, rng), { ...opts, seed }).signalVariance);
        } catch (err) {
          if (err instanceof AnalysisError || err instanceof InputError) return null;
          throw err;
        }
      }, (d, t) => opts.onProgress?.('cvPCA null', d, t)) ?? undefined;
    if (result.cvPCA.null && result.cvPCA.null.pValue > 0.05 && observed > 0) {
      warnings.push(warning('no-reliable-signal', `cvPCA: the summed signal variance is not above its shuffle null (p = ${result.cvPCA.null.pValue.toPrecision(2)}); the signal spectrum may be noise`));
    }
  }
  return result;
}

function sum(v: readonly number[]): number {
  return v.reduce((a, b) => a + b, 0);
}

/** The same group sizes, with every trial assigned to a random group: stimulus identity destroyed. */
export function shuffleRepeats(groups: readonly (readonly number[])[], rng: Rng): number[][] {
  const all = groups.flat();
  rng.shuffle(all);
  let k = 0;
  return groups.map((g) => g.map(() => all[k++]));
}

function cvPcaWarnings(c: CvPcaResult): Warning[] {
  const w: Warning[] = [];
  if (c.stimuliDropped > 0) w.push(warning('cvpca-stimuli-dropped', `cvPCA used ${c.stimuli} stimuli with >= 2 repeats; ${c.stimuliDropped} with a single repeat were left out`));
  if (c.effectiveDimension === null && sum(c.signalVariance) > 0) {
    w.push(warning('no-reliable-signal', `cvPCA: no component's signal variance is above the detectability threshold (twice the BBP edge of the repeat noise): the cross-validated spectrum is noise; cvPCA D_eff and alpha are not reported`));
  } else if (c.effectiveDimension === null) {
    w.push(warning('no-reliable-signal', `cvPCA: the summed signal variance is ${sum(c.signalVariance).toPrecision(3)} <= 0: responses are not reliable across repeats; cvPCA D_eff and alpha are not reported`));
  } else if (c.alpha === null) {
    w.push(alphaWarning(`cvPCA (reliable rank ${c.reliableRank})`, c.alphaRange));
  }
  return w;
}

/**
 * Noise-corrected spectrum (cvPCA, Stringer et al. 2019): principal axes from one half of the
 * repeats, signal variance as the covariance of both halves' projections on each axis.
 */
export function cvPCA(trials: ResponseMatrix, repeats: readonly (readonly number[])[], opts: PowerLawOptions & { splits?: number; seed?: number } = {}): CvPcaResult {
  const used = repeats.filter((g) => g.length >= 2);
  const nStim = used.length;
  if (nStim < 2) throw new InputError(`cvPCA needs at least 2 stimuli with >= 2 repeats, got ${nStim}`);
  let minRepeats = Infinity;
  for (const g of used) minRepeats = Math.min(minRepeats, g.length);
  const splits = opts.splits ?? 5;
  const rng = new Rng(opts.seed ?? 0);
  const d = trials.d;
  let curve: Float64Array | null = null;
  let curveSE: Float64Array | null = null;
  for (let s = 0; s < splits; s++) {
    const a = new Float64Array(nStim * d);
    const b = new Float64Array(nStim * d);
    used.forEach((rows, i) => {
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
    const sq = new Float64Array(k);
    const pa = new Float64Array(k), pb = new Float64Array(k);
    for (let i = 0; i < nStim; i++) {
      pa.fill(0);
      pb.fill(0);
      const oa = i * d;
      for (let c = 0; c < k; c++) {
        const ov = c * d;
        let x = 0, y = 0;
        for (let j = 0; j < d; j++) {
          x += ac[oa + j] * axes.axes[ov + j];
          y += bc[oa + j] * axes.axes[ov + j];
        }
        pa[c] = x;
        pb[c] = y;
      }
      for (let c = 0; c < k; c++) {
        const p = pa[c] * pb[c];
        sv[c] += p;
        sq[c] += p * p;
      }
    }
    const se = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      const mean = sv[c] / nStim;
      se[c] = Math.sqrt(Math.max(0, (sq[c] - nStim * mean * mean) / Math.max(1, nStim - 1)) / nStim);
      sv[c] = mean;
    }
    if (!curve || !curveSE) {
      curve = sv;
      curveSE = se;
    } else {
      const len = Math.min(curve.length, k);
      const next = new Float64Array(len), nextSE = new Float64Array(len);
      for (let c = 0; c < len; c++) {
        next[c] = curve[c] + sv[c];
        nextSE[c] = curveSE[c] + se[c];
      }
      curve = next;
      curveSE = nextSE;
    }
  }
  if (!curve || !curveSE || curve.length === 0) throw new AnalysisError('cvPCA: the trial-averaged responses have zero variance');
  for (let c = 0; c < curve.length; c++) {
    curve[c] /= splits;
    curveSE[c] /= splits;
  }
  // Noise variance per direction of a half-average, from the spread of repeats around their stimulus mean.
  let noise = 0;
  for (const rows of used) {
    let within = 0;
    for (let j = 0; j < d; j++) {
      let mu = 0;
      for (const r of rows) mu += trials.data[r * d + j];
      mu /= rows.length;
      for (const r of rows) within += (trials.data[r * d + j] - mu) ** 2;
    }
    noise += within / (rows.length - 1) / Math.floor(rows.length / 2);
  }
  noise /= nStim * d;
  // Axes from a half are informative only above the BBP threshold noise * sqrt(d / N) (Baik, Ben
  // Arous & Peche 2005); twice it marks the components whose signal variance is reliable.
  const threshold = 2 * noise * Math.sqrt(d / nStim);
  let reliableRank = 0;
  while (reliableRank < curve.length && curve[reliableRank] > threshold) reliableRank++;
  const totalSignal = sum(Array.from(curve));
  const positive: number[] = [];
  const ranks: number[] = [];
  curve.forEach((v, c) => {
    if (v > 0) {
      positive.push(v);
      ranks.push(c + 1);
    }
  });
  const base = {
    signalVariance: Array.from(curve),
    signalVarianceSE: Array.from(curveSE),
    reliableRank,
    reliableVarianceFraction: totalSignal / singleTrialVariance(trials, used),
    splits,
    stimuli: nStim,
    stimuliDropped: repeats.length - nStim,
    minRepeats,
  };
  // No component above the detectability threshold: the positive signal variances are noise, and
  // a D_eff over them (often tens on pure noise) would read as a measured dimensionality.
  if (totalSignal <= 0 || positive.length === 0 || reliableRank === 0) {
    return { ...base, effectiveDimension: null, participationRatio: null, alpha: null, alphaRange: [1, reliableRank], alphaR2: null, spectrum: [], rank: 0 };
  }
  const o = observablesOf(positive, ranks, { ...opts, defaultMin: 1, defaultMax: reliableRank, fallback: false });
  return { ...base, ...o };
}

/** Total variance of the single trials of the used stimuli around their grand mean. */
function singleTrialVariance(trials: ResponseMatrix, used: readonly (readonly number[])[]): number {
  const d = trials.d;
  const rows = used.flat();
  const mu = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mu[j] += trials.data[r * d + j];
  for (let j = 0; j < d; j++) mu[j] /= rows.length;
  let v = 0;
  for (const r of rows) for (let j = 0; j < d; j++) v += (trials.data[r * d + j] - mu[j]) ** 2;
  return v / Math.max(1, rows.length - 1);
}

/** Scalars of a dimension result that get intervals. */
function dimensionScalars(r: { effectiveDimension: number; participationRatio: number; alpha: number | null; effectiveDimensionCorrected: number | null; participationRatioCorrected: number | null; cvPCA?: CvPcaResult }): Record<string, number | null> {
  return {
    effectiveDimension: r.effectiveDimension,
    participationRatio: r.participationRatio,
    alpha: r.alpha,
    effectiveDimensionCorrected: r.effectiveDimensionCorrected,
    participationRatioCorrected: r.participationRatioCorrected,
    ...(r.cvPCA
      ? { cvEffectiveDimension: r.cvPCA.effectiveDimension, cvParticipationRatio: r.cvPCA.participationRatio, cvAlpha: r.cvPCA.alpha, reliableVarianceFraction: r.cvPCA.reliableVarianceFraction }
      : {}),
  };
}

/**
 * Grouped-jackknife intervals of D_eff, PR, alpha, their corrections and the cvPCA scalars. A
 * replicate leaves out a group of stimuli (with all their repeats); its corrected values restart
 * the calibration from the full-data population spectrum.
 */
function dimensionIntervals(m: ResponseMatrix, full: DimensionResult, corrected: CorrectedSpectrum | null, opts: DimensionOptions): IntervalSummary {
  const seed = opts.seed ?? 0;
  const groups = Math.min(opts.intervals!, m.n);
  const groupOf = jackknifeGroups(m.n, groups, seed);
  const trials = opts.trials ?? m;
  return withoutReplicates(jackknifeIntervals(
    dimensionScalars(full),
    groups,
    seed,
    (g) => {
      const keep = keptUnits(groupOf, g);
      if (keep.length < 2) return null;
      const sub = selectRows(m, keep);
      let values: Float64Array;
      let obs: SpectrumObservables;
      try {
        values = covarianceEigenvalues(sub);
        obs = spectrumObservables(values, opts);
      } catch (err) {
        if (err instanceof AnalysisError) return null;
        throw err;
      }
      const c = corrected ? correctedSpectrum(values, sub.n, sub.d, { seed, start: corrected.population, maxRank: opts.correctionMaxRank ?? DEFAULT_CORRECTION_MAX_RANK }) : null;
      let cv: CvPcaResult | undefined;
      if (opts.repeats && full.cvPCA) {
        try {
          cv = cvPCA(trials, Array.from(keep, (i) => opts.repeats![i]), { ...opts, seed });
        } catch (err) {
          if (!(err instanceof AnalysisError || err instanceof InputError)) throw err;
        }
      }
      return dimensionScalars({
        ...obs,
        effectiveDimensionCorrected: c && isCorrected(c) ? c.effectiveDimension : null,
        participationRatioCorrected: c && isCorrected(c) ? c.participationRatio : null,
        cvPCA: cv,
      });
    },
    (d, t) => opts.onProgress?.('intervals', d, t),
  ));
}
