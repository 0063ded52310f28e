import test from 'ava';
import { join } from 'node:path';
import { binary, cli, SHARED_DATA } from '../helpers.js';
import { twoAreaSpec, writeTemp } from '../adapters/nwb/helpers.js';

test('analyze --json: one group per area with n, d and every observable; cvPCA from repeats; complexity from the stimulus', async (t) => {
  const p = await writeTemp(twoAreaSpec().spec);
  const r = await cli('analyze', p, '--stimulus', 'orientation', '--transitions', '--json');
  t.is(r.code, 0, r.stderr);
  const rec = JSON.parse(r.stdout);
  t.is(rec.kind, 'analyze');
  t.is(rec.session.identifier, 'two-areas');
  t.deepEqual(
    rec.groups.map((g: { name: string }) => g.name),
    ['V1', 'LM'],
  );
  const v1 = rec.groups[0];
  t.is(v1.n, 4); // 4 orientations after averaging the 6 repeats
  t.is(v1.d, 3);
  t.is(v1.trials, 24);
  for (const k of ['effectiveDimension', 'participationRatio', 'alpha', 'spectrum']) t.true(k in v1, k);
  t.is(v1.cvPCA.minRepeats, 6);
  t.true('switchingFraction' in v1.patterns);
  t.true('complexity' in v1.complexity);
  t.deepEqual(rec.params.window, [0, 0.25]);
  // Complexity between consecutive areas, on the same trials.
  t.is(rec.transitions.length, 1);
  t.is(rec.transitions[0].from, 'V1');
  t.is(rec.transitions[0].to, 'LM');
  t.is(rec.transitions[0].n, 24);
  t.true('complexity' in rec.transitions[0] && 'curve' in rec.transitions[0]);
  const reversed = JSON.parse((await cli('analyze', p, '--transitions', '--area-order', 'LM,V1', '--json')).stdout);
  t.deepEqual([reversed.transitions[0].from, reversed.transitions[0].to], ['LM', 'V1']);
  t.deepEqual(JSON.parse((await cli('analyze', p, '--json')).stdout).transitions, [], 'off unless asked');
  const bad = await cli('analyze', p, '--transitions', '--area-order', 'LM,V9');
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--area-order names 'V9', but the areas are: V1, LM/);
  t.is(rec.source.kind, 'nwb');
});

test('analyze on the real files: works where the data is there', async (t) => {
  const good = await cli('analyze', join(SHARED_DATA, 'nwb', 'sub_anm00239123_ses_20170627T093549_ecephys_and_ogen.nwb'), '--stimulus', 'type', '--json');
  t.is(good.code, 0, good.stderr);
  const rec = JSON.parse(good.stdout);
  t.is(rec.groups.length, 1);
  t.is(rec.groups[0].d, 4);
  t.is(rec.groups[0].trials, 412);
  const ophys = await cli('analyze', join(SHARED_DATA, 'nwb', 'ophys_testing_data_segmentation_nwb_test.nwb'), '--bin', '1', '--json');
  t.is(ophys.code, 0, ophys.stderr);
  const o = JSON.parse(ophys.stdout);
  t.is(o.sourceKind, 'calcium');
  t.is(o.groups[0].patterns.threshold, 'mean+sd');
  const bins = await cli('analyze', join(SHARED_DATA, 'nwb', 'tingley_buzsaki_lfp_units_test.nwb'), '--bin', '10', '--json');
  t.is(bins.code, 0, bins.stderr);
  t.is(JSON.parse(bins.stdout).groups[0].d, 10);
});

test('info on an NWB file through the built binary', (t) => {
  const r = binary(['info', join(SHARED_DATA, 'nwb', 'sub-anm369963_ses-20170228.nwb')]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /NWB 2\.0\.2/);
  t.regex(r.stdout, /1 unit, 1679 spikes/);
  t.regex(r.stdout, /\/intervals\/trials: 178 rows/);
});

test('analyze --null and --match-neurons: nulls beside cvPCA, multi-information and complexity; areas at a common neuron count; the size warning', async (t) => {
  const p = await writeTemp(twoAreaSpec().spec);
  const plain = JSON.parse((await cli('analyze', p, '--stimulus', 'orientation', '--json')).stdout);
  t.true(plain.warnings.some((w: { code: string }) => w.code === 'unequal-group-sizes') === (plain.groups[0].d !== plain.groups[1].d));
  const r = await cli('analyze', p, '--stimulus', 'orientation', '--null', '9', '--match-neurons', '--json');
  t.is(r.code, 0, r.stderr);
  const rec = JSON.parse(r.stdout);
  const smallest = Math.min(...rec.groups.map((g: { d: number }) => g.d));
  t.is(rec.params.matchNeurons, smallest);
  for (const g of rec.groups) {
    t.is(g.matched.neurons, smallest);
    t.true(typeof g.matched.observables.effectiveDimension.mean === 'number');
    t.true(Array.isArray(g.neuronCurve) && g.neuronCurve[g.neuronCurve.length - 1].neurons === g.d);
    t.is(g.complexity.null.samples, 9);
    for (const c of g.patterns.curve) t.is(c.null.samples, 9);
  }
  t.false(
    rec.warnings.some((w: { code: string }) => w.code === 'unequal-group-sizes'),
    'matched: no size warning',
  );
  const text = await cli('analyze', p, '--stimulus', 'orientation', '--match-neurons', '2');
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, /at 2 neurons \(10 subsets\): D_eff/);
  const tooMany = await cli('analyze', p, '--match-neurons', '999');
  t.is(tooMany.code, 2);
  t.regex(tooMany.stderr, /--match-neurons 999 is more than/);
});
