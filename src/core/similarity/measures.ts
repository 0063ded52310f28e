/**
 * Every similarity between two sides (a row representation A and a column representation B on
 * the same stimuli) with its interval, permutation null and noise ceiling, in one shape:
 * a `Cell`. docs/observables.md section 7 defines each; this module only wires them together.
 *
 * - Intervals: grouped jackknife over stimuli (the trust issue's intervals/2), recomputing the
 *   score on the kept stimuli from the out-of-fold predictions / RDMs / Gram matrices; for the
 *   cross-validated shape metrics, mean +- t(K-1) se over the K held-out folds.
 * - Nulls: B's stimulus order permuted (N seeded permutations), p = (1 + #null >= observed)/(1 + N)
 *   on the similarity score (for shape metrics, cos of the angle).
 * - Ceilings: sqrt(Spearman-Brown(similarity of B's two halves)) (times A's when A has halves too);
 *   for predictivity the median over target neurons of sqrt(reliability).
 */

import { ckaFromGrams } from './cka.js';
import { jackknifeGroups, jackknifeIntervals, keptUnits } from '../inference/jackknife.js';
import { nullSummary, replicateSeed, type NullSummary } from '../inference/permutation.js';
import { Rng } from '../random.js';
import { foldAssignment } from '../inference/resampling.js';
import { median } from './correlation.js';
import { heldOutCorrelations, ridgePredictions } from './predictivity.js';
import { rdmSpearman, rdmWhitenedCosine } from './rsa.js';
import { shapeDistance, shapeDistanceInSample, shapeDistanceOn, shapeDistanceOnRows } from './shape.js';
import { ckaOnRows, type CeilingMethod, type Side } from './side.js';

export const METRICS = ['predictivity', 'predictivity-reverse', 'rsa-spearman', 'rsa-cosine', 'rsa-cv-spearman', 'rsa-cv-cosine', 'procrustes', 'cka'] as const;
/** A metric name: one of METRICS, or 'shape-alpha<A>' for the generalized shape metric at alpha A. */
export type Metric = (typeof METRICS)[number] | `shape-alpha${number}`;

export interface Cell {
  /** The metric's own value (an angle in radians for shape metrics). */
  value: number;
  /** The similarity that ceilings, nulls and the layer mapping use (cos of the angle for shape metrics). */
  score: number;
  interval: [number, number] | null;
  null: NullSummary | null;
  /** Noise ceiling of the score, when the recording has repeated trials. */
  ceiling: number | null;
  /** score / ceiling. */
  normalised: number | null;
  /** Shape metrics: the angle fitted and measured on all stimuli (netrep's fit_score), beside the cross-validated `value`. */
  inSample?: number;
  /** The score's no-relation value where it is not 0 (the cosine RSA measures: the mean of its permutation null). */
  baseline?: number | null;
}

export interface MeasureOptions {
  folds: number;
  seed: number;
  /** Jackknife groups G (0 = no interval). */
  intervals: number;
  /** Permutations of B's stimulus order (0 = no null). */
  nulls: number;
  /** Ceilings of RSA, CKA and shape metrics: compare/3's noise extrapolation (default) or compare/2's split-half. */
  ceilings?: CeilingMethod;
}

/** Everything a metric computes for one pair: the score, and how to recompute it on other rows or a permuted B. */
export interface Evaluated {
  value: number;
  score: number;
  /** The score on a subset (or a resample) of the stimuli, without refitting. */
  onRows?: (rows: Int32Array) => number;
  /** The value refitted on a subset of the stimuli (shape metrics' intervals: their fitting varies as much as their held-out stimuli). */
  refitted?: (rows: Int32Array) => number;
  /** The score with B's rows read in `order`. */
  permuted: (order: Int32Array) => number;
  ceiling: number | null;
  /** Shape metrics: the in-sample angle. */
  inSample?: number;
  /** Stimuli left out because the measure is undefined for them (RSA: a constant pattern). */
  excluded?: number;
}

export function shapeAlphaOf(metric: string): number | null {
  if (metric === 'procrustes') return 1;
  const m = /^shape-alpha(\d*\.?\d+)$/.exec(metric);
  if (!m) return null;
  const a = Number(m[1]);
  return a >= 0 && a <= 1 ? a : null;
}

/**
 * The stimuli (of `among`, default all) with a defined RDM row: a stimulus whose pattern has no
 * variance across neurons has NaN against every other stimulus (and only those NaNs are in the
 * matrix, so removing such stimuli leaves a defined RDM).
 */
function definedRows(d: Float64Array, n: number, among?: Int32Array): Int32Array {
  const out: number[] = [];
  for (const i of among ?? Int32Array.from({ length: n }, (_, k) => k)) {
    let nan = 0;
    for (let j = 0; j < n; j++) if (j !== i && Number.isNaN(d[i * n + j])) nan++;
    if (nan < n - 1 || n === 1) out.push(i);
  }
  return Int32Array.from(out);
}

/** The rows and columns `keep` of an n x n matrix. */
function subSquare(d: Float64Array, n: number, keep: Int32Array): Float64Array {
  const m = keep.length,
    out = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) out[a * m + b] = d[keep[a] * n + keep[b]];
  return out;
}

/** A permuted copy of a symmetric n x n matrix (rows and columns in `order`). */
function permutedSquare(m: Float64Array, n: number, order: Int32Array): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = m[order[i] * n + order[j]];
  return out;
}

/** The metric evaluated for A (rows) and B (columns), or null where it is not defined (e.g. no halves, no matrix). */
export function evaluate(
  metric: Metric,
  a: Side,
  b: Side,
  fold: Int32Array,
  folds: number,
  ceilings: CeilingMethod = 'extrapolated',
  seed = 0,
): Evaluated | null {
  const n = a.n;
  const bothCeilings = (sim: (x: Side, y: Side) => number): number | null => {
    const key = `${metric}/${folds}`;
    const cb = b.ceilingOf(key, sim, ceilings, seed),
      ca = a.ceilingOf(key, sim, ceilings, seed);
    if (cb === null && ca === null) return null;
    return (cb?.ceiling ?? 1) * (ca?.ceiling ?? 1);
  };
  switch (metric) {
    case 'predictivity':
    case 'predictivity-reverse': {
      const [src, dst] = metric === 'predictivity' ? [a, b] : [b, a];
      if (!dst.matrix) return null;
      const target = dst.matrix;
      const bases = src.foldBases(fold, folds);
      const { predictions } = ridgePredictions(bases, target);
      const score = median(heldOutCorrelations(predictions, target, fold));
      const rel = dst.reliability();
      // The null shuffles which stimulus of the source goes with which of the target: permuting the
      // target's rows does that in both directions, and keeps the source's fold bases.
      return {
        value: score,
        score,
        onRows: (rows) => median(heldOutCorrelations(predictions, target, fold, rows)),
        permuted: (order) => {
          const p = ridgePredictions(bases, target, order);
          return median(heldOutCorrelations(p.predictions, target, fold, undefined, order));
        },
        ceiling: rel ? rel.predictivityCeiling : null,
      };
    }
    case 'rsa-spearman':
    case 'rsa-cosine': {
      const fullA = a.correlationRdm(),
        fullB = b.correlationRdm();
      if (!fullA || !fullB) return null;
      const f = metric === 'rsa-spearman' ? rdmSpearman : rdmWhitenedCosine;
      // A stimulus whose pattern is the same in every neuron (e.g. every ReLU unit off) has no
      // correlation distance to any other: leaving the stimulus out removes exactly those NaN
      // dissimilarities (rsatoolbox leaves NaN entries out of its comparisons).
      const keep = definedRows(fullA, n, definedRows(fullB, n));
      if (keep.length < 4) return null;
      const m = keep.length;
      const da = keep.length === n ? fullA : subSquare(fullA, n, keep),
        db = keep.length === n ? fullB : subSquare(fullB, n, keep);
      const position = new Int32Array(n).fill(-1);
      keep.forEach((i, k) => (position[i] = k));
      const local = (rows: ArrayLike<number>) => Int32Array.from(Array.from(rows, (i) => position[i]).filter((k) => k >= 0));
      const score = f(da, db, m);
      return {
        value: score,
        score,
        onRows: (rows) => f(da, db, m, local(rows)),
        permuted: (order) => f(da, permutedSquare(db, m, local(order)), m),
        ceiling: bothCeilings((x, y) => {
          const hx = x.correlationRdm()!,
            hy = y.correlationRdm()!;
          const k = definedRows(hx, x.n, definedRows(hy, x.n));
          return k.length < 4 ? NaN : f(subSquare(hx, x.n, k), subSquare(hy, x.n, k), k.length);
        }),
        ...(keep.length < n ? { excluded: n - keep.length } : {}),
      };
    }
    case 'rsa-cv-spearman':
    case 'rsa-cv-cosine': {
      if (!a.halves && !b.halves) return null;
      const da = a.distanceRdm().rdm,
        db = b.distanceRdm().rdm;
      const f = metric === 'rsa-cv-spearman' ? rdmSpearman : rdmWhitenedCosine;
      const score = f(da, db, n);
      return { value: score, score, onRows: (rows) => f(da, db, n, rows), permuted: (order) => f(da, permutedSquare(db, n, order), n), ceiling: null };
    }
    case 'cka': {
      const score = ckaOnRows(a, b);
      return {
        value: score,
        score,
        onRows: (rows) => ckaOnRows(a, b, rows),
        permuted: (order) => ckaFromGrams(a.gram(), permutedSquare(b.gram(), n, order), n),
        ceiling: bothCeilings((x, y) => ckaOnRows(x, y)),
      };
    }
    default: {
      const alpha = shapeAlphaOf(metric);
      if (alpha === null) return null;
      const fa = a.factor(),
        fb = b.factor();
      const s = shapeDistance(fa, fb, alpha, fold, folds);
      return {
        value: s.distance,
        score: Math.cos(s.distance),
        onRows: (rows) => Math.cos(shapeDistanceOnRows(s, n, rows)),
        refitted: (rows) => shapeDistanceOn(fa, fb, alpha, fold, folds, rows),
        inSample: shapeDistanceInSample(fa, fb, alpha),
        permuted: (order) => Math.cos(shapeDistance(fa, fb, alpha, fold, folds, order).distance),
        // Ceilings' jackknife replicates have fewer stimuli: their own folds, from the same seed.
        ceiling: bothCeilings((x, y) =>
          Math.cos(shapeDistance(x.factor(), y.factor(), alpha, x.n === n ? fold : foldAssignment(new Rng(seed), x.n, folds), folds).distance),
        ),
      };
    }
  }
}

/** Measures whose no-relation value is not 0: the whitened cosine of RDMs (docs/observables.md 7.2). */
export const BASELINE_METRICS: readonly Metric[] = ['rsa-cosine', 'rsa-cv-cosine'];
/** Permutations behind a baseline when --null asks for fewer. */
export const BASELINE_PERMUTATIONS = 20;

/** A cell: the metric with its interval, null and ceiling. */
export function measure(metric: Metric, a: Side, b: Side, fold: Int32Array, opts: MeasureOptions): { cell: Cell; evaluated: Evaluated } | null {
  if (a.n !== b.n || a.n < 4) return null;
  const e = evaluate(metric, a, b, fold, opts.folds, opts.ceilings ?? 'extrapolated', opts.seed);
  if (!e || !Number.isFinite(e.score)) return null;
  const angle = shapeAlphaOf(metric) !== null;
  let interval: [number, number] | null = null;
  if ((e.refitted ?? e.onRows) && opts.intervals >= 2 && opts.intervals <= a.n) {
    const valueOn = e.refitted ?? e.onRows!;
    const groups = jackknifeGroups(a.n, opts.intervals, opts.seed);
    const j = jackknifeIntervals({ v: e.value }, opts.intervals, opts.seed, (g) => ({ v: valueOn(keptUnits(groups, g)) }), undefined, a.n);
    const iv = j.bounds.v;
    if (iv && iv.lo !== null && iv.hi !== null) interval = [iv.lo, iv.hi];
  }
  // A jackknife interval can pass the measure's range (e.g. r = 1.01): clip it to the range.
  if (interval) interval = angle ? [Math.max(0, interval[0]), Math.min(Math.PI, interval[1])] : [Math.max(-1, interval[0]), Math.min(1, interval[1])];
  const draws: number[] = [];
  const permutations = Math.max(opts.nulls, BASELINE_METRICS.includes(metric) ? BASELINE_PERMUTATIONS : 0);
  for (let s = 0; s < permutations; s++) draws.push(e.permuted(new Rng(replicateSeed(opts.seed, s)).permutation(a.n)));
  const nul =
    opts.nulls > 0 ? nullSummary(metric, "the column representation's stimulus order permuted", e.score, draws.slice(0, opts.nulls), opts.seed) : null;
  const finite = draws.filter(Number.isFinite);
  const baseline = BASELINE_METRICS.includes(metric) && finite.length ? finite.reduce((x, y) => x + y, 0) / finite.length : undefined;
  const ceiling = e.ceiling !== null && Number.isFinite(e.ceiling) ? e.ceiling : null;
  return {
    cell: {
      value: e.value,
      score: e.score,
      interval,
      null: nul,
      ceiling,
      normalised: ceiling && ceiling > 0 ? e.score / ceiling : null,
      ...(e.inSample !== undefined ? { inSample: e.inSample } : {}),
      ...(baseline !== undefined ? { baseline } : {}),
    },
    evaluated: e,
  };
}
