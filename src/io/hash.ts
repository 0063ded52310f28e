/**
 * sha256 of an input file, computed in a worker thread while the analysis runs: for a 1 GB
 * recording the hash then costs no wall time. Small files are hashed in place.
 */

import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { assertInputFile, sha256File } from './matrixFile.js';

const WORKER = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');
const flag = new Int32Array(workerData.sab, 0, 1);
const out = new Uint8Array(workerData.sab, 4, 64);
try {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(workerData.path, 'r');
  const buf = Buffer.allocUnsafe(1 << 22);
  let got;
  while ((got = fs.readSync(fd, buf, 0, buf.length, null)) > 0) hash.update(buf.subarray(0, got));
  fs.closeSync(fd);
  out.set(Buffer.from(hash.digest('hex'), 'latin1'));
  Atomics.store(flag, 0, 1);
} catch (err) {
  Atomics.store(flag, 0, 2);
}
Atomics.notify(flag, 0);
`;

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
  // execArgv: [] so that the parent's flags (e.g. --input-type=module) cannot change how the
  // CommonJS worker source is read.
  const worker = new Worker(WORKER, { eval: true, workerData: { path, sab }, execArgv: [] });
  worker.unref();
  const started = Date.now();
  // A generous deadline (at least 10 MB/s, never under a minute): past it, hash here instead.
  const deadline = Math.max(60_000, size / 10_000);
  return () => {
    while (Atomics.load(flag, 0) === 0 && Date.now() - started < deadline) Atomics.wait(flag, 0, 0, 1000);
    if (Atomics.load(flag, 0) !== 1) {
      void worker.terminate();
      return sha256File(path);
    }
    return Buffer.from(new Uint8Array(sab, 4, 64)).toString('latin1');
  };
}
