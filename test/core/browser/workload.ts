/**
 * The same computation for Node and for the browser bundle: D_eff (with cvPCA and intervals),
 * complexity/2 and pattern entropy on seeded planted data. Imports only 'neurorep/core' sources.
 */

import {
  effectiveDimension,
  foldAssignment,
  mapComplexity,
  mapLayers,
  measure,
  patternEntropy,
  responseMatrix,
  Rng,
  Side,
  type Metric,
} from '../../../src/core/index.js';
import { bandEigenvalues, symmetricEigen } from '../../../src/core/linalg/eigen.js';
import { bandReduceJs } from '../../../src/core/linalg/bandReduction.js';

/** Order of the planted eigenproblem: above the chunked reduction's 384 and the two-stage route's 600. */
import { wasmKernels } from '../../../src/core/wasm/kernels.js';
export { preloadWasmKernels } from '../../../src/core/wasm/kernels.js';

/** Whether the WebAssembly kernels serve this thread. */
export const kernelsInUse = (): boolean => wasmKernels() !== null;

export const EIGEN_ORDER = 700;

/** The planted spectrum: 1, 1/2, 1/3, ... */
export const plantedEigenvalue = (i: number): number => 1 / (i + 1);

/** Q diag(values) Q^T with Q a product of three random Householder reflections (O(n^2) each). */
function plantedSymmetric(n: number, rng: Rng): Float64Array {
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) s[i * n + i] = plantedEigenvalue(i);
  const w = new Float64Array(n);
  for (let r = 0; r < 3; r++) {
    const v = Float64Array.from({ length: n }, () => rng.normal());
    const norm = Math.hypot(...v);
    for (let i = 0; i < n; i++) v[i] /= norm;
    // S <- H S H with H = I - 2 v v^T: S - 2 v (S v)^T - 2 (S v) v^T + 4 (v^T S v) v v^T.
    for (let i = 0; i < n; i++) {
      let a = 0;
      for (let j = 0; j < n; j++) a += s[i * n + j] * v[j];
      w[i] = a;
    }
    let vsv = 0;
    for (let i = 0; i < n; i++) vsv += v[i] * w[i];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s[i * n + j] += -2 * v[i] * w[j] - 2 * w[i] * v[j] + 4 * vsv * v[i] * v[j];
  }
  return s;
}

export function workload(): Record<string, unknown> {
  const rng = new Rng(7);
  // 300 stimuli x 40 neurons, power-law spectrum, 2 repeats for cvPCA.
  const n = 300,
    d = 40;
  const signal = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) signal[i * d + j] = rng.normal() * (j + 1) ** -0.5;
  const trialData = new Float64Array(2 * n * d);
  for (let k = 0; k < 2 * n * d; k++) trialData[k] = signal[k % (n * d)] + 0.3 * rng.normal();
  const trials = responseMatrix(2 * n, d, trialData);
  const avg = responseMatrix(
    n,
    d,
    signal.map((_v, k) => (trialData[k] + trialData[n * d + k]) / 2),
  );
  const repeats = Array.from({ length: n }, (_v, i) => [i, n + i]);
  const dim = effectiveDimension(avg, { trials, repeats, intervals: 20, seed: 3 });

  // |x| on 400 points: complexity/2 finds two pieces.
  const x = Float64Array.from({ length: 400 }, () => 2 * rng.next() - 1);
  const cx = mapComplexity(
    responseMatrix(400, 1, x),
    responseMatrix(
      400,
      1,
      x.map((v) => Math.abs(v) + 0.01 * rng.normal()),
    ),
    { seed: 5 },
  );

  // Binary patterns of 6 correlated units over 500 samples.
  const bits = new Float64Array(500 * 6);
  for (let i = 0; i < 500; i++) {
    const common = rng.next() < 0.5 ? 1 : 0;
    for (let j = 0; j < 6; j++) bits[i * 6 + j] = rng.next() < 0.8 ? common : 1 - common;
  }
  const pat = patternEntropy(responseMatrix(500, 6, bits), { seed: 9 });
  // Compare's measures (with intervals, nulls and ceilings) between the averages and a rotated copy
  // of its first 20 neurons, and the layer mapping's bootstrap.
  const half = (t: number) => responseMatrix(n, d, trialData.subarray(t * n * d, (t + 1) * n * d));
  const area = new Side({ n, d, matrix: avg, halves: { a: half(0), b: half(1) } });
  const layer = new Side({
    n,
    d: 20,
    matrix: responseMatrix(
      n,
      20,
      Float64Array.from({ length: n * 20 }, (_v, k) => -2 * signal[Math.floor(k / 20) * d + (((k % 20) + 7) % 20)]),
    ),
  });
  const fold = foldAssignment(new Rng(1), n, 5);
  const metrics: Metric[] = ['predictivity', 'predictivity-reverse', 'rsa-spearman', 'rsa-cosine', 'rsa-cv-cosine', 'procrustes', 'shape-alpha0.5', 'cka'];
  const similarity = Object.fromEntries(metrics.map((m) => [m, measure(m, layer, area, fold, { folds: 5, seed: 2, intervals: 10, nulls: 5 })!.cell]));
  const cells = ['predictivity', 'cka'].map((m) => measure(m as Metric, layer, area, fold, { folds: 5, seed: 2, intervals: 0, nulls: 0 })!);
  const mapping = mapLayers(
    cells.map((c) => c.cell.score),
    cells.map((c) => c.evaluated.onRows!),
    n,
    20,
    4,
  );
  // Eigenproblems at the sizes where the reduction runs in row chunks (and, with a products
  // backend, in two stages): all values, the top 10 vectors, and the two-stage route in JavaScript.
  const big = plantedSymmetric(EIGEN_ORDER, rng);
  const eigen = symmetricEigen(big, EIGEN_ORDER);
  const top = symmetricEigen(big, EIGEN_ORDER, { vectors: true, count: 10 });
  const twoStage = bandEigenvalues(bandReduceJs(big, EIGEN_ORDER, 32));
  const topResidual = Array.from({ length: 10 }, (_v, c) => {
    // |S u - lambda u| for eigenpair c.
    const u = top.vectors!.subarray(c * EIGEN_ORDER, (c + 1) * EIGEN_ORDER);
    let r = 0;
    for (let i = 0; i < EIGEN_ORDER; i++) {
      let su = 0;
      for (let j = 0; j < EIGEN_ORDER; j++) su += big[i * EIGEN_ORDER + j] * u[j];
      r = Math.max(r, Math.abs(su - top.values[c] * u[i]));
    }
    return r;
  });
  return {
    dim,
    complexity: cx,
    patterns: pat,
    similarity,
    mapping,
    eigen: { values: eigen.values, twoStage, topValues: top.values.subarray(0, 10), topResidual },
  };
}
