/**
 * Optional parallelism for the heavy kernels, kept pure: core code asks `parallelFor` to run
 * `count` independent, numbered pieces of a named task over SharedArrayBuffer-backed data; a
 * runtime (the Node CLI registers worker threads) may spread them over cores. Without one, or for
 * small jobs, the pieces run here, in order. Results are the same either way: every piece writes
 * its own disjoint slots.
 */

/** A task body: piece `index` of `count`, reading and writing the shared arrays in `args`. */
export type TaskBody = (args: Record<string, unknown>, index: number) => void;

const TASKS = new Map<string, TaskBody>();

/** Register a task body under a name (core modules register their own at load). */
export function defineTask(name: string, body: TaskBody): void {
  TASKS.set(name, body);
}

let taskDepth = 0;

/**
 * Run piece `index` of a task on this thread (the serial loop, and a runtime's calling thread, run
 * pieces through this). While a piece runs, the products backend is off (backend.ts): worker
 * threads have none, so a piece computes the same bits whichever thread runs it.
 */
export function runTaskPiece(body: TaskBody, args: Record<string, unknown>, index: number): void {
  taskDepth++;
  try {
    body(args, index);
  } finally {
    taskDepth--;
  }
}

/** Whether a task's piece is running on this thread (see runTaskPiece). */
export function insideTaskPiece(): boolean {
  return taskDepth > 0;
}

export function taskBody(name: string): TaskBody {
  const t = TASKS.get(name);
  if (!t) throw new Error(`no parallel task named '${name}'`);
  return t;
}

export interface ParallelRuntime {
  /** Threads available, including the caller. */
  readonly threads: number;
  /** Run pieces 0..count-1 of a task; returns when all are done. */
  run(task: string, count: number, args: Record<string, unknown>): void;
}

let runtime: ParallelRuntime | null = null;

/** Install (or with null remove) the runtime that spreads tasks over threads. */
export function setParallelRuntime(r: ParallelRuntime | null): void {
  runtime = r;
}

export function parallelThreads(): number {
  return runtime?.threads ?? 1;
}

/** Run pieces 0..count-1 of a task, in parallel when a runtime is installed. */
export function parallelFor(task: string, count: number, args: Record<string, unknown>): void {
  if (runtime && runtime.threads > 1 && count > 1) {
    runtime.run(task, count, args);
    return;
  }
  const body = taskBody(task);
  for (let i = 0; i < count; i++) runTaskPiece(body, args, i);
}

/**
 * Whether shared memory can be used: a runtime with threads, and SharedArrayBuffer defined (a
 * browser page without cross-origin isolation has none, and then everything runs on one thread).
 */
function canShare(): boolean {
  return parallelThreads() > 1 && typeof SharedArrayBuffer !== 'undefined';
}

/** Whether an array already lives on shared memory (false where SharedArrayBuffer does not exist). */
export function isShared(a: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && a.buffer instanceof SharedArrayBuffer;
}

/** An Int32Array of `length` zeros, on shared memory when available. */
export function sharedInt32(length: number): Int32Array {
  return canShare() ? new Int32Array(new SharedArrayBuffer(length * 4)) : new Int32Array(length);
}

/** A Float64Array on shared memory (when available) holding a copy of `src`, or of `length` zeros. */
export function sharedFloat64(srcOrLength: Float64Array | number): Float64Array {
  const length = typeof srcOrLength === 'number' ? srcOrLength : srcOrLength.length;
  const out = canShare() ? new Float64Array(new SharedArrayBuffer(length * 8)) : new Float64Array(length);
  if (typeof srcOrLength !== 'number') out.set(srcOrLength);
  return out;
}

/**
 * A job of a parallel task as threads share it: pieces are taken from a shared counter, so any
 * number of threads (Node worker threads, a browser's Web Workers) can work on it. `control` is
 * [next piece, pieces done, failures] on shared memory; `wasm` carries the calling thread's choice of
 * kernels, so that a piece computes the same bits wherever it runs.
 */
export interface ParallelJob {
  task: string;
  count: number;
  args: Record<string, unknown>;
  control: Int32Array;
  wasm: boolean;
}

/** A helper thread's part of a job: pieces until none are left; a failed piece is counted, and reported by `report`. */
export function takePieces(job: ParallelJob, report: (err: unknown) => void): void {
  const body = taskBody(job.task);
  let i: number;
  while ((i = Atomics.add(job.control, 0, 1)) < job.count) {
    try {
      runTaskPiece(body, job.args, i);
    } catch (err) {
      Atomics.add(job.control, 2, 1);
      report(err);
    }
    Atomics.add(job.control, 1, 1);
    Atomics.notify(job.control, 1);
  }
}

/**
 * The calling thread's part of a job already posted to the helpers: it takes pieces too, then waits
 * (Atomics.wait: a Node thread or a Web Worker, never a page's main thread) until every piece is
 * done. Returns the pieces it ran itself; throws when a helper's piece failed.
 */
export function finishJob(job: ParallelJob): number {
  const body = taskBody(job.task);
  let i: number;
  let mine = 0;
  while ((i = Atomics.add(job.control, 0, 1)) < job.count) {
    runTaskPiece(body, job.args, i);
    mine++;
    Atomics.add(job.control, 1, 1);
  }
  for (;;) {
    const done = Atomics.load(job.control, 1);
    if (done >= job.count) break;
    Atomics.wait(job.control, 1, done, 1000);
  }
  if (Atomics.load(job.control, 2) > 0) throw new Error(`parallel task '${job.task}' failed in a worker`);
  return mine;
}
