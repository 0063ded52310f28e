import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockResponses, NwbFile, nwbInventory } from '../../../adapters/nwb/index.js';
import { FIXTURES, SHARED_DATA } from '../../helpers.js';
import { twoAreaSpec, writeTemp } from './helpers.js';

interface FileRef {
  nwbVersion: string;
  units: { count: number; spikesPerUnit: number[]; total: number } | null;
  intervals: Record<string, { rows: number; columns: string[] }>;
  electrodeLocations: string[] | null;
  ophys: Record<string, number[]>;
  spikeCounts?: Record<string, number[][]>;
}
const reference = JSON.parse(readFileSync(join(FIXTURES, 'nwb', 'nwb.json'), 'utf8')) as { files: Record<string, FileRef> };

for (const [name, ref] of Object.entries(reference.files)) {
  test(`real file ${name}: inventory equals h5py's reading`, async (t) => {
    const nwb = await NwbFile.open(join(SHARED_DATA, 'nwb', name));
    try {
      const inv = nwbInventory(nwb);
      t.is(inv.session.nwbVersion, ref.nwbVersion);
      if (ref.units) {
        t.is(inv.units!.count, ref.units.count);
        t.deepEqual(inv.units!.spikesPerUnit, ref.units.spikesPerUnit);
        t.is(inv.units!.spikes, ref.units.total);
        t.deepEqual(
          nwb.spikeTimes().map((s) => s.length),
          ref.units.spikesPerUnit,
        );
      } else t.is(inv.units, null);
      t.deepEqual(Object.fromEntries(inv.intervals.map((i) => [i.path, { rows: i.rows, columns: i.columns }])), ref.intervals);
      const locs = nwb.electrodeLocations('/general/extracellular_ephys/electrodes');
      t.deepEqual(locs ? [...new Set(locs)].sort() : null, ref.electrodeLocations);
      t.deepEqual(Object.fromEntries(inv.ophys.map((o) => [o.path, o.shape])), ref.ophys);
    } finally {
      nwb.close();
    }
  });
  if (ref.spikeCounts) {
    test(`real file ${name}: spike counts in 3 windows equal an independent numpy computation`, async (t) => {
      const nwb = await NwbFile.open(join(SHARED_DATA, 'nwb', name));
      try {
        for (const [w, counts] of Object.entries(ref.spikeCounts!)) {
          const [a, b] = w.split(',').map(Number);
          const locked = lockResponses(nwb, { window: [a, b], groupBy: 'location' });
          t.is(locked.groups.length, 1);
          const m = locked.groups[0].matrix;
          t.is(m.n, counts.length);
          t.deepEqual(Array.from(m.data), counts.flat(), `window ${w}`);
        }
      } finally {
        nwb.close();
      }
    });
  }
}

test('real file with NaN stop_time everywhere: aligning on stop_time is an error naming the column', async (t) => {
  const nwb = await NwbFile.open(join(SHARED_DATA, 'nwb', 'sub-anm369963_ses-20170228.nwb'));
  try {
    t.throws(() => lockResponses(nwb, { align: 'stop_time' }), {
      message: /\/intervals\/trials\/stop_time: of 178 rows, 178 alignment times are NaN; fewer than 2 rows are left/,
    });
  } finally {
    nwb.close();
  }
});

test('real ophys file: mean trace in windows from starting_time + rate', async (t) => {
  const nwb = await NwbFile.open(join(SHARED_DATA, 'nwb', 'ophys_testing_data_segmentation_nwb_test.nwb'));
  try {
    const locked = lockResponses(nwb, { bin: 1 });
    t.is(locked.source, 'calcium');
    t.is(locked.series, '/processing/ophys/Fluorescence/RoiResponseSeries');
    const m = locked.groups[0].matrix;
    t.is(m.n, 25); // 250 frames at 10 Hz, 1 s bins
    t.is(m.d, 15);
    // Bin 0 averages frames 0..9 exactly.
    const { data, cols } = nwb.seriesData('/processing/ophys/Fluorescence/RoiResponseSeries');
    let mean0 = 0;
    for (let i = 0; i < 10; i++) mean0 += data[i * cols];
    t.true(Math.abs(m.data[0] - mean0 / 10) < 1e-9);
  } finally {
    nwb.close();
  }
});

for (const dtype of ['<I', '<Q', '<H', '<i'] as const) {
  test(`generated file with ${dtype} index: two areas, exact counts, string and numeric stimulus columns`, async (t) => {
    const { spec, expected, orientations } = twoAreaSpec(dtype);
    const path = await writeTemp(spec);
    const nwb = await NwbFile.open(path);
    try {
      const locked = lockResponses(nwb, { stimulus: 'image' });
      t.deepEqual(
        locked.groups.map((g) => g.name),
        ['V1', 'LM'],
      );
      t.deepEqual(
        locked.groups.map((g) => g.neuronIds),
        [
          [0, 1, 2],
          [3, 4],
        ],
      );
      const v1 = locked.groups[0].matrix;
      expected.forEach((row, r) => t.deepEqual(Array.from(v1.data.subarray(r * 3, r * 3 + 3)), row.slice(0, 3)));
      t.deepEqual(
        locked.stimulus!.values,
        orientations.map((o) => `grating-${o}`),
      );
      t.false(locked.stimulus!.numeric);
      const byQuality = lockResponses(nwb, { groupBy: 'quality', stimulus: 'orientation' });
      t.deepEqual(
        byQuality.groups.map((g) => g.name),
        ['good', 'mua'],
      );
      t.true(byQuality.stimulus!.numeric);
    } finally {
      nwb.close();
    }
  });
}
