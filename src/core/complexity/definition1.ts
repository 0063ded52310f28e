/**
 * Map complexity, definition 1 (complexity/1, docs/observables.md section 2.1; kept reachable with
 * --definition 1 to reproduce runs made before 2026-11-26): how many linear pieces, and how much information to
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

import { checkMapInputs } from './inputs.js';
import { centerColumns, InputError, type ResponseMatrix } from '../matrix.js';
import { choleskySolve } from '../linalg/cholesky.js';
import { principalAxes } from '../linalg/pca.js';
import { kmeans } from './kmeans.js';
import { foldAssignment } from '../inference/resampling.js';
import { Rng } from '../random.js';
import { defineTask, parallelFor, sharedFloat64 } from '../parallel.js';

export interface Complexity1Options {
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

export interface Complexity1Point {
  /** Number of pieces K. */
  k: number;
  /** Held-out fraction of variance unexplained. */
  r: number;
  /** Occupancy entropy H_K (nats) of a k-means fit to all stimuli. */
  entropy: number;
}

export interface Complexity1Result {
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
  curve: Complexity1Point[];
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

const reducedCache = new WeakMap<ResponseMatrix, Map<number, { scores: Float64Array; m: number }>>();

/**
 * The top-m principal component scores of centred X (n x m). Cached per matrix object, so a
 * network input mapped to every layer (or a layer that is both a target and a source) is reduced
 * once.
 */
export function reduceInputs(x: ResponseMatrix, m: number): { scores: Float64Array; m: number } {
  let byM = reducedCache.get(x);
  if (!byM) reducedCache.set(x, (byM = new Map()));
  const hit = byM.get(m);
  if (hit) return hit;
  const computed = computeReducedInputs(x, m);
  byM.set(m, computed);
  return computed;
}

function computeReducedInputs(x: ResponseMatrix, m: number): { scores: Float64Array; m: number } {
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

/**
 * Ridge regression with an unpenalised intercept, lambda = ridge * trace(Xc^T Xc) / m.
 * Xc^T Yc equals Xc^T Y (the centred inputs sum to zero), so Y is never centred; the product is
 * accumulated over blocks of Y's columns so that the m x block accumulator stays in cache.
 */
export function fitRidgePiece(x: Float64Array, y: Float64Array, rows: ArrayLike<number>, m: number, q: number, ridge: number): Piece {
  const cnt = rows.length;
  const mx = new Float64Array(m);
  const my = new Float64Array(q);
  for (let r = 0; r < cnt; r++) {
    const i = rows[r];
    for (let j = 0; j < m; j++) mx[j] += x[i * m + j];
    const oy = i * q;
    for (let j = 0; j < q; j++) my[j] += y[oy + j];
  }
  for (let j = 0; j < m; j++) mx[j] /= cnt;
  for (let j = 0; j < q; j++) my[j] /= cnt;
  // Centred inputs of the piece (cnt x m) and their scatter matrix.
  const xc = new Float64Array(cnt * m);
  const s = new Float64Array(m * m);
  for (let r = 0; r < cnt; r++) {
    const i = rows[r];
    const o = r * m;
    for (let j = 0; j < m; j++) xc[o + j] = x[i * m + j] - mx[j];
    for (let a = 0; a < m; a++) {
      const va = xc[o + a];
      if (va === 0) continue;
      const oa = a * m;
      for (let b = a; b < m; b++) s[oa + b] += va * xc[o + b];
    }
  }
  const xty = new Float64Array(m * q);
  const BLOCK = 512;
  for (let j0 = 0; j0 < q; j0 += BLOCK) {
    const j1 = Math.min(q, j0 + BLOCK);
    let r = 0;
    // Four rows of Y at a time into each accumulator row: five loads and one store per four multiply-adds.
    for (; r + 3 < cnt; r += 4) {
      const o0 = r * m,
        o1 = o0 + m,
        o2 = o1 + m,
        o3 = o2 + m;
      const y0 = rows[r] * q,
        y1 = rows[r + 1] * q,
        y2 = rows[r + 2] * q,
        y3 = rows[r + 3] * q;
      for (let a = 0; a < m; a++) {
        const v0 = xc[o0 + a],
          v1 = xc[o1 + a],
          v2 = xc[o2 + a],
          v3 = xc[o3 + a];
        const ot = a * q;
        for (let j = j0; j < j1; j++) xty[ot + j] += v0 * y[y0 + j] + v1 * y[y1 + j] + v2 * y[y2 + j] + v3 * y[y3 + j];
      }
    }
    for (; r < cnt; r++) {
      const o = r * m;
      const oy = rows[r] * q;
      for (let a = 0; a < m; a++) {
        const va = xc[o + a];
        if (va === 0) continue;
        const ot = a * q;
        for (let j = j0; j < j1; j++) xty[ot + j] += va * y[oy + j];
      }
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
  const w = piece.weights;
  const ox = i * m;
  let a = 0;
  for (; a + 3 < m; a += 4) {
    const v0 = x[ox + a],
      v1 = x[ox + a + 1],
      v2 = x[ox + a + 2],
      v3 = x[ox + a + 3];
    const o0 = a * q,
      o1 = o0 + q,
      o2 = o1 + q,
      o3 = o2 + q;
    for (let j = 0; j < q; j++) out[j] += v0 * w[o0 + j] + v1 * w[o1 + j] + v2 * w[o2 + j] + v3 * w[o3 + j];
  }
  for (; a < m; a++) {
    const v = x[ox + a];
    const oa = a * q;
    for (let j = 0; j < q; j++) out[j] += v * w[oa + j];
  }
}

/** Complexity (definition 1) of the map X -> Y over the same n stimuli (rows in the same order). */
export function mapComplexity1(x: ResponseMatrix, y: ResponseMatrix, opts: Complexity1Options = {}): Complexity1Result {
  const n = x.n;
  const nFolds = opts.folds ?? 5;
  checkMapInputs(x, y, nFolds);
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
  // A scale with fewer training stimuli than pieces leaves pieces empty: the curve would be noise.
  const nTrain = Math.floor((n * (nFolds - 1)) / nFolds);
  const tooMany = scales.filter((k) => k > nTrain);
  if (tooMany.length) {
    throw new InputError(
      `\`scales\` ${tooMany.join(',')}: more pieces than the ${nTrain} training stimuli per fold; use scales up to ${Math.max(1, Math.floor(nTrain / (m + 1)))} (n / (m + 1) for m = ${m} input components)`,
    );
  }
  const foldOf = opts.foldOf ?? foldAssignment(new Rng(seed), n, nFolds);
  if (foldOf.length !== n) throw new RangeError(`foldOf has ${foldOf.length} entries for ${n} stimuli`);

  // Shared (when a parallel runtime is installed) so that worker threads read the same data.
  const shared = { xs: sharedFloat64(xs), yc: sharedFloat64(yc), foldOf: Int32Array.from(foldOf), n, m, q, nFolds, ridge, restarts, seed };
  const globals = sharedFloat64(nFolds * (m * q + q));
  parallelFor('complexity1GlobalFit', nFolds, { ...shared, globals });
  // Denominators (deviation from each fold's training mean) are shared by all K.
  let denominator = 0;
  for (let f = 0; f < nFolds; f++) {
    const { train, test } = foldRows(shared.foldOf, f);
    const mean = trainMean(yc, train, q);
    for (const i of test)
      for (let j = 0; j < q; j++) {
        const e = yc[i * q + j] - mean[j];
        denominator += e * e;
      }
  }
  if (!(denominator > 0)) throw new InputError('Y has zero variance over the held-out stimuli; there is nothing to predict');

  const total = scales.length * (nFolds + 1);
  let done = 0;
  const curve: Complexity1Point[] = [];
  for (const k of scales) {
    // Pieces 0..nFolds-1: held-out squared error per fold; piece nFolds: occupancy entropy on all stimuli.
    const out = sharedFloat64(nFolds + 1);
    parallelFor('complexity1Scale', nFolds + 1, { ...shared, globals, k, out });
    let sse = 0;
    for (let f = 0; f < nFolds; f++) sse += out[f];
    done += nFolds + 1;
    opts.onProgress?.(done, total);
    curve.push({ k, r: sse / denominator, entropy: out[nFolds] });
  }
  return summarise(curve, { n, p: x.d, q, m }, opts);
}

interface ScaleArgs {
  xs: Float64Array;
  yc: Float64Array;
  foldOf: Int32Array;
  n: number;
  m: number;
  q: number;
  nFolds: number;
  ridge: number;
  restarts: number;
  seed: number;
  globals: Float64Array;
}

function foldRows(foldOf: Int32Array, f: number): { train: Int32Array; test: Int32Array } {
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < foldOf.length; i++) (foldOf[i] === f ? test : train).push(i);
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}

/** The fold's global (K = 1) fit, as stored in the shared `globals` buffer. */
function globalFit(a: ScaleArgs, f: number): Piece {
  const size = a.m * a.q + a.q;
  const off = f * size;
  return { weights: a.globals.subarray(off, off + a.m * a.q), intercept: a.globals.subarray(off + a.m * a.q, off + size) };
}

defineTask('complexity1GlobalFit', (raw, f) => {
  const a = raw as unknown as ScaleArgs;
  const piece = fitRidgePiece(a.xs, a.yc, foldRows(a.foldOf, f).train, a.m, a.q, a.ridge);
  const size = a.m * a.q + a.q;
  a.globals.set(piece.weights, f * size);
  a.globals.set(piece.intercept, f * size + a.m * a.q);
});

defineTask('complexity1Scale', (raw, f) => {
  const a = raw as unknown as ScaleArgs & { k: number; out: Float64Array };
  const { xs, yc, m, q, k } = a;
  if (f === a.nFolds) {
    a.out[f] = k === 1 ? 0 : occupancyEntropy(kmeans(xs, a.n, m, k, new Rng(taskSeed(a.seed, k, -1)), { restarts: a.restarts }).labels, k);
    return;
  }
  const { train, test } = foldRows(a.foldOf, f);
  const global = globalFit(a, f);
  const km = k === 1 ? null : kmeans(gatherRows(xs, train, m), train.length, m, k, new Rng(taskSeed(a.seed, k, f)), { restarts: a.restarts });
  const pieces: Piece[] = [];
  if (km) {
    const members: number[][] = Array.from({ length: km.k }, () => []);
    km.labels.forEach((c, r) => members[c].push(train[r]));
    for (let c = 0; c < km.k; c++) pieces.push(members[c].length >= m + 2 ? fitRidgePiece(xs, yc, members[c], m, q, a.ridge) : global);
  }
  const yhat = new Float64Array(q);
  let sse = 0;
  for (const i of test) {
    const piece = km ? pieces[nearestCentroid(xs, i, m, km.centroids, km.k)] : global;
    predictInto(piece, xs, i, m, q, yhat);
    const oy = i * q;
    for (let j = 0; j < q; j++) {
      const e = yc[oy + j] - yhat[j];
      sse += e * e;
    }
  }
  a.out[f] = sse;
});

/** Steps 5 of the definition: gain, K*, C, R^2 values, from a curve. */
export function summarise(
  curve: Complexity1Point[],
  shape: { n: number; p: number; q: number; m: number },
  opts: Pick<Complexity1Options, 'gainThreshold' | 'gainFraction'> = {},
): Complexity1Result {
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
