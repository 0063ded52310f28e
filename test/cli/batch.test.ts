/** neurorep batch: many sessions, N at a time, failures listed, resumable, one batch id. */

import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunStore } from '../../src/store/runStore.js';
import { writeSessions } from '../adapters/nwb/helpers.js';
import { binary, tempDir } from '../helpers.js';

test('batch analyzes every session with the same options, lists the failing one, and resumes without redoing work', async (t) => {
  const dir = tempDir();
  const sessions = join(dir, 'sessions');
  // 12 sessions, the last four recorded in other areas.
  await writeSessions(sessions, 12, 'session', (spec, i) => {
    if (i > 8) spec.electrodes = { location: ['CA1', 'CA1', 'CA3', 'CA3', 'CA3'], group: ['a', 'a', 'b', 'b', 'b'] };
  });
  writeFileSync(join(sessions, 'broken.nwb'), 'this is not an HDF5 file');
  const store = join(dir, 'store');

  const first = binary(['batch', sessions, '--stimulus', 'orientation', '--intervals', '--jobs', '2', '--store', store, '--label', 'season 1']);
  t.is(first.code, 1, first.stderr);
  t.regex(first.stdout, /13 sessions: 12 analyzed, 0 already in the store, 1 failed/);
  t.regex(first.stdout, /failed: .*broken\.nwb: \S/);
  t.regex(first.stderr, /batch [0-9a-f]{8}: 13\/13 \(12 analyzed, 0 skipped, 1 failed\)/);

  const db = RunStore.open(store, { readonly: true });
  const runs = db.list();
  t.is(runs.length, 12);
  const records = runs.map((r) => db.get(r.id)!) as unknown as {
    batch: { id: string; key: string };
    label: string;
    params: { stimulus: string };
    session: { identifier: string };
    groups: { name: string }[];
  }[];
  db.close();
  t.is(new Set(records.map((r) => r.batch.id)).size, 1, 'one batch id');
  t.is(new Set(records.map((r) => r.batch.key)).size, 12, 'one resume key per session');
  t.deepEqual(records.map((r) => r.session.identifier).sort(), Array.from({ length: 12 }, (_, i) => `session-${i + 1}`).sort());
  t.deepEqual([...new Set(records.flatMap((r) => r.groups.map((g) => g.name)))].sort(), ['CA1', 'CA3', 'LM', 'V1']);
  t.true(records.every((r) => r.params.stimulus === 'orientation' && r.label === 'season 1'));

  // Again, through a manifest naming two of them plus the folder: nothing is redone.
  writeFileSync(join(dir, 'manifest.txt'), '# two sessions\nsessions/s01.nwb\nsessions/s02.nwb\n');
  const again = binary(['batch', join(dir, 'manifest.txt'), sessions, '--stimulus', 'orientation', '--intervals', '--store', store]);
  t.is(again.code, 1);
  t.regex(again.stdout, /13 sessions: 0 analyzed, 12 already in the store, 1 failed/);
  // Other options are other work.
  const other = binary(['batch', join(sessions, 's01.nwb'), '--stimulus', 'orientation', '--window', '0,0.5', '--store', store]);
  t.is(other.code, 0, other.stderr);
  t.regex(other.stdout, /1 session: 1 analyzed, 0 already in the store, 0 failed/);

  // The cross-session summary of the batch: one row per session x area, with intervals.
  const summary = binary(['summary', '--batch', records[0].batch.id.slice(0, 8), '--store', store, '--json']);
  t.is(summary.code, 0, summary.stderr);
  const table = JSON.parse(summary.stdout) as {
    of: string;
    rows: { session: string; area: string; values: { effectiveDimension: number }; intervals: { effectiveDimension?: [number, number] } }[];
  };
  t.is(table.of, `batch ${records[0].batch.id}`);
  t.is(table.rows.length, 24);
  t.deepEqual([...new Set(table.rows.map((r) => r.area))].sort(), ['CA1', 'CA3', 'LM', 'V1']);
  const v1 = table.rows.find((r) => r.session === 's01.nwb' && r.area === 'V1')!;
  const rec1 = records.find((r) => r.session.identifier === 'session-1') as unknown as { groups: { name: string; effectiveDimension: number }[] };
  t.is(v1.values.effectiveDimension, rec1.groups.find((g) => g.name === 'V1')!.effectiveDimension);
  // D_eff is over the 4 stimuli (too few for an interval, 2026-12-02); patterns are over the 24 trials.
  t.is(v1.intervals.effectiveDimension, undefined);
  t.truthy((v1.intervals as Record<string, unknown>).switchingFraction ?? (v1.intervals as Record<string, unknown>).entropyAll);
  const text = binary(['summary', '--batch', records[0].batch.id, '--store', store]);
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, /batch [0-9a-f-]{36}: 12 sessions, 24 session x area rows/);
  t.regex(text.stdout, /s01\.nwb +V1 +3 +4 +[0-9.]+ .*\[/);
  // Without --batch: the newest batch (the one-session rerun with another window).
  t.regex(binary(['summary', '--store', store]).stdout, /: 1 session, 2 session x area rows/);

  const missing = binary(['batch', join(dir, 'nope'), '--store', store]);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /nope: no such file or folder/);
});
