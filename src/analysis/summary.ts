/**
 * Cross-session summary: one row per session x area of stored `analyze` runs, with every scalar
 * observable and its interval, for `neurorep summary` and the viewer's summary page.
 */

import { gainOf, type ComplexityLike } from './complexityText.js';
import type { RunRecord } from '../store/schema.js';

export interface SummaryRow {
  runId: string;
  /** The session's file name (the last part of its path or URL): what the user gave batch. */
  session: string;
  /** The NWB file's own identifier (often a UUID). */
  identifier: string;
  area: string;
  /**
   * Whether the area is a grouping that means the same in every session (brain areas, a units
   * column): only then are sessions pooled per area. Fallback groups ('all' when a file has no
   * locations, an ophys series) are kept per session.
   */
  pooled: boolean;
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
  'complexityGain',
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
  complexity?: ComplexityLike & { intervals?: Intervals };
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
    complexityGain: num(g.complexity?.complexity) === null ? null : (gainOf(g.complexity)?.absolute ?? null),
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
  if (values.complexityGain !== null) take('complexityGain', gainOf(g.complexity)?.interval ?? g.complexity?.intervals?.bounds?.gain);
  return { values, intervals };
}

/** Rows of every analyze run given (other kinds are left out), sessions in the given order. */
export function summaryRows(records: RunRecord[]): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const r of records) {
    if (r.kind !== 'analyze') continue;
    const path = Array.isArray(r.source) ? r.source[0].path : r.source.path;
    const session = fileName(path) || r.session.identifier;
    const groupBy = (r.params as { groupBy?: unknown }).groupBy;
    const pooled = groupBy !== 'none' && groupBy !== 'series';
    for (const g of r.groups) {
      const { values, intervals } = groupScalars(g);
      rows.push({ runId: r.id, session, identifier: r.session.identifier, area: g.name, pooled, neurons: g.d, stimuli: g.n, values, intervals });
    }
  }
  return rows;
}

/** The last part of a path or URL (without a query). */
function fileName(path: string): string {
  const clean = path.replace(/[?#].*$/, '').replace(/\/+$/, '');
  return clean.slice(clean.lastIndexOf('/') + 1);
}

/** The name an area is pooled under: its own when it means the same across sessions, else with its session. */
export function poolName(r: Pick<SummaryRow, 'area' | 'session' | 'pooled'>): string {
  return r.pooled ? r.area : `${r.area} (${r.session})`;
}

/** Per area: how many sessions, and the mean and sd of an observable over them (fallback groups per session). */
export function areaSpread(rows: SummaryRow[], key: string): { area: string; sessions: number; mean: number | null; sd: number | null }[] {
  const byArea = new Map<string, number[]>();
  for (const r of rows) {
    const v = r.values[key];
    const area = poolName(r);
    if (!byArea.has(area)) byArea.set(area, []);
    if (v !== null && v !== undefined) byArea.get(area)!.push(v);
  }
  return [...byArea].map(([area, v]) => {
    const mean = v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
    const sd = v.length > 1 && mean !== null ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : null;
    return { area, sessions: v.length, mean, sd };
  });
}
