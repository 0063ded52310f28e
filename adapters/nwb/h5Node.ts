/**
 * Node's side of the HDF5 layer: h5wasm's Node build for local files (read on demand from disk,
 * never whole), HDF5's diagnostics kept off the terminal, and files on HTTP(S) servers read by
 * ranges through RemoteFile. The browser app opens its files with Hdf5Reader.openSource instead.
 */

import fs, { closeSync, openSync, readSync, statSync } from 'node:fs';
import { RemoteFile, type RemoteOptions } from '../remote/remoteFile.js';
import { InputError } from '../../src/core/matrix.js';
import { assertInputFile } from '../../src/io/matrixFile.js';
import {
  HDF5_SIGNATURE,
  Hdf5Reader,
  installConsoleDiagnosticFilter,
  keepLine,
  lastHdf5Error,
  superblockTruncation,
  truncatedMessage,
  type H5File,
  type H5Module,
} from './h5.js';

let modulePromise: Promise<H5Module> | null = null;
let filterInstalled = false;
let partialLine = '';

/**
 * h5wasm's Node build uses Emscripten's raw Node file system, which writes HDF5's error stack with
 * fs.writeSync(2, ...) and so bypasses process.stderr: only writes to descriptor 2 through
 * fs.writeSync pass through this filter; Node's own stderr stream does not use it.
 */
function installDiagnosticFilter(): void {
  if (filterInstalled) return;
  filterInstalled = true;
  const writeSync = fs.writeSync;
  fs.writeSync = function (this: unknown, fd: number, data: unknown, ...rest: unknown[]): number {
    if (fd !== 2 || !(typeof data === 'string' || ArrayBuffer.isView(data))) {
      return (writeSync as (...a: unknown[]) => number).call(fs, fd, data, ...rest);
    }
    let bytes: Uint8Array;
    let written: number;
    if (typeof data === 'string') {
      bytes = Buffer.from(data, 'utf8');
      written = bytes.length;
    } else {
      // (fd, buffer, offset?, length?, position?)
      const view = data as ArrayBufferView;
      const offset = typeof rest[0] === 'number' ? rest[0] : 0;
      const length = typeof rest[1] === 'number' ? rest[1] : view.byteLength - offset;
      bytes = new Uint8Array(view.buffer, view.byteOffset + offset, length);
      written = length;
    }
    const text = partialLine + Buffer.from(bytes).toString('utf8');
    const lines = text.split('\n');
    partialLine = lines.pop() ?? '';
    // a partial line that cannot be a diagnostic is passed on at once
    if (partialLine && !/^(H|\s)/.test(partialLine)) {
      lines.push(partialLine);
      partialLine = '';
      const kept = lines.filter(keepLine);
      if (kept.length) writeSync.call(fs, 2, kept.join('\n'));
      return written;
    }
    const kept = lines.filter(keepLine);
    if (kept.length) writeSync.call(fs, 2, kept.map((l) => l + '\n').join(''));
    return written;
  } as typeof fs.writeSync;
}

/** Load h5wasm once per process. */
export async function h5(): Promise<H5Module> {
  if (!modulePromise) {
    installDiagnosticFilter();
    installConsoleDiagnosticFilter();
    modulePromise = (async () => {
      const mod = await import('h5wasm/node');
      await mod.ready;
      return mod;
    })();
  }
  return modulePromise;
}

/**
 * Whether the file is shorter than its HDF5 superblock says it is (an interrupted download or
 * copy): the end-of-file address, relative to the superblock's base address, against the size.
 */
export function truncation(path: string, superblockAt: number): { size: number; end: number | null } | null {
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(64);
    const got = readSync(fd, buf, 0, 64, superblockAt);
    return superblockTruncation(buf.subarray(0, got), size);
  } finally {
    closeSync(fd);
  }
}

/** Check the HDF5 signature (at 0 or a power-of-two userblock offset) before handing the file to HDF5. */
export function isHdf5File(path: string): boolean {
  return superblockOffset(path) !== null;
}

/** Where the HDF5 superblock (its signature) is: 0 or a power-of-two user-block size; null if none. */
export function superblockOffset(path: string): number | null {
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(8);
    for (let off = 0; off + 8 <= size; off = off === 0 ? 512 : off * 2) {
      readSync(fd, buf, 0, 8, off);
      if (HDF5_SIGNATURE.every((b, i) => buf[i] === b)) return off;
      if (off > 1 << 30) break;
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Open a local NWB/HDF5 file (read on demand). */
export async function openHdf5File(path: string): Promise<Hdf5Reader> {
  assertInputFile(path);
  const at = superblockOffset(path);
  if (at === null) throw new InputError(`${path}: not an HDF5 file (no HDF5 signature); NWB 2.x files are HDF5`);
  const cut = truncation(path, at);
  if (cut) throw new InputError(truncatedMessage(path, cut));
  const mod = await h5();
  let file: H5File;
  try {
    file = new mod.File(path, 'r');
  } catch (err) {
    const detail = lastHdf5Error();
    throw new InputError(`${path}: HDF5 could not open the file${detail ? `: ${detail}` : `: ${(err as Error).message}`}`);
  }
  return new Hdf5Reader(path, mod, file, statSync(path).size);
}

/** Open an NWB/HDF5 file on an HTTP(S) server without downloading it (byte ranges, see RemoteFile). */
export async function openHdf5Url(url: string, opts: RemoteOptions = {}): Promise<Hdf5Reader> {
  return Hdf5Reader.openSource(url, RemoteFile.open(url, opts));
}
