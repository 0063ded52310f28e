/**
 * The run shard's format, wherever a shard is written or read (the CLI, the browser app): its
 * parts, the text checksummed, and the checks of a shard read back. Float64 values travel as
 * base64 of their little-endian bytes, so they come back bit for bit. The sha256 is the caller's
 * (Node's is synchronous, a browser's is not). No I/O.
 */

import { InputError } from '../core/matrix.js';
import type { StoredRepresentation } from './runStore.js';
import { assertStorable, upgradeRecord } from './recordShape.js';
import { assertRecord, type RunRecord } from './schema.js';

export const SHARD_FORMAT = 'neurorep-run/1';

export interface ShardJson {
  format: string;
  /** sha256 of JSON.stringify([record, representations]): a shard edited after it was written is refused. */
  sha256?: string;
  record: unknown;
  representations: { name: string; stimulusIds: (string | number)[]; n: number; d: number; form: 'matrix' | 'gram'; values: string }[];
}

function toBase64(values: Float64Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function fromBase64(text: string, count: number, what: string): Float64Array {
  let raw: string;
  try {
    raw = atob(text);
  } catch {
    throw new InputError(`${what}: values are not base64`);
  }
  if (raw.length !== count * 8) throw new InputError(`${what}: expected ${count} float64 values, found ${raw.length} bytes`);
  const out = new Float64Array(count);
  const bytes = new Uint8Array(out.buffer);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return out;
}

/** A shard's record (as JSON stores it) and representations, and the text its sha256 is taken of. */
export function shardParts(record: RunRecord, representations: StoredRepresentation[]): { body: Omit<ShardJson, 'format' | 'sha256'>; checksummed: string } {
  const finite = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
  const body = {
    record: JSON.parse(JSON.stringify(record, finite)) as unknown,
    representations: representations.map((r) => ({ name: r.name, stimulusIds: r.stimulusIds, n: r.n, d: r.d, form: r.form, values: toBase64(r.values) })),
  };
  return { body, checksummed: checksummedText(body.record, body.representations) };
}

/** The shard's text from its parts and the sha256 (hex) of their checksummed text. */
export function shardText(body: Omit<ShardJson, 'format' | 'sha256'>, sha256: string): string {
  const json: ShardJson = { format: SHARD_FORMAT, sha256, ...body };
  return JSON.stringify(json);
}

/** The text a shard's sha256 is taken of. */
export function checksummedText(record: unknown, representations: unknown): string {
  return JSON.stringify([record, representations]);
}

/** A shard's JSON parsed and its format and bounds checked; its checksum is checked next, by the caller. */
export function parseShard(text: string, path: string): ShardJson {
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
  return json;
}

/** The message for a shard whose sha256 does not match its contents. */
export function changedShard(path: string): InputError {
  return new InputError(`${path}: the shard was changed after it was written (its sha256 does not match); nothing imported from it`);
}

/** A parsed shard whose checksum matched: its record (upgraded, checked) and representations. */
export function shardContents(json: ShardJson, path: string): { record: RunRecord; representations: StoredRepresentation[] } {
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
