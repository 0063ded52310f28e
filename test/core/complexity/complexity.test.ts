import test from 'ava';
import { mapComplexity1 as mapComplexity1Raw } from '../../../src/core/complexity/definition1.js';
import { mapComplexity } from '../../../src/core/complexity/complexity.js';
import { responseMatrix, type ResponseMatrix } from '../../../src/core/matrix.js';
import { Rng } from '../../../src/core/random.js';

function column(values: ArrayLike<number>): ResponseMatrix {
  return responseMatrix(values.length, 1, Float64Array.from(values));
}

test('the entry point: definitions 2 and 1 on request, each record says which', (t) => {
  const rng = new Rng(20);
  const n = 600;
  const x = Array.from({ length: n }, () => 2 * rng.next() - 1);
  const y = column(x.map((v) => Math.abs(v) + 0.02 * rng.normal()));
  const two = mapComplexity(column(x), y, { seed: 1, definition: 2 });
  const one = mapComplexity(column(x), y, { seed: 1, definition: 1 });
  t.is(two.definition, 'complexity/2');
  t.is(one.definition, 'complexity/1');
  const raw = mapComplexity1Raw(column(x), y, { seed: 1 });
  t.is(one.complexity, raw.complexity, 'definition 1 is reproduced exactly');
  t.deepEqual(one.curve, raw.curve);
});
