/** `neurorep dynamics`: observables per layer over training checkpoints, with trend models compared (fits/2). */

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readActivations } from '../../../adapters/network/index.js';
import { trainingDynamics, type Checkpoint, type Dynamics } from '../../analysis/dynamics.js';
import { dynamicsOfRuns, type DynamicsOfRuns } from '../../analysis/dynamicsRuns.js';
import { InputError } from '../../core/matrix.js';
import { jsonOption, SEED_OPTION, UsageError } from '../args.js';
import { defineCommand } from '../command.js';
import { fmt } from '../context.js';
import { sourceOf, toRunRecord } from '../../store/record.js';
import { finishRun } from '../save.js';
import { COMPLEXITY_OPTIONS, complexityOptionsOf, intervalOptions, intervalsOf } from '../observableOptions.js';

export const dynamicsCommand = defineCommand({
  name: 'dynamics',
  summary: 'observables per layer over training checkpoints, with fits compared (power law, offset, logistic)',
  usage: 'dynamics <acts-*.npz>... | <NAME=DIR>... [--fit-range T0,T1] [--resamples B] [--seed S] [--json]',
  description: [
    'Each .npz is one checkpoint: one array per layer (rows = the same probe stimuli in every',
    'file), a `step` array (the training step t > 0), and optionally `input`. For every layer and',
    'checkpoint: D_eff, PR, alpha, switching fraction, S_all and complexity (from the previous',
    'layer, or from the input for the first layer). Each series is fitted by three models on its',
    'own scale (fits/2, docs/observables.md 4.4): power law y = a t^b, power law with offset',
    'y = c + a t^b, and a logistic step in ln t; the lowest AICc is selected; every parameter gets a',
    '95% interval from a bootstrap over checkpoints; the power law is also fitted on the lower and',
    'upper half of the range (an exponent that moves with the range is not a power law). Flagged',
    'values (saturated entropies, complexity lower bounds) are not fitted, and said so.',
    '',
    "Several runs (seeds, datasets): give NAME=DIR for each, DIR holding one run's checkpoint",
    'files (*.npz). Names GROUP/LABEL group runs (e.g. mnist/seed1 mnist/seed2 fashion/seed1 ...).',
    'Per group: the across-run mean, spread and 95% t interval at every checkpoint, the model',
    "with the lowest AICc summed over the runs, each run's power-law exponent and the pooled one",
    "(mean over runs, t interval); between groups, Welch's t test of the exponents.",
  ].join('\n'),
  storesRuns: true,
  options: {
    'fit-range': { type: 'string', arg: 'T0,T1', help: 'fit only checkpoints with T0 <= step <= T1 (default: every step > 0)' },
    ...COMPLEXITY_OPTIONS,
    ...intervalOptions("D_eff, PR, alpha, switching and S_all at every checkpoint (complexity/3 carries its fold seeds' range)"),
    resamples: { type: 'integer', min: 0, arg: 'B', help: "bootstrap resamples of the checkpoints for the fits' intervals (default 200; 0 = none)" },
    seed: SEED_OPTION,
    json: jsonOption(),
  },
  run(args, ctx) {
    const runs = runsOf(args.positionals);
    const seed = args.options.seed ?? 0;
    const fitRange = rangeOf(args.options['fit-range']);
    const opts = {
      seed,
      ...(fitRange ? { fitRange } : {}),
      ...(args.options.resamples !== undefined ? { resamples: args.options.resamples } : {}),
      ...(intervalsOf(args) ? { intervals: intervalsOf(args) } : {}),
      complexity: complexityOptionsOf(args),
    };
    const files = runs.flatMap((r) => r.files);
    const sources = files.map((f) => sourceOf(f, 'activations'));
    const params = { seed, files: files.length, ...(fitRange ? { fitRange } : {}), ...(opts.intervals ? { intervals: opts.intervals } : {}), fits: 'fits/2' };
    if (runs.length === 1 && runs[0].name === null) {
      const checkpoints = runs[0].files.map(checkpointOf);
      ctx.log(`dynamics: ${checkpoints.length} checkpoints x ${checkpoints[0].layers.length} layers`);
      const d = trainingDynamics(checkpoints, { ...opts, onProgress: (i, n) => ctx.progress('checkpoints', i, n) });
      finishRun(ctx, toRunRecord('dynamics', sources, params, d), formatDynamics(d));
      return 0;
    }
    ctx.log(`dynamics: ${runs.length} runs, ${files.length} checkpoints`);
    const d = dynamicsOfRuns(
      runs.map((r) => ({ name: r.name!, checkpoints: r.files.map(checkpointOf) })),
      { ...opts, onRun: (name, i, n) => ctx.progress(`runs (${name})`, i, n) },
    );
    finishRun(ctx, toRunRecord('dynamics', sources, { ...params, runs: runs.map((r) => r.name!) }, d), formatDynamicsOfRuns(d));
    return 0;
  },
});

function checkpointOf(f: string): Checkpoint {
  const a = readActivations(f);
  if (a.step === null) throw new InputError(`${f}: no 'step' array; each checkpoint file needs its training step`);
  return { step: a.step, layers: a.layers, input: a.input, source: f };
}

/** Positionals: checkpoint files (one unnamed run), or NAME=DIR per run (every *.npz in DIR). */
function runsOf(positionals: string[]): { name: string | null; files: string[] }[] {
  const named = positionals.filter((p) => /^[^=/\\][^=]*=/.test(p) && !p.endsWith('.npz'));
  if (named.length === 0) {
    if (positionals.length < 2) throw new UsageError('dynamics: give at least two checkpoint files (e.g. out/acts-*.npz), or NAME=DIR for each run');
    return [{ name: null, files: positionals }];
  }
  if (named.length !== positionals.length)
    throw new UsageError(
      `dynamics: give either checkpoint files or NAME=DIR runs, not both ('${positionals.find((p) => !named.includes(p))}' is not NAME=DIR)`,
    );
  return named.map((p) => {
    const at = p.indexOf('=');
    const name = p.slice(0, at),
      dir = p.slice(at + 1);
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      throw new InputError(`${dir}: no such directory (run '${name}')`);
    }
    if (!isDir) throw new InputError(`${dir}: not a directory (run '${name}' needs the folder holding its checkpoint .npz files)`);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.npz'))
      .sort()
      .map((f) => join(dir, f));
    if (files.length < 2) throw new InputError(`${dir}: ${files.length} checkpoint .npz file(s); run '${name}' needs at least two`);
    return { name, files };
  });
}

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

/** Several runs: per group the pooled fits, then the groups' exponents compared. */
export function formatDynamicsOfRuns(d: DynamicsOfRuns): string {
  const ci = (iv: [number, number] | null | undefined) => (iv ? ` [${fmt(iv[0], 3)}, ${fmt(iv[1], 3)}]` : '');
  const header = ['group', 'layer', 'observable', 'runs', 'selected (summed AICc)', 'power law b, pooled [95% CI over runs]', 'b per run'];
  const rows = d.pooled.map((p) => {
    const midpoint = p.selected === 'logistic' ? p.params.midpoint : null;
    const what =
      p.selected === 'logistic' && midpoint
        ? `logistic, step at t ${fmt(midpoint.mean, 3)}${ci(midpoint.interval)}`
        : p.selected === 'offset' && p.params.b
          ? `offset, b ${fmt(p.params.b.mean, 3)}${ci(p.params.b.interval)}`
          : (p.selected ?? '-');
    const b = p.exponent.pooled;
    return [
      p.group,
      p.layer,
      p.observable,
      String(p.runs.length),
      what + (p.selected && p.selected !== 'power' && p.deltaAicc.power !== undefined ? ` (power law +${fmt(p.deltaAicc.power, 3)})` : ''),
      b ? `${fmt(b.mean, 3)}${ci(b.interval)}` : '-',
      p.exponent.perRun.map((r) => fmt(r.b, 3)).join(', ') || '-',
    ];
  });
  const table = (head: string[], body: string[][]) => {
    const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
    const line = (r: string[]) => '  ' + r.map((c, i) => c.padEnd(w[i])).join('  ');
    return [line(head), ...body.map(line)];
  };
  const tests = d.comparisons
    .filter((c) => c.test !== null)
    .map((c) => [
      `${c.groups[0]} - ${c.groups[1]}`,
      c.layer,
      c.observable,
      `${fmt(c.test!.difference, 3)}${ci(c.test!.interval)}`,
      `t ${fmt(c.test!.t, 3)}, df ${fmt(c.test!.df, 3)}, p ${c.test!.pValue.toPrecision(2)}`,
    ]);
  const notes = d.pooled.flatMap((p) => p.warnings.map((w) => `  ${p.group} ${p.layer} ${p.observable}: ${w}`));
  return [
    `${d.runs.length} runs in ${d.groups.length} group(s) (${d.groups.join(', ')}), ${d.steps.length} checkpoint steps; per group, fits/2 pooled over runs:`,
    ...table(header, rows),
    ...(tests.length
      ? [
          "Power-law exponents compared between groups (Welch's t test over the runs' exponents):",
          ...table(['groups', 'layer', 'observable', 'difference of b [95% CI]', 'test'], tests),
        ]
      : []),
    ...notes,
  ].join('\n');
}
