/**
 * Map complexity, definition 3 (complexity/3, docs/observables.md section 2.3): complexity/2's
 * pieces, read so that the number means what it seems to.
 *
 * - Seeds: the held-out curve is scored over R fold assignments (default 5). Each seed selects
 *   its own K* (the one-standard-error rule of complexity/2); C is the median of the seeds' C,
 *   with their range, which covers the seeds' median with probability 1 - 2^(1 - R). The all-data
 *   partition (and so H_K) does not depend on the folds: it is fitted once.
 * - Effect size: the held-out gain of the K* pieces over one linear map (absolute, as a fraction
 *   of Y's variance, and relative to the linear residual), with a t interval over folds. Below
 *   `weakGain` (default 1 % of Y's variance) C is marked weak.
 * - No hidden cap: pieces are sought up to the data bound (every piece keeps 2 (m + 1) training
 *   rows), which grows with n; when the best K of any seed is the largest K scored, C is flagged
 *   as a lower bound.
 * - Scale curve: at each resolution d of a log grid, the entropy of the fewest pieces whose
 *   held-out error is within d of the best (without the standard-error rule; points below the
 *   folds' noise are marked); tables show C, the one-standard-error choice at resolution 2e-4.
 * - Oblique and discontinuous pieces: splits are also refined by assignment (hingeTree.ts), the
 *   polish is kept only where it lowers the training error, and a nearest-neighbour estimate of the
 *   noise tells when the best pieces leave structure unexplained (low-dimensional X).
 */

import type { ResponseMatrix } from '../matrix.js';
import {
  dataBoundPieces,
  prepareMap,
  pieceGrid3,
  runFolds,
  truncationWarnings,
  seedRun,
  selectPieces,
  type Complexity2Options,
  type Complexity2Point,
  type Complexity2Result,
} from './definition2.js';
import { Rng } from '../random.js';
import { foldAssignment } from '../inference/resampling.js';
import { warning, type Warning } from '../warnings.js';
import { tQuantile } from '../special.js';

/** Default resolutions of the scale curve (fractions of Y's variance). */
export const RESOLUTIONS = [1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 1e-1];
/** Held-out gain (fraction of Y's variance) below which a C above 0 is marked weak. */
export const WEAK_GAIN = 0.01;
/** Fold seeds by default. */
export const DEFAULT_REPEATS = 5;
/**
 * Improvements below both this fraction of the best gain and RESIDUAL_FRACTION of what remains
 * unexplained do not count as pieces: where a map's few pieces are fitted slightly short of the
 * noise, hundreds of tiny pieces can win back a few per cent of the residual (12 planted pieces
 * read as 96), which is no evidence of more pieces. The price: a map of very many small pieces
 * is counted short where each adds that little (300 planted 1-D pieces at n = 6000 read as 205).
 */
const GAIN_FRACTION = 0.003;
const RESIDUAL_FRACTION = 0.1;
/** C is data-limited when K* leaves its pieces fewer than this many times the rows a piece needs. */
const DATA_LIMITED_FACTOR = 4;
/** Pieces sought in the first stage (later stages four times more, up to the data bound). */
const FIRST_STAGE_PIECES = 256;
/** Largest input dimension for which the nearest-neighbour noise estimate is computed. */
const NOISE_FLOOR_MAX_DIMENSIONS = 8;

export interface Complexity3Options extends Complexity2Options {
  /** Fold seeds (default 5): seed, seed + 1, ... */
  repeats?: number;
  /** Resolutions of the scale curve (default RESOLUTIONS). */
  resolutions?: number[];
  /** Gain below which C is marked weak (default 0.01 of Y's variance). */
  weakGain?: number;
}

export interface Complexity3Seed {
  seed: number;
  complexity: number | null;
  kStar: number;
  /** Held-out gain of the K* pieces over one linear map (fraction of Y's variance). */
  gain: number;
  /** The K with the smallest held-out error, and its gain. */
  bestK: number;
  bestGain: number;
}

export interface Complexity3Gain {
  /** r_1 - r_K* (fraction of Y's variance), the seeds' median. */
  absolute: number;
  /** absolute / r_1: the share of the linear map's held-out residual the pieces explain. */
  relative: number | null;
  /** 95 % t interval over folds of the absolute gain. */
  interval: { lo: number; hi: number };
  /** True when C > 0 rests on a gain below `threshold`. */
  weak: boolean;
  threshold: number;
}

/** The shape of the map and what its components keep, as complexity/2 reports them. */
type MapShape = Pick<Complexity2Result, 'n' | 'p' | 'q' | 'm' | 'varianceKept' | 'outputVarianceKept' | 'bendDimensions'>;

export interface Complexity3Result extends MapShape {
  definition: 'complexity/3';
  /** The seeds' median C (nats); 0 when one linear piece suffices; null when unpredictable. */
  complexity: number | null;
  effectivePieces: number | null;
  /** K* of the median seed. */
  kStar: number;
  largestK: number;
  /** Most pieces the data allow (2 (m + 1) training rows each): the cost bound, growing with n. */
  dataBound: number;
  gain: Complexity3Gain;
  linearR2: number;
  bestR2: number;
  resolution: number;
  /** The range of the seeds' C: covers their median with probability `level`. */
  seedInterval: { lo: number; hi: number; level: number } | null;
  /** Standard deviation of the seeds' C. */
  seedSd: number | null;
  seeds: Complexity3Seed[];
  /** The seeds' median C at each resolution. */
  scaleCurve: { resolution: number; complexity: number | null; kStar: number }[];
  /** Nearest-neighbour estimate of the unexplainable share of Y's variance (low-dimensional X only). */
  noiseFloor: number | null;
  /** Held-out curve averaged over seeds; se is the median seed's. */
  curve: Complexity2Point[];
  warnings: Warning[];
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};

/**
 * The unexplainable share of Y's variance, estimated from nearest neighbours in X's components:
 * per output, the median over rows of half the squared difference of Y between a row and its
 * nearest neighbour, divided by the median of chi-square(1) (0.4549) so that pure Gaussian noise
 * reads its variance; summed over outputs, over Y's total variance. The median ignores the few
 * neighbours that straddle a jump; the map's own change between neighbours adds to it, so it errs
 * high (the warning it feeds errs towards silence). Null when X has more than 8 components.
 */
export function nearestNeighbourNoise(z: Float64Array, n: number, m: number, yc: Float64Array, q: number, dropped: Float64Array): number | null {
  if (m > NOISE_FLOOR_MAX_DIMENSIONS || n < 50) return null;
  const step = Math.max(1, Math.ceil(n / 2000));
  const queries: number[] = [];
  for (let i = 0; i < n; i += step) queries.push(i);
  const neighbour = queries.map((i) => {
    let best = -1,
      bd = Infinity;
    for (let o = 0; o < n; o++) {
      if (o === i) continue;
      let d = 0;
      for (let c = 0; c < m && d < bd; c++) d += (z[i * m + c] - z[o * m + c]) ** 2;
      if (d < bd) {
        bd = d;
        best = o;
      }
    }
    return best;
  });
  const CHI2_1_MEDIAN = 0.45493642311957283;
  let noise = 0;
  const half = new Float64Array(queries.length);
  for (let j = 0; j < q; j++) {
    queries.forEach((i, t) => (half[t] = (yc[i * q + j] - yc[neighbour[t] * q + j]) ** 2 / 2));
    half.sort();
    noise += half[Math.floor((half.length - 1) / 2)] / CHI2_1_MEDIAN;
  }
  let total = 0,
    droppedMean = 0;
  for (let i = 0; i < n; i++) droppedMean += dropped[i] / n;
  const mean = new Float64Array(q);
  for (let i = 0; i < n; i++) for (let j = 0; j < q; j++) mean[j] += yc[i * q + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < q; j++) total += (yc[i * q + j] - mean[j]) ** 2 / n;
  total += droppedMean;
  // Variance in the outputs left out of Y's components is unexplainable by any map of the kept ones.
  return total > 0 ? (noise + droppedMean) / total : null;
}

/** How much the held-out error falls from K/2 (or the nearest K below it) to the largest K. */
function lastOctaveDrop(r: number[], ks: number[]): number {
  const last = ks.length - 1;
  let i = last;
  while (i > 0 && ks[i] > ks[last] / 2) i--;
  return r[i] - r[last];
}

/** Complexity (definition 3) of the map X -> Y over the same n stimuli (rows in the same order). */
export function mapComplexity3(x: ResponseMatrix, y: ResponseMatrix, opts: Complexity3Options = {}): Complexity3Result {
  const n = x.n;
  const folds = opts.folds ?? 5;
  const { prep, out } = prepareMap(x, y, opts);
  const seed = opts.seed ?? 0;
  const repeats = opts.repeats ?? DEFAULT_REPEATS;
  if (!(Number.isInteger(repeats) && repeats >= 1)) throw new RangeError(`repeats must be a positive integer (got ${repeats})`);
  const resolution = opts.resolution ?? 2e-4;
  const resolutions = [...new Set(opts.resolutions ?? RESOLUTIONS)].sort((a, b) => a - b);
  const weakGain = opts.weakGain ?? WEAK_GAIN;
  const foldOf = new Int32Array(repeats * n);
  for (let s = 0; s < repeats; s++) {
    const f = s === 0 && opts.foldOf ? opts.foldOf : foldAssignment(new Rng(seed + s), n, folds);
    if (f.length !== n) throw new RangeError(`foldOf has ${f.length} entries for ${n} stimuli`);
    foldOf.set(f, s * n);
  }
  const dataBound = dataBoundPieces(n, folds, Math.min(opts.bendDimensions ?? 16, prep.m));
  // Pieces are sought in stages: up to 256 (or the data bound), and four times more while the
  // held-out error of some seed still falls at the largest K scored, up to the data bound.
  let cap = Math.min(opts.maxPieces ?? dataBound, FIRST_STAGE_PIECES);
  let stage = analyse(runFolds(prep, out.yc, out.q, out.dropped, foldOf, { ...opts, maxPieces: cap }, true, 3));
  const ceiling = opts.maxPieces ?? dataBound;
  while (cap < ceiling && stage.perSeed.some((s) => s.atLargest && s.usableK.at(-1) === stage.run.grid.at(-1))) {
    cap = Math.min(ceiling, 4 * cap);
    opts.onProgress?.(2, 3);
    stage = analyse(runFolds(prep, out.yc, out.q, out.dropped, foldOf, { ...opts, maxPieces: cap }, true, 3));
  }
  opts.onProgress?.(3, 3);
  const { run, perSeed } = stage;
  return summarise3(run, perSeed);

  function analyse(run: ReturnType<typeof runFolds>) {
    return { run, perSeed: Array.from({ length: repeats }, (_, s) => seedSelection(run, s)) };
  }

  /** One seed's selection at the default resolution and along the scale curve. */
  function seedSelection(run: ReturnType<typeof runFolds>, s: number) {
    const G = run.grid.length;
    const one = seedRun(run, s);
    // The resolution that counts: the stated one, or a fraction of what the pieces achieve.
    const first = selectPieces(one, resolution);
    const relative = Math.min(GAIN_FRACTION * (first.r[0] - first.r[first.best]), RESIDUAL_FRACTION * first.r[first.best]);
    const sel = relative > resolution ? selectPieces(one, relative) : first;
    const usableK = sel.usable.map((j) => run.grid[j]);
    const entropyAt = (i: number) => (usableK[i] === 1 ? 0 : run.entropy[sel.usable[i]]);
    const predictable = 1 - sel.r[sel.best] > resolution;
    // Per-fold paired gains of K* over one piece, for the t interval.
    const foldGain = Array.from({ length: folds }, (_, f) => (one.sse[f * G + sel.usable[0]] - one.sse[f * G + sel.usable[sel.star]]) / one.den[f]);
    // The scale curve: the fewest pieces whose held-out error is within d of the best (no
    // standard-error rule, so below the folds' noise it counts pieces the evidence cannot tell apart).
    const bestR = sel.r[sel.best];
    const scale = resolutions.map((d) => {
      let i = 0;
      while (i < sel.best && sel.r[i] - bestR > d) i++;
      return { kStar: usableK[i], complexity: 1 - bestR > d ? entropyAt(i) : null };
    });
    return {
      seed: seed + s,
      sel,
      usableK,
      complexity: predictable ? entropyAt(sel.star) : null,
      kStar: usableK[sel.star],
      gain: sel.r[0] - sel.r[sel.star],
      bestK: usableK[sel.best],
      bestGain: sel.r[0] - sel.r[sel.best],
      foldGain,
      // The best K is the largest scored, and a bound stopped the search there: the cap of this
      // stage, or the rows a piece needs (a tree that stops splitting because nothing is left to
      // gain is not a bound).
      // ... and the curve still falls by more than the resolution over the last doubling of K.
      atLargest:
        sel.best === sel.usable.length - 1 &&
        usableK[sel.best] > 1 &&
        (usableK[sel.best] === run.grid[G - 1] || usableK[sel.best] * DATA_LIMITED_FACTOR >= dataBound) &&
        lastOctaveDrop(sel.r, usableK) > Math.max(resolution, relative),
      // The curve turns up because pieces run out of rows, not because the map runs out of pieces.
      dataLimited: usableK[sel.star] > 1 && usableK[sel.star] * DATA_LIMITED_FACTOR >= dataBound,
      scale,
    };
  }

  function summarise3(run: ReturnType<typeof runFolds>, perSeed: ReturnType<typeof seedSelection>[]): Complexity3Result {
    const warnings: Warning[] = [];
    const predictable = perSeed.filter((s) => s.complexity !== null && Number.isFinite(s.complexity));
    // The median seed: the lower median of C among the predictable seeds (ties: the first seed).
    const unpredictable = predictable.length * 2 < repeats || predictable.length === 0;
    let chosen = perSeed[0];
    if (!unpredictable) {
      const c = median(predictable.map((s) => s.complexity!));
      chosen = predictable.find((s) => s.complexity === c)!;
    }
    const complexity = unpredictable ? null : chosen.complexity;

    // The curve averaged over seeds (every seed scores the same usable K).
    const usableAll = chosen.sel.usable.filter((j) => perSeed.every((s) => s.sel.usable.includes(j)));
    const curve: Complexity2Point[] = usableAll.map((j) => {
      const r = perSeed.reduce((a, s) => a + s.sel.r[s.sel.usable.indexOf(j)], 0) / repeats;
      const i = chosen.sel.usable.indexOf(j);
      return { k: run.grid[j], r, entropy: Number.isFinite(run.entropy[j]) ? run.entropy[j] : NaN, se: chosen.sel.se[i] };
    });
    const r1 = curve.length ? curve[0].r : 1;
    const rBest = Math.min(...curve.map((c) => c.r));

    // Gain: the seeds' median, its t interval from the folds (the median seed's paired differences).
    const gains = perSeed.map((s) => s.gain);
    const gAbs = median(gains);
    const fg = chosen.foldGain;
    const fm = fg.reduce((a, b) => a + b, 0) / folds;
    const fsd = Math.sqrt(fg.reduce((a, b) => a + (b - fm) ** 2, 0) / Math.max(1, folds - 1));
    const half = folds > 1 ? tQuantile(0.975, folds - 1) * (fsd / Math.sqrt(folds)) : Infinity;
    const weak = complexity !== null && complexity > 0 && gAbs < weakGain;
    const gain: Complexity3Gain = {
      absolute: gAbs,
      relative: r1 > 0 ? gAbs / r1 : null,
      interval: { lo: gAbs - half, hi: gAbs + half },
      weak,
      threshold: weakGain,
    };

    const values = predictable.map((s) => s.complexity!);
    const seedInterval = !unpredictable && repeats > 1 ? { lo: Math.min(...values), hi: Math.max(...values), level: 1 - 2 ** (1 - repeats) } : null;
    const vm = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
    const seedSd = values.length > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - vm) ** 2, 0) / (values.length - 1)) : null;

    const scaleCurve = resolutions.map((d, i) => {
      const vals = perSeed.map((s) => s.scale[i]).filter((v) => v.complexity !== null);
      if (vals.length * 2 < repeats || vals.length === 0) return { resolution: d, complexity: null, kStar: 1 };
      const c = median(vals.map((v) => v.complexity!));
      return { resolution: d, complexity: c, kStar: vals.find((v) => v.complexity === c)!.kStar };
    });

    const largestK = run.grid[Math.max(...perSeed.map((s) => s.sel.usable[s.sel.usable.length - 1]))];
    const noiseFloor = nearestNeighbourNoise(prep.z, n, prep.m, out.yc, out.q, out.dropped);

    if (unpredictable) {
      warnings.push(
        warning(
          'unpredictable',
          `no scale predicts Y from X held out in ${repeats - predictable.length} of ${repeats} fold seeds (best R^2 ${(1 - rBest).toPrecision(3)}, not above the resolution ${resolution}); complexity is undefined, not 0`,
        ),
      );
    } else {
      const capped = perSeed.filter((s) => s.atLargest);
      const limited = perSeed.filter((s) => s.dataLimited && !s.atLargest);
      if (capped.length === 0 && limited.length * 2 > repeats) {
        const rows = Math.floor(Math.floor((n * (folds - 1)) / folds) / chosen.kStar);
        warnings.push(
          warning(
            'complexity-lower-bound',
            `K* = ${chosen.kStar} pieces leave about ${rows} training rows per piece, within ${DATA_LIMITED_FACTOR}x of the ${2 * (Math.min(opts.bendDimensions ?? 16, prep.m) + 1)} a piece needs, in ${limited.length} of ${repeats} fold seeds: the number of stimuli, not the map, sets K*, and C = ${complexity!.toFixed(3)} is a lower bound`,
          ),
        );
      }
      if (capped.length > 0) {
        const bound =
          largestK >= pieceGrid3(dataBound).at(-1)!
            ? `the data bound (pieces of at least ${2 * (Math.min(opts.bendDimensions ?? 16, prep.m) + 1)} training rows)`
            : 'the largest K the tree reached';
        warnings.push(
          warning(
            'complexity-lower-bound',
            `the held-out error still falls at the largest number of pieces scored (K = ${largestK}, ${bound}) in ${capped.length} of ${repeats} fold seeds: C = ${complexity!.toFixed(3)} is a lower bound; more stimuli would resolve more pieces`,
          ),
        );
      }
      if (weak) {
        warnings.push(
          warning(
            'complexity-weak',
            `C = ${complexity!.toFixed(3)} rests on a held-out gain of ${(100 * gAbs).toFixed(2)} % of Y's variance over one linear map (below ${100 * weakGain} %): the pieces barely matter`,
          ),
        );
      }
      if (noiseFloor !== null && rBest > Math.max(2 * noiseFloor, noiseFloor + 0.01)) {
        warnings.push(
          warning(
            'pieces-unresolved',
            `the best pieces leave ${(100 * rBest).toFixed(1)} % of Y's variance unexplained held out, against about ${(100 * noiseFloor).toFixed(1)} % that nearest neighbours in X cannot predict: the map has structure the pieces miss (pieces finer than the data resolve, a smooth map, or boundaries the cuts do not follow); C may undercount`,
          ),
        );
      }
    }
    warnings.push(...truncationWarnings(prep, out));
    return {
      definition: 'complexity/3',
      n,
      p: x.d,
      q: y.d,
      m: prep.m,
      varianceKept: prep.varianceKept,
      outputVarianceKept: out.outputVarianceKept,
      bendDimensions: Math.min(opts.bendDimensions ?? 16, prep.m),
      complexity,
      effectivePieces: complexity === null ? null : Math.exp(complexity),
      kStar: unpredictable ? 1 : chosen.kStar,
      largestK,
      dataBound,
      gain,
      linearR2: 1 - r1,
      bestR2: 1 - rBest,
      resolution,
      seedInterval,
      seedSd,
      seeds: perSeed.map((s) => ({ seed: s.seed, complexity: s.complexity, kStar: s.kStar, gain: s.gain, bestK: s.bestK, bestGain: s.bestGain })),
      scaleCurve,
      noiseFloor,
      curve,
      warnings,
    };
  }
}
