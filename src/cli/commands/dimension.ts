/** `neurorep dimension`: effective dimension, participation ratio, power law, cvPCA, bootstrap. */

import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { effectiveDimension, type DimensionResult } from '../../core/dimension.js';
import { averageRowGroups, groupRowsByStimulus, InputError, type ResponseMatrix } from '../../core/matrix.js';
import { readMatrixFile } from '../../io/matrixFile.js';
import { bootstrapOption, expectPositionals, jsonOption, SEED_OPTION } from '../args.js';
import type { Command } from '../command.js';
import { fmt, recordHead, toJson } from '../context.js';
import { loadMatrixArgument, splitKey } from '../load.js';
import { saveRun } from '../save.js';
import { representationOf } from '../../analysis/representation.js';

export const dimensionCommand: Command = {
  name: 'dimension',
  summary: 'effective dimension, participation ratio and power-law exponent of a matrix',
  usage: 'dimension <matrix|file.npz:key> [--key NAME] [--stimulus-ids PATH|KEY] [--bootstrap [B]] [--seed S] [--json]',
  description: [
    'Rows of <matrix> are stimuli (or trials), columns are neurons or features.',
    'Formats: .npy, .npz (pick the array with --key), .csv (optional header of neuron names),',
    '.json ({"data": [[...]]}). Trailing axes of an array are flattened in C order.',
    '',
    'D_eff = exp(entropy of the normalised covariance spectrum); PR = (sum l)^2 / sum l^2;',
    'alpha = slope of the log-log spectrum over ranks [--nmin, --nmax].',
    'With --stimulus-ids, rows are trials: they are averaged per stimulus for D_eff, and the',
    'noise-corrected cvPCA spectrum is computed from the repeats (>= 2 per stimulus).',
  ].join('\n'),
  options: {
    key: { type: 'string', arg: 'NAME', help: 'array to use inside an .npz archive' },
    'stimulus-ids': { type: 'string', arg: 'PATH|KEY', help: 'stimulus id of each row (a 1-column file, or an array in the same .npz); enables cvPCA' },
    bootstrap: bootstrapOption('D_eff, PR and alpha over stimuli'),
    seed: SEED_OPTION,
    nmin: { type: 'integer', min: 1, arg: 'N', help: 'first rank of the power-law fit (default 10)' },
    nmax: { type: 'integer', min: 2, arg: 'N', help: 'last rank of the power-law fit (default min(500, rank/2))' },
    splits: { type: 'integer', min: 1, arg: 'K', help: 'random half-splits averaged by cvPCA (default 5)' },
    json: jsonOption(),
  },
  run(args, ctx) {
    const [path] = expectPositionals(args, ['matrix'], 'dimension');
    const o = args.options;
    const key = o.key as string | undefined;
    const seed = (o.seed as number | undefined) ?? 0;
    const arg = loadMatrixArgument(path, key);
    const { loaded, what } = arg;
    const params = {
      key: loaded.key ?? null,
      stimulusIds: (o['stimulus-ids'] as string | undefined) ?? null,
      bootstrap: (o.bootstrap as number | undefined) ?? 0,
      seed,
      nmin: (o.nmin as number | undefined) ?? null,
      nmax: (o.nmax as number | undefined) ?? null,
      splits: (o.splits as number | undefined) ?? 5,
    };
    const notes: string[] = [];
    let matrix: ResponseMatrix = loaded.matrix;
    let repeats: number[][] | undefined;
    if (params.stimulusIds) {
      const ids = readStimulusIds(params.stimulusIds, splitKey(path).path, loaded.matrix.n);
      const groups = groupRowsByStimulus(ids);
      matrix = averageRowGroups(loaded.matrix, groups.rows, groups.ids);
      const fewest = Math.min(...groups.rows.map((r) => r.length));
      if (fewest >= 2) repeats = groups.rows;
      else notes.push(`cvPCA skipped: some stimulus has only ${fewest} repeat; it needs >= 2 per stimulus`);
      if (matrix.n < 2) throw new InputError(`${params.stimulusIds}: only ${matrix.n} distinct stimulus id; need at least 2`);
    }
    if (params.bootstrap > 0) ctx.log(`bootstrap: ${params.bootstrap} resamples of ${matrix.n} stimuli`);
    const result = effectiveDimension(matrix, {
      repeats,
      trials: loaded.matrix,
      bootstrap: params.bootstrap,
      seed,
      splits: params.splits,
      ...(params.nmin !== null ? { nmin: params.nmin } : {}),
      ...(params.nmax !== null ? { nmax: params.nmax } : {}),
    });
    for (const n of notes) ctx.log(`note: ${n}`);
    const record = {
      ...recordHead('dimension', arg.source, params),
      ...result,
      ...(repeats ? { trials: loaded.matrix.n } : {}),
      notes,
    };
    saveRun(ctx, record, () => [representationOf(what, matrix, matrix.rowLabels ?? null)]);
    if (ctx.json) ctx.io.out(toJson(record) + '\n');
    else ctx.io.out(formatDimension(what, result, loaded.matrix.n) + '\n');
    return 0;
  },
};

/** Stimulus ids from a file (one value per row) or from an array of the same .npz. */
function readStimulusIds(spec: string, matrixPath: string, n: number): (string | number)[] {
  let values: ArrayLike<number>;
  let what: string;
  if (existsSync(spec)) {
    const m = readMatrixFile(spec).matrix;
    if (m.d !== 1) throw new InputError(`${spec}: stimulus ids must be one value per row, got ${m.d} columns`);
    values = m.data;
    what = spec;
  } else if (extname(matrixPath).toLowerCase() === '.npz') {
    values = readMatrixFile(matrixPath, { key: spec }).matrix.data;
    what = `${matrixPath}[${spec}]`;
  } else {
    throw new InputError(`${spec}: no such file (stimulus ids are a file, or an array in the same .npz)`);
  }
  if (values.length !== n) throw new InputError(`${what}: ${values.length} stimulus ids for ${n} rows`);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new InputError(`${what}: stimulus id ${i + 1} is not a finite number`);
  }
  return Array.from(values);
}

function formatDimension(what: string, r: DimensionResult, rows: number): string {
  const ci = (k: string): string => {
    const iv = r.bootstrap?.intervals[k];
    return iv ? `   95% CI [${fmt(iv.lo)}, ${fmt(iv.hi)}]` : '';
  };
  const lines = [
    `${what}: ${r.n} stimuli x ${r.d} neurons${rows !== r.n ? ` (averaged from ${rows} trials)` : ''}`,
    `  effective dimension   D_eff = ${fmt(r.effectiveDimension)}${ci('effectiveDimension')}`,
    `  participation ratio   PR    = ${fmt(r.participationRatio)}${ci('participationRatio')}`,
    `  power-law exponent    alpha = ${fmt(r.alpha)} over ranks ${r.alphaRange[0]}-${r.alphaRange[1]} (R^2 = ${fmt(r.alphaR2, 3)})${ci('alpha')}`,
    `  rank ${r.rank} of ${Math.min(r.n - 1, r.d)} possible; top of spectrum: ${r.spectrum.slice(0, 5).map((p) => fmt(p, 3)).join(', ')}`,
  ];
  if (r.cvPCA) {
    const c = r.cvPCA;
    lines.push(
      `  cvPCA (noise-corrected, ${c.stimuli} stimuli, >= ${c.minRepeats} repeats, ${c.splits} splits):`,
      `    D_eff = ${fmt(c.effectiveDimension)}, PR = ${fmt(c.participationRatio)}, alpha = ${fmt(c.alpha)} (R^2 = ${fmt(c.alphaR2, 3)}), ${c.rank} positive components`,
    );
  }
  if (r.bootstrap?.skipped) lines.push(`  (${r.bootstrap.skipped} bootstrap resamples skipped: degenerate)`);
  return lines.join('\n');
}
