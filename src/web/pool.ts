/**
 * Web Workers for core/parallel.ts inside the app's analysis worker: one helper per extra core,
 * fed from a shared atomic counter as the Node CLI's worker threads are (core's takePieces and
 * finishJob), so a piece computes the same bits on any thread and the numbers do not depend on
 * the core count. Needs SharedArrayBuffer, i.e. a cross-origin-isolated page (`neurorep serve`
 * sends the headers); without it everything runs on one thread.
 */

import { finishJob, setParallelRuntime, type ParallelJob, type ParallelRuntime } from '../core/parallel.js';
import { wasmKernelsEnabled } from '../core/wasm/kernels.js';

class WebWorkerRuntime implements ParallelRuntime {
  private readonly workers: Worker[] = [];
  private failed = false;

  constructor(
    private readonly extra: number,
    private readonly script: URL,
  ) {}

  get threads(): number {
    return this.failed ? 1 : 1 + this.extra;
  }

  /** Start the helpers and resolve once each has loaded its tasks (before the caller first blocks). */
  start(): Promise<void> {
    return Promise.all(
      Array.from({ length: this.extra }, () => {
        const w = new Worker(this.script);
        this.workers.push(w);
        return new Promise<void>((resolve) => {
          w.onmessage = (e: MessageEvent) => {
            if ((e.data as { ready?: boolean })?.ready) resolve();
          };
          w.onerror = () => {
            // The calling thread takes every piece a dead helper would have: nothing is lost.
            this.failed = true;
            resolve();
          };
        });
      }),
    ).then(() => undefined);
  }

  run(task: string, count: number, args: Record<string, unknown>): void {
    const job: ParallelJob = { task, count, args, control: new Int32Array(new SharedArrayBuffer(12)), wasm: wasmKernelsEnabled() };
    if (!this.failed) for (const w of this.workers) w.postMessage(job);
    finishJob(job);
  }
}

/** Threads the page may use: every core when SharedArrayBuffer is there, else one. */
export function usableThreads(): number {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined';
  return isolated ? Math.max(1, Math.min(16, navigator.hardwareConcurrency || 1)) : 1;
}

/** Install helpers for every core but this one (resolves when they are ready); returns the thread count. */
export async function installWebWorkers(script: URL): Promise<number> {
  const threads = usableThreads();
  if (threads <= 1) return 1;
  const runtime = new WebWorkerRuntime(threads - 1, script);
  await runtime.start();
  setParallelRuntime(runtime);
  return runtime.threads;
}
