import test from 'ava';
import { entropyOfCounts, fitLine, fitPowerLaw, foldAssignment, percentile, Rng } from '../../src/core/stats.js';

test('Rng: same seed, same stream; different seed, different stream', (t) => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const xs = Array.from({ length: 100 }, () => a.next());
  t.deepEqual(xs, Array.from({ length: 100 }, () => b.next()));
  t.notDeepEqual(xs, Array.from({ length: 100 }, () => c.next()));
  t.true(xs.every((x) => x >= 0 && x < 1));
});

test('Rng: uniform mean and normal moments are right', (t) => {
  const r = new Rng(7);
  const N = 200000;
  let su = 0, sn = 0, sn2 = 0;
  for (let i = 0; i < N; i++) {
    su += r.next();
    const z = r.normal();
    sn += z;
    sn2 += z * z;
  }
  t.true(Math.abs(su / N - 0.5) < 0.005);
  t.true(Math.abs(sn / N) < 0.01);
  t.true(Math.abs(sn2 / N - 1) < 0.01);
});

test('Rng.int is unbiased over a small range and Poisson has the right mean', (t) => {
  const r = new Rng(8);
  const counts = [0, 0, 0];
  for (let i = 0; i < 30000; i++) counts[r.int(3)]++;
  counts.forEach((c) => t.true(Math.abs(c - 10000) < 400));
  let s = 0;
  for (let i = 0; i < 20000; i++) s += r.poisson(3.5);
  t.true(Math.abs(s / 20000 - 3.5) < 0.06);
});

test('percentile matches numpy linear interpolation', (t) => {
  // numpy.percentile([1, 2, 3, 4], [2.5, 50, 97.5]) = [1.075, 2.5, 3.925]
  t.true(Math.abs(percentile([4, 1, 3, 2], 2.5) - 1.075) < 1e-12);
  t.is(percentile([4, 1, 3, 2], 50), 2.5);
  t.true(Math.abs(percentile([4, 1, 3, 2], 97.5) - 3.925) < 1e-12);
});

test('folds are balanced and seeded', (t) => {
  const f = foldAssignment(new Rng(1), 23, 5);
  const sizes = [0, 0, 0, 0, 0];
  f.forEach((k) => sizes[k]++);
  t.deepEqual(sizes.sort(), [4, 4, 5, 5, 5]);
  t.deepEqual(f, foldAssignment(new Rng(1), 23, 5));
});

test('power-law fit recovers a and b from exact y = 3 t^-0.5 and gives low R^2 on other data', (t) => {
  const ts = [1, 2, 4, 8, 16, 32, 64, 128];
  const f = fitPowerLaw(ts, ts.map((x) => 3 * x ** -0.5));
  t.true(Math.abs(f.a - 3) < 1e-12);
  t.true(Math.abs(f.b + 0.5) < 1e-12);
  t.true(Math.abs(f.r2 - 1) < 1e-12);
  const wiggle = fitPowerLaw(ts, ts.map((x) => 2 + Math.sin(Math.log2(x) * 2)));
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
