/**
 * Observables over training for several runs (seeds, datasets): each run's series and fits as
 * for one run, then per group of runs the across-run mean, spread and interval at every
 * checkpoint, the model preferred over all runs (summed AICc), each run's power-law exponent and
 * the pooled one with a t interval over runs, and Welch's test of two groups' exponents
 * (docs/observables.md 4.7). A run named `group/label` belongs to `group`; names without a slash
 * form one group.
 */

import { acrossRuns, welchTest, type AcrossRuns, type WelchTest } from '../core/inference/acrossRuns.js';
import { TREND_MODELS, trendValue, type TrendModel } from '../core/inference/trendModels.js';
import { InputError } from '../core/matrix.js';
import { trainingDynamics, type Checkpoint, type Dynamics, type DynamicsOptions, type DynamicsSeries } from './dynamics.js';

export interface DynamicsRunInput {
  name: string;
  checkpoints: Checkpoint[];
}

/** One group's series of one layer and observable, pooled over its runs. */
export interface PooledSeries {
  group: string;
  layer: string;
  observable: string;
  /** Runs of the group, in order. */
  runs: string[];
  /** Per checkpoint (the record's steps): across-run mean, standard deviation and 95 % t interval (null where fewer than one or two runs have a value). */
  mean: (number | null)[];
  sd: (number | null)[];
  intervals: ([number, number] | null)[];
  /** The model with the lowest AICc summed over the runs (null when a run has no fits). */
  selected: TrendModel | null;
  /** Summed AICc of each model over the runs, minus the selected model's. */
  deltaAicc: Partial<Record<TrendModel, number>>;
  /** The selected model's parameters across runs (each run's fit; mean and t interval over runs; the logistic's midpoint on ln t, sd in ln units). */
  params: Record<string, AcrossRuns>;
  /** The selected model's curve: at log-spaced steps over the common range, the mean of the runs' fitted values and its t interval. */
  curve: { step: number; value: number; interval: [number, number] | null }[];
  /** The power law's exponent b in each run (with its bootstrap interval over checkpoints) and pooled over runs. */
  exponent: { perRun: { run: string; b: number; interval: [number, number] | null }[]; pooled: AcrossRuns | null };
  warnings: string[];
}

/** Whether two groups' power-law exponents differ (Welch's t test over their runs' exponents). */
export interface ExponentComparison {
  layer: string;
  observable: string;
  groups: [string, string];
  test: WelchTest | null;
}

export interface DynamicsOfRuns extends Dynamics {
  runs: { name: string; group: string; steps: number[] }[];
  groups: string[];
  pooled: PooledSeries[];
  comparisons: ExponentComparison[];
}

/** The group of a run: its name up to the last '/', or 'all'. */
export function groupOf(name: string): string {
  const i = name.lastIndexOf('/');
  return i > 0 ? name.slice(0, i) : 'all';
}

export function dynamicsOfRuns(
  inputs: DynamicsRunInput[],
  opts: DynamicsOptions & { onRun?: (name: string, i: number, n: number) => void } = {},
): DynamicsOfRuns {
  if (inputs.length === 0) throw new InputError('dynamics needs at least one run');
  const names = new Set<string>();
  for (const r of inputs) {
    if (names.has(r.name)) throw new InputError(`two runs are named '${r.name}'; give each run its own name`);
    names.add(r.name);
  }
  const perRun: { name: string; group: string; d: Dynamics }[] = inputs.map((r, i) => {
    opts.onRun?.(r.name, i, inputs.length);
    return { name: r.name, group: groupOf(r.name), d: trainingDynamics(r.checkpoints, opts) };
  });
  const steps = [...new Set(perRun.flatMap((r) => r.d.steps))].sort((a, b) => a - b);
  const layers = [...new Set(perRun.flatMap((r) => r.d.layers))];
  // Every run's series on the union of the steps (null where the run has no checkpoint).
  const series: DynamicsSeries[] = perRun.flatMap((r) =>
    r.d.series.map((s) => {
      const at = new Map(r.d.steps.map((t, i) => [t, i]));
      const pick = <T>(v: T[], missing: T): T[] => steps.map((t) => (at.has(t) ? v[at.get(t)!] : missing));
      return { ...s, run: r.name, group: r.group, values: pick(s.values, null), flags: pick(s.flags, 'no checkpoint') };
    }),
  );
  const runs = perRun.map((r) => ({ name: r.name, group: r.group, steps: r.d.steps }));
  return { steps, layers, series, runs, ...poolRuns(steps, series, runs) };
}

/**
 * The pooled part of a several-run record from its runs' series: per group the across-run
 * summaries and fits, and the groups' exponents compared. Also re-pools a stored record (its
 * `steps`, `series` and `runs`) under the current definition without recomputing any observable.
 */
export function poolRuns(
  steps: number[],
  series: DynamicsSeries[],
  runs: { name: string; group: string }[],
): Pick<DynamicsOfRuns, 'groups' | 'pooled' | 'comparisons'> {
  const groups = [...new Set(runs.map((r) => r.group))];
  const pooled: PooledSeries[] = [];
  for (const group of groups) {
    const members = runs.filter((r) => r.group === group).map((r) => r.name);
    const keys = [...new Set(series.filter((s) => s.group === group).map((s) => `${s.layer}\u0000${s.observable}`))];
    for (const k of keys) {
      const [layer, observable] = k.split('\u0000');
      const these = series.filter((s) => s.group === group && s.layer === layer && s.observable === observable);
      pooled.push(poolSeries(group, layer, observable, steps, these, members));
    }
  }
  const comparisons: ExponentComparison[] = [];
  for (let i = 0; i < groups.length; i++)
    for (let j = i + 1; j < groups.length; j++)
      for (const p of pooled.filter((x) => x.group === groups[i])) {
        const q = pooled.find((x) => x.group === groups[j] && x.layer === p.layer && x.observable === p.observable);
        if (!q) continue;
        comparisons.push({
          layer: p.layer,
          observable: p.observable,
          groups: [groups[i], groups[j]],
          test: welchTest(
            p.exponent.perRun.map((r) => r.b),
            q.exponent.perRun.map((r) => r.b),
          ),
        });
      }
  return { groups, pooled, comparisons };
}

function poolSeries(group: string, layer: string, observable: string, steps: number[], these: DynamicsSeries[], members: string[]): PooledSeries {
  const warnings: string[] = [];
  const flaggedValue = (s: DynamicsSeries, i: number) => (s.flags[i] ? null : s.values[i]);
  const perStep = steps.map((_, i) => acrossRuns(these.map((s) => flaggedValue(s, i))));
  // Model choice over runs: independent runs' log-likelihoods add, so their AICc do.
  const totals: Partial<Record<TrendModel, number>> = {};
  for (const m of TREND_MODELS) {
    const fits = these.map((s) => s.fits.find((f) => f.model === m));
    if (fits.every((f) => f !== undefined)) totals[m] = fits.reduce((sum, f) => sum + f!.aicc, 0);
  }
  const entries = Object.entries(totals) as [TrendModel, number][];
  const selected = entries.length ? entries.reduce((b, e) => (e[1] < b[1] ? e : b))[0] : null;
  const deltaAicc: Partial<Record<TrendModel, number>> = {};
  if (selected) for (const [m, v] of entries) deltaAicc[m] = v - totals[selected]!;
  const chosen = selected ? these.map((s) => s.fits.find((f) => f.model === selected)!) : [];
  const params: Record<string, AcrossRuns> = {};
  if (chosen.length)
    for (const p of Object.keys(chosen[0].params)) {
      // The logistic's midpoint is a place on the ln t axis: pooled there (a geometric mean, its
      // interval exponentiated), so its interval never reaches below step 0.
      if (p === 'midpoint') {
        const ln = acrossRuns(chosen.map((f) => (f.params.midpoint > 0 ? Math.log(f.params.midpoint) : null)));
        if (ln)
          params[p] = {
            ...ln,
            mean: Math.exp(ln.mean),
            interval: ln.interval ? [Math.exp(ln.interval[0]), Math.exp(ln.interval[1])] : null,
            min: Math.exp(ln.min),
            max: Math.exp(ln.max),
          };
      } else params[p] = acrossRuns(chosen.map((f) => f.params[p]))!;
    }
  const ranges = these.map((s) => s.range).filter((r): r is [number, number] => r !== null);
  const curve: PooledSeries['curve'] = [];
  if (chosen.length && ranges.length === these.length) {
    const t0 = Math.max(...ranges.map((r) => r[0])),
      t1 = Math.min(...ranges.map((r) => r[1]));
    if (t1 > t0)
      for (let k = 0; k < 40; k++) {
        const t = t0 * (t1 / t0) ** (k / 39);
        const s = acrossRuns(chosen.map((f) => trendValue(f, t)))!;
        curve.push({ step: t, value: s.mean, interval: s.interval });
      }
  }
  const perRun = these.flatMap((s) => {
    const p = s.fits.find((f) => f.model === 'power');
    return p ? [{ run: s.run!, b: p.params.b, interval: p.intervals.b ?? null }] : [];
  });
  const pooledB = acrossRuns(perRun.map((r) => r.b));
  if (these.every((s) => s.fits.length === 0))
    warnings.push(`not fitted in any run (${these[0].warnings.find((w) => !w.includes('checkpoints not fitted')) ?? these[0].warnings[0] ?? 'no values'})`);
  if (these.length < 2) warnings.push('one run: the intervals are over checkpoints only; seed-to-seed variation is not in them');
  if (selected && selected !== 'power' && deltaAicc.power !== undefined)
    warnings.push(`not a power law over the runs: ${selected} is preferred by summed AICc (the power law is worse by ${deltaAicc.power.toFixed(1)})`);
  const disagree = new Set(these.map((s) => s.selected).filter(Boolean));
  if (disagree.size > 1) warnings.push(`the runs select different models (${these.map((s) => `${s.run}: ${s.selected}`).join(', ')})`);
  return {
    group,
    layer,
    observable,
    runs: members,
    mean: perStep.map((s) => s?.mean ?? null),
    sd: perStep.map((s) => (s && s.runs > 1 ? s.sd : null)),
    intervals: perStep.map((s) => s?.interval ?? null),
    selected,
    deltaAicc,
    params,
    curve,
    exponent: { perRun, pooled: pooledB },
    warnings,
  };
}
