/**
 * The products hook: large dense products may be handed to a faster backend (the Node entry
 * registers ONNX Runtime's CPU kernels, see src/parallel/ortProducts.ts). Core stays pure and
 * synchronous; without a backend, or for small sizes, or when the backend declines (returns null),
 * the JavaScript kernels in linalg.ts run.
 */

import { insideTaskPiece } from '../parallel.js';

export type GramSide = 'rows' | 'cols';

export interface ProductsBackend {
  readonly name: string;
  /**
   * The Gram product of a row-major r x c matrix: side 'rows' gives X X^T (r x r), side 'cols'
   * gives X^T X (c x c). Row-major, full (both triangles); null to decline. With `consume`, the
   * caller gives x up: the backend may take its buffer instead of copying it (x is then detached).
   */
  gram(x: Float64Array, r: number, c: number, side: GramSide, consume?: boolean): Float64Array | null;
  /**
   * Dense -> band reduction of a symmetric n x n matrix (core/bandReduction.ts's algorithm with
   * the trailing updates at BLAS speed); returns the band's storage (n x 2b), or null to decline.
   */
  bandReduce?(x: Float64Array, n: number, b: number): Float64Array | null;
  /** C = A B^T for row-major A (n x k) and B (m x k); n x m row-major, or null to decline. */
  productTransB?(a: Float64Array, b: Float64Array, n: number, k: number, m: number): Float64Array | null;
  /**
   * The top k eigenpairs of a symmetric n x n matrix by linalg.ts's Lanczos iteration
   * (lanczosSteps) with its products at BLAS speed; vectors as rows. Null to decline.
   */
  topEigenpairs?(g: Float64Array, n: number, k: number): { values: Float64Array; vectors: Float64Array; k: number; iterations: number } | null;
}

let backend: ProductsBackend | null = null;

/** Install (or with null remove) the backend for large products. */
export function setProductsBackend(b: ProductsBackend | null): void {
  backend = b;
}

/**
 * The installed backend, or null inside a parallel task's piece: worker threads have no backend,
 * and a piece must compute the same bits on whichever thread it runs (its products then stay in
 * JavaScript; they differ from the backend's in the last bits).
 */
export function productsBackend(): ProductsBackend | null {
  return insideTaskPiece() ? null : backend;
}

/**
 * Multiply-adds below which the JavaScript kernel runs even with a backend: handing a product to
 * another thread costs about 0.7 ms, which the JavaScript kernel spends on about 2e6
 * multiply-adds (`npm run bench:kernels`: at 2e6 both take 0.6-1.1 ms).
 */
export const BACKEND_MIN_WORK = 2e6;
