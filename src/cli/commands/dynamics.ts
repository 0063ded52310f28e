/** `neurorep dynamics`: observables per layer over training checkpoints, with power-law fits. */

import { readActivations } from '../../../adapters/network/index.js';
import { trainingDynamics, type Dynamics } from '../../analysis/dynamics.js';
import { InputError } from '../../core/matrix.js';
import { jsonOption, SEED_OPTION, UsageError } from '../args.js';
import { defineCommand } from '../command.js';
import { fmt } from '../context.js';
import { sourceOf, toRunRecord } from '../../store/record.js';
import { finishRun } from '../save.js';

export const dynamicsCommand = defineCommand({
  name: 'dynamics',
  summary: 'observables per layer over training checkpoints, with power-law fits y = a t^b',
  usage: 'dynamics <acts-*.npz>... [--seed S] [--json]',
  description: [
    'Each .npz is one checkpoint: one array per layer (rows = the same probe stimuli in every',
    'file), a `step` array (the training step t > 0), and optionally `input`. For every layer and',
    'checkpoint: D_eff, PR, alpha, switching fraction, S_all and complexity (from the previous',
    'layer, or from the input for the first layer); then y = a t^b fitted by least squares on',
    'ln y vs ln t, with a, b and R^2 reported per series.',
  ].join('\n'),
  storesRuns: true,
  options: {
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
    const d = trainingDynamics(checkpoints, { seed, onProgress: (i, n) => ctx.progress('checkpoints', i, n) });
    const record = toRunRecord(
      'dynamics',
      files.map((f) => sourceOf(f, 'activations')),
      { seed, files: files.length },
      d,
    );
    finishRun(ctx, record, formatDynamics(d));
    return 0;
  },
});

export function formatDynamics(d: Dynamics): string {
  const header = ['layer', 'observable', `t=${d.steps[0]}`, `t=${d.steps[d.steps.length - 1]}`, 'a', 'b', 'R^2'];
  const rows = d.series.map((s) => [s.layer, s.observable, fmt(s.values[0]), fmt(s.values[s.values.length - 1]), fmt(s.fit.a), fmt(s.fit.b), fmt(s.fit.r2, 3)]);
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => '  ' + r.map((c, i) => c.padEnd(w[i])).join('  ');
  return [
    `${d.steps.length} checkpoints (steps ${d.steps[0]}-${d.steps[d.steps.length - 1]}), power law y = a t^b per series:`,
    line(header),
    ...rows.map(line),
  ].join('\n');
}
