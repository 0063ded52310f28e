import test from 'ava';
import { acrossRuns, welchTest } from '../../../src/core/inference/acrossRuns.js';
import { Rng } from '../../../src/core/random.js';

test('acrossRuns: mean, sd and the t interval of known values (t_0.975,2 = 4.302653)', (t) => {
  const s = acrossRuns([1, 2, 6, null])!;
  t.is(s.runs, 3);
  t.is(s.mean, 3);
  t.true(Math.abs(s.sd - Math.sqrt(7)) < 1e-12);
  const half = 4.302652729911275 * (Math.sqrt(7) / Math.sqrt(3));
  t.true(Math.abs(s.interval![0] - (3 - half)) < 1e-9 && Math.abs(s.interval![1] - (3 + half)) < 1e-9);
  t.deepEqual([s.min, s.max], [1, 6]);
  t.is(acrossRuns([4])!.interval, null, 'one run: no interval');
  t.is(acrossRuns([null, NaN]), null);
});

test('acrossRuns with 3 runs: the interval of the mean covers every run (their largest deviation is at most 1.155 sd)', (t) => {
  const rng = new Rng(3);
  for (let k = 0; k < 200; k++) {
    const v = [rng.normal(), rng.normal() * 3, rng.normal() + 1];
    const s = acrossRuns(v)!;
    for (const x of v) t.true(x >= s.interval![0] && x <= s.interval![1]);
  }
});

test('welchTest: a worked case (a = [1, 2, 3], b = [3, 4, 5]: t = -2 / sqrt(2/3), df = 4, p = 0.070484)', (t) => {
  // Both variances are 1, so df = 4 and t = -2.449490; p = 2 P(T_4 > 2.449490) = 0.0704840 by
  // numerical integration of the t density (midpoint rule, 400,000 cells), independent of @stdlib.
  const w = welchTest([1, 2, 3], [3, 4, 5])!;
  t.true(Math.abs(w.t + 2.449489742783178) < 1e-12);
  t.true(Math.abs(w.df - 4) < 1e-12);
  t.true(Math.abs(w.pValue - 0.07048399) < 1e-6, `p ${w.pValue}`);
  t.is(w.difference, -2);
  t.is(welchTest([1, 1], [1, 1]), null, 'no variance: undefined');
  t.is(welchTest([1], [2, 3]), null, 'one run: undefined');
});

test('welchTest: false-positive rate on equal groups of 3 is near 5 % (2000 simulated pairs)', (t) => {
  const rng = new Rng(11);
  let rejected = 0;
  const trials = 2000;
  for (let k = 0; k < trials; k++) {
    const a = [rng.normal(), rng.normal(), rng.normal()];
    const b = [rng.normal() * 2, rng.normal() * 2, rng.normal() * 2];
    if (welchTest(a, b)!.pValue < 0.05) rejected++;
  }
  // Welch's test is slightly conservative with 3 per group: 3-6.5 % is its measured range.
  t.true(rejected / trials > 0.025 && rejected / trials < 0.07, `rate ${rejected / trials}`);
});
