/**
 * neurorep's WebAssembly kernels (C in native/, built by native/build.sh with clang for wasm32 with
 * SIMD, shipped as base64 in kernelsBinary.ts): instantiated synchronously on first use, one
 * instance per thread. Callers lay out their buffers in the instance's linear memory, copy in,
 * call, copy out; the JavaScript kernels stay as the fallback (no WebAssembly, a browser main
 * thread that refuses synchronous compilation, or kernels switched off).
 */

import { KERNELS_WASM_BASE64 } from './kernelsBinary.js';

// Core compiles without the DOM library, and Node's types do not declare WebAssembly's values:
// the little used here, declared here.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly:
  | {
      Module: new (bytes: Uint8Array) => object;
      Instance: new (module: object, imports: object) => { exports: unknown };
      instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: unknown } }>;
    }
  | undefined;
declare function atob(data: string): string;

/** The functions native/*.c exports (pointers are byte offsets into `memory`). */
export interface KernelExports {
  memory: WasmMemory;
  __heap_base: { value: unknown };
  band_to_tridiagonal(data: number, n: number, b: number, W: number, d: number, e: number, work: number): void;
  householder_qr(pt: number, rows: number, b: number, vt: number, t: number, tau: number, w: number): void;
  tridiagonal_eigenvalues(d: number, e2: number, n: number): number;
  tridiagonal_ql_vectors(d: number, e: number, n: number, z: number, cols: number): number;
  tridiagonalize(w: number, n: number, d: number, e: number): void;
  accumulate_transformations(v: number, n: number, d: number, g: number): void;
  affine_fit(A: number, B: number, k: number, q: number, ridge: number, m: number, beta: number): void;
  affine_fitted_sse(A: number, B: number, t: number, k: number, q: number, ridge: number, m: number, beta: number): number;
  threshold_scan(
    u: number,
    r: number,
    n: number,
    k: number,
    q: number,
    pos: number,
    P: number,
    WA: number,
    WB: number,
    Wt: number,
    ridge: number,
    LA: number,
    LB: number,
    RA: number,
    RB: number,
    M: number,
    beta: number,
    out: number,
  ): void;
  panel_products(a: number, b: number, k: number, m: number, c: number, rows: number, upper: number, first: number): void;
  pieces_sse(u: number, r: number, n: number, k: number, q: number, piece: number, beta: number, yhat: number): number;
  sample_density(tau: number, w: number, k: number, N: number, total: number, xs: number, grid: number, dens: number): void;
  lloyd_elkan(
    x: number,
    n: number,
    m: number,
    k: number,
    centres: number,
    maxIter: number,
    tol: number,
    labels: number,
    sums: number,
    old: number,
    upper: number,
    lower: number,
    cc: number,
    half: number,
    moved: number,
    counts: number,
    out: number,
  ): void;
}

export interface WasmKernels {
  readonly exports: KernelExports;
  /**
   * Reserve buffers of the given numbers of doubles, 16-byte aligned, from the start of the heap
   * (each call starts afresh: kernels run one at a time per thread), growing memory as needed.
   * Returns their byte offsets. Views made before a layout may be detached by it.
   */
  layout(doubles: number[]): number[];
  /** A view of `length` doubles at byte offset `at`. */
  f64(at: number, length: number): Float64Array;
  /** A view of `length` 32-bit integers at byte offset `at` (lay out ceil(length / 2) doubles for it). */
  i32(at: number, length: number): Int32Array;
}

let enabled = true;
let loaded: WasmKernels | null | undefined;

/** Switch the WebAssembly kernels off (or back on): NEUROREP_KERNELS=js in the CLI, and tests of the fallback. */
export function setWasmKernelsEnabled(on: boolean): void {
  enabled = on;
}

/** Whether this thread may use the kernels (a runtime passes it on to the threads that run pieces of its tasks). */
export function wasmKernelsEnabled(): boolean {
  return enabled;
}

/** The kernels of this thread, or null where they cannot run (the JavaScript kernels then do). */
export function wasmKernels(): WasmKernels | null {
  if (!enabled) return null;
  if (loaded === undefined) loaded = instantiate();
  return loaded;
}

/**
 * Compile the kernels asynchronously, for a browser page's main thread, which refuses to compile
 * modules above 4 KB synchronously (workers and Node compile on first use without this). Resolves
 * to whether the kernels are available.
 */
export async function preloadWasmKernels(): Promise<boolean> {
  if (loaded || typeof WebAssembly === 'undefined' || typeof atob !== 'function') return Boolean(loaded);
  try {
    const { instance } = await WebAssembly.instantiate(kernelBytes(), {});
    loaded = wrap(instance.exports as KernelExports);
  } catch {
    loaded = null;
  }
  return enabled && loaded !== null;
}

function kernelBytes(): Uint8Array {
  return Uint8Array.from(atob(KERNELS_WASM_BASE64), (c) => c.charCodeAt(0));
}

function instantiate(): WasmKernels | null {
  if (typeof WebAssembly === 'undefined' || typeof atob !== 'function') return null;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(kernelBytes()), {});
    return wrap(instance.exports as unknown as KernelExports);
  } catch {
    // No SIMD, or synchronous compilation refused (a browser's main thread): JavaScript kernels.
    return null;
  }
}

function wrap(exports: KernelExports): WasmKernels {
  const heapBase = Number(exports.__heap_base.value);
  return {
    exports,
    layout(doubles: number[]): number[] {
      const offsets: number[] = [];
      let at = (heapBase + 15) & ~15;
      for (const count of doubles) {
        offsets.push(at);
        at += Math.ceil((count * 8) / 16) * 16;
      }
      const need = at - exports.memory.buffer.byteLength;
      if (need > 0) exports.memory.grow(Math.ceil(need / 65536));
      return offsets;
    },
    f64(at: number, length: number): Float64Array {
      return new Float64Array(exports.memory.buffer, at, length);
    },
    i32(at: number, length: number): Int32Array {
      return new Int32Array(exports.memory.buffer, at, length);
    },
  };
}
