import test from 'ava';
import { covarianceEigenvalues, effectiveDimension } from '../../../src/core/dimension/effectiveDimension.js';
import { responseMatrix } from '../../../src/core/matrix.js';
import { Rng } from '../../../src/core/random.js';
import { correctedSpectrum, isCorrected, spectralDimensions } from '../../../src/core/inference/spectrumCorrection.js';

/** n Gaussian rows with covariance diag(lambda) (axis-aligned: eigenvalues are all that matter). */
function sample(lambda: number[], n: number, seed: number) {
  const rng = new Rng(seed);
  const d = lambda.length;
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = rng.normal() * Math.sqrt(lambda[j]);
  return covarianceEigenvalues(responseMatrix(n, d, x));
}

test('spectralDimensions: exp of the entropy and the participation ratio of known spectra', (t) => {
  const flat = spectralDimensions([2, 2, 2, 2]);
  t.true(Math.abs(flat.effectiveDimension - 4) < 1e-12);
  t.true(Math.abs(flat.participationRatio - 4) < 1e-12);
  const two = spectralDimensions([3, 1]);
  t.true(Math.abs(two.effectiveDimension - Math.exp(-(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)))) < 1e-12);
  t.true(Math.abs(two.participationRatio - 16 / 10) < 1e-12);
});

test('isotropic population, n = 2d: the plug-in D_eff is ~22 % low, the corrected one within 4 % of d (its sd is ~1 %)', (t) => {
  const d = 50,
    n = 100;
  const eig = sample(new Array(d).fill(1), n, 1);
  const plug = spectralDimensions(eig.subarray(0, d)).effectiveDimension;
  const c = correctedSpectrum(eig, n, d, { seed: 1 });
  t.true(isCorrected(c));
  if (!isCorrected(c)) return;
  t.true(plug < 0.85 * d, `plug-in ${plug}`);
  t.true(Math.abs(c.effectiveDimension - d) < 0.04 * d, `corrected ${c.effectiveDimension}`);
  t.true(Math.abs(c.participationRatio - d) < 0.06 * d, `corrected PR ${c.participationRatio}`);
  t.true(c.effectiveDimension <= d, 'never above the number of dimensions');
});

test('power-law population lambda_i = 1/i, d = 200, n = 400: the correction removes most of the bias (5 datasets)', (t) => {
  const d = 200,
    n = 400;
  const lambda = Array.from({ length: d }, (_, i) => 1 / (i + 1));
  const truth = spectralDimensions(lambda).effectiveDimension;
  let plugErr = 0,
    corrErr = 0;
  for (let s = 0; s < 5; s++) {
    const eig = sample(lambda, n, 10 + s);
    plugErr += (spectralDimensions(eig.subarray(0, d)).effectiveDimension - truth) / 5;
    const c = correctedSpectrum(eig, n, d, { seed: s });
    if (isCorrected(c)) corrErr += (c.effectiveDimension - truth) / 5;
  }
  t.true(plugErr < -0.08 * truth, `plug-in bias ${plugErr} of ${truth}`);
  // The corrected estimate's sd is ~2.3 here (~1 for a 5-dataset mean): bias well inside the plug-in's.
  t.true(Math.abs(corrErr) < 0.4 * Math.abs(plugErr) && Math.abs(corrErr) < 0.05 * truth, `corrected bias ${corrErr}, plug-in ${plugErr}, truth ${truth}`);
});

test('more neurons than stimuli: the population is extended by a power-law tail (corrected/2), and said so', (t) => {
  const eig = sample(new Array(60).fill(1), 40, 2);
  const c = correctedSpectrum(eig, 40, 60, { seed: 0 });
  if (!isCorrected(c)) return t.fail(c.reason);
  t.true(c.extrapolated);
  t.is(c.method, 'deterministic');
  // The plug-in sees at most 39 dimensions; the flat tail continues to 60.
  t.true(spectralDimensions(eig).effectiveDimension < 36);
  t.true(Math.abs(c.effectiveDimension - 60) < 0.15 * 60, `corrected ${c.effectiveDimension}`);
  const m = effectiveDimension(
    responseMatrix(
      40,
      60,
      new Float64Array(40 * 60).map((_, i) => Math.sin(i * 1.3) + Math.cos(i * i)),
    ),
  );
  t.true(m.warnings.some((w) => w.code === 'corrected-extrapolated'));
});

test('no calibration asked for (maxRank 0): no corrected value', (t) => {
  const c = correctedSpectrum(sample([3, 2, 1, 1], 50, 1), 50, 4, { maxRank: 0 });
  t.false(isCorrected(c));
});

test('seeded: the same seed gives the same corrected values', (t) => {
  const eig = sample(
    Array.from({ length: 30 }, (_, i) => 1 / (i + 1)),
    90,
    3,
  );
  t.deepEqual(correctedSpectrum(eig, 90, 30, { seed: 4 }), correctedSpectrum(eig, 90, 30, { seed: 4 }));
});

test('an isotropic population: the corrected D_eff sits at its boundary and says so; a power-law one does not', (t) => {
  const rng = new Rng(31);
  const n = 250,
    d = 50;
  const iso = effectiveDimension(
    responseMatrix(
      n,
      d,
      Float64Array.from({ length: n * d }, () => rng.normal()),
    ),
  );
  t.true(iso.effectiveDimensionCorrected! > 0.98 * d, `corrected ${iso.effectiveDimensionCorrected}`);
  t.true(iso.warnings.some((w) => w.code === 'corrected-at-boundary'));
  const pl = effectiveDimension(
    responseMatrix(
      n,
      d,
      Float64Array.from({ length: n * d }, (_v, k) => rng.normal() * ((k % d) + 1) ** -0.5),
    ),
  );
  t.false(pl.warnings.some((w) => w.code === 'corrected-at-boundary'));
});
