/**
 * The NWB pipeline: open a recording, build stimulus-locked response matrices per brain area,
 * profile every area (every observable with its intervals, nulls and warnings), and the
 * complexity between consecutive areas when asked.
 */

import { alignmentHints, NwbFile, lockResponses, type LockedResponses, type LockOptions } from '../../adapters/nwb/index.js';
import type { RemoteOptions } from '../../adapters/remote/remoteFile.js';
import { mapComplexity, type ComplexityKnobs } from '../core/complexity/complexity.js';
import { InputError, type ResponseMatrix } from '../core/matrix.js';
import { defaultThreshold } from '../core/patterns/patterns.js';
import { inGroup, warning, type Warning } from '../core/warnings.js';
import type { StoredRepresentation } from '../store/runStore.js';
import { matchedCount } from './matching.js';
import { complexityRequest, groupSizeWarnings, profileGroup, stimulusFeatures, type GroupProfile, type Transition } from './profile.js';
import { areaRepresentations, representationOf, windowKey } from './representation.js';
import { groupScalars } from './summary.js';

export interface AnalyzeOptions extends LockOptions {
  seed?: number;
  /** Interval groups G (0 = none). */
  intervals?: number;
  /** Permutations for every null (0 = none). */
  nulls?: number;
  /** Complexity between consecutive areas (area A -> area B). */
  transitions?: boolean;
  /** Area order for the transitions (default: file order). */
  areaOrder?: string[];
  /** Permutations for complexity's null when it should differ from `nulls` (it is the costly observable; default `nulls`). */
  complexityNulls?: number;
  /** Interval groups for complexity when they should differ from `intervals` (default `intervals`). */
  complexityIntervals?: number;
  complexity?: ComplexityKnobs;
  /** Neurons for matched observables: a number, 'smallest' (the smallest area), or null. */
  matchNeurons?: number | 'smallest' | null;
  correctionMaxRank?: number;
  /** For http(s) URLs: block cache and retries (see adapters/remote/remoteFile.ts). */
  remote?: RemoteOptions;
  /** Every observable per area in sliding windows [t, t + width) for t = start, start + step, ... while t + width <= stop. */
  sliding?: SlidingWindows;
  /** Permutations for the nulls of each window (default: `nulls`). */
  slidingNulls?: number;
  onProgress?: (label: string, done: number, total: number) => void;
  log?: (line: string) => void;
}

export interface SlidingWindows {
  start: number;
  stop: number;
  step: number;
  width: number;
}

/** One window of a time-resolved analysis: per area, its scalar observables with intervals. */
export interface TimeWindow {
  start: number;
  stop: number;
  /** Rows (trials) kept in this window. */
  rows: number;
  groups: { name: string; n: number; d: number; values: Record<string, number | null>; intervals: Record<string, [number, number]>; warnings: string[] }[];
}

export interface TimeResolved extends SlidingWindows {
  align: string | null;
  windows: TimeWindow[];
}

/** The window starts of a sliding analysis (at most 1000). */
export function windowStarts(s: SlidingWindows): number[] {
  const out: number[] = [];
  for (let k = 0; ; k++) {
    const t = s.start + k * s.step;
    if (t + s.width > s.stop + 1e-9 * Math.max(1, Math.abs(s.stop))) break;
    out.push(Math.round(t * 1e9) / 1e9);
    if (out.length > 1000) throw new InputError(`\`sliding\`: more than 1000 windows; use a larger STEP`);
  }
  if (!out.length) throw new InputError(`\`sliding\` ${s.start},${s.stop},${s.step} \`width\` ${s.width}: no window fits (START + WIDTH must be <= STOP)`);
  return out;
}

export interface AnalyzeResult {
  params: Record<string, unknown>;
  session: ReturnType<NwbFile['session']>;
  sourceKind: 'spikes' | 'calcium';
  rowsTotal: number;
  rowsDroppedNaN: number;
  rowsDroppedInfinite: number;
  rowsDroppedStimulusNaN: number;
  rowsDroppedStimulusInfinite: number;
  rowsDroppedEmpty: number;
  /** Non-finite values read from the recording and left out (never counted as data). */
  nonFinite: LockedResponses['nonFinite'];
  groups: (GroupProfile & { neuronIds: number[] })[];
  transitions: Transition[];
  warnings: Warning[];
  /** The responses, for the human summary. */
  locked: LockedResponses;
  /** What the store keeps for comparisons (computed on demand). */
  representations: () => StoredRepresentation[];
  /** With --sliding: every observable per area over time. */
  timeResolved: TimeResolved | null;
  /** For a recording read over HTTP(S): what was fetched, and the server's identity of the file. */
  remote: { url: string; size: number; etag: string | null; fetchedBytes: number; requests: number } | null;
}

/** Options checked before any work: a window count over the limit never costs the main analysis. */
function slidingStarts(path: string, opts: AnalyzeOptions): number[] {
  if (opts.sliding && opts.bin !== undefined)
    throw new InputError(`${path}: \`sliding\` needs an interval table to align on; it cannot be combined with \`bin\``);
  return opts.sliding ? windowStarts(opts.sliding) : [];
}

/** Every observable per brain area of an NWB recording (a path or an http(s) URL). */
export async function analyzeNwb(path: string, opts: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  slidingStarts(path, opts);
  const nwb = await NwbFile.open(path, { remote: opts.remote });
  try {
    return analyzeOpenNwb(nwb, opts);
  } finally {
    nwb.close();
  }
}

/** Every observable per brain area of an NWB file already open (the browser app opens its own); the caller closes it. */
export function analyzeOpenNwb(nwb: NwbFile, opts: AnalyzeOptions = {}): AnalyzeResult {
  const path = nwb.path;
  const seed = opts.seed ?? 0;
  const starts = slidingStarts(path, opts);
  // Nothing computed from a file HDF5 could not read (a remote read failed, damaged bytes).
  const session = nwb.reading(() => nwb.session());
  const locked = nwb.reading(() => lockResponses(nwb, opts));
  const hints = nwb.reading(() => alignmentHints(nwb, locked));
  opts.log?.(
    `${path}: ${locked.groups.length} group${locked.groups.length === 1 ? '' : 's'}, ${locked.keptRows.length} rows${locked.rowsDroppedNaN ? ` (${locked.rowsDroppedNaN} dropped: NaN ${locked.align})` : ''}`,
  );
  const features = locked.stimulus ? stimulusFeatures(locked.stimulus.values, locked.stimulus.numeric) : undefined;
  const threshold = defaultThreshold(locked.source);
  const match = matchedCount(
    opts.matchNeurons,
    locked.groups.map((g) => g.matrix.d),
  );
  const groups = locked.groups.map((g) => ({
    ...profileGroup(
      {
        name: g.name,
        trials: g.matrix,
        stimulusIds: locked.stimulus?.values,
        stimulusFeatures: features,
        threshold,
        rowNoun: locked.table ? 'trials' : 'bins',
      },
      {
        seed,
        intervals: opts.intervals,
        nulls: opts.nulls,
        complexityNulls: opts.complexityNulls,
        complexityIntervals: opts.complexityIntervals,
        complexity: opts.complexity,
        matchNeurons: match,
        correctionMaxRank: opts.correctionMaxRank,
        onProgress: opts.onProgress,
      },
    ),
    neuronIds: g.neuronIds,
  }));
  const ordered = opts.transitions ? orderAreas(locked.groups, opts.areaOrder, path) : [];
  const warnings: Warning[] = groups.flatMap((g) => g.warnings);
  // Complexity between consecutive areas (area A -> area B), on the same single-trial rows.
  const transitions: Transition[] = [];
  for (let i = 0; i + 1 < ordered.length; i++) {
    const from = ordered[i],
      to = ordered[i + 1];
    try {
      const c = mapComplexity(from.matrix, to.matrix, {
        ...complexityRequest(opts),
        seed,
        onProgress: (label, d, t) => opts.onProgress?.(`${from.name} -> ${to.name}: ${label}`, d, t),
      });
      warnings.push(...inGroup(c.warnings, `${from.name} -> ${to.name}`));
      transitions.push({ from: from.name, to: to.name, ...c });
    } catch (err) {
      if (!(err instanceof InputError)) throw err; // a silent area has nothing to map
    }
  }
  warnings.push(...groupSizeWarnings(groups, 'areas'), ...nonFiniteWarnings(locked), ...hints.map((h) => warning('alignment-suspect', h)));
  // Time-resolved: the same observables (without matching or transitions) in every sliding window.
  let timeResolved: TimeResolved | null = null;
  const windowReps: StoredRepresentation[] = [];
  if (opts.sliding) {
    const windows: TimeWindow[] = [];
    starts.forEach((t, w) => {
      const lw = nwb.reading(() => lockResponses(nwb, { ...opts, window: [t, t + opts.sliding!.width] }));
      const feats = lw.stimulus ? stimulusFeatures(lw.stimulus.values, lw.stimulus.numeric) : undefined;
      const wGroups = lw.groups.map((g) => {
        const p = profileGroup(
          { name: g.name, trials: g.matrix, stimulusIds: lw.stimulus?.values, stimulusFeatures: feats, threshold, rowNoun: 'trials' },
          {
            seed,
            intervals: opts.intervals,
            nulls: opts.slidingNulls ?? opts.nulls,
            // No nulls in the windows means none for complexity either.
            complexityNulls: opts.slidingNulls === 0 ? 0 : opts.complexityNulls,
            complexityIntervals: opts.complexityIntervals,
            complexity: opts.complexity,
            correctionMaxRank: opts.correctionMaxRank,
            onProgress: (label, d, tot) => opts.onProgress?.(`window ${w + 1}/${starts.length} (${t} s) ${label}`, d, tot),
          },
        );
        // Made here rather than on demand: keeping every window's trial matrices for later would
        // hold more memory than their trial averages.
        windowReps.push(...representationOfGroup(windowKey(g.name, t), g.matrix, lw));
        return { name: p.name, n: p.n, d: p.d, ...groupScalars(p), warnings: p.warnings.map((x) => x.code) };
      });
      windows.push({ start: t, stop: Math.round((t + opts.sliding!.width) * 1e9) / 1e9, rows: lw.keptRows.length, groups: wGroups });
      opts.log?.(
        `window [${t}, ${windows[windows.length - 1].stop}) s: ${wGroups.map((g) => `${g.name} D_eff ${g.values.effectiveDimension?.toFixed(2) ?? '-'}`).join(', ')}`,
      );
    });
    timeResolved = { ...opts.sliding, align: locked.align, windows };
  }
  const params = {
    table: locked.table,
    align: locked.align,
    window: locked.window,
    groupBy: locked.groupBy,
    stimulus: locked.stimulus?.column ?? null,
    series: locked.series,
    bin: opts.bin ?? null,
    transitions: opts.transitions === true,
    areaOrder: opts.transitions ? ordered.map((g) => g.name) : null,
    threshold,
    seed,
    intervals: opts.intervals ?? 0,
    nulls: opts.nulls ?? 0,
    matchNeurons: match,
    complexityDefinition: opts.complexity?.definition ?? 3,
    sliding: opts.sliding ?? null,
  };
  return {
    params,
    session,
    sourceKind: locked.source,
    rowsTotal: locked.rowsTotal,
    rowsDroppedNaN: locked.rowsDroppedNaN,
    rowsDroppedInfinite: locked.rowsDroppedInfinite,
    rowsDroppedStimulusNaN: locked.rowsDroppedStimulusNaN,
    rowsDroppedStimulusInfinite: locked.rowsDroppedStimulusInfinite,
    rowsDroppedEmpty: locked.rowsDroppedEmpty,
    nonFinite: locked.nonFinite,
    groups,
    transitions,
    warnings,
    locked,
    representations: () => [...locked.groups.flatMap((g) => representationOfGroup(g.name, g.matrix, locked)), ...windowReps],
    timeResolved,
    remote: nwb.h.remote
      ? { url: path, size: nwb.h.remote.size, etag: nwb.h.remote.etag, fetchedBytes: nwb.h.remote.fetchedBytes, requests: nwb.h.remote.requests }
      : null,
  };
}

const rows = (k: number): string => `${k} row${k === 1 ? '' : 's'}`;

/** What the recording held that was not a finite number, and where it went. */
function nonFiniteWarnings(l: LockedResponses): Warning[] {
  const w: Warning[] = [];
  const where = l.table ? `${l.table}/${l.align}` : 'bins';
  if (l.rowsDroppedNaN) w.push(warning('nonfinite-dropped', `${rows(l.rowsDroppedNaN)} dropped: ${where} is NaN`));
  if (l.rowsDroppedInfinite) w.push(warning('nonfinite-dropped', `${rows(l.rowsDroppedInfinite)} dropped: ${where} is +-Infinity`));
  if (l.rowsDroppedStimulusNaN)
    w.push(warning('nonfinite-dropped', `${rows(l.rowsDroppedStimulusNaN)} dropped: the stimulus value ${l.stimulus?.column ?? ''} is NaN`));
  if (l.rowsDroppedStimulusInfinite)
    w.push(warning('nonfinite-dropped', `${rows(l.rowsDroppedStimulusInfinite)} dropped: the stimulus value ${l.stimulus?.column ?? ''} is +-Infinity`));
  const dead = l.nonFinite.deadRois;
  if (dead.length)
    w.push(
      warning(
        'nonfinite-dropped',
        `${l.series ?? 'trace'}: ${dead.length} ROI${dead.length > 1 ? 's' : ''} with no finite sample in any window left out (ROI ${dead.slice(0, 10).join(', ')}${dead.length > 10 ? ', ...' : ''}); the others are analyzed`,
      ),
    );
  if (l.nonFinite.spikeTimes) {
    const units = l.nonFinite.units;
    w.push(
      warning(
        'nonfinite-dropped',
        `/units/spike_times: ${l.nonFinite.spikeTimes} non-finite spike times dropped (unit id${units.length > 1 ? 's' : ''} ${units.slice(0, 10).join(', ')}${units.length > 10 ? ', ...' : ''})`,
      ),
    );
  }
  if (l.nonFinite.traceSamples)
    w.push(warning('nonfinite-dropped', `${l.series ?? 'trace'}: ${l.nonFinite.traceSamples} non-finite samples left out of the window means`));
  return w;
}

/** The representation compared across runs: trial-averaged per stimulus id when stimuli are given, else the rows with their table row numbers as ids. */
function representationOfGroup(name: string, trials: ResponseMatrix, l: LockedResponses): StoredRepresentation[] {
  if (!l.stimulus) return representationOf(name, trials, l.keptRows, { preferMatrix: true });
  return areaRepresentations(name, trials, l.stimulus.values);
}

/** The groups in the requested order (every name must exist), or in file order. */
function orderAreas<T extends { name: string }>(groups: T[], order: string[] | undefined, path: string): T[] {
  if (!order) return groups;
  return order.map((name) => {
    const g = groups.find((x) => x.name === name);
    if (!g) throw new InputError(`${path}: \`areaOrder\` names '${name}', but the areas are: ${groups.map((x) => x.name).join(', ')}`);
    return g;
  });
}
