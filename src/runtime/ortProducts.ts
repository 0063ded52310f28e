/**
 * Large products through ONNX Runtime's CPU kernels (MLAS, float64 Gemm), registered as core's
 * products backend (core/products.ts): Gram products, A B^T, the dense -> band reduction and the
 * Lanczos iteration for top eigenpairs. The runtime is asynchronous and core is not, so the work
 * runs on a dedicated thread (ortWorker.ts) while the caller waits on Atomics.wait, as the worker
 * pool does. Results do not depend on the number of threads (see ortWorker.ts; tested bit for
 * bit). If ONNX Runtime cannot load or fails, the JavaScript kernels run instead, and the backend
 * stays off for the rest of the run.
 */

import { createRequire } from 'node:module';
import { startWorker } from './startWorker.js';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { bandStorageWidth } from '../core/linalg/bandReduction.js';
import { transpose } from '../core/linalg/products.js';
import { setProductsBackend, type GramSide, type ProductsBackend } from '../core/linalg/backend.js';

/** A request that takes longer than this is given up (the JavaScript kernel then runs). */
const TIMEOUT_MS = 30 * 60 * 1000;

class OrtProducts implements ProductsBackend {
  readonly name = 'onnxruntime';
  private worker: Worker | null = null;
  private broken = false;
  /** Products served, for tests and the bench. */
  served = 0;

  constructor(private readonly threads: number) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = startWorker(import.meta.url, 'ortWorker', { workerData: { threads: this.threads } });
    w.on('error', () => {
      this.broken = true;
    });
    w.unref();
    return (this.worker = w);
  }

  gram(x: Float64Array, r: number, c: number, side: GramSide, consume = false): Float64Array | null {
    // The thread computes x x^T from row blocks; for X^T X it gets X^T, which costs no more memory
    // than the copy it would be sent anyway. A consumed x that owns its whole buffer is moved as it is.
    const movable = consume && !(x.buffer instanceof SharedArrayBuffer) && x.byteOffset === 0 && x.byteLength === x.buffer.byteLength;
    const input = side === 'rows' ? (movable ? x : owned(x)) : transpose(x, r, c);
    const rows = side === 'rows' ? r : c,
      cols = side === 'rows' ? c : r;
    return this.request({ op: 'gram', x: input, r: rows, c: cols }, rows * rows, [input.buffer as ArrayBuffer]);
  }

  bandReduce(x: Float64Array, n: number, b: number): Float64Array | null {
    // The reduction only reads x, so shared memory is read in place; anything else is moved as a copy.
    if (x.buffer instanceof SharedArrayBuffer) return this.request({ op: 'band', x, n, b }, n * bandStorageWidth(b), []);
    const input = owned(x);
    return this.request({ op: 'band', x: input, n, b }, n * bandStorageWidth(b), [input.buffer as ArrayBuffer]);
  }

  topEigenpairs(g: Float64Array, n: number, k: number): { values: Float64Array; vectors: Float64Array; k: number; iterations: number } | null {
    const want = Math.min(k, n);
    const input = owned(g);
    const out = this.request({ op: 'topEigen', g: input, n, k: want }, 2 + want + want * n, [input.buffer as ArrayBuffer]);
    if (!out) return null;
    const found = out[0];
    return { k: found, iterations: out[1], values: out.slice(2, 2 + found), vectors: out.slice(2 + want, 2 + want + found * n) };
  }

  productTransB(a: Float64Array, b: Float64Array, n: number, k: number, m: number): Float64Array | null {
    const left = owned(a),
      right = owned(b);
    return this.request({ op: 'productTransB', a: left, b: right, n, k, m }, n * m, [left.buffer as ArrayBuffer, right.buffer as ArrayBuffer]);
  }

  /** Post a request and wait for it (the caller is synchronous); null when the thread failed. */
  private request(body: Record<string, unknown>, outLength: number, transfer: ArrayBuffer[]): Float64Array | null {
    if (this.broken) return null;
    const out = new Float64Array(new SharedArrayBuffer(outLength * 8));
    const control = new Int32Array(new SharedArrayBuffer(4));
    // Inputs are moved, not copied, to the thread (onnxruntime-node takes no SharedArrayBuffer).
    this.start().postMessage({ ...body, out, control }, transfer);
    const status = Atomics.wait(control, 0, 0, TIMEOUT_MS);
    if (status === 'timed-out' || Atomics.load(control, 0) !== 1) {
      this.broken = true;
      return null;
    }
    this.served++;
    return out;
  }

  close(): void {
    void this.worker?.terminate();
    this.worker = null;
  }
}

/** A copy of x in its own ArrayBuffer, to be transferred (x itself stays with the caller). */
function owned(x: Float64Array): Float64Array {
  return Float64Array.from(x);
}

let installed: OrtProducts | null = null;

/**
 * Route large Gram and covariance products through ONNX Runtime (idempotent). NEUROREP_PRODUCTS=js
 * keeps the JavaScript kernels; NEUROREP_THREADS sets ONNX Runtime's threads as it sets the pool's.
 * Returns whether the backend is installed.
 */
/** Whether the optional onnxruntime-node package can be loaded here (else the JavaScript kernels serve every product). */
function onnxRuntimePresent(): boolean {
  try {
    createRequire(import.meta.url).resolve('onnxruntime-node');
    return true;
  } catch {
    return false;
  }
}

export function installOnnxProducts(): boolean {
  if (installed) return true;
  if (process.env.NEUROREP_PRODUCTS === 'js' || typeof SharedArrayBuffer === 'undefined' || !onnxRuntimePresent()) return false;
  const threads = Math.max(1, Math.min(Number(process.env.NEUROREP_THREADS ?? availableParallelism()) || 1, availableParallelism()));
  installed = new OrtProducts(threads);
  setProductsBackend(installed);
  return true;
}

/** Products served by ONNX Runtime so far (0 when it is not installed). */
export function onnxProductsServed(): number {
  return installed?.served ?? 0;
}

export function uninstallOnnxProducts(): void {
  installed?.close();
  installed = null;
  setProductsBackend(null);
}
