/**
 * The small version of the study (examples/study, `npm run study -- --small`): every stage on both
 * datasets, and docs/study.md's tables checked against the JSON and accuracy files they come from.
 */

import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamicsOfRuns } from '../../src/analysis/dynamicsRuns.js';
import { datasetDir, DATASETS } from '../../examples/study/datasets.js';
import { SMALL, study } from '../../examples/study/run.js';
import { ROOT, tempDir } from '../helpers.js';

const available = DATASETS.every((d) => {
  try {
    datasetDir(d, ROOT);
    return true;
  } catch {
    return false;
  }
});

(available ? test : test.skip)('the small study runs end to end and docs/study.md reports what the runs measured', async (t) => {
  const out = tempDir(),
    docs = tempDir();
  await study(SMALL, out, docs, 2);
  const md = readFileSync(join(docs, 'study.md'), 'utf8');
  for (const section of [
    '## Accuracy',
    '## Over training',
    '## Depth profiles at the end of training',
    '### D_eff against the number of probe images',
    '## C against scale',
    '## What holds and what does not',
  ])
    t.true(md.includes(section), section);
  for (const svg of ['training-mlp.svg', 'depth-profiles.svg', 'deff-vs-stimuli.svg', 'complexity-scale.svg']) {
    const file = join(docs, 'images', 'study', svg);
    t.true(existsSync(file), svg);
    t.true(readFileSync(file, 'utf8').startsWith('<svg'), svg);
    t.true(md.includes(`images/study/${svg}`), `${svg} is in the page`);
  }
  // Accuracy: the mean of the seeds' last held-out accuracy, from the runs' own files.
  for (const [dataset, label] of [
    ['mnist', 'MNIST'],
    ['fashion', 'Fashion-MNIST'],
  ]) {
    const accs = SMALL.seeds.map((s) => {
      const h = JSON.parse(readFileSync(join(out, 'mlp', dataset, `seed${s}`, 'accuracy.json'), 'utf8')) as { accuracy: number }[];
      return 100 * h[h.length - 1].accuracy;
    });
    const mean = accs.reduce((a, b) => a + b) / accs.length;
    const row = md.split('\n').find((l) => l.startsWith(`| MLP 784-128-128-10 | ${label} |`))!;
    t.truthy(row, label);
    t.true(Math.abs(Number(row.split('|')[3].trim().split(' ')[0]) - mean) < 0.05 * Math.max(1, mean / 100), `${row} vs ${mean}`);
  }
  // Over training: the pooled exponent in the table is the mean of the seeds' power-law exponents.
  const dyn = JSON.parse(readFileSync(join(out, 'dynamics-mlp.json'), 'utf8')) as DynamicsOfRuns;
  t.deepEqual(dyn.groups, ['mnist', 'fashion']);
  const bs = dyn.series
    .filter((s) => s.group === 'mnist' && s.layer === 'hidden1' && s.observable === 'effectiveDimension')
    .map((s) => s.fits.find((f) => f.model === 'power')!.params.b);
  t.is(bs.length, SMALL.seeds.length);
  const mean = bs.reduce((a, b) => a + b) / bs.length;
  const row = md.split('\n').find((l) => l.startsWith('| hidden1 | D_eff | MNIST |'))!;
  t.truthy(row);
  t.true(Math.abs(Number(row.split('|')[6].trim().split(' ')[0]) - mean) <= 0.001 * Math.max(1, Math.abs(mean)) + 5e-4, `${row} vs ${mean}`);
  // Depth profiles: every layer of both datasets, with its across-seed interval.
  for (const label of ['MNIST', 'Fashion-MNIST'])
    for (const layer of ['hidden1', 'hidden2']) t.regex(md, new RegExp(`\\| MLP \\| ${label} \\| ${layer} \\| 128 \\| [0-9.]+ \\[[-0-9.e]+, [-0-9.e]+\\]`));
});
