/**
 * From an NWB file to stimulus-locked response matrices, one per brain area (or grouping value):
 * pick an interval table and an alignment column, count spikes (or average traces) in a window
 * after each alignment time, drop rows whose alignment is NaN, and split neurons into groups.
 */

import { InputError, responseMatrix, selectColumns, type ResponseMatrix } from '../../src/core/matrix.js';
import type { NwbFile } from './reader.js';
import { countUnitInWindows, samplesPerBin, traceMeansInBins, traceMeansInWindows } from './windows.js';

export interface LockOptions {
  /** Interval table name or path (default: trials, else the first table). */
  table?: string;
  /** Alignment column (default start_time). */
  align?: string;
  /** Window [a, b) in seconds after the alignment time (default [0, 0.25]). */
  window?: [number, number];
  /** 'location' or a units column (default: location when units have electrodes with locations). */
  groupBy?: string;
  /** Interval column giving each row's stimulus identity. */
  stimulus?: string;
  /** ophys series name (default: the first DfOverF series, else the first Fluorescence series). */
  series?: string;
  /** Without an interval table: consecutive bins of this many seconds are the rows. */
  bin?: number;
}

export interface NeuronGroup {
  /** Area or grouping value (from the file: escape it before showing it in HTML). */
  name: string;
  /** Rows (kept trials) x neurons in this group. */
  matrix: ResponseMatrix;
  /** Unit ids / ROI indices of the columns. */
  neuronIds: number[];
}

export interface LockedResponses {
  source: 'spikes' | 'calcium';
  /** The interval table used, or null when rows are time bins. */
  table: string | null;
  align: string;
  window: [number, number];
  groupBy: string;
  /** Rows in the table (or bins) before dropping. */
  rowsTotal: number;
  /** Rows dropped because the alignment time was NaN. */
  rowsDroppedNaN: number;
  /** Rows dropped because their window held no (finite) trace sample (ophys). */
  rowsDroppedEmpty: number;
  /** Rows dropped because the alignment time was +-Infinity. */
  rowsDroppedInfinite: number;
  /** Rows dropped because the stimulus value was NaN. */
  rowsDroppedStimulusNaN: number;
  /** Rows dropped because the stimulus value was +-Infinity. */
  rowsDroppedStimulusInfinite: number;
  /**
   * Non-finite spike times dropped (and the units they belonged to); non-finite trace samples left
   * out of means; ROIs (column indices) with no finite sample in any window, left out.
   */
  nonFinite: { spikeTimes: number; units: number[]; traceSamples: number; deadRois: number[] };
  /** Table row index of each kept row. */
  keptRows: number[];
  /** Alignment time (or bin start) of each kept row, seconds. */
  alignTimes: Float64Array;
  /** Stimulus identity per kept row, when a stimulus column was given. */
  stimulus: { column: string; values: (string | number)[]; numeric: boolean } | null;
  groups: NeuronGroup[];
  /** ophys series used. */
  series: string | null;
}

/** Resolve a table name ('trials', '/intervals/trials') against the file's interval tables. */
export function resolveTable(nwb: NwbFile, table: string | undefined): string | null {
  const tables = nwb.intervalTables();
  if (table === undefined) {
    if (tables.includes('/intervals/trials')) return '/intervals/trials';
    return tables[0] ?? null;
  }
  const path = table.startsWith('/') ? table : `/intervals/${table}`;
  if (!tables.includes(path)) {
    throw new InputError(`${nwb.path}: ${path}: no such interval table; the file has ${tables.length ? tables.join(', ') : 'no interval tables'}`);
  }
  return path;
}

/** Numeric values of an interval column (alignment), naming the path when it is not numeric. */
function numericColumn(nwb: NwbFile, table: string, name: string): Float64Array {
  const c = nwb.column(table, name);
  if (c.kind !== 'number' || c.shape.length !== 1)
    throw new InputError(`${nwb.path}: ${table}/${name}: expected one number per row (times in seconds) to align on`);
  return c.values;
}

/** Per-row stimulus identities (numbers or strings) of an interval column. */
function stimulusColumn(nwb: NwbFile, table: string, name: string): { values: (string | number)[]; numeric: boolean } {
  const c = nwb.column(table, name);
  if (c.kind === 'number' && c.shape.length === 1) return { values: Array.from(c.values), numeric: true };
  if (c.kind === 'string') return { values: c.values, numeric: false };
  throw new InputError(`${nwb.path}: ${table}/${name}: a stimulus column must hold one number or string per row`);
}

/** Most time bins `bin` may make, and most numbers (bins x units) in their matrix (512 MiB of doubles). */
export const MAX_BINS = 100_000;
export const MAX_BIN_CELLS = 64 * 1024 * 1024;

export function lockResponses(nwb: NwbFile, opts: LockOptions = {}): LockedResponses {
  const [a, b] = opts.window ?? [0, 0.25];
  if (!(b > a)) throw new InputError(`window [${a}, ${b}): the end must be after the start`);
  const hasUnits = nwb.hasUnits();
  const roi = nwb.roiSeries();
  if (!hasUnits && roi.length === 0) {
    throw new InputError(
      `${nwb.path}: /units: no units (spike_times) and no ophys RoiResponseSeries under /processing/*/DfOverF|Fluorescence; nothing to analyze`,
    );
  }
  const useOphys = !hasUnits || opts.series !== undefined;
  // The ophys series and its sample times, read once however many steps need them (span, bins, means).
  let ophys: { s: RoiSeries; times: Float64Array } | null = null;
  const series = (): { s: RoiSeries; times: Float64Array } => {
    if (!ophys) {
      const s = pickSeries(nwb, roi, opts.series);
      ophys = { s, times: nwb.sampleTimes(s.path, s.shape[0]) };
    }
    return ophys;
  };
  const alignName = opts.align ?? 'start_time';

  // Rows: the alignment times from an interval table, or consecutive bins.
  const table = opts.bin !== undefined ? null : resolveTable(nwb, opts.table);
  let align: Float64Array;
  /** Frames per bin when bins are cut by sample index (a regular trace, a whole number of frames per bin). */
  let binFrames: number | null = null;
  let stim: LockedResponses['stimulus'] = null;
  let rowsTotal: number;
  let window: [number, number] = [a, b];
  if (table) {
    align = numericColumn(nwb, table, alignName);
    rowsTotal = align.length;
    if (opts.stimulus) {
      const s = stimulusColumn(nwb, table, opts.stimulus);
      if (s.values.length !== rowsTotal) throw new InputError(`${nwb.path}: ${table}/${opts.stimulus}: ${s.values.length} values for ${rowsTotal} rows`);
      stim = { column: opts.stimulus, ...s };
    }
  } else {
    if (opts.stimulus)
      throw new InputError(
        `${nwb.path}: \`stimulus\` needs an interval table, but rows are time bins (the file has no /intervals table${opts.bin !== undefined ? ' or \`bin\` was given' : ''})`,
      );
    const width = opts.bin ?? b - a;
    if (!(width > 0)) throw new InputError(`\`bin\` must be positive, got ${width}`);
    const [t0, t1] = useOphys ? ophysSpan(series().times) : spikeSpan(nwb);
    let count = Math.max(0, Math.floor((t1 - t0) / width));
    // A regularly sampled trace cut into whole numbers of frames: bins by sample index.
    let indexTimes: Float64Array | null = null;
    if (useOphys) {
      const { times } = series();
      binFrames = samplesPerBin(times, width);
      if (binFrames !== null) {
        count = Math.floor(times.length / binFrames);
        indexTimes = Float64Array.from({ length: count }, (_, i) => times[i * binFrames!]);
      }
    }
    if (count < 2) throw new InputError(`${nwb.path}: the recording spans ${t1 - t0} s, fewer than 2 bins of ${width} s`);
    // Bounded before anything is allocated: the matrix is bins x units numbers.
    const columns = useOphys ? (series().s.shape[1] ?? 1) : nwb.spikeIndex().ends.length;
    if (count > MAX_BINS || count * columns > MAX_BIN_CELLS)
      throw new InputError(
        `${nwb.path}: \`bin\` ${width} s cuts the ${(t1 - t0).toFixed(1)} s recording into ${count} bins x ${columns} ${useOphys ? 'ROIs' : 'units'} = ${count * columns} numbers; at most ${MAX_BINS} bins and ${MAX_BIN_CELLS} numbers: use a bin of at least ${Math.max((t1 - t0) / MAX_BINS, ((t1 - t0) * columns) / MAX_BIN_CELLS).toPrecision(3)} s`,
      );
    align = indexTimes ?? Float64Array.from({ length: count }, (_, i) => t0 + i * width);
    window = [0, width];
    rowsTotal = count;
  }
  // Rows whose alignment time or numeric stimulus value is not finite (NaN or +-Infinity) are dropped and counted.
  const keptNaN: number[] = [];
  let nanAlign = 0,
    infAlign = 0,
    nanStim = 0,
    infStim = 0;
  for (let r = 0; r < align.length; r++) {
    const v = stim ? stim.values[r] : 0;
    if (Number.isNaN(align[r])) nanAlign++;
    else if (!Number.isFinite(align[r])) infAlign++;
    else if (typeof v === 'number' && Number.isNaN(v)) nanStim++;
    else if (typeof v === 'number' && !Number.isFinite(v)) infStim++;
    else keptNaN.push(r);
  }
  const alignKept = Float64Array.from(keptNaN, (r) => align[r]);
  if (align.length < 2) {
    const others = nwb.intervalTables().filter((p) => p !== table && nwb.table(p).rows >= 2);
    throw new InputError(
      `${nwb.path}: ${table}: has ${align.length} row${align.length === 1 ? '' : 's'}, and a response matrix needs at least 2; ${others.length ? `use another \`table\` (${others.join(', ')}) or ` : ''}cut the recording into time bins with \`bin SECONDS\``,
    );
  }
  if (keptNaN.length < 2) {
    const why = [
      nanAlign ? `${nanAlign} alignment times are NaN` : '',
      infAlign ? `${infAlign} are infinite` : '',
      nanStim ? `${nanStim} stimulus values are NaN` : '',
      infStim ? `${infStim} stimulus values are infinite` : '',
    ]
      .filter(Boolean)
      .join(', ');
    throw new InputError(
      `${nwb.path}: ${table}/${alignName}: of ${align.length} rows, ${why || 'too few remain'}; fewer than 2 rows are left (choose another \`align\` column${opts.table === undefined ? ', another \`table\`, or \`bin\`' : ''})`,
    );
  }
  const nonFinite = { spikeTimes: 0, units: [] as number[], traceSamples: 0, deadRois: [] as number[] };

  let groups: NeuronGroup[];
  let keptRows = keptNaN;
  let rowsDroppedEmpty = 0;
  let groupBy: string;
  let seriesPath: string | null = null;
  if (!useOphys) {
    const ids = Array.from(nwb.ids('/units'));
    const nUnits = nwb.spikeIndex().ends.length;
    const counts = new Float64Array(alignKept.length * nUnits);
    // One unit at a time: the spike times of the whole file are never all in memory.
    const dropped = nwb.forEachUnitSpikes((u, times) => countUnitInWindows(times, alignKept, window[0], window[1], counts, nUnits, u));
    nonFinite.spikeTimes = dropped.dropped;
    nonFinite.units = dropped.units.map((u) => ids[u]);
    const full = responseMatrix(alignKept.length, nUnits, counts);
    const grouping = unitGroups(nwb, opts.groupBy, ids.length);
    groupBy = grouping.by;
    groups = grouping.labels.map(({ name, units }) => ({ name, matrix: selectColumns(full, units), neuronIds: units.map((u) => ids[u]) }));
  } else {
    const { s, times } = series();
    seriesPath = s.path;
    const { data, cols } = nwb.seriesData(s.path);
    const { means, nonFiniteSamples } =
      binFrames !== null ? traceMeansInBins(data, cols, binFrames, alignKept.length) : traceMeansInWindows(times, data, cols, alignKept, window[0], window[1]);
    nonFinite.traceSamples = nonFiniteSamples;
    // An ROI with no finite sample in any window (a dead or masked cell) is left out and counted;
    // it must not empty every row.
    const live: number[] = [];
    for (let c = 0; c < cols; c++) {
      let any = false;
      for (let r = 0; r < alignKept.length && !any; r++) if (!Number.isNaN(means[r * cols + c])) any = true;
      if (any) live.push(c);
      else nonFinite.deadRois.push(c);
    }
    if (live.length === 0)
      throw new InputError(`${nwb.path}: ${s.path}: no ROI has a finite sample in any window (all ${cols} are NaN or infinite there); nothing to analyze`);
    const keep: number[] = [];
    for (let r = 0; r < alignKept.length; r++) if (live.every((c) => !Number.isNaN(means[r * cols + c]))) keep.push(r);
    rowsDroppedEmpty = alignKept.length - keep.length;
    keptRows = keep.map((r) => keptNaN[r]);
    const m = responseMatrix(
      keep.length,
      live.length,
      Float64Array.from({ length: keep.length * live.length }, (_, k) => means[keep[Math.floor(k / live.length)] * cols + live[k % live.length]]),
    );
    groupBy = 'series';
    groups = [{ name: s.name, matrix: m, neuronIds: live }];
  }
  if (stim) stim = { ...stim, values: keptRows.map((r) => stim!.values[r]) };
  return {
    source: useOphys ? 'calcium' : 'spikes',
    table,
    align: table ? alignName : 'bin start',
    window,
    groupBy,
    rowsTotal,
    rowsDroppedNaN: nanAlign,
    rowsDroppedInfinite: infAlign,
    rowsDroppedStimulusNaN: nanStim,
    rowsDroppedStimulusInfinite: infStim,
    rowsDroppedEmpty,
    nonFinite,
    keptRows,
    alignTimes: Float64Array.from(keptRows, (r) => align[r]),
    stimulus: stim,
    groups,
    series: seriesPath,
  };
}

/**
 * What a wrong alignment looks like, for responses locked to an interval table: every window holds
 * no spike while the recording has spikes (the column is relative to trial start, or on another
 * clock), or a window longer than the trials (milliseconds given as seconds). Asked once per
 * analysis, not per sliding window.
 */
export function alignmentHints(nwb: NwbFile, locked: LockedResponses): string[] {
  const { table, align: alignName, alignTimes: align, window } = locked;
  const groups = locked.source === 'spikes' ? locked.groups : null;
  const hints: string[] = [];
  if (table === null || align.length === 0) return hints;
  let lo = Infinity,
    hi = -Infinity;
  for (const t of align) {
    lo = Math.min(lo, t + window[0]);
    hi = Math.max(hi, t + window[1]);
  }
  if (groups && groups.length > 0 && groups.every((g) => g.matrix.data.every((v) => v === 0))) {
    const spikes = spikeRange(nwb);
    if (spikes) {
      const [first, last] = spikes;
      hints.push(
        `every window holds zero spikes: the windows span ${fmtSeconds(lo)} to ${fmtSeconds(hi)} s, the spikes ${fmtSeconds(first)} to ${fmtSeconds(last)} s; is ${table}/${alignName} a time relative to trial start, or on another clock? \`align\` takes absolute times (default start_time)`,
      );
    }
  }
  const length = window[1] - window[0];
  const durations: number[] = [];
  if (nwb.hasColumn(table, 'start_time') && nwb.hasColumn(table, 'stop_time')) {
    const start = nwb.column(table, 'start_time');
    const stop = nwb.column(table, 'stop_time');
    if (start.kind === 'number' && stop.kind === 'number')
      for (let i = 0; i < Math.min(start.values.length, stop.values.length); i++) {
        const d = stop.values[i] - start.values[i];
        if (Number.isFinite(d) && d > 0) durations.push(d);
      }
  }
  if (durations.length > 0) {
    durations.sort((a, b) => a - b);
    const median = durations[Math.floor(durations.length / 2)];
    if (length > 10 * median)
      hints.push(
        `the window is ${fmtSeconds(length)} s long, more than 10 times the median trial (${fmtSeconds(median)} s): \`window\` is in seconds (e.g. 0,0.25 for the first 250 ms)`,
      );
  }
  return hints;
}

const fmtSeconds = (t: number): string => Number(t.toPrecision(4)).toString();

type RoiSeries = ReturnType<NwbFile['roiSeries']>[number];

function pickSeries(nwb: NwbFile, roi: RoiSeries[], name: string | undefined): RoiSeries {
  if (roi.length === 0) throw new InputError(`${nwb.path}: no ophys RoiResponseSeries under /processing/*/DfOverF|Fluorescence`);
  if (name === undefined) return roi.find((s) => s.name === 'RoiResponseSeries') ?? roi[0];
  const s = roi.find((r) => r.name === name || r.path === name);
  if (!s) throw new InputError(`${nwb.path}: no RoiResponseSeries named '${name}'; the file has ${roi.map((r) => r.name).join(', ')}`);
  return s;
}

/** The first and last spike time of the recording, or null without spikes. */
function spikeRange(nwb: NwbFile): [number, number] | null {
  let lo = Infinity,
    hi = -Infinity;
  // Non-finite spike times are dropped by the reader (and counted where the counts are made).
  nwb.forEachUnitSpikes((_u, t) => {
    if (t.length === 0) return;
    lo = Math.min(lo, t[0]);
    hi = Math.max(hi, t[t.length - 1]);
  });
  return Number.isFinite(lo) ? [lo, hi] : null;
}

function spikeSpan(nwb: NwbFile): [number, number] {
  const span = spikeRange(nwb);
  if (!span) throw new InputError(`${nwb.path}: /units/spike_times: no spikes`);
  return span;
}

/** The time span of a trace: its first sample to one period after its last. */
function ophysSpan(t: Float64Array): [number, number] {
  const step = t.length > 1 ? t[1] - t[0] : 1;
  return [t[0], t[t.length - 1] + step];
}

/** Split units by brain area (electrode location) or by a units column; else one group 'all'. */
function unitGroups(nwb: NwbFile, groupBy: string | undefined, nUnits: number): { by: string; labels: { name: string; units: number[] }[] } {
  let labels: string[] | null = null;
  let by = groupBy ?? 'location';
  if (by === 'location') {
    labels = nwb.unitLocations();
    if (!labels) {
      if (groupBy === 'location')
        throw new InputError(`${nwb.path}: /units/electrodes: missing, so units have no brain-area location; use \`groupBy COLUMN\` or leave it out`);
      by = 'none';
    }
  } else if (!nwb.hasColumn('/units', by) && nwb.unitElectrodeColumns().includes(by)) {
    labels = nwb.unitElectrodeColumn(by);
  } else {
    if (!nwb.hasColumn('/units', by)) {
      const electrodes = nwb.unitElectrodeColumns();
      throw new InputError(
        `${nwb.path}: \`groupBy\` ${by}: no such units column (units columns: ${nwb.table('/units').colnames.join(', ')}${electrodes.length ? `; electrodes columns: ${electrodes.join(', ')}` : ''})`,
      );
    }
    const c = nwb.column('/units', by);
    if (c.kind === 'string') labels = c.values;
    else if (c.kind === 'number' && c.shape.length === 1) labels = Array.from(c.values, String);
    else throw new InputError(`${nwb.path}: /units/${by}: a grouping column must hold one number or string per unit`);
  }
  if (!labels) return { by, labels: [{ name: 'all', units: Array.from({ length: nUnits }, (_, i) => i) }] };
  if (labels.length !== nUnits)
    throw new InputError(`${nwb.path}: /units/${by === 'location' ? 'electrodes' : by}: ${labels.length} values for ${nUnits} units`);
  const order: string[] = [];
  const map = new Map<string, number[]>();
  labels.forEach((l, u) => {
    const name = l === '' ? '(no location)' : l;
    if (!map.has(name)) {
      map.set(name, []);
      order.push(name);
    }
    map.get(name)!.push(u);
  });
  return { by, labels: order.map((name) => ({ name, units: map.get(name)! })) };
}
