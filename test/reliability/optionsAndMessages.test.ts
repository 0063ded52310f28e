/**
 * Issue "Hardening, third round (continued)": inputs named by options are never overwritten,
 * infinite stimulus values and dead ROIs are dropped and counted, compare says why cells are
 * empty, `--bin` is bounded, and no message carries a raw control character. Files are made here.
 */

import test from 'ava';
import { createHash } from 'node:crypto';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockResponses, NwbFile } from '../../adapters/nwb/index.js';
import { writeNwbFile, type NwbSpec } from '../../adapters/nwb/write.js';
import { Rng } from '../../src/core/random.js';
import { tempDir } from '../helpers.js';
import { twoAreaSpec } from '../adapters/nwb/helpers.js';
import { clean, neurorep, userMistake } from './helpers.js';

const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

test('--out-record naming a file given by an option (--stimulus-ids, directly or through a link) is refused; the input is unchanged', (t) => {
  const dir = tempDir('neurorep-rel-');
  const matrix = join(dir, 'm.csv');
  writeFileSync(matrix, Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(3 * i), (i % 7) - 3, Math.sin(i * i)].join(',')).join('\n'));
  const ids = join(dir, 'ids.csv');
  writeFileSync(ids, Array.from({ length: 40 }, (_, i) => String(i % 10)).join('\n') + '\n');
  const link = join(dir, 'ids-link.json');
  symlinkSync(ids, link);
  const before = digest(ids);
  for (const out of [ids, link]) {
    const r = neurorep(['dimension', matrix, '--stimulus-ids', ids, '--out-record', out, '--force', '--no-store']);
    userMistake(t, r, /--out-record .*: this is one of the command's inputs; choose another file name/);
  }
  t.is(digest(ids), before, 'the --stimulus-ids file is unchanged');
});

test('infinite stimulus values drop their rows, counted, with a nonfinite-dropped warning (as NaN values do)', async (t) => {
  const { spec } = twoAreaSpec();
  const trials = spec.intervals!.trials;
  const orientation = [...(trials.columns!.orientation as number[])];
  orientation[3] = Infinity;
  orientation[4] = -Infinity;
  orientation[6] = NaN;
  spec.intervals!.trials = { ...trials, columns: { ...trials.columns, orientation } };
  const path = join(tempDir('neurorep-rel-'), 'inf-stimulus.nwb');
  await writeNwbFile(path, spec);
  const nwb = await NwbFile.open(path);
  try {
    const locked = lockResponses(nwb, { groupBy: 'location', stimulus: 'orientation' });
    t.is(locked.rowsDroppedStimulusInfinite, 2);
    t.is(locked.rowsDroppedStimulusNaN, 1);
    t.deepEqual(
      locked.keptRows,
      orientation.map((_, i) => i).filter((i) => i !== 3 && i !== 4 && i !== 6),
    );
    t.true(
      locked.stimulus!.values.every((v) => Number.isFinite(v)),
      'no infinite stimulus kept',
    );
    t.is(new Set(locked.stimulus!.values).size, 4, 'the four orientations, no extra stimuli');
  } finally {
    nwb.close();
  }
  const r = neurorep(['analyze', path, '--stimulus', 'orientation', '--json', '--quiet', '--no-store']);
  t.is(r.code, 0, r.stderr);
  const rec = JSON.parse(r.stdout);
  const messages: string[] = rec.warnings.filter((w: { code: string }) => w.code === 'nonfinite-dropped').map((w: { message: string }) => w.message);
  t.true(
    messages.some((m) => /2 rows dropped: the stimulus value orientation is \+-Infinity/.test(m)),
    messages.join(' | '),
  );
});

/** An ophys recording: `rois` ROIs at 10 Hz over trials; ROI `dead` is NaN throughout. */
async function ophysFile(rois: number, dead: number[]): Promise<{ path: string; data: Float64Array; frames: number }> {
  const frames = 600;
  const rng = new Rng(5);
  const data = new Float64Array(frames * rois);
  for (let f = 0; f < frames; f++) for (let c = 0; c < rois; c++) data[f * rois + c] = dead.includes(c) ? NaN : Math.sin(f / 7 + c) + 0.1 * rng.normal();
  const trials = 40;
  const spec: NwbSpec = {
    identifier: 'ophys-dead-roi',
    sessionDescription: 'generated: one dead ROI',
    intervals: {
      trials: {
        start: Array.from({ length: trials }, (_, i) => 1 + i * 1.4),
        stop: Array.from({ length: trials }, (_, i) => 1.5 + i * 1.4),
        columns: { orientation: Array.from({ length: trials }, (_, i) => (i % 4) * 45) },
      },
    },
    ophys: { name: 'RoiResponseSeries', container: 'DfOverF', data, frames, rois, rate: 10 },
  };
  const path = join(tempDir('neurorep-rel-'), 'ophys.nwb');
  await writeNwbFile(path, spec);
  return { path, data, frames };
}

test('a dead ROI (NaN throughout) is left out and counted; every row and the other ROIs are analysed', async (t) => {
  const { path, data } = await ophysFile(6, [2]);
  const nwb = await NwbFile.open(path);
  try {
    const locked = lockResponses(nwb, {});
    t.deepEqual(locked.nonFinite.deadRois, [2]);
    t.is(locked.keptRows.length, 40, 'no row dropped');
    const g = locked.groups[0];
    t.deepEqual(g.neuronIds, [0, 1, 3, 4, 5]);
    t.is(g.matrix.d, 5);
    // Planted truth: row 0 of ROI 3 is the mean of its frames in [1, 1.25) s (frames 10, 11, 12 at 10 Hz).
    // (stored as float32 by the writer)
    const mean = (Math.fround(data[10 * 6 + 3]) + Math.fround(data[11 * 6 + 3]) + Math.fround(data[12 * 6 + 3])) / 3;
    t.true(Math.abs(g.matrix.data[0 * 5 + 2] - mean) < 1e-12, `${g.matrix.data[2]} vs ${mean}`);
  } finally {
    nwb.close();
  }
  const r = neurorep(['analyze', path, '--json', '--quiet', '--no-store']);
  t.is(r.code, 0, r.stderr);
  const rec = JSON.parse(r.stdout);
  t.is(rec.groups[0].d, 5);
  t.true(
    rec.warnings.some(
      (w: { code: string; message: string }) =>
        w.code === 'nonfinite-dropped' && /1 ROI with no finite sample in any window left out \(ROI 2\)/.test(w.message),
    ),
    JSON.stringify(rec.warnings),
  );
  const all = await ophysFile(3, [0, 1, 2]);
  userMistake(t, neurorep(['analyze', all.path, '--no-store']), /no ROI has a finite sample in any window/);
});

test('--bin making too many bins is a clear exit 2 naming the count, before any allocation', (t) => {
  const { spec } = twoAreaSpec();
  const dir = tempDir('neurorep-rel-');
  const path = join(dir, 'bins.nwb');
  return writeNwbFile(path, spec).then(() => {
    const r = neurorep(['analyze', path, '--bin', '0.00001', '--no-store']);
    userMistake(t, r, /--bin 0\.00001 s cuts the [\d.]+ s recording into \d+ bins x 5 units = \d+ numbers; at most 100000 bins/);
    t.true(r.peakMiB < 400, `peak ${r.peakMiB} MiB`);
  });
});

test('compare --folds too large for the stimuli says so (not "no pair shares stimuli"); --intervals without intervals is warned', (t) => {
  const dir = tempDir('neurorep-rel-');
  const store = join(dir, 'store');
  const rng = new Rng(9);
  const ids: string[] = [];
  for (const name of ['a', 'b']) {
    const m = join(dir, `${name}.csv`);
    writeFileSync(m, Array.from({ length: 12 }, () => Array.from({ length: 5 }, () => rng.normal().toFixed(6)).join(',')).join('\n'));
    const r = neurorep(['dimension', m, '--store', store, '--json', '--quiet']);
    t.is(r.code, 0, r.stderr);
    ids.push(JSON.parse(r.stdout).id);
  }
  const r = neurorep(['compare', ...ids, '--folds', '10', '--store', store, '--json', '--quiet']);
  t.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const text = JSON.stringify(out);
  t.regex(text, /10-fold cross-validation needs at least 20 stimuli; no similarity for .*12 stimuli.*use fewer `folds` \(at most 6\)/);
  t.notRegex(text, /no pair of representations shares the same stimuli/);
  const human = neurorep(['compare', ...ids, '--folds', '10', '--store', store]);
  t.regex(human.stderr + human.stdout, /use fewer --folds/);
  clean(t, human);
  const iv = neurorep(['compare', ...ids, '--intervals', '40', '--store', store, '--json', '--quiet']);
  t.is(iv.code, 0, iv.stderr);
  t.regex(iv.stdout, /intervals-unavailable.*with 40 jackknife groups: more groups than the 12 stimuli/);
});

test("control characters typed by a user, in serve's start-up line and in a shard's bytes never reach the terminal raw", async (t) => {
  clean(t, neurorep(['dimension', 'x\u001b[31mred.csv']));
  for (const argv of [
    ['dimension', '--x\u001b[2J\u0007'],
    ['compare', 'abcd', '--metric', 'cka\u001b[2J'],
  ]) {
    const usage = neurorep(argv);
    t.is(usage.code, 2, usage.stderr);
    clean(t, usage);
  }
  const dir = tempDir('neurorep-rel-');
  const shard = join(dir, 'bad.json');
  writeFileSync(shard, '\u001b]0;owned\u0007{"format": 1');
  const imp = neurorep(['import', shard, '--store', join(dir, 'store')]);
  t.not(imp.code, 0);
  clean(t, imp);
  const serve = neurorep(['serve', '--host', 'no\u001b[31mhost.invalid', '--store', join(dir, 'store')]);
  t.is(serve.code, 2, serve.stderr);
  clean(t, serve);
});
