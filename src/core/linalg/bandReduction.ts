/**
 * First stage of a two-stage symmetric eigenvalue reduction: dense -> band (after LAPACK's
 * dsytrd_sy2sb). Each step takes the next b columns below the band, factors that panel with
 * Householder QR (V, T in compact WY form, Q = I - V T V^T), and applies Q two-sided to the
 * trailing matrix: A22 <- Q^T A22 Q = A22 - W1 W2^T with W1 = [Z V], W2 = [V Z],
 * Z = Y - V (T^T V^T Y) / 2, Y = A22 V T. Almost all the work is that one update, a pair of
 * matrix products, which is why this stage exists: it can run at BLAS speed (the products
 * backend, see products.ts) where Householder tridiagonalization is matrix-vector bound.
 *
 * The algorithm is a generator yielding each trailing update, so it is written once and driven
 * either synchronously with the JavaScript update (bandReduceJs) or from the ONNX Runtime thread,
 * which awaits its products. The result is the lower band in BandMatrix storage (bulgeChasing.ts).
 */

import { matmul, matmulTransB } from './products.js';
import { wasmKernels } from '../wasm/kernels.js';

/** One trailing update: a (m x m, row-major, symmetric) <- a - W1 W2^T as described above. */
export interface BandUpdate {
  a: Float64Array;
  m: number;
  /** m x b reflectors, unit lower trapezoidal, row-major. */
  v: Float64Array;
  /** b x b upper triangular compact-WY factor. */
  t: Float64Array;
  b: number;
}

/**
 * Lower band of a symmetric n x n matrix with room for bulges: element (i, j), 0 <= i - j < width,
 * is at data[i * width + (i - j)]. The reduction fills distances <= b; chasing needs up to 2b - 1.
 */
export interface BandMatrix {
  data: Float64Array;
  n: number;
  b: number;
  width: number;
}

export function bandStorageWidth(b: number): number {
  return 2 * b;
}

/**
 * Reduce a symmetric n x n row-major matrix (not modified) to lower bandwidth b. Yields one
 * update per panel and expects the updated trailing matrix (m x m) back. `alloc` gives the
 * storage of each yielded trailing matrix; it may be the buffer that holds the previous one (the
 * driver's single workspace): the panel is copied out first, then the trailing block is compacted
 * row by row towards the start, never over a row still to be read.
 */
export function* bandReduction(
  s: Float64Array,
  n: number,
  b: number,
  alloc: (length: number) => Float64Array = (length) => new Float64Array(length),
): Generator<BandUpdate, BandMatrix, Float64Array> {
  const width = bandStorageWidth(b);
  const band = new Float64Array(n * width);
  let cur = s; // the trailing matrix, m x m; never written (the input is the first one)
  let m = n;
  let c0 = 0; // global index of cur's first row/column
  while (m > b + 1) {
    // The diagonal block: lower triangle into the band.
    for (let i = 0; i < b; i++) for (let j = 0; j <= i; j++) band[(c0 + i) * width + (i - j)] = cur[i * m + j];
    const rows = m - b;
    // The panel below it, transposed: its row j is column j of cur (= row j, by symmetry).
    const panel = new Float64Array(b * rows);
    for (let j = 0; j < b; j++) panel.set(cur.subarray(j * m + b, j * m + m), j * rows);
    const { v, t } = householderQr(panel, rows, b);
    // R (upper triangular; R^T in panel's lower triangle) is the band below the diagonal block.
    for (let i = 0; i < Math.min(rows, b); i++) for (let j = i; j < b; j++) band[(c0 + b + i) * width + (b + i - j)] = panel[j * rows + i];
    const a22 = alloc(rows * rows);
    for (let i = 0; i < rows; i++) a22.set(cur.subarray((b + i) * m + b, (b + i) * m + m), i * rows);
    const next = yield { a: a22, m: rows, v, t, b };
    if (next.length !== rows * rows) throw new Error(`bandReduction: expected ${rows * rows} values back, got ${next.length}`);
    cur = next;
    m = rows;
    c0 += b;
  }
  for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) band[(c0 + i) * width + (i - j)] = cur[i * m + j];
  return { data: band, n, b, width };
}

/**
 * Householder QR of a rows x b panel given transposed (pt: b x rows, row c = column c, so every
 * loop runs over contiguous memory), in place (LAPACK dgeqr2 + dlarft, forward, columnwise):
 * R^T ends in pt's lower triangle (R[i][j] at pt[j * rows + i], i <= j); returns V (rows x b,
 * row-major, explicit unit diagonal, zeros above) and T (b x b) with H_1 ... H_b = I - V T V^T.
 */
export function householderQr(pt: Float64Array, rows: number, b: number): { v: Float64Array; t: Float64Array } {
  const k = wasmKernels();
  if (k) {
    // The same steps in WebAssembly SIMD (native/band.c).
    const [pPt, pVt, pT, pTau, pW] = k.layout([b * rows, b * rows, b * b, b, b]);
    k.f64(pPt, b * rows).set(pt.subarray(0, b * rows));
    k.f64(pVt, b * rows).fill(0);
    k.f64(pT, b * b).fill(0);
    k.exports.householder_qr(pPt, rows, b, pVt, pT, pTau, pW);
    pt.set(k.f64(pPt, b * rows));
    return { v: transposeSmall(k.f64(pVt, b * rows), b, rows), t: k.f64(pT, b * b).slice() };
  }
  const vt = new Float64Array(b * rows); // V^T
  const t = new Float64Array(b * b);
  const tau = new Float64Array(b);
  for (let c = 0; c < b && c < rows; c++) {
    const oc = c * rows;
    const alpha = pt[oc + c];
    let xnorm2 = 0;
    for (let i = c + 1; i < rows; i++) xnorm2 += pt[oc + i] * pt[oc + i];
    vt[oc + c] = 1;
    if (xnorm2 === 0) continue; // already upper triangular in this column: H = I, tau = 0
    const beta = -Math.sign(alpha || 1) * Math.sqrt(alpha * alpha + xnorm2);
    tau[c] = (beta - alpha) / beta;
    const scale = 1 / (alpha - beta);
    for (let i = c + 1; i < rows; i++) {
      vt[oc + i] = pt[oc + i] * scale;
      pt[oc + i] = 0;
    }
    pt[oc + c] = beta;
    // Apply H = I - tau v v^T to the remaining columns.
    for (let j = c + 1; j < b; j++) {
      const oj = j * rows;
      let dot = pt[oj + c];
      for (let i = c + 1; i < rows; i++) dot += vt[oc + i] * pt[oj + i];
      dot *= tau[c];
      pt[oj + c] -= dot;
      for (let i = c + 1; i < rows; i++) pt[oj + i] -= dot * vt[oc + i];
    }
  }
  // T: T[c][c] = tau_c, T[0:c, c] = -tau_c T[0:c, 0:c] (V[:, 0:c]^T v_c).
  const w = new Float64Array(b);
  for (let c = 0; c < b; c++) {
    t[c * b + c] = tau[c];
    if (tau[c] === 0) continue;
    const oc = c * rows;
    for (let j = 0; j < c; j++) {
      const oj = j * rows;
      let dot = 0;
      for (let i = c; i < rows; i++) dot += vt[oj + i] * vt[oc + i];
      w[j] = dot;
    }
    for (let j = 0; j < c; j++) {
      let sum = 0;
      for (let l = j; l < c; l++) sum += t[j * b + l] * w[l];
      t[j * b + c] = -tau[c] * sum;
    }
  }
  return { v: transposeSmall(vt, b, rows), t };
}

/** The trailing update of one band step in JavaScript (the reference for the backend's). */
export function applyBandUpdate(u: BandUpdate): Float64Array {
  const { a, m, v, t, b } = u;
  const y = matmul(matmul(a, v, m, m, b), t, m, b, b); // Y = A V T
  const vty = matmul(transposeSmall(v, m, b), y, b, m, b); // V^T Y
  const half = matmul(transposeSmall(t, b, b), vty, b, b, b); // M = T^T V^T Y
  const vm = matmul(v, half, m, b, b);
  const w1 = new Float64Array(m * 2 * b),
    w2 = new Float64Array(m * 2 * b);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < b; j++) {
      const z = y[i * b + j] - 0.5 * vm[i * b + j];
      w1[i * 2 * b + j] = z;
      w1[i * 2 * b + b + j] = v[i * b + j];
      w2[i * 2 * b + j] = v[i * b + j];
      w2[i * 2 * b + b + j] = z;
    }
  }
  const prod = matmulTransB(w1, w2, m, 2 * b, m);
  const out = new Float64Array(m * m);
  for (let i = 0; i < m * m; i++) out[i] = a[i] - prod[i];
  return out;
}

function transposeSmall(a: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
  return out;
}

/** Dense -> band entirely in JavaScript. */
export function bandReduceJs(s: Float64Array, n: number, b: number): BandMatrix {
  const steps = bandReduction(s, n, b);
  let r = steps.next(undefined as unknown as Float64Array);
  while (!r.done) r = steps.next(applyBandUpdate(r.value));
  return r.value;
}
