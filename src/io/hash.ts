/**
 * sha256 of an input file, computed in a worker thread while the analysis runs: for a 1 GB
 * recording the hash then costs no wall time. Small files are hashed in place. One hashing thread
 * serves the whole process (started on first use), so hashing many files costs one thread.
 */

import { statSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../runtime/startWorker.js';
import { sha256File } from './files.js';
import { assertInputFile } from './matrixFile.js';

let hasher: Worker | null = null;

/** The process's hashing thread (unref'd: it never keeps the process alive). */
function hashingThread(): Worker {
  if (!hasher) {
    hasher = startWorker(import.meta.url, 'hashWorker');
    hasher.unref();
    hasher.on('error', () => (hasher = null));
  }
  return hasher;
}

/** Start hashing; the returned function gives the hex digest (waiting for it if needed). */
export function sha256Later(path: string, inlineBelow = 32 << 20): () => string {
  assertInputFile(path);
  const size = statSync(path).size;
  if (size < inlineBelow) {
    const digest = sha256File(path);
    return () => digest;
  }
  const sab = new SharedArrayBuffer(4 + 64);
  const flag = new Int32Array(sab, 0, 1);
  hashingThread().postMessage({ path, sab });
  const started = Date.now();
  // A generous deadline (at least 10 MB/s, never under a minute): past it, hash here instead.
  const deadline = Math.max(60_000, size / 10_000);
  return () => {
    while (Atomics.load(flag, 0) === 0 && Date.now() - started < deadline) Atomics.wait(flag, 0, 0, 1000);
    if (Atomics.load(flag, 0) !== 1) return sha256File(path);
    return Buffer.from(new Uint8Array(sab, 4, 64)).toString('latin1');
  };
}
