/** neurorep batch: many sessions, N at a time, failures listed, resumable, one batch id. */

import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNwbFile } from '../../adapters/nwb/write.js';
import { RunStore } from '../../src/store/runStore.js';
import { twoAreaSpec } from '../adapters/nwb/helpers.js';
import { binary, tempDir } from '../helpers.js';

test('batch analyzes every session with the same options, lists the failing one, and resumes without redoing work', async (t) => {
  const dir = tempDir();
  const sessions = join(dir, 'sessions');
  mkdirSync(sessions);
  for (const [i, seed] of [[1, 0], [2, 1], [3, 2]]) {
    const { spec } = twoAreaSpec();
    spec.identifier = `session-${i}`;
    // Different spike times per session (shift every spike a little).
    spec.units!.spikeTimes = spec.units!.spikeTimes.map((s) => s.map((v) => v + 1e-4 * seed));
    await writeNwbFile(join(sessions, `s${i}.nwb`), spec);
  }
  writeFileSync(join(sessions, 'broken.nwb'), 'this is not an HDF5 file');
  const store = join(dir, 'store');

  const first = binary(['batch', sessions, '--stimulus', 'orientation', '--jobs', '2', '--store', store, '--label', 'season 1']);
  t.is(first.code, 1, first.stderr);
  t.regex(first.stdout, /4 sessions: 3 analyzed, 0 already in the store, 1 failed/);
  t.regex(first.stdout, /failed: .*broken\.nwb: \S/);
  t.regex(first.stderr, /batch [0-9a-f]{8}: 4\/4 \(3 analyzed, 0 skipped, 1 failed\)/);

  const db = RunStore.open(store, { readonly: true });
  const runs = db.list();
  t.is(runs.length, 3);
  const records = runs.map((r) => db.get(r.id)!) as unknown as { batch: { id: string; key: string }; label: string; params: { stimulus: string }; session: { identifier: string } }[];
  db.close();
  t.is(new Set(records.map((r) => r.batch.id)).size, 1, 'one batch id');
  t.is(new Set(records.map((r) => r.batch.key)).size, 3, 'one resume key per session');
  t.deepEqual(records.map((r) => r.session.identifier).sort(), ['session-1', 'session-2', 'session-3']);
  t.true(records.every((r) => r.params.stimulus === 'orientation' && r.label === 'season 1'));

  // Again, through a manifest naming two of them plus the folder: nothing is redone.
  writeFileSync(join(dir, 'manifest.txt'), '# two sessions\nsessions/s1.nwb\nsessions/s2.nwb\n');
  const again = binary(['batch', join(dir, 'manifest.txt'), sessions, '--stimulus', 'orientation', '--store', store]);
  t.is(again.code, 1);
  t.regex(again.stdout, /4 sessions: 0 analyzed, 3 already in the store, 1 failed/);
  // Other options are other work.
  const other = binary(['batch', join(sessions, 's1.nwb'), '--stimulus', 'orientation', '--window', '0,0.5', '--store', store]);
  t.is(other.code, 0, other.stderr);
  t.regex(other.stdout, /1 session: 1 analyzed, 0 already in the store, 0 failed/);

  const missing = binary(['batch', join(dir, 'nope'), '--store', store]);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /nope: no such file or folder/);
});
