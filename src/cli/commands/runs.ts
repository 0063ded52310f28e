/** `neurorep runs`: the runs kept in the store. */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { assertStoreFolder, RunStore } from '../../store/runStore.js';
import { expectPositionals, jsonOption } from '../args.js';
import type { Command } from '../command.js';
import { toJson } from '../context.js';

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list the runs kept in the store',
  usage: 'runs [--json] [--store DIR]',
  description: 'Lists stored runs, newest first: id, kind, when, source and a one-line summary.',
  options: { json: jsonOption('the list') },
  run(args, ctx) {
    expectPositionals(args, [], 'runs');
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
        for (const r of runs) ctx.io.out(`  ${r.id}  ${r.kind.padEnd(10)} ${r.createdAt.slice(0, 19).replace('T', ' ')}  ${r.sourcePath.split(/[\\/]/).pop()}  ${r.summary}\n`);
      }
    } finally {
      store.close();
    }
    return 0;
  },
};
