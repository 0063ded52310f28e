/**
 * analyze --sliding on a synthetic session whose stimulus responses are one-dimensional in
 * [0, 0.2) s, six-dimensional in [0.2, 0.4) and one-dimensional again in [0.4, 0.6): the effective
 * dimension over time must rise and then fall; compare against a network layer holding the
 * six stimulus factors must find the similarity highest in the middle windows.
 */
import test from 'ava';
import { join } from 'node:path';
import { writeNwbFile } from '../../adapters/nwb/write.js';
import { firstAppearance, sessionNwbSpec, type SyntheticSession } from '../../src/analysis/synthetic.js';
import { Rng } from '../../src/core/random.js';
import { writeNpz } from '../../src/io/matrixFile.js';
import { cli, tempDir } from '../helpers.js';

const STIMULI = 40,
  REPEATS = 6,
  NEURONS = 50,
  FACTORS = 6;

function risingSession(seed: number): { session: SyntheticSession; factors: Float64Array } {
  const rng = new Rng(seed);
  const factors = Float64Array.from({ length: STIMULI * FACTORS }, () => rng.normal());
  const weights = Float64Array.from({ length: NEURONS * FACTORS }, () => rng.normal());
  const orientation: number[] = [];
  for (let r = 0; r < REPEATS; r++) for (let k = 0; k < STIMULI; k++) orientation.push(k);
  rng.shuffle(orientation);
  const start = orientation.map((_, i) => 2 + i);
  const stop = start.map((t) => t + 0.9);
  const spikeTimes: Float64Array[] = [];
  for (let j = 0; j < NEURONS; j++) {
    const times: number[] = [];
    orientation.forEach((k, trial) => {
      // Epoch rates: factor 1 only, then all six, then factor 1 only.
      const one = factors[k * FACTORS] * weights[j * FACTORS];
      let all = 0;
      for (let f = 0; f < FACTORS; f++) all += factors[k * FACTORS + f] * weights[j * FACTORS + f];
      const rates = [80 + 60 * Math.tanh(one / 2), 80 + 60 * Math.tanh(all / 5), 80 + 60 * Math.tanh(one / 2)];
      rates.forEach((rate, e) => {
        for (let s = rng.poisson(rate * 0.2); s > 0; s--) times.push(start[trial] + 0.2 * e + 0.2 * rng.next());
      });
    });
    spikeTimes.push(Float64Array.from(times).sort());
  }
  const areas = [{ name: 'A1', neurons: NEURONS, kappa: [1, 1] as [number, number], peak: [0, 0] as [number, number], baseline: 0 }];
  return { session: { orientation, start, stop, spikeTimes, area: spikeTimes.map(() => 'A1'), areas }, factors };
}

test('analyze --sliding: D_eff over time rises then falls with the planted dimensionality; compare follows the layer over time', async (t) => {
  const dir = tempDir();
  const store = join(dir, 'store');
  const { session, factors } = risingSession(3);
  const nwb = join(dir, 'rising.nwb');
  await writeNwbFile(nwb, sessionNwbSpec(session, 'rising'));
  // The main window is the six-dimensional epoch, so its best layer is 'six'.
  const r = await cli(
    'analyze',
    nwb,
    '--stimulus',
    'orientation',
    '--window',
    '0.2,0.4',
    '--sliding',
    '0,0.6,0.1',
    '--width',
    '0.1',
    '--intervals',
    '--store',
    store,
    '--json',
    '--quiet',
  );
  t.is(r.code, 0, r.stderr);
  const rec = JSON.parse(r.stdout);
  const windows = rec.timeResolved.windows as {
    start: number;
    stop: number;
    groups: { values: Record<string, number | null>; intervals: Record<string, [number, number]> }[];
  }[];
  t.deepEqual(
    windows.map((w) => [w.start, w.stop]),
    [
      [0, 0.1],
      [0.1, 0.2],
      [0.2, 0.3],
      [0.3, 0.4],
      [0.4, 0.5],
      [0.5, 0.6],
    ],
  );
  const deff = windows.map((w) => w.groups[0].values.effectiveDimension!);
  const cv = windows.map((w) => w.groups[0].values.cvPcaEffectiveDimension!);
  t.log(`D_eff over time ${deff.map((v) => v.toFixed(2)).join(' ')}; cvPCA ${cv.map((v) => v?.toFixed(2)).join(' ')}`);
  const early = Math.max(deff[0], deff[1]),
    middle = Math.min(deff[2], deff[3]),
    late = Math.max(deff[4], deff[5]);
  t.true(middle > 1.5 * early && middle > 1.5 * late, `D_eff ${deff.join(', ')}`);
  t.true(Math.min(cv[2], cv[3]) > 1.5 * Math.max(cv[0], cv[1], cv[4], cv[5]), `cvPCA D_eff ${cv.join(', ')}`);
  for (const w of windows) {
    const iv = w.groups[0].intervals.effectiveDimension;
    t.true(iv[0] <= w.groups[0].values.effectiveDimension! && w.groups[0].values.effectiveDimension! <= iv[1]);
  }
  // A network whose layers are the six factors (and one of them) on the same stimuli.
  const ids = firstAppearance(session.orientation);
  const six = new Float64Array(STIMULI * FACTORS),
    one = new Float64Array(STIMULI * 2);
  ids.forEach((k, i) => {
    for (let f = 0; f < FACTORS; f++) six[i * FACTORS + f] = factors[k * FACTORS + f];
    one[i * 2] = factors[k * FACTORS];
    one[i * 2 + 1] = 0.01 * Math.sin(k);
  });
  const npz = join(dir, 'net.npz');
  writeNpz(npz, [
    ['one', { data: one, shape: [STIMULI, 2] }],
    ['six', { data: six, shape: [STIMULI, FACTORS] }],
    ['stimulus_ids', { data: Float64Array.from(ids), shape: [STIMULI] }],
  ]);
  const net = await cli('network', npz, '--store', store, '--json', '--quiet');
  t.is(net.code, 0, net.stderr);
  const c = await cli('compare', JSON.parse(net.stdout).id, rec.id, '--metric', 'cka,predictivity', '--store', store, '--json', '--quiet');
  t.is(c.code, 0, c.stderr);
  const tc = JSON.parse(c.stdout).similarity.timeCourse as { layer: string; metric: string; points: { start: number; cell: { value: number } | null }[] }[];
  const ckaOverTime = tc.find((x) => x.metric === 'cka')!;
  t.is(ckaOverTime.points.length, 6);
  const v = ckaOverTime.points.map((p) => p.cell!.value);
  t.log(`best layer ${ckaOverTime.layer}; CKA over time ${v.map((x) => x.toFixed(2)).join(' ')}`);
  t.is(ckaOverTime.layer, 'six');
  t.true(Math.min(v[2], v[3]) > Math.max(v[0], v[1], v[4], v[5]) + 0.2, `CKA over time ${v.join(', ')}`);
  // The run list tells a time-resolved run apart.
  t.regex((await cli('runs', '--store', store)).stdout, /window 0\.2-0\.4, sliding 0-0\.6 every 0\.1 \(width 0\.1\)/);
  const text = await cli('compare', JSON.parse(net.stdout).id, rec.id, '--metric', 'cka', '--store', store, '--quiet');
  t.regex(text.stdout, /over time \(each area against its best layer in the main window\)/);
});

test('analyze --sliding: clear usage errors', async (t) => {
  for (const [args, msg] of [
    [['--sliding', '0,1'], /three numbers START,STOP,STEP/],
    [['--sliding', '0,1,0.1'], /needs --width W/],
    [['--width', '0.1'], /give --sliding START,STOP,STEP too/],
    [['--sliding', '0,1,-0.1', '--width', '0.1'], /STEP must be positive/],
  ] as [string[], RegExp][]) {
    const r = await cli('analyze', 'x.nwb', ...args);
    t.is(r.code, 2, args.join(' '));
    t.regex(r.stderr, msg);
  }
});
