/** `neurorep complexity`: nonlinearity of the map from X to Y (piecewise-linear pieces needed). */

import { bootstrapComplexity, mapComplexity, type ComplexityResult } from '../../core/complexity.js';
import { validateSameRows } from '../../core/matrix.js';
import { bootstrapOption, expectPositionals, jsonOption, SEED_OPTION, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { fmt, recordHead, toJson } from '../context.js';
import { loadMatrixArgument } from '../load.js';
import { saveRun } from '../save.js';

export const complexityCommand: Command = {
  name: 'complexity',
  summary: 'complexity of the map X -> Y: how many linear pieces, and how much information to pick one',
  usage: 'complexity <X> <Y> [--key-x NAME] [--key-y NAME] [--bootstrap [B]] [--seed S] [--json]',
  description: [
    'X (n x p) and Y (n x q) list the same n stimuli in the same order: the input and output of a',
    'layer, stimulus parameters and a brain area, or two areas. An .npz array can be named as',
    'file.npz:key or with --key-x/--key-y.',
    '',
    'X is reduced to its top m principal components. For K = 1, 2, 4, ... pieces, k-means pieces',
    'in X each get a ridge regression, scored by 5-fold cross-validation: r_K is the held-out',
    'fraction of variance unexplained. H_K is the entropy of piece occupancy. If r_1 - min r_K <',
    '0.01 the map is linear (C = 0); otherwise C = H_K* at the smallest K* within 10 % of the gain',
    'from the best r_K. exp(C) is the effective number of linear pieces.',
  ].join('\n'),
  options: {
    'key-x': { type: 'string', arg: 'NAME', help: 'array for X inside an .npz' },
    'key-y': { type: 'string', arg: 'NAME', help: 'array for Y inside an .npz' },
    components: { type: 'integer', min: 1, arg: 'M', help: 'input principal components m (default min(p, 32))' },
    folds: { type: 'integer', min: 2, arg: 'F', help: 'cross-validation folds (default 5)' },
    restarts: { type: 'integer', min: 1, arg: 'R', help: 'k-means++ restarts, best kept (default 5)' },
    ridge: { type: 'number', min: 0, arg: 'L', help: 'ridge factor: lambda = L * trace(Xk^T Xk) / m (default 1e-3)' },
    'gain-threshold': { type: 'number', min: 0, arg: 'G', help: 'linear gain below which C = 0 (default 0.01)' },
    'gain-fraction': { type: 'number', min: 0, max: 1, arg: 'F', help: 'K* = smallest K within F * gain of the best (default 0.1)' },
    scales: { type: 'string', arg: 'K,K,...', help: 'explicit scales instead of 1, 2, 4, ... <= n / (5 (m + 1))' },
    bootstrap: bootstrapOption('C, K* and R^2 over stimuli'),
    seed: SEED_OPTION,
    json: jsonOption(),
  },
  run(args, ctx) {
    const [xSpec, ySpec] = expectPositionals(args, ['X', 'Y'], 'complexity');
    const o = args.options;
    const x = loadMatrixArgument(xSpec, o['key-x'] as string | undefined);
    const y = loadMatrixArgument(ySpec, o['key-y'] as string | undefined);
    validateSameRows(x.matrix, y.matrix, x.what, y.what);
    const scales = o.scales === undefined ? undefined : parseScales(o.scales as string);
    const seed = (o.seed as number | undefined) ?? 0;
    const opts = {
      components: o.components as number | undefined,
      folds: o.folds as number | undefined,
      restarts: o.restarts as number | undefined,
      ridge: o.ridge as number | undefined,
      gainThreshold: o['gain-threshold'] as number | undefined,
      gainFraction: o['gain-fraction'] as number | undefined,
      scales,
      seed,
    };
    ctx.log(`complexity: ${x.what} (${x.matrix.n} x ${x.matrix.d}) -> ${y.what} (${y.matrix.n} x ${y.matrix.d})`);
    const result = mapComplexity(x.matrix, y.matrix, { ...opts, onProgress: (d, t) => ctx.progress('scales x folds', d, t) });
    const bootstrap = o.bootstrap as number | undefined;
    const record = {
      ...recordHead('complexity', [x.source, y.source], { ...opts, scales: scales ?? null, bootstrap: bootstrap ?? 0 }),
      ...result,
      ...(bootstrap ? { bootstrap: bootstrapComplexity(x.matrix, y.matrix, bootstrap, seed, opts, (d, t) => ctx.progress('bootstrap', d, t)) } : {}),
    };
    saveRun(ctx, record);
    if (ctx.json) ctx.io.out(toJson(record) + '\n');
    else ctx.io.out(formatComplexity(x.what, y.what, result, record.bootstrap?.intervals) + '\n');
    return 0;
  },
};

function parseScales(text: string): number[] {
  const ks = text.split(',').map((s) => Number(s.trim()));
  if (ks.some((k) => !Number.isInteger(k) || k < 1)) throw new UsageError(`--scales expects whole numbers >= 1 separated by commas, got '${text}'`);
  const sorted = [...new Set(ks)].sort((a, b) => a - b);
  if (sorted[0] !== 1) sorted.unshift(1);
  return sorted;
}

function formatComplexity(xw: string, yw: string, r: ComplexityResult, ci?: Record<string, { lo: number; hi: number }>): string {
  const iv = (k: string): string => (ci?.[k] ? `   95% CI [${fmt(ci[k].lo)}, ${fmt(ci[k].hi)}]` : '');
  return [
    `${xw} -> ${yw}: ${r.n} stimuli, p = ${r.p} (m = ${r.m} components), q = ${r.q}`,
    `  complexity          C = ${fmt(r.complexity)} nats, exp(C) = ${fmt(r.effectivePieces)} effective pieces, K* = ${r.kStar}${iv('complexity')}`,
    `  linear R^2          ${fmt(r.linearR2)}${iv('linearR2')}`,
    `  best piecewise R^2  ${fmt(r.bestR2)}  (gain G = ${fmt(r.gain)}${r.complexity === 0 ? ', linear at this resolution' : ''})`,
    '      K    r_K (held out)   H_K (nats)',
    ...r.curve.map((c) => `  ${String(c.k).padStart(5)}    ${fmt(c.r).padEnd(14)}   ${fmt(c.entropy)}${c.k === r.kStar && r.complexity > 0 ? '   <- K*' : ''}`),
  ].join('\n');
}
