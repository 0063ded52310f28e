/** `neurorep network`: depth profile of a network from its layer activations. */

import { complexityDetail } from '../../analysis/complexityText.js';
import type { ComplexityResult } from '../../core/complexity/complexity.js';
import { count } from '../text.js';
import { profileActivationFile, type ActivationFileOptions, type NetworkProfile } from '../../analysis/network.js';
import { sha256Later } from '../../io/hash.js';
import { expectPositionals, jsonOption, SEED_OPTION } from '../args.js';
import { defineCommand } from '../command.js';
import { fmt, type Context } from '../context.js';
import { sourceOf, toRunRecord } from '../../store/record.js';
import {
  COMPLEXITY_OPTIONS,
  complexityOptionsOf,
  CORRECTION_OPTION,
  intervalOptions,
  intervalsOf,
  MATCH_OPTION,
  matchOf,
  meanSdText,
  NULL_OPTION,
  nullsOf,
  printable,
  warningLines,
} from '../observableOptions.js';
import { finishRun } from '../save.js';

export const networkCommand = defineCommand({
  name: 'network',
  summary: 'depth profile of a network: observables per layer, complexity between layers',
  usage:
    'network <acts.npz|layer.npy> [--order a,b,...] [--pool none|mean] [--stimulus-ids FILE] [--null [N]] [--intervals [G]] [--match-neurons [D]] [--json]',
  description: [
    'One array per layer (rows = stimuli, the same in every layer), in archive order or --order.',
    'Convolutional tensors (n, C, H, W) are flattened to n x C*H*W, or averaged over positions',
    'to n x C with --pool mean. An array named `input` is the network input: complexity is then',
    'also reported from the input to every layer. `stimulus_ids` (numbers or strings, in any',
    'order; or `labels`) name the stimuli, or --stimulus-ids FILE does: compare then matches them',
    "to a recording's stimulus values by name.",
    'Per layer: D_eff (and corrected), PR, alpha, activation patterns (on = > 0). Per consecutive',
    'pair: complexity, with its permutation null under --null.',
  ].join('\n'),
  storesRuns: true,
  options: {
    order: { type: 'string', arg: 'a,b,...', help: 'layer arrays to use, in depth order (default: archive order)' },
    pool: { type: 'string', choices: ['none', 'mean'], arg: 'none|mean', help: 'mean: average convolutional maps over positions (default none)' },
    threshold: { type: 'number', arg: 'T', help: 'activation-pattern threshold (default 0)' },
    'stimulus-ids': {
      type: 'string',
      arg: 'FILE',
      help: "the stimuli's names or numbers, one per row of the activations (.txt/.csv one per line, .json array, or .npy), for matching to a recording",
    },
    ...COMPLEXITY_OPTIONS,
    ...intervalOptions('every observable per layer'),
    'complexity-intervals': {
      type: 'integer',
      min: 0,
      arg: 'G',
      help: "jackknife groups for complexity's interval (default: as --intervals; 0 = none, its fold seeds' range still shows): the jackknife refits every map G times",
    },
    null: NULL_OPTION,
    'match-neurons': MATCH_OPTION,
    'correct-max-rank': CORRECTION_OPTION,
    'stimulus-curve': { type: 'boolean', help: 'D_eff per layer against the number of stimuli (random subsets n/16..n; corrected on one subset per size)' },
    seed: SEED_OPTION,
    json: jsonOption(),
  },
  run(args, ctx) {
    const [path] = expectPositionals(args, ['acts.npz'], 'network');
    const o = args.options;
    const pool = o.pool ?? 'none';
    const { record, representations, text } = runNetworkProfile(
      path,
      {
        order:
          o.order === undefined
            ? undefined
            : o.order
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
        pool,
        seed: o.seed,
        intervals: intervalsOf(args),
        ...(o['complexity-intervals'] !== undefined ? { complexityIntervals: o['complexity-intervals'] } : {}),
        nulls: nullsOf(args),
        threshold: o.threshold,
        complexity: complexityOptionsOf(args),
        matchNeurons: matchOf(args),
        correctionMaxRank: o['correct-max-rank'],
        stimulusCurve: o['stimulus-curve'] ?? false,
        ...(o['stimulus-ids'] ? { stimulusIds: o['stimulus-ids'] } : {}),
      },
      ctx,
    );
    finishRun(ctx, record, text, representations);
    return 0;
  },
});

/** The profile as a run record, the representations to store, and the human summary. */
export function runNetworkProfile(path: string, opts: ActivationFileOptions, ctx: Context) {
  const hash = sha256Later(path);
  const p = profileActivationFile(path, { ...opts, onProgress: (label, d, t) => ctx.progress(label, d, t) });
  ctx.log(`${path}: ${count(p.layers.length, 'layer')} x ${count(p.n, 'stimulus', 'stimuli')}${p.inputTransitions.length ? ', with input' : ''}`);
  const { representations, params, shapes, ...body } = p;
  const record = toRunRecord('network', sourceOf(path, 'activations', hash), params, { ...body, layers: p.layers.map((l, i) => ({ ...l, shape: shapes[i] })) });
  return { record, representations, text: formatNetwork(path, p) };
}

export function formatNetwork(path: string, p: NetworkProfile): string {
  const rows = p.layers.map((l) => {
    const into = p.transitions.find((t) => t.to === l.name);
    const fromInput = p.inputTransitions.find((t) => t.to === l.name);
    const iv = l.intervals?.bounds;
    const pv = l.patterns?.intervals?.bounds;
    const p2 = (v: number | null | undefined) => (v === null || v === undefined ? '' : v < 0.001 ? ', p<0.001' : `, p ${fmt(v, 2)}`);
    const br = (x: { lo: number; hi: number } | undefined) => (x ? ` [${fmt(x.lo, 3)}, ${fmt(x.hi, 3)}]` : '');
    // C, its 95 % interval when asked for, then its fold seeds' range and gain (complexityDetail).
    const cText = (c: ComplexityResult) => {
      const detail = complexityDetail(c);
      return `${fmt(c.complexity)}${br(c.intervals?.bounds.complexity)}${detail ? `, ${detail.startsWith('[') ? 'seeds ' : ''}${detail}` : ''}`;
    };
    return [
      l.name,
      String(l.d),
      `${fmt(l.effectiveDimension)}${br(iv?.effectiveDimension)}`,
      `${fmt(l.effectiveDimensionCorrected)}${br(iv?.effectiveDimensionCorrected)}`,
      `${fmt(l.alpha)}${br(iv?.alpha)}`,
      `${fmt(l.patterns?.switchingFraction)}${br(pv?.switchingFraction)}`,
      `${fmt(l.patterns?.entropyAll)}${l.patterns?.saturated ? '*' : ''}${br(pv?.entropyAll)}`,
      into ? `${cText(into)} (R2 ${fmt(into.linearR2, 3)}${p2(into.null?.pValue)})` : '',
      fromInput ? `${cText(fromInput)}${p2(fromInput.null?.pValue)}` : '',
    ];
  });
  const header = ['layer', 'd', 'D_eff', 'corrected', 'alpha', 'switching', 'S_all', 'C from prev', 'C from input'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => '  ' + r.map((c, i) => c.padEnd(widths[i])).join('  ');
  const lines = [`${path}: depth profile (${p.layers[0]?.n ?? 0} stimuli)`, line(header), ...rows.map(line)];
  if (p.layers.some((l) => l.patterns?.saturated)) lines.push('  * S_all saturated: more distinct patterns than half the stimuli, a lower bound');
  for (const l of p.layers) {
    if (l.matched) {
      const m = l.matched.observables;
      lines.push(`  ${l.name} at ${l.matched.neurons} neurons: D_eff ${meanSdText(m.effectiveDimension)}, switching ${fmt(m.switchingFraction?.mean)}`);
    }
  }
  for (const l of p.layers)
    if (l.stimulusCurve?.length)
      lines.push(
        `  ${l.name}, D_eff against stimuli (plug-in / corrected): ${l.stimulusCurve.map((c) => `${c.stimuli}: ${fmt(c.mean, 3)} / ${fmt(c.corrected, 3)}`).join(', ')}`,
      );
  if (p.layers.some((l) => l.intervals)) lines.push('  [lo, hi]: 95 % intervals, grouped jackknife over stimuli');
  lines.push(...warningLines(p.warnings));
  return printable(lines.join('\n'));
}
