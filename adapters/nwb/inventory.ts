/** What an NWB file holds, for `neurorep info`: a scientist's inventory, not a tree dump. */

import type { NwbFile, Session, RoiSeriesInfo, ElectricalSeriesInfo } from './reader.js';

export interface NwbInventory {
  path: string;
  kind: 'nwb';
  bytes: number;
  session: Session;
  units: {
    count: number;
    spikes: number;
    spikesPerUnit: number[];
    columns: string[];
    areas: { name: string; units: number }[] | null;
    /** Columns of the electrodes table the units refer to (each can be a --group-by). */
    electrodeColumns: string[];
    hasObsIntervals: boolean;
  } | null;
  intervals: { path: string; rows: number; columns: string[]; columnStats: ColumnStats[] }[];
  ophys: (RoiSeriesInfo & { rois: number })[];
  ecephys: ElectricalSeriesInfo[];
  stimulus: { presentation: string[]; templates: string[] };
  unrecognised: { path: string; neurodataType: string }[];
}

/** What one interval-table column holds, to choose --stimulus and --align without guessing. */
export interface ColumnStats {
  name: string;
  /** number, string, ragged (several values per row), reference, or other. */
  type: string;
  distinct: number | null;
  /** Rows per distinct value: min, median, max (null for ragged and reference columns). */
  repeats: { min: number; median: number; max: number } | null;
  /** Up to four distinct values, in order of first appearance. */
  examples: (string | number)[];
}

/**
 * A column that could name each row's stimulus: at least two values, each on at least two rows
 * (the repeats cvPCA needs), and not a time.
 */
export function isStimulusCandidate(c: ColumnStats): boolean {
  return !!c.repeats && c.distinct !== null && c.distinct >= 2 && c.repeats.min >= 2 && !/_time$/.test(c.name);
}

/** Distinct values and repeats of a column's values (NaN counted as one value). */
export function columnStats(name: string, type: string, values: readonly (string | number)[] | null): ColumnStats {
  if (!values) return { name, type, distinct: null, repeats: null, examples: [] };
  const counts = new Map<string | number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const per = [...counts.values()].sort((a, b) => a - b);
  const mid = per.length ? (per.length % 2 ? per[(per.length - 1) / 2] : (per[per.length / 2 - 1] + per[per.length / 2]) / 2) : 0;
  return {
    name,
    type,
    distinct: counts.size,
    repeats: per.length ? { min: per[0], median: mid, max: per[per.length - 1] } : null,
    examples: [...counts.keys()].slice(0, 4),
  };
}

function tableColumnStats(nwb: NwbFile, table: string, names: string[]): ColumnStats[] {
  return names.map((name) => {
    if (!nwb.hasColumn(table, name)) return columnStats(name, 'missing', null);
    try {
      const c = nwb.column(table, name);
      if (c.kind === 'number' && c.shape.length === 1) return columnStats(name, 'number', Array.from(c.values));
      if (c.kind === 'string') return columnStats(name, 'string', c.values);
      return columnStats(name, c.kind === 'number' ? `number ${c.shape.join(' x ')}` : c.kind, null);
    } catch {
      return columnStats(name, 'unreadable', null);
    }
  });
}

export function nwbInventory(nwb: NwbFile): NwbInventory {
  let units: NwbInventory['units'] = null;
  if (nwb.hasUnits()) {
    const { ends, total } = nwb.spikeIndex();
    const perUnit = Array.from(ends, (e, i) => e - (i === 0 ? 0 : ends[i - 1]));
    const locs = nwb.unitLocations();
    let areas: { name: string; units: number }[] | null = null;
    if (locs) {
      const m = new Map<string, number>();
      for (const l of locs) m.set(l || '(no location)', (m.get(l || '(no location)') ?? 0) + 1);
      areas = [...m].map(([name, count]) => ({ name, units: count }));
    }
    const info = nwb.table('/units');
    units = {
      count: ends.length,
      spikes: total,
      spikesPerUnit: perUnit,
      columns: info.colnames,
      areas,
      electrodeColumns: nwb.unitElectrodeColumns(),
      hasObsIntervals: nwb.hasColumn('/units', 'obs_intervals'),
    };
  }
  return {
    path: nwb.path,
    kind: 'nwb',
    bytes: nwb.h.size,
    session: nwb.session(),
    units,
    intervals: nwb.intervalTables().map((p) => {
      const t = nwb.table(p);
      return { path: p, rows: t.rows, columns: t.colnames, columnStats: tableColumnStats(nwb, p, t.colnames) };
    }),
    ophys: nwb.roiSeries().map((s) => ({ ...s, rois: s.shape[1] ?? 1 })),
    ecephys: nwb.electricalSeries(),
    stimulus: nwb.stimulusEntries(),
    unrecognised: nwb.unrecognisedTypes(),
  };
}
