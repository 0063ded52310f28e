/**
 * Seeded k-means: greedy k-means++ seeding (as scikit-learn: 2 + floor(ln k) candidates per
 * centre), Lloyd iterations accelerated by Elkan's (or, for very large n x k, Hamerly's)
 * triangle-inequality bounds, which give exactly Lloyd's assignments; best of several restarts by
 * inertia.
 *
 * Why not ml-kmeans: it does support a seed and k-means++, but it works on number[][] (a boxed
 * array per row), has no restarts, and draws from its own generator, so its stream cannot be
 * derived from neurorep's seed chain per (scale, fold); measured on 5000 x 32 points with k = 32
 * it took 650 ms per run against about 25 ms here, and complexity runs ~30 fits per scale.
 * The distance step lives in linalg.ts with the other kernels.
 */

import { Rng } from '../random.js';
import { wasmKernels } from '../wasm/kernels.js';

export interface KMeansResult {
  /** Cluster of each point, 0..k-1. */
  labels: Int32Array;
  /** k x m centroids, row-major. */
  centroids: Float64Array;
  k: number;
  inertia: number;
  iterations: number;
}

export interface KMeansOptions {
  restarts?: number;
  maxIterations?: number;
  /** Convergence: stop when the total squared centroid shift <= tol * mean per-feature variance (as scikit-learn). */
  tolerance?: number;
}

/** k-means of n points (row-major n x m) into k clusters; k is capped at n. */
export function kmeans(x: Float64Array, n: number, m: number, k: number, rng: Rng, opts: KMeansOptions = {}): KMeansResult {
  const kk = Math.max(1, Math.min(k, n));
  const restarts = opts.restarts ?? 5;
  const maxIter = opts.maxIterations ?? 300;
  const tol = (opts.tolerance ?? 1e-4) * meanVariance(x, n, m);
  let best: KMeansResult | null = null;
  for (let r = 0; r < restarts; r++) {
    const seeds = seedPlusPlus(x, n, m, kk, rng);
    // Elkan's bounds prune most distances; past 2e7 lower bounds (160 MB) fall back to Hamerly's single bound.
    const res = n * kk <= 2e7 ? lloydElkan(x, n, m, kk, seeds, maxIter, tol) : lloyd(x, n, m, kk, seeds, maxIter, tol);
    if (!best || res.inertia < best.inertia) best = res;
  }
  return best!;
}

function meanVariance(x: Float64Array, n: number, m: number): number {
  let total = 0;
  for (let j = 0; j < m; j++) {
    let mu = 0;
    for (let i = 0; i < n; i++) mu += x[i * m + j];
    mu /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (x[i * m + j] - mu) ** 2;
    total += v / n;
  }
  return total / m;
}

/** Greedy k-means++: each new centre is the best (lowest potential) of a few D^2-sampled candidates. */
function seedPlusPlus(x: Float64Array, n: number, m: number, k: number, rng: Rng): Float64Array {
  const centres = new Float64Array(k * m);
  const trials = 2 + Math.floor(Math.log(k));
  const closest = new Float64Array(n);
  const first = rng.int(n);
  centres.set(x.subarray(first * m, first * m + m), 0);
  squaredDistancesTo(x, n, m, centres.subarray(0, m), closest);
  let potential = closest.reduce((a, b) => a + b, 0);
  const candDist = new Float64Array(n);
  const bestDist = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let bestPot = Infinity;
    let bestIdx = -1;
    for (let t = 0; t < trials; t++) {
      const idx = potential > 0 ? sampleByWeight(closest, potential, rng) : rng.int(n);
      squaredDistancesTo(x, n, m, x.subarray(idx * m, idx * m + m), candDist);
      let pot = 0;
      for (let i = 0; i < n; i++) pot += Math.min(closest[i], candDist[i]);
      if (pot < bestPot) {
        bestPot = pot;
        bestIdx = idx;
        for (let i = 0; i < n; i++) bestDist[i] = Math.min(closest[i], candDist[i]);
      }
    }
    centres.set(x.subarray(bestIdx * m, bestIdx * m + m), c * m);
    closest.set(bestDist);
    potential = bestPot;
  }
  return centres;
}

function sampleByWeight(w: Float64Array, total: number, rng: Rng): number {
  let u = rng.next() * total;
  for (let i = 0; i < w.length; i++) {
    u -= w[i];
    if (u < 0) return i;
  }
  // Rounding left u >= 0: take the last point with positive weight.
  for (let i = w.length - 1; i >= 0; i--) if (w[i] > 0) return i;
  return w.length - 1;
}

/**
 * Lloyd's iterations with Hamerly's bounds (Hamerly 2010): per point an upper bound on the
 * distance to its centre and a lower bound on the distance to every other centre. A point whose
 * upper bound is below both its lower bound and half the distance from its centre to the nearest
 * other centre cannot change cluster and is skipped. The assignments are exactly Lloyd's (ties
 * aside, which are resolved to the lowest centre index in both); most of the distance work of
 * late iterations disappears.
 */
function lloyd(x: Float64Array, n: number, m: number, k: number, centres: Float64Array, maxIter: number, tol: number): KMeansResult {
  const labels = new Int32Array(n);
  const dist = new Float64Array(n);
  const sums = new Float64Array(k * m);
  const counts = new Int32Array(k);
  const upper = new Float64Array(n);
  const lower = new Float64Array(n);
  const half = new Float64Array(k); // half the distance from each centre to its nearest other centre
  const moved = new Float64Array(k);
  const old = new Float64Array(k * m);
  // Initial exact assignment, with both bounds.
  for (let i = 0; i < n; i++) fullScan(x, i, m, centres, k, labels, upper, lower);
  let it = 0;
  for (; it < maxIter; it++) {
    const shift = updateCentres(x, n, m, k, labels, centres, sums, counts, old, moved);
    // Bounds follow the centres: the own centre moved by moved[a], any other by at most the largest move.
    let max1 = 0,
      max2 = 0,
      arg1 = -1;
    for (let c = 0; c < k; c++) {
      if (moved[c] > max1) [max2, max1, arg1] = [max1, moved[c], c];
      else if (moved[c] > max2) max2 = moved[c];
    }
    for (let c = 0; c < k; c++) {
      let nearest = Infinity;
      for (let o = 0; o < k; o++) if (o !== c) nearest = Math.min(nearest, sqDist(centres, c * m, centres, o * m, m));
      half[c] = Math.sqrt(nearest) / 2;
    }
    for (let i = 0; i < n; i++) {
      const a = labels[i];
      upper[i] += moved[a];
      lower[i] -= a === arg1 ? max2 : max1;
      const bound = Math.max(half[a], lower[i]);
      if (upper[i] <= bound) continue;
      upper[i] = Math.sqrt(sqDist(x, i * m, centres, a * m, m));
      if (upper[i] <= bound) continue;
      fullScan(x, i, m, centres, k, labels, upper, lower);
    }
    if (shift <= tol) {
      it++;
      break;
    }
  }
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    dist[i] = sqDist(x, i * m, centres, labels[i] * m, m);
    inertia += dist[i];
  }
  return { labels, centroids: centres, k, inertia, iterations: it };
}

/**
 * Lloyd's centre update, shared by every variant: each centre moves to the mean of its points; an
 * empty cluster moves to the point farthest from its own centre (as scikit-learn). Writes each
 * centre's move to `moved` and returns the total squared shift (the convergence test).
 */
function updateCentres(
  x: Float64Array,
  n: number,
  m: number,
  k: number,
  labels: Int32Array,
  centres: Float64Array,
  sums: Float64Array,
  counts: Int32Array,
  old: Float64Array,
  moved: Float64Array,
): number {
  clusterSums(x, n, m, labels, sums, counts);
  old.set(centres);
  let shift = 0;
  for (let c = 0; c < k; c++) {
    const oc = c * m;
    if (counts[c] === 0) {
      let far = 0,
        farD = -1;
      for (let i = 0; i < n; i++) {
        const dd = sqDist(x, i * m, centres, labels[i] * m, m);
        if (dd > farD) [far, farD] = [i, dd];
      }
      for (let j = 0; j < m; j++) centres[oc + j] = x[far * m + j];
    } else {
      for (let j = 0; j < m; j++) centres[oc + j] = sums[oc + j] / counts[c];
    }
    let d2 = 0;
    for (let j = 0; j < m; j++) d2 += (centres[oc + j] - old[oc + j]) ** 2;
    shift += d2;
    moved[c] = Math.sqrt(d2);
  }
  return shift;
}

/** Per-cluster sums of the points and the cluster sizes (for the centre update). */
function clusterSums(x: Float64Array, n: number, m: number, labels: Int32Array, sums: Float64Array, counts: Int32Array): void {
  sums.fill(0);
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    counts[c]++;
    const oc = c * m,
      oi = i * m;
    for (let j = 0; j < m; j++) sums[oc + j] += x[oi + j];
  }
}

function sqDist(a: Float64Array, oa: number, b: Float64Array, ob: number, m: number): number {
  // Four independent accumulators break the add-latency chain of a single sum.
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  let j = 0;
  for (; j + 3 < m; j += 4) {
    const t0 = a[oa + j] - b[ob + j],
      t1 = a[oa + j + 1] - b[ob + j + 1],
      t2 = a[oa + j + 2] - b[ob + j + 2],
      t3 = a[oa + j + 3] - b[ob + j + 3];
    s0 += t0 * t0;
    s1 += t1 * t1;
    s2 += t2 * t2;
    s3 += t3 * t3;
  }
  for (; j < m; j++) {
    const t = a[oa + j] - b[ob + j];
    s0 += t * t;
  }
  return s0 + s1 + (s2 + s3);
}

/** Exact nearest and second-nearest centre of point i (the lowest index wins ties). */
function fullScan(x: Float64Array, i: number, m: number, centres: Float64Array, k: number, labels: Int32Array, upper: Float64Array, lower: Float64Array): void {
  let best = Infinity,
    second = Infinity,
    arg = 0;
  const oi = i * m;
  for (let c = 0; c < k; c++) {
    const d = sqDist(x, oi, centres, c * m, m);
    if (d < best) {
      second = best;
      best = d;
      arg = c;
    } else if (d < second) second = d;
  }
  labels[i] = arg;
  upper[i] = Math.sqrt(best);
  lower[i] = Math.sqrt(second);
}

/**
 * Lloyd's iterations with Elkan's bounds (Elkan 2003): an upper bound on each point's distance to
 * its centre and a lower bound on its distance to every centre, kept valid through centre moves
 * by the triangle inequality. A distance is computed only when the bounds cannot rule a centre
 * out; the assignments are exactly Lloyd's (ties aside). At m = 32 and K >= 8 this prunes far more
 * than Hamerly's single lower bound, at K lower bounds of memory per point.
 */
function lloydElkan(x: Float64Array, n: number, m: number, k: number, centres: Float64Array, maxIter: number, tol: number): KMeansResult {
  const kernels = wasmKernels();
  if (kernels) {
    // The same iterations in WebAssembly (native/kmeans.c), to the bit (tested).
    const ints = (count: number) => Math.ceil(count / 2);
    const [px, pc, pl, ps, po, pu, plo, pcc, ph, pm, pn, pout] = kernels.layout([n * m, k * m, ints(n), k * m, k * m, n, n * k, k * k, k, k, ints(k), 2]);
    kernels.f64(px, n * m).set(x.subarray(0, n * m));
    kernels.f64(pc, k * m).set(centres.subarray(0, k * m));
    kernels.exports.lloyd_elkan(px, n, m, k, pc, maxIter, tol, pl, ps, po, pu, plo, pcc, ph, pm, pn, pout);
    centres.set(kernels.f64(pc, k * m));
    const [inertia, iterations] = kernels.f64(pout, 2);
    return { labels: kernels.i32(pl, n).slice(), centroids: centres, k, inertia, iterations };
  }
  return lloydElkanJs(x, n, m, k, centres, maxIter, tol);
}

function lloydElkanJs(x: Float64Array, n: number, m: number, k: number, centres: Float64Array, maxIter: number, tol: number): KMeansResult {
  const labels = new Int32Array(n);
  const sums = new Float64Array(k * m);
  const counts = new Int32Array(k);
  const upper = new Float64Array(n);
  const lower = new Float64Array(n * k);
  const cc = new Float64Array(k * k); // distances between centres
  const half = new Float64Array(k);
  const moved = new Float64Array(k);
  const old = new Float64Array(k * m);
  for (let i = 0; i < n; i++) {
    let best = Infinity,
      arg = 0;
    const oi = i * m,
      ol = i * k;
    for (let c = 0; c < k; c++) {
      const d = Math.sqrt(sqDist(x, oi, centres, c * m, m));
      lower[ol + c] = d;
      if (d < best) [best, arg] = [d, c];
    }
    labels[i] = arg;
    upper[i] = best;
  }
  let it = 0;
  for (; it < maxIter; it++) {
    const shift = updateCentres(x, n, m, k, labels, centres, sums, counts, old, moved);
    // Bounds follow the centres.
    for (let i = 0; i < n; i++) {
      upper[i] += moved[labels[i]];
      const ol = i * k;
      for (let c = 0; c < k; c++) {
        const l = lower[ol + c] - moved[c];
        lower[ol + c] = l > 0 ? l : 0;
      }
    }
    for (let c = 0; c < k; c++) {
      let nearest = Infinity;
      for (let o = 0; o < k; o++) {
        if (o === c) continue;
        const d = o < c ? cc[o * k + c] : Math.sqrt(sqDist(centres, c * m, centres, o * m, m));
        cc[c * k + o] = d;
        if (d < nearest) nearest = d;
      }
      half[c] = nearest / 2;
    }
    for (let i = 0; i < n; i++) {
      let a = labels[i];
      if (upper[i] <= half[a]) continue;
      const oi = i * m,
        ol = i * k;
      let stale = true;
      for (let c = 0; c < k; c++) {
        if (c === a) continue;
        if (upper[i] <= lower[ol + c] || upper[i] <= cc[a * k + c] / 2) continue;
        if (stale) {
          const d = Math.sqrt(sqDist(x, oi, centres, a * m, m));
          upper[i] = d;
          lower[ol + a] = d;
          stale = false;
          if (upper[i] <= lower[ol + c] || upper[i] <= cc[a * k + c] / 2) continue;
        }
        const d = Math.sqrt(sqDist(x, oi, centres, c * m, m));
        lower[ol + c] = d;
        if (d < upper[i] || (d === upper[i] && c < a)) {
          a = c;
          upper[i] = d;
        }
      }
      labels[i] = a;
    }
    if (shift <= tol) {
      it++;
      break;
    }
  }
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += sqDist(x, i * m, centres, labels[i] * m, m);
  return { labels, centroids: centres, k, inertia, iterations: it };
}

/** Plain Lloyd iterations (every point against every centre): the reference for the bounded version. */
export function lloydPlain(x: Float64Array, n: number, m: number, k: number, centres: Float64Array, maxIter: number, tol: number): KMeansResult {
  const labels = new Int32Array(n);
  const dist = new Float64Array(n);
  const sums = new Float64Array(k * m);
  const counts = new Int32Array(k);
  const old = new Float64Array(k * m);
  const moved = new Float64Array(k);
  let inertia = assignNearest(x, n, m, centres, k, labels, dist);
  let it = 0;
  for (; it < maxIter; it++) {
    const shift = updateCentres(x, n, m, k, labels, centres, sums, counts, old, moved);
    inertia = assignNearest(x, n, m, centres, k, labels, dist);
    if (shift <= tol) {
      it++;
      break;
    }
  }
  return { labels, centroids: centres, k, inertia, iterations: it };
}

/** Seed and run one k-means fit with a given Lloyd implementation (for tests and benchmarks). */
export function kmeansWith(
  impl: 'bounded' | 'elkan' | 'plain',
  x: Float64Array,
  n: number,
  m: number,
  k: number,
  rng: Rng,
  maxIter = 300,
  tolerance = 1e-4,
): KMeansResult {
  const centres = seedPlusPlus(x, n, m, Math.min(k, n), rng);
  const tol = tolerance * meanVariance(x, n, m);
  const kk = Math.min(k, n);
  if (impl === 'elkan') return lloydElkan(x, n, m, kk, centres, maxIter, tol);
  return impl === 'bounded' ? lloyd(x, n, m, kk, centres, maxIter, tol) : lloydPlain(x, n, m, kk, centres, maxIter, tol);
}

/**
 * The k-means distance step: for each of n points (row-major n x m), the nearest of k centroids
 * (k x m) by squared Euclidean distance. Writes labels and squared distances; returns the sum of
 * squared distances (inertia).
 */
export function assignNearest(x: Float64Array, n: number, m: number, centroids: Float64Array, k: number, labels: Int32Array, dist: Float64Array): number {
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const oi = i * m;
    let best = Infinity;
    let arg = 0;
    for (let c = 0; c < k; c++) {
      const oc = c * m;
      let s = 0;
      for (let j = 0; j < m; j++) {
        const t = x[oi + j] - centroids[oc + j];
        s += t * t;
        if (s >= best) break;
      }
      if (s < best) {
        best = s;
        arg = c;
      }
    }
    labels[i] = arg;
    dist[i] = best;
    inertia += best;
  }
  return inertia;
}

/** Squared distances from every point to one centre (used by k-means++ seeding). */
export function squaredDistancesTo(x: Float64Array, n: number, m: number, centre: Float64Array, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const oi = i * m;
    // Four independent accumulators break the add-latency chain of a single sum.
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    let j = 0;
    for (; j + 3 < m; j += 4) {
      const t0 = x[oi + j] - centre[j],
        t1 = x[oi + j + 1] - centre[j + 1],
        t2 = x[oi + j + 2] - centre[j + 2],
        t3 = x[oi + j + 3] - centre[j + 3];
      s0 += t0 * t0;
      s1 += t1 * t1;
      s2 += t2 * t2;
      s3 += t3 * t3;
    }
    for (; j < m; j++) {
      const t = x[oi + j] - centre[j];
      s0 += t * t;
    }
    out[i] = s0 + s1 + (s2 + s3);
  }
}
