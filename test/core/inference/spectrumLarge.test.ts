import test from 'ava';
import { covarianceEigenvalues } from '../../../src/core/dimension/effectiveDimension.js';
import { responseMatrix } from '../../../src/core/matrix.js';
import { Rng } from '../../../src/core/random.js';
import { correctedSpectrum, isCorrected, spectralDimensions } from '../../../src/core/inference/spectrumCorrection.js';
import { correctedSpectrumLarge, expectedSampleSpectrum } from '../../../src/core/inference/spectrumLarge.js';

/** Sample covariance spectrum of n Gaussian rows with population eigenvalues lambda. */
function sample(lambda: Float64Array, n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const d = lambda.length;
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = rng.normal() * Math.sqrt(lambda[j]);
  return covarianceEigenvalues(responseMatrix(n, d, x));
}

const powerLaw = (d: number, alpha: number) => Float64Array.from({ length: d }, (_, i) => (i + 1) ** -alpha);

test('the deterministic equivalent predicts simulated sample spectra (d = 1200 > n = 400, power law alpha 1)', (t) => {
  const lambda = powerLaw(1200, 1);
  const n = 400;
  const expected = expectedSampleSpectrum(lambda, n - 1, n - 1);
  // Independent truth: the mean over Gaussian draws of the sorted sample eigenvalues.
  const draws = [1, 2, 3].map((s) => sample(lambda, n, s).subarray(0, n - 1));
  const meanAt = (i: number) => draws.reduce((a, d) => a + d[i], 0) / draws.length;
  for (const i of [0, 1, 9, 99, 299, 397]) t.true(Math.abs(expected[i] / meanAt(i) - 1) < 0.06, `rank ${i + 1}: ${expected[i]} vs ${meanAt(i)}`);
  const plug = draws.map((d) => spectralDimensions(d).effectiveDimension).reduce((a, b) => a + b) / draws.length;
  // The deterministic equivalent is a large-n limit: at n = 400 it sits about 2 % above the mean of
  // six draws (112.1; one draw's sd is about 2 %), 1 % at n = 1000.
  t.true(Math.abs(spectralDimensions(expected).effectiveDimension / plug - 1) < 0.04, `D_eff of the expected spectrum vs the plug-in mean ${plug}`);
});

test('planted power law wider than n (d = 2000, alpha 1, n = 500): plug-in >= 20 % low, corrected within 10 %', (t) => {
  const lambda = powerLaw(2000, 1);
  const truth = spectralDimensions(lambda).effectiveDimension;
  const eig = sample(lambda, 500, 11);
  const plug = spectralDimensions(eig).effectiveDimension;
  t.true(plug < 0.8 * truth, `plug-in ${plug} vs ${truth}`);
  const c = correctedSpectrum(eig, 500, 2000);
  if (!isCorrected(c)) return t.fail(c.reason);
  t.true(c.extrapolated);
  t.true(Math.abs(c.effectiveDimension / truth - 1) < 0.1, `corrected ${c.effectiveDimension} vs ${truth}`);
  // PR rests on the top few eigenvalues, whose sampling error at n = 500 is about 6 % each: looser.
  t.true(Math.abs(c.participationRatio / spectralDimensions(lambda).participationRatio - 1) < 0.2, `PR ${c.participationRatio}`);
});

test('rank above the simulation limit (d = 300 < n = 700): the deterministic route agrees with the simulated one and the truth', (t) => {
  const lambda = Float64Array.from({ length: 300 }, (_, i) => Math.exp(-i / 40));
  const truth = spectralDimensions(lambda).effectiveDimension;
  const eig = sample(lambda, 700, 5);
  const large = correctedSpectrumLarge(eig, 700, 300);
  const simulated = correctedSpectrum(eig, 700, 300, { maxRank: 600 });
  if (!isCorrected(large) || !isCorrected(simulated)) return t.fail('not corrected');
  t.false(large.extrapolated);
  t.is(simulated.method, 'simulation');
  t.true(Math.abs(large.effectiveDimension / truth - 1) < 0.03, `deterministic ${large.effectiveDimension} vs ${truth}`);
  t.true(Math.abs(large.effectiveDimension / simulated.effectiveDimension - 1) < 0.03, `vs simulated ${simulated.effectiveDimension}`);
  const viaDefault = correctedSpectrum(eig, 700, 300, { maxRank: 256 });
  if (!isCorrected(viaDefault)) return t.fail(viaDefault.reason);
  t.is(viaDefault.method, 'deterministic', 'rank 300 > 256 takes the deterministic route');
});
