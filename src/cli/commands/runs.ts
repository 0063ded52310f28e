/** `neurorep runs`: the runs kept in the store; `runs rm <id>...` deletes runs. */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { assertStoreFolder, RunStore } from '../../store/runStore.js';
import { jsonOption, UsageError } from '../args.js';
import { defineCommand } from '../command.js';
import { toJson, type Context } from '../context.js';
import { InputError } from '../../core/matrix.js';

export const runsCommand = defineCommand({
  name: 'runs',
  summary: 'list the runs kept in the store (runs rm <id>... deletes runs)',
  usage: 'runs [--json] [--store DIR] | runs rm <run-id>...',
  description: [
    'Lists stored runs, newest first: id, kind, when, source, label, the parameters that tell runs',
    'of the same file apart, and a one-line summary.',
    "'runs rm <run-id>...' deletes runs and their stored representations (ids may be unique",
    'prefixes of at least 4 characters); every id is checked before anything is deleted.',
  ].join('\n'),
  options: { json: jsonOption('the list') },
  run(args, ctx) {
    const [sub, ...ids] = args.positionals;
    if (sub === 'rm') return remove(ids, ctx);
    if (sub !== undefined) throw new UsageError(`unexpected argument '${sub}' (did you mean 'runs rm ${sub}'?)`);
    assertStoreFolder(ctx.store);
    if (!existsSync(join(ctx.store, 'neurorep.db'))) {
      if (ctx.json) ctx.io.out(toJson({ store: ctx.store, runs: [] }) + '\n');
      else ctx.io.out(`no runs yet in ${ctx.store} (run an analysis, or 'neurorep demo')\n`);
      return 0;
    }
    const store = RunStore.open(ctx.store, { readonly: true });
    try {
      const runs = store.list();
      if (ctx.json) ctx.io.out(toJson({ store: ctx.store, runs }) + '\n');
      else {
        ctx.io.out(`${runs.length} run${runs.length === 1 ? '' : 's'} in ${ctx.store}\n`);
        for (const r of runs) {
          const label = r.label ? `  "${r.label}"` : '';
          ctx.io.out(
            `  ${r.id}  ${r.kind.padEnd(10)} ${r.createdAt.slice(0, 19).replace('T', ' ')}  ${r.sourcePath.split(/[\\/]/).pop()}${label}  ${r.summary}\n`,
          );
          if (r.keyParams) ctx.io.out(`      ${r.keyParams}\n`);
        }
      }
    } finally {
      store.close();
    }
    return 0;
  },
});

function remove(ids: string[], ctx: Context): number {
  if (ids.length === 0) throw new UsageError('runs rm needs at least one run id');
  assertStoreFolder(ctx.store);
  if (!existsSync(join(ctx.store, 'neurorep.db'))) throw new InputError(`${ctx.store}: no results store here (nothing to delete)`);
  const store = RunStore.open(ctx.store);
  try {
    const full = ids.map((id) => {
      const f = store.resolveId(id);
      if (!f) throw new InputError(`${id}: no such run in ${ctx.store}, or the prefix is ambiguous (see 'neurorep runs')`);
      return f;
    });
    for (const id of new Set(full)) {
      store.remove(id);
      ctx.io.out(`removed ${id}\n`);
    }
  } finally {
    store.close();
  }
  return 0;
}
