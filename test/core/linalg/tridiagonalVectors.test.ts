import test from 'ava';
import { symmetricEigen } from '../../../src/core/linalg/eigen.js';
import { Rng } from '../../../src/core/random.js';
import { tridiagonalEigenvectors } from '../../../src/core/linalg/tridiagonalVectors.js';

function check(t: import('ava').ExecutionContext, a: number[], b: number[], count: number, label: string): void {
  const m = a.length;
  const dense = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    dense[i * m + i] = a[i];
    if (i + 1 < m) dense[i * m + i + 1] = dense[(i + 1) * m + i] = b[i];
  }
  const values = symmetricEigen(dense, m).values.slice(0, count);
  const vectors = tridiagonalEigenvectors(a, b, m, values);
  const norm = Math.max(...values.map(Math.abs));
  let residual = 0,
    orthogonality = 0;
  for (let v = 0; v < count; v++) {
    const x = vectors.subarray(v * m, (v + 1) * m);
    for (let i = 0; i < m; i++) {
      const tx = a[i] * x[i] + (i > 0 ? b[i - 1] * x[i - 1] : 0) + (i + 1 < m ? b[i] * x[i + 1] : 0);
      residual = Math.max(residual, Math.abs(tx - values[v] * x[i]));
    }
    for (let u = 0; u <= v; u++) {
      let dot = 0;
      for (let i = 0; i < m; i++) dot += x[i] * vectors[u * m + i];
      orthogonality = Math.max(orthogonality, Math.abs(dot - (u === v ? 1 : 0)));
    }
  }
  t.true(residual < 1e-12 * norm, `${label}: residual ${residual}`);
  t.true(orthogonality < 1e-12, `${label}: orthogonality ${orthogonality}`);
}

test('inverse iteration gives orthonormal eigenvectors with tiny residuals, also for pairs equal to 1e-14 (Wilkinson W21+) and repeated values', (t) => {
  // Wilkinson's W21+: its largest eigenvalues come in pairs that agree to about 1e-14.
  check(
    t,
    Array.from({ length: 21 }, (_, i) => Math.abs(10 - i)),
    Array(20).fill(1),
    21,
    'W21+',
  );
  // A direct sum of two identical blocks (b = 0 between them): every eigenvalue exactly twice.
  const block = [4, 3, 2, 1, 0.5];
  check(t, [...block, ...block], [0.5, 0.5, 0.5, 0.5, 0, 0.5, 0.5, 0.5, 0.5], 10, 'repeated');
  // A Lanczos-like tridiagonal: a decaying diagonal, random couplings; the top quarter.
  const rng = new Rng(1);
  const m = 400;
  check(
    t,
    Array.from({ length: m }, (_, i) => 1 / (i + 1)),
    Array.from({ length: m - 1 }, () => 0.05 * rng.normal()),
    100,
    'decaying',
  );
  check(t, [2], [], 1, '1 x 1');
});
