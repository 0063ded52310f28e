/**
 * Class 1: no silent wrong results from non-finite values in a recording. Every NaN or +-Inf read
 * from an NWB file is dropped, counted and reported as a warning in the record (or is an input
 * error naming the dataset); spike counts equal the counts with those values left out.
 */

import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockResponses, NwbFile } from '../../adapters/nwb/index.js';
import { writeNwbFile } from '../../adapters/nwb/write.js';
import { tempDir } from '../helpers.js';
import { twoAreaSpec } from '../adapters/nwb/helpers.js';
import { clean, neurorep, userMistake } from './helpers.js';

/** The two-area recording with NaN (and +-Inf) spike times added to units 0 and 3, inside every window. */
async function nanSpikes(): Promise<{ path: string; expected: number[][]; added: number }> {
  const { spec, expected } = twoAreaSpec();
  let added = 0;
  spec.units!.spikeTimes = spec.units!.spikeTimes.map((s, u) => {
    if (u !== 0 && u !== 3) return s;
    const bad = u === 0 ? [NaN, NaN, NaN] : [NaN, Infinity, -Infinity];
    added += bad.length;
    // NaN sorts last in a Float64Array; put them first too, where a binary search would trip on them.
    return Float64Array.from([bad[0], ...s, ...bad.slice(1)]);
  });
  const path = join(tempDir('neurorep-rel-'), 'nan-spikes.nwb');
  await writeNwbFile(path, spec);
  return { path, expected, added };
}

test('NaN and +-Inf spike times are dropped, counted and reported; counts equal the counts without them', async (t) => {
  const { path, expected, added } = await nanSpikes();
  const nwb = await NwbFile.open(path);
  try {
    const locked = lockResponses(nwb, { groupBy: 'location' });
    t.is(locked.nonFinite.spikeTimes, added);
    t.deepEqual(locked.nonFinite.units, [0, 3]);
    // Planted truth: the counts the generator put in each window, area by area.
    const v1 = locked.groups.find((g) => g.name === 'V1')!.matrix;
    const lm = locked.groups.find((g) => g.name === 'LM')!.matrix;
    t.deepEqual(
      Array.from(v1.data),
      expected.flatMap((row) => row.slice(0, 3)),
    );
    t.deepEqual(
      Array.from(lm.data),
      expected.flatMap((row) => row.slice(3)),
    );
  } finally {
    nwb.close();
  }
  const r = neurorep(['analyze', path, '--stimulus', 'orientation', '--json', '--quiet']);
  t.is(r.code, 0, r.stderr);
  const rec = JSON.parse(r.stdout);
  t.is(rec.nonFinite.spikeTimes, added);
  const w = rec.warnings.find((x: { code: string }) => x.code === 'nonfinite-dropped');
  t.truthy(w, 'a nonfinite-dropped warning in the record');
  t.regex(w.message, /6 non-finite spike times dropped \(unit ids 0, 3\)/);
  const text = neurorep(['analyze', path, '--stimulus', 'orientation', '--no-store']);
  t.is(text.code, 0);
  t.regex(text.stdout, /warning \[nonfinite-dropped\]/);
  clean(t, text);
});

test('NaN and +-Inf alignment times and NaN stimulus values drop their rows with a warning; nothing else changes', async (t) => {
  const { spec, expected } = twoAreaSpec();
  const trials = spec.intervals!.trials;
  const start = [...trials.start];
  start[2] = Infinity;
  start[5] = -Infinity;
  start[9] = NaN;
  const orientation = [...(trials.columns!.orientation as number[])];
  orientation[7] = NaN;
  spec.intervals!.trials = { ...trials, start, columns: { ...trials.columns, orientation } };
  const path = join(tempDir('neurorep-rel-'), 'inf-align.nwb');
  await writeNwbFile(path, spec);
  const nwb = await NwbFile.open(path);
  try {
    const locked = lockResponses(nwb, { groupBy: 'location', stimulus: 'orientation' });
    t.is(locked.rowsDroppedInfinite, 2);
    t.is(locked.rowsDroppedStimulusNaN, 1);
    t.is(locked.rowsDroppedNaN, 1);
    const dropped = new Set([2, 5, 7, 9]);
    const kept = expected.filter((_, i) => !dropped.has(i));
    t.deepEqual(
      locked.keptRows,
      expected.map((_, i) => i).filter((i) => !dropped.has(i)),
    );
    t.deepEqual(
      Array.from(locked.groups.find((g) => g.name === 'V1')!.matrix.data),
      kept.flatMap((row) => row.slice(0, 3)),
    );
  } finally {
    nwb.close();
  }
  const r = neurorep(['analyze', path, '--stimulus', 'orientation', '--json', '--quiet', '--no-store']);
  t.is(r.code, 0, r.stderr);
  const messages = JSON.parse(r.stdout)
    .warnings.filter((x: { code: string }) => x.code === 'nonfinite-dropped')
    .map((x: { message: string }) => x.message);
  t.true(
    messages.some((m: string) => /2 rows dropped: .*start_time is \+-Infinity/.test(m)),
    messages.join(' | '),
  );
  t.true(
    messages.some((m: string) => /1 row dropped: the stimulus value orientation is NaN/.test(m)),
    messages.join(' | '),
  );
  t.true(
    messages.some((m: string) => /1 row dropped: .*start_time is NaN/.test(m)),
    messages.join(' | '),
  );
});

test('non-finite values in plain matrix files are input errors naming the row and column', (t) => {
  const dir = tempDir('neurorep-rel-');
  const csv = join(dir, 'm.csv');
  writeFileSync(csv, 'a,b\n1,2\n3,NaN\n5,6\n');
  userMistake(t, neurorep(['dimension', csv, '--no-store']), /m\.csv: NaN at row 2, column 2; values must be finite/);
  const inf = join(dir, 'inf.csv');
  writeFileSync(inf, '1,2\n3,4\n5,1e999\n');
  userMistake(t, neurorep(['dimension', inf, '--no-store']), /inf\.csv: Infinity at row 3, column 2/);
});
