/**
 * Run shards: one finished run (its record and the representations the store keeps for CKA) as a
 * single JSON file, written by `--out-record FILE` and merged into a store by `neurorep import`.
 * This is how runs made elsewhere (another machine, a cluster node that must not write the shared
 * SQLite file) reach a store. Float64 values travel as base64 of their little-endian bytes, so
 * they come back bit for bit.
 */

import { readFileSync, statSync } from 'node:fs';
import { sha256Hex } from '../io/files.js';
import { InputError } from '../core/matrix.js';
import type { StoredRepresentation } from './runStore.js';
import { assertStorable, upgradeRecord } from './record.js';
import { assertRecord, type RunRecord } from './schema.js';

export const SHARD_FORMAT = 'neurorep-run/1';

interface ShardJson {
  format: string;
  /** sha256 of JSON.stringify([record, representations]): a shard edited after it was written is refused. */
  sha256?: string;
  record: unknown;
  representations: { name: string; stimulusIds: (string | number)[]; n: number; d: number; form: 'matrix' | 'gram'; values: string }[];
}

function toBase64(values: Float64Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return Buffer.from(bytes).toString('base64');
}

function fromBase64(text: string, count: number, what: string): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== count * 8) throw new InputError(`${what}: expected ${count} float64 values, found ${bytes.length} bytes`);
  const out = new Float64Array(count);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** The shard text of a run. */
export function encodeShard(record: RunRecord, representations: StoredRepresentation[]): string {
  const finite = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
  const body = {
    record: JSON.parse(JSON.stringify(record, finite)) as unknown,
    representations: representations.map((r) => ({ name: r.name, stimulusIds: r.stimulusIds, n: r.n, d: r.d, form: r.form, values: toBase64(r.values) })),
  };
  const json: ShardJson = { format: SHARD_FORMAT, sha256: checksum(body.record, body.representations), ...body };
  return JSON.stringify(json);
}

function checksum(record: unknown, representations: unknown): string {
  return sha256Hex(JSON.stringify([record, representations]));
}

/** Largest shard read (500 MiB: JSON text must fit one V8 string, at most 2^29 - 24 characters). */
export const MAX_SHARD_BYTES = 500 * 2 ** 20;

/** Parse and check a shard (format, record schema, representation sizes); `path` names it in errors. */
export function decodeShard(text: string, path: string): { record: RunRecord; representations: StoredRepresentation[] } {
  let json: ShardJson;
  try {
    json = JSON.parse(text) as ShardJson;
  } catch (err) {
    throw new InputError(`${path}: not a neurorep run shard (not JSON: ${(err as Error).message})`);
  }
  if (!json || typeof json !== 'object' || json.format !== SHARD_FORMAT)
    throw new InputError(`${path}: not a neurorep run shard (format is not '${SHARD_FORMAT}')`);
  // Before anything walks it recursively (the checksum, the schema) and before it reaches the store.
  try {
    assertStorable(json.record);
  } catch (err) {
    throw new InputError(`${path}: ${(err as Error).message}`);
  }
  if (json.sha256 !== checksum(json.record, json.representations))
    throw new InputError(`${path}: the shard was changed after it was written (its sha256 does not match); nothing imported from it`);
  try {
    json.record = upgradeRecord(json.record);
    assertRecord(json.record);
  } catch (err) {
    throw new InputError(`${path}: the run record does not match its schema: ${(err as Error).message.slice(0, 300)}`);
  }
  if (!Array.isArray(json.representations)) throw new InputError(`${path}: 'representations' must be a list`);
  const representations = json.representations.map((r, i) => {
    const what = `${path}: representation ${i}`;
    if (
      !r ||
      typeof r.name !== 'string' ||
      !Number.isInteger(r.n) ||
      !Number.isInteger(r.d) ||
      r.n < 1 ||
      r.d < 1 ||
      (r.form !== 'matrix' && r.form !== 'gram') ||
      !Array.isArray(r.stimulusIds) ||
      typeof r.values !== 'string'
    ) {
      throw new InputError(`${what}: needs name, n, d, form ('matrix' or 'gram'), stimulusIds and values`);
    }
    if (r.stimulusIds.length !== r.n) throw new InputError(`${what}: ${r.stimulusIds.length} stimulus ids for ${r.n} rows`);
    return { name: r.name, stimulusIds: r.stimulusIds, n: r.n, d: r.d, form: r.form, values: fromBase64(r.values, r.n * r.d, what) };
  });
  return { record: json.record as RunRecord, representations };
}

/** A shard's text: a regular file (a pipe or a device would never end) within the size a string can hold. */
export function readShardFile(path: string): string {
  const st = statSync(path);
  if (!st.isFile())
    throw new InputError(
      `${path}: not a regular file (${st.isFIFO() ? 'a pipe' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'a folder'}); a shard is a file written by \`outRecord\``,
    );
  if (st.size > MAX_SHARD_BYTES)
    throw new InputError(
      `${path}: ${(st.size / 2 ** 20).toFixed(0)} MiB, larger than a shard can be (at most ${MAX_SHARD_BYTES / 2 ** 20} MiB); it was not written by \`outRecord\``,
    );
  return readFileSync(path, 'utf8');
}
