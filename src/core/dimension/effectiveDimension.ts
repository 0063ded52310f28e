/**
 * Effective dimension of a representation (docs/observables.md, section 1): the spectrum's
 * observables (spectrum.ts), their finite-sample corrections (inference/spectrumCorrection.ts),
 * cvPCA (cvPca.ts) with its shuffle null, and grouped-jackknife intervals, whose replicates leave
 * out groups of stimuli (with all their repeats).
 */

import { AnalysisError, centredTranspose, InputError, selectRows, type ResponseMatrix } from '../matrix.js';
import { scaledGramSpectrum } from '../linalg/pca.js';
import { keptRank, symmetricEigen } from '../linalg/eigen.js';
import { linearGram } from '../similarity/cka.js';
import { jackknifeGroups, jackknifeIntervals, keptUnits, unavailableIntervals, withoutReplicates, type IntervalSummary } from '../inference/jackknife.js';
import { permutationNull } from '../inference/permutation.js';
import { correctedSpectrum, isCorrected, type CorrectedSpectrum } from '../inference/spectrumCorrection.js';
import { warning, type Warning } from '../warnings.js';
import { cvPCA, cvPcaWarnings, shuffleRepeats, totalOf, type CvPcaResult } from './cvPca.js';
import { alphaWarning, spectrumObservables, type PowerLawOptions, type SpectrumObservables } from './spectrum.js';

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
  /** 95 % intervals (grouped jackknife over stimuli), with --intervals. */
  intervals?: IntervalSummary;
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

/** Columns with any variance over the rows. */
function activeColumns(m: ResponseMatrix): number {
  let count = 0;
  for (let j = 0; j < m.d; j++) {
    const first = m.data[j];
    for (let i = 1; i < m.n; i++)
      if (m.data[i * m.d + j] !== first) {
        count++;
        break;
      }
  }
  return count;
}

/** Default largest rank of the simulated finite-sample correction (about a second in JavaScript); larger ranks take the deterministic equivalent (corrected/2). */
export const DEFAULT_CORRECTION_MAX_RANK = 256;

/** Covariance eigenvalues of a response matrix (descending), via the smaller of covariance and Gram. */
export function covarianceEigenvalues(m: ResponseMatrix): Float64Array {
  if (m.d > m.n) {
    // The n x n Gram route; the Gram matrix is cached for CKA on the same matrix.
    const values = symmetricEigen(linearGram(m), m.n).values;
    for (let i = 0; i < values.length; i++) values[i] /= m.n - 1;
    return values;
  }
  // X_c^T X_c from the centred transpose, built in one pass and consumed by the product.
  return scaledGramSpectrum(centredTranspose(m), m.d, m.n, m.n, true);
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
  // Silent units (no variance over the stimuli) are no dimensions of the population either.
  const active = activeColumns(m);
  const corrected = correctedSpectrum(values, m.n, active, { seed, maxRank: opts.correctionMaxRank ?? DEFAULT_CORRECTION_MAX_RANK });
  if (!isCorrected(corrected)) warnings.push(warning('corrected-unavailable', `corrected D_eff and PR not computed: ${corrected.reason}`));
  else if (corrected.extrapolated)
    warnings.push(
      warning(
        'corrected-extrapolated',
        `corrected D_eff ${corrected.effectiveDimension.toFixed(1)} assumes the population spectrum continues as a power law beyond the ${keptRank(values)} dimensions that ${m.n} stimuli can show (up to the ${active} neurons that vary); measure more stimuli to check it`,
      ),
    );
  else if (corrected.effectiveDimension >= 0.98 * obs.rank) {
    // The boundary of the parameter space: the estimator cannot exceed the rank, so near an
    // isotropic population its interval is too narrow (coverage 65-83 % measured, docs/coverage.md).
    warnings.push(
      warning(
        'corrected-at-boundary',
        `corrected D_eff ${corrected.effectiveDimension.toFixed(2)} is within 2 % of the most it can be (${obs.rank} dimensions): the population looks isotropic; read it as D_eff close to ${obs.rank}, and its interval as too narrow (it covers the truth less often than 95 % at this boundary)`,
      ),
    );
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
    result.intervals = dimensionIntervals(m, result, isCorrected(corrected) ? corrected : null, opts);
    const missing = unavailableIntervals(result.intervals);
    if (missing) warnings.push(warning('intervals-unavailable', missing));
  }
  if (opts.nulls && opts.nulls > 0 && result.cvPCA && opts.repeats) {
    const used = opts.repeats.filter((g) => g.length >= 2);
    const observed = totalOf(result.cvPCA.signalVariance);
    result.cvPCA.null =
      permutationNull(
        'signalVariance',
        'trials shuffled across stimuli (Stringer et al. 2019)',
        observed,
        opts.nulls,
        seed,
        (rng) => {
          try {
            return totalOf(cvPCA(trials, shuffleRepeats(used, rng), { ...opts, seed }).signalVariance);
          } catch (err) {
            if (err instanceof AnalysisError || err instanceof InputError) return null;
            throw err;
          }
        },
        (d, t) => opts.onProgress?.('cvPCA null', d, t),
      ) ?? undefined;
    if (result.cvPCA.null && result.cvPCA.null.pValue > 0.05 && observed > 0) {
      warnings.push(
        warning(
          'no-reliable-signal',
          `cvPCA: the summed signal variance is not above its shuffle null (p = ${result.cvPCA.null.pValue.toPrecision(2)}); the signal spectrum may be noise`,
        ),
      );
    }
  }
  return result;
}

/** Scalars of a dimension result that get intervals. */
function dimensionScalars(r: {
  effectiveDimension: number;
  participationRatio: number;
  alpha: number | null;
  effectiveDimensionCorrected: number | null;
  participationRatioCorrected: number | null;
  cvPCA?: CvPcaResult;
}): Record<string, number | null> {
  return {
    effectiveDimension: r.effectiveDimension,
    participationRatio: r.participationRatio,
    alpha: r.alpha,
    effectiveDimensionCorrected: r.effectiveDimensionCorrected,
    participationRatioCorrected: r.participationRatioCorrected,
    ...(r.cvPCA
      ? {
          cvEffectiveDimension: r.cvPCA.effectiveDimension,
          cvParticipationRatio: r.cvPCA.participationRatio,
          cvAlpha: r.cvPCA.alpha,
          reliableVarianceFraction: r.cvPCA.reliableVarianceFraction,
        }
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
  return withoutReplicates(
    jackknifeIntervals(
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
        const c = corrected
          ? correctedSpectrum(values, sub.n, corrected.extrapolated ? corrected.population.length : sub.d, {
              seed,
              start: corrected.population,
              maxRank: opts.correctionMaxRank ?? DEFAULT_CORRECTION_MAX_RANK,
            })
          : null;
        let cv: CvPcaResult | undefined;
        if (opts.repeats && full.cvPCA) {
          try {
            cv = cvPCA(
              trials,
              Array.from(keep, (i) => opts.repeats![i]),
              { ...opts, seed },
            );
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
      m.n,
    ),
  );
}
