/**
 * A regression tree with oblique splits placed where a map bends (complexity/2, docs/observables.md
 * section 2.2). Each split of a node is the hyperplane that best separates two affine fits of the
 * node's residuals: candidate directions are the node's top two principal axes and its top two
 * principal Hessian directions (Li 1992), each scanned for the best of `cuts` thresholds; the best
 * cut is then refined with Breiman's hinge-finding iteration (Breiman 1993): refit both sides and
 * move the plane to where the two fits agree (the top singular vector of their difference), while
 * that lowers the residual sum of squares. The tree grows best-first (largest SSE reduction) to
 * `maxLeaves` leaves; leaves keep at least `minLeaf` rows.
 *
 * Coordinates u are n x m row-major; residuals r are n x s. A plane w (m + 1 values) sends a row to
 * the right child when w . [1, u] > 0.
 */

import { addRow, emptyStats, fitAffine, fittedSse, combine, predictRow, type AffineStats } from './affineFit.js';
import { choleskyInPlace } from '../linalg/cholesky.js';
import { symmetricEigen } from '../linalg/eigen.js';
import { wasmKernels, type WasmKernels } from '../wasm/kernels.js';

export interface TreeNode {
  rows: Int32Array;
  plane: Float64Array | null;
  children: [number, number] | null;
}

export interface HingeTree {
  m: number;
  nodes: TreeNode[];
  /** Node id of each leaf, in creation order (leaf index = position). */
  leaves: number[];
}

export interface TreeOptions {
  maxLeaves: number;
  minLeaf: number;
  /** Ridge per row on slopes (see affineFit). */
  ridge: number;
  /** Thresholds tried per direction (default 12; the hinge refinement then moves the plane onto the bend). */
  cuts?: number;
  /** Hinge refinement iterations (default 8). */
  hingeIterations?: number;
  /**
   * complexity/3: also refine each split by assignment (refineByAssignment), which finds oblique
   * and discontinuous boundaries that the principal axes and the hinge iteration miss.
   */
  assignment?: boolean;
}

interface Split {
  gain: number;
  plane: Float64Array;
}

function statsOf(u: Float64Array, m: number, r: Float64Array, s: number, rows: ArrayLike<number>): AffineStats {
  const st = emptyStats(m + 1, s);
  for (let i = 0; i < rows.length; i++) addRow(st, u, rows[i] * m, r, rows[i] * s);
  return st;
}

/** Top `count` eigenvectors of a symmetric m x m matrix, each with a canonical sign (third moment of the projections >= 0). */
function topDirections(mat: Float64Array, m: number, count: number, u: Float64Array, rows: Int32Array, mean: Float64Array): Float64Array[] {
  const eig = symmetricEigen(mat, m, { vectors: true, count });
  const out: Float64Array[] = [];
  for (let c = 0; c < Math.min(count, m); c++) {
    if (!(eig.values[c] > 0)) break;
    const d = Float64Array.from(eig.vectors!.subarray(c * m, c * m + m));
    let third = 0;
    for (let i = 0; i < rows.length; i++) {
      const o = rows[i] * m;
      let p = 0;
      for (let j = 0; j < m; j++) p += (u[o + j] - mean[j]) * d[j];
      third += p * p * p;
    }
    if (third < 0) for (let j = 0; j < m; j++) d[j] = -d[j];
    out.push(d);
  }
  return out;
}

/** Candidate split directions of a node: top-2 principal axes and top-2 principal Hessian directions of its fit residuals. */
function candidateDirections(u: Float64Array, m: number, r: Float64Array, s: number, rows: Int32Array, ridge: number, whole: AffineStats): Float64Array[] {
  const n = rows.length;
  const mean = new Float64Array(m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) mean[j] += u[rows[i] * m + j] / n;
  const cov = new Float64Array(m * m);
  const uc = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const o = rows[i] * m;
    for (let j = 0; j < m; j++) uc[j] = u[o + j] - mean[j];
    for (let a = 0; a < m; a++) for (let b = 0; b <= a; b++) cov[a * m + b] += uc[a] * uc[b];
  }
  for (let a = 0; a < m; a++) for (let b = 0; b < a; b++) cov[b * m + a] = cov[a * m + b];
  const dirs = topDirections(cov, m, 2, u, rows, mean);
  if (m === 1) return dirs;
  // Principal Hessian directions: H_j = sum_i e_ij uc_i uc_i^T over the node's fit residuals e.
  const beta = fitAffine(whole, ridge);
  // The leading residual directions carry the bends that matter (as for the global directions).
  const sh = Math.min(s, 8);
  const hs = Array.from({ length: sh }, () => new Float64Array(m * m));
  const e = new Float64Array(s);
  for (let i = 0; i < n; i++) {
    const o = rows[i] * m,
      or = rows[i] * s;
    for (let j = 0; j < s; j++) {
      let p = beta[j];
      for (let a = 0; a < m; a++) p += u[o + a] * beta[(a + 1) * s + j];
      e[j] = r[or + j] - p;
    }
    for (let j = 0; j < m; j++) uc[j] = u[o + j] - mean[j];
    for (let j = 0; j < sh; j++) {
      const ej = e[j];
      if (ej === 0) continue;
      const h = hs[j];
      for (let a = 0; a < m; a++) {
        const va = ej * uc[a];
        for (let b = 0; b <= a; b++) h[a * m + b] += va * uc[b];
      }
    }
  }
  const mm = new Float64Array(m * m);
  for (const h of hs) {
    for (let a = 0; a < m; a++) for (let b = 0; b < a; b++) h[b * m + a] = h[a * m + b];
    for (let a = 0; a < m; a++)
      for (let b = 0; b <= a; b++) {
        let v = 0;
        for (let c = 0; c < m; c++) v += h[a * m + c] * h[c * m + b];
        mm[a * m + b] += v;
      }
  }
  for (let a = 0; a < m; a++) for (let b = 0; b < a; b++) mm[b * m + a] = mm[a * m + b];
  return dirs.concat(topDirections(mm, m, 2, u, rows, mean));
}

/** The best threshold along one direction: scan `cuts` evenly spaced cut positions of the sorted projections. */
function bestThreshold(
  u: Float64Array,
  m: number,
  r: Float64Array,
  s: number,
  rows: Int32Array,
  d: Float64Array,
  whole: AffineStats,
  opts: TreeOptions,
): { sse: number; plane: Float64Array } | null {
  const n = rows.length;
  const proj = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = rows[i] * m;
    let p = 0;
    for (let j = 0; j < m; j++) p += u[o + j] * d[j];
    proj[i] = p;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => proj[a] - proj[b] || a - b);
  const cuts = opts.cuts ?? 12;
  const lo = opts.minLeaf,
    hi = n - opts.minLeaf;
  if (hi < lo) return null;
  // Cut positions evenly spaced; a position inside a run of equal projections (repeated stimuli)
  // moves to the nearest boundary between distinct values that keeps both sides >= minLeaf.
  const positions = new Set<number>();
  const distinctAt = (i: number) => i > 0 && i < n && proj[order[i - 1]] < proj[order[i]];
  for (let c = 0; c < cuts; c++) {
    const target = Math.round(lo + ((hi - lo) * c) / Math.max(1, cuts - 1));
    for (let step = 0; step <= hi - lo; step++) {
      if (target - step >= lo && distinctAt(target - step)) {
        positions.add(target - step);
        break;
      }
      if (target + step <= hi && distinctAt(target + step)) {
        positions.add(target + step);
        break;
      }
    }
  }
  const kernels = wasmKernels();
  if (kernels && positions.size > 0) return bestThresholdWasm(kernels, u, m, r, s, rows, d, whole, opts, proj, order, positions);
  const left = emptyStats(m + 1, s);
  let best: { sse: number; plane: Float64Array } | null = null;
  for (let i = 0; i < n; i++) {
    // Rows order[0..i-1] are on the left when we look at cut position i.
    if (positions.has(i) && i > 0 && proj[order[i - 1]] < proj[order[i]]) {
      const sse = fittedSse(left, opts.ridge) + fittedSse(combine(whole, left, -1), opts.ridge);
      if (!best || sse < best.sse) best = { sse, plane: cutPlane(proj, order, i, d) };
    }
    const row = rows[order[i]];
    addRow(left, u, row * m, r, row * s);
  }
  return best;
}

/** The plane w . [1, u] = 0 along direction d, halfway between the projections either side of cut position i. */
function cutPlane(proj: Float64Array, order: number[], i: number, d: Float64Array): Float64Array {
  const plane = new Float64Array(d.length + 1);
  plane[0] = -(proj[order[i - 1]] + proj[order[i]]) / 2;
  plane.set(d, 1);
  return plane;
}

/**
 * The scan of bestThreshold in WebAssembly (native/affine.c, threshold_scan), to the bit: the
 * node's rows are copied in projection order, the kernel returns the error at each cut position,
 * and the best is chosen here exactly as in the JavaScript loop.
 */
function bestThresholdWasm(
  kernels: WasmKernels,
  u: Float64Array,
  m: number,
  r: Float64Array,
  s: number,
  rows: Int32Array,
  d: Float64Array,
  whole: AffineStats,
  opts: TreeOptions,
  proj: Float64Array,
  order: number[],
  positions: Set<number>,
): { sse: number; plane: Float64Array } | null {
  const n = rows.length,
    k = m + 1;
  const cuts = [...positions].filter((i) => i > 0 && proj[order[i - 1]] < proj[order[i]]).sort((a, b) => a - b);
  if (cuts.length === 0) return null;
  const [pu, pr, pp, pwa, pwb, pla, plb, pra, prb, pm, pbeta, pout] = kernels.layout([
    n * m,
    n * s,
    Math.ceil(cuts.length / 2),
    k * k,
    k * s,
    k * k,
    k * s,
    k * k,
    k * s,
    k * k,
    k * s,
    cuts.length,
  ]);
  const uu = kernels.f64(pu, n * m),
    rr = kernels.f64(pr, n * s);
  for (let i = 0; i < n; i++) {
    const row = rows[order[i]];
    uu.set(u.subarray(row * m, row * m + m), i * m);
    rr.set(r.subarray(row * s, row * s + s), i * s);
  }
  kernels.i32(pp, cuts.length).set(cuts);
  kernels.f64(pwa, k * k).set(whole.A);
  kernels.f64(pwb, k * s).set(whole.B);
  kernels.exports.threshold_scan(pu, pr, n, k, s, pp, cuts.length, pwa, pwb, whole.t, opts.ridge, pla, plb, pra, prb, pm, pbeta, pout);
  const out = kernels.f64(pout, cuts.length);
  let best: { sse: number; plane: Float64Array } | null = null;
  for (let c = 0; c < cuts.length; c++) {
    const sse = out[c],
      i = cuts[c];
    if (!best || sse < best.sse) best = { sse, plane: cutPlane(proj, order, i, d) };
  }
  return best;
}

/** Sides of a plane: true = right (w . [1, u] > 0). */
function sides(u: Float64Array, m: number, rows: Int32Array, w: Float64Array): Uint8Array {
  const out = new Uint8Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const o = rows[i] * m;
    let v = w[0];
    for (let j = 0; j < m; j++) v += w[j + 1] * u[o + j];
    out[i] = v > 0 ? 1 : 0;
  }
  return out;
}

/**
 * Where two affine fits agree: the top left singular vector of their difference (k x s), oriented
 * so that `towards` (a k-vector [1, centroid]) is on its positive side. Null when the difference is
 * not close to rank one (no single bend between them) or it does not separate the two centroids.
 */
export function agreementPlane(diff: Float64Array, k: number, s: number, towards: Float64Array, away: Float64Array, rankOneRatio = 0.1): Float64Array | null {
  // g = diff diff^T (k x k); its top eigenvector by power iteration (k is small).
  const g = new Float64Array(k * k);
  let trace = 0;
  for (let a = 0; a < k; a++)
    for (let b = 0; b <= a; b++) {
      let v = 0;
      const oa = a * s,
        ob = b * s;
      for (let j = 0; j < s; j++) v += diff[oa + j] * diff[ob + j];
      g[a * k + b] = v;
      g[b * k + a] = v;
      if (a === b) trace += v;
    }
  if (!(trace > 0)) return null;
  // Necessary for a single bend: lambda_1 >= trace / (1 + ratio^2) implies |g|_F^2 >= lambda_1^2.
  if (rankOneRatio !== Infinity) {
    let fro = 0;
    for (let i = 0; i < k * k; i++) fro += g[i] * g[i];
    if (fro < (trace / (1 + rankOneRatio * rankOneRatio)) ** 2 * (1 - 1e-9)) return null;
  }
  let w = new Float64Array(k);
  for (let a = 0; a < k; a++) w[a] = g[a * k + a] + 1e-3 * trace; // start near the dominant direction
  let lambda = 0;
  const next = new Float64Array(k);
  // A (near) rank-one g converges in a few steps; 30 without convergence means it is not rank one.
  let converged = false;
  for (let it = 0; it < 30; it++) {
    let norm = 0;
    for (let a = 0; a < k; a++) {
      let v = 0;
      for (let b = 0; b < k; b++) v += g[a * k + b] * w[b];
      next[a] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    if (!(norm > 0)) return null;
    let change = 0;
    for (let a = 0; a < k; a++) {
      const v = next[a] / norm;
      change += Math.abs(v - w[a]);
      w[a] = v;
    }
    lambda = norm;
    if (change < 1e-10) {
      converged = true;
      break;
    }
  }
  if (!converged && rankOneRatio !== Infinity) return null;
  // A single bend: the difference's energy outside its top direction is below ratio^2 of it.
  if (trace - lambda > rankOneRatio * rankOneRatio * lambda) return null;
  let norm = 0;
  for (let a = 1; a < k; a++) norm += w[a] * w[a];
  if (!(norm > 0)) return null;
  norm = Math.sqrt(norm);
  w = w.map((v) => v / norm);
  let pt = 0,
    pa = 0;
  for (let a = 0; a < k; a++) {
    pt += w[a] * towards[a];
    pa += w[a] * away[a];
  }
  if (pt < 0) {
    for (let a = 0; a < k; a++) w[a] = -w[a];
    pa = -pa;
    pt = -pt;
  }
  return pa < 0 && pt > 0 ? w : null;
}

/** Centroid [1, mean u] of the rows marked `side`. */
function centroid(u: Float64Array, m: number, rows: Int32Array, side: Uint8Array, which: number): Float64Array {
  const c = new Float64Array(m + 1);
  let count = 0;
  for (let i = 0; i < rows.length; i++) {
    if (side[i] !== which) continue;
    count++;
    const o = rows[i] * m;
    for (let j = 0; j < m; j++) c[j + 1] += u[o + j];
  }
  for (let j = 1; j <= m; j++) c[j] /= Math.max(1, count);
  c[0] = 1;
  return c;
}

/** Breiman's hinge iteration from a starting plane: returns the best plane found and its SSE. */
function refineHinge(
  u: Float64Array,
  m: number,
  r: Float64Array,
  s: number,
  rows: Int32Array,
  start: { sse: number; plane: Float64Array },
  opts: TreeOptions,
): { sse: number; plane: Float64Array } {
  let best = start;
  const k = m + 1;
  let plane = start.plane;
  for (let it = 0; it < (opts.hingeIterations ?? 8); it++) {
    const side = sides(u, m, rows, plane);
    const right = emptyStats(k, s),
      left = emptyStats(k, s);
    for (let i = 0; i < rows.length; i++) addRow(side[i] ? right : left, u, rows[i] * m, r, rows[i] * s);
    if (right.A[0] < opts.minLeaf || left.A[0] < opts.minLeaf) break;
    const br = fitAffine(right, opts.ridge),
      bl = fitAffine(left, opts.ridge);
    const diff = new Float64Array(k * s);
    for (let i = 0; i < diff.length; i++) diff[i] = br[i] - bl[i];
    const w = agreementPlane(diff, k, s, centroid(u, m, rows, side, 1), centroid(u, m, rows, side, 0), Infinity);
    if (!w) break;
    const next = sides(u, m, rows, w);
    const nr = emptyStats(k, s),
      nl = emptyStats(k, s);
    for (let i = 0; i < rows.length; i++) addRow(next[i] ? nr : nl, u, rows[i] * m, r, rows[i] * s);
    if (nr.A[0] < opts.minLeaf || nl.A[0] < opts.minLeaf) break;
    const sse = fittedSse(nr, opts.ridge) + fittedSse(nl, opts.ridge);
    if (!(sse < best.sse * (1 - 1e-9))) break;
    best = { sse, plane: w };
    plane = w;
  }
  return best;
}

/**
 * Split refinement that assumes no continuity (complexity/3): each row goes to the side whose
 * affine fit predicts it better; the direction that best separates those labels (Fisher's
 * discriminant, within-side covariance) is scanned for its best threshold; kept while the
 * residual sum of squares falls. A jump between two affine pieces, or a boundary oblique to every
 * principal axis, is found from where the two fits disagree with the rows, not from where they
 * agree with each other.
 */
function refineByAssignment(
  u: Float64Array,
  m: number,
  r: Float64Array,
  s: number,
  rows: Int32Array,
  start: { sse: number; plane: Float64Array },
  whole: AffineStats,
  opts: TreeOptions,
): { sse: number; plane: Float64Array } {
  let best = start;
  const k = m + 1;
  const pred0 = new Float64Array(s),
    pred1 = new Float64Array(s);
  for (let it = 0; it < 4; it++) {
    const side = sides(u, m, rows, best.plane);
    const right = emptyStats(k, s),
      left = emptyStats(k, s);
    for (let i = 0; i < rows.length; i++) addRow(side[i] ? right : left, u, rows[i] * m, r, rows[i] * s);
    const b1 = fitAffine(right, opts.ridge),
      b0 = fitAffine(left, opts.ridge);
    // Labels by the better fit; the discriminant of the labelled rows.
    const mean = [new Float64Array(m), new Float64Array(m)];
    const count = [0, 0];
    const label = new Uint8Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const o = rows[i] * m,
        or = rows[i] * s;
      predictRow(b0, k, s, u, o, pred0);
      predictRow(b1, k, s, u, o, pred1);
      let e0 = 0,
        e1 = 0;
      for (let j = 0; j < s; j++) {
        e0 += (r[or + j] - pred0[j]) ** 2;
        e1 += (r[or + j] - pred1[j]) ** 2;
      }
      const c = e1 < e0 ? 1 : 0;
      label[i] = c;
      count[c]++;
      for (let j = 0; j < m; j++) mean[c][j] += u[o + j];
    }
    if (count[0] < opts.minLeaf || count[1] < opts.minLeaf) break;
    for (const c of [0, 1]) for (let j = 0; j < m; j++) mean[c][j] /= count[c];
    const within = new Float64Array(m * m);
    for (let i = 0; i < rows.length; i++) {
      const o = rows[i] * m,
        mu = mean[label[i]];
      for (let a = 0; a < m; a++) {
        const va = u[o + a] - mu[a];
        for (let b = 0; b <= a; b++) within[a * m + b] += va * (u[o + b] - mu[b]);
      }
    }
    let trace = 0;
    for (let a = 0; a < m; a++) trace += within[a * m + a];
    for (let a = 0; a < m; a++) within[a * m + a] += 1e-9 * trace + 1e-300;
    const d = new Float64Array(m);
    for (let j = 0; j < m; j++) d[j] = mean[1][j] - mean[0][j];
    if (!choleskyInPlace(within, m)) break;
    // Solve L L^T w = d (lower triangle of `within` holds L).
    for (let a = 0; a < m; a++) {
      let v = d[a];
      for (let b = 0; b < a; b++) v -= within[a * m + b] * d[b];
      d[a] = v / within[a * m + a];
    }
    for (let a = m - 1; a >= 0; a--) {
      let v = d[a];
      for (let b = a + 1; b < m; b++) v -= within[b * m + a] * d[b];
      d[a] = v / within[a * m + a];
    }
    let norm = 0;
    for (let j = 0; j < m; j++) norm += d[j] * d[j];
    if (!(norm > 0)) break;
    norm = Math.sqrt(norm);
    for (let j = 0; j < m; j++) d[j] /= norm;
    const cand = bestThreshold(u, m, r, s, rows, d, whole, { ...opts, cuts: 4 * (opts.cuts ?? 12) });
    if (!cand || !(cand.sse < best.sse * (1 - 1e-9))) break;
    best = cand;
  }
  return best;
}

function bestSplit(u: Float64Array, m: number, r: Float64Array, s: number, rows: Int32Array, opts: TreeOptions): Split | null {
  if (rows.length < 2 * opts.minLeaf) return null;
  const whole = statsOf(u, m, r, s, rows);
  const base = fittedSse(whole, opts.ridge);
  let best: { sse: number; plane: Float64Array } | null = null;
  for (const d of candidateDirections(u, m, r, s, rows, opts.ridge, whole)) {
    const cand = bestThreshold(u, m, r, s, rows, d, whole, opts);
    if (cand && (!best || cand.sse < best.sse)) best = cand;
  }
  if (!best) return null;
  best = refineHinge(u, m, r, s, rows, best, opts);
  if (opts.assignment) best = refineByAssignment(u, m, r, s, rows, best, whole, opts);
  const gain = base - best.sse;
  return gain > 1e-12 * Math.max(base, 1e-300) ? { gain, plane: best.plane } : null;
}

/** Grow the tree on the given rows (indices into u and r). */
export function growHingeTree(u: Float64Array, m: number, r: Float64Array, s: number, rows: Int32Array, opts: TreeOptions): HingeTree {
  const nodes: TreeNode[] = [{ rows, plane: null, children: null }];
  const pending: { node: number; split: Split }[] = [];
  const consider = (id: number): void => {
    const sp = bestSplit(u, m, r, s, nodes[id].rows, opts);
    if (sp) pending.push({ node: id, split: sp });
  };
  consider(0);
  let leaves = 1;
  while (leaves < opts.maxLeaves && pending.length > 0) {
    // Best-first: the largest gain (ties: the older node), deterministic.
    let bi = 0;
    for (let i = 1; i < pending.length; i++) if (pending[i].split.gain > pending[bi].split.gain) bi = i;
    const { node, split } = pending.splice(bi, 1)[0];
    const nd = nodes[node];
    const side = sides(u, m, nd.rows, split.plane);
    const rightRows: number[] = [],
      leftRows: number[] = [];
    for (let i = 0; i < nd.rows.length; i++) (side[i] ? rightRows : leftRows).push(nd.rows[i]);
    if (rightRows.length < opts.minLeaf || leftRows.length < opts.minLeaf) continue;
    nd.plane = split.plane;
    const a = nodes.length;
    nodes.push({ rows: Int32Array.from(leftRows), plane: null, children: null }, { rows: Int32Array.from(rightRows), plane: null, children: null });
    nd.children = [a, a + 1];
    leaves++;
    consider(a);
    consider(a + 1);
  }
  const leafIds: number[] = [];
  nodes.forEach((nd, i) => {
    if (!nd.children) leafIds.push(i);
  });
  return { m, nodes, leaves: leafIds };
}

/** Leaf index (position in tree.leaves) of each row of u (n x m). */
export function routeToLeaves(tree: HingeTree, u: Float64Array, n: number): Int32Array {
  const { m } = tree;
  const leafIndex = new Map(tree.leaves.map((id, i) => [id, i]));
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let id = 0;
    const o = i * m;
    for (;;) {
      const nd = tree.nodes[id];
      if (!nd.children) break;
      const w = nd.plane!;
      let v = w[0];
      for (let j = 0; j < m; j++) v += w[j + 1] * u[o + j];
      id = v > 0 ? nd.children[1] : nd.children[0];
    }
    out[i] = leafIndex.get(id)!;
  }
  return out;
}
