/**
 * The heavy kernels, in one place so they can be made fast in one place: cross products
 * (covariance / Gram), symmetric eigendecomposition, Cholesky solves.
 *
 * Matrices are row-major Float64Array. Pure: no I/O, no Node APIs. Independent pieces of work go
 * through core/parallel.ts, which a runtime may spread over threads.
 */

import { defineTask, parallelFor, parallelThreads, sharedFloat64 } from './parallel.js';
import { BACKEND_MIN_WORK, productsBackend, type GramSide } from './products.js';
import { bandStorageWidth, type BandMatrix } from './bandReduction.js';
import { bandToTridiagonal } from './bulgeChasing.js';
import { tridiagonalEigenvectors } from './tridiagonalVectors.js';

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

/** A A^T for a row-major n x d matrix A: the n x n (unscaled) Gram matrix. */
export function crossProductTransB(a: Float64Array, n: number, d: number): Float64Array {
  return viaBackend(a, n, d, 'rows') ?? rowGram(a, n, d);
}

/**
 * A large Gram product through the registered backend (see products.ts), or null. The upper
 * triangle is mirrored onto the lower, so the result is exactly symmetric like the JavaScript one.
 */
function viaBackend(a: Float64Array, n: number, d: number, side: GramSide): Float64Array | null {
  const b = productsBackend();
  const size = side === 'rows' ? n : d;
  if (!b || size * size * (side === 'rows' ? d : n) < BACKEND_MIN_WORK) return null;
  const g = b.gram(a, n, d, side);
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
  const xs = x.buffer instanceof SharedArrayBuffer ? x : sharedFloat64(x);
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

/**
 * Rows [i0, i1) of the upper triangle of x x^T into g (i0 even). A 2 x 4 register block (two rows
 * against four, eight accumulators) over panels of 256 columns: six loads feed eight
 * multiply-adds, and the panel keeps the six rows in L1.
 */
export function rowGramRows(x: Float64Array, r: number, c: number, g: Float64Array, i0: number, i1: number): void {
  const KP = 256;
  for (let k0 = 0; k0 < c; k0 += KP) {
    const k1 = Math.min(c, k0 + KP);
    for (let i = i0; i < i1; i += 2) {
      const pair = i + 1 < i1;
      const oa = i * c, ob = pair ? oa + c : oa;
      let j = i;
      for (; j + 3 < r; j += 4) {
        const o0 = j * c, o1 = o0 + c, o2 = o1 + c, o3 = o2 + c;
        let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
        for (let k = k0; k < k1; k++) {
          const va = x[oa + k], vb = x[ob + k];
          const y0 = x[o0 + k], y1 = x[o1 + k], y2 = x[o2 + k], y3 = x[o3 + k];
          a0 += va * y0;
          a1 += va * y1;
          a2 += va * y2;
          a3 += va * y3;
          b0 += vb * y0;
          b1 += vb * y1;
          b2 += vb * y2;
          b3 += vb * y3;
        }
        let gi = i * r + j;
        g[gi] += a0;
        g[gi + 1] += a1;
        g[gi + 2] += a2;
        g[gi + 3] += a3;
        if (pair) {
          gi += r;
          g[gi] += b0;
          g[gi + 1] += b1;
          g[gi + 2] += b2;
          g[gi + 3] += b3;
        }
      }
      for (; j < r; j++) {
        const oj = j * c;
        let sa = 0, sb = 0;
        for (let k = k0; k < k1; k++) {
          sa += x[oa + k] * x[oj + k];
          sb += x[ob + k] * x[oj + k];
        }
        g[i * r + j] += sa;
        if (pair) g[(i + 1) * r + j] += sb;
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
  const KP = 256;
  for (let k0 = 0; k0 < k; k0 += KP) {
    const k1 = Math.min(k, k0 + KP);
    for (let i = 0; i < n; i += 2) {
      const pair = i + 1 < n;
      const oa = i * k, ob = pair ? oa + k : oa;
      let j = 0;
      for (; j + 3 < m; j += 4) {
        const o0 = j * k, o1 = o0 + k, o2 = o1 + k, o3 = o2 + k;
        let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
        for (let p = k0; p < k1; p++) {
          const va = a[oa + p], vb = a[ob + p];
          const y0 = b[o0 + p], y1 = b[o1 + p], y2 = b[o2 + p], y3 = b[o3 + p];
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
        let sa = 0, sb = 0;
        for (let p = k0; p < k1; p++) {
          sa += a[oa + p] * b[oj + p];
          sb += a[ob + p] * b[oj + p];
        }
        c[i * m + j] += sa;
        if (pair) c[(i + 1) * m + j] += sb;
      }
    }
  }
  return c;
}

export interface SymmetricEigen {
  /** Eigenvalues in descending order. */
  values: Float64Array;
  /**
   * Eigenvectors as rows (row i belongs to values[i]), row-major; only when asked for. All n, or
   * at least the top `count` when a count was given (fewer than n/2 of them come from a cheaper
   * route, and then only those rows exist).
   */
  vectors?: Float64Array;
}

/**
 * Eigenvalues (and optionally eigenvectors) of a real symmetric n x n matrix: Householder
 * reduction to tridiagonal form, then the implicit QL algorithm (after EISPACK tred2/tql2, as in
 * JAMA). The input is not modified. Without vectors the O(n^3) accumulation is skipped entirely,
 * and from order TWO_STAGE_FROM, with a products backend that offers it, the eigenvalues come
 * from the two-stage route instead. With `count` below n / 2, only the top `count` eigenvectors
 * are computed (topEigenvectors).
 */
export function symmetricEigen(s: Float64Array, n: number, opts: { vectors?: boolean; count?: number } = {}): SymmetricEigen {
  if (s.length !== n * n) throw new RangeError(`symmetricEigen: expected ${n * n} values, got ${s.length}`);
  const wantVectors = opts.vectors === true;
  if (n === 0) return { values: new Float64Array(0), ...(wantVectors ? { vectors: new Float64Array(0) } : {}) };
  if (!wantVectors) {
    const band = twoStageBand(s, n);
    if (band) return { values: bandEigenvalues(band) };
  }
  const count = Math.min(n, Math.max(0, Math.floor(opts.count ?? n)));
  if (wantVectors && count < n * FEW_VECTORS && n > FEW_VECTORS_FROM) return topEigenvectors(s, n, count);
  // w is the transpose of EISPACK's working matrix V: the reduction's inner loops walk V's
  // columns, which are w's rows, so they run over contiguous memory. w = s initially (symmetric).
  const d = sharedFloat64(n);
  const e = sharedFloat64(n);
  const w = sharedFloat64(s);
  tridiagonalize(w, n, d, e);
  let z: Float64Array | undefined;
  if (wantVectors) {
    // Accumulate the Householder transformations in EISPACK's orientation, then store the
    // eigenvectors as rows so that the QL rotations touch contiguous rows.
    const v = transpose(w, n, n);
    accumulateTransformations(v, n, d);
    z = transpose(v, n, n);
  } else {
    for (let i = 0; i < n; i++) d[i] = w[i * n + i];
  }
  e[0] = 0;
  tridiagonalQL(d, e, n, z);
  // Sort descending (with vectors permuted alongside).
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[j] - d[i]);
  const values = Float64Array.from(order, (i) => d[i]);
  if (!z) return { values };
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => vectors.set(z!.subarray(src * n, src * n + n), dst * n));
  return { values, vectors };
}

/**
 * Eigenvalues only, of a large matrix, with a products backend that reduces to band form: the
 * two-stage route (bandReduction.ts, bulgeChasing.ts), whose first stage runs at BLAS speed.
 * Null (one-stage Householder instead) for small matrices or without such a backend.
 */
function twoStageBand(s: Float64Array, n: number): BandMatrix | null {
  const backend = productsBackend();
  if (!backend?.bandReduce || n < TWO_STAGE_FROM) return null;
  const data = backend.bandReduce(s, n, TWO_STAGE_BANDWIDTH);
  if (!data || data.length !== n * bandStorageWidth(TWO_STAGE_BANDWIDTH)) return null;
  return { data, n, b: TWO_STAGE_BANDWIDTH, width: bandStorageWidth(TWO_STAGE_BANDWIDTH) };
}

/**
 * Order from which the two-stage route runs. Warm, it is faster from about 400 (`npm run
 * bench:kernels`); its first call also creates a session (30-140 ms), and end to end (dimension on
 * 2000 x d, process start included) the two routes take the same time at 500-700.
 */
export const TWO_STAGE_FROM = 600;
/** Bandwidth of the intermediate band: wider makes the products faster and the chasing slower. */
export const TWO_STAGE_BANDWIDTH = 32;

/** Eigenvalues (descending) of a symmetric band matrix (modified): bulge chasing, then QL. */
export function bandEigenvalues(band: BandMatrix): Float64Array {
  const d = new Float64Array(band.n), e = new Float64Array(band.n);
  bandToTridiagonal(band, d, e);
  tridiagonalQL(d, e, band.n);
  return d.sort().reverse();
}

/** Below this fraction of n, the `count` top eigenvectors come from inverse iteration (topEigenvectors). */
const FEW_VECTORS = 0.5;
/** ... and only for matrices larger than this (small ones keep the single route: little to gain). */
const FEW_VECTORS_FROM = 64;

/**
 * All eigenvalues and the top `count` eigenvectors: Householder tridiagonalization (as
 * symmetricEigen), eigenvalues by QL, the tridiagonal's eigenvectors by inverse iteration
 * (tridiagonalVectors.ts), then the Householder reflections applied to those vectors only
 * (2 n^2 count flops instead of forming the n x n transformation and rotating it in QL).
 */
function topEigenvectors(s: Float64Array, n: number, count: number): SymmetricEigen {
  const d = sharedFloat64(n);
  const e = sharedFloat64(n);
  const w = sharedFloat64(s);
  tridiagonalize(w, n, d, e);
  const h = Float64Array.from(d); // h[i]: the scale of reflection i (0: none), i >= 1
  const diag = new Float64Array(n);
  for (let i = 0; i < n; i++) diag[i] = w[i * n + i];
  const sub = new Float64Array(Math.max(0, n - 1));
  for (let i = 1; i < n; i++) sub[i - 1] = e[i];
  const ql = Float64Array.from(diag), qe = Float64Array.from(e);
  qe[0] = 0;
  tridiagonalQL(ql, qe, n);
  const values = ql.sort().reverse();
  const vectors = tridiagonalEigenvectors(diag, sub, n, values.subarray(0, count));
  // x = P_{n-1} ... P_1 y, P_i = I - u_i u_i^T / h_i with u_i in row i of w (entries 0 .. i-1).
  for (let i = 1; i < n; i++) {
    const hi = h[i];
    if (hi === 0) continue;
    const oi = i * n;
    for (let r = 0; r < count; r++) {
      const y = vectors.subarray(r * n, r * n + n);
      let g = 0;
      for (let k = 0; k < i; k++) g += w[oi + k] * y[k];
      g /= hi;
      for (let k = 0; k < i; k++) y[k] -= g * w[oi + k];
    }
  }
  return { values, vectors };
}

/** EISPACK tred2's reduction, on w = V^T. Leaves the subdiagonal in e and the Householder data in w. */
function tridiagonalize(w: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  for (let j = 0; j < n; j++) d[j] = w[j * n + (n - 1)];
  const chunked = n > TRED_CHUNKED_FROM ? { parts: sharedFloat64(TRED_CHUNKS * n), dNew: sharedFloat64(n), bounds: new Int32Array(new SharedArrayBuffer(4 * (TRED_CHUNKS + 1))) } : null;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = w[j * n + (i - 1)];
        w[j * n + i] = 0; // V[i][j]
        w[i * n + j] = 0; // V[j][i]
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      if (chunked && i >= TRED_CHUNKED_FROM) {
        // The symmetric product e = A d over the leading i x i block, in fixed row chunks with
        // their own partial sums (added in chunk order), so every thread count gives the same bits.
        balanceTriangle(chunked.bounds, i);
        for (let j = 0; j < i; j++) w[i * n + j] = d[j]; // V[j][i] = f
        parallelFor('tredProduct', TRED_CHUNKS, { w, d, parts: chunked.parts, n, i, bounds: chunked.bounds });
        for (let j = 0; j < i; j++) {
          let sum = 0;
          for (let c = 0; c < TRED_CHUNKS; c++) sum += chunked.parts[c * n + j];
          e[j] = sum;
        }
      } else {
        for (let j = 0; j < i; j++) e[j] = 0;
        for (let j = 0; j < i; j++) {
          f = d[j];
          const oj = j * n;
          w[i * n + j] = f; // V[j][i] = f
          g = e[j] + w[oj + j] * f;
          for (let k = j + 1; k <= i - 1; k++) {
            const vkj = w[oj + k]; // V[k][j]
            g += vkj * d[k];
            e[k] += vkj * f;
          }
          e[j] = g;
        }
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      if (chunked && i >= TRED_CHUNKED_FROM) {
        // The rank-2 update reads the old d everywhere; the new d goes to dNew until all rows are done.
        parallelFor('tredUpdate', TRED_CHUNKS, { w, d, e, dNew: chunked.dNew, n, i, bounds: chunked.bounds });
        for (let j = 0; j < i; j++) d[j] = chunked.dNew[j];
      } else {
        for (let j = 0; j < i; j++) {
          f = d[j];
          g = e[j];
          const oj = j * n;
          for (let k = j; k <= i - 1; k++) w[oj + k] -= f * e[k] + g * d[k];
          d[j] = w[oj + (i - 1)];
          w[oj + i] = 0; // V[i][j]
        }
      }
    }
    d[i] = h;
  }
}

/** Matrices larger than this are reduced in parallel row chunks (for steps with i >= it). */
const TRED_CHUNKED_FROM = 384;
/** Fixed number of row chunks per step, whatever the number of threads (results do not depend on it). */
const TRED_CHUNKS = 8;

/** Chunk boundaries over rows 0..i-1 of a triangle where row j costs i - j. */
function balanceTriangle(bounds: Int32Array, i: number): void {
  const total = (i * (i + 1)) / 2;
  let row = 0;
  bounds[0] = 0;
  for (let c = 1; c < TRED_CHUNKS; c++) {
    const target = (total * c) / TRED_CHUNKS;
    while (row < i && row * i - (row * (row - 1)) / 2 < target) row++;
    bounds[c] = Math.max(bounds[c - 1], row);
  }
  bounds[TRED_CHUNKS] = i;
}

defineTask('tredProduct', (a, c) => {
  const { w, d, parts, n, i, bounds } = a as { w: Float64Array; d: Float64Array; parts: Float64Array; n: number; i: number; bounds: Int32Array };
  const ec = parts.subarray(c * n, c * n + i);
  ec.fill(0);
  for (let j = bounds[c]; j < bounds[c + 1]; j++) {
    const f = d[j];
    const oj = j * n;
    let g = w[oj + j] * f;
    for (let k = j + 1; k < i; k++) {
      const v = w[oj + k];
      g += v * d[k];
      ec[k] += v * f;
    }
    ec[j] += g;
  }
});

defineTask('tredUpdate', (a, c) => {
  const { w, d, e, dNew, n, i, bounds } = a as { w: Float64Array; d: Float64Array; e: Float64Array; dNew: Float64Array; n: number; i: number; bounds: Int32Array };
  for (let j = bounds[c]; j < bounds[c + 1]; j++) {
    const f = d[j], g = e[j];
    const oj = j * n;
    for (let k = j; k < i; k++) w[oj + k] -= f * e[k] + g * d[k];
    dNew[j] = w[oj + (i - 1)];
    w[oj + i] = 0; // V[i][j]
  }
});

/** EISPACK tred2's accumulation, on V (EISPACK orientation). Leaves the diagonal in d. */
function accumulateTransformations(v: Float64Array, n: number, d: Float64Array): void {
  for (let i = 0; i < n - 1; i++) {
    v[(n - 1) * n + i] = v[i * n + i];
    v[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[k * n + i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[k * n + i + 1] * v[k * n + j];
        for (let k = 0; k <= i; k++) v[k * n + j] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) v[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[(n - 1) * n + j];
    v[(n - 1) * n + j] = 0;
  }
  v[(n - 1) * n + (n - 1)] = 1;
}

/**
 * EISPACK tql2: eigenvalues of the symmetric tridiagonal matrix (diagonal d, subdiagonal e[1..]),
 * in place in d. When z is given (eigenvectors as rows), the rotations are applied to its rows.
 */
function tridiagonalQL(d: Float64Array, e: Float64Array, n: number, z?: Float64Array, cols = n): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 200) throw new Error('symmetricEigen: QL iteration did not converge');
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1, c2 = c, c3 = c;
        const el1 = e[l + 1];
        let s = 0, s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (z) {
            const oi = i * cols, oi1 = oi + cols;
            for (let k = 0; k < cols; k++) {
              const hk = z[oi1 + k];
              z[oi1 + k] = s * z[oi + k] + c * hk;
              z[oi + k] = c * z[oi + k] - s * hk;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}

/** The non-zero covariance spectrum of centred data, via whichever of A^T A and A A^T is smaller. */
export function covarianceSpectrum(centred: Float64Array, n: number, d: number): Float64Array {
  const scale = 1 / (n - 1);
  const s = d <= n ? crossProductTransA(centred, n, d) : crossProductTransB(centred, n, d);
  const size = Math.min(n, d);
  for (let i = 0; i < s.length; i++) s[i] *= scale;
  return symmetricEigen(s, size).values;
}

export interface PrincipalAxes {
  /** Covariance eigenvalues (descending), one per axis. */
  values: Float64Array;
  /** Unit-length principal axes as rows, k x d. */
  axes: Float64Array;
  k: number;
}

/**
 * The top k eigenpairs of a symmetric positive semi-definite operator of size dim, by Lanczos
 * with full reorthogonalisation (twice, for orthogonality to working precision). Ritz pairs are
 * accepted when every residual bound |beta_m s_{m,i}| <= tol * theta_1. Deterministic: the start
 * vector is a fixed function of dim. Returns eigenvectors as rows (k x dim), values descending.
 */
export function topEigenpairs(apply: (v: Float64Array, out: Float64Array) => void, dim: number, k: number, opts: { tol?: number } = {}): TopEigenpairs {
  const w = new Float64Array(dim);
  return driveLanczos(lanczosSteps(dim, k, opts.tol), (req) => {
    if (req.kind === 'combine') return combineRows(req);
    const q = req.basis.subarray((req.count - 1) * dim, req.count * dim);
    apply(q, w);
    let a = 0;
    for (let i = 0; i < dim; i++) a += q[i] * w[i];
    for (let pass = 0; pass < 2; pass++) {
      for (let r = 0; r < req.count; r++) {
        const b = req.basis.subarray(r * dim, (r + 1) * dim);
        let dot = 0;
        for (let i = 0; i < dim; i++) dot += b[i] * w[i];
        for (let i = 0; i < dim; i++) w[i] -= dot * b[i];
      }
    }
    return { alpha: a, w };
  });
}

export interface TopEigenpairs {
  values: Float64Array;
  vectors: Float64Array;
  k: number;
  iterations: number;
}

/**
 * What the Lanczos iteration (lanczosSteps) asks of its driver. 'expand': apply the operator to
 * basis row count - 1 (q), reply alpha = q . Aq and w = Aq reorthogonalised twice against rows
 * 0 .. count - 1. 'combine': reply the rows x dim product coefficients (rows x count) times the
 * basis' first count rows.
 */
export type LanczosRequest =
  | { kind: 'expand'; basis: Float64Array; count: number; dim: number }
  | { kind: 'combine'; basis: Float64Array; count: number; dim: number; coefficients: Float64Array; rows: number };
export type LanczosReply = { alpha: number; w: Float64Array } | Float64Array;

/** Run lanczosSteps synchronously with the given driver. */
export function driveLanczos(steps: Generator<LanczosRequest, TopEigenpairs, LanczosReply>, serve: (req: LanczosRequest) => LanczosReply): TopEigenpairs {
  let r = steps.next(undefined as unknown as LanczosReply);
  while (!r.done) r = steps.next(serve(r.value));
  return r.value;
}

/** The 'combine' request in JavaScript: each output row accumulates the basis rows in order. */
export function combineRows(req: Extract<LanczosRequest, { kind: 'combine' }>): Float64Array {
  const { basis, count, dim, coefficients, rows } = req;
  const out = new Float64Array(rows * dim);
  for (let c = 0; c < rows; c++) {
    const row = out.subarray(c * dim, (c + 1) * dim);
    for (let i = 0; i < count; i++) {
      const s = coefficients[c * count + i];
      if (s === 0) continue;
      const o = i * dim;
      for (let x = 0; x < dim; x++) row[x] += s * basis[o + x];
    }
  }
  return out;
}

/**
 * The Lanczos iteration as a generator of requests (LanczosRequest), so that it is written once
 * and driven either in JavaScript (topEigenpairs) or by the products backend, whose thread serves
 * the products at BLAS speed. The basis is one row-major array (rows are the Lanczos vectors).
 */
export function* lanczosSteps(dim: number, k: number, tolerance?: number): Generator<LanczosRequest, TopEigenpairs, LanczosReply> {
  const tol = tolerance ?? 1e-11;
  const want = Math.min(k, dim);
  const alpha: number[] = [];
  const beta: number[] = [];
  let capacity = Math.min(dim, 2 * want + 64);
  let basis = new Float64Array(capacity * dim);
  const q0 = basis.subarray(0, dim);
  for (let i = 0; i < dim; i++) q0[i] = Math.sin(1 + 0.7 * i) + 0.3 * Math.cos(3.1 * i * i + 0.5); // fixed, generic start
  normalise(q0);
  let normEstimate = 0; // running max of |alpha| and beta, a lower bound on the operator norm
  for (let j = 0; j < dim; j++) {
    const reply = (yield { kind: 'expand', basis, count: j + 1, dim }) as { alpha: number; w: Float64Array };
    const a = reply.alpha, w = reply.w;
    alpha.push(a);
    let bn = 0;
    for (let i = 0; i < dim; i++) bn += w[i] * w[i];
    bn = Math.sqrt(bn);
    const m = j + 1;
    normEstimate = Math.max(normEstimate, Math.abs(a), bn);
    const done = m === dim || bn <= 1e-12 * normEstimate;
    if (done || (m >= want + 8 && (m - want) % 8 === 0)) {
      // Convergence from the Ritz values and the last components of the Ritz vectors only: QL on
      // the tridiagonal tracking one column (O(m^2)); the full eigenvectors once, at the end.
      const dd = Float64Array.from(alpha), ee = new Float64Array(m), last = new Float64Array(m);
      for (let i = 1; i < m; i++) ee[i] = beta[i - 1];
      last[m - 1] = 1;
      tridiagonalQL(dd, ee, m, last, 1);
      const order = Array.from({ length: m }, (_, i) => i).sort((x, y) => dd[y] - dd[x]);
      const scale = Math.max(Math.abs(dd[order[0]]), 1e-300);
      let converged = true;
      for (let c = 0; c < Math.min(want, m) && !done; c++) if (Math.abs(bn * last[order[c]]) > tol * scale) converged = false;
      if (converged || done) {
        // Ritz vectors of the kept values only, by inverse iteration on the tridiagonal (O(m) each).
        const kk = Math.min(want, m);
        const values = Float64Array.from({ length: kk }, (_, c) => dd[order[c]]);
        const coefficients = tridiagonalEigenvectors(alpha, beta, m, values);
        const vectors = (yield { kind: 'combine', basis, count: m, dim, coefficients, rows: kk }) as Float64Array;
        for (let c = 0; c < kk; c++) normalise(vectors.subarray(c * dim, (c + 1) * dim));
        return { values, vectors, k: kk, iterations: m };
      }
    }
    beta.push(bn);
    if (m === capacity) {
      capacity = Math.min(dim, 2 * capacity);
      const grown = new Float64Array(capacity * dim);
      grown.set(basis);
      basis = grown;
    }
    const q = basis.subarray(m * dim, (m + 1) * dim);
    for (let i = 0; i < dim; i++) q[i] = w[i] / bn;
  }
  throw new Error('topEigenpairs: Lanczos did not finish');
}

function normalise(v: Float64Array): void {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  s = Math.sqrt(s);
  if (s > 0) for (let i = 0; i < v.length; i++) v[i] /= s;
}

/** Dimension above which a few principal axes come from Lanczos instead of a full eigendecomposition. */
export const LANCZOS_MIN_DIMENSION = 256;

/**
 * The top k principal axes of centred data (n x d). For small problems (min(n, d) <= 256, or k
 * more than a quarter of it) via a full eigendecomposition of the smaller of covariance and Gram;
 * otherwise by Lanczos on the implicit covariance operator v -> Xc^T (Xc v) / (n - 1), which
 * never forms a d x d or n x n matrix.
 * Through the Gram matrix, axis v = A^T u / ||A^T u|| for each eigenvector u; axes whose
 * eigenvalue is numerically zero are dropped, so fewer than k may come back.
 */
export function principalAxes(centred: Float64Array, n: number, d: number, k: number): PrincipalAxes {
  const scale = 1 / Math.max(1, n - 1);
  const small = Math.min(n, d);
  if (small > LANCZOS_MIN_DIMENSION && k <= small / 4) {
    const tmp = new Float64Array(n);
    const op = (v: Float64Array, out: Float64Array): void => {
      for (let i = 0; i < n; i++) {
        const oi = i * d;
        let s = 0;
        for (let j = 0; j < d; j++) s += centred[oi + j] * v[j];
        tmp[i] = s;
      }
      out.fill(0);
      for (let i = 0; i < n; i++) {
        const t = tmp[i] * scale;
        if (t === 0) continue;
        const oi = i * d;
        for (let j = 0; j < d; j++) out[j] += t * centred[oi + j];
      }
    };
    const top = topEigenpairs(op, d, k);
    const kk = Math.min(top.k, keptRank(top.values));
    return { values: top.values.slice(0, kk), axes: top.vectors.slice(0, kk * d), k: kk };
  }
  if (d <= n) {
    const c = crossProductTransA(centred, n, d);
    for (let i = 0; i < c.length; i++) c[i] *= scale;
    const eig = symmetricEigen(c, d, { vectors: true, count: k });
    const kk = Math.min(k, keptRank(eig.values));
    return { values: eig.values.slice(0, kk), axes: eig.vectors!.slice(0, kk * d), k: kk };
  }
  const g = crossProductTransB(centred, n, d);
  for (let i = 0; i < g.length; i++) g[i] *= scale;
  const eig = symmetricEigen(g, n, { vectors: true, count: k });
  const kk = Math.min(k, keptRank(eig.values));
  const axes = new Float64Array(kk * d);
  for (let a = 0; a < kk; a++) {
    const u = eig.vectors!.subarray(a * n, a * n + n);
    const row = axes.subarray(a * d, a * d + d);
    for (let i = 0; i < n; i++) {
      const ui = u[i];
      if (ui === 0) continue;
      const oi = i * d;
      for (let j = 0; j < d; j++) row[j] += ui * centred[oi + j];
    }
    let norm = 0;
    for (let j = 0; j < d; j++) norm += row[j] * row[j];
    norm = Math.sqrt(norm);
    for (let j = 0; j < d; j++) row[j] /= norm;
  }
  return { values: eig.values.slice(0, kk), axes, k: kk };
}

/**
 * Principal-component scores Xc V (n x k, column c = u_c s_c) of wide centred data (d > n) from
 * the n x n Gram matrix, without forming any axis in R^d: the Gram product goes through the
 * products backend, and its top k eigenpairs come from Lanczos on the n-dimensional operator (or a
 * full eigendecomposition when k is more than a quarter of n). For a 2000 x 6272 CNN layer and
 * k = 256 this replaced Lanczos on the 6272-dimensional covariance operator (36 s -> about 2 s).
 * Values are covariance eigenvalues (descending); scores' signs are arbitrary.
 */
export function principalScoresViaGram(centred: Float64Array, n: number, d: number, k: number, gram?: Float64Array): { values: Float64Array; scores: Float64Array; k: number } {
  const scale = 1 / Math.max(1, n - 1);
  // `gram`, when given, is Xc Xc^T already computed (read only: it is scaled in a copy).
  const g = gram ? Float64Array.from(gram) : crossProductTransB(centred, n, d);
  for (let i = 0; i < g.length; i++) g[i] *= scale;
  let values: Float64Array, vectors: Float64Array, found: number;
  if (n > LANCZOS_MIN_DIMENSION && k <= n / 4) {
    const op = (v: Float64Array, out: Float64Array): void => {
      for (let i = 0; i < n; i++) {
        const oi = i * n;
        let s = 0;
        for (let j = 0; j < n; j++) s += g[oi + j] * v[j];
        out[i] = s;
      }
    };
    const top = productsBackend()?.topEigenpairs?.(g, n, k) ?? topEigenpairs(op, n, k);
    values = top.values;
    vectors = top.vectors;
    found = top.k;
  } else {
    const eig = symmetricEigen(g, n, { vectors: true, count: k });
    values = eig.values;
    vectors = eig.vectors!;
    found = Math.min(k, n);
  }
  const kk = Math.min(found, keptRank(values));
  const scores = new Float64Array(n * kk);
  for (let c = 0; c < kk; c++) {
    const sv = Math.sqrt(values[c] * (n - 1));
    for (let i = 0; i < n; i++) scores[i * kk + c] = vectors[c * n + i] * sv;
  }
  return { values: values.slice(0, kk), scores, k: kk };
}

/** Relative threshold below which an eigenvalue counts as zero (OBSERVABLES.md section 1). */
export const EIGEN_RELATIVE_TOLERANCE = 1e-12;

/** Number of leading eigenvalues above EIGEN_RELATIVE_TOLERANCE * lambda_1 (values descending). */
export function keptRank(values: Float64Array): number {
  if (values.length === 0 || !(values[0] > 0)) return 0;
  const tol = EIGEN_RELATIVE_TOLERANCE * values[0];
  let r = 0;
  while (r < values.length && values[r] > tol) r++;
  return r;
}

/**
 * Solve the symmetric positive definite system S x = b for several right-hand sides (S is k x k,
 * B is k x m, both row-major) by Cholesky factorisation. Returns X (k x m). Throws if S is not
 * positive definite.
 */
export function choleskySolve(s: Float64Array, b: Float64Array, k: number, m: number): Float64Array {
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = s[i * k + j];
      for (let p = 0; p < j; p++) sum -= l[i * k + p] * l[j * k + p];
      if (i === j) {
        if (!(sum > 0)) throw new Error('choleskySolve: matrix is not positive definite');
        l[i * k + i] = Math.sqrt(sum);
      } else {
        l[i * k + j] = sum / l[j * k + j];
      }
    }
  }
  const x = Float64Array.from(b);
  // Forward: L y = b; backward: L^T x = y; on all columns at once.
  for (let i = 0; i < k; i++) {
    const oi = i * m;
    for (let p = 0; p < i; p++) {
      const lip = l[i * k + p];
      if (lip === 0) continue;
      const op = p * m;
      for (let c = 0; c < m; c++) x[oi + c] -= lip * x[op + c];
    }
    const lii = l[i * k + i];
    for (let c = 0; c < m; c++) x[oi + c] /= lii;
  }
  for (let i = k - 1; i >= 0; i--) {
    const oi = i * m;
    for (let p = i + 1; p < k; p++) {
      const lpi = l[p * k + i];
      if (lpi === 0) continue;
      const op = p * m;
      for (let c = 0; c < m; c++) x[oi + c] -= lpi * x[op + c];
    }
    const lii = l[i * k + i];
    for (let c = 0; c < m; c++) x[oi + c] /= lii;
  }
  return x;
}

/**
 * The k-means distance step: for each of n points (row-major n x m), the nearest of k centroids
 * (k x m) by squared Euclidean distance. Writes labels and squared distances; returns the sum of
 * squared distances (inertia).
 */
export function assignNearest(
  x: Float64Array,
  n: number,
  m: number,
  centroids: Float64Array,
  k: number,
  labels: Int32Array,
  dist: Float64Array,
): number {
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const oi = i * m;
    let best = Infinity;
    let arg = 0;
    for (let c = 0; c < k; c++) {
      const oc = c * m;
      let s = 0;
      for (let j = 0; j < m; j++) {
        const t = x[oi + j] - centroids[oc + j];
        s += t * t;
        if (s >= best) break;
      }
      if (s < best) {
        best = s;
        arg = c;
      }
    }
    labels[i] = arg;
    dist[i] = best;
    inertia += best;
  }
  return inertia;
}

/** Squared distances from every point to one centre (used by k-means++ seeding). */
export function squaredDistancesTo(x: Float64Array, n: number, m: number, centre: Float64Array, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const oi = i * m;
    // Four independent accumulators break the add-latency chain of a single sum.
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let j = 0;
    for (; j + 3 < m; j += 4) {
      const t0 = x[oi + j] - centre[j], t1 = x[oi + j + 1] - centre[j + 1], t2 = x[oi + j + 2] - centre[j + 2], t3 = x[oi + j + 3] - centre[j + 3];
      s0 += t0 * t0;
      s1 += t1 * t1;
      s2 += t2 * t2;
      s3 += t3 * t3;
    }
    for (; j < m; j++) {
      const t = x[oi + j] - centre[j];
      s0 += t * t;
    }
    out[i] = s0 + s1 + (s2 + s3);
  }
}
