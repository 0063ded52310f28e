/**
 * Comparing two RDMs (rsatoolbox's compare_spearman and compare_cosine_cov_weighted): Spearman
 * correlation of their upper triangles, and the whitened cosine, the cosine between the
 * double-centred matrices -1/2 H D H (Diedrichsen et al. 2021: the whitening of rsatoolbox
 * without a noise covariance, which it computes in the same way). docs/observables.md 7.2.
 */

/** Pair indices i * n + j (i < j) sorted by dissimilarity, cached per RDM (the bootstrap re-ranks subsets in O(pairs)). */
const pairOrders = new WeakMap<Float64Array, Int32Array>();

function pairOrder(d: Float64Array, n: number): Int32Array {
  let o = pairOrders.get(d);
  if (!o) {
    const pairs: number[] = [];
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs.push(i * n + j);
    o = Int32Array.from(pairs.sort((x, y) => d[x] - d[y]));
    pairOrders.set(d, o);
  }
  return o;
}

/**
 * Average ranks of the pairs with multiplicities w (a pair drawn c_i c_j times by a resample is
 * c_i c_j tied copies), written into `out` at the pair's index.
 */
function weightedRanks(d: Float64Array, order: Int32Array, w: Float64Array, out: Float64Array): void {
  let below = 0;
  for (let k = 0; k < order.length;) {
    let e = k + 1,
      group = w[order[k]];
    while (e < order.length && d[order[e]] === d[order[k]]) group += w[order[e++]];
    const avg = below + (group + 1) / 2;
    for (let t = k; t < e; t++) out[order[t]] = avg;
    below += group;
    k = e;
  }
}

/**
 * Spearman correlation of the upper triangles of two RDMs over `rows` (all by default). Rows may
 * repeat (a bootstrap resample): each pair of distinct stimuli then counts c_i c_j times, exactly as
 * the upper triangle of the resampled matrices without the pairs of a stimulus with its own copy.
 */
export function rdmSpearman(a: Float64Array, b: Float64Array, n: number, rows?: ArrayLike<number>): number {
  const count = new Float64Array(n);
  if (rows) for (let t = 0; t < rows.length; t++) count[rows[t]]++;
  else count.fill(1);
  const w = new Float64Array(n * n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (!count[i]) continue;
    for (let j = i + 1; j < n; j++) {
      w[i * n + j] = count[i] * count[j];
      total += w[i * n + j];
    }
  }
  if (total < 2) return NaN;
  const ra = new Float64Array(n * n),
    rb = new Float64Array(n * n);
  weightedRanks(a, pairOrder(a, n), w, ra);
  weightedRanks(b, pairOrder(b, n), w, rb);
  // Weighted Pearson correlation of the ranks (the mean rank is (total + 1) / 2 on both sides).
  const mean = (total + 1) / 2;
  let sab = 0,
    saa = 0,
    sbb = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const p = i * n + j,
        wp = w[p];
      if (!wp) continue;
      const x = ra[p] - mean,
        y = rb[p] - mean;
      sab += wp * x * y;
      saa += wp * x * x;
      sbb += wp * y * y;
    }
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

/** -1/2 H D H for the stimuli `rows` of an RDM (a second-moment matrix of the patterns). */
function doubleCentred(d: Float64Array, n: number, rows: ArrayLike<number>): Float64Array {
  const m = rows.length;
  const g = new Float64Array(m * m);
  const rowMean = new Float64Array(m);
  let all = 0;
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < m; b++) {
      const v = rows[a] === rows[b] ? 0 : -0.5 * d[rows[a] * n + rows[b]];
      g[a * m + b] = v;
      rowMean[a] += v;
    }
    all += rowMean[a];
    rowMean[a] /= m;
  }
  all /= m * m;
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) g[a * m + b] += all - rowMean[a] - rowMean[b];
  return g;
}

/** Whitened cosine similarity of two RDMs over `rows` (all by default). */
export function rdmWhitenedCosine(a: Float64Array, b: Float64Array, n: number, rows?: ArrayLike<number>): number {
  const idx = rows ?? Int32Array.from({ length: n }, (_, i) => i);
  const ga = doubleCentred(a, n, idx),
    gb = doubleCentred(b, n, idx);
  let ab = 0,
    aa = 0,
    bb = 0;
  for (let i = 0; i < ga.length; i++) {
    ab += ga[i] * gb[i];
    aa += ga[i] * ga[i];
    bb += gb[i] * gb[i];
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : NaN;
}
