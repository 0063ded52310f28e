/** `neurorep patterns`: activation-pattern entropy (on/off regimes visited by the stimuli). */

import { count } from '../text.js';
import { defaultThreshold, patternEntropy, type PatternsResult, type Threshold } from '../../core/patterns/patterns.js';
import { expectPositionals, jsonOption, SEED_OPTION, UsageError } from '../args.js';
import { defineCommand } from '../command.js';
import { fmt } from '../context.js';
import { toRunRecord } from '../../store/record.js';
import { loadMatrixArgument } from '../load.js';
import { ciText, intervalOptions, intervalsOf, NULL_OPTION, nullsOf, nullText, warningLines } from '../observableOptions.js';
import { finishRun } from '../save.js';
import { representationOf } from '../../analysis/representation.js';
import { MATRIX_KEY } from '../../analysis/compare.js';

export const patternsCommand = defineCommand({
  name: 'patterns',
  summary: 'activation-pattern entropy: switching fraction, subset entropies, whole-population entropy',
  usage: 'patterns <matrix> [--key NAME] [--threshold T|mean+sd] [--source network|spikes|calcium] [--null [N]] [--intervals [G]] [--seed S] [--json]',
  description: [
    'Binarises each response (on = value > threshold), then measures: the share of neurons that',
    'switch (on for 5-95 % of stimuli); for subsets of k = 1, 2, 4, ... neurons (2^k <= n / 10)',
    'the Miller-Madow corrected pattern entropy S(k), the independent entropy S_ind(k) (corrected',
    'the same way) and the multi-information I(k) = S_ind(k) - S(k); and the plug-in entropy of',
    'whole-population patterns S_all, flagged saturated when distinct patterns exceed n / 2.',
    '--null shuffles every neuron across stimuli independently: I(k) of independent units.',
    'Default threshold by --source: 0 for network activations and spike counts, mean + 1 sd per',
    'neuron for calcium traces.',
  ].join('\n'),
  storesRuns: true,
  options: {
    key: { type: 'string', arg: 'NAME', help: 'array to use inside an .npz archive' },
    threshold: { type: 'string', arg: 'T', help: "on = value > T; a number or 'mean+sd' (default by --source)" },
    source: {
      type: 'string',
      choices: ['network', 'spikes', 'calcium'],
      arg: 'KIND',
      help: 'network (default), spikes or calcium: picks the default threshold',
    },
    subsets: { type: 'integer', min: 1, arg: 'N', help: 'random neuron subsets per scale (default 20)' },
    ...intervalOptions('switching fraction and entropies'),
    null: NULL_OPTION,
    seed: SEED_OPTION,
    json: jsonOption(),
  },
  run(args, ctx) {
    const [spec] = expectPositionals(args, ['matrix'], 'patterns');
    const o = args.options;
    const m = loadMatrixArgument(spec, o.key);
    const source = o.source ?? 'network';
    const threshold = parseThreshold(o.threshold) ?? defaultThreshold(source);
    const seed = o.seed ?? 0;
    const opts = { threshold, subsets: o.subsets, seed, intervals: intervalsOf(args), nulls: nullsOf(args) };
    const result = patternEntropy(m.matrix, { ...opts, onProgress: (label, d, t) => ctx.progress(label, d, t) });
    const record = toRunRecord(
      'patterns',
      m.source,
      { source, threshold, subsets: opts.subsets ?? 20, seed, intervals: opts.intervals, nulls: opts.nulls },
      result,
    );
    finishRun(ctx, record, formatPatterns(m.what, result), () => representationOf(MATRIX_KEY, m.matrix, m.matrix.rowLabels ?? null));
    return 0;
  },
});

function parseThreshold(text: string | undefined): Threshold | undefined {
  if (text === undefined) return undefined;
  if (text === 'mean+sd') return 'mean+sd';
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--threshold expects a number or 'mean+sd', got '${text}'`);
  return v;
}

function formatPatterns(what: string, r: PatternsResult): string {
  const iv = r.intervals?.bounds;
  return [
    `${what}: ${count(r.n, 'stimulus', 'stimuli')} x ${count(r.d, 'neuron')}, on = value > ${r.threshold === 'mean+sd' ? 'mean + 1 sd' : r.threshold}`,
    `  switching fraction   ${fmt(r.switchingFraction)} (neurons on for 5-95 % of stimuli)${ciText(iv, 'switchingFraction')}`,
    `  population entropy   S_all = ${fmt(r.entropyAll)} nats, exp(S_all) = ${fmt(r.expEntropyAll)}, ${r.distinctPatterns} distinct patterns${r.saturated ? ' (saturated: a lower bound)' : ''}${ciText(iv, 'entropyAll')}`,
    '      k    S(k)      S(k)/k    S_ind(k)  I(k)',
    ...r.curve.map(
      (c) =>
        `  ${String(c.k).padStart(5)}    ${fmt(c.entropy).padEnd(8)}  ${fmt(c.entropyPerNeuron).padEnd(8)}  ${fmt(c.independentEntropy).padEnd(8)}  ${fmt(c.multiInformation)}${ciText(iv, `multiInformation_k${c.k}`)}${nullText(c.null)}`,
    ),
    ...warningLines(r.warnings),
  ].join('\n');
}
