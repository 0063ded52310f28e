/** `neurorep summary`: one row per session x area over a batch (or given runs), with intervals. */

import { InputError } from '../../core/matrix.js';
import { SUMMARY_OBSERVABLES, summaryRows, type SummaryRow } from '../../analysis/summary.js';
import { RunStore } from '../../store/runStore.js';
import type { RunRecord } from '../../store/schema.js';
import { jsonOption } from '../args.js';
import { defineCommand } from '../command.js';
import { fmt, toJson } from '../context.js';

export const summaryCommand = defineCommand({
  name: 'summary',
  summary: 'one row per session x area over a batch (or given runs): every scalar observable with its interval',
  usage: 'summary [--batch ID | <run-id>...] [--json]',
  description: [
    'Collects stored analyze runs (a batch by its id or a unique prefix, given run ids, or by default',
    'the newest batch) into one table: session, area, neurons, stimuli, and D_eff (plug-in and',
    'corrected), PR, alpha, cvPCA D_eff, switching fraction, S_all and complexity, each with its 95 %',
    'interval where the run computed one (--intervals). The viewer shows the same at /summary.',
  ].join('\n'),
  options: {
    batch: { type: 'string', arg: 'ID', help: 'the batch id (or a unique prefix of at least 4 characters)' },
    json: jsonOption('the table'),
  },
  run(args, ctx) {
    const store = RunStore.openExisting(ctx.store);
    try {
      const { label, records } = collect(store, args.options.batch, args.positionals, ctx.store);
      const rows = summaryRows(records);
      if (rows.length === 0) throw new InputError(`${label}: no analyze runs there (summary covers NWB sessions)`);
      ctx.io.out((ctx.json ? toJson({ of: label, rows }) : formatSummary(label, rows)) + '\n');
    } finally {
      store.close();
    }
    return 0;
  },
});

function collect(store: RunStore, batch: string | undefined, ids: string[], storeDir: string): { label: string; records: RunRecord[] } {
  if (batch !== undefined && ids.length) throw new InputError('give either --batch or run ids, not both');
  if (ids.length) {
    return {
      label: `${ids.length} run${ids.length === 1 ? '' : 's'}`,
      records: ids.map((given) => {
        const id = store.resolveId(given);
        const rec = id ? store.get(id) : null;
        if (!rec) throw new InputError(`${storeDir}: no run '${given}' (or the prefix is ambiguous); see 'neurorep runs'`);
        return rec;
      }),
    };
  }
  const wanted = batch ?? store.newestBatch();
  if (!wanted) throw new InputError(`${storeDir}: no batch runs here; run 'neurorep batch', or name runs: neurorep summary <run-id>...`);
  const found = store.batchRuns(wanted);
  if (!found) throw new InputError(`${storeDir}: no batch '${wanted}' (or the prefix is ambiguous)`);
  return { label: `batch ${found.batch}`, records: found.ids.map((id) => store.get(id)!) };
}

const SHORT: Record<string, string> = {
  effectiveDimension: 'D_eff',
  effectiveDimensionCorrected: 'corrected',
  participationRatio: 'PR',
  alpha: 'alpha',
  cvPcaEffectiveDimension: 'cvPCA D_eff',
  switchingFraction: 'switching',
  entropyAll: 'S_all',
  complexity: 'C',
  complexityGain: 'C gain',
};

function formatSummary(label: string, rows: SummaryRow[]): string {
  const cell = (r: SummaryRow, k: string) => {
    const v = r.values[k];
    const iv = r.intervals[k];
    return v === null ? '-' : `${fmt(v)}${iv ? ` [${fmt(iv[0], 3)}, ${fmt(iv[1], 3)}]` : ''}`;
  };
  const header = ['session', 'area', 'd', 'n', ...SUMMARY_OBSERVABLES.map((k) => SHORT[k])];
  const body = rows.map((r) => [r.session, r.area, String(r.neurons), String(r.stimuli), ...SUMMARY_OBSERVABLES.map((k) => cell(r, k))]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => '  ' + cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  const sessions = new Set(rows.map((r) => r.runId)).size;
  return [`${label}: ${sessions} session${sessions === 1 ? '' : 's'}, ${rows.length} session x area rows`, line(header), ...body.map(line)].join('\n');
}
