/**
 * compare/3 on planted truths: noise-extrapolated ceilings at low reliability (where
 * Spearman-Brown's are biased), the Ledoit-Wolf noise model, the cosine RSA measures read against
 * their baseline, shape-metric intervals that cover pi/2 on unrelated data, the in-sample angle and
 * the overfitting ratio.
 */
import test from 'ava';
import { responseMatrix, type ResponseMatrix } from '../../../src/core/matrix.js';
import { measure, type Metric } from '../../../src/core/similarity/measures.js';
import { halfNoiseSampler } from '../../../src/core/similarity/noiseCeiling.js';
import { shapeDistance, shapeDistanceInSample, shapeDistanceOn, shapeDistanceOnRows } from '../../../src/core/similarity/shape.js';
import { Side } from '../../../src/core/similarity/side.js';
import { similarityTables } from '../../../src/analysis/similarityTables.js';
import { foldAssignment } from '../../../src/core/inference/resampling.js';
import { Rng } from '../../../src/core/random.js';

const LATENT = 5;

/** A signal of 5 latent factors in d neurons and two halves of trial averages with noise sd `halfSd`. */
function recording(seed: number, n: number, d: number, halfSd: number): { signal: ResponseMatrix; a: ResponseMatrix; b: ResponseMatrix; full: ResponseMatrix } {
  const w = new Rng(1);
  const weights = Float64Array.from({ length: LATENT * d }, () => w.normal() / Math.sqrt(LATENT));
  const rng = new Rng(seed);
  const z = Float64Array.from({ length: n * LATENT }, () => rng.normal());
  const s = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) for (let k = 0; k < LATENT; k++) s[i * d + j] += z[i * LATENT + k] * weights[k * d + j];
  const half = () =>
    responseMatrix(
      n,
      d,
      s.map((v) => v + halfSd * rng.normal()),
    );
  const a = half(),
    b = half();
  return {
    signal: responseMatrix(n, d, s),
    a,
    b,
    full: responseMatrix(
      n,
      d,
      a.data.map((v, i) => (v + b.data[i]) / 2),
    ),
  };
}

test('at reliability about 0.3 the extrapolated ceilings normalise a perfect model to 1 within 0.06, where split-half ceilings miss by more than 0.05', (t) => {
  const metrics: Metric[] = ['rsa-spearman', 'cka', 'procrustes'];
  const reps = 8,
    n = 100;
  const three: Record<string, number> = {},
    two: Record<string, number> = {};
  let reliability = 0;
  for (let r = 0; r < reps; r++) {
    const { signal, a, b, full } = recording(40 + r, n, 40, 2.75 / Math.SQRT2);
    const model = new Side({ n, d: 40, matrix: signal });
    const area = new Side({ n, d: 40, matrix: full, halves: { a, b } });
    reliability += area.reliability()!.medianReliability / reps;
    const fold = foldAssignment(new Rng(r), n, 5);
    for (const m of metrics) {
      three[m] = (three[m] ?? 0) + measure(m, model, area, fold, { folds: 5, seed: r, intervals: 0, nulls: 0 })!.cell.normalised! / reps;
      two[m] = (two[m] ?? 0) + measure(m, model, area, fold, { folds: 5, seed: r, intervals: 0, nulls: 0, ceilings: 'split-half' })!.cell.normalised! / reps;
    }
  }
  t.log(`median reliability ${reliability.toFixed(2)}`);
  t.true(reliability > 0.2 && reliability < 0.4);
  for (const m of metrics) {
    t.log(`${m}: normalised ${three[m].toFixed(3)} (split-half: ${two[m].toFixed(3)})`);
    t.true(Math.abs(three[m] - 1) < 0.06, `${m}: ${three[m]}`);
  }
  // Each ceiling carries its own interval, around it.
  const { a, b, full } = recording(99, n, 40, 2.75 / Math.SQRT2);
  const area = new Side({ n, d: 40, matrix: full, halves: { a, b } });
  measure('cka', new Side({ n, d: 40, matrix: full }), area, foldAssignment(new Rng(0), n, 5), { folds: 5, seed: 0, intervals: 0, nulls: 0 });
  const c = area.measureCeilings().find((m) => m.measure.startsWith('cka'))!;
  t.truthy(c.interval);
  t.true(c.interval![0] < c.ceiling && c.ceiling < c.interval![1] && c.interval![1] - c.interval![0] < 0.5, JSON.stringify(c.interval));
  // The bias compare/3 removes: Spearman-Brown reads CKA's quadratic noise terms as noise.
  t.true(two.cka > 1.08, `split-half CKA ${two.cka}`);
});

test('the simulated half noise has the covariance of the real one: Ledoit-Wolf keeps the quadratic terms right where the raw sample covariance inflates them by 1 + d/n', (t) => {
  const n = 100,
    d = 40,
    sd = 1.5;
  const { a, b } = recording(7, n, d, sd);
  const draw = halfNoiseSampler(a, b);
  const rng = new Rng(3);
  // E ||noise^T noise / n||_F^2 for isotropic noise of variance sd^2: d sd^4 (1 + (d + 1) / n) for fresh Gaussian noise.
  const frob = (e: Float64Array) => {
    const c = new Float64Array(d * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) c[j * d + k] += (e[i * d + j] * e[i * d + k]) / n;
    return c.reduce((x, v) => x + v * v, 0);
  };
  let sim = 0,
    total = 0;
  for (let r = 0; r < 20; r++) {
    const e = draw(rng);
    sim += frob(e) / 20;
    for (const v of e) total += v * v;
  }
  const want = d * sd ** 4 * (1 + (d + 1) / n);
  t.log(`simulated ${sim.toFixed(1)} vs fresh noise ${want.toFixed(1)}; variance ${(total / (20 * n * d)).toFixed(3)} vs ${(sd * sd).toFixed(3)}`);
  t.true(Math.abs(sim / want - 1) < 0.15, `${sim} vs ${want}`);
  t.true(Math.abs(total / (20 * n * d) / (sd * sd) - 1) < 0.1);
});

test('on unrelated representations the cosine RSA intervals cover their baseline and the shape intervals cover pi/2 (>= 17 of 20 datasets)', (t) => {
  const n = 60;
  const fold = foldAssignment(new Rng(0), n, 5);
  const hits: Record<string, number> = {};
  let baseline = 0;
  for (let s = 0; s < 20; s++) {
    const x = recording(100 + s, n, 12, 0.5),
      y = recording(500 + s, n, 16, 0.5);
    const layer = new Side({ n, d: 12, matrix: x.full });
    const area = new Side({ n, d: 16, matrix: y.full, halves: { a: y.a, b: y.b } });
    for (const m of ['rsa-cosine', 'procrustes', 'shape-alpha0.5'] as Metric[]) {
      const c = measure(m, layer, area, fold, { folds: 5, seed: s, intervals: 20, nulls: 0 })!.cell;
      const none = m === 'rsa-cosine' ? c.baseline! : Math.PI / 2;
      if (m === 'rsa-cosine') baseline += c.baseline! / 20;
      if (c.interval![0] <= none && none <= c.interval![1]) hits[m] = (hits[m] ?? 0) + 1;
    }
  }
  t.log(`covered: ${JSON.stringify(hits)}; mean rsa-cosine baseline ${baseline.toFixed(3)}`);
  t.true(baseline > 0.05, 'the whitened cosine of correlation RDMs has a positive no-relation value');
  for (const m of ['rsa-cosine', 'procrustes', 'shape-alpha0.5']) t.true((hits[m] ?? 0) >= 17, `${m}: ${hits[m]} of 20`);
});

test('shape distances from kept terms and refits agree with the full computation; the in-sample angle is the fitted one', (t) => {
  const n = 50;
  const { signal, full } = recording(3, n, 10, 0.7);
  const x = new Side({ n, d: 10, matrix: signal }).factor(),
    y = new Side({ n, d: 10, matrix: full }).factor();
  const fold = foldAssignment(new Rng(2), n, 5);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  for (const alpha of [1, 0.5]) {
    const s = shapeDistance(x, y, alpha, fold, 5);
    t.true(Math.abs(shapeDistanceOnRows(s, n, all) - s.distance) < 1e-12);
    t.true(Math.abs(shapeDistanceOn(x, y, alpha, fold, 5, all) - s.distance) < 1e-12);
    const inSample = shapeDistanceInSample(x, y, alpha);
    t.true(inSample < s.distance, `in-sample ${inSample} below held-out ${s.distance}`);
    const cell = measure(alpha === 1 ? 'procrustes' : 'shape-alpha0.5', new Side({ n, d: 10, matrix: signal }), new Side({ n, d: 10, matrix: full }), fold, {
      folds: 5,
      seed: 0,
      intervals: 0,
      nulls: 0,
    })!.cell;
    t.is(cell.inSample, inSample);
  }
});

test('shape metrics towards CCA: warned from 0.5 dimensions per training stimulus, alpha 0 not reported from 0.8', (t) => {
  const n = 60; // 48 training stimuli per fold
  const rows = [30, 40].map((d) => {
    const { full } = recording(d, n, d, 0.5);
    return {
      runId: 'r',
      name: `layer${d}`,
      key: `layer${d}`,
      rep: { n, stimulusIds: Array.from({ length: n }, (_, i) => i) } as never,
      side: new Side({ n, d, matrix: full }),
    };
  });
  const { full } = recording(9, n, 8, 0.5);
  const cols = [
    {
      runId: 'a',
      name: 'area',
      key: 'area',
      rep: { n, stimulusIds: Array.from({ length: n }, (_, i) => i) } as never,
      side: new Side({ n, d: 8, matrix: full }),
    },
  ];
  const s = similarityTables(rows, cols, { metrics: ['shape-alpha0', 'procrustes'], intervals: 0, resamples: 0 });
  const alpha0 = s.tables.find((x) => x.metric === 'shape-alpha0')!;
  t.not(alpha0.cells[0][0], null, '30 / 48 = 0.63: reported');
  t.is(alpha0.cells[1][0], null, '40 / 48 = 0.83: not reported');
  const warned = s.warnings.find((w) => w.code === 'shape-overfit');
  t.truthy(warned);
  t.regex(warned!.message, /layer30 \(30 dimensions, 48 training stimuli\), layer40 \(40 dimensions, 48 training stimuli\)/);
  t.not(s.tables.find((x) => x.metric === 'procrustes')!.cells[1][0], null);
});
