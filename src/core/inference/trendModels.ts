/**
 * Trends of an observable over training steps t (fits/2, docs/observables.md section 6): three
 * candidate models fitted by least squares on the observable's own scale,
 *
 *   power      y = a t^b
 *   offset     y = c + a t^b                       (a power law that levels off at c)
 *   logistic   y = lo + (hi - lo) / (1 + exp(-(ln t - m) / s))   (a step in log t)
 *
 * compared by AICc (Gaussian errors; the variance counts as a parameter), each with 95 % intervals
 * from a pairs bootstrap over checkpoints (seeded), the runs of its residuals' signs (too few runs:
 * the model misses a systematic shape) and, for the power law, its exponent on the lower and upper
 * halves of the range in log t (an exponent that depends on the range is not a power law).
 * Nonlinear parameters are found on a grid and refined by golden-section search; the linear ones
 * are exact least squares given them.
 */

import { erfc } from '../special.js';
import { Rng } from '../random.js';

export type TrendModel = 'power' | 'offset' | 'logistic';
export const TREND_MODELS: readonly TrendModel[] = ['power', 'offset', 'logistic'];

export interface TrendFit {
  model: TrendModel;
  /** power: a, b; offset: c, a, b; logistic: low, high, midpoint (the t of the step's centre), width (in ln t). */
  params: Record<string, number>;
  /** 95 % percentile intervals of the parameters over bootstrap resamples of the checkpoints. */
  intervals: Record<string, [number, number] | null>;
  sse: number;
  /** Corrected Akaike information criterion (lower is better). */
  aicc: number;
  /** AICc minus the best model's. */
  deltaAicc: number;
  /** Sign runs of the residuals, and the one-sided p-value of so few runs under independent signs. */
  signRuns: { runs: number; expected: number; pValue: number };
}

export interface TrendAnalysis {
  /** Checkpoints fitted (t > 0, value present). */
  points: number;
  range: [number, number];
  fits: TrendFit[];
  /** The model with the lowest AICc. */
  selected: TrendModel | null;
  /** The power law's exponent on the lower and the upper half of the range in ln t (null with fewer than 4 points in a half). */
  exponentByHalf: { lower: number | null; upper: number | null } | null;
  /** Every fitted value is the same: nothing is fitted. */
  constant: boolean;
}

interface Solved {
  params: Record<string, number>;
  sse: number;
  predict: (t: number) => number;
}

/** Golden-section minimum of f on [lo, hi]. */
function golden(f: (x: number) => number, lo: number, hi: number, iterations = 40): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo,
    b = hi,
    c = b - g * (b - a),
    d = a + g * (b - a);
  let fc = f(c),
    fd = f(d);
  for (let i = 0; i < iterations; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}

/** Least squares of y on [1, x] (intercept) or on x alone: coefficients and SSE. */
function linear(x: number[], y: number[], intercept: boolean): { c: number; a: number; sse: number } {
  const n = x.length;
  let sx = 0,
    sy = 0,
    sxx = 0,
    sxy = 0;
  for (let i = 0; i < n; i++) {
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    sxy += x[i] * y[i];
  }
  let a: number, c: number;
  if (intercept) {
    const den = n * sxx - sx * sx;
    a = den > 0 ? (n * sxy - sx * sy) / den : 0;
    c = (sy - a * sx) / n;
  } else {
    a = sxx > 0 ? sxy / sxx : 0;
    c = 0;
  }
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (y[i] - c - a * x[i]) ** 2;
  return { c, a, sse };
}

/** The best b on a grid of [-3, 3], refined: for each b the linear part is exact. */
function powerFamily(t: number[], y: number[], intercept: boolean): Solved {
  const at = (b: number) =>
    linear(
      t.map((v) => v ** b),
      y,
      intercept,
    );
  let best = 0,
    bestSse = Infinity;
  for (let k = -120; k <= 120; k++) {
    const b = k / 40;
    if (intercept && k === 0) continue; // c + a t^0 is not identifiable
    const s = at(b).sse;
    if (s < bestSse) {
      bestSse = s;
      best = b;
    }
  }
  const b = golden((x) => (intercept && Math.abs(x) < 1e-9 ? Infinity : at(x).sse), best - 1 / 40, best + 1 / 40);
  const { c, a, sse } = at(b);
  return intercept ? { params: { c, a, b }, sse, predict: (v) => c + a * v ** b } : { params: { a, b }, sse, predict: (v) => a * v ** b };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function logistic(t: number[], y: number[]): Solved {
  const u = t.map(Math.log);
  const lo = Math.min(...u),
    hi = Math.max(...u),
    span = Math.max(hi - lo, 1e-9);
  const at = (m: number, s: number) =>
    linear(
      u.map((v) => sigmoid((v - m) / s)),
      y,
      true,
    );
  let bm = lo,
    bs = span,
    bestSse = Infinity;
  for (let i = 0; i <= 40; i++)
    for (let j = 0; j <= 30; j++) {
      const m = lo - 0.25 * span + (1.5 * span * i) / 40;
      const s = span * 0.01 * Math.pow(300, j / 30);
      const e = at(m, s).sse;
      if (e < bestSse) {
        bestSse = e;
        bm = m;
        bs = s;
      }
    }
  // Coordinate refinement: the midpoint, then the width (log scale), twice.
  for (let r = 0; r < 2; r++) {
    bm = golden((m) => at(m, bs).sse, bm - 0.05 * span, bm + 0.05 * span);
    const ls = golden((l) => at(bm, Math.exp(l)).sse, Math.log(bs) - 0.3, Math.log(bs) + 0.3);
    bs = Math.exp(ls);
  }
  const { c, a, sse } = at(bm, bs);
  return {
    params: { low: c, high: c + a, midpoint: Math.exp(bm), width: bs },
    sse,
    predict: (v) => c + a * sigmoid((Math.log(v) - bm) / bs),
  };
}

function solve(model: TrendModel, t: number[], y: number[]): Solved {
  return model === 'power' ? powerFamily(t, y, false) : model === 'offset' ? powerFamily(t, y, true) : logistic(t, y);
}

/** Parameters of a model plus the residual variance. */
const PARAMETERS: Record<TrendModel, number> = { power: 3, offset: 4, logistic: 5 };

function aicc(sse: number, n: number, k: number): number {
  // A perfect fit has no finite AICc; a floor keeps the comparison defined.
  return n * Math.log(Math.max(sse, 1e-300) / n) + 2 * k + (2 * k * (k + 1)) / (n - k - 1);
}

/** Runs of residual signs and the normal-approximation p-value of so few (Wald-Wolfowitz). */
function signRuns(residuals: number[]): { runs: number; expected: number; pValue: number } {
  const s = residuals.filter((r) => r !== 0).map((r) => r > 0);
  const plus = s.filter(Boolean).length,
    minus = s.length - plus,
    n = s.length;
  let runs = n ? 1 : 0;
  for (let i = 1; i < n; i++) if (s[i] !== s[i - 1]) runs++;
  const expected = n ? 1 + (2 * plus * minus) / n : 0;
  const variance = n > 1 ? (2 * plus * minus * (2 * plus * minus - n)) / (n * n * (n - 1)) : 0;
  const z = variance > 0 ? (runs - expected) / Math.sqrt(variance) : 0;
  return { runs, expected, pValue: 0.5 * erfc(-z / Math.SQRT2) };
}

export interface TrendOptions {
  /** Bootstrap resamples of the checkpoints for the intervals (default 200; 0 = none). */
  resamples?: number;
  seed?: number;
  /** Fit only checkpoints with t0 <= t <= t1. */
  range?: [number, number];
  /** The candidate models (default all three). */
  models?: readonly TrendModel[];
}

/**
 * Every model for the values y at steps t (null values, t <= 0 and steps outside the range are left
 * out; zeros are data). Models with as many parameters as points plus 2 or more are not fitted.
 */
export function analyzeTrend(steps: readonly number[], values: readonly (number | null)[], opts: TrendOptions = {}): TrendAnalysis {
  const [t0, t1] = opts.range ?? [0, Infinity];
  const t: number[] = [],
    y: number[] = [];
  steps.forEach((s, i) => {
    const v = values[i];
    if (s > 0 && s >= t0 && s <= t1 && v !== null && Number.isFinite(v)) {
      t.push(s);
      y.push(v);
    }
  });
  const n = t.length;
  const range: [number, number] = n ? [Math.min(...t), Math.max(...t)] : [NaN, NaN];
  // A constant series (e.g. C = 0 at every checkpoint) has no trend: a power law through it has
  // a = 0 and any b, so no model is fitted and the series says it is constant.
  const constant = n > 0 && y.every((v) => Math.abs(v - y[0]) <= 1e-12 * Math.max(1, Math.abs(y[0])));
  const models = constant ? [] : (opts.models ?? TREND_MODELS).filter((m) => n >= PARAMETERS[m] + 2);
  const resamples = opts.resamples ?? 200;
  const fits: TrendFit[] = models.map((model) => {
    const s = solve(model, t, y);
    const residuals = t.map((v, i) => y[i] - s.predict(v));
    const draws: Record<string, number[]> = {};
    const rng = new Rng(opts.seed ?? 0);
    for (let r = 0; r < resamples; r++) {
      const idx = Array.from({ length: n }, () => rng.int(n));
      if (new Set(idx.map((i) => t[i])).size < PARAMETERS[model]) continue;
      const b = solve(
        model,
        idx.map((i) => t[i]),
        idx.map((i) => y[i]),
      );
      for (const [k, v] of Object.entries(b.params)) if (Number.isFinite(v)) (draws[k] ??= []).push(v);
    }
    const intervals: Record<string, [number, number] | null> = {};
    for (const k of Object.keys(s.params)) {
      const v = (draws[k] ?? []).sort((a, b) => a - b);
      intervals[k] = v.length >= 20 ? [v[Math.floor(0.025 * (v.length - 1))], v[Math.ceil(0.975 * (v.length - 1))]] : null;
    }
    return { model, params: s.params, intervals, sse: s.sse, aicc: aicc(s.sse, n, PARAMETERS[model]), deltaAicc: 0, signRuns: signRuns(residuals) };
  });
  const best = fits.reduce<TrendFit | null>((b, f) => (b === null || f.aicc < b.aicc ? f : b), null);
  for (const f of fits) f.deltaAicc = best ? f.aicc - best.aicc : 0;
  let exponentByHalf: TrendAnalysis['exponentByHalf'] = null;
  if (n >= 8) {
    const mid = Math.sqrt(range[0] * range[1]);
    const half = (keep: (v: number) => boolean) => {
      const idx = t.map((v, i) => i).filter((i) => keep(t[i]));
      return idx.length >= 4
        ? powerFamily(
            idx.map((i) => t[i]),
            idx.map((i) => y[i]),
            false,
          ).params.b
        : null;
    };
    exponentByHalf = { lower: half((v) => v <= mid), upper: half((v) => v >= mid) };
  }
  return { points: n, range, fits, selected: best?.model ?? null, exponentByHalf: constant ? null : exponentByHalf, constant };
}

/** A fitted model's value at step t (for drawing it). */
export function trendValue(fit: Pick<TrendFit, 'model' | 'params'>, t: number): number {
  const p = fit.params;
  if (fit.model === 'power') return p.a * t ** p.b;
  if (fit.model === 'offset') return p.c + p.a * t ** p.b;
  return p.low + (p.high - p.low) * sigmoid((Math.log(t) - Math.log(p.midpoint)) / p.width);
}
