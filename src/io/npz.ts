/**
 * NumPy .npz archives (zip of .npy members, stored or deflated). Reading goes member by member
 * through io/zip.ts: only the arrays asked for are inflated, each under a size ceiling. Writing
 * (small outputs of neurorep's own) uses fflate.
 */

import { zipSync, type Zippable } from 'fflate';
import { InputError } from '../core/matrix.js';
import { encodeNpy, parseNpy, parseNpyHeader, parseNpyLabels, type NpyArray, type NpyDtype, type NpyHeader } from './npy.js';
import { ZipArchive, type ZipMember } from './zip.js';

/** An open .npz archive: the names of its arrays, and each array on demand. */
export class NpzFile {
  private constructor(
    private readonly zip: ZipArchive,
    private readonly byName: Map<string, ZipMember>,
  ) {}

  static open(path: string): NpzFile {
    const zip = ZipArchive.open(path);
    const byName = new Map<string, ZipMember>();
    for (const m of zip.members) if (!m.name.endsWith('/')) byName.set(m.name.replace(/\.npy$/, ''), m);
    if (byName.size === 0) {
      zip.close();
      throw new InputError(`${path}: the .npz archive holds no arrays`);
    }
    return new NpzFile(zip, byName);
  }

  get path(): string {
    return this.zip.path;
  }

  /** Array names (without .npy), in archive order. */
  names(): string[] {
    return [...this.byName.keys()];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** One array, read and inflated now (nothing else is). */
  array(name: string): NpyArray {
    const m = this.byName.get(name);
    if (!m) throw new InputError(`${this.path}: no array named '${name}'; it holds: ${this.names().join(', ')}`);
    const what = `${this.path}[${name}]`;
    return parseNpy(this.zip.read(m, what), what);
  }

  /** One 1-D array of labels: numbers or strings (npy.ts parseNpyLabels). */
  labels(name: string): (string | number)[] {
    const m = this.byName.get(name);
    if (!m) throw new InputError(`${this.path}: no array named '${name}'; it holds: ${this.names().join(', ')}`);
    const what = `${this.path}[${name}]`;
    return parseNpyLabels(this.zip.read(m, what), what);
  }

  /** One array's header (shape, dtype) from the first bytes of its member. */
  header(name: string): NpyHeader {
    const m = this.byName.get(name)!;
    const what = `${this.path}[${name}]`;
    return parseNpyHeader(this.zip.readPrefix(m, 4096, what), what);
  }

  close(): void {
    this.zip.close();
  }
}

/** Open an .npz, run f, close it (also on errors). */
export function withNpz<T>(path: string, f: (npz: NpzFile) => T): T {
  const npz = NpzFile.open(path);
  try {
    return f(npz);
  } finally {
    npz.close();
  }
}

/** An array to write: values in C order with their shape. */
export interface ArrayToWrite {
  data: ArrayLike<number>;
  shape: readonly number[];
  dtype?: NpyDtype;
}

/** Serialise named arrays as an .npz archive (deflated, like numpy.savez_compressed). */
export function encodeNpz(arrays: Iterable<[string, ArrayToWrite]>, opts: { compress?: boolean } = {}): Uint8Array {
  const files: Zippable = {};
  for (const [name, a] of arrays) {
    files[`${name}.npy`] = [encodeNpy(a.data, a.shape, a.dtype ?? 'f8'), { level: opts.compress === false ? 0 : 6 }];
  }
  return zipSync(files);
}

/** Every array of a (trusted, small) archive by name, in archive order; each under the size ceiling. */
export function readNpz(path: string): Map<string, NpyArray> {
  return withNpz(path, (npz) => new Map(npz.names().map((k) => [k, npz.array(k)])));
}
