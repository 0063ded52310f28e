/**
 * The same computation for Node and for the browser bundle: D_eff (with cvPCA and intervals),
 * complexity/2 and pattern entropy on seeded planted data. Imports only 'neurorep/core' sources.
 */

import { effectiveDimension, foldAssignment, mapComplexity, mapLayers, measure, patternEntropy, responseMatrix, Rng, Side, type Metric } from '../../../src/core/index.js';

export function workload(): Record<string, unknown> {
  const rng = new Rng(7);
  // 300 stimuli x 40 neurons, power-law spectrum, 2 repeats for cvPCA.
  const n = 300, d = 40;
  const signal = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) signal[i * d + j] = rng.normal() * (j + 1) ** -0.5;
  const trialData = new Float64Array(2 * n * d);
  for (let k = 0; k < 2 * n * d; k++) trialData[k] = signal[k % (n * d)] + 0.3 * rng.normal();
  const trials = responseMatrix(2 * n, d, trialData);
  const avg = responseMatrix(n, d, signal.map((_v, k) => (trialData[k] + trialData[n * d + k]) / 2));
  const repeats = Array.from({ length: n }, (_v, i) => [i, n + i]);
  const dim = effectiveDimension(avg, { trials, repeats, intervals: 20, seed: 3 });

  // |x| on 400 points: complexity/2 finds two pieces.
  const x = Float64Array.from({ length: 400 }, () => 2 * rng.next() - 1);
  const cx = mapComplexity(responseMatrix(400, 1, x), responseMatrix(400, 1, x.map((v) => Math.abs(v) + 0.01 * rng.normal())), { seed: 5 });

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
  const layer = new Side({ n, d: 20, matrix: responseMatrix(n, 20, Float64Array.from({ length: n * 20 }, (_v, k) => -2 * signal[Math.floor(k / 20) * d + ((k % 20) + 7) % 20])) });
  const fold = foldAssignment(new Rng(1), n, 5);
  const metrics: Metric[] = ['predictivity', 'predictivity-reverse', 'rsa-spearman', 'rsa-cosine', 'rsa-cv-cosine', 'procrustes', 'shape-alpha0.5', 'cka'];
  const similarity = Object.fromEntries(metrics.map((m) => [m, measure(m, layer, area, fold, { folds: 5, seed: 2, intervals: 10, nulls: 5 })!.cell]));
  const cells = ['predictivity', 'cka'].map((m) => measure(m as Metric, layer, area, fold, { folds: 5, seed: 2, intervals: 0, nulls: 0 })!);
  const mapping = mapLayers(cells.map((c) => c.cell.score), cells.map((c) => c.evaluated.onRows!), n, 20, 4);
  return { dim, complexity: cx, patterns: pat, similarity, mapping };
}
