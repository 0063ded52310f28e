import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnalysisError, cvPCA, effectiveDimension, powerLawExponent } from '../../src/core/dimension.js';
import { responseMatrix } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/stats.js';
import { readMatrixFile } from '../../src/io/matrixFile.js';
import { FIXTURES, gaussian, orthonormalCentredColumns, relDiff } from '../helpers.js';

/**
 * Centred n x d data whose sample covariance is exactly diag(lambda): orthonormal centred columns
 * (Gram-Schmidt on centred Gaussian columns) scaled by sqrt((n - 1) lambda).
 */
function dataWithCovariance(lambda: number[], n: number, seed: number): Float64Array {
  const d = lambda.length;
  const cols = orthonormalCentredColumns(n, d, seed);
  const x = new Float64Array(n * d);
  for (let j = 0; j < d; j++) for (let i = 0; i < n; i++) x[i * d + j] = cols[j][i] * Math.sqrt((n - 1) * lambda[j]);
  return x;
}

function exactDeff(lambda: number[]): { deff: number; pr: number } {
  const s = lambda.reduce((a, b) => a + b, 0);
  const h = -lambda.reduce((acc, l) => acc + (l > 0 ? (l / s) * Math.log(l / s) : 0), 0);
  return { deff: Math.exp(h), pr: (s * s) / lambda.reduce((a, l) => a + l * l, 0) };
}

test('known diagonal covariance: exact exp(H) and participation ratio', (t) => {
  const lambda = [5, 3, 2, 1, 0.5, 0.25, 0.1];
  const r = effectiveDimension(responseMatrix(60, lambda.length, dataWithCovariance(lambda, 60, 7)));
  const { deff, pr } = exactDeff(lambda);
  t.true(relDiff(r.effectiveDimension, deff) < 1e-10, `${r.effectiveDimension} vs ${deff}`);
  t.true(relDiff(r.participationRatio, pr) < 1e-10, `${r.participationRatio} vs ${pr}`);
  t.is(r.rank, lambda.length);
  r.spectrum.forEach((p, i) => t.true(Math.abs(p - lambda[i] / 11.85) < 1e-12));
});

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
  const n = 20000, d = 10;
  const r = effectiveDimension(responseMatrix(n, d, gaussian(rng, n, d)));
  t.true(Math.abs(r.effectiveDimension - d) < 0.05 * d, `D_eff ${r.effectiveDimension}`);
  t.true(r.effectiveDimension <= d + 1e-9);
});

test('rank-r data gives D_eff <= r', (t) => {
  const rng = new Rng(12);
  const n = 200, r = 4, d = 50;
  const z = gaussian(rng, n, r);
  const w = gaussian(rng, r, d);
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let k = 0; k < r; k++) for (let j = 0; j < d; j++) x[i * d + j] += z[i * r + k] * w[k * d + j];
  const res = effectiveDimension(responseMatrix(n, d, x));
  t.is(res.rank, r);
  t.true(res.effectiveDimension <= r + 1e-9);
  t.true(res.effectiveDimension > 1);
});

test('power-law spectrum lambda_n = n^-1 gives alpha within 0.05 of 1', (t) => {
  const lambda = Array.from({ length: 200 }, (_, i) => 1 / (i + 1));
  const r = effectiveDimension(responseMatrix(400, 200, dataWithCovariance(lambda, 400, 9)));
  t.true(Math.abs(r.alpha! - 1) < 0.05, `alpha ${r.alpha}`);
  t.deepEqual(r.alphaRange, [10, 100]);
  t.true(r.alphaR2! > 0.999);
});

test('power-law fit falls back to [1, rank] when the default range is too short', (t) => {
  const values = [1, 0.5, 1 / 3, 0.25, 0.2, 1 / 6];
  const f = powerLawExponent(values, null);
  t.deepEqual(f.alphaRange, [1, 6]);
  t.true(Math.abs(f.alpha! - 1) < 1e-12);
  t.is(powerLawExponent([1], null).alpha, null);
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

test('cvPCA removes trial noise: noise-corrected D_eff near the signal, plain D_eff much larger', (t) => {
  const rng = new Rng(21);
  const nStim = 300, d = 80, rank = 5, reps = 2;
  // Signal: rank-5 with a decaying spectrum; strong independent noise on each repeat.
  const z = gaussian(rng, nStim, rank);
  const w = gaussian(rng, rank, d);
  const scales = [3, 2.2, 1.6, 1.2, 0.9];
  const signal = new Float64Array(nStim * d);
  for (let i = 0; i < nStim; i++) for (let k = 0; k < rank; k++) for (let j = 0; j < d; j++) signal[i * d + j] += scales[k] * z[i * rank + k] * w[k * d + j];
  const trials = new Float64Array(nStim * reps * d);
  const groups: number[][] = [];
  for (let i = 0; i < nStim; i++) {
    const g: number[] = [];
    for (let r = 0; r < reps; r++) {
      const row = i * reps + r;
      g.push(row);
      for (let j = 0; j < d; j++) trials[row * d + j] = signal[i * d + j] + 5 * rng.normal();
    }
    groups.push(g);
  }
  const trialMatrix = responseMatrix(nStim * reps, d, trials);
  const mean = new Float64Array(nStim * d);
  for (let i = 0; i < nStim; i++) for (let j = 0; j < d; j++) mean[i * d + j] = (trials[2 * i * d + j] + trials[(2 * i + 1) * d + j]) / 2;
  const signalOnly = effectiveDimension(responseMatrix(nStim, d, signal)).effectiveDimension;
  const res = effectiveDimension(responseMatrix(nStim, d, mean), { repeats: groups, trials: trialMatrix, seed: 5 });
  const cv = res.cvPCA!;
  t.true(Math.abs(cv.effectiveDimension - signalOnly) < 0.2 * signalOnly, `cv ${cv.effectiveDimension} vs signal ${signalOnly}`);
  t.true(res.effectiveDimension > 3 * signalOnly, `plain ${res.effectiveDimension} vs signal ${signalOnly}`);
  t.is(cv.splits, 5);
  t.is(cv.signalVariance.length, Math.min(nStim - 1, d));
  // Seeded: same seed, same curve.
  const again = cvPCA(trialMatrix, groups, { seed: 5 });
  t.deepEqual(again.signalVariance, cv.signalVariance);
});

test('cvPCA needs two repeats per stimulus', (t) => {
  const m = responseMatrix(3, 2, Float64Array.from([1, 2, 3, 4, 5, 6]));
  t.throws(() => cvPCA(m, [[0, 1], [2]]), { message: /at least 2 repeats/ });
});

test('bootstrap: same seed gives identical intervals; the interval brackets the estimate', (t) => {
  const rng = new Rng(31);
  const m = responseMatrix(120, 12, gaussian(rng, 120, 12).map((v, i) => v * (1 + (i % 12))));
  const a = effectiveDimension(m, { bootstrap: 50, seed: 3 });
  const b = effectiveDimension(m, { bootstrap: 50, seed: 3 });
  const c = effectiveDimension(m, { bootstrap: 50, seed: 4 });
  t.deepEqual(a.bootstrap, b.bootstrap);
  t.notDeepEqual(a.bootstrap!.intervals, c.bootstrap!.intervals);
  const iv = a.bootstrap!.intervals.effectiveDimension;
  t.true(iv.lo < iv.hi);
  t.true(iv.lo <= a.effectiveDimension * 1.05 && iv.hi >= a.effectiveDimension * 0.95);
});

test('bootstrap with repeats gives intervals for the cvPCA scalars too, seeded', (t) => {
  const rng = new Rng(41);
  const nStim = 60, reps = 3, d = 10;
  const sig = gaussian(rng, nStim, d);
  const trials = new Float64Array(nStim * reps * d);
  const groups: number[][] = [];
  for (let i = 0; i < nStim; i++) {
    groups.push([]);
    for (let r = 0; r < reps; r++) {
      const row = i * reps + r;
      groups[i].push(row);
      for (let j = 0; j < d; j++) trials[row * d + j] = sig[i * d + j] * (j + 1) + 0.5 * rng.normal();
    }
  }
  const tm = responseMatrix(nStim * reps, d, trials);
  const mean = new Float64Array(nStim * d);
  groups.forEach((g, i) => g.forEach((row) => { for (let j = 0; j < d; j++) mean[i * d + j] += trials[row * d + j] / reps; }));
  const a = effectiveDimension(responseMatrix(nStim, d, mean), { repeats: groups, trials: tm, bootstrap: 20, seed: 2 });
  const b = effectiveDimension(responseMatrix(nStim, d, mean), { repeats: groups, trials: tm, bootstrap: 20, seed: 2 });
  const iv = a.bootstrap!.intervals;
  for (const k of ['effectiveDimension', 'participationRatio', 'alpha', 'cvEffectiveDimension', 'cvParticipationRatio', 'cvAlpha']) t.true(k in iv, k);
  t.true(iv.cvEffectiveDimension.lo <= iv.cvEffectiveDimension.hi);
  t.deepEqual(a.bootstrap, b.bootstrap);
});
