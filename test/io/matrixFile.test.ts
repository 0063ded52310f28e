import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../src/core/matrix.js';
import { formatCsv } from '../../src/io/csv.js';
import { readMatrixFile, writeNpz } from '../../src/io/matrixFile.js';
import { tempDir } from '../helpers.js';

test('CSV with and without a header row', (t) => {
  const dir = tempDir();
  writeFileSync(join(dir, 'h.csv'), 'n1,n2,n3\n1,2,3\n4,5,6\n');
  writeFileSync(join(dir, 'p.csv'), '1,2,3\n4,5,6\n\n');
  const h = readMatrixFile(join(dir, 'h.csv')).matrix;
  const p = readMatrixFile(join(dir, 'p.csv')).matrix;
  t.deepEqual(h.colLabels, ['n1', 'n2', 'n3']);
  t.is(p.colLabels, undefined);
  t.deepEqual(Array.from(h.data), [1, 2, 3, 4, 5, 6]);
  t.deepEqual(Array.from(p.data), [1, 2, 3, 4, 5, 6]);
  const back = join(dir, 'back.csv');
  writeFileSync(back, formatCsv(h));
  t.deepEqual(readMatrixFile(back).matrix, h);
});

test('ragged CSV names the file and line', (t) => {
  const dir = tempDir();
  const f = join(dir, 'ragged.csv');
  writeFileSync(f, '1,2,3\n4,5\n');
  t.throws(() => readMatrixFile(f), { instanceOf: InputError, message: /ragged\.csv: line 2 has 2 values, expected 3/ });
});

test('JSON matrices with labels; ragged JSON rejected', (t) => {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'm.json'),
    JSON.stringify({
      data: [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      neurons: ['a', 'b'],
      stimuli: [10, 20, 30],
    }),
  );
  const m = readMatrixFile(join(dir, 'm.json')).matrix;
  t.is(m.n, 3);
  t.deepEqual(m.colLabels, ['a', 'b']);
  t.deepEqual(m.rowLabels, [10, 20, 30]);
  writeFileSync(join(dir, 'r.json'), JSON.stringify({ data: [[1, 2], [3]] }));
  t.throws(() => readMatrixFile(join(dir, 'r.json')), { instanceOf: InputError, message: /r\.json: data\[1\]/ });
});

test('npz key selection: one array needs no key, several do, unknown keys list the valid ones', (t) => {
  const dir = tempDir();
  writeNpz(join(dir, 'one.npz'), [['x', { data: [1, 2, 3, 4], shape: [2, 2] }]]);
  writeNpz(join(dir, 'two.npz'), [
    ['x', { data: [1, 2], shape: [2, 1] }],
    ['y', { data: [3, 4], shape: [2, 1] }],
  ]);
  t.is(readMatrixFile(join(dir, 'one.npz')).key, 'x');
  t.throws(() => readMatrixFile(join(dir, 'two.npz')), { message: /holds 2 arrays \(x, y\); choose one with `key NAME`/ });
  t.throws(() => readMatrixFile(join(dir, 'two.npz'), { key: 'z' }), { message: /no array named 'z'; it holds: x, y/ });
  t.deepEqual(Array.from(readMatrixFile(join(dir, 'two.npz'), { key: 'y' }).matrix.data), [3, 4]);
});

test('missing file and unknown extension are input errors', (t) => {
  t.throws(() => readMatrixFile('/nonexistent/m.npy'), { instanceOf: InputError, message: /m\.npy: no such file/ });
  t.throws(() => readMatrixFile('data.xlsx'), { instanceOf: InputError, message: /unknown matrix format '\.xlsx'/ });
});
