/**
 * Finishing a run: print the result, then keep it in the store (unless --no-store). A store that
 * cannot be written never costs the result: it is printed first, and the command then ends with
 * exit code 2 and a message that says the store was not updated.
 */

import { isStoreLocked, RunStore, type StoredRepresentation } from '../store/runStore.js';
import type { RunRecord } from '../store/schema.js';
import { toJson, type Context } from './context.js';
import { encodeShard } from '../store/shard.js';
import { writeFileAtomic } from '../io/files.js';
import { StoreNotUpdated } from './storeNotUpdated.js';
import { printable } from './text.js';

function reason(err: unknown): string {
  const e = err as { message?: string; code?: string };
  if (e?.code === 'SQLITE_NOTADB' || /not a database/i.test(e?.message ?? ''))
    return 'its neurorep.db is not a SQLite database (damaged, or another file in its place)';
  if (e?.code === 'SQLITE_READONLY' || /readonly|read-only/i.test(e?.message ?? '')) return 'it is read-only';
  return e?.message ?? String(err);
}

/** Can the store be written? Checked before a long computation, so the user hears it at once. */
export function checkStore(ctx: Context): void {
  if (ctx.noStore) return;
  try {
    const store = RunStore.open(ctx.store);
    try {
      store.probeWritable();
    } finally {
      store.close();
    }
  } catch (err) {
    if (isStoreLocked(err)) {
      // Another process writes right now: the run waits for the store when it is finished.
      ctx.log(`the results store ${ctx.store} is locked by another process; the run will be stored when it is free`);
      return;
    }
    ctx.storeProblem = reason(err);
    ctx.io.err(
      `neurorep: warning: the results store ${ctx.store} cannot be updated (${ctx.storeProblem}); the result will be printed but not stored (use --store DIR or --no-store)\n`,
    );
  }
}

/** Representations are passed as a function so that --no-store never computes them. */
export function saveRun(ctx: Context, record: RunRecord, reps: () => (StoredRepresentation | null)[] = () => []): void {
  if (ctx.label !== undefined) record.label = ctx.label;
  let computed: StoredRepresentation[] | null = null;
  const representations = () => (computed ??= reps().filter((r): r is StoredRepresentation => r !== null));
  if (ctx.outRecord) {
    // The shard first: it is complete on its own, whatever happens to the store.
    writeFileAtomic(ctx.outRecord, encodeShard(record, representations()));
    ctx.log(`wrote the run record to ${ctx.outRecord}`);
  }
  if (ctx.noStore) return;
  const fail = (why: string) => new StoreNotUpdated(`${ctx.store}: the run was not stored (${why}); the result printed above is complete`);
  if (ctx.storeProblem) throw fail(ctx.storeProblem);
  let store: RunStore | null = null;
  try {
    store = RunStore.open(ctx.store);
    store.save(record, representations());
  } catch (err) {
    throw fail(reason(err));
  } finally {
    store?.close();
  }
  ctx.log(`stored run ${record.id} in ${ctx.store}`);
}

/** Print the run (its JSON record with --json, else the text) and then store it. */
export function finishRun(ctx: Context, record: RunRecord, text: string, reps: () => (StoredRepresentation | null)[] = () => []): void {
  if (ctx.label !== undefined) record.label = ctx.label;
  ctx.io.out((ctx.json ? toJson(record) : printable(text)) + '\n');
  saveRun(ctx, record, reps);
}
