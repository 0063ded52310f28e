import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapComplexity } from '../../../src/core/complexity/complexity.js';
import { responseMatrix, type ResponseMatrix } from '../../../src/core/matrix.js';
import { Rng } from '../../../src/core/random.js';
import { FIXTURES, gaussian, randomRotation } from '../../helpers.js';
import { hyperplaneMap, piecewise } from '../../fixtures/plantedMaps.js';

const column = (v: ArrayLike<number>): ResponseMatrix => responseMatrix(v.length, 1, Float64Array.from(v));
const entropy = (p: number[]) => -p.reduce((a, v) => a + (v > 0 ? v * Math.log(v) : 0), 0);

for (const P of [2, 3, 4, 5, 6, 8, 12]) {
  test(`1-D map with ${P} equal-mass linear pieces (n = 4000, noise 0.01): exp(C) within 15 % of ${P}, 3 seeds`, (t) => {
    for (let seed = 0; seed < 3; seed++) {
      const { x, y } = piecewise(new Array(P).fill(1 / P), seed);
      const r = mapComplexity(x, y, { definition: 2, seed });
      t.true(Math.abs(r.effectivePieces! - P) <= 0.15 * P, `seed ${seed}: exp(C) = ${r.effectivePieces} (K* ${r.kStar})`);
    }
  });
}

for (const masses of [
  [0.25, 0.75],
  [0.1, 0.3, 0.6],
  [0.05, 0.15, 0.3, 0.5],
  [0.4, 0.1, 0.1, 0.2, 0.2],
]) {
  test(`1-D map with unequal pieces ${masses.join('/')}: C within 0.1 nats of the entropy of the masses, 3 seeds`, (t) => {
    for (let seed = 0; seed < 3; seed++) {
      const { x, y } = piecewise(masses, 10 + seed);
      const r = mapComplexity(x, y, { definition: 2, seed });
      t.true(Math.abs(r.complexity! - entropy(masses)) < 0.1, `seed ${seed}: C = ${r.complexity}, H = ${entropy(masses)}`);
    }
  });
}

test('|x| on U[-1, 3]: the pieces follow the bend at 0, not the density: C within 0.1 of H(1/4, 3/4) = 0.562', (t) => {
  const rng = new Rng(3);
  const x = Array.from({ length: 4000 }, () => 4 * rng.next() - 1);
  const r = mapComplexity(column(x), column(x.map((v) => Math.abs(v) + 0.01 * rng.normal())), { definition: 2, seed: 1 });
  t.true(Math.abs(r.complexity! - entropy([0.25, 0.75])) < 0.1, `C = ${r.complexity}`);
  t.is(r.kStar, 2);
});

/** A continuous map on 4-D Gaussian X: linear plus ReLU ridges along `cuts` random hyperplanes; the true regions' entropy. */
for (const cuts of [2, 3, 4]) {
  test(`4-D map cut by ${cuts} random hyperplanes: exp(C) within 25 % of exp(entropy of the true regions), 3 seeds`, (t) => {
    for (let seed = 0; seed < 3; seed++) {
      const m = hyperplaneMap(cuts, 20 + 3 * cuts + seed);
      const r = mapComplexity(m.x, m.y, { definition: 2, seed });
      const truth = Math.exp(m.regionEntropy);
      t.true(Math.abs(r.effectivePieces! - truth) <= 0.25 * truth, `seed ${seed}: exp(C) = ${r.effectivePieces}, truth ${truth}`);
    }
  });
}

// The same formula as test/fixtures/make_complexity2_fixtures.py, so both sides see the same data.
function hashUniform(i: number, j: number, salt: number): number {
  const v = Math.sin(i * 12.9898 + j * 78.233 + salt * 37.719) * 43758.5453;
  return v - Math.floor(v);
}
function hashNormal(i: number, j: number, salt: number): number {
  const u1 = Math.min(1, Math.max(1e-12, hashUniform(i, j, salt)));
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * hashUniform(i, j, salt + 0.5));
}
const linearRef = JSON.parse(readFileSync(join(FIXTURES, 'complexity2', 'linear.json'), 'utf8')) as {
  cases: Record<string, { p: number; n: number; q: number; cvRidgeR2: number; x00: number; y00: number }>;
};

for (const [name, ref] of Object.entries(linearRef.cases)) {
  test(`linear map from ${ref.p}-dimensional X (n = ${ref.n}): C = 0 and linear R^2 within 0.01 of scikit-learn's cross-validated ridge`, (t) => {
    const { n, p, q } = ref;
    const x = new Float64Array(n * p),
      y = new Float64Array(n * q);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) x[i * p + j] = hashNormal(i, j, 1) * (j + 1) ** -0.5;
    const b = new Float64Array(p * q);
    for (let j = 0; j < p; j++) for (let k = 0; k < q; k++) b[j * q + k] = hashNormal(j, k, 2);
    for (let i = 0; i < n; i++)
      for (let k = 0; k < q; k++) {
        let v = 0.5 * hashNormal(i, k, 3);
        for (let j = 0; j < p; j++) v += x[i * p + j] * b[j * q + k];
        y[i * q + k] = v;
      }
    t.true(Math.abs(x[0] - ref.x00) < 1e-9 && Math.abs(y[0] - ref.y00) < 1e-9, 'same data as the fixture script');
    const foldOf = Int32Array.from({ length: n }, (_, i) => i % 5);
    const r = mapComplexity(responseMatrix(n, p, x), responseMatrix(n, q, y), { definition: 2, seed: 1, foldOf });
    t.is(r.complexity, 0, name);
    t.is(r.kStar, 1);
    t.true(Math.abs(r.linearR2 - ref.cvRidgeR2) < 0.01, `linear R^2 ${r.linearR2} vs scikit-learn ${ref.cvRidgeR2}`);
  });
}

function reluLayer(x: Float64Array, n: number, p: number, q: number, seed: number): Float64Array {
  const w = gaussian(new Rng(seed), p, q);
  const out = new Float64Array(n * q);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < q; j++) {
      let v = 0;
      for (let a = 0; a < p; a++) v += x[i * p + a] * w[a * q + j];
      out[i * q + j] = Math.max(0, v / Math.sqrt(p));
    }
  return out;
}

test('random ReLU layer on Gaussian inputs (8 -> 8, n = 1000): C > 0 and the permutation p-value < 0.01 (119 shuffles)', (t) => {
  const n = 1000,
    p = 8;
  const x = gaussian(new Rng(40), n, p);
  const r = mapComplexity(responseMatrix(n, p, x), responseMatrix(n, p, reluLayer(x, n, p, p, 41)), { definition: 2, seed: 1, nulls: 119 });
  t.true(r.complexity! > 0, `C = ${r.complexity}`);
  t.true(r.null!.pValue < 0.01, `p = ${r.null!.pValue}`);
  t.true(r.bestR2 > r.linearR2);
});

test('shuffled control: X and Y independent gives p > 0.05 for the gain, and C is not reported as a number', (t) => {
  const rng = new Rng(42);
  const n = 800;
  const r = mapComplexity(responseMatrix(n, 3, gaussian(rng, n, 3)), responseMatrix(n, 4, gaussian(rng, n, 4)), { definition: 2, seed: 2, nulls: 19 });
  t.true(r.null!.pValue > 0.05, `p = ${r.null!.pValue}`);
  t.is(r.complexity, null, 'nothing predictable held out: complexity undefined');
  t.true(r.warnings.some((w) => w.code === 'unpredictable'));
});

test('sin(3x) on [-pi, pi]: mean C over 5 seeds does not increase with the noise (sd 0.1, 1, 3)', (t) => {
  const meanC = (noise: number) => {
    let s = 0;
    for (let seed = 0; seed < 5; seed++) {
      const rng = new Rng(50 + seed);
      const x = Array.from({ length: 2000 }, () => Math.PI * (2 * rng.next() - 1));
      s += mapComplexity(column(x), column(x.map((v) => Math.sin(3 * v) + noise * rng.normal())), { definition: 2, seed }).complexity! / 5;
    }
    return s;
  };
  const c = [0.1, 1, 3].map(meanC);
  t.true(c[0] >= c[1] && c[1] >= c[2], `mean C ${c.map((v) => v.toFixed(3)).join(', ')}`);
});

test('sin(3x) at noise sd 1: mean C over 6 seeds does not decrease with n (500, 2000, 8000)', (t) => {
  const meanC = (n: number) => {
    let s = 0;
    for (let seed = 0; seed < 6; seed++) {
      const rng = new Rng(60 + seed);
      const x = Array.from({ length: n }, () => Math.PI * (2 * rng.next() - 1));
      s += mapComplexity(column(x), column(x.map((v) => Math.sin(3 * v) + rng.normal())), { definition: 2, seed }).complexity! / 6;
    }
    return s;
  };
  const c = [500, 2000, 8000].map(meanC);
  t.true(c[0] <= c[1] && c[1] <= c[2], `mean C ${c.map((v) => v.toFixed(3)).join(', ')}`);
});

test('--repeats: mean and sd of C over seeds', (t) => {
  const rng = new Rng(70);
  const x = Array.from({ length: 1000 }, () => Math.PI * (2 * rng.next() - 1));
  const r = mapComplexity(column(x), column(x.map((v) => Math.sin(3 * v) + 0.5 * rng.normal())), { definition: 2, seed: 3, repeats: 4 });
  t.is(r.repeats!.seeds, 4);
  t.is(r.repeats!.values.length, 4);
  t.is(r.repeats!.values[0], r.complexity);
  const v = r.repeats!.values as number[];
  const mean = v.reduce((a, b) => a + b, 0) / 4;
  t.true(Math.abs(r.repeats!.mean! - mean) < 1e-12);
  t.true(r.repeats!.sd! >= 0);
});

test('invariant to rescaling, offset and rotation of X and of Y (to 1e-6)', (t) => {
  const m = hyperplaneMap(2, 80, 1500, 3);
  const base = mapComplexity(m.x, m.y, { definition: 2, seed: 1 });
  // A rotation of R^4 (and R^3) from QR-like Gram-Schmidt of a fixed random matrix.
  const rotation = (d: number, seed: number) => randomRotation(new Rng(seed), d);
  const transform = (mat: ResponseMatrix, scale: number, offset: number, seed: number) => {
    const { n, d } = mat;
    const rot = rotation(d, seed);
    const out = new Float64Array(n * d);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < d; j++) {
        let v = offset;
        for (let k = 0; k < d; k++) v += scale * mat.data[i * d + k] * rot[k * d + j];
        out[i * d + j] = v;
      }
    return responseMatrix(n, d, out);
  };
  const moved = mapComplexity(transform(m.x, 7.5, -3, 1), transform(m.y, 0.02, 100, 2), { definition: 2, seed: 1 });
  t.is(moved.kStar, base.kStar);
  t.true(Math.abs(moved.complexity! - base.complexity!) < 1e-6, `${moved.complexity} vs ${base.complexity}`);
  t.true(Math.abs(moved.linearR2 - base.linearR2) < 1e-6);
});

test('30 clear linear pieces scored with at most 16: the best scale is the largest, so the record says C is a lower bound and gives the largest K', (t) => {
  const { x, y } = piecewise(new Array(30).fill(1 / 30), 91);
  const r = mapComplexity(x, y, { definition: 2, seed: 1, maxPieces: 16 });
  t.is(r.definition, 'complexity/2');
  if (r.definition !== 'complexity/2') return;
  t.is(r.largestK, 16);
  t.is(r.kStar, 16);
  t.true(r.warnings.some((w) => w.code === 'complexity-lower-bound'));
  const free = mapComplexity(x, y, { definition: 2, seed: 1 });
  t.false(
    free.warnings.some((w) => w.code === 'complexity-lower-bound'),
    `with room for more pieces: K* ${free.kStar} of ${free.definition === 'complexity/2' ? free.largestK : ''}`,
  );
});

test('intervals contain their estimates; when K* varies between replicates, C gets the replicate range instead of a normal interval', (t) => {
  const rng = new Rng(95);
  const x = Array.from({ length: 600 }, () => 2 * rng.next() - 1);
  const y = column(x.map((v) => Math.abs(v) + 0.3 * rng.normal()));
  const r = mapComplexity(column(x), y, { definition: 2, seed: 1, intervals: 10 });
  for (const k of ['complexity', 'linearR2', 'bestR2', 'gain'] as const) {
    const iv = r.intervals!.bounds[k];
    const v = r[k] as number;
    t.true(iv.lo <= v && v <= iv.hi, `${k} ${v} in [${iv.lo}, ${iv.hi}]`);
  }
  t.true(r.intervals!.bounds.complexity.lo >= 0, 'never below 0');
  if (r.intervals!.methods) t.regex(r.intervals!.methods.complexity, /range of the/);
});

test('outputs wider than 256 components: the left-out variance counts as unexplained in the same units (linear R^2 = planted signal share)', (t) => {
  // Y = 3 strong linear directions of X plus isotropic noise in 320 dimensions; noise carries
  // about 20 % of Y's variance, so a linear map explains about 0.8 of it, whatever the truncation.
  const rng = new Rng(11);
  const n = 600,
    p = 3,
    q = 320,
    noise = 0.1;
  const x = responseMatrix(n, p, gaussian(rng, n, p));
  const a = Float64Array.from({ length: p * q }, () => rng.normal());
  const y = new Float64Array(n * q);
  let signal = 0,
    total = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < q; j++) {
      let s = 0;
      for (let k = 0; k < p; k++) s += x.data[i * p + k] * a[k * q + j];
      const e = noise * Math.sqrt(10) * rng.normal();
      y[i * q + j] = s + e;
      signal += s * s;
      total += s * s + e * e;
    }
  const r = mapComplexity(x, responseMatrix(n, q, y), { definition: 2, seed: 1 });
  if (r.definition !== 'complexity/2') return t.fail('complexity/2 is the default');
  t.true(r.outputVarianceKept > 0.85 && r.outputVarianceKept < 1, `output variance kept ${r.outputVarianceKept}`);
  t.true(Math.abs(r.linearR2 - signal / total) < 0.05, `linear R^2 ${r.linearR2} vs planted ${signal / total}`);
  t.true(
    r.warnings.some((w) => w.code === 'input-truncated') === r.outputVarianceKept < 0.99,
    JSON.stringify([r.outputVarianceKept, r.linearR2, signal / total, r.warnings]),
  );
});

test('outputs of at most 256 dimensions are never reported as truncated', (t) => {
  const rng = new Rng(12);
  const x = responseMatrix(400, 8, gaussian(rng, 400, 8));
  const y = responseMatrix(
    400,
    32,
    Float64Array.from({ length: 400 * 32 }, (_v, k) => Math.max(0, x.data[Math.floor(k / 32) * 8 + (k % 8)] + 0.1 * rng.normal())),
  );
  const r = mapComplexity(x, y, { definition: 2, seed: 1 });
  if (r.definition !== 'complexity/2') return t.fail('complexity/2 is the default');
  t.true(Math.abs(r.outputVarianceKept - 1) < 1e-9, `output variance kept ${r.outputVarianceKept}`);
  t.false(r.warnings.some((w) => w.code === 'input-truncated'));
});
