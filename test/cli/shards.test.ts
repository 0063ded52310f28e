/** Run shards: --out-record writes a finished run to a file; import merges shards into a store, idempotently. */

import test from 'ava';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/core/random.js';
import { writeNpz } from '../../src/io/matrixFile.js';
import { decodeShard } from '../../src/store/shard.js';
import { RunStore } from '../../src/store/runStore.js';
import { cli, gaussian, tempDir } from '../helpers.js';

function activations(dir: string): string {
  const rng = new Rng(8);
  const n = 200;
  const x = gaussian(rng, n, 5);
  const h = new Float64Array(n * 12);
  for (let i = 0; i < n; i++) for (let j = 0; j < 12; j++) h[i * 12 + j] = Math.max(0, x[i * 5 + (j % 5)] + 0.5 * x[i * 5 + ((j + 1) % 5)]);
  const path = join(dir, 'acts.npz');
  writeNpz(path, [
    ['input', { shape: [n, 5], data: x }],
    ['relu', { shape: [n, 12], data: h }],
  ]);
  return path;
}

test('a shard holds the whole run; importing it twice adds it once, with its representations bit for bit', async (t) => {
  const dir = tempDir();
  const acts = activations(dir);
  const shard = join(dir, 'run.json');
  const made = await cli('network', acts, '--no-store', '--out-record', shard, '--label', 'from a node', '--json');
  t.is(made.code, 0, made.stderr);
  const printed = JSON.parse(made.stdout) as { id: string; label: string };
  const decoded = decodeShard(readFileSync(shard, 'utf8'), shard);
  t.is(decoded.record.id, printed.id);
  t.is((decoded.record as { label?: string }).label, 'from a node');
  t.deepEqual(
    decoded.representations.map((r) => r.name),
    ['relu'],
    'the layer representation travels with the run',
  );

  const store = tempDir();
  const first = await cli('import', shard, '--store', store);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /^1 run imported into .*, 0 already there\n$/);
  const second = await cli('import', dir, '--store', store);
  t.is(second.code, 0, second.stderr);
  t.regex(second.stdout, /^0 runs imported into .*, 1 already there\n$/);

  const db = RunStore.open(store, { readonly: true });
  t.is(db.count(), 1);
  t.deepEqual(JSON.parse(JSON.stringify(db.get(printed.id))), JSON.parse(JSON.stringify(decoded.record)));
  const reps = db.representations(printed.id);
  t.deepEqual(
    reps.map((r) => [r.name, r.n, r.d, r.form, Array.from(r.values)]),
    decoded.representations.map((r) => [r.name, r.n, r.d, r.form, Array.from(r.values)]),
  );
  db.close();

  // The same analysis stored directly: compare finds the imported run's layer identical (CKA 1).
  const direct = await cli('network', acts, '--store', store, '--json');
  const directId = (JSON.parse(direct.stdout) as { id: string }).id;
  const cmp = await cli('compare', printed.id, directId, '--store', store, '--json');
  t.is(cmp.code, 0, cmp.stderr);
  const cka = (JSON.parse(cmp.stdout) as { cka: { values: (number | null)[][] } }).cka.values;
  t.true(
    cka.flat().some((v) => v !== null && Math.abs(v - 1) < 1e-12),
    JSON.stringify(cka),
  );
});

test('import names unreadable shards (exit 2) and still imports the valid ones; --out-record is checked before computing', async (t) => {
  const dir = tempDir();
  const acts = activations(dir);
  const good = join(dir, 'good.json');
  t.is((await cli('dimension', `${acts}:relu`, '--no-store', '--out-record', good)).code, 0);
  writeFileSync(join(dir, 'text.json'), 'not json');
  // Tampered: one observable changed in an otherwise valid shard.
  const tampered = JSON.parse(readFileSync(good, 'utf8')) as { record: { effectiveDimension: number } };
  tampered.record.effectiveDimension += 1;
  writeFileSync(join(dir, 'tampered.json'), JSON.stringify(tampered));
  // Intact but not a valid record (a checksum of its own, so only the schema can refuse it).
  const bad = { record: { id: 'nope', kind: 'dimension' }, representations: [] };
  writeFileSync(
    join(dir, 'invalid.json'),
    JSON.stringify({
      format: 'neurorep-run/1',
      sha256: createHash('sha256')
        .update(JSON.stringify([bad.record, bad.representations]))
        .digest('hex'),
      ...bad,
    }),
  );
  const store = tempDir();
  const r = await cli('import', dir, '--store', store);
  t.is(r.code, 2);
  const db = RunStore.open(store, { readonly: true });
  t.deepEqual(
    db.list().map((x) => x.kind),
    ['dimension'],
    'only the good shard was imported',
  );
  db.close();
  t.regex(r.stdout, /1 run imported .*, 3 not readable/);
  t.regex(r.stderr, /invalid\.json: the run record does not match its schema/);
  t.regex(r.stderr, /tampered\.json: the shard was changed after it was written \(its sha256 does not match\); nothing imported from it/);
  t.regex(r.stderr, /text\.json: not a neurorep run shard \(not JSON/);

  const exists = await cli('dimension', `${acts}:relu`, '--no-store', '--out-record', good);
  t.is(exists.code, 2);
  t.regex(exists.stderr, /--out-record .*good\.json: the file exists; pass --force to replace it/);
  t.is((await cli('dimension', `${acts}:relu`, '--no-store', '--out-record', good, '--force')).code, 0);
  const intoStore = await cli('dimension', `${acts}:relu`, '--store', store, '--out-record', join(store, 'x.json'));
  t.is(intoStore.code, 2);
  t.regex(intoStore.stderr, /--out-record/);
  const missing = await cli('import', join(dir, 'nothing-here'), '--store', store);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /nothing-here: no such file or folder/);
});
