import test from 'ava';
import { Rng } from '../../src/core/random.js';

test('Rng: same seed, same stream; different seed, different stream', (t) => {
  const a = new Rng(42),
    b = new Rng(42),
    c = new Rng(43);
  const xs = Array.from({ length: 100 }, () => a.next());
  t.deepEqual(
    xs,
    Array.from({ length: 100 }, () => b.next()),
  );
  t.notDeepEqual(
    xs,
    Array.from({ length: 100 }, () => c.next()),
  );
  t.true(xs.every((x) => x >= 0 && x < 1));
});

test('Rng: uniform mean and normal moments are right', (t) => {
  const r = new Rng(7);
  const N = 200000;
  let su = 0,
    sn = 0,
    sn2 = 0;
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
