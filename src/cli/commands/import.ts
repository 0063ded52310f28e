/** `neurorep import`: merge run shards (written with --out-record) into the store, idempotently. */

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../core/matrix.js';
import { decodeShard, readShardFile } from '../../store/shard.js';
import { assertStoreFolder, RunStore } from '../../store/runStore.js';
import { UsageError } from '../args.js';
import { defineCommand } from '../command.js';
import { withFlags } from '../../report/flags.js';

export const importCommand = defineCommand({
  name: 'import',
  summary: 'merge run shards (from --out-record) into the store; importing twice changes nothing',
  usage: 'import <shard.json|folder>... [--store DIR]',
  description: [
    'Reads run shards written by `--out-record FILE` (on analyze, network, dimension, complexity,',
    'patterns, dynamics), checks each against the run-record schema, and adds the runs the store',
    'does not have yet (by run id). A folder means every *.json file in it. Runs already in the',
    'store are counted and left as they are. A shard that cannot be read is named with its problem',
    'and the exit code is 2; the valid ones are imported all the same. Only regular files are read',
    '(not pipes or devices), of at most 500 MiB; records nest at most 64 levels, texts at most 64 Ki',
    'characters. Two imports at once into one store each add a run at most once.',
  ].join('\n'),
  options: {},
  run(args, ctx) {
    if (args.positionals.length === 0) throw new UsageError('import needs at least one shard file or folder');
    const files: string[] = [];
    for (const p of args.positionals) {
      let st;
      try {
        st = statSync(p);
      } catch {
        throw new InputError(`${p}: no such file or folder`);
      }
      if (st.isDirectory())
        files.push(
          ...readdirSync(p)
            .filter((f) => f.endsWith('.json'))
            .sort()
            .map((f) => join(p, f)),
        );
      else files.push(p);
    }
    if (files.length === 0) throw new InputError(`${args.positionals.join(', ')}: no *.json shard files there`);
    assertStoreFolder(ctx.store);
    const store = RunStore.open(ctx.store);
    let added = 0,
      present = 0;
    const problems: string[] = [];
    try {
      for (const f of files) {
        let shard;
        try {
          shard = decodeShard(readShardFile(f), f);
        } catch (err) {
          problems.push(err instanceof InputError ? err.message : `${f}: ${(err as Error).message}`);
          continue;
        }
        // The check and the insert are one transaction: another import at the same time cannot add it twice.
        if (!store.saveIfAbsent(shard.record, shard.representations)) {
          present++;
          continue;
        }
        added++;
        ctx.log(`imported ${shard.record.id} (${shard.record.kind}) from ${f}`);
      }
    } finally {
      store.close();
    }
    ctx.io.out(
      `${added} run${added === 1 ? '' : 's'} imported into ${ctx.store}, ${present} already there${problems.length ? `, ${problems.length} not readable` : ''}\n`,
    );
    for (const p of problems) ctx.io.err(`neurorep: ${withFlags(p)}\n`);
    return problems.length ? 2 : 0;
  },
});
