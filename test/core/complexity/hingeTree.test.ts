import test from 'ava';
import { growHingeTree, routeToLeaves } from '../../../src/core/complexity/hingeTree.js';
import { Rng } from '../../../src/core/random.js';

/** n points x uniform in [-1, 1], residual f(x) + noise. */
function oneD(n: number, f: (x: number) => number, noise: number, seed: number) {
  const rng = new Rng(seed);
  const u = Float64Array.from({ length: n }, () => 2 * rng.next() - 1);
  const r = u.map((x) => f(x) + noise * rng.normal());
  return { u, r, rows: Int32Array.from({ length: n }, (_, i) => i) };
}

/** Where a 1-D node's plane w0 + w1 x = 0 cuts the line. */
const cutOf = (plane: Float64Array): number => -plane[0] / plane[1];

test('one split of |x| falls on the bend at 0', (t) => {
  const { u, r, rows } = oneD(1000, Math.abs, 0.01, 1);
  const tree = growHingeTree(u, 1, r, 1, rows, { maxLeaves: 2, minLeaf: 20, ridge: 0 });
  t.is(tree.leaves.length, 2);
  const cut = cutOf(tree.nodes[0].plane!);
  t.true(Math.abs(cut) < 0.02, `cut at ${cut}`);
});

test('three bends: with room for them, every planted bend gets a cut on it', (t) => {
  // The best single cut of a three-bend map lies between bends (it is the best 2-piece fit, not a
  // bend): the greedy tree finds the bends with its later splits, which is why it grows to more
  // leaves than pieces and the merging decides.
  const bends = [-0.5, 0.1, 0.6];
  const f = (x: number) => Math.abs(x + 0.5) - 2 * Math.abs(x - 0.1) + 1.5 * Math.abs(x - 0.6);
  const { u, r, rows } = oneD(3000, f, 0.005, 2);
  const tree = growHingeTree(u, 1, r, 1, rows, { maxLeaves: 6, minLeaf: 20, ridge: 0 });
  t.is(tree.leaves.length, 6);
  const cuts = tree.nodes.filter((nd) => nd.plane).map((nd) => cutOf(nd.plane!));
  for (const b of bends)
    t.true(
      cuts.some((c) => Math.abs(c - b) < 0.01),
      `no cut near the bend at ${b}: ${cuts.map((c) => c.toFixed(3))}`,
    );
});

test('routing sends every row to the leaf that holds it; leaves keep minLeaf rows', (t) => {
  const { u, r, rows } = oneD(800, (x) => Math.abs(x) + Math.abs(x - 0.5), 0.01, 4);
  const tree = growHingeTree(u, 1, r, 1, rows, { maxLeaves: 6, minLeaf: 20, ridge: 0 });
  const leafOf = routeToLeaves(tree, u, u.length);
  tree.leaves.forEach((id, leaf) => {
    for (const row of tree.nodes[id].rows) t.is(leafOf[row], leaf);
  });
  t.true(
    tree.leaves.every((id) => tree.nodes[id].rows.length >= 20),
    'every leaf keeps minLeaf rows',
  );
});
