/** The hashing thread of sha256Later (hash.ts): hashes each file it is sent and signals the digest through shared memory. */

import { parentPort } from 'node:worker_threads';
import { sha256File } from './files.js';

parentPort!.on('message', ({ path, sab }: { path: string; sab: SharedArrayBuffer }) => {
  const flag = new Int32Array(sab, 0, 1);
  try {
    new Uint8Array(sab, 4, 64).set(Buffer.from(sha256File(path), 'latin1'));
    Atomics.store(flag, 0, 1);
  } catch {
    Atomics.store(flag, 0, 2);
  }
  Atomics.notify(flag, 0);
});
