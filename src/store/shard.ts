/**
 * Run shards: one finished run (its record and the representations the store keeps for CKA) as a
 * single JSON file, written by `--out-record FILE` and merged into a store by `neurorep import`.
 * This is how runs made elsewhere (another machine, a cluster node that must not write the shared
 * SQLite file, the browser app) reach a store. The format is shardFormat.ts's.
 */

import { readFileSync, statSync } from 'node:fs';
import { sha256Hex } from '../io/files.js';
import { InputError } from '../core/matrix.js';
import type { StoredRepresentation } from './runStore.js';
import type { RunRecord } from './schema.js';
import { changedShard, checksummedText, parseShard, shardContents, shardParts, shardText } from './shardFormat.js';

export { SHARD_FORMAT } from './shardFormat.js';

/** The shard text of a run. */
export function encodeShard(record: RunRecord, representations: StoredRepresentation[]): string {
  const { body, checksummed } = shardParts(record, representations);
  return shardText(body, sha256Hex(checksummed));
}

/** Largest shard read (500 MiB: JSON text must fit one V8 string, at most 2^29 - 24 characters). */
export const MAX_SHARD_BYTES = 500 * 2 ** 20;

/** Parse and check a shard (format, checksum, record schema, representation sizes); `path` names it in errors. */
export function decodeShard(text: string, path: string): { record: RunRecord; representations: StoredRepresentation[] } {
  const json = parseShard(text, path);
  if (json.sha256 !== sha256Hex(checksummedText(json.record, json.representations))) throw changedShard(path);
  return shardContents(json, path);
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
