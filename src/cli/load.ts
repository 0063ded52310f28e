/** Loading matrix arguments: `file.npz:key` or `--key`, validated, with a name for messages. */

import { statSync } from 'node:fs';
import { InputError, validateMatrix, type ResponseMatrix } from '../core/matrix.js';
import { readMatrixFile, type LoadedMatrix } from '../io/matrixFile.js';
import { sourceOf, type SourceInfo } from '../store/record.js';
import { sha256Later } from '../io/hash.js';

export interface MatrixArgument {
  loaded: LoadedMatrix;
  matrix: ResponseMatrix;
  /** `path` or `path[key]`, for messages. */
  what: string;
  source: SourceInfo;
}

/**
 * Split `archive.npz:key` into path and key (only for .npz paths). Keys may hold ':' and '/'
 * (ONNX tensor names such as `onnx::Gemm_12` or `/conv1/Relu_output_0`), so the split is at the
 * first `.npz:` whose prefix is an existing file; a spec that is itself a file is never split.
 */
export function splitKey(spec: string): { path: string; key?: string } {
  const cuts = [...spec.matchAll(/\.npz:/gi)].map((m) => m.index! + 4);
  if (cuts.length === 0 || isFile(spec)) return { path: spec };
  const cut = cuts.find((c) => isFile(spec.slice(0, c))) ?? cuts[0];
  const key = spec.slice(cut + 1);
  return key ? { path: spec.slice(0, cut), key } : { path: spec };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Read, flatten and validate (finite values, >= 2 rows) one matrix argument. */
export function loadMatrixArgument(spec: string, key?: string): MatrixArgument {
  const split = splitKey(spec);
  const hash = sha256Later(split.path);
  if (split.key && key && split.key !== key) throw new InputError(`${spec}: the key in the path and --key disagree ('${split.key}' vs '${key}')`);
  const loaded = readMatrixFile(split.path, { key: split.key ?? key });
  const what = loaded.key ? `${split.path}[${loaded.key}]` : split.path;
  validateMatrix(loaded.matrix, what);
  let source: SourceInfo | undefined;
  return {
    loaded,
    matrix: loaded.matrix,
    what,
    // Resolved when the record is built, so the hash runs while the analysis computes.
    get source(): SourceInfo {
      return (source ??= { ...sourceOf(split.path, loaded.format, hash), ...(loaded.key ? { key: loaded.key } : {}) });
    },
  };
}
