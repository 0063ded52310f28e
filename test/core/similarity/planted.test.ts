/**
 * Similarities on planted truths: identity values for identical, rotated and rescaled copies;
 * independent representations at their null (false-positive rate measured); a planted layer
 * picked as the best layer; noise ceilings recovering a known reliability; a model equal to the
 * signal scoring 1 after ceiling normalisation.
 */
import test from 'ava';
import { responseMatrix, selectRows, type ResponseMatrix } from '../../../src/core/matrix.js';
import { linearCka } from '../../../src/core/similarity/cka.js';
import { mapLayers } from '../../../src/core/similarity/layerMapping.js';
import { measure, type Metric } from '../../../src/core/similarity/measures.js';
import { ckaOnRows, Side } from '../../../src/core/similarity/side.js';
import { spearman } from '../../../src/core/similarity/correlation.js';
import { correlationRdm, upperTriangle } from '../../../src/core/similarity/rdm.js';
import { rdmSpearman } from '../../../src/core/similarity/rsa.js';
import { foldAssignment } from '../../../src/core/inference/resampling.js';
import { Rng } from '../../../src/core/random.js';
import { randomRotation } from '../../helpers.js';

function gaussianMatrix(rng: Rng, n: number, d: number): ResponseMatrix {
  return responseMatrix(
    n,
    d,
    Float64Array.from({ length: n * d }, () => rng.normal()),
  );
}

function times(x: ResponseMatrix, w: Float64Array, d2: number): ResponseMatrix {
  const out = new Float64Array(x.n * d2);
  for (let i = 0; i < x.n; i++) for (let k = 0; k < x.d; k++) for (let j = 0; j < d2; j++) out[i * d2 + j] += x.data[i * x.d + k] * w[k * d2 + j];
  return responseMatrix(x.n, d2, out);
}

const noNull = { folds: 5, seed: 1, intervals: 0, nulls: 0 };
const ALL: Metric[] = ['predictivity', 'predictivity-reverse', 'rsa-spearman', 'rsa-cosine', 'procrustes', 'shape-alpha0', 'shape-alpha0.5', 'cka'];

test('identical representations and rotated, rescaled copies give each metric its identity value', (t) => {
  const rng = new Rng(3);
  const n = 60,
    d = 8;
  const x = times(
    gaussianMatrix(rng, n, d),
    Float64Array.from({ length: d * d }, (_, k) => (k % (d + 1) === 0 ? 1 + (k % 3) : 0)),
    d,
  );
  const rotated = times(x, randomRotation(rng, d), d);
  const scaled = responseMatrix(
    n,
    d,
    rotated.data.map((v) => 3 * v + 7),
  );
  const fold = foldAssignment(new Rng(1), n, 5);
  for (const y of [x, scaled]) {
    const a = new Side({ n, d, matrix: x }),
      b = new Side({ n, d, matrix: y });
    const v = (m: Metric) => measure(m, a, b, fold, noNull)!.cell;
    t.true(v('cka').value > 1 - 1e-9, `cka ${v('cka').value}`);
    t.true(v('procrustes').value < 1e-6, `procrustes angle ${v('procrustes').value}`);
    t.true(v('shape-alpha0').value < 1e-6, `shape alpha 0 ${v('shape-alpha0').value}`);
    t.true(v('predictivity').value > 0.999, `predictivity ${v('predictivity').value}`);
    t.true(v('predictivity-reverse').value > 0.999, `reverse ${v('predictivity-reverse').value}`);
    if (y === x) {
      t.true(v('rsa-spearman').value > 1 - 1e-12 && v('rsa-cosine').value > 1 - 1e-12);
    }
  }
  // 0 < alpha < 1 mixes lambda and lambda^-1/2, so (as in netrep) it is rotation- but not scale-invariant.
  const a0 = new Side({ n, d, matrix: x });
  t.true(measure('shape-alpha0.5', a0, new Side({ n, d, matrix: rotated }), fold, noNull)!.cell.value < 1e-6);
  t.true(measure('shape-alpha0.5', a0, new Side({ n, d, matrix: scaled }), fold, noNull)!.cell.value > 1e-3);
  // Any invertible linear map: the CCA end of the shape family (alpha 0) still gives 0, Procrustes does not.
  const mixed = times(
    x,
    Float64Array.from({ length: d * d }, () => rng.normal()),
    d,
  );
  const a = new Side({ n, d, matrix: x }),
    b = new Side({ n, d, matrix: mixed });
  t.true(measure('shape-alpha0', a, b, fold, noNull)!.cell.value < 1e-6);
  t.true(measure('procrustes', a, b, fold, noNull)!.cell.value > 0.05);
});

test('independent representations sit at the null: about 5 % of p-values below 0.05 for every metric', (t) => {
  const n = 40,
    reps = 40;
  const below: Record<string, number> = {};
  for (let r = 0; r < reps; r++) {
    const rng = new Rng(100 + r);
    const a = new Side({ n, d: 6, matrix: gaussianMatrix(rng, n, 6) }),
      b = new Side({ n, d: 10, matrix: gaussianMatrix(rng, n, 10) });
    const fold = foldAssignment(new Rng(r), n, 5);
    for (const m of ALL) {
      const c = measure(m, a, b, fold, { folds: 5, seed: r, intervals: 0, nulls: 39 })!.cell;
      below[m] = (below[m] ?? 0) + (c.null!.pValue <= 0.05 ? 1 : 0);
    }
  }
  for (const m of ALL) {
    const rate = below[m] / reps;
    t.log(`${m}: ${(100 * rate).toFixed(0)} % of p <= 0.05`);
    // Binomial(40, 0.05): P(X >= 7) < 0.01.
    t.true(rate <= 6 / reps, `${m}: false-positive rate ${rate}`);
  }
});

test('independent representations score about 0: predictivity, RSA (Spearman) and CKA average within 0.05 of 0 over 40 datasets; the whitened cosine sits at its null instead', (t) => {
  const n = 60,
    reps = 40;
  const sums: Record<string, number> = {};
  const metrics: Metric[] = ['predictivity', 'predictivity-reverse', 'rsa-spearman', 'cka'];
  let cosine = 0,
    cosineNull = 0;
  for (let r = 0; r < reps; r++) {
    const rng = new Rng(300 + r);
    const a = new Side({ n, d: 8, matrix: gaussianMatrix(rng, n, 8) }),
      b = new Side({ n, d: 12, matrix: gaussianMatrix(rng, n, 12) });
    const fold = foldAssignment(new Rng(r), n, 5);
    for (const m of metrics) sums[m] = (sums[m] ?? 0) + measure(m, a, b, fold, noNull)!.cell.value / reps;
    const c = measure('rsa-cosine', a, b, fold, { ...noNull, nulls: 19 })!.cell;
    cosine += c.value / reps;
    cosineNull += c.null!.mean / reps;
  }
  // Like biased CKA, the whitened cosine of correlation RDMs is positive for unrelated patterns.
  t.log(`rsa-cosine: mean ${cosine.toFixed(3)}, its null mean ${cosineNull.toFixed(3)}`);
  t.true(cosine > 0.05 && Math.abs(cosine - cosineNull) < 0.02, `rsa-cosine ${cosine} vs null ${cosineNull}`);
  for (const m of metrics) {
    t.log(`${m}: mean ${sums[m].toFixed(3)}`);
    t.true(Math.abs(sums[m]) < 0.05, `${m}: mean over independent pairs ${sums[m]}`);
  }
});

test('a planted layer (a noisy linear map of the area) is the best layer, with a narrow identity interval', (t) => {
  const rng = new Rng(7);
  const n = 80;
  const latent = gaussianMatrix(rng, n, 6);
  const area = times(
    latent,
    Float64Array.from({ length: 6 * 30 }, () => rng.normal()),
    30,
  );
  const layers = [
    gaussianMatrix(rng, n, 20),
    responseMatrix(
      n,
      20,
      times(
        area,
        Float64Array.from({ length: 30 * 20 }, () => rng.normal()),
        20,
      ).data.map((v) => v + 3 * rng.normal()),
    ),
    responseMatrix(
      n,
      20,
      times(
        latent,
        Float64Array.from({ length: 6 * 20 }, () => rng.normal()),
        20,
      ).data.map((v) => Math.max(v, 0) ** 2 + 6 * rng.normal()),
    ),
  ];
  const fold = foldAssignment(new Rng(1), n, 5);
  const b = new Side({ n, d: 30, matrix: area });
  for (const m of ['predictivity', 'rsa-spearman', 'cka'] as Metric[]) {
    const evals = layers.map((l) => measure(m, new Side({ n, d: 20, matrix: l }), b, fold, noNull)!);
    const mapping = mapLayers(
      evals.map((e) => e.cell.score),
      evals.map((e) => e.evaluated.onRows ?? null),
      n,
      100,
      1,
    );
    t.is(mapping.best, 1, `${m}: scores ${mapping.scores.map((s) => s?.toFixed(3))}`);
    t.true(mapping.winShare![1] >= 0.9, `${m}: planted layer wins ${mapping.winShare![1]}`);
    t.deepEqual(mapping.bestSet!.slice(0, 1), [1]);
  }
});

/** Signal S (n x d, 5 latent factors) and two halves of R trials each, noise sd sigma per trial. */
function plantedRecording(seed: number, n: number, d: number, sigma: number, trialsPerHalf: number) {
  const rng = new Rng(seed);
  const s = times(
    gaussianMatrix(rng, n, 5),
    Float64Array.from({ length: 5 * d }, () => rng.normal() / Math.sqrt(5)),
    d,
  );
  const half = () =>
    responseMatrix(
      n,
      d,
      s.data.map((v) => v + (sigma / Math.sqrt(trialsPerHalf)) * rng.normal()),
    );
  const a = half(),
    b = half();
  const full = responseMatrix(
    n,
    d,
    a.data.map((v, i) => (v + b.data[i]) / 2),
  );
  return { s, a, b, full };
}

test('split-half reliability recovers the planted reliability of the full average within 0.05', (t) => {
  // Signal variance per neuron ~1 (5 factors of variance 1/5), trial noise sd 2, 4 trials per half:
  // the full average of 8 trials has noise variance 4 / 8 = 0.5, reliability ~ 1 / 1.5.
  for (const [sigma, trials] of [
    [2, 4],
    [1, 2],
    [3, 3],
  ] as const) {
    const { a, b, s } = plantedRecording(11 + sigma, 400, 50, sigma, trials);
    const side = new Side({ n: 400, d: 50, matrix: a, halves: { a, b } });
    // The planted reliability per neuron: var(signal) / (var(signal) + sigma^2 / (2 trials)).
    const truth: number[] = [];
    for (let j = 0; j < 50; j++) {
      let m = 0,
        v = 0;
      for (let i = 0; i < 400; i++) m += s.data[i * 50 + j] / 400;
      for (let i = 0; i < 400; i++) v += (s.data[i * 50 + j] - m) ** 2 / 399;
      truth.push(v / (v + (sigma * sigma) / (2 * trials)));
    }
    truth.sort((x, y) => x - y);
    const want = (truth[24] + truth[25]) / 2;
    const got = side.reliability()!.medianReliability;
    t.true(Math.abs(got - want) < 0.05, `sigma ${sigma}, ${trials} trials per half: reliability ${got.toFixed(3)} vs planted ${want.toFixed(3)}`);
  }
});

test('ceiling-normalised scores of a model equal to the planted signal are 1 within 0.05', (t) => {
  const metrics: Metric[] = ['predictivity', 'rsa-spearman', 'rsa-cosine', 'cka', 'procrustes'];
  const sums: Record<string, number> = {};
  const reps = 6;
  for (let r = 0; r < reps; r++) {
    const { s, a, b, full } = plantedRecording(200 + r, 72, 60, 2, 3);
    const model = new Side({ n: 72, d: 60, matrix: s });
    const area = new Side({ n: 72, d: 60, matrix: full, halves: { a, b } });
    const fold = foldAssignment(new Rng(r), 72, 5);
    for (const m of metrics) sums[m] = (sums[m] ?? 0) + measure(m, model, area, fold, noNull)!.cell.normalised! / reps;
  }
  for (const m of metrics) {
    t.log(`${m}: mean normalised score of the true signal ${sums[m].toFixed(3)}`);
    t.true(Math.abs(sums[m] - 1) < 0.05, `${m}: ${sums[m]}`);
  }
});

test('RDM Spearman on resampled stimuli equals Spearman of the resampled upper triangles (duplicates and ties)', (t) => {
  const rng = new Rng(12);
  const n = 30;
  const rdm = (round: boolean) => {
    const d = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) d[i * n + j] = d[j * n + i] = round ? Math.round(3 * rng.next()) : rng.next();
    return d;
  };
  for (const round of [false, true]) {
    const a = rdm(round),
      b = rdm(round);
    for (let r = 0; r < 5; r++) {
      const rows = Int32Array.from({ length: n }, () => rng.int(n));
      const want = spearman(upperTriangle(a, n, rows), upperTriangle(b, n, rows));
      t.true(Math.abs(rdmSpearman(a, b, n, rows) - want) < 1e-12, `ties ${round}: ${rdmSpearman(a, b, n, rows)} vs ${want}`);
    }
    t.true(Math.abs(rdmSpearman(a, b, n) - spearman(upperTriangle(a, n), upperTriangle(b, n))) < 1e-12);
  }
});

test('RSA leaves out stimuli whose pattern is constant across neurons (all ReLU units off) instead of returning NaN or hanging', (t) => {
  const rng = new Rng(21);
  const n = 50;
  const x = gaussianMatrix(rng, n, 12);
  for (const i of [3, 17, 40]) for (let j = 0; j < 12; j++) x.data[i * 12 + j] = 0; // silent for these stimuli
  const y = responseMatrix(
    n,
    8,
    Float64Array.from({ length: n * 8 }, (_, k) => x.data[Math.floor(k / 8) * 12 + (k % 8)] + 0.5 * rng.normal()),
  );
  const fold = foldAssignment(new Rng(1), n, 5);
  const got = measure('rsa-spearman', new Side({ n, d: 12, matrix: x }), new Side({ n, d: 8, matrix: y }), fold, {
    folds: 5,
    seed: 0,
    intervals: 10,
    nulls: 9,
  })!;
  t.is(got.evaluated.excluded, 3);
  const keep = Int32Array.from({ length: n }, (_, i) => i).filter((i) => ![3, 17, 40].includes(i));
  const sub = (m: ResponseMatrix) =>
    responseMatrix(keep.length, m.d, Float64Array.from(Array.from(keep).flatMap((i) => Array.from(m.data.subarray(i * m.d, (i + 1) * m.d)))));
  const want = rdmSpearman(correlationRdm(sub(x).data, keep.length, 12), correlationRdm(sub(y).data, keep.length, 8), keep.length);
  t.true(Math.abs(got.cell.value - want) < 1e-12, `${got.cell.value} vs ${want}`);
  t.truthy(got.cell.interval);
  t.is(got.cell.null!.samples, 9);
});

test('CKA on a subset or resample of stimuli from the full Gram matrices equals CKA of the selected rows (the unbiased HSIC ignores the centring)', (t) => {
  const rng = new Rng(3);
  const n = 40;
  const x = responseMatrix(
    n,
    6,
    Float64Array.from({ length: n * 6 }, () => rng.normal() + 3),
  );
  const y = responseMatrix(
    n,
    9,
    Float64Array.from({ length: n * 9 }, (_, k) => 0.5 * x.data[Math.floor(k / 9) * 6 + (k % 6)] + rng.normal() + 1),
  );
  const a = new Side({ n, d: 6, matrix: x }),
    b = new Side({ n, d: 9, matrix: y });
  for (const rows of [Int32Array.from({ length: 30 }, (_, i) => (i * 7) % n), Int32Array.from({ length: n }, () => rng.int(n))]) {
    const want = linearCka(selectRows(x, rows), selectRows(y, rows));
    t.true(Math.abs(ckaOnRows(a, b, rows) - want) < 1e-12, `${ckaOnRows(a, b, rows)} vs ${want}`);
  }
});
