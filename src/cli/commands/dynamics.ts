/** `neurorep dynamics`: observables per layer over training checkpoints, with trend models compared (fits/2). */

import { readActivations } from '../../../adapters/network/index.js';
import { trainingDynamics, type Dynamics } from '../../analysis/dynamics.js';
import { InputError } from '../../core/matrix.js';
import { jsonOption, SEED_OPTION, UsageError } from '../args.js';
import { defineCommand } from '../command.js';
import { fmt } from '../context.js';
import { sourceOf, toRunRecord } from '../../store/record.js';
import { finishRun } from '../save.js';
import { COMPLEXITY_OPTIONS, complexityOptionsOf } from '../observableOptions.js';

export const dynamicsCommand = defineCommand({
  name: 'dynamics',
  summary: 'observables per layer over training checkpoints, with fits compared (power law, offset, logistic)',
  usage: 'dynamics <acts-*.npz>... [--fit-range T0,T1] [--resamples B] [--seed S] [--json]',
  description: [
    'Each .npz is one checkpoint: one array per layer (rows = the same probe stimuli in every',
    'file), a `step` array (the training step t > 0), and optionally `input`. For every layer and',
    'checkpoint: D_eff, PR, alpha, switching fraction, S_all and complexity (from the previous',
    'layer, or from the input for the first layer). Each series is fitted by three models on its',
    'own scale (fits/2, docs/observables.md 6): power law y = a t^b, power law with offset',
    'y = c + a t^b, and a logistic step in ln t; the lowest AICc is selected; every parameter gets a',
    '95% interval from a bootstrap over checkpoints; the power law is also fitted on the lower and',
    'upper half of the range (an exponent that moves with the range is not a power law). Flagged',
    'values (saturated entropies, complexity lower bounds) are not fitted, and said so.',
  ].join('\n'),
  storesRuns: true,
  options: {
    'fit-range': { type: 'string', arg: 'T0,T1', help: 'fit only checkpoints with T0 <= step <= T1 (default: every step > 0)' },
    ...COMPLEXITY_OPTIONS,
    resamples: { type: 'integer', min: 0, arg: 'B', help: "bootstrap resamples of the checkpoints for the fits' intervals (default 200; 0 = none)" },
    seed: SEED_OPTION,
    json: jsonOption(),
  },
  run(args, ctx) {
    const files = args.positionals;
    if (files.length < 2) throw new UsageError('dynamics: give at least two checkpoint files (e.g. out/acts-*.npz)');
    const checkpoints = files.map((f) => {
      const a = readActivations(f);
      if (a.step === null) throw new InputError(`${f}: no 'step' array; each checkpoint file needs its training step`);
      return { step: a.step, layers: a.layers, input: a.input, source: f };
    });
    ctx.log(`dynamics: ${checkpoints.length} checkpoints x ${checkpoints[0].layers.length} layers`);
    const seed = args.options.seed ?? 0;
    const fitRange = rangeOf(args.options['fit-range']);
    const d = trainingDynamics(checkpoints, {
      seed,
      ...(fitRange ? { fitRange } : {}),
      ...(args.options.resamples !== undefined ? { resamples: args.options.resamples } : {}),
      complexity: complexityOptionsOf(args),
      onProgress: (i, n) => ctx.progress('checkpoints', i, n),
    });
    const record = toRunRecord(
      'dynamics',
      files.map((f) => sourceOf(f, 'activations')),
      { seed, files: files.length, ...(fitRange ? { fitRange } : {}), fits: 'fits/2' },
      d,
    );
    finishRun(ctx, record, formatDynamics(d));
    return 0;
  },
});

/** --fit-range T0,T1: two numbers, 0 <= T0 < T1 (exit 2 otherwise). */
function rangeOf(text: string | undefined): [number, number] | null {
  if (text === undefined) return null;
  const parts = text.split(',').map((x) => Number(x.trim()));
  if (parts.length !== 2 || !parts.every(Number.isFinite) || parts[0] < 0 || parts[0] >= parts[1])
    throw new UsageError(`--fit-range: '${text}' is not two steps T0,T1 with 0 <= T0 < T1`);
  return [parts[0], parts[1]];
}

const interval = (iv: [number, number] | null | undefined) => (iv ? ` [${fmt(iv[0], 3)}, ${fmt(iv[1], 3)}]` : '');

export function formatDynamics(d: Dynamics): string {
  const header = [
    'layer',
    'observable',
    `t=${d.steps[0]}`,
    `t=${d.steps[d.steps.length - 1]}`,
    'selected (AICc)',
    'power law b [95% CI]',
    'b: lower / upper half',
  ];
  const rows = d.series.map((s) => {
    const power = s.fits?.find((f) => f.model === 'power');
    const chosen = s.fits?.find((f) => f.model === s.selected);
    const what =
      chosen?.model === 'logistic'
        ? `logistic, step at t ${fmt(chosen.params.midpoint, 3)}${interval(chosen.intervals.midpoint)}`
        : chosen?.model === 'offset'
          ? `offset, b ${fmt(chosen.params.b, 3)}${interval(chosen.intervals.b)}`
          : (chosen?.model ?? '-');
    return [
      s.layer,
      s.observable,
      fmt(s.values[0]),
      fmt(s.values[s.values.length - 1]),
      what,
      power ? `${fmt(power.params.b, 3)}${interval(power.intervals.b)}${s.selected !== 'power' ? ` (dAICc ${fmt(power.deltaAicc, 3)})` : ''}` : '-',
      s.exponentByHalf ? `${fmt(s.exponentByHalf.lower, 3)} / ${fmt(s.exponentByHalf.upper, 3)}` : '-',
    ];
  });
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => '  ' + r.map((c, i) => c.padEnd(w[i])).join('  ');
  const notes = d.series.flatMap((s) => (s.warnings ?? []).map((x) => `  ${s.layer} ${s.observable}: ${x}`));
  return [
    `${d.steps.length} checkpoints (steps ${d.steps[0]}-${d.steps[d.steps.length - 1]}); per series the model with the lowest AICc among power law, power law with offset and logistic in ln t (fits/2):`,
    line(header),
    ...rows.map(line),
    ...notes,
  ].join('\n');
}
