/**
 * A newcomer's third walk (issue of 2026-12-02): what stopped or misled a new user, each point end
 * to end. The library install from the packed tarball is in test/api/package.test.ts; the demo's
 * reproducible "look again" command in test/cli/demo.test.ts; the viewer's alpha, short ids and
 * chart widths in test/report and test/server.
 */

import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockResponses, NwbFile } from '../../adapters/nwb/index.js';
import { writeNwbFile, type NwbSpec } from '../../adapters/nwb/write.js';
import { Rng } from '../../src/core/random.js';
import { responseMatrix } from '../../src/core/matrix.js';
import { mapComplexity } from '../../src/core/complexity/complexity.js';
import { RunStore } from '../../src/store/runStore.js';
import { writeSessions, twoAreaSpec } from '../adapters/nwb/helpers.js';
import { binary, cli, tempDir } from '../helpers.js';

test('intervals with too few stimuli: no point interval, a warning with the reason (3 stimuli), and never silence (2 stimuli); 10 stimuli have intervals', async (t) => {
  const dir = tempDir();
  const three = join(dir, 'three.csv');
  writeFileSync(three, '1,2,3\n4,5,7\n1,0,2\n');
  const r = await cli('dimension', three, '--intervals', '--no-store', '--json');
  t.is(r.code, 0, r.stderr);
  const rec = JSON.parse(r.stdout) as {
    intervals: { bounds: Record<string, unknown>; unavailable: Record<string, string> };
    warnings: { code: string; message: string }[];
  };
  t.is(rec.intervals.bounds.effectiveDimension, undefined, 'no [x, x] interval');
  t.regex(rec.intervals.unavailable.effectiveDimension, /only 3 stimuli: too few for a jackknife interval \(at least 10\)/);
  t.true(rec.warnings.some((w) => w.code === 'intervals-unavailable' && /effectiveDimension/.test(w.message)));
  const two = join(dir, 'two.csv');
  writeFileSync(two, '1,2,3\n4,5,7\n');
  const t2 = await cli('dimension', two, '--intervals', '--no-store');
  t.is(t2.code, 0, t2.stderr);
  t.regex(t2.stdout, /warning \[intervals-unavailable\]: no 95% interval for effectiveDimension.*only 2 stimuli: too few for a jackknife interval/);
  t.notRegex(t2.stdout, /95% CI \[/);
  const ten = join(dir, 'ten.csv');
  const g = new Rng(3);
  writeFileSync(ten, Array.from({ length: 10 }, () => [g.normal(), g.normal(), g.normal()].join(',')).join('\n'));
  const t10 = await cli('dimension', ten, '--intervals', '--no-store', '--json');
  const r10 = JSON.parse(t10.stdout) as { intervals: { bounds: Record<string, { lo: number; hi: number }> } };
  t.true(r10.intervals.bounds.effectiveDimension.hi > r10.intervals.bounds.effectiveDimension.lo);
});

test('a rerun of a batch continues its id: summary covers every session; sessions are named by file; "all" groups of unrelated files are not pooled', async (t) => {
  const dir = tempDir();
  const folder = join(dir, 'sessions');
  // Files without electrode locations: their one group is called "all".
  await writeSessions(folder, 3, 'walk', (spec) => {
    delete spec.electrodes;
    delete spec.units!.electrodes;
  });
  const store = join(dir, 'store');
  const first = binary(['batch', join(folder, 's01.nwb'), join(folder, 's02.nwb'), '--stimulus', 'orientation', '--store', store]);
  t.is(first.code, 0, first.stderr);
  const again = binary(['batch', folder, '--stimulus', 'orientation', '--store', store]);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /1 analyzed, 2 already in the store/);
  const id1 = /^batch ([0-9a-f-]{36})/m.exec(first.stdout)![1];
  const id2 = /^batch ([0-9a-f-]{36})/m.exec(again.stdout)![1];
  t.is(id2, id1, 'the rerun continues the batch id');
  const s = await cli('summary', '--store', store, '--json');
  t.is(s.code, 0, s.stderr);
  const rows = (JSON.parse(s.stdout) as { rows: { session: string; area: string; pooled: boolean }[] }).rows;
  t.deepEqual(rows.map((r) => r.session).sort(), ['s01.nwb', 's02.nwb', 's03.nwb']);
  t.true(rows.every((r) => r.area === 'all' && r.pooled === false));
  const db = RunStore.open(store, { readonly: true });
  t.is(db.count(), 3);
  db.close();
});

test('--bin equal to the frame period gives every bin exactly one frame (bins by sample index)', async (t) => {
  const rois = 3;
  const frames = 250;
  const data = new Float64Array(frames * rois);
  for (let f = 0; f < frames; f++) for (let c = 0; c < rois; c++) data[f * rois + c] = f + 1000 * c; // frame number: exact in float32
  const spec: NwbSpec = {
    identifier: 'binned',
    sessionDescription: 'generated: 10 Hz trace',
    ophys: { name: 'RoiResponseSeries', container: 'DfOverF', data, frames, rois, rate: 10, startingTime: 0.3 },
  };
  const path = join(tempDir(), 'ophys.nwb');
  await writeNwbFile(path, spec);
  const nwb = await NwbFile.open(path);
  try {
    const locked = lockResponses(nwb, { bin: 0.1 });
    const m = locked.groups[0].matrix;
    t.is(m.n, frames, 'one bin per frame, none empty, none dropped');
    t.is(locked.rowsDroppedEmpty, 0);
    for (let f = 0; f < frames; f++) t.is(m.data[f * rois], f, `bin ${f} holds frame ${f} alone`);
    const pairs = lockResponses(nwb, { bin: 0.2 });
    t.is(pairs.groups[0].matrix.n, 125);
    t.is(pairs.groups[0].matrix.data[3 * rois], 6.5, 'bin 3 = mean of frames 6 and 7');
  } finally {
    nwb.close();
  }
});

test('warnings advise only options the command takes: --components on analyze and network; C = 0 against undefined is not decided by rounding', async (t) => {
  const dir = tempDir();
  const { spec } = twoAreaSpec();
  const path = join(dir, 'two.nwb');
  await writeNwbFile(path, spec);
  const r = await cli('analyze', path, '--stimulus', 'orientation', '--components', '2', '--no-store', '--json');
  t.is(r.code, 0, r.stderr);
  const acts = join(dir, 'acts.npz');
  const { writeNpz } = await import('../../src/io/matrixFile.js');
  const rng = new Rng(2);
  const x = Float64Array.from({ length: 200 * 8 }, () => rng.normal());
  const h = x.map((v) => Math.max(0, v));
  writeNpz(acts, [
    ['a', { shape: [200, 8], data: x }],
    ['b', { shape: [200, 8], data: h }],
  ]);
  const n = await cli('network', acts, '--components', '3', '--no-store');
  t.is(n.code, 0, n.stderr);
  // Y independent of X, 90 stimuli seen once: the best held-out R^2 lands a hair either side of 0.
  // C is a number exactly when that R^2 is above the resolution (2e-4), never by the sign of rounding.
  let undefinedSeen = 0;
  for (let seed = 0; seed < 12; seed++) {
    const g = new Rng(100 + seed);
    const X = responseMatrix(
      90,
      3,
      Float64Array.from({ length: 270 }, () => g.normal()),
    );
    const Y = responseMatrix(
      90,
      4,
      Float64Array.from({ length: 360 }, () => g.normal()),
    );
    const res = mapComplexity(X, Y, { definition: 2, seed });
    t.is(res.complexity === null, !(res.bestR2 > 2e-4), `seed ${seed}: best R^2 ${res.bestR2}, C ${res.complexity}`);
    if (res.complexity === null) undefinedSeen++;
  }
  t.true(undefinedSeen > 0, 'independent maps are undefined, not 0');
});

test('alignment help: every window empty (a column relative to trial start) and a window in milliseconds are both named', async (t) => {
  const { spec } = twoAreaSpec();
  const trials = spec.intervals!.trials;
  // A column of times relative to trial start: 0.05 s for every trial, far before any spike (spikes start at 10 s).
  spec.intervals!.trials = { ...trials, columns: { ...trials.columns, stim_onset: trials.start.map(() => 0.05) } };
  const path = join(tempDir(), 'relative.nwb');
  await writeNwbFile(path, spec);
  const r = await cli('analyze', path, '--stimulus', 'orientation', '--align', 'stim_onset', '--no-store');
  t.is(r.code, 0, r.stderr);
  t.regex(
    r.stdout + r.stderr,
    /alignment-suspect.*every window holds zero spikes: the windows span 0\.05 to 0\.3 s, the spikes 10(\.\d+)? to \d+(\.\d+)? s; is \/intervals\/trials\/stim_onset a time relative to trial start/,
  );
  const ms = await cli('analyze', path, '--stimulus', 'orientation', '--window', '0,250', '--no-store');
  t.is(ms.code, 0, ms.stderr);
  t.regex(ms.stdout + ms.stderr, /the window is 250 s long, more than 10 times the median trial \(0\.9 s\): --window is in seconds/);
});

test('wording: did-you-mean for options and commands, "1 neuron" not "1 neurons", no ranks range without an alpha, no "complexity complexity"', async (t) => {
  const a = await cli('analyze', 'x.nwb', '--stimuls', 'orientation');
  t.is(a.code, 2);
  t.regex(a.stderr, /unknown option '--stimuls'; did you mean --stimulus\?/);
  const c = await cli('analyse');
  t.is(c.code, 2);
  t.regex(c.stderr, /unknown command 'analyse' \(did you mean 'analyze'\?\)/);
  const dir = tempDir();
  const one = join(dir, 'one.csv');
  writeFileSync(one, Array.from({ length: 30 }, (_, i) => String(Math.sin(i))).join('\n'));
  const d = await cli('dimension', one, '--no-store');
  t.is(d.code, 0, d.stderr);
  t.regex(d.stdout, /30 stimuli x 1 neuron\b/);
  t.regex(d.stdout, /alpha = not reported/);
  t.notRegex(d.stdout, /ranks 1-0|ranks 1-1/);
  const { spec } = twoAreaSpec();
  const path = join(dir, 'two.nwb');
  await writeNwbFile(path, spec);
  const r = await cli('analyze', path, '--stimulus', 'orientation', '--no-store', '--json');
  t.is(r.code, 0, r.stderr);
  t.notRegex(r.stdout + r.stderr, /complexity complexity/);
  t.notRegex(r.stdout, /among \d+ stimuli/, 'rows of an interval table are trials');
});
