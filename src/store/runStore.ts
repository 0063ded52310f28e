/**
 * The results store: SQLite (better-sqlite3, WAL mode) at <store>/neurorep.db. One row per run
 * with its record JSON, plus the representations (per area or layer) that comparisons need.
 *
 * Every write is one transaction, so a crash or kill mid-write leaves no partial run; WAL lets
 * readers (the viewer) read while a writer writes, and a busy timeout lets two writing processes
 * take turns instead of failing.
 */

import { keyParams } from './keyParams.js';
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { processRuns } from '../runtime/processes.js';
import { join, resolve } from 'node:path';
import { InputError } from '../core/matrix.js';
import { assertStorable, upgradeRecord } from './record.js';
import { assertRecord, RUN_ID, type RunRecord } from './schema.js';

/** A representation kept for comparisons: the matrix, or its Gram matrix when that is smaller. */
export interface StoredRepresentation {
  name: string;
  /** Stimulus ids of the rows, in order (compared before CKA). */
  stimulusIds: (string | number)[];
  n: number;
  /** 'matrix': n x d values; 'gram': n x n values of X X^T (X centred). */
  form: 'matrix' | 'gram';
  d: number;
  values: Float64Array;
}

export interface RunSummary {
  id: string;
  kind: string;
  createdAt: string;
  sourcePath: string;
  sourceKind: string;
  toolkitVersion: string;
  /** A one-line description for lists. */
  summary: string;
  /** The user's --label, or null. */
  label: string | null;
  /** The parameters that tell runs of the same file apart (table, window, stimulus, layers, ...). */
  keyParams: string;
}

/** Throws when something other than a folder sits where the store folder should be. */
export function assertStoreFolder(dir: string): void {
  let st;
  try {
    st = statSync(resolve(dir));
  } catch {
    return; // absent: created on the first write
  }
  if (!st.isDirectory()) throw new InputError(`${dir}: is a file, not a results store folder; pass \`store DIR\` (a folder) or move the file`);
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  created_at TEXT NOT NULL,
  toolkit_version TEXT NOT NULL,
  source_path TEXT NOT NULL,
  source_sha256 TEXT NOT NULL,
  source_kind TEXT NOT NULL,
  params TEXT NOT NULL,
  summary TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_created ON runs (created_at);
CREATE TABLE IF NOT EXISTS representations (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  stimulus_ids TEXT NOT NULL,
  n INTEGER NOT NULL,
  d INTEGER NOT NULL,
  form TEXT NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (run_id, name)
);
CREATE TABLE IF NOT EXISTS claims (
  batch_key TEXT PRIMARY KEY,
  batch_id TEXT NOT NULL,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  claimed_at INTEGER NOT NULL
);
`;

/** How long a claim of another machine's batch holds (its process cannot be asked whether it lives). */
const CLAIM_HOURS = 24;

/** How long a claim or its release waits for another writer (ms). */
const CLAIM_WAIT_MS = 500;

/** Whether the process holding a claim may still be at work. */
function claimLives(c: { host: string; pid: number; claimed_at: number }): boolean {
  return c.host === hostname() ? processRuns(c.pid) : Date.now() - c.claimed_at < CLAIM_HOURS * 3600_000;
}

export class RunStore {
  private constructor(
    readonly dir: string,
    private readonly db: Database.Database,
  ) {}

  /** Open (creating if needed) the store in a directory. */
  static open(dir: string, opts: { readonly?: boolean } = {}): RunStore {
    const abs = resolve(dir);
    assertStoreFolder(dir);
    try {
      if (!opts.readonly) mkdirSync(abs, { recursive: true });
    } catch (err) {
      throw new InputError(`${dir}: cannot create the store directory: ${(err as Error).message}`);
    }
    let db: Database.Database | null = null;
    try {
      db = new Database(join(abs, 'neurorep.db'), { readonly: opts.readonly === true, fileMustExist: opts.readonly === true });
      db.pragma('busy_timeout = 10000');
      if (!opts.readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.pragma('foreign_keys = ON');
        db.exec(SCHEMA);
      } else db.prepare('SELECT count(*) FROM runs').get();
    } catch (err) {
      db?.close();
      const e = err as { code?: string; message: string };
      const why =
        e.code === 'SQLITE_NOTADB'
          ? 'neurorep.db is not a SQLite database (damaged, or another file in its place)'
          : e.code === 'SQLITE_READONLY' || e.code === 'SQLITE_CANTOPEN'
            ? `cannot be written (${e.message})`
            : e.message;
      throw new InputError(`${join(dir, 'neurorep.db')}: cannot open the store: ${why}`);
    }
    return new RunStore(abs, db);
  }

  /** Throws when the store cannot take a write (read-only file or folder), without changing it. */
  probeWritable(): void {
    this.db.exec('BEGIN IMMEDIATE');
    this.db.exec('ROLLBACK');
  }

  /** Open a store that must already exist (for commands that only read runs). */
  static openExisting(dir: string): RunStore {
    assertStoreFolder(dir);
    if (!existsSync(join(resolve(dir), 'neurorep.db'))) {
      throw new InputError(`${dir}: no results store here (no neurorep.db); run an analysis first, or pass \`store DIR\``);
    }
    return RunStore.open(dir, { readonly: true });
  }

  close(): void {
    this.db.close();
  }

  /** Store a run (and its representations) in one transaction. The record is schema-checked first. */
  save(given: RunRecord, representations: StoredRepresentation[] = []): void {
    this.write(given, representations, false);
  }

  /**
   * Store a run unless one with its id is there already: the check and the insert are one
   * transaction, so two importers of the same shard cannot both insert. True when it was added.
   */
  saveIfAbsent(given: RunRecord, representations: StoredRepresentation[] = []): boolean {
    return this.write(given, representations, true);
  }

  private write(given: RunRecord, representations: StoredRepresentation[], ifAbsent: boolean): boolean {
    // Validate exactly what is stored: the JSON form, where non-finite numbers are null.
    const json = JSON.stringify(given, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
    const record = JSON.parse(json) as unknown;
    assertRecord(record);
    assertStorable(record);
    const src = Array.isArray(record.source) ? record.source : [record.source];
    const insertRun = this.db.prepare(
      `INSERT INTO runs (id, kind, created_at, toolkit_version, source_path, source_sha256, source_kind, params, summary, record)
       VALUES (@id, @kind, @created_at, @toolkit_version, @source_path, @source_sha256, @source_kind, @params, @summary, @record)`,
    );
    const insertRep = this.db.prepare(`INSERT INTO representations (run_id, name, stimulus_ids, n, d, form, data) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    const present = this.db.prepare('SELECT 1 FROM runs WHERE id = ?');
    const tx = this.db.transaction((): boolean => {
      if (ifAbsent && present.get(record.id) !== undefined) return false;
      insertRun.run({
        id: record.id,
        kind: record.kind,
        created_at: record.createdAt,
        toolkit_version: record.toolkitVersion,
        source_path: src.map((s) => s.path).join(' | '),
        source_sha256: src.map((s) => s.sha256).join(','),
        source_kind: src.map((s) => s.kind).join(','),
        params: JSON.stringify(record.params),
        summary: summarise(record),
        record: json,
      });
      for (const r of representations) {
        insertRep.run(
          record.id,
          r.name,
          JSON.stringify(r.stimulusIds),
          r.n,
          r.d,
          r.form,
          Buffer.from(r.values.buffer, r.values.byteOffset, r.values.byteLength),
        );
      }
      return true;
    });
    return tx.immediate();
  }

  /**
   * Claim a batch session (by its resume key) for `batchId`, so two batches on one store do not
   * analyse it twice: 'stored' when a run with the key is in the store, 'mine' when the claim is
   * taken (or was this batch's, or its holder is gone: a dead process on this machine, or older
   * than a day elsewhere), else the batch holding it.
   */
  claim(key: string, batchId: string): 'stored' | 'mine' | { by: string } {
    const tx = this.db.transaction((): 'stored' | 'mine' | { by: string } => {
      if (this.hasBatchKey(key)) return 'stored';
      const held = this.db.prepare('SELECT batch_id, host, pid, claimed_at FROM claims WHERE batch_key = ?').get(key) as
        { batch_id: string; host: string; pid: number; claimed_at: number } | undefined;
      if (held && held.batch_id !== batchId && claimLives(held)) return { by: held.batch_id };
      this.db
        .prepare('INSERT OR REPLACE INTO claims (batch_key, batch_id, host, pid, claimed_at) VALUES (?, ?, ?, ?, ?)')
        .run(key, batchId, hostname(), process.pid, Date.now());
      return 'mine';
    });
    return this.briefly(() => tx.immediate());
  }

  /**
   * Claims are worth a short wait only (another batch's claim or save is over in milliseconds): on
   * a store another process keeps locked the batch goes on without them, and they lapse.
   */
  private briefly<T>(f: () => T): T {
    this.db.pragma(`busy_timeout = ${CLAIM_WAIT_MS}`);
    try {
      return f();
    } finally {
      this.db.pragma('busy_timeout = 10000');
    }
  }

  /** Give up the claims of a batch (one session's, or all). */
  release(batchId: string, key?: string): void {
    this.briefly(() => {
      if (key === undefined) this.db.prepare('DELETE FROM claims WHERE batch_id = ?').run(batchId);
      else this.db.prepare('DELETE FROM claims WHERE batch_id = ? AND batch_key = ?').run(batchId, key);
    });
  }

  /** A run's record, schema-checked, or null when the id is unknown. */
  get(id: string): RunRecord | null {
    if (!RUN_ID.test(id)) return null;
    const row = this.db.prepare('SELECT record FROM runs WHERE id = ?').get(id) as { record: string } | undefined;
    if (!row) return null;
    const rec = upgradeRecord(JSON.parse(row.record));
    assertRecord(rec);
    return rec;
  }

  /** Runs, newest first. */
  list(): RunSummary[] {
    const rows = this.db
      .prepare(
        "SELECT id, kind, created_at, source_path, source_kind, toolkit_version, summary, params, json_extract(record, '$.label') AS label FROM runs ORDER BY created_at DESC, rowid DESC",
      )
      .all() as {
      id: string;
      kind: string;
      created_at: string;
      source_path: string;
      source_kind: string;
      toolkit_version: string;
      summary: string;
      params: string;
      label: unknown;
    }[];
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      createdAt: r.created_at,
      sourcePath: r.source_path,
      sourceKind: r.source_kind,
      toolkitVersion: r.toolkit_version,
      summary: r.summary,
      label: typeof r.label === 'string' ? r.label : null,
      keyParams: keyParams(JSON.parse(r.params) as Record<string, unknown>),
    }));
  }

  /** Ids of the runs of a batch (its id or a unique prefix of at least 4 characters), oldest first. */
  batchRuns(prefix: string): { batch: string; ids: string[] } | null {
    if (!/^[0-9a-f-]{4,36}$/.test(prefix)) return null;
    const rows = this.db
      .prepare(
        "SELECT id, json_extract(record, '$.batch.id') AS batch FROM runs WHERE json_extract(record, '$.batch.id') LIKE ? || '%' ORDER BY created_at, rowid",
      )
      .all(prefix) as { id: string; batch: string }[];
    const batches = new Set(rows.map((r) => r.batch));
    if (batches.size !== 1) return null;
    return { batch: rows[0].batch, ids: rows.map((r) => r.id) };
  }

  /** Every batch id in the store, newest first. */
  batches(): string[] {
    const rows = this.db
      .prepare(
        "SELECT json_extract(record, '$.batch.id') AS batch, max(created_at) AS t FROM runs WHERE json_extract(record, '$.batch.id') IS NOT NULL GROUP BY batch ORDER BY t DESC",
      )
      .all() as { batch: string }[];
    return rows.map((r) => r.batch);
  }

  /** The newest batch id in the store, or null. */
  newestBatch(): string | null {
    const row = this.db
      .prepare(
        "SELECT json_extract(record, '$.batch.id') AS batch FROM runs WHERE json_extract(record, '$.batch.id') IS NOT NULL ORDER BY created_at DESC, rowid DESC LIMIT 1",
      )
      .get() as { batch: string } | undefined;
    return row?.batch ?? null;
  }

  /**
   * The batch that stored runs under any of these resume keys (the one with most of them), or
   * null: a rerun of a batch continues its id, so `summary` sees every session of it.
   */
  batchOfKeys(keys: readonly string[]): string | null {
    const count = new Map<string, number>();
    const q = this.db.prepare("SELECT json_extract(record, '$.batch.id') AS batch FROM runs WHERE json_extract(record, '$.batch.key') = ?");
    for (const k of keys) for (const row of q.all(k) as { batch: string | null }[]) if (row.batch) count.set(row.batch, (count.get(row.batch) ?? 0) + 1);
    let best: string | null = null;
    for (const [b, c] of count) if (best === null || c > count.get(best)!) best = b;
    return best;
  }

  /** Whether a run made by `neurorep batch` with this resume key is stored. */
  hasBatchKey(key: string): boolean {
    return this.db.prepare("SELECT 1 FROM runs WHERE json_extract(record, '$.batch.key') = ? LIMIT 1").get(key) !== undefined;
  }

  /** Delete a run and its representations; false when the id is unknown. */
  remove(id: string): boolean {
    if (!RUN_ID.test(id)) return false;
    const tx = this.db.transaction(() => {
      this.db.prepare('DELETE FROM representations WHERE run_id = ?').run(id);
      return this.db.prepare('DELETE FROM runs WHERE id = ?').run(id).changes > 0;
    });
    return tx.immediate();
  }

  /** Representations stored with a run. */
  representations(id: string): StoredRepresentation[] {
    const rows = this.db.prepare('SELECT name, stimulus_ids, n, d, form, data FROM representations WHERE run_id = ? ORDER BY rowid').all(id) as {
      name: string;
      stimulus_ids: string;
      n: number;
      d: number;
      form: 'matrix' | 'gram';
      data: Buffer;
    }[];
    return rows.map((r) => {
      const copy = new Uint8Array(r.data.byteLength);
      copy.set(r.data);
      return { name: r.name, stimulusIds: JSON.parse(r.stimulus_ids), n: r.n, d: r.d, form: r.form, values: new Float64Array(copy.buffer) };
    });
  }

  /** Full id from a unique prefix (at least 4 characters), as git does; null if none or ambiguous. */
  resolveId(prefix: string): string | null {
    if (!/^[0-9a-f-]{4,36}$/.test(prefix)) return null;
    const rows = this.db.prepare("SELECT id FROM runs WHERE id LIKE ? || '%' LIMIT 2").all(prefix) as { id: string }[];
    return rows.length === 1 ? rows[0].id : null;
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS c FROM runs').get() as { c: number }).c;
  }

  integrityCheck(): string {
    return (this.db.pragma('integrity_check', { simple: true }) as string) ?? '';
  }
}

/** A one-line description of a run for lists. */
export function summarise(r: RunRecord): string {
  const f = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '-' : Number(x.toPrecision(3)).toString());
  switch (r.kind) {
    case 'dimension':
      return `${r.n} x ${r.d}: D_eff ${f(r.effectiveDimension)}, alpha ${f(r.alpha)}`;
    case 'complexity':
      return `${r.n} stimuli, p ${r.p} -> q ${r.q}: C ${f(r.complexity)} (K* ${r.kStar})`;
    case 'patterns':
      return `${r.n} x ${r.d}: switching ${f(r.switchingFraction)}, S_all ${f(r.entropyAll)}`;
    case 'analyze':
      return `${r.groups.length} group${r.groups.length === 1 ? '' : 's'}: ${r.groups.map((g) => `${g.name} (D_eff ${f(g.effectiveDimension)})`).join(', ')}`.slice(
        0,
        300,
      );
    case 'network':
      return `${r.layers.length} layers: ${r.layers.map((l) => `${l.name} (${f(l.effectiveDimension)})`).join(', ')}`.slice(0, 300);
    case 'dynamics':
      return `${r.steps.length} checkpoints x ${r.layers.length} layers`;
  }
}

/** Whether an error is SQLite's "another process holds the lock" (after the busy timeout): passing, not a damaged store. */
export function isStoreLocked(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || /database is locked/.test(String((err as Error)?.message));
}
