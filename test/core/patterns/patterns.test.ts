import test from 'ava';
import { binarise, patternEntropy, patternScales, populationPatternCounts } from '../../../src/core/patterns/patterns.js';
import { fromRows, responseMatrix } from '../../../src/core/matrix.js';
import { Rng } from '../../../src/core/random.js';

test('independent Bernoulli(0.5) neurons: S(k) close to k ln 2 and I(k) close to 0', (t) => {
  const rng = new Rng(1);
  const n = 20000,
    d = 16;
  const data = Float64Array.from({ length: n * d }, () => (rng.next() < 0.5 ? 1 : 0));
  const r = patternEntropy(responseMatrix(n, d, data), { seed: 2 });
  t.deepEqual(
    r.curve.map((c) => c.k),
    [1, 2, 4, 8],
  ); // 2^16 > n: k = 16 is off the grid
  for (const c of r.curve) {
    t.true(Math.abs(c.entropy - c.k * Math.log(2)) < 0.02 * c.k, `S(${c.k}) = ${c.entropy}`);
    t.true(Math.abs(c.multiInformation) < 0.02 * c.k, `I(${c.k}) = ${c.multiInformation}`);
  }
  t.is(r.switchingFraction, 1);
});

test('identical copies of one neuron: S(k) close to ln 2 for every k, large I(k)', (t) => {
  const rng = new Rng(3);
  const n = 5000,
    d = 8;
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const v = rng.next() < 0.5 ? 2 : -1;
    for (let j = 0; j < d; j++) data[i * d + j] = v;
  }
  const r = patternEntropy(responseMatrix(n, d, data));
  for (const c of r.curve) {
    t.true(Math.abs(c.entropy - Math.log(2)) < 0.01, `S(${c.k}) = ${c.entropy}`);
    t.true(Math.abs(c.multiInformation - (c.k - 1) * Math.log(2)) < 0.02 * c.k, `I(${c.k}) = ${c.multiInformation}`);
  }
  t.is(r.distinctPatterns, 2);
  t.false(r.saturated);
});

test('neurons always on give switching fraction 0', (t) => {
  const r = patternEntropy(responseMatrix(50, 3, new Float64Array(150).fill(5)));
  t.is(r.switchingFraction, 0);
  t.is(r.entropyAll, 0);
});

test('exact S_all, Miller-Madow S(k) and flags on a small hand-computed example', (t) => {
  // 8 stimuli x 3 neurons; patterns (on = > 0): 110 x3, 011 x2, 000 x2, 111 x1
  const m = fromRows([
    [1, 1, 0],
    [1, 1, 0],
    [1, 1, 0],
    [0, 1, 1],
    [0, 1, 1],
    [0, 0, 0],
    [0, 0, 0],
    [1, 1, 1],
  ]);
  const r = patternEntropy(m, { seed: 0 });
  const p = [3, 2, 2, 1].map((c) => c / 8);
  const sAll = -p.reduce((a, v) => a + v * Math.log(v), 0);
  t.true(Math.abs(r.entropyAll - sAll) < 1e-12);
  t.is(r.distinctPatterns, 4);
  t.false(r.saturated); // 4 is not more than 8 / 2
  t.deepEqual(r.firingProbability, [4 / 8, 6 / 8, 3 / 8]);
  // k = 1: all 3 single neurons (C(3,1) = 3 <= 20), each: plug-in h(q) + (2 - 1) / (2 * 8)
  const h = (q: number) => -q * Math.log(q) - (1 - q) * Math.log(1 - q);
  const s1 = [0.5, 0.75, 0.375].reduce((a, q) => a + h(q), 0) / 3 + 1 / 16;
  t.true(Math.abs(r.curve[0].entropy - s1) < 1e-12);
  t.is(r.curve[0].subsets, 3);
  // S_ind carries the same Miller-Madow term, so I(1) = 0 exactly (patterns/2).
  t.is(r.curve[0].multiInformation, 0);
  t.true(Math.abs(r.curve[0].independentEntropy - s1) < 1e-12);
  // 2^k <= n / 10 = 0.8: only k = 1 is estimable with 8 stimuli.
  t.deepEqual(
    r.curve.map((c) => c.k),
    [1],
  );
});

test('saturated when distinct patterns exceed n / 2, with a warning', (t) => {
  const m = fromRows([
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ]);
  const r = patternEntropy(m);
  t.is(r.distinctPatterns, 4);
  t.true(r.saturated);
  t.true(r.warnings.some((w) => w.code === 'patterns-saturated'));
  t.false(
    patternEntropy(
      fromRows([
        [0, 0],
        [0, 0],
        [1, 1],
        [1, 1],
      ]),
    ).warnings.some((w) => w.code === 'patterns-saturated'),
  );
  t.true(Math.abs(r.entropyAll - Math.log(4)) < 1e-12);
});

test('calcium threshold mean + 1 sd, per neuron', (t) => {
  // neuron: values 0,0,0,4 -> mean 1, sd sqrt(3) -> threshold 2.73: only the 4 is on
  const p = binarise(fromRows([[0], [0], [0], [4]]), 'mean+sd');
  t.deepEqual(Array.from(p.bits), [0, 0, 0, 1]);
});

test('population patterns beyond 32 neurons are packed into several words and counted exactly', (t) => {
  const d = 70;
  const rows = [0, 1, 2, 1, 0].map((v) => Array.from({ length: d }, (_, j) => (j === 69 ? v : j === 40 ? 1 : 0)));
  const counts = populationPatternCounts(binarise(fromRows(rows), 0)).sort();
  t.deepEqual(counts, [2, 3]); // bit 69 on or off; bit 40 always on
});

test('scales: k <= d and 2^k <= n / 10 (k = 1 always); seeded subsets', (t) => {
  t.deepEqual(patternScales(1000, 100), [1, 2, 4]);
  t.deepEqual(patternScales(2560, 100), [1, 2, 4, 8]);
  t.deepEqual(patternScales(10, 3), [1]);
  const rng = new Rng(4);
  const m = responseMatrix(
    300,
    40,
    Float64Array.from({ length: 12000 }, () => rng.normal()),
  );
  t.deepEqual(patternEntropy(m, { seed: 9 }), patternEntropy(m, { seed: 9 }));
});

for (const n of [256, 4096]) {
  test(`independent fair bits, n = ${n}: |I(k)| < 0.05 at every k reported (5 datasets)`, (t) => {
    for (let seed = 0; seed < 5; seed++) {
      const rng = new Rng(100 + seed);
      const d = 32;
      const r = patternEntropy(
        responseMatrix(
          n,
          d,
          Float64Array.from({ length: n * d }, () => (rng.next() < 0.5 ? 1 : 0)),
        ),
        { seed },
      );
      t.deepEqual(
        r.curve.map((c) => c.k),
        n === 256 ? [1, 2, 4] : [1, 2, 4, 8],
      );
      for (const c of r.curve) t.true(Math.abs(c.multiInformation) < 0.05, `seed ${seed}: I(${c.k}) = ${c.multiInformation}`);
      t.is(r.curve[0].multiInformation, 0);
    }
  });
}

test('multi-information null: independent units p > 0.05; units sharing a common drive p < 0.01 (199 shuffles)', (t) => {
  const rng = new Rng(5);
  const n = 600,
    d = 12;
  const indep = Float64Array.from({ length: n * d }, () => (rng.next() < 0.4 ? 1 : 0));
  const shared = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const drive = rng.normal();
    for (let j = 0; j < d; j++) shared[i * d + j] = drive + rng.normal() > 0.3 ? 1 : 0;
  }
  const a = patternEntropy(responseMatrix(n, d, indep), { seed: 1, nulls: 199 });
  const b = patternEntropy(responseMatrix(n, d, shared), { seed: 1, nulls: 199 });
  for (const c of a.curve.slice(1)) t.true(c.null!.pValue > 0.05, `independent I(${c.k}) p = ${c.null!.pValue}`);
  for (const c of b.curve.slice(1)) t.true(c.null!.pValue < 0.01, `shared drive I(${c.k}) p = ${c.null!.pValue}`);
  t.is(a.curve[0].null!.statistic, 'multiInformation');
});

test('intervals: every pattern interval contains its own estimate, seeded', (t) => {
  const rng = new Rng(6);
  const m = responseMatrix(
    400,
    10,
    Float64Array.from({ length: 4000 }, () => rng.normal()),
  );
  const r = patternEntropy(m, { seed: 2, intervals: 20 });
  t.deepEqual(r.intervals, patternEntropy(m, { seed: 2, intervals: 20 }).intervals);
  const est: Record<string, number> = { switchingFraction: r.switchingFraction, entropyAll: r.entropyAll };
  for (const c of r.curve) {
    est[`entropy_k${c.k}`] = c.entropy;
    est[`multiInformation_k${c.k}`] = c.multiInformation;
  }
  for (const [k, v] of Object.entries(est)) {
    const iv = r.intervals!.bounds[k];
    t.truthy(iv, k);
    t.true(iv.lo <= v && v <= iv.hi, `${k}: ${v} in [${iv.lo}, ${iv.hi}]`);
  }
});

test('scales stop where patterns of independent units would go unseen: q = 0.3, n = 4096 reports k <= 4, with a warning', (t) => {
  const rng = new Rng(8);
  const n = 4096,
    d = 16;
  const skewed = patternEntropy(
    responseMatrix(
      n,
      d,
      Float64Array.from({ length: n * d }, () => (rng.next() < 0.3 ? 1 : 0)),
    ),
    { seed: 1 },
  );
  t.deepEqual(
    skewed.curve.map((c) => c.k),
    [1, 2, 4],
  );
  t.true(skewed.warnings.some((w) => w.code === 'patterns-undersampled' && /subsets of 8 neurons/.test(w.message)));
  const fair = patternEntropy(
    responseMatrix(
      n,
      d,
      Float64Array.from({ length: n * d }, () => (rng.next() < 0.5 ? 1 : 0)),
    ),
    { seed: 1 },
  );
  t.deepEqual(
    fair.curve.map((c) => c.k),
    [1, 2, 4, 8],
  );
  t.false(fair.warnings.some((w) => w.code === 'patterns-undersampled'));
  // A unit that never fires makes half the patterns impossible, not unseen.
  const withSilent = Float64Array.from({ length: 500 * 4 }, (_, i) => (i % 4 === 3 ? 0 : rng.next() < 0.5 ? 1 : 0));
  t.deepEqual(
    patternEntropy(responseMatrix(500, 4, withSilent), { seed: 1 }).curve.map((c) => c.k),
    [1, 2, 4],
  );
});
