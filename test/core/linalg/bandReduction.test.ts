import test from 'ava';
import { applyBandUpdate, bandReduceJs, bandReduction, householderQr } from '../../../src/core/linalg/bandReduction.js';
import { bandEigenvalues, symmetricEigen } from '../../../src/core/linalg/eigen.js';
import { Rng } from '../../../src/core/random.js';
import { gaussian, withSpectrum } from '../../helpers.js';

/** Q = I - V T V^T (rows x rows), built naively from the compact-WY factors. */
function compactWyQ(v: Float64Array, t: Float64Array, rows: number, b: number): Float64Array {
  const q = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < rows; j++) {
      let s = i === j ? 1 : 0;
      for (let x = 0; x < b; x++) for (let y = 0; y < b; y++) s -= v[i * b + x] * t[x * b + y] * v[j * b + y];
      q[i * rows + j] = s;
    }
  return q;
}

function worstError(got: Float64Array, values: number[]): number {
  const expected = [...values].sort((a, b) => b - a);
  const scale = Math.max(...expected.map(Math.abs));
  return Math.max(...expected.map((v, i) => Math.abs(got[i] - v) / scale));
}

test('Householder QR of a panel: Q^T P = R with Q = I - V T V^T orthogonal (tall and short panels)', (t) => {
  const rng = new Rng(1);
  for (const [rows, b] of [
    [40, 8],
    [5, 8],
    [9, 9],
  ]) {
    const p = gaussian(rng, rows, b);
    const pt = new Float64Array(b * rows);
    for (let i = 0; i < rows; i++) for (let j = 0; j < b; j++) pt[j * rows + i] = p[i * b + j];
    const { v, t: tt } = householderQr(pt, rows, b);
    const q = compactWyQ(v, tt, rows, b);
    let orth = 0,
      fit = 0;
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < rows; j++) {
        let s = 0;
        for (let k = 0; k < rows; k++) s += q[k * rows + i] * q[k * rows + j];
        orth = Math.max(orth, Math.abs(s - (i === j ? 1 : 0)));
      }
    // Q^T P is R: upper triangular, equal to what the panel holds (R[i][j] at pt[j * rows + i]).
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < b; j++) {
        let s = 0;
        for (let k = 0; k < rows; k++) s += q[k * rows + i] * p[k * b + j];
        const r = i <= j ? pt[j * rows + i] : 0;
        fit = Math.max(fit, Math.abs(s - r));
      }
    t.true(orth < 1e-13, `${rows} x ${b}: orthogonality ${orth}`);
    t.true(fit < 1e-12, `${rows} x ${b}: Q^T P - R ${fit}`);
  }
});

test('the trailing update equals Q^T A Q computed naively', (t) => {
  const rng = new Rng(2);
  const m = 30,
    b = 6;
  const a = withSpectrum(
    Array.from({ length: m }, () => rng.normal()),
    rng,
  );
  const pt = gaussian(rng, b, m);
  const { v, t: tt } = householderQr(pt, m, b);
  const q = compactWyQ(v, tt, m, b);
  const got = applyBandUpdate({ a, m, v, t: tt, b });
  let worst = 0;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) for (let l = 0; l < m; l++) s += q[k * m + i] * a[k * m + l] * q[l * m + j];
      worst = Math.max(worst, Math.abs(got[i * m + j] - s));
    }
  t.true(worst < 1e-12, `${worst}`);
});

test('dense -> band leaves nothing outside the band and keeps the planted spectrum', (t) => {
  const rng = new Rng(3);
  for (const [n, b] of [
    [60, 4],
    [97, 8],
    [33, 32],
    [20, 32],
  ]) {
    const values = Array.from({ length: n }, (_, i) => ((i % 3 === 0 ? -1 : 1) * 5) / (i + 1));
    const s = withSpectrum(values, rng);
    const copy = s.slice();
    const band = bandReduceJs(s, n, b);
    t.deepEqual(s, copy, 'the input is not modified');
    for (let i = 0; i < n; i++)
      for (let k = b + 1; k < band.width && k <= i; k++) if (band.data[i * band.width + k] !== 0) return t.fail(`(${i}, ${i - k}) outside the band`);
    const got = bandEigenvalues(band);
    t.true(worstError(got, values) < 1e-13, `${n}, b = ${b}: ${worstError(got, values)}`);
  }
});

test('bulge chasing: band matrices of every shape give the planted spectrum and agree with Householder tridiagonalization', (t) => {
  const rng = new Rng(4);
  for (const [n, b] of [
    [3, 2],
    [17, 3],
    [64, 16],
    [301, 32],
    [250, 7],
  ]) {
    const values = Array.from({ length: n }, (_, i) => Math.cos(i) * 3 + (i === 0 ? 10 : 0));
    const s = withSpectrum(values, rng);
    const band = bandReduceJs(s, n, b);
    const got = bandEigenvalues(band);
    const oneStage = symmetricEigen(s, n).values;
    t.true(worstError(got, values) < 1e-13, `${n}, b = ${b}: ${worstError(got, values)}`);
    t.true(worstError(oneStage, Array.from(got)) < 1e-13);
  }
});

test('two-stage eigenvalues of a rank-deficient matrix: zeros stay at zero (to 1e-13 of the largest)', (t) => {
  const rng = new Rng(5);
  const n = 120;
  const values = Array.from({ length: n }, (_, i) => (i < 10 ? 10 - i : 0));
  const got = bandEigenvalues(bandReduceJs(withSpectrum(values, rng), n, 16));
  t.true(worstError(got, values) < 1e-13, `${worstError(got, values)}`);
});

test('the generator may yield every trailing matrix in one workspace that also holds the previous one (in-place compaction): same band, bit for bit', (t) => {
  const rng = new Rng(6);
  const n = 150,
    b = 16;
  const s = withSpectrum(
    Array.from({ length: n }, () => rng.normal()),
    rng,
  );
  const work = new Float64Array((n - b) ** 2);
  const steps = bandReduction(s, n, b, (length) => work.subarray(0, length));
  let r = steps.next(undefined as unknown as Float64Array);
  while (!r.done) {
    const updated = applyBandUpdate(r.value);
    r.value.a.set(updated); // the update written over its input, as the ONNX Runtime driver does
    r = steps.next(r.value.a);
  }
  t.deepEqual(Array.from(r.value.data), Array.from(bandReduceJs(s, n, b).data));
});
