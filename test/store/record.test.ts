import test from 'ava';
import { join } from 'node:path';
import { RunStore } from '../../src/store/runStore.js';
import { toRunRecord, upgradeRecord } from '../../src/store/record.js';
import { tempDir } from '../helpers.js';
import { dimensionRecord } from './fixtures.js';

/** An interval summary as records kept it before 2026-12-02 (key `bootstrap`, bounds under `intervals`). */
const legacySummary = {
  method: 'grouped-jackknife',
  groups: 5,
  seed: 0,
  skipped: 0,
  intervals: { effectiveDimension: { lo: 2, hi: 3 } },
  standardErrors: { effectiveDimension: 0.2 },
};

test('toRunRecord joins a head and a body and checks the kind schema', (t) => {
  const { id: _id, kind: _k, createdAt: _c, toolkitVersion: _v, source, params, ...body } = dimensionRecord();
  const rec = toRunRecord('dimension', source as { path: string; sha256: string; kind: string }, params as Record<string, unknown>, body);
  t.regex(rec.id, /^[0-9a-f-]{36}$/);
  t.is(rec.kind, 'dimension');
  t.is((rec as { effectiveDimension: number }).effectiveDimension, 2.5);
  t.throws(() => toRunRecord('dimension', source as { path: string; sha256: string; kind: string }, {}, { ...body, effectiveDimension: 'high' }), {
    message: /effectiveDimension/,
  });
});

test("upgradeRecord: legacy interval summaries move to `intervals` with `bounds`, at every depth; today's records are unchanged", (t) => {
  const legacy = { kind: 'analyze', groups: [{ name: 'V1', bootstrap: legacySummary, patterns: { bootstrap: legacySummary } }], bootstrap: legacySummary };
  const up = upgradeRecord(legacy) as {
    bootstrap?: unknown;
    intervals: { bounds: unknown; groups: number };
    groups: { intervals: { bounds: unknown }; patterns: { intervals: { bounds: unknown } } }[];
  };
  t.is(up.bootstrap, undefined);
  t.deepEqual(up.intervals.bounds, legacySummary.intervals);
  t.is(up.intervals.groups, 5);
  t.deepEqual(up.groups[0].intervals.bounds, legacySummary.intervals);
  t.deepEqual(up.groups[0].patterns.intervals.bounds, legacySummary.intervals);
  // compare's layer mapping counted its resamples under `bootstrap` (a number): not a summary, left alone.
  t.deepEqual(upgradeRecord({ mapping: [{ bootstrap: 200 }] }), { mapping: [{ bootstrap: 200 }] });
  const today = dimensionRecord({
    intervals: { method: 'grouped-jackknife', groups: 5, seed: 0, skipped: 0, bounds: { effectiveDimension: { lo: 2, hi: 3 } } },
  });
  t.deepEqual(upgradeRecord(today), today);
});

test("a run stored before the rename is read back in today's shape", (t) => {
  const store = RunStore.open(join(tempDir(), 'store'));
  try {
    const legacy = dimensionRecord({ bootstrap: legacySummary });
    store.save(legacy as never);
    const back = store.get(legacy.id as string) as unknown as { bootstrap?: unknown; intervals: { bounds: Record<string, { lo: number; hi: number }> } };
    t.is(back.bootstrap, undefined);
    t.deepEqual(back.intervals.bounds.effectiveDimension, { lo: 2, hi: 3 });
  } finally {
    store.close();
  }
});
