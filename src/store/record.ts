/**
 * Run records made in Node: the head every record starts with (a fresh id, now, this version, the
 * sources, parameters, batch) and `toRunRecord`, which joins a head and a body through
 * recordShape.ts (shared with the browser app) and checks the result against its kind's schema.
 */

import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { sha256File } from '../io/files.js';
import { toolkitVersion } from '../package.js';
import type { RunRecord } from './schema.js';
import { assembleRecord, type RecordHead, type SourceInfo } from './recordShape.js';

export { assertStorable, assembleRecord, MAX_RECORD_DEPTH, MAX_RECORD_STRING, upgradeRecord, type RecordHead, type SourceInfo } from './recordShape.js';

/** Describe an input file for the run record; `hash` gives a digest started earlier (see sha256Later). */
export function sourceOf(path: string, kind: string, hash?: () => string): SourceInfo {
  return { path: resolve(path), sha256: hash ? hash() : sha256File(path), kind };
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
  return assembleRecord(recordHead(kind, source, params), body);
}
