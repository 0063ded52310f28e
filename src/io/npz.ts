/**
 * NumPy .npz archives (zip of .npy members, stored or deflated) in and out, through fflate.
 */

import { unzipSync, zipSync, type Zippable } from 'fflate';
import { InputError } from '../core/matrix.js';
import { encodeNpy, parseNpy, type NpyArray, type NpyDtype } from './npy.js';

/** The arrays of an .npz archive, by name (without the .npy suffix), in archive order. */
export function parseNpz(bytes: Uint8Array, file: string): Map<string, NpyArray> {
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes);
  } catch (err) {
    throw new InputError(`${file}: not a readable .npz (zip) archive: ${(err as Error).message}`);
  }
  const arrays = new Map<string, NpyArray>();
  for (const [member, content] of Object.entries(members)) {
    if (member.endsWith('/')) continue;
    const name = member.replace(/\.npy$/, '');
    arrays.set(name, parseNpy(content, `${file}[${name}]`));
  }
  if (arrays.size === 0) throw new InputError(`${file}: the .npz archive holds no arrays`);
  return arrays;
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
