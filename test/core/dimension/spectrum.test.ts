import test from 'ava';
import { effectiveDimension } from '../../../src/core/dimension/effectiveDimension.js';
import { powerLawExponent } from '../../../src/core/dimension/spectrum.js';
import { responseMatrix } from '../../../src/core/matrix.js';
import { relDiff, dataWithCovariance, exactDeff } from '../../helpers.js';

test('known diagonal covariance: exact exp(H) and participation ratio', (t) => {
  const lambda = [5, 3, 2, 1, 0.5, 0.25, 0.1];
  const r = effectiveDimension(responseMatrix(60, lambda.length, dataWithCovariance(lambda, 60, 7)));
  const { deff, pr } = exactDeff(lambda);
  t.true(relDiff(r.effectiveDimension, deff) < 1e-10, `${r.effectiveDimension} vs ${deff}`);
  t.true(relDiff(r.participationRatio, pr) < 1e-10, `${r.participationRatio} vs ${pr}`);
  t.is(r.rank, lambda.length);
  r.spectrum.forEach((p, i) => t.true(Math.abs(p - lambda[i] / 11.85) < 1e-12));
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

test('guard: a 3-stimulus design has no power-law fit: alpha null with a warning, D_eff still reported', (t) => {
  const m = responseMatrix(3, 5, Float64Array.from([1, 0, 2, 0, 1, 0, 1, 1, 3, 0, 2, 2, 0, 1, 1]));
  const r = effectiveDimension(m);
  t.is(r.alpha, null);
  t.true(r.effectiveDimension > 1);
  t.true(r.warnings.some((w) => w.code === 'alpha-too-few-ranks'));
  t.true(r.warnings.some((w) => w.code === 'corrected-unavailable'));
});
