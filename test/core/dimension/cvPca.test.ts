import test from 'ava';
import { cvPCA } from '../../../src/core/dimension/cvPca.js';
import { effectiveDimension } from '../../../src/core/dimension/effectiveDimension.js';
import { responseMatrix } from '../../../src/core/matrix.js';
import { Rng } from '../../../src/core/random.js';
import { gaussian, plantedTrials } from '../../helpers.js';

test('cvPCA removes trial noise: noise-corrected D_eff near the signal, plain D_eff much larger', (t) => {
  const rng = new Rng(21);
  const nStim = 300,
    d = 80,
    rank = 5,
    reps = 2;
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

test('intervals with repeats cover the cvPCA scalars too; the corrected D_eff is above the plug-in', (t) => {
  const rng = new Rng(41);
  const nStim = 60,
    reps = 3,
    d = 10;
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
  groups.forEach((g, i) =>
    g.forEach((row) => {
      for (let j = 0; j < d; j++) mean[i * d + j] += trials[row * d + j] / reps;
    }),
  );
  const a = effectiveDimension(responseMatrix(nStim, d, mean), { repeats: groups, trials: tm, intervals: 10, seed: 2 });
  const iv = a.intervals!.bounds;
  for (const k of ['effectiveDimension', 'participationRatio', 'cvEffectiveDimension', 'cvParticipationRatio', 'reliableVarianceFraction']) t.true(k in iv, k);
  t.true(iv.cvEffectiveDimension.lo <= a.cvPCA!.effectiveDimension! && a.cvPCA!.effectiveDimension! <= iv.cvEffectiveDimension.hi);
  t.true(a.effectiveDimensionCorrected! > a.effectiveDimension);
});

test('cvPCA on pure noise (2 repeats): no reliable signal, so D_eff and alpha are null with a warning', (t) => {
  const rng = new Rng(61);
  const nStim = 100,
    d = 60;
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
    const nStim = 72,
      reps = 6,
      d = 60;
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
  repeats.forEach((g, i) =>
    g.forEach((row) => {
      for (let j = 0; j < d; j++) out[i * d + j] += trials.data[row * d + j] / g.length;
    }),
  );
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
