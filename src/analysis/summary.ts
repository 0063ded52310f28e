/**
 * Cross-session summary: one row per session x area of stored `analyze` runs, with every scalar
 * observable and its interval, for `neurorep summary` and the viewer's summary page.
 */

import type { RunRecord } from '../store/schema.js';

export interface SummaryRow {
  runId: string;
  session: string;
  area: string;
  neurons: number;
  stimuli: number;
  values: Record<string, number | null>;
  /** 95 % intervals where the run computed them (--intervals). */
  intervals: Record<string, [number, number]>;
}

/** The scalar observables of an area, in the order they are shown. */
export const SUMMARY_OBSERVABLES = [
  'effectiveDimension',
  'effectiveDimensionCorrected',
  'participationRatio',
  'alpha',
  'cvPcaEffectiveDimension',
  'switchingFraction',
  'entropyAll',
  'complexity',
] as const;

/** What groupScalars reads: a stored group (GroupRecord) and a fresh profile (GroupProfile) both have it. */
export interface Group {
  name: string;
  n: number;
  d: number;
  effectiveDimension?: number | null;
  effectiveDimensionCorrected?: number | null;
  participationRatio?: number | null;
  alpha?: number | null;
  cvPCA?: { effectiveDimension?: number | null; intervals?: Intervals };
  patterns?: { switchingFraction?: number | null; entropyAll?: number | null; intervals?: Intervals };
  complexity?: { complexity?: number | null; intervals?: Intervals };
  intervals?: Intervals;
}
type Intervals = { bounds?: Record<string, { lo: number | null; hi: number | null }> };

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** The scalar observables of one area (a group of an analyze record) and their 95 % intervals. */
export function groupScalars(g: Group): { values: SummaryRow['values']; intervals: SummaryRow['intervals'] } {
  const values: SummaryRow['values'] = {
    effectiveDimension: num(g.effectiveDimension),
    effectiveDimensionCorrected: num(g.effectiveDimensionCorrected),
    participationRatio: num(g.participationRatio),
    alpha: num(g.alpha),
    cvPcaEffectiveDimension: num(g.cvPCA?.effectiveDimension),
    switchingFraction: num(g.patterns?.switchingFraction),
    entropyAll: num(g.patterns?.entropyAll),
    complexity: num(g.complexity?.complexity),
  };
  const intervals: SummaryRow['intervals'] = {};
  const take = (key: string, iv: { lo: number | null; hi: number | null } | undefined) => {
    if (iv && num(iv.lo) !== null && num(iv.hi) !== null) intervals[key] = [iv.lo!, iv.hi!];
  };
  for (const k of ['effectiveDimension', 'effectiveDimensionCorrected', 'participationRatio', 'alpha']) take(k, g.intervals?.bounds?.[k]);
  take(
    'cvPcaEffectiveDimension',
    g.cvPCA?.intervals?.bounds?.effectiveDimension ?? g.intervals?.bounds?.cvEffectiveDimension ?? g.intervals?.bounds?.cvPcaEffectiveDimension,
  );
  take('switchingFraction', g.patterns?.intervals?.bounds?.switchingFraction);
  take('entropyAll', g.patterns?.intervals?.bounds?.entropyAll);
  take('complexity', g.complexity?.intervals?.bounds?.complexity);
  return { values, intervals };
}

/** Rows of every analyze run given (other kinds are left out), sessions in the given order. */
export function summaryRows(records: RunRecord[]): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const r of records) {
    if (r.kind !== 'analyze') continue;
    const session = r.session.identifier || (Array.isArray(r.source) ? r.source[0].path : r.source.path);
    for (const g of r.groups) {
      const { values, intervals } = groupScalars(g);
      rows.push({ runId: r.id, session, area: g.name, neurons: g.d, stimuli: g.n, values, intervals });
    }
  }
  return rows;
}

/** Per area: how many sessions, and the mean and sd of an observable over them. */
export function areaSpread(rows: SummaryRow[], key: string): { area: string; sessions: number; mean: number | null; sd: number | null }[] {
  const byArea = new Map<string, number[]>();
  for (const r of rows) {
    const v = r.values[key];
    if (!byArea.has(r.area)) byArea.set(r.area, []);
    if (v !== null && v !== undefined) byArea.get(r.area)!.push(v);
  }
  return [...byArea].map(([area, v]) => {
    const mean = v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
    const sd = v.length > 1 && mean !== null ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : null;
    return { area, sessions: v.length, mean, sd };
  });
}
