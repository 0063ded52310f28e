/**
 * From tree leaves to linear pieces (complexity/2, docs/observables.md section 2.2):
 * - adjacency: two leaves touch when points near the split plane that separates them are each
 *   other's nearest neighbours across it;
 * - merging: neighbouring pieces whose joint affine fit costs least extra residual are merged,
 *   greedily, from all leaves down to one piece; every number of pieces K has its partition;
 * - polishing: points of a leaf that borders another piece move across the hyperplane where the
 *   two pieces' fits agree, when their difference is a single bend (rank one), and the pieces are
 *   refit; held-out points follow the same rule.
 */

import { wasmKernels } from '../wasm/kernels.js';
import { accumulate, addRow, combine, countOf, emptyStats, fitAffine, fittedSse, predictRow, type AffineStats } from './affineFit.js';
import { agreementPlane, type HingeTree } from './hingeTree.js';

/** Undirected leaf adjacency as sorted neighbour lists. */
export type Adjacency = number[][];

/** Points per side of a split plane used to find the leaves that touch across it. */
const NEAR_PLANE = 64;

/** Leaf adjacency of a tree grown on `rows` (u is n x m; leafOf gives the leaf of rows[i]). */
export function leafAdjacency(tree: HingeTree, u: Float64Array, rowsLeaf: Map<number, number>): Adjacency {
  const { m } = tree;
  const L = tree.leaves.length;
  const edges = Array.from({ length: L }, () => new Set<number>());
  for (const nd of tree.nodes) {
    if (!nd.children) continue;
    const w = nd.plane!;
    let norm = 0;
    for (let j = 1; j <= m; j++) norm += w[j] * w[j];
    norm = Math.sqrt(norm);
    const left: { row: number; dist: number }[] = [],
      right: { row: number; dist: number }[] = [];
    for (const row of nd.rows) {
      const o = row * m;
      let v = w[0];
      for (let j = 0; j < m; j++) v += w[j + 1] * u[o + j];
      (v > 0 ? right : left).push({ row, dist: Math.abs(v) / norm });
    }
    const nearest = (side: { row: number; dist: number }[]) =>
      side
        .sort((a, b) => a.dist - b.dist || a.row - b.row)
        .slice(0, NEAR_PLANE)
        .map((x) => x.row);
    const l = nearest(left),
      r = nearest(right);
    const link = (from: number[], to: number[]) => {
      for (const a of from) {
        let best = -1,
          bd = Infinity;
        for (const b of to) {
          let d2 = 0;
          for (let j = 0; j < m; j++) d2 += (u[a * m + j] - u[b * m + j]) ** 2;
          if (d2 < bd || (d2 === bd && b < best)) {
            bd = d2;
            best = b;
          }
        }
        if (best >= 0) {
          const la = rowsLeaf.get(a)!,
            lb = rowsLeaf.get(best)!;
          if (la !== lb) {
            edges[la].add(lb);
            edges[lb].add(la);
          }
        }
      }
    };
    link(l, r);
    link(r, l);
  }
  return edges.map((s) => [...s].sort((a, b) => a - b));
}

export interface MergeSequence {
  /** Piece id of each leaf for K = 1..L pieces: owners[K - 1][leaf]. Piece ids are merge-node ids. */
  owners: Int32Array[];
  /** Statistics of every merge node (leaves first, then merged pieces). */
  stats: AffineStats[];
}

/**
 * Greedy merging of adjacent pieces by the smallest increase in fitted SSE (ties: smaller ids),
 * from L leaves to 1 piece. Pieces that have no neighbour left are merged by cost with any other
 * (the data may have gaps).
 */
export function mergeSequence(leafStats: AffineStats[], adjacency: Adjacency, ridge: number): MergeSequence {
  const L = leafStats.length;
  const stats = leafStats.slice();
  const sse: number[] = stats.map((s) => fittedSse(s, ridge));
  const nbr = new Map<number, Set<number>>();
  for (let i = 0; i < L; i++) nbr.set(i, new Set(adjacency[i]));
  const alive = new Set<number>(Array.from({ length: L }, (_, i) => i));
  const cost = new Map<string, number>();
  const key = (a: number, b: number) => (a < b ? `${a},${b}` : `${b},${a}`);
  const pairCost = (a: number, b: number): number => {
    const k = key(a, b);
    let c = cost.get(k);
    if (c === undefined) {
      c = fittedSse(combine(stats[a], stats[b]), ridge) - sse[a] - sse[b];
      cost.set(k, c);
    }
    return c;
  };
  const owner = Int32Array.from({ length: L }, (_, i) => i);
  const owners: Int32Array[] = new Array(L);
  owners[L - 1] = Int32Array.from(owner);
  for (let pieces = L; pieces > 1; pieces--) {
    let ba = -1,
      bb = -1,
      bc = Infinity;
    for (const a of alive)
      for (const b of nbr.get(a)!) {
        if (b <= a || !alive.has(b)) continue;
        const c = pairCost(a, b);
        if (c < bc) {
          bc = c;
          ba = a;
          bb = b;
        }
      }
    if (ba < 0) {
      // No adjacent pair left: merge the cheapest pair of any pieces.
      const list = [...alive];
      for (let i = 0; i < list.length; i++)
        for (let j = i + 1; j < list.length; j++) {
          const c = pairCost(list[i], list[j]);
          if (c < bc) {
            bc = c;
            ba = list[i];
            bb = list[j];
          }
        }
    }
    const id = stats.length;
    stats.push(combine(stats[ba], stats[bb]));
    sse.push(fittedSse(stats[id], ridge));
    const ns = new Set([...nbr.get(ba)!, ...nbr.get(bb)!]);
    ns.delete(ba);
    ns.delete(bb);
    nbr.set(id, ns);
    for (const o of ns) {
      const s = nbr.get(o)!;
      s.delete(ba);
      s.delete(bb);
      s.add(id);
    }
    alive.delete(ba);
    alive.delete(bb);
    alive.add(id);
    for (let i = 0; i < L; i++) if (owner[i] === ba || owner[i] === bb) owner[i] = id;
    owners[pieces - 2] = Int32Array.from(owner);
  }
  return { owners, stats };
}

/** A partition into pieces, polished across agreement planes, ready to predict. */
export interface Pieces {
  /** Piece id per leaf (before polishing). */
  owner: Int32Array;
  /** Fitted coefficients (k x q) per piece id. */
  beta: Map<number, Float64Array>;
  /** Agreement planes between neighbouring pieces: key `a,b` (oriented towards a). */
  planes: Map<string, Float64Array | null>;
  /** Neighbouring pieces of each leaf that belongs to a boundary (empty for interior leaves). */
  borders: number[][];
  /** The agreement plane towards each of borders[l] (aligned with it), for routing rows fast. */
  borderPlanes: (Float64Array | null)[][];
  /** Number of rows per piece after polishing (training rows). */
  counts: Map<number, number>;
}

/** The piece of one row: its leaf's owner, or a neighbouring piece whose agreement plane it crosses. */
function pieceOfRow(p: Pieces, leaf: number, u: Float64Array, off: number, k: number): number {
  const a = p.owner[leaf];
  let best = a,
    bestMargin = 0;
  const bs = p.borders[leaf],
    ws = p.borderPlanes[leaf];
  for (let i = 0; i < bs.length; i++) {
    const b = bs[i];
    const w = ws[i];
    if (!w) continue;
    let v = w[0];
    for (let j = 1; j < k; j++) v += w[j] * u[off + j - 1];
    if (v < bestMargin) {
      bestMargin = v;
      best = b;
    }
  }
  return best;
}

/** Full-width statistics for the final fits, when the search ran on reduced residuals. */
export interface FullTargets {
  leafStats: AffineStats[];
  r: Float64Array;
  q: number;
}

/**
 * Pieces for one partition (owner per leaf) of the rows behind leafStats, polished `iterations`
 * times. `leafRows[l]` lists the rows (indices into u and r) of leaf l. The search runs on r
 * (k - 1 coordinates, q outputs); with `full`, the final coefficients fit the full targets.
 */
export function polishPieces(
  owner: Int32Array,
  leafStats: AffineStats[],
  leafRows: Int32Array[],
  adjacency: Adjacency,
  u: Float64Array,
  r: Float64Array,
  k: number,
  q: number,
  ridge: number,
  iterations = 3,
  full?: FullTargets,
): Pieces {
  const L = owner.length;
  const pieceIds = [...new Set(owner)].sort((a, b) => a - b);
  const borders: number[][] = Array.from({ length: L }, (_, l) =>
    [...new Set(adjacency[l].map((o) => owner[o]).filter((b) => b !== owner[l]))].sort((a, b) => a - b),
  );
  const statsFor = (leaves: AffineStats[], width: number, targets: Float64Array, p: Pieces | null): Map<number, AffineStats> => {
    const out = new Map<number, AffineStats>();
    for (const id of pieceIds) out.set(id, emptyStats(k, width));
    for (let l = 0; l < L; l++) accumulate(out.get(owner[l])!, leaves[l]);
    if (p)
      for (let l = 0; l < L; l++) {
        if (borders[l].length === 0) continue;
        for (const row of leafRows[l]) {
          const to = pieceOfRow(p, l, u, row * (k - 1), k);
          if (to === owner[l]) continue;
          addRow(out.get(owner[l])!, u, row * (k - 1), targets, row * width, -1);
          addRow(out.get(to)!, u, row * (k - 1), targets, row * width, 1);
        }
      }
    return out;
  };
  let current = statsFor(leafStats, q, r, null);
  let beta = new Map<number, Float64Array>(pieceIds.map((id) => [id, fitAffine(current.get(id)!, ridge)]));
  const p: Pieces = { owner, beta, planes: new Map(), borders, borderPlanes: borders.map((b) => b.map(() => null)), counts: new Map() };
  const setPlanes = (planes: Map<string, Float64Array | null>): void => {
    p.planes = planes;
    p.borderPlanes = borders.map((bs, l) => bs.map((b) => planes.get(`${owner[l]},${b}`) ?? null));
  };
  const anyBorder = borders.some((b) => b.length > 0);
  // Planes between neighbouring pieces from the current fits, oriented by the current centroids.
  const planesFrom = (stats: Map<number, AffineStats>): Map<string, Float64Array | null> => {
    const centroidOf = (id: number): Float64Array => {
      const st = stats.get(id)!;
      const c = new Float64Array(k);
      const cnt = Math.max(countOf(st), 1e-300);
      c[0] = 1;
      for (let a = 1; a < k; a++) c[a] = st.A[a] / cnt;
      return c;
    };
    const planes = new Map<string, Float64Array | null>();
    for (let l = 0; l < L; l++) {
      const a = owner[l];
      for (const b of borders[l]) {
        const key = `${a},${b}`;
        if (planes.has(key)) continue;
        const ba = beta.get(a)!,
          bb = beta.get(b)!;
        const diff = new Float64Array(k * q);
        for (let i = 0; i < diff.length; i++) diff[i] = ba[i] - bb[i];
        const w = agreementPlane(diff, k, q, centroidOf(a), centroidOf(b));
        planes.set(key, w);
        // The same plane seen from b: positive on b's side.
        planes.set(`${b},${a}`, w ? w.map((v) => -v) : null);
      }
    }
    return planes;
  };
  for (let it = 0; it < (anyBorder ? iterations : 0); it++) {
    setPlanes(planesFrom(current));
    // No single bend between any neighbours: nothing moves.
    if (![...p.planes.values()].some((w) => w !== null)) break;
    const next = statsFor(leafStats, q, r, p);
    let changed = false;
    beta = new Map(
      pieceIds.map((id) => {
        const st = next.get(id)!;
        if (countOf(st) !== countOf(current.get(id)!)) changed = true;
        return [id, countOf(st) >= k + 1 ? fitAffine(st, ridge) : beta.get(id)!];
      }),
    );
    current = next;
    if (!changed && it > 0) break;
  }
  // The planes that route unseen rows come from the final fits.
  if (anyBorder && iterations > 0) setPlanes(planesFrom(current));
  if (full) {
    const fullStats = statsFor(full.leafStats, full.q, full.r, anyBorder && iterations > 0 ? p : null);
    p.beta = new Map(pieceIds.map((id) => [id, fitAffine(fullStats.get(id)!, ridge)]));
    for (const id of pieceIds) p.counts.set(id, countOf(fullStats.get(id)!));
  } else {
    p.beta = beta;
    for (const id of pieceIds) p.counts.set(id, countOf(current.get(id)!));
  }
  return p;
}

/** Piece of each row of u (n x (k - 1)) routed to leaves `leafOf`. */
export function assignPieces(p: Pieces, leafOf: Int32Array, u: Float64Array, k: number): Int32Array {
  const out = new Int32Array(leafOf.length);
  for (let i = 0; i < leafOf.length; i++) out[i] = p.borders[leafOf[i]].length ? pieceOfRow(p, leafOf[i], u, i * (k - 1), k) : p.owner[leafOf[i]];
  return out;
}

/** Sum of squared errors of the pieces' predictions for rows of u (n x (k - 1)) with targets r (n x q). */
export function piecesSse(p: Pieces, leafOf: Int32Array, u: Float64Array, r: Float64Array, k: number, q: number): number {
  const piece = assignPieces(p, leafOf, u, k);
  const kernels = wasmKernels();
  if (kernels && piece.length > 0) {
    // The same sum in WebAssembly (native/pieces.c), to the bit: the pieces' coefficients packed
    // in one array, each row's piece renumbered into it.
    const ids = [...new Set(piece)];
    const index = new Map(ids.map((id, i) => [id, i]));
    const n = piece.length;
    const [pu, pr, pp, pb, py] = kernels.layout([n * (k - 1), n * q, Math.ceil(n / 2), ids.length * k * q, q]);
    kernels.f64(pu, n * (k - 1)).set(u.subarray(0, n * (k - 1)));
    kernels.f64(pr, n * q).set(r.subarray(0, n * q));
    const rows = kernels.i32(pp, n);
    for (let i = 0; i < n; i++) rows[i] = index.get(piece[i])!;
    const betas = kernels.f64(pb, ids.length * k * q);
    ids.forEach((id, i) => betas.set(p.beta.get(id)!, i * k * q));
    return kernels.exports.pieces_sse(pu, pr, n, k, q, pp, pb, py);
  }
  const yhat = new Float64Array(q);
  let sse = 0;
  for (let i = 0; i < piece.length; i++) {
    predictRow(p.beta.get(piece[i])!, k, q, u, i * (k - 1), yhat);
    const o = i * q;
    for (let j = 0; j < q; j++) {
      const e = r[o + j] - yhat[j];
      sse += e * e;
    }
  }
  return sse;
}

/** Occupancy entropy (nats) of the pieces, from their row counts. */
export function occupancyEntropy(counts: Iterable<number>): number {
  const c = [...counts].filter((x) => x > 0);
  const total = c.reduce((a, b) => a + b, 0);
  let h = 0;
  for (const x of c) h -= (x / total) * Math.log(x / total);
  return h;
}
