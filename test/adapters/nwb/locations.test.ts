import test from 'ava';
import { areaName, locationFields } from '../../../adapters/nwb/locations.js';
import { cli } from '../../helpers.js';
import { twoAreaSpec, writeTemp } from './helpers.js';

test('area names: the brain_region of key-value location strings, plain strings unchanged', (t) => {
  t.is(
    areaName('brain_region: Thalamus; brain_subregion: N/A; cortical_layer: N/A; hemisphere: left; coordinate_ref: bregma; coordinate_dv: 0.00'),
    'Thalamus',
  );
  t.is(areaName('brain_region: ALM; brain_subregion: N/A; cortical_layer: 5; hemisphere: left; brain_location_full_name: N/A'), 'ALM');
  t.is(areaName('brain_region: Hippocampus; brain_subregion: CA1; hemisphere: right'), 'Hippocampus CA1');
  t.is(areaName('  VISp  '), 'VISp');
  t.is(areaName('CA1; CA3'), 'CA1; CA3', 'a list of areas is not a key-value string');
  t.is(areaName('brain_region: N/A; hemisphere: left'), 'brain_region: N/A; hemisphere: left', 'no region given: the whole string');
  t.deepEqual(
    [...(locationFields('a: 1; b = two')?.entries() ?? [])],
    [
      ['a', '1'],
      ['b', 'two'],
    ],
  );
});

function regionSpec() {
  const { spec } = twoAreaSpec();
  const full = (r: string) => `brain_region: ${r}; brain_subregion: N/A; cortical_layer: N/A; hemisphere: left; coordinate_dv: 0.00`;
  spec.electrodes = {
    location: ['VISp', 'VISp', 'VISp', 'VISl', 'VISl'].map(full),
    group: ['a', 'a', 'a', 'b', 'b'],
    columns: { shank: [0, 0, 1, 1, 1], probe: ['p0', 'p0', 'p0', 'p1', 'p1'] },
  };
  spec.intervals = { ...spec.intervals, epochs: { start: [0], stop: [100], columns: { name: ['all'] } } };
  return spec;
}

test('analyze names areas by their brain_region and groups by any electrodes-table column', async (t) => {
  const path = await writeTemp(regionSpec());
  const byArea = await cli('analyze', path, '--no-store', '--json');
  t.is(byArea.code, 0, byArea.stderr);
  t.deepEqual(
    (JSON.parse(byArea.stdout) as { groups: { name: string; d: number }[] }).groups.map((g) => [g.name, g.d]),
    [
      ['VISp', 3],
      ['VISl', 2],
    ],
  );
  const byShank = await cli('analyze', path, '--group-by', 'shank', '--no-store', '--json');
  t.is(byShank.code, 0, byShank.stderr);
  t.deepEqual(
    (JSON.parse(byShank.stdout) as { groups: { name: string; d: number }[] }).groups.map((g) => [g.name, g.d]),
    [
      ['0', 2],
      ['1', 3],
    ],
  );
  const bad = await cli('analyze', path, '--group-by', 'nope', '--no-store');
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--group-by nope: no such units column \(units columns: .*quality.*; electrodes columns: .*shank, probe\)/);
});

test('info shows per interval column its type, distinct values, repeats and examples, and says when a table cannot give a matrix', async (t) => {
  const path = await writeTemp(regionSpec());
  const r = await cli('info', path);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /areas: VISp \(3\); VISl \(2\)/);
  t.regex(r.stdout, /electrodes columns \(also for --group-by\): location, group, group_name, shank, probe/);
  t.regex(r.stdout, /orientation +number +4 distinct, rows per value 6\/6\/6 \(min\/median\/max\); e\.g\. 0, 45, 90, 135 +<- a --stimulus candidate/);
  t.regex(r.stdout, /image +string +4 distinct, rows per value 6\/6\/6 .*e\.g\. "grating-0"/);
  t.regex(r.stdout, /start_time +number +24 distinct, all distinct/);
  t.regex(
    r.stdout,
    /\/intervals\/epochs: 1 row\n(.*\n){3} +\(fewer than 2 rows: this table cannot give a response matrix; use another --table or --bin SECONDS\)/,
  );
  const json = await cli('info', path, '--json');
  const inv = JSON.parse(json.stdout) as {
    intervals: { path: string; columnStats: { name: string; distinct: number; repeats: { min: number; median: number; max: number } }[] }[];
  };
  const orientation = inv.intervals.find((x) => x.path === '/intervals/trials')!.columnStats.find((c) => c.name === 'orientation')!;
  t.deepEqual([orientation.distinct, orientation.repeats], [4, { min: 6, median: 6, max: 6 }]);

  const one = await cli('analyze', path, '--table', 'epochs', '--no-store');
  t.is(one.code, 2);
  t.regex(
    one.stderr,
    /\/intervals\/epochs: has 1 row, and a response matrix needs at least 2; use another --table \(\/intervals\/trials\) or cut the recording into time bins with --bin SECONDS/,
  );
});
