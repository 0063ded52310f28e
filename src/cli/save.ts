/** Keep a run in the store (unless --no-store), and say where. */

import { RunStore, type StoredRepresentation } from '../store/runStore.js';
import type { RunRecord } from '../store/schema.js';
import type { Context } from './context.js';

/** Representations are passed as a function so that --no-store never computes them. */
export function saveRun(ctx: Context, record: unknown, reps: () => (StoredRepresentation | null)[] = () => []): void {
  if (ctx.noStore) return;
  const store = RunStore.open(ctx.store);
  try {
    store.save(record as RunRecord, reps().filter((r): r is StoredRepresentation => r !== null));
  } finally {
    store.close();
  }
  ctx.log(`stored run ${(record as RunRecord).id} in ${ctx.store}`);
}
