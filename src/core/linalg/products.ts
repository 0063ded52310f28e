/**
 * Dense products: cross products (covariance X^T X, Gram X X^T), A B, A B^T, transposition. Large
 * ones go to the products backend (backend.ts); the JavaScript kernels run otherwise, all through
 * one 2 x 4 register-blocked panel kernel.
 *
 * Matrices are row-major Float64Array. Pure: no I/O, no Node APIs.
 */

import { defineTask, isShared, parallelFor, parallelThreads, sharedFloat64 } from '../parallel.js';
import { BACKEND_MIN_WORK, productsBackend, type GramSide } from './backend.js';
import { wasmKernels } from '../wasm/kernels.js';

/** Multiply-adds from which the WebAssembly kernel serves (below, copying in and out costs more than it saves). */
const WASM_MIN_WORK = 2e4;
/**
 * Tiles of the WebAssembly product: at most 64 rows of A (an even number, so row pairs stay
 * whole) and 256 of B, fewer for long rows, so that a tile holds at most about 2^18 doubles of B
 * and half that of A (a thread's WebAssembly memory grows to its largest tile and keeps it).
 */
const WASM_TILE_DOUBLES = 2 ** 18;

/**
 * A^T A for a row-major n x d matrix A: the d x d (unscaled) covariance of centred data.
 * Works on a transposed copy so that every dot product runs over contiguous memory, four output
 * columns at a time to reuse each loaded column of A.
 */
export function crossProductTransA(a: Float64Array, n: number, d: number): Float64Array {
  const fast = viaBackend(a, n, d, 'cols');
  if (fast) return fast;
  const at = transpose(a, n, d); // d x n
  return rowGram(at, d, n);
}

/**
 * A A^T for a row-major n x d matrix A: the n x n (unscaled) Gram matrix. With `consume`, the
 * caller will not use A again: a backend may take its memory instead of copying it (a copy of a
 * large matrix costs as much as the product's hand-over), and A may be detached on return.
 */
export function crossProductTransB(a: Float64Array, n: number, d: number, opts: { consume?: boolean } = {}): Float64Array {
  return viaBackend(a, n, d, 'rows', opts.consume === true) ?? rowGram(a, n, d);
}

/**
 * A large Gram product through the registered backend (see products.ts), or null. The upper
 * triangle is mirrored onto the lower, so the result is exactly symmetric like the JavaScript one.
 */
function viaBackend(a: Float64Array, n: number, d: number, side: GramSide, consume = false): Float64Array | null {
  const b = productsBackend();
  const size = side === 'rows' ? n : d;
  if (!b || size * size * (side === 'rows' ? d : n) < BACKEND_MIN_WORK) return null;
  const g = b.gram(a, n, d, side, consume);
  if (!g && a.length !== n * d) throw new Error('the products backend failed after taking its input; rerun with NEUROREP_PRODUCTS=js');
  if (!g || g.length !== size * size) return null;
  mirrorUpper(g, size);
  return g;
}

/**
 * G[i][j] = <row i, row j> for the rows of an r x c row-major matrix; returns r x r. Rows of G are
 * cut into chunks of equal work (row i costs r - i dot products) and run through parallelFor, so
 * a registered runtime spreads them over cores; each chunk writes only its own rows.
 */
function rowGram(x: Float64Array, r: number, c: number): Float64Array {
  const threads = parallelThreads();
  if (threads === 1 || r * r * c < 2e7) {
    const g = new Float64Array(r * r);
    rowGramRows(x, r, c, g, 0, r);
    mirrorUpper(g, r);
    return g;
  }
  const xs = isShared(x) ? x : sharedFloat64(x);
  const g = sharedFloat64(r * r);
  const chunks = 8 * threads;
  const bounds = new Int32Array(chunks + 1);
  const total = (r * (r + 1)) / 2;
  let row = 0;
  for (let k = 1; k < chunks; k++) {
    const target = (total * k) / chunks;
    while (row < r && row * r - (row * (row - 1)) / 2 < target) row++;
    bounds[k] = Math.min(r, row + (row % 2)); // chunks start on even rows (the kernel pairs rows)
  }
  bounds[chunks] = r;
  for (let k = 1; k <= chunks; k++) bounds[k] = Math.max(bounds[k], bounds[k - 1]);
  parallelFor('rowGramRows', chunks, { x: xs, g, r, c, bounds });
  mirrorUpper(g, r);
  return g;
}

defineTask('rowGramRows', (a, k) => {
  const { x, g, r, c, bounds } = a as { x: Float64Array; g: Float64Array; r: number; c: number; bounds: Int32Array };
  rowGramRows(x, r, c, g, bounds[k], bounds[k + 1]);
});

function mirrorUpper(g: Float64Array, r: number): void {
  for (let i = 0; i < r; i++) for (let j = i + 1; j < r; j++) g[j * r + i] = g[i * r + j];
}

/** Rows [i0, i1) of the upper triangle of x x^T into g (i0 even). */
export function rowGramRows(x: Float64Array, r: number, c: number, g: Float64Array, i0: number, i1: number): void {
  panelProducts(x, x, c, r, g, i0, i1, true);
}

/**
 * The one JavaScript product kernel: rows [i0, i1) of C (+)= A B^T, for row-major A and B with k
 * columns, B with m rows, C with row stride m (columns from i on when `upper`, else all). A 2 x 4
 * register block (two rows of A against four of B, eight accumulators) over panels of 256
 * columns: six loads feed eight multiply-adds, and the panel keeps the six rows in L1.
 */
function panelProducts(a: Float64Array, b: Float64Array, k: number, m: number, c: Float64Array, i0: number, i1: number, upper: boolean): void {
  const kernels = (i1 - i0) * m * k >= WASM_MIN_WORK ? wasmKernels() : null;
  if (kernels) {
    // The same blocks in WebAssembly SIMD (native/products.c), fed in tiles of A's rows and B's
    // rows so that a thread's WebAssembly memory stays a few megabytes whatever the sizes. A tile
    // of the upper triangle starts at its row pair's diagonal, as the JavaScript loop does.
    const tileRows = Math.max(2, Math.min(64, 2 * Math.floor(WASM_TILE_DOUBLES / 4 / k))),
      tileCols = Math.max(2, Math.min(256, Math.floor(WASM_TILE_DOUBLES / k)));
    for (let ib = i0; ib < i1; ib += tileRows) {
      const ie = Math.min(i1, ib + tileRows),
        rows = ie - ib;
      for (let jb = upper ? ib : 0; jb < m; jb += tileCols) {
        const je = Math.min(m, jb + tileCols),
          cols = je - jb;
        const [pa, pb, pc] = kernels.layout([rows * k, cols * k, rows * cols]);
        kernels.f64(pa, rows * k).set(a.subarray(ib * k, ie * k));
        kernels.f64(pb, cols * k).set(b.subarray(jb * k, je * k));
        const tile = kernels.f64(pc, rows * cols);
        for (let i = 0; i < rows; i++) tile.set(c.subarray((ib + i) * m + jb, (ib + i) * m + je), i * cols);
        kernels.exports.panel_products(pa, pb, k, cols, pc, rows, upper ? 1 : 0, ib - jb);
        for (let i = 0; i < rows; i++) c.set(tile.subarray(i * cols, (i + 1) * cols), (ib + i) * m + jb);
      }
    }
    return;
  }
  const KP = 256;
  for (let k0 = 0; k0 < k; k0 += KP) {
    const k1 = Math.min(k, k0 + KP);
    for (let i = i0; i < i1; i += 2) {
      const pair = i + 1 < i1;
      const oa = i * k,
        ob = pair ? oa + k : oa;
      let j = upper ? i : 0;
      for (; j + 3 < m; j += 4) {
        const o0 = j * k,
          o1 = o0 + k,
          o2 = o1 + k,
          o3 = o2 + k;
        let a0 = 0,
          a1 = 0,
          a2 = 0,
          a3 = 0,
          b0 = 0,
          b1 = 0,
          b2 = 0,
          b3 = 0;
        for (let p = k0; p < k1; p++) {
          const va = a[oa + p],
            vb = a[ob + p];
          const y0 = b[o0 + p],
            y1 = b[o1 + p],
            y2 = b[o2 + p],
            y3 = b[o3 + p];
          a0 += va * y0;
          a1 += va * y1;
          a2 += va * y2;
          a3 += va * y3;
          b0 += vb * y0;
          b1 += vb * y1;
          b2 += vb * y2;
          b3 += vb * y3;
        }
        let ci = i * m + j;
        c[ci] += a0;
        c[ci + 1] += a1;
        c[ci + 2] += a2;
        c[ci + 3] += a3;
        if (pair) {
          ci += m;
          c[ci] += b0;
          c[ci + 1] += b1;
          c[ci + 2] += b2;
          c[ci + 3] += b3;
        }
      }
      for (; j < m; j++) {
        const oj = j * k;
        let sa = 0,
          sb = 0;
        for (let p = k0; p < k1; p++) {
          sa += a[oa + p] * b[oj + p];
          sb += a[ob + p] * b[oj + p];
        }
        c[i * m + j] += sa;
        if (pair) c[(i + 1) * m + j] += sb;
      }
    }
  }
}

/** Transpose of a row-major rows x cols matrix. */
export function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  const B = 32;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(rows, i0 + B);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(cols, j0 + B);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) t[j * rows + i] = a[i * cols + j];
    }
  }
  return t;
}

/** C = A B for row-major A (n x k) and B (k x m). */
export function matmul(a: Float64Array, b: Float64Array, n: number, k: number, m: number): Float64Array {
  // Small products: the plain loop; larger ones: dot products against B^T in 2 x 4 register blocks.
  if (n * k * m < 1e5) {
    const c = new Float64Array(n * m);
    for (let i = 0; i < n; i++) {
      const oc = i * m;
      for (let p = 0; p < k; p++) {
        const v = a[i * k + p];
        if (v === 0) continue;
        const ob = p * m;
        for (let j = 0; j < m; j++) c[oc + j] += v * b[ob + j];
      }
    }
    return c;
  }
  return matmulTransB(a, transpose(b, k, m), n, k, m);
}

/** C = A B^T for row-major A (n x k) and B (m x k): every entry a dot product of two contiguous rows. */
export function matmulTransB(a: Float64Array, b: Float64Array, n: number, k: number, m: number): Float64Array {
  if (n * k * m >= BACKEND_MIN_WORK) {
    const fast = productsBackend()?.productTransB?.(a, b, n, k, m);
    if (fast && fast.length === n * m) return fast;
  }
  const c = new Float64Array(n * m);
  panelProducts(a, b, k, m, c, 0, n, false);
  return c;
}
