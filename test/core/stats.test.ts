import test from 'ava';
import { entropyOfCounts, fitLine, fitPowerLaw } from '../../src/core/stats.js';

test('power-law fit recovers a and b from exact y = 3 t^-0.5 and gives low R^2 on other data', (t) => {
  const ts = [1, 2, 4, 8, 16, 32, 64, 128];
  const f = fitPowerLaw(
    ts,
    ts.map((x) => 3 * x ** -0.5),
  );
  t.true(Math.abs(f.a - 3) < 1e-12);
  t.true(Math.abs(f.b + 0.5) < 1e-12);
  t.true(Math.abs(f.r2 - 1) < 1e-12);
  const wiggle = fitPowerLaw(
    ts,
    ts.map((x) => 2 + Math.sin(Math.log2(x) * 2)),
  );
  t.true(wiggle.r2 < 0.5, `R^2 ${wiggle.r2}`);
});

test('fitLine slope, intercept and R^2', (t) => {
  const f = fitLine([0, 1, 2], [1, 3, 5]);
  t.is(f.slope, 2);
  t.is(f.intercept, 1);
  t.is(f.r2, 1);
});

test('entropy of counts', (t) => {
  t.true(Math.abs(entropyOfCounts([5, 5]) - Math.log(2)) < 1e-15);
  t.is(entropyOfCounts([7]), 0);
});
