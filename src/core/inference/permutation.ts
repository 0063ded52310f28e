/**
 * Permutation nulls: how large an observable gets on data whose structure of interest has been
 * destroyed by a seeded shuffle (rows of Y against X for complexity, stimulus order for CKA,
 * repeats across stimuli for cvPCA, each neuron's column for multi-information).
 *
 * The p-value counts the observed statistic as one of the draws (Phipson & Smyth 2010):
 * p = (1 + #{null >= observed}) / (1 + N), so it is never 0 and is exact under exchangeability.
 */

import { Rng } from '../random.js';

export interface NullSummary {
  /** What was compared, e.g. 'gain' or 'multiInformation'. */
  statistic: string;
  /** How the null data were made. */
  shuffle: string;
  /** Permutations whose statistic was defined. */
  samples: number;
  mean: number;
  sd: number;
  /** One-sided: the chance of a null statistic at least as large as the observed one. */
  pValue: number;
  seed: number;
}

/** Mix a seed with a replicate number, so replicate i draws the same shuffle whatever ran before it. */
export function replicateSeed(seed: number, i: number): number {
  let h = (seed ^ 0x2545f491) >>> 0;
  h = Math.imul(h ^ (i + 0x9e3779b9), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Summarise N permutation draws against the observed statistic. */
export function nullSummary(statistic: string, shuffle: string, observed: number, draws: readonly (number | null)[], seed: number): NullSummary | null {
  const v = draws.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (v.length === 0 || !Number.isFinite(observed)) return null;
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  // A tiny tolerance so that ties (e.g. both 0) count as "at least as large".
  const tol = 1e-12 * Math.max(1, Math.abs(observed));
  const atLeast = v.filter((x) => x >= observed - tol).length;
  return { statistic, shuffle, samples: v.length, mean, sd, pValue: (1 + atLeast) / (1 + v.length), seed };
}

/** Run N seeded permutation replicates: `draw(rng, i)` makes null data and returns its statistic. */
export function permutationNull(
  statistic: string,
  shuffle: string,
  observed: number,
  samples: number,
  seed: number,
  draw: (rng: Rng, i: number) => number | null,
  onProgress?: (done: number, total: number) => void,
): NullSummary | null {
  const draws: (number | null)[] = [];
  for (let i = 0; i < samples; i++) {
    draws.push(draw(new Rng(replicateSeed(seed, i)), i));
    onProgress?.(i + 1, samples);
  }
  return nullSummary(statistic, shuffle, observed, draws, seed);
}
