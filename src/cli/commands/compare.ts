/** `neurorep compare`: brain areas and network layers side by side, with CKA on shared stimuli. */

import { compareRuns, type Comparison } from '../../analysis/compare.js';
import { InputError } from '../../core/matrix.js';
import { RunStore } from '../../store/runStore.js';
import type { RunRecord } from '../../store/schema.js';
import { jsonOption, SEED_OPTION, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { fmt, toJson } from '../context.js';
import { MATCH_OPTION, matchOf, NULL_OPTION, nullsOf, printable, warningLines } from '../observableOptions.js';

export const compareCommand: Command = {
  name: 'compare',
  summary: 'areas and layers of several runs side by side; CKA between layers and areas',
  usage: 'compare <run-id>... [--null [N]] [--match-neurons [D]] [--json]',
  description: [
    'Puts every brain area and network layer of the given runs on the same axes: effective',
    'dimension, alpha, switching fraction and complexity. When runs share stimuli (same ids in',
    'the same order, checked), adds the debiased linear CKA between every layer and every area.',
    '--null permutes one side\'s stimulus order N times for a p-value per CKA; --match-neurons',
    'adds D_eff at a common number of neurons (from the runs\' matched values or their stored',
    'matrices), since D_eff grows with the number of neurons.',
    'Run ids may be shortened to a unique prefix of at least 4 characters.',
  ].join('\n'),
  options: { null: NULL_OPTION, 'match-neurons': MATCH_OPTION, seed: SEED_OPTION, json: jsonOption('the comparison') },
  run(args, ctx) {
    if (args.positionals.length === 0) throw new UsageError('compare: give at least one run id (see neurorep runs)');
    const store = RunStore.openExisting(ctx.store);
    try {
      const records: RunRecord[] = [];
      for (const given of args.positionals) {
        const id = store.resolveId(given);
        const rec = id ? store.get(id) : null;
        if (!rec) throw new InputError(`${ctx.store}: no run '${given}' (or the prefix is ambiguous); see 'neurorep runs'`);
        records.push(rec);
      }
      const reps = new Map(records.map((r) => [r.id, store.representations(r.id)]));
      const cmp = compareRuns(records, reps, { nulls: nullsOf(args), matchNeurons: matchOf(args), seed: (args.options.seed as number | undefined) ?? 0 });
      ctx.io.out((ctx.json ? toJson(cmp) : formatComparison(cmp)) + '\n');
    } finally {
      store.close();
    }
    return 0;
  },
};

export function formatComparison(c: Comparison): string {
  const lines = c.runs.map((r) => `run ${r.id} (${r.kind}): ${r.source}`);
  const header = ['', 'name', 'd', 'D_eff', 'corrected', ...(c.matchNeurons ? [`D_eff @${c.matchNeurons}`] : []), 'alpha', 'switching', 'complexity'];
  const rows = c.entities.map((e) => [
    e.role,
    e.name.length > 40 ? e.name.slice(0, 37) + '...' : e.name,
    fmt(e.d),
    fmt(e.effectiveDimension),
    fmt(e.effectiveDimensionCorrected),
    ...(c.matchNeurons ? [e.matchedEffectiveDimension ? `${fmt(e.matchedEffectiveDimension.mean)} +- ${fmt(e.matchedEffectiveDimension.sd, 2)}` : '-'] : []),
    fmt(e.alpha),
    fmt(e.switchingFraction),
    e.complexity === null ? '' : `${fmt(e.complexity)} from ${e.complexityFrom}`,
  ]);
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmtRow = (r: string[]) => '  ' + r.map((x, i) => x.padEnd(w[i])).join('  ');
  lines.push('', fmtRow(header), ...rows.map(fmtRow));
  if (c.cka) {
    lines.push('', `${c.cka.estimator}${c.cka.nulls ? ', p-value against permuted stimulus order in parentheses' : ''}: rows ${c.cka.rows.map((r) => r.name).join(', ')}`);
    const colW = Math.min(24, Math.max(c.cka.nulls ? 16 : 8, ...c.cka.cols.map((col) => col.name.length + 2)));
    const rowW = Math.min(24, Math.max(8, ...c.cka.rows.map((r) => r.name.length + 2)));
    lines.push('  ' + ''.padEnd(rowW) + c.cka.cols.map((col) => col.name.slice(0, colW - 2).padEnd(colW)).join(''));
    c.cka.rows.forEach((r, i) =>
      lines.push(
        '  ' +
          r.name.slice(0, rowW - 2).padEnd(rowW) +
          c.cka!.values[i]
            .map((v, j) => {
              const p = c.cka!.nulls?.[i][j]?.pValue;
              return (v === null ? '-' : `${v.toFixed(3)}${p !== undefined ? ` (${p < 0.001 ? '<0.001' : p.toFixed(3)})` : ''}`).padEnd(colW);
            })
            .join(''),
      ),
    );
    for (const n of c.cka.notes) lines.push(`  note: ${n}`);
  }
  lines.push(...warningLines(c.warnings));
  return printable(lines.join('\n'));
}
