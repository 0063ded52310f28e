import test from 'ava';
import { crossProductTransA, crossProductTransB, matmul, transpose } from '../../../src/core/linalg/products.js';
import { Rng } from '../../../src/core/random.js';
import { gaussian } from '../../helpers.js';

test('A^T A and A A^T equal the naive products', (t) => {
  const rng = new Rng(2);
  const n = 13,
    d = 9;
  const a = gaussian(rng, n, d);
  const ata = crossProductTransA(a, n, d);
  const aat = crossProductTransB(a, n, d);
  const naive = matmul(transpose(a, n, d), a, d, n, d);
  const naive2 = matmul(a, transpose(a, n, d), n, d, n);
  naive.forEach((v, i) => t.true(Math.abs(v - ata[i]) < 1e-12));
  naive2.forEach((v, i) => t.true(Math.abs(v - aat[i]) < 1e-12));
});
