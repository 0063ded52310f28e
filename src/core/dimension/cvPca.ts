/**
 * Noise-corrected spectrum by cross-validated PCA (cvPCA, Stringer et al. 2019; docs/observables.md
 * section 1.3), and its shuffle of repeats.
 *
 * Stimuli with fewer than 2 repeats are left out (counted, warned); with r repeats, half A takes
 * floor(r / 2) random repeats and half B the rest; both halves are centred over stimuli; signal
 * variance is a mean over stimuli. D_eff and PR use the positive split-averaged signal variances;
 * alpha is fitted over ranks [1, reliable rank].
 */

import { AnalysisError, centerColumns, InputError, type ResponseMatrix } from '../matrix.js';
import type { NullSummary } from '../inference/permutation.js';
import { principalAxes } from '../linalg/pca.js';
import { Rng } from '../random.js';
import { warning, type Warning } from '../warnings.js';
import { alphaWarning, observablesOf, type PowerLawOptions } from './spectrum.js';

export interface CvPcaResult {
  /** D_eff, PR and alpha of the signal spectrum; null when there is no reliable signal. */
  effectiveDimension: number | null;
  participationRatio: number | null;
  alpha: number | null;
  alphaRange: [number, number];
  alphaR2: number | null;
  /** Positive signal variances, normalised to sum 1, at their ranks (see `signalVariance`). */
  spectrum: number[];
  rank: number;
  /** Split-averaged signal variance per component (negative values kept). */
  signalVariance: number[];
  /** Its standard error per component (spread of the per-stimulus products, averaged over splits). */
  signalVarianceSE: number[];
  /** Components whose signal variance stays above the axes' detectability threshold (section 1.3). */
  reliableRank: number;
  /** Summed signal variance / total single-trial variance: the stimulus-driven share. */
  reliableVarianceFraction: number;
  splits: number;
  /** Stimuli used (those with >= 2 repeats) and left out. */
  stimuli: number;
  stimuliDropped: number;
  /** Smallest number of repeats among the stimuli used. */
  minRepeats: number;
  /** Summed signal variance against repeats shuffled across stimuli (with --null). */
  null?: NullSummary;
}

/** Sum of a list (the total signal variance of a cvPCA result). */
export function totalOf(v: readonly number[]): number {
  return v.reduce((a, b) => a + b, 0);
}

/** The same group sizes, with every trial assigned to a random group: stimulus identity destroyed. */
export function shuffleRepeats(groups: readonly (readonly number[])[], rng: Rng): number[][] {
  const all = groups.flat();
  rng.shuffle(all);
  let k = 0;
  return groups.map((g) => g.map(() => all[k++]));
}

export function cvPcaWarnings(c: CvPcaResult): Warning[] {
  const w: Warning[] = [];
  if (c.stimuliDropped > 0)
    w.push(warning('cvpca-stimuli-dropped', `cvPCA used ${c.stimuli} stimuli with >= 2 repeats; ${c.stimuliDropped} with a single repeat were left out`));
  if (c.effectiveDimension === null && totalOf(c.signalVariance) > 0) {
    w.push(
      warning(
        'no-reliable-signal',
        `cvPCA: no component's signal variance is above the detectability threshold (twice the BBP edge of the repeat noise): the cross-validated spectrum is noise; cvPCA D_eff and alpha are not reported`,
      ),
    );
  } else if (c.effectiveDimension === null) {
    w.push(
      warning(
        'no-reliable-signal',
        `cvPCA: the summed signal variance is ${totalOf(c.signalVariance).toPrecision(3)} <= 0: responses are not reliable across repeats; cvPCA D_eff and alpha are not reported`,
      ),
    );
  } else if (c.alpha === null) {
    w.push(alphaWarning(`cvPCA (reliable rank ${c.reliableRank})`, c.alphaRange));
  }
  return w;
}

/**
 * Noise-corrected spectrum (cvPCA, Stringer et al. 2019): principal axes from one half of the
 * repeats, signal variance as the covariance of both halves' projections on each axis.
 */
export function cvPCA(
  trials: ResponseMatrix,
  repeats: readonly (readonly number[])[],
  opts: PowerLawOptions & { splits?: number; seed?: number } = {},
): CvPcaResult {
  const used = repeats.filter((g) => g.length >= 2);
  const nStim = used.length;
  if (nStim < 2) throw new InputError(`cvPCA needs at least 2 stimuli with >= 2 repeats, got ${nStim}`);
  let minRepeats = Infinity;
  for (const g of used) minRepeats = Math.min(minRepeats, g.length);
  const splits = opts.splits ?? 5;
  const rng = new Rng(opts.seed ?? 0);
  const d = trials.d;
  let curve: Float64Array | null = null;
  let curveSE: Float64Array | null = null;
  for (let s = 0; s < splits; s++) {
    const a = new Float64Array(nStim * d);
    const b = new Float64Array(nStim * d);
    used.forEach((rows, i) => {
      const order = rng.permutation(rows.length);
      const half = Math.floor(rows.length / 2);
      for (let t = 0; t < rows.length; t++) {
        const target = t < half ? a : b;
        const src = rows[order[t]] * d;
        for (let j = 0; j < d; j++) target[i * d + j] += trials.data[src + j];
      }
      for (let j = 0; j < d; j++) {
        a[i * d + j] /= half;
        b[i * d + j] /= rows.length - half;
      }
    });
    const ac = centerColumns({ n: nStim, d, data: a }).data;
    const bc = centerColumns({ n: nStim, d, data: b }).data;
    const axes = principalAxes(ac, nStim, d, Math.min(nStim - 1, d));
    const k = axes.k;
    const sv = new Float64Array(k);
    const sq = new Float64Array(k);
    const pa = new Float64Array(k),
      pb = new Float64Array(k);
    for (let i = 0; i < nStim; i++) {
      pa.fill(0);
      pb.fill(0);
      const oa = i * d;
      for (let c = 0; c < k; c++) {
        const ov = c * d;
        let x = 0,
          y = 0;
        for (let j = 0; j < d; j++) {
          x += ac[oa + j] * axes.axes[ov + j];
          y += bc[oa + j] * axes.axes[ov + j];
        }
        pa[c] = x;
        pb[c] = y;
      }
      for (let c = 0; c < k; c++) {
        const p = pa[c] * pb[c];
        sv[c] += p;
        sq[c] += p * p;
      }
    }
    const se = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      const mean = sv[c] / nStim;
      se[c] = Math.sqrt(Math.max(0, (sq[c] - nStim * mean * mean) / Math.max(1, nStim - 1)) / nStim);
      sv[c] = mean;
    }
    if (!curve || !curveSE) {
      curve = sv;
      curveSE = se;
    } else {
      const len = Math.min(curve.length, k);
      const next = new Float64Array(len),
        nextSE = new Float64Array(len);
      for (let c = 0; c < len; c++) {
        next[c] = curve[c] + sv[c];
        nextSE[c] = curveSE[c] + se[c];
      }
      curve = next;
      curveSE = nextSE;
    }
  }
  if (!curve || !curveSE || curve.length === 0) throw new AnalysisError('cvPCA: the trial-averaged responses have zero variance');
  for (let c = 0; c < curve.length; c++) {
    curve[c] /= splits;
    curveSE[c] /= splits;
  }
  // Noise variance per direction of a half-average, from the spread of repeats around their stimulus mean.
  let noise = 0;
  for (const rows of used) {
    let within = 0;
    for (let j = 0; j < d; j++) {
      let mu = 0;
      for (const r of rows) mu += trials.data[r * d + j];
      mu /= rows.length;
      for (const r of rows) within += (trials.data[r * d + j] - mu) ** 2;
    }
    noise += within / (rows.length - 1) / Math.floor(rows.length / 2);
  }
  noise /= nStim * d;
  // Axes from a half are informative only above the BBP threshold noise * sqrt(d / N) (Baik, Ben
  // Arous & Peche 2005); twice it marks the components whose signal variance is reliable.
  const threshold = 2 * noise * Math.sqrt(d / nStim);
  let reliableRank = 0;
  while (reliableRank < curve.length && curve[reliableRank] > threshold) reliableRank++;
  const totalSignal = totalOf(Array.from(curve));
  const positive: number[] = [];
  const ranks: number[] = [];
  curve.forEach((v, c) => {
    if (v > 0) {
      positive.push(v);
      ranks.push(c + 1);
    }
  });
  const base = {
    signalVariance: Array.from(curve),
    signalVarianceSE: Array.from(curveSE),
    reliableRank,
    reliableVarianceFraction: totalSignal / singleTrialVariance(trials, used),
    splits,
    stimuli: nStim,
    stimuliDropped: repeats.length - nStim,
    minRepeats,
  };
  // No component above the detectability threshold: the positive signal variances are noise, and
  // a D_eff over them (often tens on pure noise) would read as a measured dimensionality.
  if (totalSignal <= 0 || positive.length === 0 || reliableRank === 0) {
    return { ...base, effectiveDimension: null, participationRatio: null, alpha: null, alphaRange: [1, reliableRank], alphaR2: null, spectrum: [], rank: 0 };
  }
  const o = observablesOf(positive, ranks, { ...opts, defaultMin: 1, defaultMax: reliableRank, fallback: false });
  return { ...base, ...o };
}

/** Total variance of the single trials of the used stimuli around their grand mean. */
function singleTrialVariance(trials: ResponseMatrix, used: readonly (readonly number[])[]): number {
  const d = trials.d;
  const rows = used.flat();
  const mu = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mu[j] += trials.data[r * d + j];
  for (let j = 0; j < d; j++) mu[j] /= rows.length;
  let v = 0;
  for (const r of rows) for (let j = 0; j < d; j++) v += (trials.data[r * d + j] - mu[j]) ** 2;
  return v / Math.max(1, rows.length - 1);
}
