/** `neurorep complexity`: nonlinearity of the map from X to Y (piecewise-linear pieces needed). */

import { mapComplexity, type ComplexityResult } from '../../core/complexity/complexity.js';
import { validateSameRows } from '../../core/matrix.js';
import { expectPositionals, jsonOption, SEED_OPTION, UsageError } from '../args.js';
import { defineCommand } from '../command.js';
import { fmt } from '../context.js';
import { isLowerBound } from '../../analysis/complexityText.js';
import { toRunRecord } from '../../store/record.js';
import { loadMatrixArgument } from '../load.js';
import {
  ciText,
  COMPLEXITY_OPTIONS,
  complexityOptionsOf,
  intervalOptions,
  intervalsOf,
  NULL_OPTION,
  nullsOf,
  nullText,
  warningLines,
} from '../observableOptions.js';
import { finishRun } from '../save.js';

export const complexityCommand = defineCommand({
  name: 'complexity',
  summary: 'complexity of the map X -> Y: how many linear pieces, and how much information to pick one',
  usage: 'complexity <X> <Y> [--key-x NAME] [--key-y NAME] [--definition 1|2|3] [--null [N]] [--intervals [G]] [--repeats R] [--seed S] [--json]',
  description: [
    'X (n x p) and Y (n x q) list the same n stimuli in the same order: the input and output of a',
    'layer, stimulus parameters and a brain area, or two areas. An .npz array can be named as',
    'file.npz:key or with --key-x/--key-y.',
    '',
    "Definition 3 (default): a ridge fit on X's principal components carries the linear part; a",
    'tree cuts X where the residual bends or jumps, neighbouring cells whose fits agree are merged,',
    'and 5-fold cross-validation scores every number of pieces K, up to as many as the data allow.',
    'K* is the fewest pieces within one standard error (or the resolution) of the best held-out',
    'error; C = entropy of how the stimuli fill the K* pieces (nats), exp(C) the effective number',
    'of linear pieces. C = 0 for a linear map; C is undefined when nothing is predictable.',
    'C is the median over 5 fold seeds (--repeats), shown with their range and with the held-out',
    "gain the pieces bring over one linear map (% of Y's variance, 95 % interval); a C on a gain",
    'below 1 % is marked weak, one whose best K is the largest scored a lower bound (>=). The scale',
    'curve gives C at each resolution (--resolutions).',
    'Definition 2 reproduces runs made before 2026-12-02 (one fold seed, at most 256 pieces);',
    'definition 1 runs made before 2026-11-26 (k-means pieces, the 10 %-of-gain rule).',
    "--null permutes Y's rows against X and compares the held-out gain with the observed one.",
  ].join('\n'),
  storesRuns: true,
  options: {
    'key-x': { type: 'string', arg: 'NAME', help: 'array for X inside an .npz' },
    'key-y': { type: 'string', arg: 'NAME', help: 'array for Y inside an .npz' },
    ...COMPLEXITY_OPTIONS,
    folds: { type: 'integer', min: 2, arg: 'F', help: 'cross-validation folds (default 5)' },
    restarts: { type: 'integer', min: 1, arg: 'R', help: 'definition 1: k-means++ restarts, best kept (default 5)' },
    'gain-threshold': { type: 'number', min: 0, arg: 'G', help: 'definition 1: linear gain below which C = 0 (default 0.01)' },
    'gain-fraction': { type: 'number', min: 0, max: 1, arg: 'F', help: 'definition 1: K* = smallest K within F * gain of the best (default 0.1)' },
    scales: { type: 'string', arg: 'K,K,...', help: 'definition 1: explicit scales instead of 1, 2, 4, ... <= n / (5 (m + 1))' },
    ...intervalOptions('C, exp(C), the R^2 values and the gain'),
    null: NULL_OPTION,
    seed: SEED_OPTION,
    json: jsonOption(),
  },
  run(args, ctx) {
    const [xSpec, ySpec] = expectPositionals(args, ['X', 'Y'], 'complexity');
    const o = args.options;
    const x = loadMatrixArgument(xSpec, o['key-x']);
    const y = loadMatrixArgument(ySpec, o['key-y']);
    validateSameRows(x.matrix, y.matrix, x.what, y.what);
    const scales = o.scales === undefined ? undefined : parseScales(o.scales);
    const seed = o.seed ?? 0;
    const opts = {
      ...complexityOptionsOf(args),
      folds: o.folds,
      restarts: o.restarts,
      gainThreshold: o['gain-threshold'],
      gainFraction: o['gain-fraction'],
      scales,
      seed,
    };
    if (opts.definition !== 1 && (scales || opts.restarts || opts.gainThreshold !== undefined || opts.gainFraction !== undefined)) {
      throw new UsageError('--scales, --restarts, --gain-threshold and --gain-fraction belong to definition 1; add --definition 1');
    }
    ctx.log(`complexity/${opts.definition}: ${x.what} (${x.matrix.n} x ${x.matrix.d}) -> ${y.what} (${y.matrix.n} x ${y.matrix.d})`);
    const result = mapComplexity(x.matrix, y.matrix, {
      ...opts,
      intervals: intervalsOf(args),
      nulls: nullsOf(args),
      onProgress: (label, d, t) => ctx.progress(label, d, t),
    });
    const record = toRunRecord(
      'complexity',
      [x.source, y.source],
      { ...opts, scales: scales ?? null, intervals: intervalsOf(args), nulls: nullsOf(args) },
      result,
    );
    finishRun(ctx, record, formatComplexity(x.what, y.what, result));
    return 0;
  },
});

function parseScales(text: string): number[] {
  const ks = text.split(',').map((s) => Number(s.trim()));
  if (ks.some((k) => !Number.isInteger(k) || k < 1 || k > 1e6))
    throw new UsageError(`--scales expects whole numbers from 1 to 1000000 separated by commas, got '${text}'`);
  const sorted = [...new Set(ks)].sort((a, b) => a - b);
  if (sorted[0] !== 1) sorted.unshift(1);
  return sorted;
}

/** The text summary of one complexity result. */
export function formatComplexity(xw: string, yw: string, r: ComplexityResult): string {
  const iv = r.intervals?.bounds;
  const linear = r.complexity === 0;
  const lines = [`${xw} -> ${yw}: ${r.n} stimuli, p = ${r.p} (m = ${r.m} components), q = ${r.q}; ${r.definition}`];
  if (r.definition === 'complexity/3') {
    const si = r.seedInterval;
    lines.push(
      `  complexity          C = ${fmt(r.complexity)} nats${isLowerBound(r) ? ' (a lower bound)' : ''}, exp(C) = ${fmt(r.effectivePieces)} effective pieces, K* = ${r.kStar}${ciText(iv, 'complexity')}`,
      `  over ${r.seeds.length} fold seeds   ${si ? `median; range [${fmt(si.lo)}, ${fmt(si.hi)}] (covers the seeds' median with probability ${fmt(si.level, 3)}), sd ${fmt(r.seedSd)}` : 'one seed (--repeats 5 or more gives the spread)'}`,
      `  held-out gain       ${(100 * r.gain.absolute).toFixed(2)} % of Y's variance, 95% CI [${(100 * r.gain.interval.lo).toFixed(2)}, ${(100 * r.gain.interval.hi).toFixed(2)}] %${r.gain.relative !== null ? `; ${(100 * r.gain.relative).toFixed(1)} % of the linear residual` : ''}${r.gain.weak ? `: weak (below ${100 * r.gain.threshold} %)` : ''}${linear ? '; one linear piece suffices at this resolution' : ''}`,
      `  linear R^2          ${fmt(r.linearR2)}${ciText(iv, 'linearR2')}`,
      `  best piecewise R^2  ${fmt(r.bestR2)}${nullText(r.null)}`,
      `  pieces sought       up to ${r.largestK} (data bound ${r.dataBound})${r.noiseFloor !== null ? `; unexplainable share by nearest neighbours ${fmt(r.noiseFloor, 3)}` : ''}`,
      `  scale curve         ${r.scaleCurve.map((p) => `${fmt(p.resolution, 1)}: ${fmt(p.complexity, 3)}`).join(', ')}  (resolution: C)`,
    );
  } else {
    lines.push(
      `  complexity          C = ${fmt(r.complexity)} nats, exp(C) = ${fmt(r.effectivePieces)} effective pieces, K* = ${r.kStar}${ciText(iv, 'complexity')}`,
      `  linear R^2          ${fmt(r.linearR2)}${ciText(iv, 'linearR2')}`,
      `  best piecewise R^2  ${fmt(r.bestR2)}  (held-out gain ${fmt(r.gain)}${linear ? ', one linear piece suffices at this resolution' : ''})${nullText(r.null)}`,
    );
    if (r.repeats) lines.push(`  over ${r.repeats.seeds} seeds: C mean ${fmt(r.repeats.mean)}, sd ${fmt(r.repeats.sd)}`);
  }
  lines.push(
    '      K    r_K (held out)   H_K (nats)',
    ...r.curve.map(
      (c) =>
        `  ${String(c.k).padStart(5)}    ${fmt(c.r).padEnd(14)}   ${fmt(c.entropy)}${c.k === r.kStar && r.complexity !== null && r.complexity > 0 ? '   <- K*' : ''}`,
    ),
  );
  lines.push(...warningLines(r.warnings));
  return lines.join('\n');
}
