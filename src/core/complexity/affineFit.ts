/**
 * Sufficient statistics of affine least-squares fits r ~ [1, u] beta over sets of rows: adding
 * rows, merging sets and fitting need only A = sum [1,u]^T [1,u] (k x k), B = sum [1,u]^T r (k x q)
 * and t = sum |r|^2, so a piece that is a union of others is fitted without touching its rows.
 *
 * Slopes (not the intercept) carry a ridge penalty of `ridge` per row (lambda = ridge * count),
 * which keeps small pieces well posed and scales with the data (ridge is set in units of the
 * coordinates' variance by the caller).
 */

import { choleskyInPlace } from '../linalg/cholesky.js';
import { wasmKernels, type WasmKernels } from '../wasm/kernels.js';

/**
 * The fits in WebAssembly (native/affine.c, to the bit): buffers for A, B, the factor and beta,
 * laid out once per size and re-made when the memory grows (which detaches views). Fits are
 * small (k, q <= 33 here) and run by the hundred thousand, so the per-call cost is two copies.
 */
interface AffineSlots {
  k: number;
  q: number;
  kernels: WasmKernels;
  pA: number;
  pB: number;
  pM: number;
  pBeta: number;
  A: Float64Array;
  B: Float64Array;
  beta: Float64Array;
}
let slots: AffineSlots | null = null;

function affineSlots(k: number, q: number): AffineSlots | null {
  const kernels = wasmKernels();
  if (!kernels) return null;
  if (slots && slots.kernels === kernels && slots.k === k && slots.q === q && slots.A.length === k * k) {
    // Other kernels lay out from the same start, so the slots' memory is only borrowed: still
    // valid unless the memory grew (a detached view has length 0).
    return slots;
  }
  const [pA, pB, pM, pBeta] = kernels.layout([k * k, k * q, k * k, k * q]);
  slots = { k, q, kernels, pA, pB, pM, pBeta, A: kernels.f64(pA, k * k), B: kernels.f64(pB, k * q), beta: kernels.f64(pBeta, k * q) };
  return slots;
}

export interface AffineStats {
  /** Affine dimension k = coordinates + 1. */
  k: number;
  /** Outputs. */
  q: number;
  A: Float64Array;
  B: Float64Array;
  t: number;
}

export function emptyStats(k: number, q: number): AffineStats {
  return { k, q, A: new Float64Array(k * k), B: new Float64Array(k * q), t: 0 };
}

export function countOf(s: AffineStats): number {
  return s.A[0];
}

/** Add (sign 1) or remove (sign -1) one row: u has k - 1 coordinates at uOff, r has q values at rOff. */
export function addRow(s: AffineStats, u: Float64Array, uOff: number, r: Float64Array, rOff: number, sign = 1): void {
  const { k, q, A, B } = s;
  // Row 0 / column 0 belong to the intercept's constant 1.
  A[0] += sign;
  for (let a = 1; a < k; a++) {
    const va = sign * u[uOff + a - 1];
    A[a] += va;
    const oa = a * k;
    for (let b = 1; b <= a; b++) A[oa + b] += va * u[uOff + b - 1];
  }
  let tt = 0;
  for (let j = 0; j < q; j++) {
    const rj = r[rOff + j];
    B[j] += sign * rj;
    tt += rj * rj;
  }
  for (let a = 1; a < k; a++) {
    const va = sign * u[uOff + a - 1];
    if (va === 0) continue;
    const ob = a * q;
    for (let j = 0; j < q; j++) B[ob + j] += va * r[rOff + j];
  }
  s.t += sign * tt;
}

/** Fill the upper triangle and first column from the lower triangle kept by addRow. */
function symmetric(s: AffineStats): Float64Array {
  const { k } = s;
  const m = Float64Array.from(s.A);
  for (let a = 1; a < k; a++) m[a * k] = m[a];
  for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) m[a * k + b] = m[b * k + a];
  return m;
}

/** a + b (or a - b) as new statistics. */
export function combine(a: AffineStats, b: AffineStats, sign = 1): AffineStats {
  const out = emptyStats(a.k, a.q);
  for (let i = 0; i < out.A.length; i++) out.A[i] = a.A[i] + sign * b.A[i];
  for (let i = 0; i < out.B.length; i++) out.B[i] = a.B[i] + sign * b.B[i];
  out.t = a.t + sign * b.t;
  return out;
}

export function accumulate(into: AffineStats, from: AffineStats, sign = 1): void {
  for (let i = 0; i < into.A.length; i++) into.A[i] += sign * from.A[i];
  for (let i = 0; i < into.B.length; i++) into.B[i] += sign * from.B[i];
  into.t += sign * from.t;
}

/** Ridge fit beta (k x q) of the rows behind the statistics; zeros when there are no rows. */
export function fitAffine(s: AffineStats, ridge: number): Float64Array {
  const { k, q } = s;
  const w = affineSlots(k, q);
  if (w) {
    w.A.set(s.A);
    w.B.set(s.B);
    w.kernels.exports.affine_fit(w.pA, w.pB, k, q, ridge, w.pM, w.pBeta);
    return w.beta.slice();
  }
  return fitAffineJs(s, ridge);
}

function fitAffineJs(s: AffineStats, ridge: number): Float64Array {
  const { k, q } = s;
  const count = s.A[0];
  const beta = new Float64Array(k * q);
  if (!(count > 0)) return beta;
  const m = symmetric(s);
  const lambda = ridge * count;
  for (let a = 1; a < k; a++) m[a * k + a] += lambda;
  // Guard the intercept against an all-equal degenerate set of coordinates.
  m[0] += 1e-12 * count;
  if (!choleskyInPlace(m, k)) {
    // Collinear coordinates inside a tiny piece: predict its mean.
    for (let j = 0; j < q; j++) beta[j] = s.B[j] / count;
    return beta;
  }
  beta.set(s.B);
  // Forward then backward substitution with the factor L (lower triangle of m), all q columns at once.
  for (let a = 0; a < k; a++) {
    const oa = a * q;
    for (let b = 0; b < a; b++) {
      const l = m[a * k + b];
      if (l === 0) continue;
      const ob = b * q;
      for (let j = 0; j < q; j++) beta[oa + j] -= l * beta[ob + j];
    }
    const inv = 1 / m[a * k + a];
    for (let j = 0; j < q; j++) beta[oa + j] *= inv;
  }
  for (let a = k - 1; a >= 0; a--) {
    const oa = a * q;
    for (let b = a + 1; b < k; b++) {
      const l = m[b * k + a];
      if (l === 0) continue;
      const ob = b * q;
      for (let j = 0; j < q; j++) beta[oa + j] -= l * beta[ob + j];
    }
    const inv = 1 / m[a * k + a];
    for (let j = 0; j < q; j++) beta[oa + j] *= inv;
  }
  return beta;
}

/** Residual sum of squares of the statistics' rows under beta: t - 2 <beta, B> + <beta, A beta>. */
export function sseOf(s: AffineStats, beta: Float64Array): number {
  const { k, q, B } = s;
  const m = symmetric(s);
  let cross = 0,
    quad = 0;
  for (let i = 0; i < k * q; i++) cross += beta[i] * B[i];
  for (let a = 0; a < k; a++) {
    const oa = a * k;
    for (let b = 0; b < k; b++) {
      const mab = m[oa + b];
      if (mab === 0) continue;
      const ra = a * q,
        rb = b * q;
      let dot = 0;
      for (let j = 0; j < q; j++) dot += beta[ra + j] * beta[rb + j];
      quad += mab * dot;
    }
  }
  return Math.max(0, s.t - 2 * cross + quad);
}

/**
 * SSE of the best ridge fit of the statistics' rows. From the normal equations
 * (A + Lambda) beta = B: SSE = t - <beta, B> - lambda |slopes|^2, in O(k q).
 */
export function fittedSse(s: AffineStats, ridge: number): number {
  const w = affineSlots(s.k, s.q);
  if (w) {
    w.A.set(s.A);
    w.B.set(s.B);
    return w.kernels.exports.affine_fitted_sse(w.pA, w.pB, s.t, s.k, s.q, ridge, w.pM, w.pBeta);
  }
  const beta = fitAffineJs(s, ridge);
  const { k, q, B } = s;
  const lambda = ridge * s.A[0];
  let cross = 0,
    pen = 0;
  for (let i = 0; i < k * q; i++) cross += beta[i] * B[i];
  for (let i = q; i < k * q; i++) pen += beta[i] * beta[i];
  return Math.max(0, s.t - cross - lambda * pen);
}

/** Prediction [1, u] beta for one row into out (q values). */
export function predictRow(beta: Float64Array, k: number, q: number, u: Float64Array, uOff: number, out: Float64Array): void {
  for (let j = 0; j < q; j++) out[j] = beta[j];
  for (let a = 1; a < k; a++) {
    const v = u[uOff + a - 1];
    if (v === 0) continue;
    const ob = a * q;
    for (let j = 0; j < q; j++) out[j] += v * beta[ob + j];
  }
}
