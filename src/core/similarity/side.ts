/**
 * One side of a comparison: a representation of n stimuli, with what each similarity needs built
 * lazily (its factor, Gram matrix, RDMs) and, for a recording with repeated trials, the averages
 * of two independent halves of the trials (noise ceilings, cross-validated distances).
 */

import { ckaFromGrams, linearGram } from './cka.js';
import { centerColumns, columnMeans, type ResponseMatrix } from '../matrix.js';
import { spearmanBrown } from './correlation.js';
import { splitHalfReliability, type SplitHalfReliability } from './ceiling.js';
import { ceilingInterval, noiseExtrapolatedCeiling, type NoiseCeiling } from './noiseCeiling.js';
import { factorOfGram, factorOfMatrix, type Factor } from './factor.js';
import { foldBases, type FoldBasis } from './predictivity.js';
import { correlationRdm, correlationRdmFromInner, crossValidatedRdm, euclideanRdmFromGram } from './rdm.js';

export interface SideInput {
  n: number;
  /** The responses (n x d), when kept. */
  matrix?: ResponseMatrix | null;
  /** The centred Gram matrix, when only that was kept. */
  gram?: Float64Array | null;
  /** Neurons behind a Gram-only side. */
  d: number;
  /** Per stimulus: the sum of its raw responses and x_c . mean, plus mean . mean (Gram-only sides: correlation RDMs). */
  rowStats?: { rowSums: Float64Array; dotMean: Float64Array; meanSquare: number } | null;
  /** Trial averages of two independent halves of the repeats (n x d each). */
  halves?: { a: ResponseMatrix; b: ResponseMatrix } | null;
}

export class Side {
  readonly n: number;
  readonly d: number;
  readonly matrix: ResponseMatrix | null;
  readonly halves: { a: ResponseMatrix; b: ResponseMatrix } | null;
  private input: SideInput;
  private cache = new Map<string, unknown>();
  private bases = new WeakMap<Int32Array, FoldBasis[]>();
  /** Ceilings by method, seed and measure, with the similarity on matrices their intervals need. */
  private ceilings = new Map<
    string,
    { measure: string; method: CeilingMethod; seed: number; ceiling: NoiseCeiling | null; similarity?: (x: ResponseMatrix, y: ResponseMatrix) => number }
  >();

  constructor(input: SideInput) {
    this.input = input;
    this.n = input.n;
    this.d = input.matrix ? input.matrix.d : input.d;
    this.matrix = input.matrix ?? null;
    this.halves = input.halves ?? null;
  }

  private memo<T>(key: string, make: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key) as T;
  }

  /** Centred Gram matrix (n x n). */
  gram(): Float64Array {
    return this.memo('gram', () => this.input.gram ?? linearGram(this.matrix!));
  }

  /** Per-fold decompositions of this side as a ridge source (one set per fold assignment, shared by every target). */
  foldBases(fold: Int32Array, folds: number): FoldBasis[] {
    let b = this.bases.get(fold);
    if (!b) this.bases.set(fold, (b = foldBases(this.factor(), fold, folds)));
    return b;
  }

  factor(): Factor {
    return this.memo('factor', () => (this.matrix ? factorOfMatrix(this.matrix) : factorOfGram(this.gram(), this.n)));
  }

  /** Correlation-distance RDM, or null for a Gram-only side stored without its row statistics. */
  correlationRdm(): Float64Array | null {
    return this.memo('corrRdm', () => {
      if (this.matrix) return correlationRdm(this.matrix.data, this.n, this.matrix.d);
      const s = this.input.rowStats;
      if (!s) return null;
      const g = this.gram(),
        n = this.n;
      const inner = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) inner[i * n + j] = g[i * n + j] + s.dotMean[i] + s.dotMean[j] + s.meanSquare;
      return correlationRdmFromInner(inner, s.rowSums, n, this.d);
    });
  }

  /** Squared Euclidean distance per neuron; cross-validated from the halves when there are halves. */
  distanceRdm(): { rdm: Float64Array; crossValidated: boolean } {
    return this.memo('distRdm', () =>
      this.halves
        ? { rdm: crossValidatedRdm(this.halves.a.data, this.halves.b.data, this.n, this.halves.a.d), crossValidated: true }
        : { rdm: euclideanRdmFromGram(this.gram(), this.n, this.d), crossValidated: false },
    );
  }

  reliability(): SplitHalfReliability | null {
    return this.memo('reliability', () => (this.halves ? splitHalfReliability(this.halves.a, this.halves.b) : null));
  }

  /** The two halves as sides of their own (for ceilings). */
  halfSides(): [Side, Side] | null {
    return this.memo('halfSides', () =>
      this.halves ? [new Side({ n: this.n, d: this.d, matrix: this.halves.a }), new Side({ n: this.n, d: this.d, matrix: this.halves.b })] : null,
    );
  }

  /**
   * The ceilings computed so far for this side (every measure it was compared by), each with its
   * interval (computed here, on demand: the cells of a comparison need only the ceiling).
   */
  measureCeilings(): MeasureCeiling[] {
    return [...this.ceilings.values()].flatMap((e) => {
      if (!e.ceiling) return [];
      // Trivial ceilings (the halves' similarity <= 0 or >= 1: 0 or 1) have no interval.
      if (e.similarity && e.ceiling.simulated.length && e.ceiling.interval === null && this.halves)
        e.ceiling.interval = ceilingInterval(e.similarity, this.halves.a, this.halves.b, e.ceiling, e.seed);
      return [{ measure: e.measure, method: e.method, ...e.ceiling }];
    });
  }

  /**
   * Ceiling of a similarity from this side's two halves (null without halves): `extrapolated`
   * (compare/3) extrapolates the halves' similarity to the full average's noise by simulated
   * noise (noiseCeiling.ts); `split-half` (compare/2) is sqrt of its Spearman-Brown correction,
   * right for correlation-like measures only. `key` names the measure (with its folds, where it
   * has them). Memoised per measure: every layer compared with this area shares its ceiling.
   */
  ceilingOf(key: string, similarity: (a: Side, b: Side) => number, method: CeilingMethod = 'extrapolated', seed = 0): NoiseCeiling | null {
    const id = `${method}:${seed}:${key}`;
    let e = this.ceilings.get(id);
    if (!e) {
      e = { measure: key, method, seed, ceiling: null };
      const h = this.halves;
      if (h && method === 'extrapolated') {
        const side = (m: ResponseMatrix) => new Side({ n: m.n, d: m.d, matrix: m });
        e.similarity = (x, y) => similarity(side(x), side(y));
        e.ceiling = noiseExtrapolatedCeiling(e.similarity, h.a, h.b, seed);
      } else if (h && method === 'split-half') {
        const [x, y] = this.halfSides()!;
        const s = similarity(x, y);
        const rho = spearmanBrown(s);
        e.ceiling = Number.isFinite(s) ? { ceiling: rho > 0 ? Math.sqrt(rho) : 0, halfSimilarity: s, quadraticShare: 0, simulated: [], interval: null } : null;
      }
      this.ceilings.set(id, e);
    }
    return e.ceiling;
  }
}

/** The measure (with its folds) a memoised ceiling belongs to, and the ceiling. */
export interface MeasureCeiling extends NoiseCeiling {
  measure: string;
  method: CeilingMethod;
}

/** How ceilings of measures other than predictivity are made: compare/3 (`extrapolated`), compare/2 (`split-half`), or not at all (`none`). */
export type CeilingMethod = 'extrapolated' | 'split-half' | 'none';

/** Row statistics of a representation for correlation RDMs from its Gram matrix (see SideInput.rowStats). */
export function rowStatsOf(m: ResponseMatrix): { rowSums: Float64Array; dotMean: Float64Array; meanSquare: number } {
  const c = centerColumns(m);
  const mean = columnMeans(m);
  const rowSums = new Float64Array(m.n),
    dotMean = new Float64Array(m.n);
  let meanSquare = 0;
  for (let j = 0; j < m.d; j++) meanSquare += mean[j] * mean[j];
  for (let i = 0; i < m.n; i++) {
    let s = 0,
      dm = 0;
    for (let j = 0; j < m.d; j++) {
      s += m.data[i * m.d + j];
      dm += c.data[i * m.d + j] * mean[j];
    }
    rowSums[i] = s;
    dotMean[i] = dm;
  }
  return { rowSums, dotMean, meanSquare };
}

/** Debiased CKA of two sides on `rows` (all by default). */
export function ckaOnRows(a: Side, b: Side, rows?: ArrayLike<number>): number {
  if (!rows) return ckaFromGrams(a.gram(), b.gram(), a.n);
  const m = rows.length;
  const sub = (g: Float64Array) => {
    const out = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) out[i * m + j] = g[rows[i] * a.n + rows[j]];
    return out;
  };
  // A Gram matrix centred on all stimuli, restricted to some: re-centre (CKA needs centred Grams only for the biased estimator; the unbiased HSIC is shift-invariant).
  return ckaFromGrams(sub(a.gram()), sub(b.gram()), m);
}
