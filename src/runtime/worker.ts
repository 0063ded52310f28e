/** A worker thread: takes pieces of posted jobs from the shared counter until none are left. */

import { parentPort } from 'node:worker_threads';
import { runTaskPiece, taskBody } from '../core/parallel.js';
import '../core/tasks.js';
import { applyKernelsSwitch } from './kernelsSwitch.js';
import { setWasmKernelsEnabled } from '../core/wasm/kernels.js';

applyKernelsSwitch();

parentPort!.postMessage({ ready: true });

parentPort!.on('message', (job: { task: string; count: number; args: Record<string, unknown>; control: Int32Array; wasm: boolean }) => {
  // The caller's choice of kernels, so that every piece computes the same bits wherever it runs.
  setWasmKernelsEnabled(job.wasm);
  const body = taskBody(job.task);
  let i: number;
  while ((i = Atomics.add(job.control, 0, 1)) < job.count) {
    try {
      runTaskPiece(body, job.args, i);
    } catch (err) {
      Atomics.add(job.control, 2, 1);
      process.stderr.write(`neurorep worker: ${(err as Error).stack}\n`);
    }
    Atomics.add(job.control, 1, 1);
    Atomics.notify(job.control, 1);
  }
});
