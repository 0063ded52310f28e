/**
 * The one home of run records: the head every record starts with (id, kind, time, version,
 * sources, parameters, batch), and `toRunRecord`, which joins a head and a body and checks the
 * result against the schema of its kind before anything stores or prints it.
 */

import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { sha256File } from '../io/files.js';
import { toolkitVersion } from '../package.js';
import { assertRecord, type RunRecord } from './schema.js';

export interface SourceInfo {
  path: string;
  sha256: string;
  kind: string;
}

/** Describe an input file for the run record; `hash` gives a digest started earlier (see sha256Later). */
export function sourceOf(path: string, kind: string, hash?: () => string): SourceInfo {
  return { path: resolve(path), sha256: hash ? hash() : sha256File(path), kind };
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

/** A new record head: a fresh id, now, this version. Inside `neurorep batch`, the batch id and resume key. */
export function recordHead(kind: string, source: SourceInfo | SourceInfo[], params: Record<string, unknown>): RecordHead {
  const batch =
    process.env.NEUROREP_BATCH_ID && process.env.NEUROREP_BATCH_KEY
      ? { batch: { id: process.env.NEUROREP_BATCH_ID, key: process.env.NEUROREP_BATCH_KEY } }
      : {};
  return { id: randomUUID(), kind, createdAt: new Date().toISOString(), toolkitVersion: toolkitVersion(), source, params, ...batch };
}

/**
 * A complete run record of `kind` from its sources, parameters and computed body, checked against
 * the kind's schema (throws naming the first field that does not fit).
 */
export function toRunRecord(kind: string, source: SourceInfo | SourceInfo[], params: Record<string, unknown>, body: object): RunRecord {
  const record = { ...recordHead(kind, source, params), ...body };
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
