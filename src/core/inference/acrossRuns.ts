/**
 * Summaries across independent runs (training seeds, datasets): the mean with a t interval over
 * runs, and Welch's test of two groups' means (docs/observables.md 4.7). Runs, not checkpoints or
 * stimuli, are the units: seed-to-seed variation is the uncertainty a reader needs.
 */

import { tCdf, tQuantile } from '../special.js';

export interface AcrossRuns {
  /** Runs with a value. */
  runs: number;
  mean: number;
  /** Sample standard deviation across runs (0 with one run). */
  sd: number;
  /** 95 % t interval of the mean (df = runs - 1); null with fewer than two runs. */
  interval: [number, number] | null;
  min: number;
  max: number;
}

/** Mean, spread and 95 % t interval of one value per run (nulls and non-finite values left out); null without any value. */
export function acrossRuns(values: readonly (number | null)[]): AcrossRuns | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0) return null;
  const n = v.length;
  const mean = v.reduce((s, x) => s + x, 0) / n;
  const sd = n > 1 ? Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : 0;
  const half = n > 1 ? tQuantile(0.975, n - 1) * (sd / Math.sqrt(n)) : NaN;
  return { runs: n, mean, sd, interval: n > 1 ? [mean - half, mean + half] : null, min: Math.min(...v), max: Math.max(...v) };
}

export interface WelchTest {
  /** Mean of the first group minus the second's. */
  difference: number;
  /** 95 % interval of the difference (Welch-Satterthwaite df). */
  interval: [number, number];
  t: number;
  df: number;
  /** Two-sided p-value. */
  pValue: number;
}

/**
 * Welch's unequal-variance t test of two groups' means (each at least two values). With identical
 * values in both groups (zero variance) the test is undefined and null is returned.
 */
export function welchTest(a: readonly number[], b: readonly number[]): WelchTest | null {
  const sa = acrossRuns(a),
    sb = acrossRuns(b);
  if (!sa || !sb || sa.runs < 2 || sb.runs < 2) return null;
  const va = sa.sd ** 2 / sa.runs,
    vb = sb.sd ** 2 / sb.runs;
  const se = Math.sqrt(va + vb);
  if (!(se > 0)) return null;
  const df = (va + vb) ** 2 / (va ** 2 / (sa.runs - 1) + vb ** 2 / (sb.runs - 1));
  const difference = sa.mean - sb.mean;
  const t = difference / se;
  const half = tQuantile(0.975, df) * se;
  return { difference, interval: [difference - half, difference + half], t, df, pValue: 2 * (1 - tCdf(Math.abs(t), df)) };
}
