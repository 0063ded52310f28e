/**
 * Write small NWB 2.x files with h5wasm, following the NWB core schema for what neurorep reads:
 * session metadata, an electrodes table with locations and ElectrodeGroups, Units with ragged
 * spike_times and electrodes, TimeIntervals tables with numeric and string columns, and ophys
 * RoiResponseSeries. Used by `neurorep demo` and by the tests for cases the real files lack.
 *
 * The file is written to a temporary name and renamed into place, so a failure never leaves a
 * half-written file under the final name.
 */

import { writeAtomically } from '../../src/io/files.js';
import { randomUUID } from 'node:crypto';
import type { H5Group } from './h5.js';
import { h5 } from './h5Node.js';

export type IndexDtype = '<i' | '<I' | '<q' | '<Q' | '<H' | '<h';

export interface NwbSpec {
  identifier: string;
  sessionDescription: string;
  sessionStartTime?: string;
  nwbVersion?: string;
  electrodes?: { location: string[]; group: string[]; columns?: Record<string, number[] | string[]> };
  units?: {
    spikeTimes: Float64Array[];
    /** Electrode row of each unit (one per unit, stored ragged with an index). */
    electrodes?: number[];
    indexDtype?: IndexDtype;
    columns?: Record<string, number[] | string[]>;
    /** Shape to store spike_times with (default 1-D): tests build files the schema does not allow with it. */
    spikeTimesShape?: number[];
  };
  intervals?: Record<string, { start: number[]; stop: number[]; columns?: Record<string, number[] | string[]>; description?: string }>;
  ophys?: { name: string; container: 'DfOverF' | 'Fluorescence'; data: Float64Array; frames: number; rois: number; rate: number; startingTime?: number };
  /** Extra datasets (e.g. a large unrelated array) as path -> Float32Array with shape. */
  extra?: { path: string; data: Float32Array; shape: number[] }[];
}

function typed(values: number[], dtype: IndexDtype): ArrayBufferView {
  switch (dtype) {
    case '<i':
      return Int32Array.from(values);
    case '<I':
      return Uint32Array.from(values);
    case '<q':
      return BigInt64Array.from(values, (v) => BigInt(v));
    case '<Q':
      return BigUint64Array.from(values, (v) => BigInt(v));
    case '<H':
      return Uint16Array.from(values);
    case '<h':
      return Int16Array.from(values);
  }
}

function tag(g: { create_attribute: H5Group['create_attribute'] }, type: string, namespace = 'core'): void {
  g.create_attribute('neurodata_type', type);
  g.create_attribute('namespace', namespace);
  g.create_attribute('object_id', randomUUID());
}

function column(g: H5Group, name: string, values: number[] | string[] | Float64Array, description: string): void {
  const ds =
    typeof values[0] === 'string' || (values.length === 0 && Array.isArray(values))
      ? g.create_dataset({ name, data: values as string[] })
      : g.create_dataset({ name, data: Float64Array.from(values as number[]) });
  tag(ds, 'VectorData', 'hdmf-common');
  ds.create_attribute('description', description);
}

/** Create a group and any missing parents (h5wasm creates one level at a time). */
function ensureGroup(root: H5Group, path: string): H5Group {
  let g = root;
  for (const part of path.split('/').filter(Boolean)) {
    const next = g.get(part);
    g = (next as H5Group | null) ?? g.create_group(part);
  }
  return g;
}

export async function writeNwbFile(path: string, spec: NwbSpec): Promise<void> {
  const mod = await h5();
  writeAtomically(path, (tmp) => {
    const f = new mod.File(tmp, 'w');
    try {
      f.create_attribute('nwb_version', spec.nwbVersion ?? '2.6.0');
      tag(f, 'NWBFile');
      const start = spec.sessionStartTime ?? '2026-01-01T00:00:00+00:00';
      f.create_dataset({ name: 'identifier', data: spec.identifier });
      f.create_dataset({ name: 'session_description', data: spec.sessionDescription });
      f.create_dataset({ name: 'session_start_time', data: start });
      f.create_dataset({ name: 'timestamps_reference_time', data: start });
      f.create_dataset({ name: 'file_create_date', data: [new Date().toISOString()] });
      for (const g of ['acquisition', 'analysis', 'processing', 'stimulus/presentation', 'stimulus/templates', 'general', 'intervals']) ensureGroup(f, g);

      let electrodesTable: H5Group | null = null;
      if (spec.electrodes) {
        const ecephys = ensureGroup(f, 'general/extracellular_ephys');
        const groupNames = [...new Set(spec.electrodes.group)];
        const device = ensureGroup(f, 'general/devices/probe');
        tag(device, 'Device');
        const groupRefs = new Map<string, unknown>();
        for (const name of groupNames) {
          const eg = ecephys.create_group(name);
          tag(eg, 'ElectrodeGroup');
          const i = spec.electrodes.group.indexOf(name);
          eg.create_attribute('location', spec.electrodes.location[i]);
          eg.create_attribute('description', `electrode group ${name}`);
          groupRefs.set(name, eg.create_reference());
        }
        const t = ecephys.create_group('electrodes');
        electrodesTable = t;
        tag(t, 'DynamicTable', 'hdmf-common');
        t.create_attribute('colnames', ['location', 'group', 'group_name', ...Object.keys(spec.electrodes.columns ?? {})]);
        t.create_attribute('description', 'metadata about extracellular electrodes');
        const n = spec.electrodes.location.length;
        const id = t.create_dataset({ name: 'id', data: Int32Array.from({ length: n }, (_, i) => i) });
        tag(id, 'ElementIdentifiers', 'hdmf-common');
        column(t, 'location', spec.electrodes.location, 'brain area of each electrode');
        const refs = spec.electrodes.group.map((g) => groupRefs.get(g));
        const gds = t.create_dataset({ name: 'group', data: refs as never });
        tag(gds, 'VectorData', 'hdmf-common');
        gds.create_attribute('description', 'the ElectrodeGroup of each electrode');
        column(t, 'group_name', spec.electrodes.group, 'name of the ElectrodeGroup');
        for (const [name, values] of Object.entries(spec.electrodes.columns ?? {})) column(t, name, values, name);
      }

      if (spec.units) {
        const u = f.create_group('units');
        tag(u, 'Units');
        u.create_attribute('description', 'units');
        const cols = ['spike_times', ...(spec.units.electrodes ? ['electrodes'] : []), ...Object.keys(spec.units.columns ?? {})];
        u.create_attribute('colnames', cols);
        const nUnits = spec.units.spikeTimes.length;
        const id = u.create_dataset({ name: 'id', data: Int32Array.from({ length: nUnits }, (_, i) => i) });
        tag(id, 'ElementIdentifiers', 'hdmf-common');
        const total = spec.units.spikeTimes.reduce((a, s) => a + s.length, 0);
        const flat = new Float64Array(total);
        const ends: number[] = [];
        let off = 0;
        for (const s of spec.units.spikeTimes) {
          flat.set(s, off);
          off += s.length;
          ends.push(off);
        }
        const st = u.create_dataset({ name: 'spike_times', data: flat, ...(spec.units.spikeTimesShape ? { shape: spec.units.spikeTimesShape } : {}) });
        tag(st, 'VectorData', 'hdmf-common');
        st.create_attribute('description', 'the spike times for each unit');
        const dtype = spec.units.indexDtype ?? '<i';
        const idx = u.create_dataset({ name: 'spike_times_index', data: typed(ends, dtype) as never, dtype });
        tag(idx, 'VectorIndex', 'hdmf-common');
        idx.create_attribute('target', st.create_reference() as never);
        if (spec.units.electrodes && electrodesTable) {
          const el = u.create_dataset({ name: 'electrodes', data: Int32Array.from(spec.units.electrodes) });
          tag(el, 'DynamicTableRegion', 'hdmf-common');
          el.create_attribute('description', 'the electrode of each unit');
          el.create_attribute('table', electrodesTable.create_reference() as never);
          const eidx = u.create_dataset({
            name: 'electrodes_index',
            data: typed(
              spec.units.electrodes.map((_, i) => i + 1),
              dtype,
            ) as never,
            dtype,
          });
          tag(eidx, 'VectorIndex', 'hdmf-common');
          eidx.create_attribute('target', el.create_reference() as never);
        }
        for (const [name, values] of Object.entries(spec.units.columns ?? {})) column(u, name, values, name);
      }

      for (const [name, t] of Object.entries(spec.intervals ?? {})) {
        const g = ensureGroup(f, `intervals/${name}`);
        tag(g, 'TimeIntervals');
        g.create_attribute('description', t.description ?? name);
        g.create_attribute('colnames', ['start_time', 'stop_time', ...Object.keys(t.columns ?? {})]);
        const id = g.create_dataset({ name: 'id', data: Int32Array.from({ length: t.start.length }, (_, i) => i) });
        tag(id, 'ElementIdentifiers', 'hdmf-common');
        column(g, 'start_time', t.start, 'start time of each interval, seconds');
        column(g, 'stop_time', t.stop, 'stop time of each interval, seconds');
        for (const [cname, values] of Object.entries(t.columns ?? {})) column(g, cname, values, cname);
      }

      if (spec.ophys) {
        const o = spec.ophys;
        const mod2 = ensureGroup(f, 'processing/ophys');
        tag(mod2, 'ProcessingModule');
        mod2.create_attribute('description', 'optical physiology');
        tag(ensureGroup(f, 'processing/ophys/ImageSegmentation'), 'ImageSegmentation');
        const seg = ensureGroup(f, 'processing/ophys/ImageSegmentation/PlaneSegmentation');
        tag(seg, 'PlaneSegmentation');
        seg.create_attribute('colnames', [] as never);
        seg.create_attribute('description', 'ROIs');
        const sid = seg.create_dataset({ name: 'id', data: Int32Array.from({ length: o.rois }, (_, i) => i) });
        tag(sid, 'ElementIdentifiers', 'hdmf-common');
        const c = ensureGroup(f, `processing/ophys/${o.container}`);
        tag(c, o.container);
        const s = c.create_group(o.name);
        tag(s, 'RoiResponseSeries');
        const data = s.create_dataset({ name: 'data', data: Float32Array.from(o.data), shape: [o.frames, o.rois], dtype: '<f' });
        data.create_attribute('unit', 'n.a.');
        data.create_attribute('conversion', 1.0);
        const t0 = s.create_dataset({ name: 'starting_time', data: o.startingTime ?? 0 });
        t0.create_attribute('rate', o.rate);
        t0.create_attribute('unit', 'seconds');
        const rois = s.create_dataset({ name: 'rois', data: Int32Array.from({ length: o.rois }, (_, i) => i) });
        tag(rois, 'DynamicTableRegion', 'hdmf-common');
        rois.create_attribute('table', seg.create_reference() as never);
        rois.create_attribute('description', 'ROIs');
      }

      for (const e of spec.extra ?? []) {
        const parent = e.path.split('/').slice(0, -1).join('/');
        if (parent) ensureGroup(f, parent);
        f.create_dataset({ name: e.path, data: e.data, shape: e.shape, dtype: '<f' });
      }
    } finally {
      f.close();
    }
  });
}
