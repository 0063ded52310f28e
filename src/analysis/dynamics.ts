/**
 * Observables over training: for every checkpoint, every layer's D_eff, PR, alpha, switching
 * fraction, pattern entropy and complexity (from the previous layer, or from the input for the
 * first layer); then for each series fits/2 (core/inference/trendModels.ts: power law, power law
 * with offset, logistic in log t, compared by AICc, with bootstrap intervals), leaving out
 * flagged values (saturated, lower bounds); and dynamics/1's power law on log-log, kept as `fit`
 * (docs/observables.md section 6).
 */

import { gainValue, mapComplexity, type ComplexityOptions } from '../core/complexity/complexity.js';
import { InputError, type ResponseMatrix } from '../core/matrix.js';
import { fitPowerLaw, type PowerLawFit } from '../core/stats.js';
import { analyzeTrend, type TrendFit, type TrendModel } from '../core/inference/trendModels.js';
import { isLowerBound } from './complexityText.js';
import { profileGroup } from './profile.js';

export interface Checkpoint {
  step: number;
  layers: { name: string; matrix: ResponseMatrix }[];
  input: ResponseMatrix | null;
  source: string;
}

export interface DynamicsSeries {
  layer: string;
  observable: string;
  values: (number | null)[];
  /** Per checkpoint: a 95 % interval of the value (with `intervals`: grouped jackknife over the probe stimuli; complexity/3: its fold seeds' range), or null. */
  intervals?: ([number, number] | null)[];
  /** Per checkpoint: why its value is not fitted (e.g. 'saturated', 'lower bound'), or null. */
  flags: (string | null)[];
  /** dynamics/1: y = a t^b by least squares on ln y against ln t (t > 0, y > 0). */
  fit: PowerLawFit;
  /** fits/2: every candidate model with its parameters, intervals, AICc and residual runs. */
  fits: TrendFit[];
  /** The model with the lowest AICc (null: too few checkpoints). */
  selected: TrendModel | null;
  /** The steps fitted. */
  range: [number, number] | null;
  /** The power law's exponent on the lower and upper half of the range (in ln t). */
  exponentByHalf: { lower: number | null; upper: number | null } | null;
  warnings: string[];
  /** With several runs (analysis/dynamicsRuns.ts): the run and its group. */
  run?: string;
  group?: string;
}

export interface Dynamics {
  steps: number[];
  layers: string[];
  series: DynamicsSeries[];
}

export const DYNAMICS_OBSERVABLES = [
  'effectiveDimension',
  'participationRatio',
  'alpha',
  'switchingFraction',
  'entropyAll',
  'complexity',
  'complexityGain',
] as const;

export interface DynamicsOptions {
  seed?: number;
  /** Fit only checkpoints with t0 <= t <= t1 (default: every checkpoint with t > 0). */
  fitRange?: [number, number];
  /** Bootstrap resamples of the checkpoints behind the fits' intervals (default 200). */
  resamples?: number;
  /** Jackknife groups for per-checkpoint intervals of D_eff, PR, alpha, switching and S_all (0 or absent: none). */
  intervals?: number;
  /** Complexity's definition and knobs (default complexity/3 with 5 fold seeds). */
  complexity?: Omit<ComplexityOptions, 'seed'>;
  onProgress?: (done: number, total: number) => void;
}

export function trainingDynamics(checkpoints: Checkpoint[], opts: DynamicsOptions = {}): Dynamics {
  if (checkpoints.length === 0) throw new InputError('dynamics needs at least one checkpoint');
  const sorted = [...checkpoints].sort((a, b) => a.step - b.step);
  const names = sorted[0].layers.map((l) => l.name);
  for (const c of sorted) {
    const these = c.layers.map((l) => l.name);
    if (these.join('\u0000') !== names.join('\u0000'))
      throw new InputError(`${c.source}: layers ${these.join(', ')} differ from ${sorted[0].source}'s ${names.join(', ')}`);
  }
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i].step === sorted[i - 1].step) throw new InputError(`${sorted[i].source} and ${sorted[i - 1].source} are both step ${sorted[i].step}`);
  const seed = opts.seed ?? 0;
  const table = new Map<string, (number | null)[]>();
  const flags = new Map<string, (string | null)[]>();
  const flag = (layer: string, obs: string, i: number, why: string) => {
    const k = key(layer, obs);
    if (!flags.has(k)) flags.set(k, new Array(sorted.length).fill(null));
    flags.get(k)![i] = why;
  };
  const key = (layer: string, obs: string) => `${layer}\u0000${obs}`;
  const bounds = new Map<string, ([number, number] | null)[]>();
  const put = (layer: string, obs: string, i: number, v: number | null | undefined, iv?: { lo: number; hi: number } | null) => {
    const k = key(layer, obs);
    if (!table.has(k)) table.set(k, new Array(sorted.length).fill(null));
    table.get(k)![i] = v === undefined || v === null || !Number.isFinite(v) ? null : v;
    if (iv && Number.isFinite(iv.lo) && Number.isFinite(iv.hi)) {
      if (!bounds.has(k)) bounds.set(k, new Array(sorted.length).fill(null));
      bounds.get(k)![i] = [iv.lo, iv.hi];
    }
  };
  sorted.forEach((c, i) => {
    c.layers.forEach((l, li) => {
      const p = profileGroup({ name: l.name, trials: l.matrix, threshold: 0 }, { seed, intervals: opts.intervals, correctionMaxRank: 0 });
      const dv = p.intervals?.bounds,
        pv = p.patterns?.intervals?.bounds;
      put(l.name, 'effectiveDimension', i, p.effectiveDimension, dv?.effectiveDimension);
      put(l.name, 'participationRatio', i, p.participationRatio, dv?.participationRatio);
      put(l.name, 'alpha', i, p.alpha, dv?.alpha);
      put(l.name, 'switchingFraction', i, p.patterns?.switchingFraction, pv?.switchingFraction);
      put(l.name, 'entropyAll', i, p.patterns?.entropyAll, pv?.entropyAll);
      if (p.patterns?.saturated) flag(l.name, 'entropyAll', i, 'saturated');
      const from = li === 0 ? c.input : c.layers[li - 1].matrix;
      if (from) {
        try {
          const c = mapComplexity(from, l.matrix, { ...opts.complexity, seed });
          put(l.name, 'complexity', i, c.complexity, 'seedInterval' in c ? c.seedInterval : null);
          if (isLowerBound(c)) flag(l.name, 'complexity', i, 'lower bound');
          // The gain says whether a change of C is a change of pieces that matter.
          put(l.name, 'complexityGain', i, c.complexity === null ? null : gainValue(c));
        } catch (err) {
          if (!(err instanceof InputError)) throw err;
          put(l.name, 'complexity', i, null);
        }
      }
    });
    opts.onProgress?.(i + 1, sorted.length);
  });
  const steps = sorted.map((c) => c.step);
  const series: DynamicsSeries[] = [];
  for (const layer of names)
    for (const observable of DYNAMICS_OBSERVABLES) {
      const values = table.get(key(layer, observable));
      if (!values) continue;
      const why = flags.get(key(layer, observable)) ?? new Array(steps.length).fill(null);
      const trend = analyzeTrend(
        steps,
        values.map((v, i) => (why[i] ? null : v)),
        { seed, resamples: opts.resamples ?? 200, ...(opts.fitRange ? { range: opts.fitRange } : {}) },
      );
      const warnings: string[] = [];
      const flagged = why.filter(Boolean).length;
      if (flagged) warnings.push(`${flagged} of ${steps.length} checkpoints not fitted (${[...new Set(why.filter(Boolean))].join(', ')})`);
      if (trend.constant) warnings.push(`constant (${values.find((v, i) => v !== null && !why[i])} at every fitted checkpoint): no trend to fit`);
      else if (!trend.selected) warnings.push(`too few checkpoints to fit (${trend.points})`);
      const power = trend.fits.find((f) => f.model === 'power');
      if (trend.selected && trend.selected !== 'power' && power)
        warnings.push(`not a power law: ${trend.selected} is preferred by AICc (the power law is worse by ${power.deltaAicc.toFixed(1)})`);
      if (power && power.signRuns.pValue < 0.01)
        warnings.push(
          `the power law's residuals run in ${power.signRuns.runs} blocks of one sign (${power.signRuns.expected.toFixed(1)} expected; p = ${power.signRuns.pValue.toPrecision(2)})`,
        );
      series.push({
        layer,
        observable,
        values,
        ...(bounds.has(key(layer, observable)) ? { intervals: bounds.get(key(layer, observable))! } : {}),
        flags: why,
        fit: fitPowerLaw(
          steps,
          values.map((v, i) => (why[i] ? NaN : (v ?? NaN))),
        ),
        fits: trend.fits,
        selected: trend.selected,
        range: trend.points ? trend.range : null,
        exponentByHalf: trend.exponentByHalf,
        warnings,
      });
    }
  return { steps, layers: names, series };
}
