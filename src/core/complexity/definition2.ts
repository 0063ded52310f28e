/**
 * Map complexity, definition 2 (complexity/2, docs/observables.md section 2.2): how many linear
 * pieces a map X -> Y needs, counted by the entropy of how the stimuli fill the pieces that the
 * held-out evidence supports.
 *
 * 1. X is centred and projected on its principal components (all of them up to `components`,
 *    default 256): the linear part is fitted on (almost) all of X, never on a truncation.
 * 2. 5-fold cross-validation over stimuli. In each training fold:
 *    a. a global ridge fit, lambda by GCV, gives residuals R;
 *    b. R is reduced to its top 16 principal directions for the search of pieces, and the inputs
 *       to their top 16 principal Hessian directions (Li 1992): the directions along which the
 *       residual bends;
 *    c. a hinge tree (hingeTree.ts) cuts that space along the bends into up to 256 leaves (at
 *       least 2 (m + 1) rows each);
 *    d. neighbouring leaves are merged greedily (pieces.ts), giving a partition for every number
 *       of pieces K, each piece an affine correction of the global fit, polished across the
 *       planes where neighbouring pieces agree;
 *    e. the held-out fold is scored at each K of the grid 1..16, 20, 24, ..., 256.
 * 3. r_K = held-out SSE / held-out variance, pooled over folds. K* is the smallest K whose per-fold
 *    excess over the best K is within one paired standard error, or below the resolution delta
 *    (default 2e-4 of Y's variance). More noise widens the standard error (fewer pieces); more
 *    data narrows it (more pieces).
 * 4. The same procedure on all stimuli gives the partition at K*; C = entropy of its occupancy;
 *    C = 0 when K* = 1. Held-out R^2 <= the resolution at every K makes C null ('unpredictable').
 *
 * Invariant to rescaling, offset and rotation of X and of Y (everything is built from principal
 * components, distances and fits); not to the units of single features (--standardize z-scores).
 */

import { checkMapInputs } from './inputs.js';
import { InputError, type ResponseMatrix } from '../matrix.js';
import { crossProductTransA, matmul, matmulTransB, transpose } from '../linalg/products.js';
import { symmetricEigen } from '../linalg/eigen.js';
import { addRow, emptyStats, type AffineStats } from './affineFit.js';
import { growHingeTree, routeToLeaves } from './hingeTree.js';
import { leafAdjacency, mergeSequence, occupancyEntropy, piecesSse, polishPieces } from './pieces.js';
import { ridgeByGcv } from './ridgeGcv.js';
import { prepareX, prepareY, type PreparedX } from './scores.js';
import { Rng } from '../random.js';
import { foldAssignment } from '../inference/resampling.js';
import { defineTask, parallelFor, sharedFloat64 } from '../parallel.js';
import { warning, type Warning } from '../warnings.js';

/** Numbers of pieces scored: every K up to 16, then coarser. */
export const PIECE_GRID = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256];

export interface Complexity2Options {
  /** Cross-validation folds (default 5). */
  folds?: number;
  /** Largest number of input principal components for the linear fit (default 256). */
  components?: number;
  /** Principal Hessian directions in which pieces are sought (default 16). */
  bendDimensions?: number;
  /** Input components the Hessian directions are computed from (default 64). */
  hessianComponents?: number;
  /** Residual directions the tree's splits are chosen in (default 16). */
  residualDimensions?: number;
  /** Most pieces (tree leaves) considered (default: as many as leave 2 (m + 1) training rows per leaf, at most 256). */
  maxPieces?: number;
  /** Smallest held-out gain (fraction of Y's variance) that counts as evidence (default 2e-4). */
  resolution?: number;
  /** Ridge on pieces' slopes, per row, in units of the bend coordinates' mean variance (default 1e-3). */
  ridge?: number;
  /** z-score every feature of X and Y first. */
  standardize?: boolean;
  seed?: number;
  /** Explicit fold of each stimulus (0..folds-1). */
  foldOf?: Int32Array;
  onProgress?: (done: number, total: number) => void;
}

export interface Complexity2Point {
  /** Number of pieces K. */
  k: number;
  /** Held-out fraction of variance unexplained, pooled over folds. */
  r: number;
  /** Occupancy entropy H_K (nats) of the K pieces fitted to all stimuli. */
  entropy: number;
  /** Paired standard error of r_K - r_best over folds. */
  se: number;
}

export interface Complexity2Result {
  definition: 'complexity/2';
  n: number;
  p: number;
  q: number;
  /** Input principal components used by the linear fit. */
  m: number;
  /** Share of X's variance those components carry. */
  varianceKept: number;
  /** Share of Y's variance in the outputs modelled (1 unless q > 256). */
  outputVarianceKept: number;
  bendDimensions: number;
  /** C (nats); 0 when one linear piece suffices; null when nothing is predictable held out. */
  complexity: number | null;
  /** exp(C): the effective number of linear pieces. */
  effectivePieces: number | null;
  kStar: number;
  /** The largest K scored; when K* equals it, C is a lower bound. */
  largestK: number;
  /** Held-out gain of the best K over one linear map: r_1 - min_K r_K. */
  gain: number;
  linearR2: number;
  bestR2: number;
  resolution: number;
  curve: Complexity2Point[];
  warnings: Warning[];
}

/** What a fold task (or the all-data task) needs; typed arrays are shared with worker threads. */
interface FoldArgs {
  z: Float64Array;
  yc: Float64Array;
  dropped: Float64Array;
  foldOf: Int32Array;
  n: number;
  m: number;
  q: number;
  folds: number;
  bend: number;
  hessian: number;
  residualDims: number;
  maxPieces: number;
  ridge: number;
  grid: Int32Array;
  /** Held-out SSE per fold x grid K (NaN where a fold has fewer leaves). */
  sse: Float64Array;
  /** Held-out variance per fold. */
  den: Float64Array;
  /** Entropy per grid K of the all-data fit. */
  entropy: Float64Array;
  /** Whether piece `folds` (all data) runs too. */
  withAll: number;
  /** 2 or 3: complexity/3 also refines splits by assignment and keeps a polish only where it lowers the training error. */
  variant: number;
  /** Fold seeds run in one call (complexity/3): task t < folds * seeds is fold t % folds of seed t / folds. */
  seeds: number;
}

/** Mean and the scatter eigendecomposition of rows' centred scores; Xc^T Yc; |Yc|^2. */
function linearFit(a: FoldArgs, rows: Int32Array): { muZ: Float64Array; muY: Float64Array; beta: Float64Array } {
  const { z, yc, m, q } = a;
  const n = rows.length;
  const muZ = new Float64Array(m),
    muY = new Float64Array(q);
  for (const i of rows) {
    for (let c = 0; c < m; c++) muZ[c] += z[i * m + c] / n;
    for (let j = 0; j < q; j++) muY[j] += yc[i * q + j] / n;
  }
  const zc = new Float64Array(n * m),
    ycc = new Float64Array(n * q);
  let yy = 0;
  rows.forEach((i, r) => {
    for (let c = 0; c < m; c++) zc[r * m + c] = z[i * m + c] - muZ[c];
    for (let j = 0; j < q; j++) {
      const v = yc[i * q + j] - muY[j];
      ycc[r * q + j] = v;
      yy += v * v;
    }
  });
  const zt = transpose(zc, n, m);
  const scatter = crossProductTransA(zc, n, m);
  const eig = symmetricEigen(scatter, m, { vectors: true });
  const xty = matmulTransB(zt, transpose(ycc, n, q), m, n, q);
  return { muZ, muY, beta: ridgeByGcv({ values: eig.values, vectors: eig.vectors! }, xty, yy, n, m, q).beta };
}

/** Top `count` eigenvectors (as columns, rows x count) of a symmetric matrix, canonically signed by their first large entry. */
function topVectors(mat: Float64Array, dim: number, count: number): Float64Array {
  const eig = symmetricEigen(mat, dim, { vectors: true, count });
  const k = Math.min(count, dim);
  const out = new Float64Array(dim * k);
  for (let c = 0; c < k; c++) {
    const v = eig.vectors!.subarray(c * dim, c * dim + dim);
    let big = 0;
    for (let j = 0; j < dim; j++) if (Math.abs(v[j]) > Math.abs(big) * (1 + 1e-9)) big = v[j];
    const sign = big < 0 ? -1 : 1;
    for (let j = 0; j < dim; j++) out[j * k + c] = sign * v[j];
  }
  return out;
}

/**
 * One fit of the whole procedure on `train` rows; returns what scores held-out rows and what
 * gives the entropies: residuals, bend coordinates, tree, merges.
 */
function fitPieces(a: FoldArgs, train: Int32Array) {
  const { z, yc, n, m, q } = a;
  const lin = linearFit(a, train);
  // Residuals of the global fit for every row (training and held out).
  const zc = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let c = 0; c < m; c++) zc[i * m + c] = z[i * m + c] - lin.muZ[c];
  const fitted = matmul(zc, lin.beta, n, m, q);
  const r = new Float64Array(n * q);
  for (let i = 0; i < n; i++) for (let j = 0; j < q; j++) r[i * q + j] = yc[i * q + j] - lin.muY[j] - fitted[i * q + j];
  // Residual directions for the search of pieces: top principal directions of the training residuals.
  const s = Math.min(q, a.residualDims);
  let rs: Float64Array;
  if (s === q) rs = r;
  else {
    const rtr = crossProductTransA(gather(r, train, q), train.length, q);
    rs = matmul(r, topVectors(rtr, q, s), n, q, s);
  }
  // Bend coordinates: the principal Hessian directions of the reduced residuals (or all components when few).
  let u: Float64Array;
  let mb: number;
  if (m <= a.bend) {
    u = zc;
    mb = m;
  } else {
    const mh = Math.min(m, Math.max(a.hessian, a.bend));
    const sum = new Float64Array(mh * mh);
    const h = new Float64Array(mh * mh);
    // The Hessian directions of the top 8 residual directions carry the bends that matter most.
    for (let j = 0; j < Math.min(s, 8); j++) {
      h.fill(0);
      for (const i of train) {
        const e = rs[i * s + j];
        if (e === 0) continue;
        const o = i * m;
        for (let x = 0; x < mh; x++) {
          const v = e * zc[o + x];
          for (let y = 0; y <= x; y++) h[x * mh + y] += v * zc[o + y];
        }
      }
      for (let x = 0; x < mh; x++) for (let y = 0; y < x; y++) h[y * mh + x] = h[x * mh + y];
      // sum += H_j H_j
      for (let x = 0; x < mh; x++)
        for (let y = 0; y <= x; y++) {
          let v = 0;
          for (let c = 0; c < mh; c++) v += h[x * mh + c] * h[c * mh + y];
          sum[x * mh + y] += v;
        }
    }
    for (let x = 0; x < mh; x++) for (let y = 0; y < x; y++) sum[y * mh + x] = sum[x * mh + y];
    mb = Math.min(a.bend, mh);
    const dirs = topVectors(sum, mh, mb); // mh x mb
    const zh = new Float64Array(n * mh);
    for (let i = 0; i < n; i++) for (let c = 0; c < mh; c++) zh[i * mh + c] = zc[i * m + c];
    u = matmul(zh, dirs, n, mh, mb);
  }
  // Slope ridge in units of the bend coordinates' mean variance over the training rows.
  let varSum = 0;
  for (let c = 0; c < mb; c++) {
    let mu = 0,
      v = 0;
    for (const i of train) mu += u[i * mb + c] / train.length;
    for (const i of train) v += (u[i * mb + c] - mu) ** 2;
    varSum += v / train.length;
  }
  const ridge = a.ridge * (varSum / Math.max(1, mb));
  const k = mb + 1;
  const tree = growHingeTree(u, mb, rs, s, train, { maxLeaves: a.maxPieces, minLeaf: 2 * k, ridge, assignment: a.variant === 3 });
  const L = tree.leaves.length;
  const leafRows = tree.leaves.map((id) => tree.nodes[id].rows);
  const rowLeaf = new Map<number, number>();
  leafRows.forEach((rows, l) => rows.forEach((row) => rowLeaf.set(row, l)));
  const statsOf = (targets: Float64Array, width: number): AffineStats[] =>
    leafRows.map((rows) => {
      const st = emptyStats(k, width);
      for (const row of rows) addRow(st, u, row * mb, targets, row * width);
      return st;
    });
  // Merging and polishing decide on the reduced residuals; the final fits use every output.
  const leafStats = statsOf(rs, s);
  const full = s === q ? undefined : { leafStats: statsOf(r, q), r, q };
  const adjacency = leafAdjacency(tree, u, rowLeaf);
  const merges = mergeSequence(leafStats, adjacency, ridge);
  const polished = (K: number, iterations: number) => polishPieces(merges.owners[K - 1], leafStats, leafRows, adjacency, u, rs, k, s, ridge, iterations, full);
  let piecesAt = (K: number) => polished(K, 3);
  if (a.variant === 3) {
    // The polish moves rows to where neighbouring fits agree, right for a continuous bend and wrong
    // for a jump: keep it only where it lowers the training error.
    const leafOfTrain = Int32Array.from(train, (row) => rowLeaf.get(row)!);
    const uTrain = gather(u, train, mb),
      rTrain = gather(r, train, q);
    piecesAt = (K: number) => {
      const moved = polished(K, 3);
      if (K === 1) return moved;
      const kept = polished(K, 0);
      return piecesSse(moved, leafOfTrain, uTrain, rTrain, k, q) <= piecesSse(kept, leafOfTrain, uTrain, rTrain, k, q) ? moved : kept;
    };
  }
  return { r, u, mb, k, tree, L, piecesAt };
}

function gather(src: Float64Array, rows: Int32Array, width: number): Float64Array {
  const out = new Float64Array(rows.length * width);
  rows.forEach((i, r) => out.set(src.subarray(i * width, i * width + width), r * width));
  return out;
}

defineTask('complexity2Fold', (raw, task) => {
  const a = raw as unknown as FoldArgs;
  const G = a.grid.length;
  const f = task % a.folds,
    seedIndex = Math.floor(task / a.folds);
  if (task === a.folds * a.seeds) {
    // All stimuli: the entropy of the partition at every K.
    const all = Int32Array.from({ length: a.n }, (_, i) => i);
    const fit = fitPieces(a, all);
    for (let j = 0; j < G; j++) {
      const K = a.grid[j];
      a.entropy[j] = K > fit.L ? NaN : K === 1 ? 0 : occupancyEntropy(fit.piecesAt(K).counts.values());
    }
    return;
  }
  const train: number[] = [],
    test: number[] = [];
  const foldOf = a.foldOf.subarray(seedIndex * a.n, seedIndex * a.n + a.n);
  for (let i = 0; i < a.n; i++) (foldOf[i] === f ? test : train).push(i);
  const tr = Int32Array.from(train),
    te = Int32Array.from(test);
  const fit = fitPieces(a, tr);
  const ute = gather(fit.u, te, fit.mb),
    rte = gather(fit.r, te, a.q);
  const leafOf = routeToLeaves(fit.tree, ute, te.length);
  let extra = 0;
  for (const i of te) extra += a.dropped[i];
  // Held-out variance around the training mean (Yc is centred on all stimuli; the training mean is not 0).
  const muY = new Float64Array(a.q);
  for (const i of tr) for (let j = 0; j < a.q; j++) muY[j] += a.yc[i * a.q + j] / tr.length;
  let den = extra;
  for (const i of te) for (let j = 0; j < a.q; j++) den += (a.yc[i * a.q + j] - muY[j]) ** 2;
  a.den[task] = den;
  for (let j = 0; j < G; j++) {
    const K = a.grid[j];
    a.sse[task * G + j] = K > fit.L ? NaN : piecesSse(fit.piecesAt(K), leafOf, ute, rte, fit.k, a.q) + extra;
  }
});

/** Most pieces the data allow: every piece keeps at least 2 (m + 1) training rows. */
export function dataBoundPieces(n: number, folds: number, bend: number): number {
  return Math.max(2, Math.floor(Math.floor((n * (folds - 1)) / folds) / (2 * (bend + 1))));
}

/**
 * Numbers of pieces scored by complexity/3: PIECE_GRID, then 1.5 and 2 times each power of two
 * from 256 on, up to `largest`.
 */
export function pieceGrid3(largest: number): number[] {
  const grid = PIECE_GRID.filter((k) => k <= largest);
  for (let p = 256; p * 1.5 <= largest; p *= 2) for (const f of [1.5, 2]) if (p * f <= largest) grid.push(p * f);
  return grid;
}

/**
 * Held-out curves of one (X, Y): per (seed, fold) task and K the held-out SSE, and (with
 * `withAll`) the entropies of the all-data fit. `foldOf` holds one fold assignment per seed
 * (seeds x n). complexity/2 scores PIECE_GRID up to 256 pieces; complexity/3 (variant 3) the
 * grid up to the data bound.
 */
export function runFolds(
  prep: PreparedX,
  yc: Float64Array,
  q: number,
  dropped: Float64Array,
  foldOf: Int32Array,
  opts: Complexity2Options,
  withAll: boolean,
  variant: 2 | 3 = 2,
) {
  const folds = opts.folds ?? 5;
  const seeds = foldOf.length / prep.n;
  const bend = Math.min(opts.bendDimensions ?? 16, prep.m);
  const bound = dataBoundPieces(prep.n, folds, bend);
  const maxPieces = opts.maxPieces ?? (variant === 3 ? bound : Math.min(256, bound));
  const grid = Int32Array.from(variant === 3 ? pieceGrid3(maxPieces) : PIECE_GRID.filter((k) => k <= maxPieces));
  const G = grid.length;
  const args: FoldArgs = {
    z: sharedFloat64(prep.z),
    yc: sharedFloat64(yc),
    dropped: sharedFloat64(dropped),
    foldOf: Int32Array.from(foldOf),
    n: prep.n,
    m: prep.m,
    q,
    folds,
    bend: opts.bendDimensions ?? 16,
    hessian: opts.hessianComponents ?? 64,
    residualDims: opts.residualDimensions ?? 16,
    maxPieces,
    ridge: opts.ridge ?? 1e-3,
    grid,
    sse: sharedFloat64(seeds * folds * G),
    den: sharedFloat64(seeds * folds),
    entropy: sharedFloat64(G),
    withAll: withAll ? 1 : 0,
    variant,
    seeds,
  };
  parallelFor('complexity2Fold', seeds * folds + (withAll ? 1 : 0), args as unknown as Record<string, unknown>);
  return { grid: Array.from(grid), sse: args.sse, den: args.den, entropy: args.entropy, folds, seeds };
}

/** One seed's held-out scores out of a multi-seed run. */
export function seedRun(run: ReturnType<typeof runFolds>, s: number): ReturnType<typeof runFolds> {
  const G = run.grid.length;
  return {
    ...run,
    sse: run.sse.subarray(s * run.folds * G, (s + 1) * run.folds * G),
    den: run.den.subarray(s * run.folds, (s + 1) * run.folds),
    seeds: 1,
  };
}

/** The held-out curve, the selected K* and the gain, from the per-fold scores (one seed). */
export function selectPieces(run: ReturnType<typeof runFolds>, resolution: number) {
  const { grid, sse, den, folds } = run;
  const G = grid.length;
  // Scales every fold could score.
  const usable: number[] = [];
  for (let j = 0; j < G; j++) {
    let ok = true;
    for (let f = 0; f < folds; f++) if (!Number.isFinite(sse[f * G + j])) ok = false;
    if (ok) usable.push(j);
  }
  let denTotal = 0;
  for (let f = 0; f < folds; f++) denTotal += den[f];
  const r = usable.map((j) => {
    let s = 0;
    for (let f = 0; f < folds; f++) s += sse[f * G + j];
    return s / denTotal;
  });
  const rf = (f: number, j: number) => sse[f * G + j] / den[f];
  let best = 0;
  for (let i = 1; i < r.length; i++) if (r[i] < r[best]) best = i;
  const se = usable.map((j) => {
    const diffs = Array.from({ length: folds }, (_, f) => rf(f, j) - rf(f, usable[best]));
    const mean = diffs.reduce((x, y) => x + y, 0) / folds;
    const sd = Math.sqrt(diffs.reduce((x, y) => x + (y - mean) ** 2, 0) / Math.max(1, folds - 1));
    return { mean, se: sd / Math.sqrt(folds) };
  });
  let star = 0;
  while (star < best && !(se[star].mean <= Math.max(se[star].se, resolution))) star++;
  return { usable, r, se: se.map((x) => x.se), best, star, excess: se.map((x) => x.mean) };
}

/**
 * The inputs of complexity/2 and /3, checked and prepared, with progress over the first stages
 * (X's components, Y's components; the folds are the third): zero variance on either side is an
 * input error.
 */
export function prepareMap(x: ResponseMatrix, y: ResponseMatrix, opts: Complexity2Options) {
  checkMapInputs(x, y, opts.folds ?? 5);
  opts.onProgress?.(0, 3);
  const prep = prepareX(x, opts.components ?? 256, opts.standardize === true);
  if (prep.m === 0) throw new InputError('X has zero variance over the stimuli; there is no input to map from');
  opts.onProgress?.(1, 3);
  const out = prepareY(y, opts.standardize === true);
  opts.onProgress?.(2, 3);
  let yVar = 0;
  for (const v of out.yc) yVar += v * v;
  for (const v of out.dropped) yVar += v;
  if (!(yVar > 0)) throw new InputError('Y has zero variance over the stimuli; there is nothing to predict');
  return { prep, out };
}

/** Complexity (definition 2) of the map X -> Y over the same n stimuli (rows in the same order). */
export function mapComplexity2(x: ResponseMatrix, y: ResponseMatrix, opts: Complexity2Options = {}): Complexity2Result {
  const n = x.n;
  const folds = opts.folds ?? 5;
  const seed = opts.seed ?? 0;
  const { prep, out } = prepareMap(x, y, opts);
  const foldOf = opts.foldOf ?? foldAssignment(new Rng(seed), n, folds);
  if (foldOf.length !== n) throw new RangeError(`foldOf has ${foldOf.length} entries for ${n} stimuli`);
  const run = runFolds(prep, out.yc, out.q, out.dropped, foldOf, opts, true);
  opts.onProgress?.(3, 3);
  return summarise2(run, prep, out, x, y, opts);
}

function summarise2(
  run: ReturnType<typeof runFolds>,
  prep: PreparedX,
  out: ReturnType<typeof prepareY>,
  x: ResponseMatrix,
  y: ResponseMatrix,
  opts: Complexity2Options,
): Complexity2Result {
  const resolution = opts.resolution ?? 2e-4;
  const sel = selectPieces(run, resolution);
  const grid = sel.usable.map((j) => run.grid[j]);
  const curve: Complexity2Point[] = sel.usable.map((j, i) => ({
    k: run.grid[j],
    r: sel.r[i],
    entropy: Number.isFinite(run.entropy[j]) ? run.entropy[j] : NaN,
    se: sel.se[i],
  }));
  const kStar = grid[sel.star];
  const linearR2 = 1 - sel.r[0];
  const bestR2 = 1 - sel.r[sel.best];
  const warnings: Warning[] = [];
  let complexity: number | null = kStar === 1 ? 0 : curve[sel.star].entropy;
  // Predictable means a held-out R^2 above the resolution, the smallest gain that counts: an R^2 of
  // 5e-10 against -3e-9 is rounding, and must not decide between C = 0 and "undefined".
  if (!(bestR2 > resolution)) {
    complexity = null;
    warnings.push(
      warning(
        'unpredictable',
        `no scale predicts Y from X held out (best R^2 ${bestR2.toPrecision(3)}, not above the resolution ${resolution}); complexity is undefined, not 0`,
      ),
    );
  } else if (kStar > 1 && kStar === grid[grid.length - 1]) {
    warnings.push(
      warning('complexity-lower-bound', `K* = ${kStar} is the largest number of pieces scored: C = ${(complexity ?? 0).toFixed(3)} is a lower bound`),
    );
  }
  if (complexity !== null && !Number.isFinite(complexity)) complexity = null;
  warnings.push(...truncationWarnings(prep, out));
  return {
    definition: 'complexity/2',
    n: x.n,
    p: x.d,
    q: y.d,
    m: prep.m,
    varianceKept: prep.varianceKept,
    outputVarianceKept: out.outputVarianceKept,
    bendDimensions: Math.min(opts.bendDimensions ?? 16, prep.m),
    complexity,
    effectivePieces: complexity === null ? null : Math.exp(complexity),
    kStar,
    largestK: grid[grid.length - 1],
    gain: sel.r[0] - sel.r[sel.best],
    linearR2,
    bestR2,
    resolution,
    curve,
    warnings,
  };
}

/** Warnings when X's components or Y's kept components carry less than 99 % of the variance. */
export function truncationWarnings(prep: PreparedX, out: { q: number; outputVarianceKept: number }): Warning[] {
  const warnings: Warning[] = [];
  if (prep.varianceKept < 0.99) {
    warnings.push(
      warning(
        'input-truncated',
        `the linear fit uses ${prep.m} input components carrying ${(100 * prep.varianceKept).toFixed(1)} % of X's variance; raise \`components\``,
      ),
    );
  }
  if (out.outputVarianceKept < 0.99) {
    warnings.push(
      warning(
        'input-truncated',
        `Y was reduced to its top ${out.q} components carrying ${(100 * out.outputVarianceKept).toFixed(1)} % of its variance; the rest counts as unexplained`,
      ),
    );
  }
  return warnings;
}

/**
 * The held-out gain r_1 - min_K r_K for Y with rows permuted (X's preparation and folds reused):
 * one draw of the permutation null.
 */
export function complexity2NullDraw(x: ResponseMatrix, y: ResponseMatrix, perm: Int32Array, opts: Complexity2Options = {}, variant: 2 | 3 = 2): number | null {
  const prep = prepareX(x, opts.components ?? 256, opts.standardize === true);
  const out = prepareY(y, opts.standardize === true);
  const q = out.q;
  const yc = new Float64Array(out.yc.length),
    dropped = new Float64Array(out.dropped.length);
  for (let i = 0; i < perm.length; i++) {
    yc.set(out.yc.subarray(perm[i] * q, perm[i] * q + q), i * q);
    dropped[i] = out.dropped[perm[i]];
  }
  const foldOf = opts.foldOf ?? foldAssignment(new Rng(opts.seed ?? 0), x.n, opts.folds ?? 5);
  const run = runFolds(prep, yc, q, dropped, foldOf, opts, false, variant);
  const sel = selectPieces(run, opts.resolution ?? 2e-4);
  return sel.r.length ? sel.r[0] - sel.r[sel.best] : null;
}
