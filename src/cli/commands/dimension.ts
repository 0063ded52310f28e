/** `neurorep dimension`: effective dimension, participation ratio, power law, cvPCA, bootstrap. */

import { count } from '../text.js';
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { effectiveDimension, type DimensionResult } from '../../core/dimension/effectiveDimension.js';
import { InputError, trialAveraged, type ResponseMatrix } from '../../core/matrix.js';
import { readMatrixFile } from '../../io/matrixFile.js';
import { expectPositionals, jsonOption, SEED_OPTION } from '../args.js';
import { defineCommand } from '../command.js';
import { fmt } from '../context.js';
import { toRunRecord } from '../../store/record.js';
import { loadMatrixArgument, splitKey } from '../load.js';
import { finishRun } from '../save.js';
import { representationOf } from '../../analysis/representation.js';
import { MATRIX_KEY } from '../../analysis/compare.js';
import { alphaText, ciText, CORRECTION_OPTION, intervalOptions, intervalsOf, NULL_OPTION, nullsOf, nullText, warningLines } from '../observableOptions.js';

export const dimensionCommand = defineCommand({
  name: 'dimension',
  summary: 'effective dimension, participation ratio and power-law exponent of a matrix',
  usage: 'dimension <matrix|file.npz:key> [--key NAME] [--stimulus-ids PATH|KEY] [--intervals [G]] [--null [N]] [--seed S] [--json]',
  description: [
    'Rows of <matrix> are stimuli (or trials), columns are neurons or features.',
    'Formats: .npy, .npz (pick the array with --key), .csv (optional header of neuron names),',
    '.json ({"data": [[...]]}). Trailing axes of an array are flattened in C order.',
    '',
    'D_eff = exp(entropy of the normalised covariance spectrum); PR = (sum l)^2 / sum l^2;',
    'alpha = slope of the log-log spectrum over ranks [--nmin, --nmax] (null below 5 ranks).',
    'Corrected D_eff and PR estimate the population values: the plug-in ones are biased low when',
    'stimuli are few (docs/observables.md section 1.2).',
    'With --stimulus-ids, rows are trials: they are averaged per stimulus for D_eff, and the',
    'noise-corrected cvPCA spectrum is computed from the repeats (stimuli with >= 2 repeats);',
    '--null shuffles trials across stimuli to test that its signal is above chance.',
  ].join('\n'),
  storesRuns: true,
  options: {
    key: { type: 'string', arg: 'NAME', help: 'array to use inside an .npz archive' },
    'stimulus-ids': {
      type: 'string',
      input: true,
      arg: 'PATH|KEY',
      help: 'stimulus id of each row (a 1-column file, or an array in the same .npz); enables cvPCA',
    },
    ...intervalOptions('D_eff, PR, alpha and their corrections'),
    null: NULL_OPTION,
    seed: SEED_OPTION,
    'correct-max-rank': CORRECTION_OPTION,
    nmin: { type: 'integer', min: 1, arg: 'N', help: 'first rank of the power-law fit (default 10)' },
    nmax: { type: 'integer', min: 2, arg: 'N', help: 'last rank of the power-law fit (default min(500, rank/2))' },
    splits: { type: 'integer', min: 1, arg: 'K', help: 'random half-splits averaged by cvPCA (default 5)' },
    json: jsonOption(),
  },
  run(args, ctx) {
    const [path] = expectPositionals(args, ['matrix'], 'dimension');
    const o = args.options;
    const key = o.key;
    const seed = o.seed ?? 0;
    const arg = loadMatrixArgument(path, key);
    const { loaded, what } = arg;
    const params = {
      key: loaded.key ?? null,
      stimulusIds: o['stimulus-ids'] ?? null,
      intervals: intervalsOf(args),
      nulls: nullsOf(args),
      seed,
      nmin: o.nmin ?? null,
      nmax: o.nmax ?? null,
      splits: o.splits ?? 5,
    };
    const notes: string[] = [];
    let matrix: ResponseMatrix = loaded.matrix;
    let repeats: number[][] | undefined;
    if (params.stimulusIds) {
      const averaged = trialAveraged(loaded.matrix, readStimulusIds(params.stimulusIds, splitKey(path).path, loaded.matrix.n));
      matrix = averaged.main;
      repeats = averaged.repeats;
      if (!repeats) notes.push('cvPCA skipped: no stimulus has 2 or more repeats');
      if (matrix.n < 2) throw new InputError(`${params.stimulusIds}: only ${matrix.n} distinct stimulus id; need at least 2`);
    }
    if (params.intervals > 0) ctx.log(`intervals: grouped jackknife over ${Math.min(params.intervals, matrix.n)} groups of ${matrix.n} stimuli`);
    const result = effectiveDimension(matrix, {
      repeats,
      trials: loaded.matrix,
      intervals: params.intervals,
      nulls: params.nulls,
      correctionMaxRank: o['correct-max-rank'],
      onProgress: (label, d, t) => ctx.progress(label, d, t),
      seed,
      splits: params.splits,
      ...(params.nmin !== null ? { nmin: params.nmin } : {}),
      ...(params.nmax !== null ? { nmax: params.nmax } : {}),
    });
    for (const n of notes) ctx.log(`note: ${n}`);
    const record = toRunRecord('dimension', arg.source, params, { ...result, ...(repeats ? { trials: loaded.matrix.n } : {}), notes });
    finishRun(ctx, record, formatDimension(what, result, loaded.matrix.n), () => representationOf(MATRIX_KEY, matrix, matrix.rowLabels ?? null));
    return 0;
  },
});

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
  const iv = r.intervals?.bounds;
  const lines = [
    `${what}: ${count(r.n, 'stimulus', 'stimuli')} x ${count(r.d, 'neuron')}${rows !== r.n ? ` (averaged from ${count(rows, 'trial')})` : ''}`,
    `  effective dimension   D_eff = ${fmt(r.effectiveDimension)}${ciText(iv, 'effectiveDimension')}`,
    `    corrected (population estimate)  ${fmt(r.effectiveDimensionCorrected)}${ciText(iv, 'effectiveDimensionCorrected')}`,
    `  participation ratio   PR    = ${fmt(r.participationRatio)}${ciText(iv, 'participationRatio')}`,
    `    corrected (population estimate)  ${fmt(r.participationRatioCorrected)}${ciText(iv, 'participationRatioCorrected')}`,
    `  power-law exponent    alpha = ${alphaText(r.alpha, r.alphaRange, r.alphaR2)}${ciText(iv, 'alpha')}`,
    `  rank ${r.rank} of ${Math.min(r.n - 1, r.d)} possible; top of spectrum: ${r.spectrum
      .slice(0, 5)
      .map((p) => fmt(p, 3))
      .join(', ')}`,
  ];
  if (r.cvPCA) {
    const c = r.cvPCA;
    lines.push(
      `  cvPCA (noise-corrected, ${c.stimuli} stimuli, >= ${c.minRepeats} repeats, ${c.splits} splits):`,
      `    D_eff = ${fmt(c.effectiveDimension)}${ciText(iv, 'cvEffectiveDimension')}, PR = ${fmt(c.participationRatio)}, alpha = ${alphaText(c.alpha, c.alphaRange, c.alphaR2)}${ciText(iv, 'cvAlpha')}`,
      `    reliable rank ${c.reliableRank}; stimulus-driven share of single-trial variance ${fmt(c.reliableVarianceFraction)}${nullText(c.null)}`,
    );
  }
  if (r.intervals)
    lines.push(`  (intervals: grouped jackknife over ${r.intervals.groups} groups${r.intervals.skipped ? `, ${r.intervals.skipped} replicates skipped` : ''})`);
  lines.push(...warningLines(r.warnings));
  return lines.join('\n');
}
