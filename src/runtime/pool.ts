/**
 * Worker threads for core/parallel.ts: one worker per extra core, fed from a shared atomic
 * counter; the calling thread takes pieces too and then waits (Atomics.wait) until every piece is
 * done, so core's API stays synchronous. If a worker does not start, work falls back to serial.
 */

import { startWorker } from './startWorker.js';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { finishJob, setParallelRuntime, type ParallelJob, type ParallelRuntime } from '../core/parallel.js';
import '../core/tasks.js';
import { wasmKernelsEnabled } from '../core/wasm/kernels.js';

class WorkerRuntime implements ParallelRuntime {
  private workers: Worker[] = [];
  private failed = false;
  /** Pieces run by worker threads (not the caller) since start: shows that the workers work. */
  workerPieces = 0;
  private readyCount = 0;
  private readyWaiters: (() => void)[] = [];

  /** Resolves once every worker has loaded its tasks (workers start on the first job or here). */
  ready(): Promise<void> {
    this.start();
    if (this.readyCount >= this.workers.length || this.failed) return Promise.resolve();
    // Hold the (otherwise unref'd) workers while someone waits, so the event loop stays alive.
    for (const w of this.workers) w.ref();
    return new Promise((resolve) =>
      this.readyWaiters.push(() => {
        for (const w of this.workers) w.unref();
        resolve();
      }),
    );
  }

  /** `extra` workers beside the calling thread, started on the first job. */
  constructor(private readonly extra: number) {}

  get threads(): number {
    return this.failed ? 1 : 1 + this.extra;
  }

  private start(): void {
    if (this.workers.length > 0 || this.failed) return;
    for (let i = 0; i < this.extra; i++) {
      const w = startWorker(import.meta.url, 'worker');
      w.on('message', (m: unknown) => {
        if ((m as { ready?: boolean })?.ready && ++this.readyCount >= this.workers.length) {
          for (const r of this.readyWaiters.splice(0)) r();
        }
      });
      w.on('error', (err) => {
        for (const r of this.readyWaiters.splice(0)) r();
        // The calling thread takes every piece a dead worker would have: nothing is lost.
        this.failed = true;
        process.stderr.write(`neurorep: worker thread failed (continuing on one thread): ${err.message}\n`);
      });
      // After the listeners: a 'message' listener refs the worker again. Unref'd, idle workers never
      // keep the process alive.
      w.unref();
      this.workers.push(w);
    }
  }

  run(task: string, count: number, args: Record<string, unknown>): void {
    this.start();
    const job: ParallelJob = { task, count, args, control: new Int32Array(new SharedArrayBuffer(12)), wasm: wasmKernelsEnabled() };
    if (!this.failed) for (const w of this.workers) w.postMessage(job);
    const mine = finishJob(job);
    this.workerPieces += count - mine;
  }

  close(): void {
    for (const w of this.workers) void w.terminate();
    this.workers = [];
  }
}

let installed: WorkerRuntime | null = null;

/**
 * Use the machine's other cores for the heavy kernels (idempotent; workers start on the first
 * parallel job). NEUROREP_THREADS=1 keeps everything on one thread.
 */
export function installWorkerThreads(): void {
  if (installed) return;
  const want = Math.min(Number(process.env.NEUROREP_THREADS ?? availableParallelism()), availableParallelism());
  if (!(want > 1) || typeof SharedArrayBuffer === 'undefined') return;
  installed = new WorkerRuntime(want - 1);
  setParallelRuntime(installed);
}

/** Resolves when the installed worker threads are loaded (at once when there are none). */
export function workerThreadsReady(): Promise<void> {
  return installed ? installed.ready() : Promise.resolve();
}

/** Pieces the worker threads have run so far (0 when none is installed). */
export function workerPieces(): number {
  return installed?.workerPieces ?? 0;
}

export function uninstallWorkerThreads(): void {
  installed?.close();
  installed = null;
  setParallelRuntime(null);
}
