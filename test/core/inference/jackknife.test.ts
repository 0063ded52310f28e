import test from 'ava';
import { jackknifeGroups, jackknifeIntervals, keptUnits, t975 } from '../../../src/core/inference/jackknife.js';
import { Rng } from '../../../src/core/random.js';

test('groups are balanced, seeded, and a replicate keeps everything but its group', (t) => {
  const g = jackknifeGroups(103, 10, 5);
  const sizes = new Array(10).fill(0);
  for (const x of g) sizes[x]++;
  t.true(Math.max(...sizes) - Math.min(...sizes) <= 1);
  t.deepEqual(jackknifeGroups(103, 10, 5), g);
  t.notDeepEqual(jackknifeGroups(103, 10, 6), g);
  const kept = keptUnits(g, 3);
  t.is(kept.length, 103 - sizes[3]);
  t.true(Array.from(kept).every((i) => g[i] !== 3));
});

test('t quantile from @stdlib: t(0.975, 19) = 2.093 (table value)', (t) => {
  t.true(Math.abs(t975(19) - 2.093024) < 1e-6);
  t.true(Math.abs(t975(1e6) - 1.959966) < 1e-5);
});

test('grouped jackknife of a mean: the textbook standard error, and the interval contains the estimate', (t) => {
  const rng = new Rng(3);
  const n = 200,
    G = 20;
  const x = Array.from({ length: n }, () => rng.normal() * 2 + 1);
  const groupOf = jackknifeGroups(n, G, 1);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const est = mean(x);
  const s = jackknifeIntervals({ mean: est }, G, 1, (g) => ({ mean: mean(x.filter((_, i) => groupOf[i] !== g)) }));
  // For equal groups, se^2 = sum_g (mean_g - mean)^2 / (G (G - 1)) with mean_g the group means.
  const groupMeans = Array.from({ length: G }, (_, g) => mean(x.filter((_, i) => groupOf[i] === g)));
  const expected = Math.sqrt(groupMeans.reduce((a, m) => a + (m - est) ** 2, 0) / (G * (G - 1)));
  t.true(Math.abs(s.standardErrors.mean - expected) < 1e-12 * expected, `${s.standardErrors.mean} vs ${expected}`);
  const iv = s.bounds.mean;
  t.true(Math.abs(iv.hi - est - t975(G - 1) * expected) < 1e-12);
  t.true(iv.lo < est && est < iv.hi);
  t.is(s.method, 'grouped-jackknife');
});

test('undefined replicates are skipped; an observable defined in fewer than 2 replicates gets no interval', (t) => {
  const s = jackknifeIntervals({ a: 1, b: 2, c: null }, 5, 0, (g) => (g === 0 ? null : { a: 1 + g * 0.01, b: g === 1 ? 2 : NaN, c: 3 }));
  t.is(s.skipped, 1);
  t.truthy(s.bounds.a);
  t.falsy(s.bounds.b);
  t.falsy(s.bounds.c);
});
