/**
 * Second stage of the two-stage symmetric eigenvalue reduction: band -> tridiagonal by Householder
 * bulge chasing (Lang's algorithm, as in LAPACK's dsytrd_sb2st, eigenvalues only). Sweep j
 * annihilates column j below its subdiagonal with one reflector of length b; applying it creates a
 * bulge in the b x b block below, of which only the first column is annihilated (by the next
 * reflector, which moves the bulge b rows down); the rest of each bulge lies where sweep j + 1's
 * blocks are and is removed by it. Everything happens inside a band of width 2b held in BandMatrix
 * storage (n x 2b doubles: 1 MB for n = 2000, b = 32, so the sweeps run in cache), about
 * 12 b^2 flops per reflector and n^2 / b reflectors.
 */

import type { BandMatrix } from './bandReduction.js';
import { defineTask, isShared, parallelFor, parallelThreads, sharedFloat64, sharedInt32 } from '../parallel.js';
import { wasmKernels, type WasmKernels } from '../wasm/kernels.js';

/**
 * Reduce a band matrix (lower band, bandwidth b, modified in place) to tridiagonal form. Writes the
 * diagonal to d and the subdiagonal to e (e[i] couples i and i - 1, e[0] = 0), EISPACK's layout.
 *
 * With several threads the sweeps run as a pipeline: stage k of sweep j touches only the stored
 * rows j+1+kb .. j+kb+b, so sweep j+1 may run its stage k as soon as sweep j has finished stage
 * k+1. Every element then sees the same operations in the same order as in the serial loop, and
 * the result is the same to the bit whatever the number of threads (tested).
 */
export function bandToTridiagonal(band: BandMatrix, d: Float64Array, e: Float64Array): void {
  const kernels = wasmKernels();
  if (kernels) {
    bandToTridiagonalWasm(kernels, band, d, e);
    return;
  }
  const { n, b, width: W } = band;
  const threads = parallelThreads();
  if (threads > 1 && n > PIPELINE_FROM) {
    const data = isShared(band.data) ? band.data : sharedFloat64(band.data);
    // progress[j]: stages of sweep j finished (DONE when the sweep is); control[0]: next sweep to claim.
    const progress = sharedInt32(n);
    const control = sharedInt32(1);
    parallelFor('bulgeChase', threads, { data, n, b, W, progress, control });
    if (data !== band.data) band.data.set(data);
  } else {
    const work = sweepBuffers(b);
    for (let j = 0; j + 2 < n; j++) sweep(band.data, n, b, W, j, work, null);
  }
  const data = band.data;
  for (let i = 0; i < n; i++) {
    d[i] = data[i * W];
    e[i] = i > 0 ? data[i * W + 1] : 0;
  }
}

/**
 * The same sweeps in WebAssembly SIMD (native/band.c), on one thread: 1.8x the JavaScript sweeps
 * on one thread at n = 2000, b = 32, and faster than them pipelined over two (`npm run
 * bench:kernels`). Same bits for any thread count, since it never splits; equal to the
 * JavaScript route to rounding (the dot products are summed in another order).
 */
function bandToTridiagonalWasm(k: WasmKernels, band: BandMatrix, d: Float64Array, e: Float64Array): void {
  const { n, b, width: W, data } = band;
  const [pData, pd, pe, pWork] = k.layout([data.length, n, n, 5 * b]);
  k.f64(pData, data.length).set(data);
  k.exports.band_to_tridiagonal(pData, n, b, W, pd, pe, pWork);
  data.set(k.f64(pData, data.length));
  d.set(k.f64(pd, n));
  e.set(k.f64(pe, n));
}

/** Orders from which the sweeps are pipelined over threads. */
const PIPELINE_FROM = 300;
const DONE = 0x3fffffff;

defineTask('bulgeChase', (a) => {
  const { data, n, b, W, progress, control } = a as { data: Float64Array; n: number; b: number; W: number; progress: Int32Array; control: Int32Array };
  const work = sweepBuffers(b);
  // Sweeps are claimed in order, so the sweep a thread waits for is always being run by another.
  for (let j = Atomics.add(control, 0, 1); j + 2 < n; j = Atomics.add(control, 0, 1)) {
    sweep(data, n, b, W, j, work, { progress, j });
    Atomics.store(progress, j, DONE);
    Atomics.notify(progress, j);
  }
});

interface SweepBuffers {
  v: Float64Array;
  vNext: Float64Array;
  p: Float64Array;
}

function sweepBuffers(b: number): SweepBuffers {
  return { v: new Float64Array(b), vNext: new Float64Array(b), p: new Float64Array(b) };
}

/** Before stage k of sweep j, wait until sweep j - 1 has finished stage k + 1 (or entirely). */
function waitFor(progress: Int32Array, j: number, k: number): void {
  if (j === 0) return;
  let seen = Atomics.load(progress, j - 1);
  for (let spin = 0; seen < k + 2; spin++) {
    if (spin > 2000) Atomics.wait(progress, j - 1, seen, 50);
    seen = Atomics.load(progress, j - 1);
  }
}

function stageDone(pipe: { progress: Int32Array; j: number } | null, stages: number): void {
  if (!pipe) return;
  Atomics.store(pipe.progress, pipe.j, stages);
  Atomics.notify(pipe.progress, pipe.j);
}

/** Sweep j: annihilate column j below the subdiagonal and chase the bulge off the matrix. */
function sweep(data: Float64Array, n: number, b: number, W: number, j: number, work: SweepBuffers, pipe: { progress: Int32Array; j: number } | null): void {
  const { v, vNext, p } = work;
  if (pipe) waitFor(pipe.progress, j, 0);
  // Stage 0: the reflector from column j, rows j+1 .. j+len.
  let s = j + 1;
  let len = Math.min(b, n - 1 - j);
  for (let q = 0; q < len; q++) v[q] = data[(s + q) * W + (s + q - j)];
  let tau = house(v, len);
  data[s * W + (s - j)] = v[0];
  for (let q = 1; q < len; q++) data[(s + q) * W + (s + q - j)] = 0;
  v[0] = 1;
  twoSided(data, W, s, len, v, tau, p);
  stageDone(pipe, 1);
  for (let stage = 1; ; stage++) {
    const s1 = s + len;
    const len1 = Math.min(b, n - s1);
    if (len1 <= 0) break;
    if (pipe) waitFor(pipe.progress, j, stage);
    // Block B = rows s1.., columns s..: element (s1 + r, s + c) at data[(s1 + r) * W + (len + r - c)].
    if (tau !== 0) {
      for (let r = 0; r < len1; r++) {
        const o = (s1 + r) * W + len + r;
        let dot = 0;
        for (let c = 0; c < len; c++) dot += data[o - c] * v[c];
        dot *= tau;
        for (let c = 0; c < len; c++) data[o - c] -= dot * v[c];
      }
    }
    // The bulge's first column gives the next reflector.
    for (let r = 0; r < len1; r++) vNext[r] = data[(s1 + r) * W + len + r];
    const tauNext = house(vNext, len1);
    data[s1 * W + len] = vNext[0];
    for (let r = 1; r < len1; r++) data[(s1 + r) * W + len + r] = 0;
    vNext[0] = 1;
    if (tauNext !== 0) {
      for (let c = 1; c < len; c++) {
        let dot = 0;
        for (let r = 0; r < len1; r++) dot += vNext[r] * data[(s1 + r) * W + len + r - c];
        dot *= tauNext;
        for (let r = 0; r < len1; r++) data[(s1 + r) * W + len + r - c] -= dot * vNext[r];
      }
    }
    twoSided(data, W, s1, len1, vNext, tauNext, p);
    stageDone(pipe, stage + 1);
    s = s1;
    len = len1;
    tau = tauNext;
    v.set(vNext.subarray(0, len1));
  }
}

/**
 * Householder reflector for x (length len, in place): on return x[0] = beta and x[1..] = v[1..]
 * with v[0] = 1 implied, and (I - tau v v^T) x_original = beta e_1. Returns tau (0: nothing to do).
 */
function house(x: Float64Array, len: number): number {
  const alpha = x[0];
  let xnorm2 = 0;
  for (let q = 1; q < len; q++) xnorm2 += x[q] * x[q];
  if (xnorm2 === 0) return 0;
  const beta = -Math.sign(alpha || 1) * Math.sqrt(alpha * alpha + xnorm2);
  const scale = 1 / (alpha - beta);
  for (let q = 1; q < len; q++) x[q] *= scale;
  x[0] = beta;
  return (beta - alpha) / beta;
}

/** A <- H A H on the diagonal block rows/columns s .. s+len-1 (lower storage), H = I - tau v v^T. */
function twoSided(data: Float64Array, W: number, s: number, len: number, v: Float64Array, tau: number, p: Float64Array): void {
  if (tau === 0) return;
  // p = tau A v, reading the lower triangle only.
  for (let r = 0; r < len; r++) p[r] = 0;
  for (let r = 0; r < len; r++) {
    const o = (s + r) * W + r; // element (s + r, s + c) at o - c
    let sum = data[o - r] * v[r];
    const vr = v[r];
    for (let c = 0; c < r; c++) {
      const a = data[o - c];
      sum += a * v[c];
      p[c] += a * vr;
    }
    p[r] += sum;
  }
  let pv = 0;
  for (let r = 0; r < len; r++) {
    p[r] *= tau;
    pv += p[r] * v[r];
  }
  const k = 0.5 * tau * pv;
  for (let r = 0; r < len; r++) p[r] -= k * v[r];
  for (let r = 0; r < len; r++) {
    const o = (s + r) * W + r;
    const vr = v[r],
      wr = p[r];
    for (let c = 0; c <= r; c++) data[o - c] -= vr * p[c] + wr * v[c];
  }
}
