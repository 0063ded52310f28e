import test from 'ava';
import { symmetricEigen } from '../../../src/core/linalg/eigen.js';
import { Rng } from '../../../src/core/random.js';
import { withSpectrum } from '../../helpers.js';

test('symmetricEigen recovers a known spectrum, values only and with vectors', (t) => {
  const rng = new Rng(1);
  const values = [9, 7.5, 3, 3, 1, 0.25, 0, -2];
  const s = withSpectrum(values, rng);
  const plain = symmetricEigen(s, values.length);
  const full = symmetricEigen(s, values.length, { vectors: true });
  const expected = [...values].sort((a, b) => b - a);
  expected.forEach((v, i) => {
    t.true(Math.abs(plain.values[i] - v) < 1e-12, `value ${i}: ${plain.values[i]} vs ${v}`);
    t.true(Math.abs(full.values[i] - v) < 1e-12);
  });
  // S v = lambda v and unit length, for every eigenvector row.
  const n = values.length;
  for (let k = 0; k < n; k++) {
    const v = full.vectors!.subarray(k * n, k * n + n);
    let norm = 0;
    for (let i = 0; i < n; i++) {
      let sv = 0;
      for (let j = 0; j < n; j++) sv += s[i * n + j] * v[j];
      t.true(Math.abs(sv - full.values[k] * v[i]) < 1e-10);
      norm += v[i] * v[i];
    }
    t.true(Math.abs(norm - 1) < 1e-12);
  }
});

test('symmetricEigen handles diagonal, 1x1 and zero matrices', (t) => {
  t.deepEqual(Array.from(symmetricEigen(Float64Array.from([3, 0, 0, 0, 1, 0, 0, 0, 2]), 3).values), [3, 2, 1]);
  t.deepEqual(Array.from(symmetricEigen(Float64Array.from([5]), 1).values), [5]);
  t.deepEqual(Array.from(symmetricEigen(new Float64Array(4), 2).values), [0, 0]);
});

test('symmetricEigen on a 500 x 500 matrix (the chunked reduction) recovers a known spectrum', (t) => {
  const values = Array.from({ length: 500 }, (_, i) => 10 / (i + 1) + (i % 7 === 0 ? 0.5 : 0));
  const s = withSpectrum(values, new Rng(9));
  const got = symmetricEigen(s, 500).values;
  const expected = [...values].sort((a, b) => b - a);
  let worst = 0;
  expected.forEach((v, i) => (worst = Math.max(worst, Math.abs(got[i] - v))));
  t.true(worst < 1e-11, `max error ${worst}`);
  const withVectors = symmetricEigen(s, 500, { vectors: true });
  t.deepEqual(
    Array.from(withVectors.values).map((v) => v.toFixed(9)),
    expected.map((v) => v.toFixed(9)),
  );
});

test('symmetricEigen with a count below n / 2: the top eigenvectors by inverse iteration equal the full route (up to sign), values identical', (t) => {
  const rng = new Rng(21);
  const n = 300,
    count = 60;
  const values = Array.from({ length: n }, (_, i) => (i < 5 ? 10 - i : 1 / (i + 1)) * (i % 4 === 3 ? -1 : 1));
  const s = withSpectrum(values, rng);
  const full = symmetricEigen(s, n, { vectors: true });
  const top = symmetricEigen(s, n, { vectors: true, count });
  t.is(top.vectors!.length, count * n);
  t.deepEqual(Array.from(top.values), Array.from(symmetricEigen(s, n).values));
  let worst = 0;
  for (let c = 0; c < count; c++) {
    let dot = 0;
    for (let i = 0; i < n; i++) dot += full.vectors![c * n + i] * top.vectors![c * n + i];
    worst = Math.max(worst, 1 - Math.abs(dot));
  }
  t.true(worst < 1e-12, `1 - |cos| = ${worst}`);
});
