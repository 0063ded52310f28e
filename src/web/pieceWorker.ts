/** A helper Web Worker of the analysis worker: takes pieces of posted jobs (see pool.ts). */

import { takePieces, type ParallelJob } from '../core/parallel.js';
import '../core/tasks.js';
import { preloadWasmKernels, setWasmKernelsEnabled } from '../core/wasm/kernels.js';

void preloadWasmKernels().then(() => {
  self.onmessage = (e: MessageEvent) => {
    const job = e.data as ParallelJob;
    // The caller's choice of kernels, so that every piece computes the same bits wherever it runs.
    setWasmKernelsEnabled(job.wasm);
    takePieces(job, (err) => console.error(`neurorep helper: ${(err as Error).stack ?? String(err)}`));
  };
  self.postMessage({ ready: true });
});
