import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnalysisError } from '../../../src/core/matrix.js';
import { effectiveDimension } from '../../../src/core/dimension/effectiveDimension.js';
import { responseMatrix } from '../../../src/core/matrix.js';
import { Rng } from '../../../src/core/random.js';
import { readMatrixFile } from '../../../src/io/matrixFile.js';
import { FIXTURES, gaussian, relDiff, dataWithCovariance, exactDeff } from '../../helpers.js';

test('same spectrum with n < d (Gram route) gives the same numbers', (t) => {
  const lambda = [4, 2, 1, 1, 0.5];
  // 6 stimuli, 5 neurons -> then embed into 40 neurons with zeros: d > n
  const base = dataWithCovariance(lambda, 6, 8);
  const wide = new Float64Array(6 * 40);
  for (let i = 0; i < 6; i++) for (let j = 0; j < 5; j++) wide[i * 40 + j * 7] = base[i * 5 + j];
  const r = effectiveDimension(responseMatrix(6, 40, wide));
  t.true(relDiff(r.effectiveDimension, exactDeff(lambda).deff) < 1e-10);
  t.is(r.rank, 5);
});

test('isotropic sample of d dimensions gives D_eff close to d', (t) => {
  const rng = new Rng(11);
  const n = 20000,
    d = 10;
  const r = effectiveDimension(responseMatrix(n, d, gaussian(rng, n, d)));
  t.true(Math.abs(r.effectiveDimension - d) < 0.05 * d, `D_eff ${r.effectiveDimension}`);
  t.true(r.effectiveDimension <= d + 1e-9);
});

test('rank-r data gives D_eff <= r', (t) => {
  const rng = new Rng(12);
  const n = 200,
    r = 4,
    d = 50;
  const z = gaussian(rng, n, r);
  const w = gaussian(rng, r, d);
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let k = 0; k < r; k++) for (let j = 0; j < d; j++) x[i * d + j] += z[i * r + k] * w[k * d + j];
  const res = effectiveDimension(responseMatrix(n, d, x));
  t.is(res.rank, r);
  t.true(res.effectiveDimension <= r + 1e-9);
  t.true(res.effectiveDimension > 1);
});

test('all-zero variance is an analysis error', (t) => {
  t.throws(() => effectiveDimension(responseMatrix(5, 3, new Float64Array(15).fill(2))), { instanceOf: AnalysisError });
});

test('constant neurons contribute nothing', (t) => {
  const rng = new Rng(13);
  const n = 100;
  const base = gaussian(rng, n, 3);
  const padded = new Float64Array(n * 5);
  for (let i = 0; i < n; i++) {
    padded.set(base.subarray(i * 3, i * 3 + 3), i * 5);
    padded[i * 5 + 3] = 7;
    padded[i * 5 + 4] = -1;
  }
  const a = effectiveDimension(responseMatrix(n, 3, base));
  const b = effectiveDimension(responseMatrix(n, 5, padded));
  t.true(relDiff(a.effectiveDimension, b.effectiveDimension) < 1e-12);
});

const reference = JSON.parse(readFileSync(join(FIXTURES, 'dimension', 'dimension.json'), 'utf8')) as {
  cases: Record<string, { file: string; effectiveDimension: number; participationRatio: number; rank: number; spectrumHead: number[]; totalVariance: number }>;
};

for (const [name, ref] of Object.entries(reference.cases)) {
  test(`agrees with scikit-learn PCA to 1e-9: ${name}`, (t) => {
    const m = readMatrixFile(join(FIXTURES, 'dimension', ref.file)).matrix;
    const r = effectiveDimension(m);
    t.true(relDiff(r.effectiveDimension, ref.effectiveDimension) < 1e-9, `D_eff ${r.effectiveDimension} vs ${ref.effectiveDimension}`);
    t.true(relDiff(r.participationRatio, ref.participationRatio) < 1e-9, `PR ${r.participationRatio} vs ${ref.participationRatio}`);
    t.true(relDiff(r.totalVariance, ref.totalVariance) < 1e-9);
    t.is(r.rank, ref.rank);
    ref.spectrumHead.forEach((p, i) => t.true(relDiff(r.spectrum[i], p) < 1e-9, `spectrum[${i}]`));
  });
}

test('intervals: seeded, grouped jackknife, every interval contains its own point estimate', (t) => {
  const rng = new Rng(31);
  const m = responseMatrix(
    120,
    12,
    gaussian(rng, 120, 12).map((v, i) => v * (1 + (i % 12))),
  );
  const a = effectiveDimension(m, { intervals: 20, seed: 3 });
  const b = effectiveDimension(m, { intervals: 20, seed: 3 });
  const c = effectiveDimension(m, { intervals: 20, seed: 4 });
  t.deepEqual(a.intervals, b.intervals);
  t.notDeepEqual(a.intervals!.bounds, c.intervals!.bounds);
  t.is(a.intervals!.method, 'grouped-jackknife');
  const est: Record<string, number | null> = {
    effectiveDimension: a.effectiveDimension,
    participationRatio: a.participationRatio,
    alpha: a.alpha,
    effectiveDimensionCorrected: a.effectiveDimensionCorrected,
    participationRatioCorrected: a.participationRatioCorrected,
  };
  for (const [k, v] of Object.entries(est)) {
    const iv = a.intervals!.bounds[k];
    t.truthy(iv, k);
    t.true(iv.lo <= v! && v! <= iv.hi, `${k}: ${v} in [${iv.lo}, ${iv.hi}]`);
  }
});
