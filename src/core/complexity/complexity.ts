/**
 * Complexity of a map X -> Y (docs/observables.md section 2): the entry point for both
 * definitions, with what both share: the permutation null, grouped-jackknife intervals and the
 * spread over seeds.
 *
 * - complexity/3 (default): complexity/2's pieces over several fold seeds, with the gain they
 *   bring, the scale curve, and no cap but the data's (definition3.ts).
 * - complexity/2: pieces that follow the map's bends, counted by held-out evidence at one fold
 *   seed and at most 256 pieces (definition2.ts); kept to reproduce runs made before 2026-12-02.
 * - complexity/1: k-means pieces in the top 32 input components, the 10 %-of-gain rule
 *   (definition1.ts); kept to reproduce runs made before 2026-11-26.
 */

import { InputError, selectRows, type ResponseMatrix } from '../matrix.js';
import { mapComplexity1, type Complexity1Options, type Complexity1Result } from './definition1.js';
import { complexity2NullDraw, mapComplexity2, type Complexity2Options, type Complexity2Result } from './definition2.js';
import { mapComplexity3, type Complexity3Options, type Complexity3Result } from './definition3.js';
import { jackknifeGroups, jackknifeIntervals, keptUnits, unavailableIntervals, withoutReplicates, type IntervalSummary } from '../inference/jackknife.js';
import { permutationNull, type NullSummary } from '../inference/permutation.js';
import { foldAssignment } from '../inference/resampling.js';
import { Rng } from '../random.js';
import { warning, type Warning } from '../warnings.js';

export { PIECE_GRID } from './definition2.js';
export { RESOLUTIONS, WEAK_GAIN, DEFAULT_REPEATS, type Complexity3Result, type Complexity3Seed, type Complexity3Gain } from './definition3.js';
export { complexityScales } from './definition1.js';

export type ComplexityDefinition = 1 | 2 | 3;

export interface ComplexityOptions
  extends Omit<Complexity1Options, 'onProgress' | 'ridge' | 'components'>, Omit<Complexity2Options, 'onProgress'>, Omit<Complexity3Options, 'onProgress'> {
  /** 3 (default), or 2 or 1 to reproduce runs made with those definitions. */
  definition?: ComplexityDefinition;
  /** Interval groups G (0 = none). */
  intervals?: number;
  /** Permutations for the null of the gain (0 = none). */
  nulls?: number;
  /** complexity/3: fold seeds (default 5). Definitions 1 and 2: seeds to rerun (mean and sd of C; default 1). */
  repeats?: number;
  onProgress?: (label: string, done: number, total: number) => void;
}

/**
 * The knobs of the complexity computation itself, as a pipeline forwards them: intervals, nulls,
 * the seed and progress come through the pipeline's own options (one channel each).
 */
export type ComplexityKnobs = Omit<ComplexityOptions, 'intervals' | 'nulls' | 'seed' | 'onProgress' | 'foldOf'>;

export type Complexity1Record = Complexity1Result & { definition: 'complexity/1'; warnings: Warning[] };

export interface SeedSpread {
  seeds: number;
  /** C per seed (null where undefined). */
  values: (number | null)[];
  mean: number | null;
  sd: number | null;
}

type OneResult = Complexity1Record | Complexity2Result | Complexity3Result;

/** The held-out gain of a result as a number (complexity/3 keeps it with its interval). */
export function gainValue(r: { gain: number | { absolute: number } }): number {
  return typeof r.gain === 'number' ? r.gain : r.gain.absolute;
}

export type ComplexityResult = OneResult & {
  /** Gain against Y's rows permuted relative to X. */
  null?: NullSummary;
  /** 95 % intervals (grouped jackknife over stimuli), with --intervals. */
  intervals?: IntervalSummary;
  /** Definitions 1 and 2: C over --repeats seeds. */
  repeats?: SeedSpread;
};

/** One complexity computation under the chosen definition (no null, intervals or repeats). */
function computeOnce(x: ResponseMatrix, y: ResponseMatrix, opts: ComplexityOptions, seed: number): OneResult {
  const definition = opts.definition ?? 3;
  if (definition === 3)
    return mapComplexity3(x, y, { ...opts, seed, onProgress: opts.onProgress ? (d, t) => opts.onProgress!('complexity stages', d, t) : undefined });
  if (definition === 1) {
    const r = mapComplexity1(x, y, { ...opts, seed, onProgress: opts.onProgress ? (d, t) => opts.onProgress!('scales x folds', d, t) : undefined });
    return { definition: 'complexity/1', ...r, warnings: [] };
  }
  return mapComplexity2(x, y, { ...opts, seed, onProgress: opts.onProgress ? (d, t) => opts.onProgress!('complexity stages', d, t) : undefined });
}

/** Complexity of the map X -> Y over the same n stimuli (rows in the same order). */
export function mapComplexity(x: ResponseMatrix, y: ResponseMatrix, opts: ComplexityOptions = {}): ComplexityResult {
  const seed = opts.seed ?? 0;
  const result: ComplexityResult = computeOnce(x, y, opts, seed);
  const repeats = (opts.definition ?? 3) === 3 ? 1 : (opts.repeats ?? 1);
  if (repeats > 1) {
    const values: (number | null)[] = [result.complexity];
    for (let i = 1; i < repeats; i++) {
      values.push(computeOnce(x, y, { ...opts, foldOf: undefined }, seed + i).complexity);
      opts.onProgress?.('seeds', i + 1, repeats);
    }
    const v = values.filter((c): c is number => c !== null);
    const mean = v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
    const sd = v.length > 1 && mean !== null ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : null;
    result.repeats = { seeds: repeats, values, mean, sd };
  }
  // complexity/3's null tests the first fold seed's best gain, the statistic one permutation draws.
  const observed = result.definition === 'complexity/3' ? result.seeds[0].bestGain : gainValue(result);
  if (opts.nulls && opts.nulls > 0) result.null = complexityNull(x, y, observed, opts.nulls, seed, opts) ?? undefined;
  if (opts.intervals && opts.intervals > 0) {
    result.intervals = complexityIntervals(x, y, result, opts.intervals, seed, opts);
    const missing = unavailableIntervals(result.intervals);
    if (missing) result.warnings = [...result.warnings, warning('intervals-unavailable', missing)];
  }
  return result;
}

/** The held-out gain of the pieces over one linear map, against Y's rows permuted relative to X. */
export function complexityNull(
  x: ResponseMatrix,
  y: ResponseMatrix,
  observedGain: number,
  samples: number,
  seed: number,
  opts: ComplexityOptions = {},
): NullSummary | null {
  const n = x.n;
  const folds = opts.folds ?? 5;
  // The same folds for every permutation, so only the pairing of X and Y changes.
  const foldOf = opts.foldOf ?? foldAssignment(new Rng(seed), n, folds);
  return permutationNull(
    'gain',
    "Y's rows permuted relative to X",
    observedGain,
    samples,
    seed,
    (rng) => {
      const perm = rng.permutation(n);
      try {
        const definition = opts.definition ?? 3;
        if (definition === 1) {
          const yp = selectRows(y, perm);
          return mapComplexity1(x, yp, { ...opts, seed, foldOf, onProgress: undefined }).gain;
        }
        return complexity2NullDraw(x, y, perm, { ...opts, seed, foldOf, onProgress: undefined }, definition);
      } catch (err) {
        if (err instanceof InputError) return null;
        throw err;
      }
    },
    (d, t) => opts.onProgress?.('complexity null', d, t),
  );
}

/**
 * Grouped-jackknife intervals of C, exp(C), the R^2 values and the gain (each replicate leaves out
 * a group of stimuli). C is smooth in the data only while K* stays put: when K* differs between
 * replicates, the jackknife's normal interval is not valid for C and exp(C), and their interval is
 * the range of the replicate values and the estimate instead (methods records which).
 */
function complexityIntervals(
  x: ResponseMatrix,
  y: ResponseMatrix,
  full: ComplexityResult,
  groups: number,
  seed: number,
  opts: ComplexityOptions,
): IntervalSummary {
  const g = Math.min(groups, x.n);
  const groupOf = jackknifeGroups(x.n, g, seed);
  const scalars = (r: OneResult) => ({
    complexity: r.complexity,
    effectivePieces: r.effectivePieces,
    linearR2: r.linearR2,
    bestR2: r.bestR2,
    gain: gainValue(r),
    kStar: r.kStar,
  });
  const summary = jackknifeIntervals(
    scalars(full),
    g,
    seed,
    (left) => {
      const keep = keptUnits(groupOf, left);
      try {
        return scalars(computeOnce(selectRows(x, keep), selectRows(y, keep), { ...opts, foldOf: undefined }, seed));
      } catch (err) {
        if (err instanceof InputError) return null;
        throw err;
      }
    },
    (d, t) => opts.onProgress?.('intervals', d, t),
    x.n,
  );
  const stars = summary.replicates.get('kStar') ?? [];
  delete summary.bounds.kStar;
  delete summary.standardErrors.kStar;
  if (stars.some((k) => k !== full.kStar)) {
    summary.methods = {};
    for (const key of ['complexity', 'effectivePieces'] as const) {
      const est = full[key];
      const v = summary.replicates.get(key) ?? [];
      if (est === null || v.length === 0) continue;
      summary.bounds[key] = { lo: Math.min(est, ...v), hi: Math.max(est, ...v) };
      summary.methods[key] = `range of the ${v.length} replicates (K* varied: ${[...new Set(stars)].sort((a, b) => a - b).join(', ')})`;
    }
  }
  return withoutReplicates(summary);
}
