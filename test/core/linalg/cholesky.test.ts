import test from 'ava';
import { choleskySolve } from '../../../src/core/linalg/cholesky.js';
import { matmul } from '../../../src/core/linalg/products.js';

test('choleskySolve solves an SPD system for several right-hand sides', (t) => {
  const s = Float64Array.from([4, 1, 0, 1, 3, 1, 0, 1, 2]);
  const x = Float64Array.from([1, -1, 2, 0, 3, 1]); // 3 x 2
  const b = matmul(s, x, 3, 3, 2);
  const solved = choleskySolve(s, b, 3, 2);
  x.forEach((v, i) => t.true(Math.abs(v - solved[i]) < 1e-12));
  t.throws(() => choleskySolve(Float64Array.from([1, 2, 2, 1]), Float64Array.from([1, 1]), 2, 1), { message: /positive definite/ });
});
