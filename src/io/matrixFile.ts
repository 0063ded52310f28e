/**
 * Matrix files in and out: .npy, .npz (with a key), .csv, .json. The first axis is stimuli;
 * trailing axes are flattened in C order (an (n, C, H, W) tensor becomes n x C*H*W).
 */

import { writeFileAtomic } from './files.js';
import { accessSync, constants as fsConstants, readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { InputError, responseMatrix, type ResponseMatrix } from '../core/matrix.js';
import { parseCsv } from './csv.js';
import { parseJsonMatrix } from './json.js';
import { encodeNpy, parseNpy, type NpyArray } from './npy.js';
import { encodeNpz, withNpz, type ArrayToWrite } from './npz.js';

export type MatrixFormat = 'npy' | 'npz' | 'csv' | 'json';

export interface LoadedMatrix {
  matrix: ResponseMatrix;
  format: MatrixFormat;
  /** Array name inside an .npz. */
  key?: string;
  /** Shape as stored (before flattening). */
  shape: number[];
  /** Stored dtype ('f8' for csv/json). */
  dtype: string;
}

/** The format a path names, by its extension. */
export function matrixFormat(path: string): MatrixFormat {
  const ext = extname(path).toLowerCase();
  switch (ext) {
    case '.npy':
      return 'npy';
    case '.npz':
      return 'npz';
    case '.csv':
      return 'csv';
    case '.json':
      return 'json';
    default:
      throw new InputError(`${path}: unknown matrix format '${ext || '(no extension)'}'; expected .npy, .npz, .csv or .json`);
  }
}

/** Read a whole file, turning "no such file" and friends into input errors. */
export function readInputFile(path: string): Buffer {
  assertInputFile(path);
  try {
    return readFileSync(path);
  } catch (err) {
    throw inputFileError(path, err);
  }
}

/** The InputError for a failed read of `path`: names the path and says what went wrong. */
export function inputFileError(path: string, err: unknown): InputError {
  if (err instanceof InputError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new InputError(`${path}: no such file`);
  if (code === 'EACCES' || code === 'EPERM') return new InputError(`${path}: permission denied (the file cannot be read)`);
  if (code === 'EISDIR') return new InputError(`${path}: is a directory, expected a file`);
  if (code === 'ENOTDIR') return new InputError(`${path}: a part of the path is not a folder`);
  return new InputError(`${path}: cannot read: ${(err as Error).message}`);
}

/** Throws an InputError unless `path` is an existing, readable file (not a folder). */
export function assertInputFile(path: string): void {
  try {
    if (statSync(path).isDirectory()) throw new InputError(`${path}: is a directory, expected a file`);
    accessSync(path, fsConstants.R_OK);
  } catch (err) {
    throw inputFileError(path, err);
  }
}

/** An npy array as an n x prod(rest) matrix. A 1-D array is n x 1; a 0-D array is rejected. */
export function npyToMatrix(a: NpyArray, what: string): ResponseMatrix {
  if (a.shape.length === 0) throw new InputError(`${what}: is a scalar, expected an array with stimuli on the first axis`);
  const n = a.shape[0];
  const d = a.shape.slice(1).reduce((x, y) => x * y, 1);
  return responseMatrix(n, d, a.data);
}

/** Read a matrix file. For .npz, `key` picks the array (optional when it holds exactly one). */
export function readMatrixFile(path: string, opts: { key?: string } = {}): LoadedMatrix {
  const format = matrixFormat(path);
  if (format === 'npz') {
    // Only the array asked for is inflated (io/zip.ts).
    return withNpz(path, (npz) => {
      const names = npz.names();
      let key = opts.key;
      if (key === undefined) {
        if (names.length !== 1) throw new InputError(`${path}: holds ${names.length} arrays (${names.join(', ')}); choose one with \`key NAME\``);
        key = names[0];
      }
      const a = npz.array(key);
      return { matrix: npyToMatrix(a, `${path}[${key}]`), format, key, shape: a.shape, dtype: a.dtype };
    });
  }
  const bytes = readInputFile(path);
  switch (format) {
    case 'npy': {
      if (opts.key !== undefined) throw new InputError(`${path}: \`key\` is only for .npz archives`);
      const a = parseNpy(bytes, path);
      return { matrix: npyToMatrix(a, path), format, shape: a.shape, dtype: a.dtype };
    }
    case 'csv': {
      const m = parseCsv(bytes.toString('utf8'), path);
      return { matrix: m, format, shape: [m.n, m.d], dtype: 'f8' };
    }
    case 'json': {
      const m = parseJsonMatrix(bytes.toString('utf8'), path);
      return { matrix: m, format, shape: [m.n, m.d], dtype: 'f8' };
    }
  }
}

/** What `neurorep info` shows for a matrix file: every array's shape and dtype. */
export interface MatrixFileInventory {
  path: string;
  format: MatrixFormat;
  bytes: number;
  arrays: { name: string; shape: number[]; dtype: string; fortranOrder?: boolean; n: number; d: number }[];
}

export function inspectMatrixFile(path: string): MatrixFileInventory {
  const format = matrixFormat(path);
  const entry = (name: string, shape: number[], dtype: string, fortranOrder?: boolean) => ({
    name,
    shape,
    dtype,
    ...(fortranOrder !== undefined ? { fortranOrder } : {}),
    n: shape[0] ?? 1,
    d: shape.slice(1).reduce((a, b) => a * b, 1),
  });
  let arrays: MatrixFileInventory['arrays'];
  if (format === 'npz') {
    // Headers only: nothing is inflated beyond each member's first bytes.
    arrays = withNpz(path, (npz) =>
      npz.names().map((name) => {
        const h = npz.header(name);
        return entry(name, h.shape, h.dtype, h.fortranOrder);
      }),
    );
    return { path, format, bytes: statSync(path).size, arrays };
  }
  const bytes = readInputFile(path);
  if (format === 'npy') {
    const a = parseNpy(bytes, path);
    arrays = [entry(basename(path), a.shape, a.dtype, a.fortranOrder)];
  } else {
    const m = readMatrixFile(path).matrix;
    arrays = [entry(basename(path), [m.n, m.d], 'f8')];
  }
  return { path, format, bytes: bytes.length, arrays };
}

/** Write one array as .npy. */
export function writeNpy(path: string, a: ArrayToWrite): void {
  writeFileAtomic(path, encodeNpy(a.data, a.shape, a.dtype ?? 'f8'));
}

/** Write named arrays as .npz. */
export function writeNpz(path: string, arrays: Iterable<[string, ArrayToWrite]>, opts: { compress?: boolean } = {}): void {
  writeFileAtomic(path, encodeNpz(arrays, opts));
}
