import test from 'ava';
import { nullSummary, permutationNull, replicateSeed } from '../../../src/core/inference/permutation.js';
import { Rng } from '../../../src/core/random.js';

test('p-value counts the observed statistic as a draw (Phipson & Smyth): never 0', (t) => {
  const s = nullSummary('x', 'shuffle', 10, [1, 2, 3, 4], 0)!;
  t.is(s.pValue, 1 / 5);
  t.is(s.samples, 4);
  t.is(s.mean, 2.5);
  t.true(Math.abs(s.sd - Math.sqrt(5 / 3)) < 1e-12);
  t.is(nullSummary('x', 'shuffle', 0, [0, 0, 1], 0)!.pValue, 1, 'ties count as at least as large');
  t.is(nullSummary('x', 'shuffle', 2.5, [1, 2, 3, 4], 0)!.pValue, 3 / 5);
  t.is(nullSummary('x', 'shuffle', 1, [null, NaN], 0), null);
});

test('replicate seeds are deterministic and distinct; permutationNull is seeded', (t) => {
  t.is(replicateSeed(7, 3), replicateSeed(7, 3));
  t.not(replicateSeed(7, 3), replicateSeed(7, 4));
  const draw = (s: number) => permutationNull('u', 'uniform', 0.5, 50, s, (rng) => rng.next());
  t.deepEqual(draw(1), draw(1));
  t.notDeepEqual(draw(1), draw(2));
});

test('under the null, p-values are uniform: about 5 % are at most 0.05 (false-positive rate)', (t) => {
  const rng = new Rng(11);
  let rejections = 0;
  const trials = 2000;
  for (let k = 0; k < trials; k++) {
    // The observed statistic and the 19 null draws come from the same distribution.
    const observed = rng.normal();
    const draws = Array.from({ length: 19 }, () => rng.normal());
    if (nullSummary('z', 'same distribution', observed, draws, 0)!.pValue <= 0.05) rejections++;
  }
  // Exactly 1/20 in expectation; 2000 trials put 95 % of outcomes within about +-1 %.
  t.true(Math.abs(rejections / trials - 0.05) < 0.015, `rate ${rejections / trials}`);
});
