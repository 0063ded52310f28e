/**
 * compare end to end on a simulated recording and a network whose middle layer is a noisy linear
 * map of one area: every similarity in the JSON and the text, ceilings from the repeats, the planted
 * layer mapped to its area, and clear errors for a bad --metric.
 */
import test from 'ava';
import { join } from 'node:path';
import { writeNwbFile } from '../../adapters/nwb/write.js';
import { sessionNwbSpec, syntheticSession } from '../../src/analysis/synthetic.js';
import { Rng } from '../../src/core/random.js';
import { writeNpz } from '../../src/io/matrixFile.js';
import { RunStore } from '../../src/store/runStore.js';
import { cli, tempDir } from '../helpers.js';

async function plantedRuns(): Promise<{ store: string; analyzeId: string; networkId: string }> {
  const dir = tempDir();
  const store = join(dir, 'store');
  const nwb = join(dir, 'session.nwb');
  await writeNwbFile(nwb, sessionNwbSpec(syntheticSession({ seed: 4 }), 'planted'));
  const a = await cli('analyze', nwb, '--stimulus', 'orientation', '--store', store, '--json', '--quiet');
  if (a.code !== 0) throw new Error(a.stderr);
  const analyzeId = JSON.parse(a.stdout).id;
  const s = RunStore.open(store);
  const reps = s.representations(analyzeId);
  s.close();
  const v1 = reps.find((r) => r.name.startsWith('V1') && !r.name.includes('~'))!;
  const rng = new Rng(5);
  const n = v1.n,
    d = v1.d,
    w = 24;
  const planted = new Float64Array(n * w);
  const weights = Float64Array.from({ length: d * w }, () => rng.normal() / Math.sqrt(d));
  for (let i = 0; i < n; i++)
    for (let j = 0; j < w; j++) {
      let acc = 0;
      for (let k = 0; k < d; k++) acc += v1.values[i * d + k] * weights[k * w + j];
      planted[i * w + j] = acc + 0.3 * rng.normal();
    }
  const noise = Float64Array.from({ length: n * w }, () => rng.normal());
  const squashed = planted.map((v) => Math.tanh(v / 4) ** 3 + 0.5 * rng.normal());
  const npz = join(dir, 'acts.npz');
  writeNpz(npz, [
    ['noise', { data: noise, shape: [n, w] }],
    ['planted', { data: planted, shape: [n, w] }],
    ['squashed', { data: squashed, shape: [n, w] }],
    ['stimulus_ids', { data: Float64Array.from(v1.stimulusIds.map(Number)), shape: [n] }],
  ]);
  const net = await cli('network', npz, '--store', store, '--json', '--quiet');
  if (net.code !== 0) throw new Error(net.stderr);
  return { store, analyzeId, networkId: JSON.parse(net.stdout).id };
}

test('compare gives every similarity with intervals and ceilings, and maps the planted layer to its area', async (t) => {
  const { store, analyzeId, networkId } = await plantedRuns();
  const r = await cli('compare', networkId, analyzeId, '--store', store, '--json', '--quiet', '--resamples', '100');
  t.is(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout).similarity;
  t.deepEqual(
    s.rows.map((x: { name: string }) => x.name),
    ['noise', 'planted', 'squashed'],
  );
  const metrics = s.tables.map((x: { metric: string }) => x.metric);
  t.deepEqual(metrics, ['predictivity', 'predictivity-reverse', 'rsa-spearman', 'rsa-cosine', 'rsa-cv-spearman', 'rsa-cv-cosine', 'procrustes', 'cka']);
  const v1 = s.cols.findIndex((c: { name: string }) => c.name.startsWith('V1'));
  for (const table of s.tables) {
    const cell = table.cells[1][v1];
    t.truthy(cell, `${table.metric}: planted x V1 defined`);
    t.true(cell.interval[0] <= cell.value && cell.value <= cell.interval[1], `${table.metric}: interval contains the estimate`);
  }
  // Ceilings from the six repeats of every orientation.
  t.is(s.ceilings.length, 2);
  for (const c of s.ceilings) t.true(c.medianReliability > 0 && c.medianReliability <= 1 && c.predictivityCeiling >= c.medianReliability);
  const pred = s.tables[0].cells[1][v1];
  t.true(pred.ceiling > 0 && Math.abs(pred.normalised - pred.score / pred.ceiling) < 1e-12);
  // compare/3: every other measure's ceiling is listed per area, extrapolated from its halves' similarity.
  t.is(s.definition, 'compare/3');
  const v1Ceilings = s.ceilings.find((c: { name: string }) => c.name.startsWith('V1')).measures;
  t.deepEqual(v1Ceilings.map((m: { metric: string }) => m.metric).sort(), ['cka', 'procrustes', 'rsa-cosine', 'rsa-spearman']);
  for (const m of v1Ceilings) t.true(m.ceiling > 0 && m.ceiling <= 1 && m.ceiling >= m.halfSimilarity, JSON.stringify(m));
  const cos = s.tables.find((x: { metric: string }) => x.metric === 'rsa-cosine').cells[0][v1];
  t.true(typeof cos.baseline === 'number' && cos.baseline > 0, 'the whitened cosine carries its no-relation baseline');
  const pro = s.tables.find((x: { metric: string }) => x.metric === 'procrustes').cells[1][v1];
  t.true(pro.inSample < pro.value, 'in-sample angle below the held-out one');
  // The planted layer is V1's best layer by every measure, and the bootstrap agrees.
  for (const m of s.mapping.filter((x: { area: string }) => x.area.startsWith('V1'))) {
    t.is(m.layers[m.best], 'planted', `${m.metric}: scores ${m.scores.join(', ')}`);
    if (m.winShare) t.true(m.winShare[m.best] >= 0.8, `${m.metric}: planted wins ${m.winShare[m.best]}`);
  }
  const text = await cli('compare', networkId, analyzeId, '--store', store, '--quiet', '--metric', 'predictivity,cka');
  t.is(text.code, 0);
  t.regex(text.stdout, /linear predictivity \(layer -> area neurons; median held-out r\)/);
  t.regex(text.stdout, /noise ceilings/);
  t.regex(text.stdout, /V1 \(simulated\) by predictivity: planted won/);
  t.notRegex(text.stdout, /RSA/);
  const bad = await cli('compare', networkId, analyzeId, '--store', store, '--quiet', '--ceilings', 'spearman');
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--ceilings: 'spearman' is not a method \(use extrapolated or split-half\)/);
  // V1 has 60 neurons and the folds train on 57 stimuli: towards CCA the angle means nothing there.
  const shape = JSON.parse((await cli('compare', networkId, analyzeId, '--store', store, '--quiet', '--json', '--metric', 'shape', '--resamples', '0')).stdout);
  t.deepEqual(
    [...new Set(shape.similarity.mapping.map((m: { metric: string }) => m.metric))].sort(),
    ['procrustes', 'shape-alpha0', 'shape-alpha0.5'],
    'only the measures asked for are mapped',
  );
  const overfit = shape.warnings.filter((w: { code: string }) => w.code === 'shape-overfit');
  t.is(overfit.length, 2, JSON.stringify(shape.warnings));
  t.regex(overfit[0].message, /V1 \(simulated\) \(60 dimensions, 57 training stimuli\)/);
  const alpha0 = shape.similarity.tables.find((x: { metric: string }) => x.metric === 'shape-alpha0');
  t.true(
    alpha0.cells.every((row: unknown[]) => row[v1] === null),
    'no CCA-end angle for V1',
  );
  t.true(
    alpha0.cells.some((row: unknown[]) => row[1 - v1] !== null),
    'LM (40 neurons) keeps its angles',
  );
  t.true(shape.similarity.tables.find((x: { metric: string }) => x.metric === 'procrustes').cells[1][v1] !== null, 'Procrustes is unaffected');
});

test('compare --metric with an unknown name is a usage error naming it (exit 2)', async (t) => {
  const r = await cli('compare', 'abcd', '--metric', 'predictivity,bogus');
  t.is(r.code, 2);
  t.regex(r.stderr, /--metric: unknown metric 'bogus'/);
  t.notRegex(r.stderr, /at .*\.ts/);
});
