import test from 'ava';
import { prepareX } from '../../../src/core/complexity/scores.js';
import { responseMatrix } from '../../../src/core/matrix.js';
import { Rng } from '../../../src/core/random.js';
import { randomRotation } from '../../helpers.js';

/** n x d data of rank 3 (plus an offset): three latent factors through a random d x 3 map. */
function rank3(n: number, d: number, seed: number) {
  const rng = new Rng(seed);
  const f = Float64Array.from({ length: n * 3 }, () => rng.normal() * 2 + (rng.next() < 0.3 ? 1 : 0));
  const w = Float64Array.from({ length: 3 * d }, () => rng.normal());
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      let v = 4;
      for (let c = 0; c < 3; c++) v += f[i * 3 + c] * w[c * d + j];
      x[i * d + j] = v;
    }
  return x;
}

test('scores of rank-3 data: 3 components carrying all the variance, uncorrelated, canonical signs', (t) => {
  const n = 300,
    d = 10;
  const p = prepareX(responseMatrix(n, d, rank3(n, d, 1)), 256, false);
  t.is(p.m, 3);
  t.true(Math.abs(p.varianceKept - 1) < 1e-9, `${p.varianceKept}`);
  for (let a = 0; a < 3; a++) {
    let mean = 0,
      third = 0;
    for (let i = 0; i < n; i++) mean += p.z[i * 3 + a] / n;
    for (let i = 0; i < n; i++) third += (p.z[i * 3 + a] - mean) ** 3;
    t.true(Math.abs(mean) < 1e-9, 'centred');
    t.true(third >= 0, `component ${a}: third moment ${third} < 0`);
    for (let b = a + 1; b < 3; b++) {
      let cross = 0;
      for (let i = 0; i < n; i++) cross += p.z[i * 3 + a] * p.z[i * 3 + b];
      t.true(Math.abs(cross) < 1e-8, `components ${a}, ${b} correlate: ${cross}`);
    }
  }
});

test('a rotated, rescaled and shifted copy reaches the fits as the same numbers', (t) => {
  const n = 200,
    d = 6;
  const x = rank3(n, d, 2);
  const q = randomRotation(new Rng(3), d);
  const y = new Float64Array(n * d);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      let v = 0;
      for (let k = 0; k < d; k++) v += x[i * d + k] * q[k * d + j];
      y[i * d + j] = 7.5 * v - 3;
    }
  const a = prepareX(responseMatrix(n, d, x), 256, false),
    b = prepareX(responseMatrix(n, d, y), 256, false);
  t.is(a.m, b.m);
  let worst = 0;
  for (let i = 0; i < a.z.length; i++) worst = Math.max(worst, Math.abs(a.z[i] - b.z[i]));
  t.true(worst < 1e-8, `largest difference ${worst}`);
});
