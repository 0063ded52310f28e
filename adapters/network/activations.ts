/**
 * Layer activations from files: .npy (one layer) or .npz (one array per layer, in archive order
 * or as --order says). Tensors (n, C, H, W) become n x C*H*W in C order, or with pool 'mean'
 * n x C (the mean over spatial positions). Arrays named `input`, `step`, `labels` or
 * `stimulus_ids` are metadata (the network input, a checkpoint step, stimulus ids), not layers.
 */

import { extname } from 'node:path';
import { InputError, responseMatrix, validateMatrix, type ResponseMatrix } from '../../src/core/matrix.js';
import { parseNpy, type NpyArray } from '../../src/io/npy.js';
import { NpzFile } from '../../src/io/npz.js';
import { npyToMatrix, readInputFile } from '../../src/io/matrixFile.js';
import { readStimulusIdsFile } from '../../src/io/stimulusIdsFile.js';

export const METADATA_ARRAYS = ['input', 'step', 'labels', 'stimulus_ids'];

export type Pooling = 'none' | 'mean';

export interface ActivationSet {
  layers: { name: string; matrix: ResponseMatrix; shape: number[] }[];
  input: ResponseMatrix | null;
  step: number | null;
  stimulusIds: (string | number)[] | null;
}

/** Average a (n, C, ...spatial) tensor over its spatial axes: n x C. 2-D arrays pass through. */
export function poolMean(a: NpyArray, what: string): ResponseMatrix {
  if (a.shape.length <= 2) return npyToMatrix(a, what);
  const [n, c] = a.shape;
  const spatial = a.shape.slice(2).reduce((x, y) => x * y, 1);
  const out = new Float64Array(n * c);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < c; k++) {
      let s = 0;
      const off = (i * c + k) * spatial;
      for (let p = 0; p < spatial; p++) s += a.data[off + p];
      out[i * c + k] = s / spatial;
    }
  return responseMatrix(n, c, out);
}

/** The arrays of an activation file on demand: an .npz inflates only the arrays asked for. */
interface ArraySource {
  names: string[];
  has(name: string): boolean;
  get(name: string): NpyArray;
  /** A 1-D array of numbers or strings. */
  labels(name: string): (string | number)[];
  close(): void;
}

function arraySource(path: string): ArraySource {
  const ext = extname(path).toLowerCase();
  if (ext === '.npy') {
    const a = parseNpy(readInputFile(path), path);
    return { names: ['layer'], has: (k) => k === 'layer', get: () => a, labels: () => Array.from(a.data), close: () => {} };
  }
  if (ext === '.npz') {
    const npz = NpzFile.open(path);
    return { names: npz.names(), has: (k) => npz.has(k), get: (k) => npz.array(k), labels: (k) => npz.labels(k), close: () => npz.close() };
  }
  throw new InputError(`${path}: activation files are .npy (one layer) or .npz (one array per layer), got '${ext || '(no extension)'}'`);
}

export interface ReadActivationOptions {
  order?: string[];
  pool?: Pooling;
  /** A file naming the stimuli (one id per row; stimulusIdsFile.ts), in place of the archive's `stimulus_ids`. */
  stimulusIds?: string;
}

export function readActivations(path: string, opts: ReadActivationOptions = {}): ActivationSet {
  const source = arraySource(path);
  try {
    return readActivationArrays(path, source, opts);
  } finally {
    source.close();
  }
}

function readActivationArrays(path: string, arrays: ArraySource, opts: ReadActivationOptions): ActivationSet {
  const layerNames = arrays.names.filter((k) => !METADATA_ARRAYS.includes(k));
  let order = layerNames;
  if (opts.order) {
    const missing = opts.order.filter((k) => !arrays.has(k));
    if (missing.length) throw new InputError(`${path}: no array named ${missing.map((m) => `'${m}'`).join(', ')}; layers are: ${layerNames.join(', ')}`);
    order = opts.order;
  }
  if (order.length === 0) throw new InputError(`${path}: holds no layer arrays (only ${arrays.names.join(', ')})`);
  const pool = opts.pool ?? 'none';
  const layers = order.map((name) => {
    const a = arrays.get(name);
    const what = `${path}[${name}]`;
    const matrix = pool === 'mean' ? poolMean(a, what) : npyToMatrix(a, what);
    validateMatrix(matrix, what);
    return { name, matrix, shape: a.shape };
  });
  const n = layers[0].matrix.n;
  for (const l of layers)
    if (l.matrix.n !== n)
      throw new InputError(`${path}[${l.name}]: ${l.matrix.n} rows, but [${layers[0].name}] has ${n}; every layer must list the same stimuli`);
  let input: ResponseMatrix | null = null;
  if (arrays.has('input')) {
    input = npyToMatrix(arrays.get('input')!, `${path}[input]`);
    validateMatrix(input, `${path}[input]`);
    if (input.n !== n) throw new InputError(`${path}[input]: ${input.n} rows for ${n} stimuli`);
  }
  const step = arrays.has('step') ? arrays.get('step')!.data[0] : null;
  // Stimulus ids: a file given, else the archive's `stimulus_ids` (numbers or strings), else `labels`.
  let stimulusIds: (string | number)[] | null = null;
  if (opts.stimulusIds) stimulusIds = readStimulusIdsFile(opts.stimulusIds, n);
  else {
    const key = arrays.has('stimulus_ids') ? 'stimulus_ids' : arrays.has('labels') ? 'labels' : null;
    if (key) {
      const ids = arrays.labels(key);
      if (key === 'stimulus_ids' && ids.length !== n) throw new InputError(`${path}[stimulus_ids]: ${ids.length} ids for ${n} stimuli`);
      stimulusIds = ids.length === n ? ids : null;
    }
  }
  return { layers, input, step, stimulusIds };
}
