/** `neurorep compare`: brain areas and network layers side by side, with CKA on shared stimuli. */

import { count } from '../text.js';
import { withFlags } from '../../report/flags.js';
import { compareRuns, type Comparison } from '../../analysis/compare.js';
import { DEFAULT_METRICS, expandMetrics, METRIC_GROUPS, type Similarities } from '../../analysis/similarityTables.js';
import type { Metric } from '../../core/similarity/measures.js';
import { InputError } from '../../core/matrix.js';
import { RunStore } from '../../store/runStore.js';
import type { RunRecord } from '../../store/schema.js';
import { jsonOption, SEED_OPTION, UsageError } from '../args.js';
import { defineCommand } from '../command.js';
import { fmt, toJson } from '../context.js';
import { MATCH_OPTION, matchOf, NULL_OPTION, nullsOf, printable, warningLines } from '../observableOptions.js';

export const compareCommand = defineCommand({
  name: 'compare',
  summary: 'areas and layers side by side: predictivity, RSA, shape metrics, CKA, noise ceilings, layer mapping',
  usage: 'compare <run-id>... [--metric LIST] [--null [N]] [--intervals [G]] [--match-neurons [D]] [--json]',
  description: [
    'Puts every brain area and network layer of the given runs on the same axes: effective',
    'dimension, alpha, switching fraction and complexity. When runs share stimuli (same ids in',
    'the same order, checked), compares every layer with every area (docs/observables.md 7):',
    '  predictivity  ridge from the layer to each neuron (and back), median held-out Pearson r',
    '  rsa           RDMs by correlation distance (and cross-validated distances from repeats),',
    '                compared by Spearman correlation and by whitened cosine',
    '  procrustes    angular Procrustes distance, cross-validated (shape: alpha 0, 0.5 and 1)',
    '  cka           debiased linear CKA',
    "Each with a 95% interval (grouped jackknife over stimuli), a null with --null (one side's",
    'stimulus order permuted), and, for recordings with repeated trials, its noise ceiling and the',
    'ceiling-normalised score. With a network run, every area gets its best layer, with the set of',
    'layers that wins 95% of bootstrap resamples of the stimuli.',
    '--match-neurons adds D_eff at a common number of neurons, since D_eff grows with them.',
    'Run ids may be shortened to a unique prefix of at least 4 characters.',
  ].join('\n'),
  renamed: { bootstrap: 'resamples' },
  options: {
    metric: {
      type: 'string',
      arg: 'LIST',
      help: `comma-separated: ${Object.keys(METRIC_GROUPS).join(', ')} or single metrics such as rsa-cosine, shape-alpha0.25 (default ${DEFAULT_METRICS.join(',')})`,
    },
    null: NULL_OPTION,
    'time-course-null': {
      type: 'integer',
      min: 0,
      arg: 'N',
      help: 'permutations for the similarity-over-time cells of time-resolved runs (default: as --null)',
    },
    intervals: { type: 'integer', min: 0, implicit: 20, arg: 'G', help: 'jackknife groups of stimuli for the 95% intervals (default 20; 0 = none)' },
    folds: { type: 'integer', min: 2, max: 20, arg: 'K', help: 'cross-validation folds over stimuli (default 5)' },
    resamples: { type: 'integer', min: 0, arg: 'B', help: 'bootstrap resamples of the stimuli behind the best layer of each area (default 200; 0 = none)' },
    ceilings: {
      type: 'string',
      arg: 'METHOD',
      help: "ceilings of RSA, CKA and shape metrics: 'extrapolated' (compare/3, default: the halves' similarity extrapolated to the full average by simulated noise) or 'split-half' (compare/2: sqrt of Spearman-Brown, biased at low reliability)",
    },
    'match-neurons': MATCH_OPTION,
    seed: SEED_OPTION,
    json: jsonOption('the comparison'),
  },
  run(args, ctx) {
    if (args.positionals.length === 0) throw new UsageError('compare: give at least one run id (see neurorep runs)');
    const metrics = metricsOf(args.options.metric);
    const ceilings = args.options.ceilings ?? 'extrapolated';
    if (ceilings !== 'extrapolated' && ceilings !== 'split-half')
      throw new UsageError(`--ceilings: '${ceilings}' is not a method (use extrapolated or split-half)`);
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
      const cmp = compareRuns(records, reps, {
        nulls: nullsOf(args),
        ...(args.options['time-course-null'] !== undefined ? { timeCourseNulls: args.options['time-course-null'] } : {}),
        matchNeurons: matchOf(args),
        seed: args.options.seed ?? 0,
        metrics,
        folds: args.options.folds,
        intervals: args.options.intervals,
        resamples: args.options.resamples,
        ceilings,
        onProgress: (label, d, t) => ctx.progress(label, d, t),
      });
      ctx.io.out((ctx.json ? toJson(cmp) : formatComparison(cmp)) + '\n');
    } finally {
      store.close();
    }
    return 0;
  },
});

/** --metric LIST, checked (exit 2 naming the unknown metric). */
export function metricsOf(given: string | undefined): Metric[] | undefined {
  if (given === undefined) return undefined;
  try {
    return expandMetrics(
      given
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    );
  } catch (err) {
    throw new UsageError(`--metric: ${(err as Error).message}`);
  }
}

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
    e.complexity === null ? '' : `${fmt(e.complexity)}${e.complexityDetail ? ` ${e.complexityDetail}` : ''} from ${e.complexityFrom}`,
  ]);
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmtRow = (r: string[]) => '  ' + r.map((x, i) => x.padEnd(w[i])).join('  ');
  lines.push('', fmtRow(header), ...rows.map(fmtRow));
  if (c.similarity) lines.push(...similarityLines(c.similarity));
  else if (c.cka) {
    lines.push(
      '',
      `${c.cka.estimator}${c.cka.nulls ? ', p-value against permuted stimulus order in parentheses' : ''}: rows ${c.cka.rows.map((r) => r.name).join(', ')}`,
    );
    const colW = Math.min(24, Math.max(c.cka.nulls ? 16 : 8, ...c.cka.cols.map((col) => col.name.length + 2)));
    const rowW = Math.min(24, Math.max(8, ...c.cka.rows.map((r) => r.name.length + 2)));
    lines.push('  ' + ''.padEnd(rowW) + c.cka.cols.map((col) => col.name.slice(0, colW - 2).padEnd(colW)).join(''));
    c.cka.rows.forEach((r, i) =>
      lines.push(
        '  ' +
          r.name.slice(0, rowW - 2).padEnd(rowW) +
          c
            .cka!.values[i].map((v, j) => {
              const p = c.cka!.nulls?.[i][j]?.pValue;
              return (v === null ? '-' : `${v.toFixed(3)}${p !== undefined ? ` (${p < 0.001 ? '<0.001' : p.toFixed(3)})` : ''}`).padEnd(colW);
            })
            .join(''),
      ),
    );
    for (const n of c.cka.notes) lines.push(`  note: ${withFlags(n)}`);
  }
  lines.push(...warningLines(c.warnings));
  return printable(lines.join('\n'));
}

const short = (name: string, w: number) => (name.length > w ? name.slice(0, w - 3) + '...' : name);

/** The similarity tables, ceilings and layer mapping as text. */
function similarityLines(s: Similarities): string[] {
  const lines: string[] = [];
  const rowW = Math.min(24, Math.max(8, ...s.rows.map((r) => r.name.length + 2)));
  const colW = Math.min(30, Math.max(10, ...s.cols.map((c) => c.name.length + 2)));
  lines.push(
    '',
    `similarities: ${s.folds}-fold cross-validation${s.intervals ? `, 95% intervals by a jackknife over ${s.intervals} groups of stimuli` : ''}${s.nulls ? `, p against ${s.nulls} permutations of stimulus order` : ''}; rows ${s.rows.map((r) => r.name).join(', ')}`,
  );
  for (const t of s.tables) {
    if (t.cells.every((r) => r.every((c) => c === null))) continue;
    lines.push('', `  ${t.label}${t.cells.some((r) => r.some((c) => c?.normalised !== null && c !== null)) ? '; (ceiling-normalised score)' : ''}`);
    const text = t.cells.map((row) =>
      row.map((c) => {
        if (!c) return '-';
        const iv = c.interval ? ` [${c.interval[0].toFixed(2)},${c.interval[1].toFixed(2)}]` : '';
        const p = c.null ? ` p=${c.null.pValue < 0.001 ? '<.001' : c.null.pValue.toFixed(3)}` : '';
        const norm = c.normalised !== null ? ` (${c.normalised.toFixed(2)})` : '';
        const base = c.baseline !== undefined && c.baseline !== null ? ` base ${c.baseline.toFixed(3)}` : '';
        const fit = c.inSample !== undefined ? ` in-sample ${c.inSample.toFixed(3)}` : '';
        return `${c.value.toFixed(3)}${iv}${p}${norm}${base}${fit}`;
      }),
    );
    const w = Math.max(colW, ...text.flat().map((x) => x.length + 2));
    lines.push('    ' + ''.padEnd(rowW) + s.cols.map((c) => short(c.name, w - 2).padEnd(w)).join(''));
    text.forEach((row, i) => lines.push('    ' + short(s.rows[i].name, rowW - 2).padEnd(rowW) + row.map((x) => x.padEnd(w)).join('')));
  }
  if (s.ceilings.length) {
    lines.push(
      '',
      `  noise ceilings (${s.definition}; predictivity: split halves of the repeats, Spearman-Brown corrected per neuron; other measures: ${s.ceilingMethod === 'extrapolated' ? "the halves' similarity extrapolated to the full average by simulated noise" : 'sqrt of the Spearman-Brown corrected similarity of the halves'}):`,
    );
    for (const c of s.ceilings)
      lines.push(
        `    ${c.name}: median reliability ${fmt(c.medianReliability)}, predictivity ceiling ${fmt(c.predictivityCeiling)}${c.measures.map((m) => `, ${m.metric} ${fmt(m.ceiling)}${m.interval ? ` [${fmt(m.interval[0], 3)}, ${fmt(m.interval[1], 3)}]` : ''}`).join('')} (${count(c.neurons, 'neuron')}, ${count(c.stimuli, 'stimulus', 'stimuli')})`,
      );
  }
  if (s.mapping.length) {
    lines.push(
      '',
      `  layer mapping (best layer per area${s.resamples ? `; share of ${s.resamples} bootstrap resamples won, and the layers winning 95%` : ''}):`,
    );
    for (const m of s.mapping) {
      if (m.best === null) continue;
      const share = m.winShare ? ` won ${(100 * m.winShare[m.best]).toFixed(0)}%, 95% set {${m.bestSet!.map((l) => m.layers[l]).join(', ')}}` : '';
      lines.push(`    ${m.area} by ${m.metric}: ${m.layers[m.best]}${share}; by depth ${m.scores.map((v) => (v === null ? '-' : v.toFixed(3))).join(' ')}`);
    }
  }
  if (s.timeCourse?.length) {
    lines.push('', '  over time (each area against its best layer in the main window):');
    const byArea = new Map<string, typeof s.timeCourse>();
    for (const tc of s.timeCourse) byArea.set(tc.area, [...(byArea.get(tc.area) ?? []), tc]);
    for (const [area, list] of byArea) {
      lines.push(`  - ${area} vs ${list[0].layer} (best by ${list[0].chosenBy}):`, '      window (s)      ' + list.map((tc) => tc.metric.padEnd(22)).join(''));
      list[0].points.forEach((p, k) => {
        lines.push(
          '      ' +
            `[${p.start}, ${p.stop})`.padEnd(16) +
            list
              .map((tc) => {
                const c = tc.points[k].cell;
                return (c ? `${c.value.toFixed(3)}${c.interval ? ` [${c.interval[0].toFixed(2)},${c.interval[1].toFixed(2)}]` : ''}` : '-').padEnd(22);
              })
              .join(''),
        );
      });
    }
  }
  for (const n of s.notes) lines.push(`  note: ${withFlags(n)}`);
  return lines;
}
