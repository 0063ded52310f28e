import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/core/random.js';
import { encodeNpy } from '../../src/io/npy.js';
import { writeNpz } from '../../src/io/matrixFile.js';
import { cli, gaussian, tempDir } from '../helpers.js';

/** A representation and a rotated copy of it (CKA 1), in two different folders. */
function rotatedPair(dir: string, n = 60, d = 8, seed = 1): { a: string; b: string } {
  const rng = new Rng(seed);
  const x = gaussian(rng, n, d);
  // Rotation: swap and negate coordinates (orthogonal), plus a scale.
  const y = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) y[i * d + j] = -3 * x[i * d + ((j + 3) % d)];
  mkdirSync(join(dir, 'one'), { recursive: true });
  mkdirSync(join(dir, 'two'), { recursive: true });
  writeFileSync(join(dir, 'one', 'a.npy'), encodeNpy(Array.from(x), [n, d]));
  writeFileSync(join(dir, 'two', 'b.npy'), encodeNpy(Array.from(y), [n, d]));
  return { a: join(dir, 'one', 'a.npy'), b: join(dir, 'two', 'b.npy') };
}

test('compare finds the stored representations whatever path a run used: a rotated copy in another folder has CKA 1', async (t) => {
  const dir = tempDir();
  const store = join(dir, 'store');
  const { a, b } = rotatedPair(dir);
  const ra = JSON.parse((await cli('dimension', a, '--store', store, '--json')).stdout);
  const rb = JSON.parse((await cli('dimension', b, '--store', store, '--json')).stdout);
  const c = await cli('compare', ra.id, rb.id, '--store', store, '--json');
  t.is(c.code, 0, c.stderr);
  const cmp = JSON.parse(c.stdout);
  t.true(Math.abs(cmp.cka.values[0][0] - 1) < 1e-9, `CKA ${cmp.cka.values[0][0]}`);
  t.deepEqual(cmp.cka.notes, []);
  t.is(cmp.entities[0].name, 'a.npy');
});

test('compare of .npz arrays chosen with --key and file.npz:key: CKA found too', async (t) => {
  const dir = tempDir();
  const store = join(dir, 'store');
  const rng = new Rng(2);
  const x = gaussian(rng, 50, 6);
  writeNpz(join(dir, 'acts.npz'), [
    ['layer1', { data: x, shape: [50, 6] }],
    ['layer2', { data: x.map((v) => 2 * v), shape: [50, 6] }],
  ]);
  const r1 = JSON.parse((await cli('dimension', join(dir, 'acts.npz'), '--key', 'layer1', '--store', store, '--json')).stdout);
  const r2 = JSON.parse((await cli('dimension', `${join(dir, 'acts.npz')}:layer2`, '--store', store, '--json')).stdout);
  const cmp = JSON.parse((await cli('compare', r1.id, r2.id, '--store', store, '--json')).stdout);
  t.true(Math.abs(cmp.cka.values[0][0] - 1) < 1e-9);
  t.deepEqual(
    cmp.entities.map((e: { name: string }) => e.name),
    ['acts.npz[layer1]', 'acts.npz[layer2]'],
  );
});

test('compare --null: a rotated copy has p < 0.01 against permuted stimulus order; independent representations p > 0.05', async (t) => {
  const dir = tempDir();
  const store = join(dir, 'store');
  const { a, b } = rotatedPair(dir, 80, 10, 3);
  const rng = new Rng(9);
  writeFileSync(join(dir, 'c.npy'), encodeNpy(Array.from(gaussian(rng, 80, 10)), [80, 10]));
  const ids = [];
  for (const f of [a, b, join(dir, 'c.npy')]) ids.push(JSON.parse((await cli('dimension', f, '--store', store, '--json')).stdout).id);
  const same = JSON.parse((await cli('compare', ids[0], ids[1], '--null', '199', '--store', store, '--json')).stdout);
  t.true(same.cka.nulls[0][0].pValue < 0.01, `p ${same.cka.nulls[0][0].pValue}`);
  t.is(same.cka.nulls[0][0].samples, 199);
  const indep = JSON.parse((await cli('compare', ids[0], ids[2], '--null', '99', '--store', store, '--json')).stdout);
  t.true(indep.cka.nulls[0][0].pValue > 0.05, `p ${indep.cka.nulls[0][0].pValue}`);
  const text = await cli('compare', ids[0], ids[1], '--null', '99', '--store', store);
  t.regex(text.stdout, /debiased linear CKA\n\s+b\.npy\s*\n\s+a\.npy\s+1\.000 \[1\.00,1\.00\] p=0\.010/);
});

test('compare warns about entities of different sizes, and --match-neurons gives D_eff at a common count', async (t) => {
  const dir = tempDir();
  const store = join(dir, 'store');
  const rng = new Rng(4);
  writeFileSync(join(dir, 'big.npy'), encodeNpy(Array.from(gaussian(rng, 200, 40)), [200, 40]));
  writeFileSync(join(dir, 'small.npy'), encodeNpy(Array.from(gaussian(rng, 200, 10)), [200, 10]));
  const ids = [];
  for (const f of ['big.npy', 'small.npy']) ids.push(JSON.parse((await cli('dimension', join(dir, f), '--store', store, '--json')).stdout).id);
  const plain = JSON.parse((await cli('compare', ...ids, '--store', store, '--json')).stdout);
  t.true(plain.warnings.some((w: { code: string }) => w.code === 'unequal-group-sizes'));
  const matched = JSON.parse((await cli('compare', ...ids, '--match-neurons', '--store', store, '--json')).stdout);
  t.is(matched.matchNeurons, 10);
  const [big, small] = matched.entities;
  // Isotropic data: at 10 neurons both have D_eff near 10; the 40-neuron matrix alone is near 40.
  t.true(
    big.effectiveDimension > 30 && Math.abs(big.matchedEffectiveDimension.mean - small.matchedEffectiveDimension.mean) < 1,
    `${big.matchedEffectiveDimension.mean} vs ${small.matchedEffectiveDimension.mean}`,
  );
  t.false(matched.warnings.some((w: { code: string }) => w.code === 'unequal-group-sizes'));
  const text = await cli('compare', ...ids, '--match-neurons', '--store', store);
  t.regex(text.stdout, /D_eff @10/);
});
