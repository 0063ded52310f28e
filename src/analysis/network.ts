/**
 * Depth profile of a network: every observable per layer (in order), the complexity of each
 * layer-to-layer map, and (when the input is known) of the map from the input to each layer.
 */

import { mapComplexity, type ComplexityOptions, type ComplexityResult } from '../core/complexity.js';
import { InputError, type ResponseMatrix } from '../core/matrix.js';
import { profileGroup, type GroupProfile } from './profile.js';

export interface Layer {
  name: string;
  matrix: ResponseMatrix;
}

export interface Transition extends ComplexityResult {
  from: string;
  to: string;
}

export interface NetworkProfile {
  layers: GroupProfile[];
  /** Complexity between consecutive layers (L -> L+1). */
  transitions: Transition[];
  /** Complexity from the network input to each layer, when the input is given. */
  inputTransitions: Transition[];
}

export interface NetworkOptions {
  seed?: number;
  bootstrap?: number;
  complexity?: ComplexityOptions;
  /** Threshold for activation patterns (0 for ReLU networks). */
  threshold?: number;
  onProgress?: (label: string, done: number, total: number) => void;
}

export function profileNetwork(layers: Layer[], input: ResponseMatrix | null, opts: NetworkOptions = {}): NetworkProfile {
  if (layers.length === 0) throw new InputError('a network profile needs at least one layer');
  const n = layers[0].matrix.n;
  for (const l of layers) if (l.matrix.n !== n) throw new InputError(`layer '${l.name}' has ${l.matrix.n} rows but '${layers[0].name}' has ${n}; every layer must list the same stimuli`);
  if (input && input.n !== n) throw new InputError(`the input has ${input.n} rows but the layers have ${n}`);
  const seed = opts.seed ?? 0;
  const profiles = layers.map((l) =>
    profileGroup({ name: l.name, trials: l.matrix, threshold: opts.threshold ?? 0 }, { seed, bootstrap: opts.bootstrap, onProgress: opts.onProgress }),
  );
  const transition = (from: string, x: ResponseMatrix, to: Layer): Transition | null => {
    try {
      const c = mapComplexity(x, to.matrix, { ...opts.complexity, seed, onProgress: (d, t) => opts.onProgress?.(`${from} -> ${to.name}`, d, t) });
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
  if (input) for (const l of layers) {
    const t = transition('input', input, l);
    if (t) inputTransitions.push(t);
  }
  return { layers: profiles, transitions, inputTransitions };
}
