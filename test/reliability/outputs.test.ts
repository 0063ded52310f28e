/**
 * Class 2: no data loss. Nothing writes over the store, a file inside it or a command's own input;
 * an existing output is replaced only with --force, atomically; a store that cannot be written
 * still gets the finished result printed, with exit 2 and a message that it was not stored.
 */

import test from 'ava';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeNpy } from '../../src/io/npy.js';
import { SHARED_DATA, tempDir } from '../helpers.js';
import { neurorep, userMistake } from './helpers.js';

const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** A store with one dimension run, and that run's id. */
function storeWithRun(): { store: string; id: string; matrix: string; dir: string } {
  const dir = tempDir('neurorep-rel-');
  const matrix = join(dir, 'm.csv');
  writeFileSync(matrix, Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(3 * i), (i % 7) - 3, Math.sin(i * i)].join(',')).join('\n'));
  const store = join(dir, 'store');
  const r = neurorep(['dimension', matrix, '--store', store, '--json', '--quiet']);
  if (r.code !== 0) throw new Error(r.stderr);
  return { store, id: JSON.parse(r.stdout).id, matrix, dir };
}

test('report --out refuses the store, files inside it, a missing folder and an existing file without --force', (t) => {
  const { store, id, dir } = storeWithRun();
  const db = join(store, 'neurorep.db');
  const before = digest(db);
  userMistake(t, neurorep(['report', id, '--out', db, '--store', store]), /--out .*neurorep\.db: this is inside the run store/);
  userMistake(t, neurorep(['report', id, '--out', join(store, 'r.html'), '--store', store]), /inside the run store/);
  // A link to the database from outside the store is the same file.
  const link = join(dir, 'link.html');
  symlinkSync(db, link);
  userMistake(t, neurorep(['report', id, '--out', link, '--store', store]), /link\.html: this is inside the run store/);
  userMistake(
    t,
    neurorep(['report', id, '--out', join(dir, 'no', 'such', 'folder', 'r.html'), '--store', store]),
    /the folder .*folder does not exist; create it first/,
  );
  userMistake(t, neurorep(['report', id, '--out', dir, '--store', store]), /is a folder; give a file name/);
  t.is(digest(db), before, 'the store is byte-for-byte unchanged');
  t.deepEqual(
    readdirSync(store).filter((f) => !f.startsWith('neurorep.db')),
    [],
    'nothing written into the store folder',
  );

  const out = join(dir, 'r.html');
  t.is(neurorep(['report', id, '--out', out, '--store', store]).code, 0);
  const first = readFileSync(out, 'utf8');
  t.regex(first, /^<!doctype html>/i);
  writeFileSync(out, 'keep me');
  userMistake(t, neurorep(['report', id, '--out', out, '--store', store]), /the file exists; pass --force to replace it/);
  t.is(readFileSync(out, 'utf8'), 'keep me');
  t.is(neurorep(['report', id, '--out', out, '--store', store, '--force']).code, 0);
  t.is(readFileSync(out, 'utf8'), first);
  t.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
    'no temporary file left behind',
  );
});

test('activations --out: checked before the model runs; never one of its inputs', (t) => {
  const dir = tempDir('neurorep-rel-');
  const inputs = join(dir, 'x.npy');
  writeFileSync(inputs, encodeNpy(new Float64Array(4 * 784).fill(0.5), [4, 784]));
  const model = join(SHARED_DATA, 'models', 'mnist2x10_mlp.onnx');
  // A missing folder is reported at once, not after the model ran.
  userMistake(t, neurorep(['activations', model, inputs, '--out', join(dir, 'missing', 'a.npz')]), /the folder .*missing does not exist/);
  // An output that is (a link to) the input.
  const alias = join(dir, 'alias.npz');
  symlinkSync(inputs, alias);
  const before = digest(inputs);
  userMistake(t, neurorep(['activations', model, inputs, '--out', alias, '--force']), /alias\.npz: this is one of the command's inputs/);
  t.is(digest(inputs), before);
  const ok = neurorep(['activations', model, inputs, '--out', join(dir, 'a.npz')]);
  t.is(ok.code, 0, ok.stderr);
  t.true(existsSync(join(dir, 'a.npz')));
});

test('a store that cannot be written: the result is printed in full, exit 2, and the store is unchanged', (t) => {
  const { store, matrix } = storeWithRun();
  const db = join(store, 'neurorep.db');
  // A damaged database file.
  const damaged = join(tempDir('neurorep-rel-'), 'damaged');
  mkdirSync(damaged);
  writeFileSync(join(damaged, 'neurorep.db'), 'this is not a database');
  const r1 = neurorep(['dimension', matrix, '--store', damaged, '--json']);
  t.is(r1.code, 2);
  t.is(JSON.parse(r1.stdout).kind, 'dimension', 'the complete record is printed');
  t.regex(r1.stderr, /the run was not stored .*not a SQLite database/);
  t.is(readFileSync(join(damaged, 'neurorep.db'), 'utf8'), 'this is not a database');
  // A file where the store folder should be.
  const file = join(tempDir('neurorep-rel-'), 'store-file');
  writeFileSync(file, 'x');
  const r2 = neurorep(['dimension', matrix, '--store', file]);
  t.is(r2.code, 2);
  t.regex(r2.stdout, /D_eff/);
  t.regex(r2.stderr, /store-file: is a file, not a results store folder/);
  userMistake(t, neurorep(['runs', '--store', file]), /is a file, not a results store folder/);
  // Reading commands on a damaged store name the file.
  userMistake(t, neurorep(['runs', '--store', damaged]), /neurorep\.db: cannot open the store: neurorep\.db is not a SQLite database/);
  // A read-only store (only meaningful when not root: root writes through permissions).
  if (process.getuid?.() !== 0) {
    const before = digest(db);
    chmodSync(db, 0o444);
    chmodSync(store, 0o555);
    try {
      const r3 = neurorep(['dimension', matrix, '--store', store]);
      t.is(r3.code, 2);
      t.regex(r3.stdout, /D_eff/);
      t.regex(r3.stderr, /not stored/);
      t.is(digest(db), before);
    } finally {
      chmodSync(store, 0o755);
      chmodSync(db, 0o644);
    }
  }
});

test('a run killed mid-computation leaves the store exactly as it was', async (t) => {
  const { store } = storeWithRun();
  const db = join(store, 'neurorep.db');
  const dir = tempDir('neurorep-rel-');
  const big = join(dir, 'big.npy');
  // A computation that takes well over the 2.5 s before the kill: complexity of a nonlinear map
  // (3000 x 64 -> 3000 x 64) with intervals and a null.
  const data = new Float64Array(3000 * 64).map((_, k) => Math.sin(k * 0.37) + Math.cos(k * 0.011));
  writeFileSync(big, encodeNpy(data, [3000, 64]));
  const bent = join(dir, 'bent.npy');
  writeFileSync(
    bent,
    encodeNpy(
      data.map((v, k) => Math.abs(v) + 0.3 * Math.sin(3 * data[(k * 7) % data.length])),
      [3000, 64],
    ),
  );
  const before = digest(db);
  const { spawn } = await import('node:child_process');
  const { ROOT } = await import('../helpers.js');
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'neurorep.js'), 'complexity', big, bent, '--intervals', '--null', '19', '--store', store], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  // Listen before killing: a child that ends first must not leave the test waiting.
  let exitCode: number | null = null;
  const exited = new Promise<string | null>((r) => child.once('close', (code, signal) => ((exitCode = code), r(signal))));
  await new Promise((r) => setTimeout(r, 2500));
  child.kill('SIGKILL');
  t.is(await exited, 'SIGKILL', `the run was killed mid-computation (it had not finished: exit code ${exitCode}); its stderr: ${stderr}`);
  t.is(digest(db), before);
  const runs = neurorep(['runs', '--store', store, '--json']);
  t.is(JSON.parse(runs.stdout).runs.length, 1);
});
