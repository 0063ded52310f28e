import test from 'ava';
import { addRow, emptyStats, type AffineStats } from '../../../src/core/complexity/affineFit.js';
import { mergeSequence, occupancyEntropy } from '../../../src/core/complexity/pieces.js';
import { Rng } from '../../../src/core/random.js';

test('occupancy entropy of piece counts', (t) => {
  t.is(occupancyEntropy([5, 0, 5]), Math.log(2));
  t.is(occupancyEntropy([7]), 0);
  const h = occupancyEntropy([2, 1, 1]);
  t.true(Math.abs(h - (0.5 * Math.log(2) + 0.5 * Math.log(4))) < 1e-15);
});

test('greedy merging of 8 interval leaves of |x| keeps the bend: K = 2 is x < 0 against x > 0', (t) => {
  const rng = new Rng(5);
  const n = 800,
    L = 8;
  const leaves: AffineStats[] = Array.from({ length: L }, () => emptyStats(2, 1));
  for (let i = 0; i < n; i++) {
    const x = 2 * rng.next() - 1;
    const leaf = Math.min(L - 1, Math.floor(((x + 1) / 2) * L));
    addRow(leaves[leaf], Float64Array.of(x), 0, Float64Array.of(Math.abs(x) + 0.001 * rng.normal()), 0);
  }
  const chain = Array.from({ length: L }, (_, l) => [l - 1, l + 1].filter((k) => k >= 0 && k < L));
  const seq = mergeSequence(leaves, chain, 0);
  t.is(seq.owners.length, L);
  t.is(new Set(seq.owners[0]).size, 1, 'K = 1: one piece');
  t.is(new Set(seq.owners[L - 1]).size, L, 'K = L: every leaf its own piece');
  const two = seq.owners[1];
  t.is(new Set(two).size, 2);
  for (let l = 1; l < L / 2; l++) t.is(two[l], two[0], `leaf ${l} is with the negative half`);
  for (let l = L / 2 + 1; l < L; l++) t.is(two[l], two[L / 2], `leaf ${l} is with the positive half`);
  t.not(two[0], two[L / 2]);
});
