/** examples/api/observables.ts doubles as a regression test: its numbers equal direct calls of the API. */

import test from 'ava';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  analyzeNwb,
  effectiveDimension,
  factorOfMatrix,
  firstAppearance,
  foldAssignment,
  linearCka,
  linearPredictivity,
  Rng,
  syntheticNetwork,
  syntheticSession,
} from '../../src/index.js';
import { ROOT, tempDir } from '../helpers.js';

test('the API example runs and prints what the API computes', async (t) => {
  const out = tempDir('neurorep-api-example-');
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'examples', 'api', 'observables.ts'), '--out', out], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 180_000,
  });
  t.is(r.status, 0, r.stderr);
  const printed = JSON.parse(r.stdout);
  t.is(printed.recording, join(out, 'session.nwb'));
  const direct = await analyzeNwb(printed.recording, { stimulus: 'orientation', seed: 0 });
  t.deepEqual(
    printed.areas.map((a: { area: string }) => a.area),
    ['V1 (simulated)', 'LM (simulated)'],
  );
  printed.areas.forEach((a: { effectiveDimension: number; neurons: number; stimuli: number }, i: number) => {
    t.is(a.effectiveDimension, direct.groups[i].effectiveDimension as number);
    t.is(a.neurons, direct.groups[i].d);
    t.is(a.stimuli, 72);
  });
  const net = syntheticNetwork(firstAppearance(syntheticSession({ seed: 1 }).orientation), [64, 64, 32], 2);
  t.is(printed.network.relu1EffectiveDimension, effectiveDimension(net.layers[0].matrix).effectiveDimension);
  t.is(printed.network.relu1relu2Cka, linearCka(net.layers[0].matrix, net.layers[1].matrix));
  t.is(printed.network.layers.length, 3);
  // The run it stored was read back from the store with the same numbers.
  t.is(printed.stored.kind, 'dimension');
  t.regex(printed.stored.id, /^[0-9a-f-]{36}$/);
  t.is(printed.stored.effectiveDimension, printed.network.relu1EffectiveDimension);
  const fold = foldAssignment(new Rng(0), 72, 5);
  t.is(printed.network.relu1relu2Predictivity, linearPredictivity(factorOfMatrix(net.layers[0].matrix), net.layers[1].matrix, fold, 5).score);
  // relu2 is a ReLU of a linear map of relu1: a high predictivity and RSA, a small Procrustes angle.
  t.true(printed.network.relu1relu2Predictivity > 0.8 && printed.network.relu1relu2RsaSpearman > 0.8 && printed.network.relu1relu2ProcrustesAngle < 0.8);
});
