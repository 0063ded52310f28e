/**
 * Householder reduction of a symmetric matrix to tridiagonal form (EISPACK tred2), with its large
 * steps in fixed row chunks through parallelFor (the same bits for any thread count), and the
 * accumulation of the transformations.
 */

import { defineTask, parallelFor, sharedFloat64, sharedInt32 } from '../parallel.js';
import { wasmKernels } from '../wasm/kernels.js';

/** Orders from which the WebAssembly kernels serve (below, copying costs more than it saves). */
const WASM_FROM = 16;

/** EISPACK tred2's reduction, on w = V^T. Leaves the subdiagonal in e and the Householder data in w. */
export function tridiagonalize(w: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  const k = n >= WASM_FROM ? wasmKernels() : null;
  if (k) {
    // On one thread in WebAssembly SIMD (native/tridiagonal.c); the same bits for any thread count.
    const [pw, pd, pe] = k.layout([n * n, n, n]);
    k.f64(pw, n * n).set(w.subarray(0, n * n));
    k.exports.tridiagonalize(pw, n, pd, pe);
    w.set(k.f64(pw, n * n));
    d.set(k.f64(pd, n));
    e.set(k.f64(pe, n));
    return;
  }
  for (let j = 0; j < n; j++) d[j] = w[j * n + (n - 1)];
  const chunked = n > TRED_CHUNKED_FROM ? { parts: sharedFloat64(TRED_CHUNKS * n), dNew: sharedFloat64(n), bounds: sharedInt32(TRED_CHUNKS + 1) } : null;
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
  const { w, d, e, dNew, n, i, bounds } = a as {
    w: Float64Array;
    d: Float64Array;
    e: Float64Array;
    dNew: Float64Array;
    n: number;
    i: number;
    bounds: Int32Array;
  };
  for (let j = bounds[c]; j < bounds[c + 1]; j++) {
    const f = d[j],
      g = e[j];
    const oj = j * n;
    for (let k = j; k < i; k++) w[oj + k] -= f * e[k] + g * d[k];
    dNew[j] = w[oj + (i - 1)];
    w[oj + i] = 0; // V[i][j]
  }
});

/** EISPACK tred2's accumulation, on V (EISPACK orientation). Leaves the diagonal in d. */
export function accumulateTransformations(v: Float64Array, n: number, d: Float64Array): void {
  const k = n >= WASM_FROM ? wasmKernels() : null;
  if (k) {
    // In WebAssembly (native/tridiagonal.c), its column loops as row loops: the same bits.
    const [pv, pd, pg] = k.layout([n * n, n, n]);
    k.f64(pv, n * n).set(v.subarray(0, n * n));
    k.f64(pd, n).set(d.subarray(0, n));
    k.exports.accumulate_transformations(pv, n, pd, pg);
    v.set(k.f64(pv, n * n));
    d.set(k.f64(pd, n));
    return;
  }
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
