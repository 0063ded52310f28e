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

test('power-law fit falls back to [1, rank] when the default range is too short, and needs 5 ranks', (t) => {
  const values = [1, 0.5, 1 / 3, 0.25, 0.2, 1 / 6];
  const f = powerLawExponent(values, null);
  t.deepEqual(f.alphaRange, [1, 6]);
  t.true(Math.abs(f.alpha! - 1) < 1e-12);
  t.is(powerLawExponent([1], null).alpha, null);
  t.is(powerLawExponent([1, 0.5, 0.3, 0.2], null).alpha, null, 'four ranks are too few');
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
  t.true(Math.abs(cv.effectiveDimension! - signalOnly) < 0.2 * signalOnly, `cv ${cv.effectiveDimension} vs signal ${signalOnly}`);
  t.true(res.effectiveDimension > 3 * signalOnly, `plain ${res.effectiveDimension} vs signal ${signalOnly}`);
  t.is(cv.splits, 5);
  t.is(cv.signalVariance.length, Math.min(nStim - 1, d));
  // Seeded: same seed, same curve.
  const again = cvPCA(trialMatrix, groups, { seed: 5 });
  t.deepEqual(again.signalVariance, cv.signalVariance);
});

test('cvPCA needs at least two stimuli with two repeats', (t) => {
  const m = responseMatrix(3, 2, Float64Array.from([1, 2, 3, 4, 5, 6]));
  t.throws(() => cvPCA(m, [[0, 1], [2]]), { message: /at least 2 stimuli with >= 2 repeats/ });
});

test('intervals: seeded, grouped jackknife, every interval contains its own point estimate', (t) => {
  const rng = new Rng(31);
  const m = responseMatrix(120, 12, gaussian(rng, 120, 12).map((v, i) => v * (1 + (i % 12))));
  const a = effectiveDimension(m, { intervals: 20, seed: 3 });
  const b = effectiveDimension(m, { intervals: 20, seed: 3 });
  const c = effectiveDimension(m, { intervals: 20, seed: 4 });
  t.deepEqual(a.bootstrap, b.bootstrap);
  t.notDeepEqual(a.bootstrap!.intervals, c.bootstrap!.intervals);
  t.is(a.bootstrap!.method, 'grouped-jackknife');
  const est: Record<string, number | null> = { effectiveDimension: a.effectiveDimension, participationRatio: a.participationRatio, alpha: a.alpha, effectiveDimensionCorrected: a.effectiveDimensionCorrected, participationRatioCorrected: a.participationRatioCorrected };
  for (const [k, v] of Object.entries(est)) {
    const iv = a.bootstrap!.intervals[k];
    t.truthy(iv, k);
    t.true(iv.lo <= v! && v! <= iv.hi, `${k}: ${v} in [${iv.lo}, ${iv.hi}]`);
  }
});

test('intervals with repeats cover the cvPCA scalars too; the corrected D_eff is above the plug-in', (t) => {
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
  const a = effectiveDimension(responseMatrix(nStim, d, mean), { repeats: groups, trials: tm, intervals: 10, seed: 2 });
  const iv = a.bootstrap!.intervals;
  for (const k of ['effectiveDimension', 'participationRatio', 'cvEffectiveDimension', 'cvParticipationRatio', 'reliableVarianceFraction']) t.true(k in iv, k);
  t.true(iv.cvEffectiveDimension.lo <= a.cvPCA!.effectiveDimension! && a.cvPCA!.effectiveDimension! <= iv.cvEffectiveDimension.hi);
  t.true(a.effectiveDimensionCorrected! > a.effectiveDimension);
});

test('guard: a 3-stimulus design has no power-law fit: alpha null with a warning, D_eff still reported', (t) => {
  const m = responseMatrix(3, 5, Float64Array.from([1, 0, 2, 0, 1, 0, 1, 1, 3, 0, 2, 2, 0, 1, 1]));
  const r = effectiveDimension(m);
  t.is(r.alpha, null);
  t.true(r.effectiveDimension > 1);
  t.true(r.warnings.some((w) => w.code === 'alpha-too-few-ranks'));
  t.true(r.warnings.some((w) => w.code === 'corrected-unavailable'));
});

/** Trials of nStim stimuli x reps repeats: signal with spectrum lambda (random axes) plus isotropic noise. */
function plantedTrials(lambda: number[], nStim: number, reps: number, noisePower: number, seed: number) {
  const rng = new Rng(seed);
  const d = lambda.length;
  const axes = orthonormalCentredColumns(d + 1, d, seed + 1).map((c) => c.subarray(0, d)); // d random directions, nearly orthonormal
  const signal = new Float64Array(nStim * d);
  for (let i = 0; i < nStim; i++)
    for (let k = 0; k < d; k++) {
      const z = rng.normal() * Math.sqrt(lambda[k]);
      for (let j = 0; j < d; j++) signal[i * d + j] += z * axes[k][j];
    }
  const noiseSd = Math.sqrt((noisePower * lambda.reduce((a, b) => a + b, 0)) / d);
  const trials = new Float64Array(nStim * reps * d);
  const repeats: number[][] = [];
  for (let i = 0; i < nStim; i++) {
    repeats.push([]);
    for (let r = 0; r < reps; r++) {
      const row = i * reps + r;
      repeats[i].push(row);
      for (let j = 0; j < d; j++) trials[row * d + j] = signal[i * d + j] + noiseSd * rng.normal();
    }
  }
  return { trials: responseMatrix(nStim * reps, d, trials), repeats };
}

for (const alpha of [1, 1.5, 2]) {
  test(`cvPCA alpha of a planted n^-${alpha} signal spectrum, noise at 2x signal power, 4 repeats, 1000 x 400: within 0.2`, (t) => {
    const lambda = Array.from({ length: 400 }, (_, i) => (i + 1) ** -alpha);
    const { trials, repeats } = plantedTrials(lambda, 1000, 4, 2, 100 + alpha * 10);
    const cv = cvPCA(trials, repeats, { seed: 1 });
    t.true(Math.abs(cv.alpha! - alpha) < 0.2, `alpha ${cv.alpha} over ranks ${cv.alphaRange}, reliable rank ${cv.reliableRank}`);
    t.is(cv.alphaRange[0], 1);
    t.is(cv.alphaRange[1], cv.reliableRank);
    t.true(cv.reliableVarianceFraction > 0.1 && cv.reliableVarianceFraction < 0.5, `reliable fraction ${cv.reliableVarianceFraction}`);
  });
}

test('cvPCA on pure noise (2 repeats): no reliable signal, so D_eff and alpha are null with a warning', (t) => {
  const rng = new Rng(61);
  const nStim = 100, d = 60;
  const m = responseMatrix(nStim * 2, d, gaussian(rng, nStim * 2, d));
  const repeats = Array.from({ length: nStim }, (_, i) => [2 * i, 2 * i + 1]);
  const avg = effectiveDimension(responseMatrix(nStim, d, gaussian(rng, nStim, d)), { repeats, trials: m, seed: 1, nulls: 19 });
  const cv = avg.cvPCA!;
  const codes = avg.warnings.map((w) => w.code);
  t.true(codes.includes('no-reliable-signal'), codes.join(','));
  if (cv.effectiveDimension !== null) t.true(cv.null!.pValue > 0.05, 'a positive sum by chance is not above its shuffle null');
  else t.is(cv.alpha, null);
});

test('cvPCA on pure noise with 6 repeats, without a null: no component above the detectability threshold, so D_eff is null with a warning (20 datasets)', (t) => {
  // Before this guard the positive noise components gave cvPCA D_eff of 20-27 on such data.
  let reported = 0;
  for (let s = 0; s < 20; s++) {
    const rng = new Rng(700 + s);
    const nStim = 72, reps = 6, d = 60;
    const m = responseMatrix(nStim * reps, d, gaussian(rng, nStim * reps, d));
    const repeats = Array.from({ length: nStim }, (_, i) => Array.from({ length: reps }, (_, r) => i * reps + r));
    const r = effectiveDimension(trialAveragedOf(m, repeats), { repeats, trials: m, seed: s });
    if (r.cvPCA!.effectiveDimension !== null) reported++;
    else t.true(r.warnings.some((w) => w.code === 'no-reliable-signal'));
  }
  t.is(reported, 0, `${reported} of 20 pure-noise datasets reported a cvPCA D_eff`);
});

test('cvPCA shuffle null: a planted signal has p < 0.01 (199 shuffles); shuffled labels have p > 0.05', (t) => {
  const lambda = Array.from({ length: 30 }, (_, i) => (i + 1) ** -1);
  const { trials, repeats } = plantedTrials(lambda, 120, 4, 2, 7);
  const avg = trialAveragedOf(trials, repeats);
  const r = effectiveDimension(avg, { repeats, trials, seed: 1, nulls: 199 });
  t.true(r.cvPCA!.null!.pValue < 0.01, `planted p ${r.cvPCA!.null!.pValue}`);
  // The same trials with stimulus identities shuffled: no signal left.
  const rng = new Rng(3);
  const all = repeats.flat();
  rng.shuffle(all);
  let k = 0;
  const shuffled = repeats.map((g) => g.map(() => all[k++]));
  const rs = effectiveDimension(trialAveragedOf(trials, shuffled), { repeats: shuffled, trials, seed: 1, nulls: 99 });
  const p = rs.cvPCA?.null?.pValue ?? 1;
  t.true(p > 0.05, `shuffled p ${p}`);
});

function trialAveragedOf(trials: ReturnType<typeof responseMatrix>, repeats: number[][]) {
  const d = trials.d;
  const out = new Float64Array(repeats.length * d);
  repeats.forEach((g, i) => g.forEach((row) => { for (let j = 0; j < d; j++) out[i * d + j] += trials.data[row * d + j] / g.length; }));
  return responseMatrix(repeats.length, d, out);
}

test('cvPCA uses the stimuli with >= 2 repeats, counts the others, and keeps plain D_eff when cvPCA fails', (t) => {
  const rng = new Rng(71);
  const d = 8;
  const trials = responseMatrix(41, d, gaussian(rng, 41, d));
  const repeats = [...Array.from({ length: 20 }, (_, i) => [2 * i, 2 * i + 1]), [40]];
  const avg = trialAveragedOf(trials, repeats);
  const r = effectiveDimension(avg, { repeats, trials, seed: 1 });
  t.is(r.cvPCA!.stimuli, 20);
  t.is(r.cvPCA!.stimuliDropped, 1);
  t.true(r.warnings.some((w) => w.code === 'cvpca-stimuli-dropped'));
  const failing = effectiveDimension(avg, { repeats: [[0], [1], [2, 3]], trials, seed: 1 });
  t.true(failing.effectiveDimension > 1, 'plain D_eff survives');
  t.is(failing.cvPCA, undefined);
  t.true(failing.warnings.some((w) => w.code === 'cvpca-failed'));
});
