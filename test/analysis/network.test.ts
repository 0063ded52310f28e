import test from 'ava';
import { profileNetwork } from '../../src/analysis/network.js';
import { responseMatrix } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/random.js';
import { gaussian } from '../helpers.js';

/** relu(x W + b) for row-major x (n x p), W (p x q). */
function reluLayer(x: Float64Array, n: number, p: number, w: Float64Array, b: number[], q: number): Float64Array {
  const y = new Float64Array(n * q);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < q; j++) {
      let s = b[j];
      for (let k = 0; k < p; k++) s += x[i * p + k] * w[k * q + j];
      y[i * q + j] = Math.max(0, s);
    }
  return y;
}

test('two-layer ReLU net with known weights: an always-active layer is linear (C = 0), a switching one is not', (t) => {
  const rng = new Rng(1);
  const n = 1500,
    p = 2,
    q = 6;
  const x = gaussian(rng, n, p);
  const w1 = gaussian(rng, p, q);
  // Layer 1: biases so large that every unit is always on -> exactly linear in x.
  const h1 = reluLayer(x, n, p, w1, new Array(q).fill(100), q);
  // Layer 2: biases that cancel the constant 100 from layer 1 -> units switch on and off.
  const w2 = gaussian(rng, q, q);
  const b2 = Array.from({ length: q }, (_, j) => {
    let s = 0;
    for (let k = 0; k < q; k++) s += w2[k * q + j];
    return -100 * s;
  });
  const h2 = reluLayer(h1, n, q, w2, b2, q);
  const prof = profileNetwork(
    [
      { name: 'always-on', matrix: responseMatrix(n, q, h1) },
      { name: 'switching', matrix: responseMatrix(n, q, h2) },
    ],
    responseMatrix(n, p, x),
    { seed: 3 },
  );
  const fromInput = new Map(prof.inputTransitions.map((tr) => [tr.to, tr]));
  t.is(prof.layers[0].patterns!.switchingFraction, 0, 'every unit of the first layer is always on');
  t.is(fromInput.get('always-on')!.complexity, 0);
  t.true(fromInput.get('always-on')!.linearR2 > 0.999);
  t.true(prof.layers[1].patterns!.switchingFraction > 0.3);
  t.true(fromInput.get('switching')!.complexity! > 0.5, `C ${fromInput.get('switching')!.complexity}`);
  t.true(fromInput.get('switching')!.linearR2 < fromInput.get('switching')!.bestR2 - 0.05);
  t.is(prof.transitions.length, 1);
  t.is(prof.transitions[0].from, 'always-on');
});
