import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../src/core/matrix.js';
import { encodeNpy, floatToHalf, halfToFloat, parseNpy, type NpyDtype } from '../../src/io/npy.js';
import { encodeNpz, readNpz } from '../../src/io/npz.js';
import { readMatrixFile } from '../../src/io/matrixFile.js';
import { FIXTURES, tempDir } from '../helpers.js';

const expected = JSON.parse(readFileSync(join(FIXTURES, 'npy', 'npy.json'), 'utf8')) as Record<string, { shape: number[]; values: number[]; fortran: boolean }>;

for (const [name, ref] of Object.entries(expected)) {
  test(`reads numpy-written ${name}.npy`, (t) => {
    const a = parseNpy(readFileSync(join(FIXTURES, 'npy', `${name}.npy`)), name);
    t.deepEqual(a.shape, ref.shape);
    t.is(a.fortranOrder, ref.fortran);
    t.deepEqual(Array.from(a.data), ref.values);
  });
}

const dtypes: NpyDtype[] = ['f2', 'f4', 'f8', 'i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8', 'b1'];
for (const dtype of dtypes) {
  test(`${dtype} round-trips through encodeNpy/parseNpy`, (t) => {
    const values = dtype === 'b1' ? [0, 1, 1, 0, 1, 0] : dtype.startsWith('u') ? [0, 1, 2, 100, 7, 3] : [-3, 1.5, 0, 2, -1, 4];
    const exact = dtype.startsWith('f') ? values : values.map(Math.trunc);
    const back = parseNpy(encodeNpy(exact, [2, 3], dtype), 'x');
    t.deepEqual(back.shape, [2, 3]);
    t.is(back.dtype, dtype);
    t.deepEqual(Array.from(back.data), exact);
  });
}

test('float16 conversion is exact on representable values and rounds others', (t) => {
  for (const v of [0, 1, -2, 0.5, 65504, 6.103515625e-5, 5.960464477539063e-8]) t.is(halfToFloat(floatToHalf(v)), v);
  t.is(halfToFloat(floatToHalf(1 + 2 ** -12)), 1);
  t.is(halfToFloat(floatToHalf(1e6)), Infinity);
});

test('npz: stored and deflated archives written by numpy', (t) => {
  for (const f of ['stored.npz', 'deflated.npz']) {
    const arrays = readNpz(join(FIXTURES, 'npy', f));
    t.deepEqual([...arrays.keys()], ['a', 'b']);
    t.deepEqual(Array.from(arrays.get('a')!.data), [0, 1, 2, 3, 4, 5]);
    t.deepEqual(arrays.get('b')!.shape, [3, 2]);
    t.deepEqual(Array.from(arrays.get('b')!.data), [0, 3, 1, 4, 2, 5]);
  }
});

test('npz round trip keeps names, order, shapes and values', (t) => {
  const bytes = encodeNpz([
    ['layer2', { data: [1, 2, 3, 4], shape: [2, 2] }],
    ['layer1', { data: [5, 6, 7], shape: [3], dtype: 'f4' }],
  ]);
  const p = join(tempDir(), 'x.npz');
  writeFileSync(p, bytes);
  const back = readNpz(p);
  t.deepEqual([...back.keys()], ['layer2', 'layer1']);
  t.deepEqual(Array.from(back.get('layer1')!.data), [5, 6, 7]);
});

test('trailing axes flatten in C order', (t) => {
  const dir = tempDir();
  const p = join(dir, 't.npy');
  writeFileSync(p, readFileSync(join(FIXTURES, 'npy', 'f8_3d_F.npy')));
  const m = readMatrixFile(p).matrix;
  t.is(m.n, 2);
  t.is(m.d, 12);
  t.deepEqual(
    Array.from(m.data),
    Array.from({ length: 24 }, (_, i) => i),
  );
});

test('bad npy bytes give input errors naming the file', (t) => {
  const good = encodeNpy([1, 2, 3, 4], [2, 2], 'f8');
  t.throws(() => parseNpy(good.subarray(0, good.length - 3), 'cut.npy'), { instanceOf: InputError, message: /cut\.npy: truncated/ });
  const bad = Uint8Array.from(good);
  bad[1] = 0x41;
  t.throws(() => parseNpy(bad, 'magic.npy'), { instanceOf: InputError, message: /magic\.npy: not a \.npy file/ });
  const z = join(tempDir(), 'z.npz');
  writeFileSync(z, Uint8Array.from([1, 2, 3, 4]));
  t.throws(() => readNpz(z), { instanceOf: InputError, message: /z\.npz: not a zip/ });
});
