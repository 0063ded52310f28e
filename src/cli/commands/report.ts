/** `neurorep report`: one self-contained HTML file for a run (scripts inlined; opens offline). */

import { InputError } from '../../core/matrix.js';
import { writeFileAtomic } from '../../io/files.js';
import { runPage } from '../../report/pages.js';
import { inlineAssets } from '../../server/assets.js';
import { RunStore } from '../../store/runStore.js';
import { UsageError, expectPositionals } from '../args.js';
import { defineCommand } from '../command.js';
import { checkOutputPath } from '../outputPath.js';

export const reportCommand = defineCommand({
  name: 'report',
  summary: 'write one self-contained HTML report of a run (opens offline)',
  usage: 'report <run-id> --out report.html',
  description: 'Writes the run page (charts and tables) as a single HTML file with vega, vega-lite and vega-embed inlined.',
  options: {
    out: { type: 'string', arg: 'FILE', help: 'the HTML file to write (outside the store; its folder must exist)' },
    force: { type: 'boolean', help: 'replace --out when it exists' },
  },
  run(args, ctx) {
    const [given] = expectPositionals(args, ['run-id'], 'report');
    const out = args.options.out;
    if (!out) throw new UsageError('report: --out FILE is required');
    checkOutputPath(out, { store: ctx.store, inputs: [], force: args.options.force === true });
    const store = RunStore.openExisting(ctx.store);
    try {
      const id = store.resolveId(given);
      const rec = id ? store.get(id) : null;
      if (!rec) throw new InputError(`${ctx.store}: no run '${given}' (or the prefix is ambiguous); see 'neurorep runs'`);
      writeFileAtomic(out, runPage(rec, { mode: 'inline', ...inlineAssets() }));
      ctx.log(`wrote ${out}`);
    } finally {
      store.close();
    }
    return 0;
  },
});
