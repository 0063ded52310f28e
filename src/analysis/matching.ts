/**
 * Matched comparisons (docs/observables.md section 4.2): every observable of a group recomputed on
 * random subsets of a common number of neurons, averaged with its spread, and the curve of D_eff
 * against the number of neurons. Areas or layers of different sizes can then be compared fairly:
 * D_eff, switching counts and pattern entropies all grow with the neurons recorded.
 */

import { mapComplexity, type ComplexityKnobs } from '../core/complexity/complexity.js';
import { AnalysisError } from '../core/matrix.js';
import { effectiveDimension } from '../core/dimension/effectiveDimension.js';
import { InputError, selectColumns, selectRows, trialAveraged, type ResponseMatrix } from '../core/matrix.js';
import { patternEntropy, type Threshold } from '../core/patterns/patterns.js';
import { replicateSeed } from '../core/inference/permutation.js';
import { Rng } from '../core/random.js';

export interface MeanSd {
  mean: number | null;
  sd: number | null;
  /** Subsets on which the observable was defined. */
  count: number;
}

export interface MatchedObservables {
  /** Neurons per subset. */
  neurons: number;
  /** Subsets drawn (all of them when the group has exactly that many neurons: one). */
  subsets: number;
  observables: Record<string, MeanSd>;
}

/** D_eff at a number of stimuli: plug-in over random subsets (mean, sd) and corrected on the first subset. */
export interface StimulusCurvePoint {
  stimuli: number;
  mean: number;
  sd: number;
  subsets: number;
  /** Corrected (population) D_eff on one subset of this size (null when not identified). */
  corrected: number | null;
}

export interface NeuronCurvePoint {
  neurons: number;
  mean: number;
  sd: number;
  subsets: number;
}

function meanSd(values: (number | null | undefined)[]): MeanSd {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (v.length === 0) return { mean: null, sd: null, count: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean, sd, count: v.length };
}

/** Observables on `neurons` random neurons of a group, over `subsets` seeded subsets. */
export function matchedObservables(
  g: { trials: ResponseMatrix; stimulusIds?: readonly (string | number)[]; stimulusFeatures?: ResponseMatrix; threshold: Threshold },
  neurons: number,
  opts: { seed?: number; subsets?: number; complexity?: ComplexityKnobs } = {},
): MatchedObservables {
  const d = g.trials.d;
  if (neurons > d) throw new InputError(`\`matchNeurons\` ${neurons} is more than the ${d} neurons of a group`);
  const seed = opts.seed ?? 0;
  const subsets = neurons === d ? 1 : (opts.subsets ?? 10);
  const draws: Record<string, (number | null)[]> = {};
  const put = (k: string, v: number | null | undefined) => (draws[k] ??= []).push(v ?? null);
  for (let s = 0; s < subsets; s++) {
    const cols = neurons === d ? Int32Array.from({ length: d }, (_, j) => j) : new Rng(replicateSeed(seed, s)).sample(d, neurons).sort();
    const trials = selectColumns(g.trials, cols);
    const { main, repeats } = trialAveraged(trials, g.stimulusIds);
    try {
      const dim = effectiveDimension(main, { repeats, trials, seed });
      put('effectiveDimension', dim.effectiveDimension);
      put('effectiveDimensionCorrected', dim.effectiveDimensionCorrected);
      put('participationRatio', dim.participationRatio);
      put('alpha', dim.alpha);
      if (dim.cvPCA) put('cvEffectiveDimension', dim.cvPCA.effectiveDimension);
    } catch (err) {
      if (!(err instanceof AnalysisError || err instanceof InputError)) throw err;
    }
    const pat = patternEntropy(trials, { threshold: g.threshold, seed });
    put('switchingFraction', pat.switchingFraction);
    put('entropyAll', pat.entropyAll);
    if (g.stimulusFeatures) {
      try {
        put('complexity', mapComplexity(g.stimulusFeatures, trials, { ...opts.complexity, repeats: 1, seed }).complexity);
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
      }
    }
  }
  const observables: Record<string, MeanSd> = {};
  for (const [k, v] of Object.entries(draws)) observables[k] = meanSd(v);
  return { neurons, subsets, observables };
}

/** D_eff (plug-in) on random subsets of 1, 2, 4, ... neurons and on all of them. */
export function neuronCurve(m: ResponseMatrix, opts: { seed?: number; subsets?: number } = {}): NeuronCurvePoint[] {
  const seed = opts.seed ?? 0;
  const sizes: number[] = [];
  for (let k = 1; k < m.d; k *= 2) sizes.push(k);
  sizes.push(m.d);
  return sizes.map((k, i) => {
    const count = k === m.d ? 1 : (opts.subsets ?? 10);
    const values: number[] = [];
    for (let s = 0; s < count; s++) {
      const cols = k === m.d ? Int32Array.from({ length: m.d }, (_, j) => j) : new Rng(replicateSeed(seed + i, s)).sample(m.d, k);
      try {
        values.push(effectiveDimension(selectColumns(m, cols), { correctionMaxRank: 0 }).effectiveDimension);
      } catch (err) {
        if (!(err instanceof AnalysisError || err instanceof InputError)) throw err;
      }
    }
    const ms = meanSd(values);
    return { neurons: k, mean: ms.mean ?? NaN, sd: ms.sd ?? NaN, subsets: values.length };
  });
}

/**
 * D_eff against the number of stimuli (random subsets of n/16, n/8, ..., n, at least 20): the
 * plug-in grows with n towards the population value; a corrected value that stays flat across n
 * is what a depth profile at one n should be read against (docs/observables.md 4.6).
 */
export function stimulusCurve(m: ResponseMatrix, opts: { seed?: number; subsets?: number; correctionMaxRank?: number } = {}): StimulusCurvePoint[] {
  const seed = opts.seed ?? 0;
  const sizes: number[] = [];
  for (let k = m.n; k >= 20 && sizes.length < 5; k = Math.floor(k / 2)) sizes.unshift(k);
  return sizes.map((k, i) => {
    const count = k === m.n ? 1 : (opts.subsets ?? 5);
    const values: number[] = [];
    let corrected: number | null = null;
    for (let s = 0; s < count; s++) {
      const rows = k === m.n ? Int32Array.from({ length: m.n }, (_, j) => j) : new Rng(replicateSeed(seed + 101 * i, s)).sample(m.n, k);
      try {
        // The correction costs seconds at large ranks: one subset per size carries it.
        const dim = effectiveDimension(selectRows(m, rows), { seed, correctionMaxRank: s === 0 ? opts.correctionMaxRank : 0 });
        values.push(dim.effectiveDimension);
        if (s === 0) corrected = dim.effectiveDimensionCorrected;
      } catch (err) {
        if (!(err instanceof AnalysisError || err instanceof InputError)) throw err;
      }
    }
    const ms = meanSd(values);
    return { stimuli: k, mean: ms.mean ?? NaN, sd: ms.sd ?? NaN, subsets: values.length, corrected };
  });
}

/** The common neuron count for --match-neurons: the given one, or the smallest group. */
export function matchedCount(spec: number | 'smallest' | null | undefined, sizes: number[]): number | null {
  if (spec === null || spec === undefined) return null;
  const smallest = Math.min(...sizes);
  if (spec === 'smallest') return smallest;
  if (spec > smallest) throw new InputError(`\`matchNeurons\` ${spec} is more than the ${smallest} neurons of the smallest group`);
  return spec;
}
