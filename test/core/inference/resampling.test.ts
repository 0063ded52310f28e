import test from 'ava';
import { foldAssignment, percentile } from '../../../src/core/inference/resampling.js';
import { Rng } from '../../../src/core/random.js';

test('percentile matches numpy linear interpolation', (t) => {
  // numpy.percentile([1, 2, 3, 4], [2.5, 50, 97.5]) = [1.075, 2.5, 3.925]
  t.true(Math.abs(percentile([4, 1, 3, 2], 2.5) - 1.075) < 1e-12);
  t.is(percentile([4, 1, 3, 2], 50), 2.5);
  t.true(Math.abs(percentile([4, 1, 3, 2], 97.5) - 3.925) < 1e-12);
});

test('folds are balanced and seeded', (t) => {
  const f = foldAssignment(new Rng(1), 23, 5);
  const sizes = [0, 0, 0, 0, 0];
  f.forEach((k) => sizes[k]++);
  t.deepEqual(sizes.sort(), [4, 4, 5, 5, 5]);
  t.deepEqual(f, foldAssignment(new Rng(1), 23, 5));
});
