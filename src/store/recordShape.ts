/**
 * What every run record is, wherever it is made (the CLI, the browser app): the head it starts
 * with, `assembleRecord`, which joins a head and a body and checks the result against its kind's
 * schema before anything stores or prints it, the upgrade of records stored by earlier versions,
 * and the bounds a stored record keeps. No I/O.
 */

import { InputError } from '../core/matrix.js';
import { assertRecord, type RunRecord } from './schema.js';

export interface SourceInfo {
  path: string;
  sha256: string;
  kind: string;
}

/** The common head of every run record. */
export interface RecordHead {
  id: string;
  kind: string;
  createdAt: string;
  toolkitVersion: string;
  source: SourceInfo | SourceInfo[];
  params: Record<string, unknown>;
  batch?: { id: string; key: string };
}

/** A complete run record from its head and computed body, checked against the kind's schema (throws naming the first field that does not fit). */
export function assembleRecord(head: RecordHead, body: object): RunRecord {
  const record = { ...head, ...body };
  // Checked in the form that is stored and printed: JSON, where non-finite numbers are null.
  assertRecord(JSON.parse(JSON.stringify(record, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))));
  return record as RunRecord;
}

/**
 * A record as stored by an earlier version, in today's shape: interval summaries moved from the
 * key `bootstrap` (bounds under `intervals`) to `intervals` (bounds under `bounds`) on 2026-12-02.
 * Anything else is returned as it is; a record in today's shape comes back unchanged.
 */
export function upgradeRecord(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(upgradeRecord);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'bootstrap' && isLegacySummary(v)) {
      const { intervals: bounds, ...rest } = v;
      out.intervals = { ...rest, bounds };
    } else out[k] = upgradeRecord(v);
  }
  return out;
}

/** An interval summary in the pre-2026-12-02 shape: bounds under `intervals`, a seed, a skipped count. */
function isLegacySummary(v: unknown): v is { intervals: unknown } & Record<string, unknown> {
  if (!v || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return typeof o.intervals === 'object' && o.intervals !== null && typeof o.seed === 'number' && !('bounds' in o);
}

/** Deepest nesting and longest string a stored record may have (SQLite's JSON functions stop at depth 1000; the viewer draws every name). */
export const MAX_RECORD_DEPTH = 64;
export const MAX_RECORD_STRING = 65536;

/**
 * Throws an InputError when a record (or any parsed JSON) nests deeper or holds a longer string
 * than the store takes. Iterative: a hostile depth cannot overflow the stack here.
 */
export function assertStorable(record: unknown, what = 'the run record'): void {
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: record, depth: 0, path: '$' }];
  while (stack.length) {
    const { v, depth, path } = stack.pop()!;
    if (depth > MAX_RECORD_DEPTH) throw new InputError(`${what} nests deeper than ${MAX_RECORD_DEPTH} levels (at ${path.slice(0, 200)}); not stored`);
    if (typeof v === 'string') {
      if (v.length > MAX_RECORD_STRING)
        throw new InputError(`${what} holds a text of ${v.length} characters at ${path.slice(0, 200)} (at most ${MAX_RECORD_STRING}); not stored`);
    } else if (Array.isArray(v)) {
      // Long arrays of numbers are data (spectra, curves): only their nesting and strings are bounded.
      for (let i = v.length - 1; i >= 0; i--)
        if (v[i] !== null && typeof v[i] !== 'number' && typeof v[i] !== 'boolean') stack.push({ v: v[i], depth: depth + 1, path: `${path}[${i}]` });
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k.length > MAX_RECORD_STRING) throw new InputError(`${what} has a key of ${k.length} characters under ${path.slice(0, 200)}; not stored`);
        stack.push({ v: x, depth: depth + 1, path: `${path}.${k.slice(0, 40)}` });
      }
    }
  }
}
