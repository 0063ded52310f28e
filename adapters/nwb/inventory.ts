/** What an NWB file holds, for `neurorep info`: a scientist's inventory, not a tree dump. */

import { statSync } from 'node:fs';
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
    hasObsIntervals: boolean;
  } | null;
  intervals: { path: string; rows: number; columns: string[] }[];
  ophys: (RoiSeriesInfo & { rois: number })[];
  ecephys: ElectricalSeriesInfo[];
  stimulus: { presentation: string[]; templates: string[] };
  unrecognised: { path: string; neurodataType: string }[];
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
    units = { count: ends.length, spikes: total, spikesPerUnit: perUnit, columns: info.colnames, areas, hasObsIntervals: nwb.hasColumn('/units', 'obs_intervals') };
  }
  return {
    path: nwb.path,
    kind: 'nwb',
    bytes: statSync(nwb.path).size,
    session: nwb.session(),
    units,
    intervals: nwb.intervalTables().map((p) => {
      const t = nwb.table(p);
      return { path: p, rows: t.rows, columns: t.colnames };
    }),
    ophys: nwb.roiSeries().map((s) => ({ ...s, rois: s.shape[1] ?? 1 })),
    ecephys: nwb.electricalSeries(),
    stimulus: nwb.stimulusEntries(),
    unrecognised: nwb.unrecognisedTypes(),
  };
}
