/**
 * Map complexity (OBSERVABLES.md section 2): how many linear pieces, and how much information to
 * choose among them, it takes to describe Y as a function of X at the resolution the data
 * supports. Piecewise-linear fits (k-means pieces in X's top principal components, a ridge
 * regression per piece) are scored held-out over a grid of scales K; the complexity is the
 * occupancy entropy of the pieces at the smallest scale that captures 90 % of the gain over a
 * single linear map.
 *
 * Choices where OBSERVABLES.md is silent (also in the README):
 * - The input reduction (centring and top-m principal axes of X) uses all n stimuli; it never
 *   sees Y, so it cannot leak the target into the test folds.
 * - The same seeded fold assignment serves every scale, so the curve compares like with like.
 * - r_K pools the five test folds: the sum of squared errors over all held-out stimuli divided by
 *   the sum of squared deviations from their own fold's training mean.
 * - K = 2 is on the grid whenever n >= 4, even if n / (5 (m + 1)) < 2; pieces that get fewer
 *   than m + 2 training points fall back to the fold's global fit anyway.
 * - A piece whose inputs have zero spread predicts its training mean.
 * - When the gain G < 0.01, K* is reported as 1 (one linear piece) and C = 0.
 * - Every k-means fit draws from its own generator seeded from (seed, K, fold), so results do
 *   not depend on the order in which scales and folds are computed.
 */

import { centerColumns, InputError, selectRows, type ResponseMatrix } from './matrix.js';
import { choleskySolve, principalAxes } from './linalg.js';
import { kmeans } from './kmeans.js';
import { bootstrapScalars, foldAssignment, Rng, type BootstrapSummary } from './stats.js';

export interface ComplexityOptions {
  /** Input principal components m (default min(p, 32)). */
  components?: number;
  /** Cross-validation folds (default 5). */
  folds?: number;
  /** k-means restarts (default 5). */
  restarts?: number;
  /** Ridge factor: lambda = ridge * trace(Xk^T Xk) / m (default 1e-3). */
  ridge?: number;
  /** Linear gain below which the map counts as linear (default 0.01). */
  gainThreshold?: number;
  /** K* is the smallest K within this fraction of the gain from the best (default 0.1). */
  gainFraction?: number;
  /** Samples per fitted parameter per piece that bound the largest K (default 5). */
  samplesPerParameter?: number;
  /** Explicit scales instead of the default grid. */
  scales?: number[];
  seed?: number;
  /** Explicit fold of each stimulus (0..folds-1), e.g. to compare with another implementation. */
  foldOf?: Int32Array;
  /** Called after each (scale, fold) fit. */
  onProgress?: (done: number, total: number) => void;
}

export interface ComplexityPoint {
  /** Number of pieces K. */
  k: number;
  /** Held-out fraction of variance unexplained. */
  r: number;
  /** Occupancy entropy H_K (nats) of a k-means fit to all stimuli. */
  entropy: number;
}

export interface ComplexityResult {
  n: number;
  p: number;
  q: number;
  /** Input principal components used. */
  m: number;
  /** C (nats); 0 when the map is linear at this resolution. */
  complexity: number;
  /** exp(C): the effective number of linear pieces. */
  effectivePieces: number;
  kStar: number;
  /** G = r_1 - min_K r_K. */
  gain: number;
  linearR2: number;
  bestR2: number;
  curve: ComplexityPoint[];
}

/** The default scale grid: powers of two up to n / (samples (m + 1)), with 1 and (when n >= 4) 2. */
export function complexityScales(n: number, m: number, samplesPerParameter = 5): number[] {
  const kmax = n / (samplesPerParameter * (m + 1));
  const scales = [1];
  for (let k = 2; k <= kmax; k *= 2) scales.push(k);
  if (scales.length === 1 && n >= 4) scales.push(2);
  return scales;
}

/** Seed for one k-means fit, mixed from the run seed, the scale and the fold (fold -1: all data). */
function taskSeed(seed: number, k: number, fold: number): number {
  let h = (seed ^ 0x5bd1e995) >>> 0;
  h = Math.imul(h ^ (k + 0x9e3779b9), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (fold + 0x7f4a7c15 + 1), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

/** The top-m principal component scores of centred X (n x m). */
export function reduceInputs(x: ResponseMatrix, m: number): { scores: Float64Array; m: number } {
  const xc = centerColumns(x).data;
  const axes = principalAxes(xc, x.n, x.d, m);
  const k = axes.k;
  const scores = new Float64Array(x.n * Math.max(k, 0));
  for (let i = 0; i < x.n; i++) {
    const oi = i * x.d;
    for (let c = 0; c < k; c++) {
      const oc = c * x.d;
      let s = 0;
      for (let j = 0; j < x.d; j++) s += xc[oi + j] * axes.axes[oc + j];
      scores[i * k + c] = s;
    }
  }
  return { scores, m: k };
}

/** A fitted linear piece: y = intercept + x B. */
interface Piece {
  intercept: Float64Array; // q
  weights: Float64Array; // m x q
}

/** Ridge regression with an unpenalised intercept, lambda = ridge * trace(Xc^T Xc) / m. */
export function fitRidgePiece(x: Float64Array, y: Float64Array, rows: ArrayLike<number>, m: number, q: number, ridge: number): Piece {
  const cnt = rows.length;
  const mx = new Float64Array(m);
  const my = new Float64Array(q);
  for (let r = 0; r < cnt; r++) {
    const i = rows[r];
    for (let j = 0; j < m; j++) mx[j] += x[i * m + j];
    for (let j = 0; j < q; j++) my[j] += y[i * q + j];
  }
  for (let j = 0; j < m; j++) mx[j] /= cnt;
  for (let j = 0; j < q; j++) my[j] /= cnt;
  const s = new Float64Array(m * m);
  const xty = new Float64Array(m * q);
  const xc = new Float64Array(m);
  for (let r = 0; r < cnt; r++) {
    const i = rows[r];
    for (let j = 0; j < m; j++) xc[j] = x[i * m + j] - mx[j];
    for (let a = 0; a < m; a++) {
      const va = xc[a];
      if (va === 0) continue;
      const oa = a * m;
      for (let b = a; b < m; b++) s[oa + b] += va * xc[b];
      const oy = i * q, ot = a * q;
      for (let j = 0; j < q; j++) xty[ot + j] += va * (y[oy + j] - my[j]);
    }
  }
  let trace = 0;
  for (let a = 0; a < m; a++) {
    trace += s[a * m + a];
    for (let b = 0; b < a; b++) s[a * m + b] = s[b * m + a];
  }
  const weights = new Float64Array(m * q);
  if (trace > 0) {
    const lambda = (ridge * trace) / m;
    for (let a = 0; a < m; a++) s[a * m + a] += lambda;
    weights.set(choleskySolve(s, xty, m, q));
  }
  const intercept = Float64Array.from(my);
  for (let a = 0; a < m; a++) {
    const va = mx[a];
    if (va === 0) continue;
    for (let j = 0; j < q; j++) intercept[j] -= va * weights[a * q + j];
  }
  return { intercept, weights };
}

function predictInto(piece: Piece, x: Float64Array, i: number, m: number, q: number, out: Float64Array): void {
  out.set(piece.intercept);
  for (let a = 0; a < m; a++) {
    const v = x[i * m + a];
    if (v === 0) continue;
    const oa = a * q;
    for (let j = 0; j < q; j++) out[j] += v * piece.weights[oa + j];
  }
}

/** Complexity of the map X -> Y over the same n stimuli (rows in the same order). */
export function mapComplexity(x: ResponseMatrix, y: ResponseMatrix, opts: ComplexityOptions = {}): ComplexityResult {
  if (x.n !== y.n) throw new InputError(`X has ${x.n} rows but Y has ${y.n}; both must list the same stimuli in the same order`);
  const n = x.n;
  const nFolds = opts.folds ?? 5;
  if (n < 2 * nFolds) throw new InputError(`complexity needs at least ${2 * nFolds} stimuli for ${nFolds}-fold cross-validation, got ${n}`);
  const seed = opts.seed ?? 0;
  const ridge = opts.ridge ?? 1e-3;
  const restarts = opts.restarts ?? 5;
  const reduced = reduceInputs(x, Math.min(x.d, opts.components ?? 32));
  const m = reduced.m;
  if (m === 0) throw new InputError('X has zero variance over the stimuli; there is no input to map from');
  const xs = reduced.scores;
  const q = y.d;
  const yc = centerColumns(y).data; // centring Y changes no residual, only conditioning
  const scales = opts.scales ?? complexityScales(n, m, opts.samplesPerParameter ?? 5);
  const foldOf = opts.foldOf ?? foldAssignment(new Rng(seed), n, nFolds);
  if (foldOf.length !== n) throw new RangeError(`foldOf has ${foldOf.length} entries for ${n} stimuli`);

  const trainRows: Int32Array[] = [];
  const testRows: Int32Array[] = [];
  for (let f = 0; f < nFolds; f++) {
    const tr: number[] = [];
    const te: number[] = [];
    for (let i = 0; i < n; i++) (foldOf[i] === f ? te : tr).push(i);
    trainRows.push(Int32Array.from(tr));
    testRows.push(Int32Array.from(te));
  }
  // Per-fold global fits and the denominators (deviation from the training mean) are shared by all K.
  const globalFits = trainRows.map((tr) => fitRidgePiece(xs, yc, tr, m, q, ridge));
  let denominator = 0;
  for (let f = 0; f < nFolds; f++) {
    const mean = trainMean(yc, trainRows[f], q);
    for (const i of testRows[f]) for (let j = 0; j < q; j++) denominator += (yc[i * q + j] - mean[j]) ** 2;
  }
  if (!(denominator > 0)) throw new InputError('Y has zero variance over the held-out stimuli; there is nothing to predict');

  const total = scales.length * (nFolds + 1);
  let done = 0;
  const curve: ComplexityPoint[] = [];
  const yhat = new Float64Array(q);
  for (const k of scales) {
    let sse = 0;
    for (let f = 0; f < nFolds; f++) {
      const tr = trainRows[f];
      const xtr = gatherRows(xs, tr, m);
      const km = k === 1 ? null : kmeans(xtr, tr.length, m, k, new Rng(taskSeed(seed, k, f)), { restarts });
      const pieces: Piece[] = [];
      if (km) {
        const members: number[][] = Array.from({ length: km.k }, () => []);
        km.labels.forEach((c, r) => members[c].push(tr[r]));
        for (let c = 0; c < km.k; c++) pieces.push(members[c].length >= m + 2 ? fitRidgePiece(xs, yc, members[c], m, q, ridge) : globalFits[f]);
      }
      for (const i of testRows[f]) {
        const piece = km ? pieces[nearestCentroid(xs, i, m, km.centroids, km.k)] : globalFits[f];
        predictInto(piece, xs, i, m, q, yhat);
        for (let j = 0; j < q; j++) sse += (yc[i * q + j] - yhat[j]) ** 2;
      }
      opts.onProgress?.(++done, total);
    }
    const entropy = k === 1 ? 0 : occupancyEntropy(kmeans(xs, n, m, k, new Rng(taskSeed(seed, k, -1)), { restarts }).labels, k);
    opts.onProgress?.(++done, total);
    curve.push({ k, r: sse / denominator, entropy });
  }
  return summarise(curve, { n, p: x.d, q, m }, opts);
}

/** Steps 5 of the definition: gain, K*, C, R^2 values, from a curve. */
export function summarise(curve: ComplexityPoint[], shape: { n: number; p: number; q: number; m: number }, opts: Pick<ComplexityOptions, 'gainThreshold' | 'gainFraction'> = {}): ComplexityResult {
  const r1 = curve[0].r;
  const rmin = Math.min(...curve.map((c) => c.r));
  const gain = r1 - rmin;
  let kStar = 1;
  let complexity = 0;
  if (gain >= (opts.gainThreshold ?? 0.01)) {
    const limit = rmin + (opts.gainFraction ?? 0.1) * gain;
    const star = curve.find((c) => c.r <= limit)!;
    kStar = star.k;
    complexity = star.entropy;
  }
  return {
    ...shape,
    complexity,
    effectivePieces: Math.exp(complexity),
    kStar,
    gain,
    linearR2: 1 - r1,
    bestR2: 1 - rmin,
    curve,
  };
}

function trainMean(y: Float64Array, rows: ArrayLike<number>, q: number): Float64Array {
  const mean = new Float64Array(q);
  for (let r = 0; r < rows.length; r++) for (let j = 0; j < q; j++) mean[j] += y[rows[r] * q + j];
  for (let j = 0; j < q; j++) mean[j] /= rows.length;
  return mean;
}

function gatherRows(x: Float64Array, rows: Int32Array, m: number): Float64Array {
  const out = new Float64Array(rows.length * m);
  for (let r = 0; r < rows.length; r++) out.set(x.subarray(rows[r] * m, rows[r] * m + m), r * m);
  return out;
}

function nearestCentroid(x: Float64Array, i: number, m: number, centroids: Float64Array, k: number): number {
  let best = Infinity;
  let arg = 0;
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < m; j++) s += (x[i * m + j] - centroids[c * m + j]) ** 2;
    if (s < best) {
      best = s;
      arg = c;
    }
  }
  return arg;
}

/** Entropy (nats) of the fraction of points in each cluster. */
export function occupancyEntropy(labels: Int32Array, k: number): number {
  const counts = new Float64Array(k);
  for (const c of labels) counts[c]++;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / labels.length) * Math.log(c / labels.length);
  return h;
}

/**
 * Bootstrap intervals of C, exp(C), K*, linear and best R^2 over resampled stimuli. A resample
 * repeats stimuli, and a repeat can land in both a training and a test fold, so held-out errors
 * are optimistic inside a resample; the intervals describe the spread, not an unbiased level.
 */
export function bootstrapComplexity(x: ResponseMatrix, y: ResponseMatrix, resamples: number, seed: number, opts: ComplexityOptions = {}, onProgress?: (done: number, total: number) => void): BootstrapSummary {
  return bootstrapScalars(
    x.n,
    resamples,
    seed,
    (rows) => {
      const r = mapComplexity(selectRows(x, rows), selectRows(y, rows), { ...opts, foldOf: undefined, onProgress: undefined });
      return { complexity: r.complexity, effectivePieces: r.effectivePieces, kStar: r.kStar, linearR2: r.linearR2, bestR2: r.bestR2 };
    },
    (err) => err instanceof InputError,
    onProgress,
  );
}
