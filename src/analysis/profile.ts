/**
 * Profile one group of neurons (a brain area, a network layer) with every observable:
 * effective dimension (corrected, and cvPCA when stimuli repeat), activation patterns, and the
 * complexity of the map from the stimulus description to the responses when one is given; with
 * their intervals, nulls, matched-size values and warnings.
 *
 * Which matrix feeds which observable (docs/observables.md section 4):
 * - effective dimension: the trial-averaged matrix (one row per stimulus) when stimulus ids are
 *   given, with cvPCA from the repeats; otherwise the rows as they are;
 * - patterns: single trials (on/off is a property of one response, not of an average);
 * - complexity: single trials, X = the stimulus description of each trial (numeric value, or
 *   one-hot for categories), Y = the responses.
 * An observable that is undefined on this data is skipped with its reason (a warning), never
 * dropped together with the others.
 */

import { mapComplexity, type ComplexityKnobs, type ComplexityOptions, type ComplexityResult } from '../core/complexity/complexity.js';
import { AnalysisError } from '../core/matrix.js';
import { effectiveDimension, type DimensionResult } from '../core/dimension/effectiveDimension.js';
import { InputError, responseMatrix, trialAveraged, type ResponseMatrix } from '../core/matrix.js';
import { patternEntropy, type PatternsResult, type Threshold } from '../core/patterns/patterns.js';
import { inGroup, warning, type Warning } from '../core/warnings.js';
import { matchedObservables, neuronCurve, stimulusCurve, type MatchedObservables, type NeuronCurvePoint, type StimulusCurvePoint } from './matching.js';

/** The complexity between consecutive groups (area A -> area B, layer to layer). */
export type Transition = ComplexityResult & { from: string; to: string };

export interface GroupInput {
  name: string;
  /** Rows = trials (or samples), columns = neurons. */
  trials: ResponseMatrix;
  /** Stimulus identity of each row, for averaging and cvPCA. */
  stimulusIds?: readonly (string | number)[];
  /** Stimulus description of each row (X of the complexity map). */
  stimulusFeatures?: ResponseMatrix;
  threshold: Threshold;
  /** What a row is, for messages: 'trials', 'bins' (default 'stimuli'). */
  rowNoun?: string;
}

export interface GroupProfile extends Partial<Omit<DimensionResult, 'warnings'>> {
  name: string;
  n: number;
  d: number;
  trials: number;
  patterns?: PatternsResult;
  complexity?: ComplexityResult;
  /** Observables that could not be computed for this group, with the reason. */
  skipped: Record<string, string>;
  /** Every observable at a common number of neurons (with --match-neurons). */
  matched?: MatchedObservables;
  /** D_eff against the number of neurons, from random subsets (with --match-neurons). */
  neuronCurve?: NeuronCurvePoint[];
  /** D_eff (plug-in and corrected) against the number of stimuli, from random subsets (with `stimulusCurve`). */
  stimulusCurve?: StimulusCurvePoint[];
  warnings: Warning[];
}

/** What mapComplexity is asked for under a pipeline's options: its knobs, and its intervals and nulls (one channel each). */
export function complexityRequest(
  opts: Pick<ProfileOptions, 'intervals' | 'nulls' | 'complexityIntervals' | 'complexityNulls' | 'complexity'>,
): ComplexityOptions {
  return { ...opts.complexity, intervals: opts.complexityIntervals ?? opts.intervals, nulls: opts.complexityNulls ?? opts.nulls };
}

export interface ProfileOptions {
  seed?: number;
  /** Interval groups G for every observable (0 = none). */
  intervals?: number;
  /** Permutations for every null (0 = none). */
  nulls?: number;
  /** Permutations for complexity's null when it should differ from `nulls` (it is the costly observable; default `nulls`). */
  complexityNulls?: number;
  /** Interval groups for complexity when they should differ from `intervals` (default `intervals`). */
  complexityIntervals?: number;
  complexity?: ComplexityKnobs;
  /** Neurons for the matched observables (null = no matching). */
  matchNeurons?: number | null;
  /** Largest rank the D_eff correction calibrates. */
  correctionMaxRank?: number;
  /** D_eff against the number of stimuli (random subsets). */
  stimulusCurve?: boolean;
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
  const warnings: Warning[] = [];
  const { main, repeats } = trialAveraged(g.trials, g.stimulusIds);
  if (g.stimulusIds && !repeats) skipped.cvPCA = 'no stimulus has 2 or more repeats';
  const profile: GroupProfile = { name: g.name, n: main.n, d: main.d, trials: g.trials.n, skipped, warnings };
  // 'complexity' + 'complexity null' reads "complexity null", not "complexity complexity null".
  const progress = (what: string) => (label: string, d: number, t: number) =>
    opts.onProgress?.(`${g.name}: ${label.startsWith(what) ? label : `${what} ${label}`}`, d, t);
  const attempt = <T>(what: string, f: () => T): T | undefined => {
    try {
      return f();
    } catch (err) {
      if (err instanceof AnalysisError || err instanceof InputError) {
        skipped[what] = err.message;
        warnings.push(warning('observable-skipped', `${what} not computed: ${err.message}`, g.name));
        return undefined;
      }
      throw err;
    }
  };
  const dim = attempt('dimension', () =>
    effectiveDimension(main, {
      repeats,
      trials: g.trials,
      seed,
      intervals: opts.intervals,
      nulls: opts.nulls,
      correctionMaxRank: opts.correctionMaxRank,
      onProgress: progress('dimension'),
    }),
  );
  if (dim) {
    const { warnings: dw, ...rest } = dim;
    Object.assign(profile, rest, { n: main.n, d: main.d });
    warnings.push(...inGroup(dw, g.name));
  }
  profile.patterns = attempt('patterns', () =>
    patternEntropy(g.trials, {
      threshold: g.threshold,
      seed,
      intervals: opts.intervals,
      nulls: opts.nulls,
      onProgress: progress('patterns'),
      ...(g.rowNoun ? { rowNoun: g.rowNoun } : {}),
    }),
  );
  if (profile.patterns) warnings.push(...inGroup(profile.patterns.warnings, g.name));
  if (g.stimulusFeatures) {
    profile.complexity = attempt('complexity', () =>
      mapComplexity(g.stimulusFeatures!, g.trials, {
        ...complexityRequest(opts),
        seed,
        onProgress: progress('complexity'),
      }),
    );
    if (profile.complexity) warnings.push(...inGroup(profile.complexity.warnings, `${g.name} (from the stimulus)`));
  }
  if (opts.matchNeurons) {
    profile.matched = matchedObservables(g, opts.matchNeurons, { seed, complexity: opts.complexity });
    profile.neuronCurve = neuronCurve(main, { seed });
  }
  if (opts.stimulusCurve) profile.stimulusCurve = stimulusCurve(main, { seed, correctionMaxRank: opts.correctionMaxRank });
  return profile;
}

/**
 * Warnings that concern several groups together: groups of different sizes compared side by side
 * (D_eff grows with the number of neurons).
 */
export function groupSizeWarnings(groups: { name: string; d: number; matched?: MatchedObservables }[], what: 'areas' | 'layers'): Warning[] {
  const sizes = new Set(groups.map((g) => g.d));
  if (groups.length < 2 || sizes.size < 2) return [];
  if (groups.every((g) => g.matched)) return [];
  const list = groups.map((g) => `${g.name} ${g.d}`).join(', ');
  return [
    warning(
      'unequal-group-sizes',
      `${what} of different sizes (${list} neurons) are compared side by side; D_eff grows with the number of neurons: use \`matchNeurons\` for a fair comparison`,
    ),
  ];
}
