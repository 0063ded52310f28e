/**
 * Grouped (delete-a-group) jackknife intervals for any scalar observable.
 *
 * The units (stimuli, or stimuli with all their repeats) are dealt at random into G groups; each
 * replicate recomputes the observables without one group. The standard error is the grouped
 * jackknife's, se^2 = (G - 1) / G * sum_g (theta_g - mean)^2 (Quenouille 1956; Efron & Stein 1981
 * show it is biased upwards, i.e. conservative), and the 95 % interval is
 * estimate +- t(0.975, G - 1) * se. It therefore always contains its own point estimate, and no
 * replicate ever holds a duplicated stimulus (a bootstrap resample does, which biases D_eff low and
 * lets a stimulus sit in a training and a test fold at once).
 *
 * What an interval covers is the expectation of its estimator at this sample size: for a plug-in
 * observable that is its finite-sample mean, for a bias-corrected one the population value.
 * `npm run coverage` measures both (docs/coverage.md).
 */

import { tQuantile } from '../special.js';
import { Rng } from '../random.js';
import { type Interval } from './resampling.js';

export interface IntervalSummary {
  method: 'grouped-jackknife';
  /** Groups G: replicate g leaves out group g. */
  groups: number;
  seed: number;
  /** Replicates skipped because every observable was undefined on them. */
  skipped: number;
  /** 95 % intervals, estimate +- t(0.975, G' - 1) * se (G' = replicates where it was defined). */
  bounds: Record<string, Interval>;
  /** Grouped-jackknife standard errors. */
  standardErrors: Record<string, number>;
  /** Observables whose interval is not estimate +- t se, with how it was made instead. */
  methods?: Record<string, string>;
  /**
   * Observables with an estimate but no interval, and why: too few units for a jackknife interval
   * (fewer than MIN_JACKKNIFE_UNITS: with 3 stimuli every replicate of D_eff is 1 and the interval
   * would collapse to a point), or fewer than 2 replicates defined it.
   */
  unavailable?: Record<string, string>;
}

/** Deal `units` at random into `groups` groups of (almost) equal size: group of each unit. */
export function jackknifeGroups(units: number, groups: number, seed: number): Int32Array {
  if (groups < 2 || groups > units) throw new RangeError(`need 2 <= groups <= units, got ${groups} groups for ${units} units`);
  const perm = new Rng(seed).permutation(units);
  const g = new Int32Array(units);
  for (let r = 0; r < units; r++) g[perm[r]] = r % groups;
  return g;
}

/** The unit indices outside group `left` (the units a replicate keeps), in order. */
export function keptUnits(groupOf: Int32Array, left: number): Int32Array {
  let count = 0;
  for (let i = 0; i < groupOf.length; i++) if (groupOf[i] !== left) count++;
  const out = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < groupOf.length; i++) if (groupOf[i] !== left) out[k++] = i;
  return out;
}

/** t(0.975, df), the multiplier of a 95 % interval. */
export function t975(df: number): number {
  return tQuantile(0.975, df);
}

/**
 * Intervals of every scalar in `estimates` from G leave-one-group-out replicates. `replicate(g)`
 * returns the observables without group g (null or NaN where undefined), or null to skip the
 * replicate altogether.
 */
export function jackknifeIntervals(
  estimates: Record<string, number | null | undefined>,
  groups: number,
  seed: number,
  replicate: (left: number) => Record<string, number | null | undefined> | null,
  onProgress?: (done: number, total: number) => void,
  /** The units dealt into the groups (stimuli): below MIN_JACKKNIFE_UNITS no interval is made. */
  units?: number,
): IntervalSummary & { replicates: Map<string, number[]> } {
  const draws = new Map<string, number[]>();
  let skipped = 0;
  if (units !== undefined && units < MIN_JACKKNIFE_UNITS) {
    const unavailable: Record<string, string> = {};
    const why = `only ${units} stimuli: too few for a jackknife interval (at least ${MIN_JACKKNIFE_UNITS})`;
    for (const [k, est] of Object.entries(estimates)) if (typeof est === 'number' && Number.isFinite(est)) unavailable[k] = why;
    return { method: 'grouped-jackknife', groups, seed, skipped: 0, bounds: {}, standardErrors: {}, unavailable, replicates: draws };
  }
  for (let g = 0; g < groups; g++) {
    const values = replicate(g);
    onProgress?.(g + 1, groups);
    if (!values) {
      skipped++;
      continue;
    }
    for (const [k, v] of Object.entries(values)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      if (!draws.has(k)) draws.set(k, []);
      draws.get(k)!.push(v);
    }
  }
  const bounds: Record<string, Interval> = {};
  const standardErrors: Record<string, number> = {};
  const unavailable: Record<string, string> = {};
  for (const [k, est] of Object.entries(estimates)) {
    const v = draws.get(k);
    if (typeof est !== 'number' || !Number.isFinite(est)) continue;
    if (!v || v.length < 2) {
      unavailable[k] = `${v?.length ?? 0} of ${groups} leave-one-group-out replicates define it (at least 2 needed)`;
      continue;
    }
    const g = v.length;
    const mean = v.reduce((a, b) => a + b, 0) / g;
    const se = Math.sqrt(((g - 1) / g) * v.reduce((a, b) => a + (b - mean) ** 2, 0));
    const half = t975(g - 1) * se;
    standardErrors[k] = se;
    bounds[k] = { lo: est - half, hi: est + half };
  }
  return {
    method: 'grouped-jackknife',
    groups,
    seed,
    skipped,
    bounds,
    standardErrors,
    ...(Object.keys(unavailable).length ? { unavailable } : {}),
    replicates: draws,
  };
}

/**
 * Fewest units (stimuli) a jackknife interval is made from. Below it the replicates are degenerate
 * (D_eff of 2 stimuli is 1 whatever they are, so 3 stimuli give a point interval) and t on so few
 * degrees of freedom is no interval anyone should read. With enough units, equal replicates are
 * real (an exact copy has CKA 1 in every replicate) and the point interval stands.
 */
export const MIN_JACKKNIFE_UNITS = 10;

/** One `intervals-unavailable` message for the observables of a summary that have no interval, by reason; null when every interval exists. */
export function unavailableIntervals(s: IntervalSummary | undefined): string | null {
  const entries = Object.entries(s?.unavailable ?? {});
  if (entries.length === 0) return null;
  const byReason = new Map<string, string[]>();
  for (const [k, why] of entries) byReason.set(why, [...(byReason.get(why) ?? []), k]);
  return `no 95% interval for ${[...byReason].map(([why, ks]) => `${ks.join(', ')} (${why})`).join('; ')}; more stimuli give intervals`;
}

/** Drop the replicate values before a summary goes into a record. */
export function withoutReplicates(s: IntervalSummary & { replicates?: Map<string, number[]> }): IntervalSummary {
  const { replicates: _r, ...rest } = s;
  return rest;
}
