/** A worker thread: takes pieces of posted jobs from the shared counter until none are left. */

import { parentPort } from 'node:worker_threads';
import { takePieces, type ParallelJob } from '../core/parallel.js';
import '../core/tasks.js';
import { applyKernelsSwitch } from './kernelsSwitch.js';
import { setWasmKernelsEnabled } from '../core/wasm/kernels.js';

applyKernelsSwitch();

parentPort!.postMessage({ ready: true });

parentPort!.on('message', (job: ParallelJob) => {
  // The caller's choice of kernels, so that every piece computes the same bits wherever it runs.
  setWasmKernelsEnabled(job.wasm);
  takePieces(job, (err) => process.stderr.write(`neurorep worker: ${(err as Error).stack}\n`));
});
