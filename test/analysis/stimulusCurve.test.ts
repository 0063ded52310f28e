import test from 'ava';
import { join } from 'node:path';
import { stimulusCurve } from '../../src/analysis/matching.js';
import { responseMatrix } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/random.js';
import { writeNpz } from '../../src/io/matrixFile.js';
import { cli, tempDir } from '../helpers.js';

/** n Gaussian rows of an isotropic d-neuron population: population D_eff = d. */
function isotropic(n: number, d: number, seed: number) {
  const rng = new Rng(seed);
  return responseMatrix(
    n,
    d,
    Float64Array.from({ length: n * d }, () => rng.normal()),
  );
}

test('D_eff against stimuli: the plug-in grows towards d with n, the corrected value stays near d (isotropic, d = 40)', (t) => {
  const curve = stimulusCurve(isotropic(640, 40, 1), { seed: 2 });
  t.deepEqual(
    curve.map((c) => c.stimuli),
    [40, 80, 160, 320, 640],
  );
  t.is(curve[0].subsets, 5);
  t.is(curve[4].subsets, 1, 'all stimuli: one set');
  for (let k = 1; k < curve.length; k++) t.true(curve[k].mean > curve[k - 1].mean, `plug-in grows: ${curve.map((c) => c.mean.toFixed(1)).join(' ')}`);
  // Marchenko-Pastur: the plug-in at n = 80 sees a spread spectrum, far below 40.
  t.true(curve[1].mean < 0.8 * 40);
  for (const c of curve.slice(1)) t.true(Math.abs(c.corrected! - 40) < 0.1 * 40, `corrected at ${c.stimuli}: ${c.corrected}`);
});

test('network --stimulus-curve: the curve in JSON and in the text', async (t) => {
  const dir = tempDir();
  const f = join(dir, 'acts.npz');
  const m = isotropic(200, 12, 3);
  writeNpz(f, [['h', { data: m.data, shape: [200, 12] }]]);
  const r = await cli('network', f, '--stimulus-curve', '--json', '--no-store');
  t.is(r.code, 0, r.stderr);
  const rec = JSON.parse(r.stdout);
  t.deepEqual(
    rec.layers[0].stimulusCurve.map((c: { stimuli: number }) => c.stimuli),
    [25, 50, 100, 200],
  );
  t.true(rec.params.stimulusCurve);
  const text = await cli('network', f, '--stimulus-curve', '--no-store');
  t.regex(text.stdout, /h, D_eff against stimuli \(plug-in \/ corrected\): 25: /);
});
