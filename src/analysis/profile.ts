/**
 * Profile one group of neurons (a brain area, a network layer) with every observable:
 * effective dimension (cvPCA when stimuli repeat), activation patterns, and the complexity of
 * the map from the stimulus description to the responses when one is given.
 *
 * Which matrix feeds which observable (also in the README):
 * - effective dimension: the trial-averaged matrix (one row per stimulus) when stimulus ids are
 *   given, with cvPCA from the repeats; otherwise the rows as they are;
 * - patterns: single trials (on/off is a property of one response, not of an average);
 * - complexity: single trials, X = the stimulus description of each trial (numeric value, or
 *   one-hot for categories), Y = the responses.
 */

import { mapComplexity, type ComplexityResult, type ComplexityOptions } from '../core/complexity.js';
import { AnalysisError, effectiveDimension, type DimensionResult } from '../core/dimension.js';
import { averageRowGroups, groupRowsByStimulus, InputError, responseMatrix, type ResponseMatrix } from '../core/matrix.js';
import { patternEntropy, type PatternsResult, type Threshold } from '../core/patterns.js';

export interface GroupInput {
  name: string;
  /** Rows = trials (or samples), columns = neurons. */
  trials: ResponseMatrix;
  /** Stimulus identity of each row, for averaging and cvPCA. */
  stimulusIds?: readonly (string | number)[];
  /** Stimulus description of each row (X of the complexity map). */
  stimulusFeatures?: ResponseMatrix;
  threshold: Threshold;
}

export interface GroupProfile extends Partial<DimensionResult> {
  name: string;
  n: number;
  d: number;
  trials: number;
  patterns?: PatternsResult;
  complexity?: ComplexityResult;
  /** Observables that could not be computed for this group, with the reason. */
  skipped: Record<string, string>;
}

export interface ProfileOptions {
  seed?: number;
  bootstrap?: number;
  complexity?: ComplexityOptions;
  onProgress?: (label: string, done: number, total: number) => void;
}

/** Stimulus values as features: the number itself, or one-hot columns for categories. */
export function stimulusFeatures(values: readonly (string | number)[], numeric: boolean): ResponseMatrix {
  const n = values.length;
  if (numeric) return responseMatrix(n, 1, Float64Array.from(values as number[]));
  const levels = [...new Set(values.map(String))];
  const data = new Float64Array(n * levels.length);
  values.forEach((v, i) => (data[i * levels.length + levels.indexOf(String(v))] = 1));
  return responseMatrix(n, levels.length, data, { colLabels: levels });
}

/** Every observable for one group; an observable that is undefined on this data is skipped with its reason. */
export function profileGroup(g: GroupInput, opts: ProfileOptions = {}): GroupProfile {
  const seed = opts.seed ?? 0;
  const skipped: Record<string, string> = {};
  let main = g.trials;
  let repeats: number[][] | undefined;
  if (g.stimulusIds) {
    const groups = groupRowsByStimulus(g.stimulusIds);
    main = averageRowGroups(g.trials, groups.rows, groups.ids);
    if (groups.rows.every((r) => r.length >= 2)) repeats = groups.rows;
    else skipped.cvPCA = 'some stimulus has fewer than 2 repeats';
  }
  const profile: GroupProfile = { name: g.name, n: main.n, d: main.d, trials: g.trials.n, skipped };
  const attempt = <T>(what: string, f: () => T): T | undefined => {
    try {
      return f();
    } catch (err) {
      if (err instanceof AnalysisError || err instanceof InputError) {
        skipped[what] = err.message;
        return undefined;
      }
      throw err;
    }
  };
  const dim = attempt('dimension', () =>
    effectiveDimension(main, { repeats, trials: g.trials, seed, bootstrap: opts.bootstrap, onProgress: (d, t) => opts.onProgress?.(`${g.name}: bootstrap`, d, t) }),
  );
  if (dim) Object.assign(profile, dim, { n: main.n, d: main.d });
  profile.patterns = attempt('patterns', () => patternEntropy(g.trials, { threshold: g.threshold, seed }));
  if (g.stimulusFeatures) {
    profile.complexity = attempt('complexity', () =>
      mapComplexity(g.stimulusFeatures!, g.trials, { ...opts.complexity, seed, onProgress: (d, t) => opts.onProgress?.(`${g.name}: complexity`, d, t) }),
    );
  }
  return profile;
}
