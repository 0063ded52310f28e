/**
 * Depth profile of a network: every observable per layer (in order), the complexity of each
 * layer-to-layer map, and (when the input is known) of the map from the input to each layer.
 */

import { readActivations, type Pooling } from '../../adapters/network/index.js';
import { mapComplexity, type ComplexityKnobs } from '../core/complexity/complexity.js';
import { InputError, type ResponseMatrix } from '../core/matrix.js';
import { inGroup, type Warning } from '../core/warnings.js';
import type { StoredRepresentation } from '../store/runStore.js';
import { complexityRequest, groupSizeWarnings, profileGroup, type GroupProfile, type Transition } from './profile.js';
import { matchedCount } from './matching.js';
import { representationOf } from './representation.js';

export { matchedCount } from './matching.js';
export type { Transition } from './profile.js';

export interface Layer {
  name: string;
  matrix: ResponseMatrix;
}

export interface NetworkProfile {
  layers: GroupProfile[];
  /** Complexity between consecutive layers (L -> L+1). */
  transitions: Transition[];
  /** Complexity from the network input to each layer, when the input is given. */
  inputTransitions: Transition[];
  warnings: Warning[];
}

export interface NetworkOptions {
  seed?: number;
  /** Interval groups G (0 = none). */
  intervals?: number;
  /** Permutations for every null (0 = none). */
  nulls?: number;
  /** Permutations for complexity's null when it should differ from `nulls` (it is the costly observable; default `nulls`). */
  complexityNulls?: number;
  /** Interval groups for complexity when they should differ from `intervals` (default `intervals`). */
  complexityIntervals?: number;
  complexity?: ComplexityKnobs;
  /** Threshold for activation patterns (0 for ReLU networks). */
  threshold?: number;
  /** Neurons for matched observables: a number, 'smallest' (the smallest layer), or null. */
  matchNeurons?: number | 'smallest' | null;
  correctionMaxRank?: number;
  /** D_eff against the number of stimuli per layer (random subsets; the corrected value on one subset per size). */
  stimulusCurve?: boolean;
  onProgress?: (label: string, done: number, total: number) => void;
}

export function profileNetwork(layers: Layer[], input: ResponseMatrix | null, opts: NetworkOptions = {}): NetworkProfile {
  if (layers.length === 0) throw new InputError('a network profile needs at least one layer');
  const n = layers[0].matrix.n;
  for (const l of layers)
    if (l.matrix.n !== n)
      throw new InputError(`layer '${l.name}' has ${l.matrix.n} rows but '${layers[0].name}' has ${n}; every layer must list the same stimuli`);
  if (input && input.n !== n) throw new InputError(`the input has ${input.n} rows but the layers have ${n}`);
  const seed = opts.seed ?? 0;
  const match = matchedCount(
    opts.matchNeurons,
    layers.map((l) => l.matrix.d),
  );
  const profiles = layers.map((l) =>
    profileGroup(
      { name: l.name, trials: l.matrix, threshold: opts.threshold ?? 0 },
      {
        seed,
        intervals: opts.intervals,
        nulls: opts.nulls,
        matchNeurons: match,
        correctionMaxRank: opts.correctionMaxRank,
        stimulusCurve: opts.stimulusCurve,
        complexityNulls: opts.complexityNulls,
        complexityIntervals: opts.complexityIntervals,
        complexity: opts.complexity,
        onProgress: opts.onProgress,
      },
    ),
  );
  const warnings: Warning[] = profiles.flatMap((p) => p.warnings);
  const transition = (from: string, x: ResponseMatrix, to: Layer): Transition | null => {
    try {
      const c = mapComplexity(x, to.matrix, {
        ...complexityRequest(opts),
        seed,
        onProgress: (label, d, t) => opts.onProgress?.(`${from} -> ${to.name}: ${label}`, d, t),
      });
      warnings.push(...inGroup(c.warnings, `${from} -> ${to.name}`));
      return { from, to: to.name, ...c };
    } catch (err) {
      if (err instanceof InputError) return null; // e.g. a layer with no variance: nothing to map
      throw err;
    }
  };
  const transitions: Transition[] = [];
  for (let i = 0; i + 1 < layers.length; i++) {
    const t = transition(layers[i].name, layers[i].matrix, layers[i + 1]);
    if (t) transitions.push(t);
  }
  const inputTransitions: Transition[] = [];
  if (input)
    for (const l of layers) {
      const t = transition('input', input, l);
      if (t) inputTransitions.push(t);
    }
  warnings.push(...groupSizeWarnings(profiles, 'layers'));
  return { layers: profiles, transitions, inputTransitions, warnings };
}

export interface ActivationFileOptions extends NetworkOptions {
  /** Layer arrays to use, in depth order (default: archive order). */
  order?: string[];
  pool?: Pooling;
  /** A file naming the stimuli, one id per row (in place of the archive's `stimulus_ids`). */
  stimulusIds?: string;
}

export interface ActivationFileProfile extends NetworkProfile {
  params: Record<string, unknown>;
  n: number;
  step: number | null;
  shapes: number[][];
  /** What the store keeps for comparisons (computed on demand). */
  representations: () => StoredRepresentation[];
}

/** Read an activation file (.npz / .npy) and profile its layers. */
export function profileActivationFile(path: string, opts: ActivationFileOptions = {}): ActivationFileProfile {
  const pool = opts.pool ?? 'none';
  const acts = readActivations(path, { order: opts.order, pool, ...(opts.stimulusIds ? { stimulusIds: opts.stimulusIds } : {}) });
  const profile = profileNetwork(acts.layers, acts.input, opts);
  const match = matchedCount(
    opts.matchNeurons,
    acts.layers.map((l) => l.matrix.d),
  );
  return {
    ...profile,
    params: {
      order: acts.layers.map((l) => l.name),
      pool,
      threshold: opts.threshold ?? 0,
      seed: opts.seed ?? 0,
      intervals: opts.intervals ?? 0,
      nulls: opts.nulls ?? 0,
      matchNeurons: match,
      ...(opts.stimulusCurve ? { stimulusCurve: true } : {}),
      complexityDefinition: opts.complexity?.definition ?? 3,
      ...(opts.stimulusIds ? { stimulusIds: opts.stimulusIds } : {}),
    },
    n: acts.layers[0].matrix.n,
    step: acts.step,
    shapes: acts.layers.map((l) => l.shape),
    representations: () => acts.layers.flatMap((l) => representationOf(l.name, l.matrix, acts.stimulusIds)),
  };
}
