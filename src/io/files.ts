/**
 * The file primitives every layer shares: sha256 of a file or of bytes (one implementation), and
 * atomic writes (to a temporary name beside the target, then rename), so that a crash or a full
 * disk never leaves a half-written file under the final name.
 */

import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../core/matrix.js';

/** sha256 of a string or bytes, hex. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** sha256 of a file's bytes, hex, read in 1 MiB chunks so memory stays flat for large recordings. */
export function sha256File(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new InputError(`${path}: cannot read: ${(err as Error).message}`);
  }
  try {
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const got = readSync(fd, buf, 0, buf.length, null);
      if (got === 0) break;
      hash.update(buf.subarray(0, got));
    }
    return hash.digest('hex');
  } finally {
    closeSync(fd);
  }
}

let counter = 0;

/**
 * Write `path` atomically with a writer of its own (a library that writes a file by name, a
 * stream): `write` fills the temporary file it is given, which is then renamed to `path`; if
 * anything fails the temporary file is removed. Unwritable targets are input errors naming them.
 */
export function writeAtomically(path: string, write: (tmp: string) => void): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${++counter}.tmp`);
  try {
    write(tmp);
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      /* nothing to clean up */
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'EROFS' || code === 'ENOSPC') {
      throw new InputError(`${path}: cannot write: ${(err as Error).message}`);
    }
    throw err;
  }
}

/** Write bytes or text to `path` atomically. */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  writeAtomically(path, (tmp) => writeFileSync(tmp, bytes));
}
