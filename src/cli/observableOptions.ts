/**
 * Options shared by the computing commands (intervals, nulls, matched neuron counts, the
 * complexity definition and its knobs), their parsing, and the text that shows intervals, nulls and
 * warnings the same way everywhere.
 */

import type { ComplexityOptions } from '../core/complexity/complexity.js';
import type { NullSummary } from '../core/inference/permutation.js';
import type { Interval } from '../core/inference/resampling.js';
import type { Warning } from '../core/warnings.js';
import { UsageError, type OptionSpec, type OptionSpecs } from './args.js';
import { fmt } from './context.js';
import { withFlags } from '../report/flags.js';
import { printable } from './text.js';

export { printable } from './text.js';

/** `--intervals [G]`: grouped-jackknife 95 % intervals over G groups of stimuli. */
export function intervalOptions(of: string) {
  return {
    intervals: {
      type: 'integer',
      min: 2,
      implicit: 20,
      arg: 'G',
      help: `95% intervals of ${of} by a grouped jackknife over G groups of stimuli (default 20 when given)`,
    },
  } as const satisfies OptionSpecs;
}

export const NULL_OPTION = {
  type: 'integer',
  min: 1,
  implicit: 99,
  arg: 'N',
  help: 'permutation null with N seeded shuffles: mean, sd and p-value beside each observable (default 99 when given)',
} as const satisfies OptionSpec;

export const MATCH_OPTION = {
  type: 'string',
  implicit: 'smallest',
  arg: 'D',
  help: 'also every observable at D neurons (default: the smallest group), averaged over random subsets',
} as const satisfies OptionSpec;

export const CORRECTION_OPTION = {
  type: 'integer',
  min: 0,
  arg: 'R',
  help: 'largest rank the D_eff correction calibrates by simulation (default 256; cost grows as R^3); larger ranks, and more neurons than stimuli, take the deterministic equivalent (a few seconds); 0 = no correction',
} as const satisfies OptionSpec;

/** Options of the complexity observable (used by complexity, analyze and network). */
export const COMPLEXITY_OPTIONS = {
  definition: {
    type: 'integer',
    choices: [1, 2, 3],
    arg: '1|2|3',
    help: 'complexity definition: 3 (default), 2 or 1 (to reproduce runs made before 2026-12-02 or 2026-11-26)',
  },
  repeats: {
    type: 'integer',
    min: 1,
    arg: 'R',
    help: 'complexity over R fold seeds: the median C with their range (default 5; definitions 1 and 2: mean and sd, default 1)',
  },
  resolutions: { type: 'string', arg: 'D,D,...', help: 'complexity/3: resolutions of the scale curve (default 1e-4 ... 0.1, a log grid)' },
  standardize: { type: 'boolean', help: 'z-score every feature before complexity (per-feature units matter otherwise)' },
  resolution: { type: 'number', min: 0, arg: 'DELTA', help: 'complexity/2 and /3: smallest held-out gain (fraction of variance) that counts (default 2e-4)' },
  components: { type: 'integer', min: 1, arg: 'M', help: 'complexity: input principal components (default: all up to 256; definition 1: min(p, 32))' },
} as const satisfies OptionSpecs;

export function intervalsOf(args: { options: { intervals?: number } }): number {
  const o = args.options;
  return o.intervals ?? 0;
}

export function nullsOf(args: { options: { null?: number } }): number {
  return args.options.null ?? 0;
}

export function matchOf(args: { options: { 'match-neurons'?: string } }): number | 'smallest' | null {
  const v = args.options['match-neurons'];
  if (v === undefined) return null;
  if (v === 'smallest') return 'smallest';
  const d = Number(v);
  if (!Number.isInteger(d) || d < 1) throw new UsageError(`--match-neurons expects a whole number of neurons >= 1, got '${v}'`);
  return d;
}

export function complexityOptionsOf(args: {
  options: { definition?: 1 | 2 | 3; repeats?: number; standardize?: boolean; resolution?: number; resolutions?: string; components?: number };
}): ComplexityOptions {
  const o = args.options;
  if (o.resolutions !== undefined && (o.definition ?? 3) !== 3)
    throw new UsageError('--resolutions belongs to complexity/3; drop --definition or use --definition 3');
  return {
    definition: o.definition ?? 3,
    ...(o.resolutions !== undefined ? { resolutions: parseResolutions(o.resolutions) } : {}),
    ...(o.components !== undefined ? { components: o.components } : {}),
    ...(o.repeats !== undefined ? { repeats: o.repeats } : {}),
    ...(o.standardize ? { standardize: true } : {}),
    ...(o.resolution !== undefined ? { resolution: o.resolution } : {}),
  };
}

/** The scale curve's resolutions: numbers in (0, 1), separated by commas. */
function parseResolutions(text: string): number[] {
  const values = text.split(',').map((v) => Number(v.trim()));
  if (values.length === 0 || values.some((v) => !Number.isFinite(v) || v <= 0 || v >= 1) || text.trim() === '')
    throw new UsageError(`--resolutions expects fractions of variance between 0 and 1 separated by commas (e.g. 1e-4,1e-3,1e-2), got '${text}'`);
  return [...new Set(values)].sort((a, b) => a - b);
}

/** `mean +- sd` of matched-subset observables; the mean alone without an sd, '-' without a mean. */
export function meanSdText(s: { mean?: number | null; sd?: number | null } | undefined): string {
  if (s?.mean === null || s?.mean === undefined) return '-';
  return `${fmt(s.mean)}${s.sd !== null && s.sd !== undefined ? ` +- ${fmt(s.sd)}` : ''}`;
}

/** `1.23 over ranks 2-40 (R^2 = 0.99)`, or `not reported` when the analysis gave no alpha (then no range means anything). */
export function alphaText(alpha: number | null, range: [number, number], r2?: number | null): string {
  if (alpha === null || !Number.isFinite(alpha)) return 'not reported';
  return `${fmt(alpha)} over ranks ${range[0]}-${range[1]}${r2 !== undefined ? ` (R^2 = ${fmt(r2, 3)})` : ''}`;
}

/** `   95% CI [lo, hi]` for a key of an interval summary, or ''. */
export function ciText(intervals: Record<string, Interval> | undefined, key: string): string {
  const iv = intervals?.[key];
  return iv ? `   95% CI [${fmt(iv.lo)}, ${fmt(iv.hi)}]` : '';
}

/** `   null mean m (sd s), p = p` or ''. */
export function nullText(n: NullSummary | null | undefined): string {
  return n ? `   null ${fmt(n.mean)} (sd ${fmt(n.sd)}), p = ${fmt(n.pValue, 2)} over ${n.samples} shuffles` : '';
}

/** Warning lines for text output (empty when there are none). */
export function warningLines(ws: readonly Warning[] | undefined, indent = '  '): string[] {
  if (!ws || ws.length === 0) return [];
  return ws.map((w) => printable(`${indent}warning [${w.code}]${w.group ? ` ${w.group}` : ''}: ${withFlags(w.message)}`));
}
