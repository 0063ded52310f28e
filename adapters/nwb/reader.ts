/**
 * NWB 2.x reader over h5wasm: session metadata, DynamicTables (units, electrodes, intervals,
 * plane segmentations) with ragged columns, ophys RoiResponseSeries and ecephys series.
 *
 * Ragged columns follow NWB's convention: index[i] is the end (exclusive) of row i's slice in the
 * data. Indexes are read once and data in few large slices, never one HDF5 call per row.
 */

import { areaName } from './locations.js';
import type { RemoteOptions } from '../remote/remoteFile.js';
import type { Hdf5Reader } from './h5.js';
import { openHdf5File, openHdf5Url } from './h5Node.js';

export interface Session {
  nwbVersion: string;
  identifier: string;
  sessionDescription: string;
  sessionStartTime: string;
}

/** One column of a DynamicTable, read on demand. */
export type ColumnValues =
  | { kind: 'number'; values: Float64Array; shape: number[] }
  | { kind: 'string'; values: string[] }
  | { kind: 'reference'; values: (string | null)[] }
  | { kind: 'ragged'; ends: Float64Array; inner: ColumnValues };

export interface TableInfo {
  path: string;
  neurodataType: string;
  rows: number;
  colnames: string[];
  description: string;
}

export interface ElectricalSeriesInfo {
  path: string;
  neurodataType: string;
  shape: number[];
  rate: number | null;
  startingTime: number | null;
  hasTimestamps: boolean;
  unit: string | null;
}

export interface RoiSeriesInfo {
  path: string;
  name: string;
  /** DfOverF or Fluorescence. */
  container: string;
  shape: number[];
  rate: number | null;
  startingTime: number | null;
  hasTimestamps: boolean;
  roisTable: string | null;
}

/** Largest slice read at once from a ragged data column (values). */
const BULK_READ = 1 << 22;

/** http:// or https:// */
export function isUrl(path: string): boolean {
  return /^https?:\/\//i.test(path);
}

export class NwbFile {
  private constructor(readonly h: Hdf5Reader) {}

  get path(): string {
    return this.h.path;
  }

  /** Open an NWB file; not HDF5 or HDF5 without NWB root attributes is an input error. */
  static async open(path: string, opts: { remote?: RemoteOptions } = {}): Promise<NwbFile> {
    return NwbFile.fromReader(isUrl(path) ? await openHdf5Url(path, opts.remote) : await openHdf5File(path));
  }

  /** An NWB file over an open HDF5 file (closed here if it is not NWB): how the browser app opens its files. */
  static fromReader(h: Hdf5Reader): NwbFile {
    let version: string | undefined, type: string | undefined;
    try {
      version = h.attrString('/', 'nwb_version');
      type = h.neurodataType('/');
    } catch (err) {
      h.close();
      throw h.explain(err);
    }
    if (!version && type !== 'NWBFile') {
      h.close();
      h.fail('/', 'an HDF5 file without NWB attributes (no nwb_version or neurodata_type NWBFile on the root group); is it an NWB 2.x file?');
    }
    return new NwbFile(h);
  }

  /** Runs `read` on this file; an error of HDF5 on damaged data, or a failed remote read, becomes a message naming the file. */
  reading<T>(read: () => T): T {
    try {
      const value = read();
      this.h.intact();
      return value;
    } catch (err) {
      throw this.h.explain(err);
    }
  }

  close(): void {
    this.h.close();
  }

  session(): Session {
    const str = (p: string): string => {
      if (!this.h.dataset(p)) return '';
      try {
        return this.h.strings(p)[0] ?? '';
      } catch {
        return '';
      }
    };
    return {
      nwbVersion: this.h.attrString('/', 'nwb_version') ?? '',
      identifier: str('/identifier'),
      sessionDescription: str('/session_description'),
      sessionStartTime: str('/session_start_time'),
    };
  }

  // ---- DynamicTable -------------------------------------------------------------------------

  /** Describe a DynamicTable group: column names (colnames attribute, else datasets) and rows. */
  table(path: string): TableInfo {
    this.h.requireGroup(path, 'a table (DynamicTable group)');
    const attr = this.h.attr(path, 'colnames');
    let colnames: string[] = Array.isArray(attr) ? attr.map(String) : typeof attr === 'string' ? [attr] : [];
    if (colnames.length === 0) colnames = this.h.keys(path).filter((k) => k !== 'id' && !k.endsWith('_index') && this.h.dataset(`${path}/${k}`) !== null);
    // HDF5 has no checksums on these bytes: an empty column name or one with control characters is damage, not data.
    // eslint-disable-next-line no-control-regex
    const damaged = colnames.find((c) => c === '' || /[\u0000-\u001f\u007f\ufffd]/.test(c));
    if (damaged !== undefined)
      this.h.fail(path, `the column names are unreadable (${JSON.stringify(damaged)}): the file looks damaged (an interrupted or corrupted download?)`);
    let rows = 0;
    if (this.h.dataset(`${path}/id`)) rows = this.h.shape(`${path}/id`)[0] ?? 0;
    else if (colnames.length > 0 && this.h.dataset(`${path}/${colnames[0]}`)) rows = this.h.shape(`${path}/${colnames[0]}`)[0] ?? 0;
    return { path, neurodataType: this.h.neurodataType(path) ?? '', rows, colnames, description: this.h.attrString(path, 'description') ?? '' };
  }

  hasColumn(table: string, name: string): boolean {
    return this.h.dataset(`${table}/${name}`) !== null;
  }

  /** Row ids of a table (0..rows-1 when the id dataset is missing). */
  ids(table: string): Float64Array {
    if (this.h.dataset(`${table}/id`)) return this.h.numbers(`${table}/id`);
    return Float64Array.from({ length: this.table(table).rows }, (_, i) => i);
  }

  /** Read a column, following its `<name>_index` when it is ragged. */
  column(table: string, name: string): ColumnValues {
    const dataPath = `${table}/${name}`;
    if (!this.h.dataset(dataPath)) this.h.fail(dataPath, `no column '${name}' in table ${table} (columns: ${this.table(table).colnames.join(', ') || 'none'})`);
    const indexPath = `${dataPath}_index`;
    const inner = this.plainColumn(dataPath);
    if (!this.h.dataset(indexPath)) return inner;
    const ends = this.raggedEnds(indexPath, dataPath, lengthOf(inner));
    return { kind: 'ragged', ends, inner };
  }

  private plainColumn(path: string): ColumnValues {
    if (this.h.isStringDataset(path)) return { kind: 'string', values: this.h.strings(path) };
    if (this.h.isReferenceDataset(path)) return { kind: 'reference', values: this.h.referencePaths(path) };
    return { kind: 'number', values: this.h.numbers(path), shape: this.h.shape(path) };
  }

  /** A VectorIndex, checked: non-decreasing, non-negative, last end within the data. */
  raggedEnds(indexPath: string, dataPath: string, dataLength: number): Float64Array {
    const ends = this.h.numbers(indexPath);
    let prev = 0;
    for (let i = 0; i < ends.length; i++) {
      const e = ends[i];
      if (!Number.isInteger(e) || e < prev) this.h.fail(indexPath, `index must be non-decreasing whole numbers; entry ${i} is ${e} after ${prev}`);
      prev = e;
    }
    if (ends.length > 0 && ends[ends.length - 1] > dataLength) {
      this.h.fail(indexPath, `points past ${dataPath}: last index ${ends[ends.length - 1]} > ${dataLength} values`);
    }
    return ends;
  }

  // ---- Units ----------------------------------------------------------------------------------

  /** A dataset the NWB schema keeps 1-D: any other shape is an input error naming it (never flattened). */
  private assertVector(h5path: string, what: string): void {
    const shape = this.h.shape(h5path);
    if (shape.length !== 1) this.h.fail(h5path, `has shape ${shape.join(' x ') || '(scalar)'}; NWB keeps ${what} (a 1-D dataset), so it cannot be read as one`);
  }

  hasUnits(): boolean {
    return this.h.group('/units') !== null && this.h.dataset('/units/spike_times') !== null;
  }

  /** Number of spikes per unit and the index ends, checked against spike_times. */
  spikeIndex(): { ends: Float64Array; total: number } {
    this.assertVector('/units/spike_times', 'one spike time per element');
    const total = this.h.shape('/units/spike_times')[0] ?? 0;
    if (this.h.dataset('/units/spike_times_index')) this.assertVector('/units/spike_times_index', 'one end index per unit');
    if (!this.h.dataset('/units/spike_times_index')) {
      // A single unit may be stored without an index.
      const rows = this.table('/units').rows;
      if (rows === 1) return { ends: Float64Array.of(total), total };
      this.h.fail('/units/spike_times_index', `missing: expected the VectorIndex of /units/spike_times for ${rows} units`);
    }
    return { ends: this.raggedEnds('/units/spike_times_index', '/units/spike_times', total), total };
  }

  /** Spike times of every unit, sorted ascending per unit (all in memory; see forEachUnitSpikes). */
  spikeTimes(): Float64Array[] {
    const out: Float64Array[] = [];
    this.forEachUnitSpikes((u, times) => (out[u] = times));
    return out;
  }

  /**
   * Each unit's spike times, sorted ascending, handed to `visit` one unit at a time. Reads
   * /units/spike_times in slices of up to 4M values spanning many units each, so memory stays at
   * one slice however large the file. Non-finite times (NaN, +-Infinity) are dropped before
   * anything is counted; the return value says how many, and in which units.
   */
  forEachUnitSpikes(visit: (unit: number, times: Float64Array) => void): { dropped: number; units: number[] } {
    const dropped = { dropped: 0, units: [] as number[] };
    const { ends } = this.spikeIndex();
    let u = 0;
    while (u < ends.length) {
      const start = u === 0 ? 0 : ends[u - 1];
      let last = u;
      while (last + 1 < ends.length && ends[last + 1] - start <= BULK_READ) last++;
      const stop = ends[last];
      const chunk = stop > start ? this.h.numbers('/units/spike_times', [start, stop]) : new Float64Array(0);
      for (let k = u; k <= last; k++) {
        const a = (k === 0 ? 0 : ends[k - 1]) - start;
        const b = ends[k] - start;
        let times = chunk.slice(a, b);
        let finite = 0;
        for (let i = 0; i < times.length; i++) if (Number.isFinite(times[i])) finite++;
        if (finite < times.length) {
          dropped.dropped += times.length - finite;
          dropped.units.push(k);
          times = times.filter((v) => Number.isFinite(v));
        }
        if (!isSorted(times)) times.sort();
        visit(k, times);
      }
      u = last + 1;
    }
    return dropped;
  }

  /** Path of the electrodes table a region column points to (its `table` attribute), or the NWB default. */
  regionTable(regionPath: string): string {
    return this.h.attrReferencePath(regionPath, 'table') ?? '/general/extracellular_ephys/electrodes';
  }

  /** Brain-area label per electrode: the `location` column, else its ElectrodeGroup's location. */
  electrodeLocations(table: string): string[] | null {
    if (!this.h.group(table)) return null;
    const rows = this.table(table).rows;
    let locs: string[] | null = null;
    if (this.hasColumn(table, 'location')) {
      const c = this.column(table, 'location');
      if (c.kind === 'string') locs = c.values.map((s) => s.trim());
    }
    if ((!locs || locs.every((s) => s === '')) && this.hasColumn(table, 'group')) {
      const c = this.column(table, 'group');
      if (c.kind === 'reference') locs = c.values.map((p) => (p ? (this.h.attrString(p, 'location') ?? '').trim() : ''));
    }
    if (!locs || locs.length !== rows) return locs;
    return locs;
  }

  /**
   * Brain area of each unit: the location of its electrodes (the most common one when a unit
   * spans several), as an area name (see areaName), or null when the file has no electrode
   * information for units.
   */
  unitLocations(): string[] | null {
    if (!this.hasColumn('/units', 'electrodes')) return null;
    const locs = this.electrodeLocations(this.regionTable('/units/electrodes'));
    return locs ? this.perUnitElectrodeValue(locs.map(areaName)) : null;
  }

  /** Columns of the electrodes table the units refer to (for --group-by), or [] when there is none. */
  unitElectrodeColumns(): string[] {
    if (!this.hasColumn('/units', 'electrodes')) return [];
    const table = this.regionTable('/units/electrodes');
    return this.h.group(table) ? this.table(table).colnames : [];
  }

  /** A column of the electrodes table, per unit (the most common value over the unit's electrodes). */
  unitElectrodeColumn(name: string): string[] {
    const table = this.regionTable('/units/electrodes');
    const c = this.column(table, name);
    let values: string[];
    if (c.kind === 'string') values = c.values.map((v) => v.trim());
    else if (c.kind === 'number' && c.shape.length === 1) values = Array.from(c.values, String);
    else if (c.kind === 'reference') values = c.values.map((p) => (p ? (p.split('/').pop() ?? p) : ''));
    else this.h.fail(`${table}/${name}`, 'a grouping column must hold one number, string or reference per electrode');
    return this.perUnitElectrodeValue(values);
  }

  private perUnitElectrodeValue(perElectrode: string[]): string[] {
    const table = this.regionTable('/units/electrodes');
    const col = this.column('/units', 'electrodes');
    const nUnits = this.table('/units').rows;
    const perUnit: number[][] = [];
    if (col.kind === 'ragged' && col.inner.kind === 'number') {
      for (let u = 0; u < col.ends.length; u++) perUnit.push(Array.from(col.inner.values.subarray(u === 0 ? 0 : col.ends[u - 1], col.ends[u])));
    } else if (col.kind === 'number') {
      for (let u = 0; u < nUnits; u++) perUnit.push([col.values[u]]);
    } else {
      this.h.fail('/units/electrodes', 'expected row indices into the electrodes table');
    }
    return perUnit.map((rows, u) => {
      const counts = new Map<string, number>();
      for (const r of rows) {
        if (!Number.isInteger(r) || r < 0 || r >= perElectrode.length)
          this.h.fail('/units/electrodes', `unit ${u} refers to electrode row ${r}, but ${table} has ${perElectrode.length} rows`);
        counts.set(perElectrode[r], (counts.get(perElectrode[r]) ?? 0) + 1);
      }
      let best = '';
      let bestCount = -1;
      for (const [loc, c] of counts) if (c > bestCount) [best, bestCount] = [loc, c];
      return best;
    });
  }

  // ---- Intervals ------------------------------------------------------------------------------

  /** TimeIntervals tables under /intervals (trials, epochs, custom names). */
  intervalTables(): string[] {
    return this.h
      .keys('/intervals')
      .filter((k) => this.h.group(`/intervals/${k}`) && this.h.dataset(`/intervals/${k}/start_time`))
      .map((k) => `/intervals/${k}`);
  }

  // ---- ophys and ecephys ----------------------------------------------------------------------

  /** RoiResponseSeries under processing/<module>/(DfOverF|Fluorescence). DfOverF first. */
  roiSeries(): RoiSeriesInfo[] {
    const out: RoiSeriesInfo[] = [];
    for (const container of ['DfOverF', 'Fluorescence']) {
      for (const mod of this.h.keys('/processing')) {
        const cpath = `/processing/${mod}/${container}`;
        if (!this.h.group(cpath)) continue;
        for (const name of this.h.keys(cpath)) {
          const p = `${cpath}/${name}`;
          if (!this.h.group(p) || !this.h.dataset(`${p}/data`)) continue;
          out.push({
            path: p,
            name,
            container,
            shape: this.h.shape(`${p}/data`),
            ...this.timing(p),
            roisTable: this.h.dataset(`${p}/rois`) ? (this.h.attrReferencePath(`${p}/rois`, 'table') ?? null) : null,
          });
        }
      }
    }
    return out;
  }

  /** ElectricalSeries in /acquisition and in processing modules (LFP etc.). */
  electricalSeries(): ElectricalSeriesInfo[] {
    const out: ElectricalSeriesInfo[] = [];
    const consider = (p: string): void => {
      const type = this.h.neurodataType(p);
      if (type === 'ElectricalSeries' || type === 'SpikeEventSeries') {
        if (!this.h.dataset(`${p}/data`)) return;
        const { rate, startingTime, hasTimestamps } = this.timing(p);
        out.push({
          path: p,
          neurodataType: type,
          shape: this.h.shape(`${p}/data`),
          rate,
          startingTime,
          hasTimestamps,
          unit: this.h.attrString(`${p}/data`, 'unit') ?? null,
        });
      } else if (this.h.group(p) && (type === 'LFP' || type === 'FilteredEphys' || type === 'ProcessingModule')) {
        for (const k of this.h.keys(p)) consider(`${p}/${k}`);
      }
    };
    for (const k of this.h.keys('/acquisition')) consider(`/acquisition/${k}`);
    for (const k of this.h.keys('/processing')) consider(`/processing/${k}`);
    return out;
  }

  /** Sampling of a TimeSeries: starting_time + rate, or explicit timestamps. */
  timing(p: string): { rate: number | null; startingTime: number | null; hasTimestamps: boolean } {
    const hasTimestamps = this.h.dataset(`${p}/timestamps`) !== null;
    if (this.h.dataset(`${p}/starting_time`)) {
      return { rate: this.h.attrNumber(`${p}/starting_time`, 'rate') ?? null, startingTime: this.h.numbers(`${p}/starting_time`)[0] ?? 0, hasTimestamps };
    }
    return { rate: null, startingTime: null, hasTimestamps };
  }

  /** Sample times of a TimeSeries with n samples. */
  sampleTimes(p: string, n: number): Float64Array {
    if (this.h.dataset(`${p}/timestamps`)) {
      const t = this.h.numbers(`${p}/timestamps`);
      if (t.length !== n) this.h.fail(`${p}/timestamps`, `has ${t.length} entries for ${n} samples in ${p}/data`);
      for (let i = 0; i < t.length; i++) {
        if (!Number.isFinite(t[i])) this.h.fail(`${p}/timestamps`, `sample ${i} has time ${t[i]}; timestamps must be finite`);
        if (i > 0 && t[i] < t[i - 1])
          this.h.fail(`${p}/timestamps`, `sample ${i} (${t[i]} s) comes before sample ${i - 1} (${t[i - 1]} s); timestamps must be sorted`);
      }
      return t;
    }
    const { rate, startingTime } = this.timing(p);
    if (rate === null || !(rate > 0))
      this.h.fail(`${p}/starting_time`, 'missing or without a positive rate attribute; expected timestamps or starting_time + rate');
    return Float64Array.from({ length: n }, (_, i) => (startingTime ?? 0) + i / rate);
  }

  /** A 2-D series' data (samples x channels) as a row-major Float64Array, times conversion. */
  seriesData(p: string): { data: Float64Array; rows: number; cols: number } {
    const shape = this.h.shape(`${p}/data`);
    if (shape.length < 1 || shape.length > 2) this.h.fail(`${p}/data`, `expected a (time x channels) array, found shape (${shape.join(', ')})`);
    const data = this.h.numbers(`${p}/data`);
    const conversion = this.h.attrNumber(`${p}/data`, 'conversion') ?? 1;
    if (conversion !== 1) for (let i = 0; i < data.length; i++) data[i] *= conversion;
    return { data, rows: shape[0], cols: shape[1] ?? 1 };
  }

  /** neurodata types present in the file that neurorep does not read (extensions included). */
  unrecognisedTypes(): { path: string; neurodataType: string }[] {
    const known = new Set(KNOWN_TYPES);
    const out: { path: string; neurodataType: string }[] = [];
    const walk = (p: string, depth: number): void => {
      if (depth > 8) return;
      for (const k of this.h.keys(p)) {
        const child = p === '/' ? `/${k}` : `${p}/${k}`;
        if (child === '/specifications') continue;
        const type = this.h.neurodataType(child);
        if (type && !known.has(type)) out.push({ path: child, neurodataType: type });
        if (this.h.group(child)) walk(child, depth + 1);
      }
    };
    walk('/', 0);
    return out;
  }

  /** Paths under /stimulus/presentation and /stimulus/templates. */
  stimulusEntries(): { presentation: string[]; templates: string[] } {
    return {
      presentation: this.h.keys('/stimulus/presentation').map((k) => `/stimulus/presentation/${k}`),
      templates: this.h.keys('/stimulus/templates').map((k) => `/stimulus/templates/${k}`),
    };
  }
}

/** Types neurorep reads or that are plain NWB/HDMF structure (listed as recognised by `info`). */
const KNOWN_TYPES = [
  'NWBFile',
  'Units',
  'TimeIntervals',
  'DynamicTable',
  'DynamicTableRegion',
  'VectorData',
  'VectorIndex',
  'ElementIdentifiers',
  'ElectrodeGroup',
  'Device',
  'Subject',
  'ElectricalSeries',
  'LFP',
  'FilteredEphys',
  'SpikeEventSeries',
  'ProcessingModule',
  'Fluorescence',
  'DfOverF',
  'RoiResponseSeries',
  'ImageSegmentation',
  'PlaneSegmentation',
  'ImagingPlane',
  'OpticalChannel',
  'TimeSeries',
  'BehavioralEvents',
  'BehavioralTimeSeries',
  'Position',
  'SpatialSeries',
  'Images',
  'GrayscaleImage',
  'RGBImage',
  'RGBAImage',
  'Image',
  'OptogeneticStimulusSite',
  'OptogeneticSeries',
  'TwoPhotonSeries',
  'ImageSeries',
  'IntervalSeries',
  'BehavioralEpochs',
  'EventWaveform',
  'Clustering',
  'FeatureExtraction',
  'EventDetection',
  'LabMetaData',
  'ScratchData',
  'CSRMatrix',
  'DynamicTableRegion',
  'AlignedDynamicTable',
  'ElectrodesTable',
  'ImageReferences',
  'TimeSeriesReferenceVectorData',
];

function lengthOf(c: ColumnValues): number {
  switch (c.kind) {
    case 'number':
      return c.shape[0] ?? c.values.length;
    case 'string':
      return c.values.length;
    case 'reference':
      return c.values.length;
    case 'ragged':
      return c.ends.length;
  }
}

function isSorted(a: Float64Array): boolean {
  for (let i = 1; i < a.length; i++) if (a[i] < a[i - 1]) return false;
  return true;
}
