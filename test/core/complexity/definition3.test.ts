import test from 'ava';
import { mapComplexity, gainValue } from '../../../src/core/complexity/complexity.js';
import { mapComplexity3, nearestNeighbourNoise } from '../../../src/core/complexity/definition3.js';
import { responseMatrix, type ResponseMatrix } from '../../../src/core/matrix.js';
import { Rng } from '../../../src/core/random.js';
import { piecewise, plantedGain } from '../../fixtures/plantedMaps.js';

const column = (v: ArrayLike<number>): ResponseMatrix => responseMatrix(v.length, 1, Float64Array.from(v));

test('complexity/3 is the default; every seed is kept; the range covers each seed; same seed, same numbers', (t) => {
  const { x, y } = piecewise([0.25, 0.25, 0.25, 0.25], 3, 0.01, 1500);
  const r = mapComplexity(x, y, { seed: 4 });
  t.is(r.definition, 'complexity/3');
  if (r.definition !== 'complexity/3') return;
  t.is(r.seeds.length, 5, 'five fold seeds by default');
  t.deepEqual(
    r.seeds.map((s) => s.seed),
    [4, 5, 6, 7, 8],
  );
  for (const s of r.seeds) t.true(s.complexity! >= r.seedInterval!.lo && s.complexity! <= r.seedInterval!.hi);
  t.is(r.seedInterval!.level, 1 - 2 ** -4);
  t.true(Math.abs(r.effectivePieces! - 4) <= 0.15 * 4, `exp(C) ${r.effectivePieces} for 4 pieces`);
  const again = mapComplexity(x, y, { seed: 4 });
  t.deepEqual(again, r);
  const two = mapComplexity(x, y, { seed: 4, definition: 2 });
  t.is(two.definition, 'complexity/2', 'definition 2 stays reachable');
});

test('the gain beside C: its interval covers the planted gain; a linear map has C = 0 and no weak mark', (t) => {
  const f = (v: number) => Math.abs(v);
  const truth = plantedGain(f, 0.1, -1, 2, 77);
  const rng = new Rng(31);
  const xs = Array.from({ length: 2000 }, () => -1 + 3 * rng.next());
  const r = mapComplexity3(column(xs), column(xs.map((v) => f(v) + 0.1 * rng.normal())), { seed: 1, repeats: 3 });
  t.true(
    r.gain.interval.lo <= truth && truth <= r.gain.interval.hi,
    `gain ${r.gain.absolute} [${r.gain.interval.lo}, ${r.gain.interval.hi}] vs planted ${truth}`,
  );
  t.true(Math.abs(r.gain.absolute - truth) < 0.02);
  t.true(Math.abs(r.gain.relative! - r.gain.absolute / (1 - r.linearR2)) < 1e-12);
  t.false(r.gain.weak);

  const lin = mapComplexity3(column(xs), column(xs.map((v) => 2 * v + 0.1 * rng.normal())), { seed: 1, repeats: 3 });
  t.is(lin.complexity, 0);
  t.false(lin.gain.weak);
  t.true(lin.gain.interval.lo <= 0 + 1e-3, `a linear map's gain interval ${lin.gain.interval.lo}.. reaches 0`);
});

test('a C that rests on a tiny gain is marked weak (gain value, flag and warning)', (t) => {
  const rng = new Rng(8);
  const xs = Array.from({ length: 3000 }, () => 2 * rng.next() - 1);
  // 0.08 |x| on top of x: the pieces explain about 0.2 % of the variance.
  const r = mapComplexity3(column(xs), column(xs.map((v) => v + 0.08 * Math.abs(v) + 0.003 * rng.normal())), { seed: 2, repeats: 3 });
  t.true(r.complexity! > 0.5, `C ${r.complexity}`);
  t.true(r.gain.absolute < 0.01, `gain ${r.gain.absolute}`);
  t.true(r.gain.weak);
  t.true(r.warnings.some((w) => w.code === 'complexity-weak'));
  t.is(gainValue(r), r.gain.absolute);
});

test('no hidden cap: pieces are sought past 256 when the curve still falls there, and a bound that binds is said', (t) => {
  const { x, y } = piecewise(new Array(300).fill(1 / 300), 1, 0.001, 6000);
  const three = mapComplexity3(x, y, { seed: 0, repeats: 3 });
  const two = mapComplexity(x, y, { seed: 0, definition: 2 });
  t.is((two as { largestK: number }).largestK, 256, 'complexity/2 stops at 256');
  t.true(three.largestK > 256, `complexity/3 scored up to ${three.largestK}`);
  // More pieces than complexity/2 counts; short of 300, because the pieces past K* each add less
  // than the resolution (0.3 % of the gain here): docs/observables.md section 2.3.
  t.true(three.effectivePieces! > two.effectivePieces! * 1.2, `complexity/3 exp(C) ${three.effectivePieces} vs complexity/2 ${two.effectivePieces}`);

  // sum |x_i| in 10-D has 1024 pieces; 2000 stimuli cannot resolve them.
  const rng = new Rng(5);
  const n = 2000,
    d = 10;
  const xs = Float64Array.from({ length: n * d }, () => rng.normal());
  const ys = Float64Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += Math.abs(xs[i * d + j]);
    return s + 0.01 * rng.normal();
  });
  const l1 = mapComplexity3(responseMatrix(n, d, xs), column(ys), { seed: 0, repeats: 3 });
  t.true(
    l1.warnings.some((w) => w.code === 'complexity-lower-bound'),
    `C ${l1.complexity}, K* ${l1.kStar}, best K ${l1.seeds.map((s) => s.bestK)}, bound ${l1.dataBound}`,
  );
});

test('the scale curve: fewer pieces at coarser resolution, C at the finest', (t) => {
  const { x, y } = piecewise([0.1, 0.3, 0.2, 0.4], 12, 0.01, 2000);
  const r = mapComplexity3(x, y, { seed: 0, repeats: 3, resolutions: [1e-4, 0.01, 0.2, 0.6] });
  t.deepEqual(
    r.scaleCurve.map((p) => p.resolution),
    [1e-4, 0.01, 0.2, 0.6],
  );
  const c = r.scaleCurve.map((p) => p.complexity ?? -1);
  for (let i = 1; i < c.length; i++) t.true(c[i] <= c[i - 1] + 1e-12, `non-increasing: ${c}`);
  t.true(Math.abs(c[0] - r.complexity!) < 0.15, `finest ${c[0]} vs C ${r.complexity}`);
  t.true(c[3] < c[0], 'at 60 % of the variance fewer pieces count');
});

test('discontinuous pieces: a 4 x 4 checkerboard of affine maps is counted within 20 % or said unresolved', (t) => {
  const rng = new Rng(1);
  const n = 2500;
  const xs = Float64Array.from({ length: 2 * n }, () => rng.next());
  const a = Float64Array.from({ length: 16 * 6 }, () => rng.normal());
  const ys = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const c = Math.min(3, Math.floor(4 * xs[2 * i])) * 4 + Math.min(3, Math.floor(4 * xs[2 * i + 1]));
    for (let j = 0; j < 2; j++)
      ys[2 * i + j] = a[c * 6 + 3 * j] + a[c * 6 + 3 * j + 1] * xs[2 * i] + a[c * 6 + 3 * j + 2] * xs[2 * i + 1] + 0.05 * rng.normal();
  }
  const r = mapComplexity3(responseMatrix(n, 2, xs), responseMatrix(n, 2, ys), { seed: 0, repeats: 3 });
  const within = Math.abs(r.effectivePieces! - 16) <= 0.2 * 16;
  t.true(within || r.warnings.some((w) => w.code === 'pieces-unresolved'), `exp(C) ${r.effectivePieces}, best R^2 ${r.bestR2}, floor ${r.noiseFloor}`);
});

test('the nearest-neighbour noise estimate reads the planted noise share, and errs high, not low', (t) => {
  const rng = new Rng(9);
  const n = 3000;
  const z = Float64Array.from({ length: 2 * n }, () => rng.next());
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(3 * z[2 * i]) + z[2 * i + 1] + 0.2 * rng.normal());
  let mean = 0;
  for (const v of y) mean += v / n;
  let total = 0;
  for (const v of y) total += (v - mean) ** 2 / n;
  const yc = y.map((v) => v - mean);
  const est = nearestNeighbourNoise(z, n, 2, yc, 1, new Float64Array(n))!;
  const planted = 0.04 / total;
  t.true(est >= 0.85 * planted && est < 1.3 * planted, `estimate ${est} vs planted ${planted}`);
  t.is(nearestNeighbourNoise(new Float64Array(n * 9), n, 9, yc, 1, new Float64Array(n)), null, 'not computed above 8 dimensions');
});
