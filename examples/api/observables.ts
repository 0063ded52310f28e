/**
 * neurorep as a library: every observable of the paper's programme from a script.
 *
 *   npx tsx examples/api/observables.ts [recording.nwb] [--out DIR]
 *
 * Without an argument it analyses a synthetic session that neurorep generates (two simulated visual
 * areas and a small ReLU network shown the same gratings); with one, it analyses that NWB file.
 * It prints one JSON object (the test in test/examples/api.test.ts checks it against direct calls).
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  analyzeNwb,
  correlationRdm,
  effectiveDimension,
  factorOfMatrix,
  firstAppearance,
  foldAssignment,
  linearCka,
  linearPredictivity,
  rdmSpearman,
  Rng,
  shapeDistance,
  mapComplexity,
  patternEntropy,
  profileNetwork,
  RunStore,
  toRunRecord,
  sessionNwbSpec,
  syntheticNetwork,
  syntheticSession,
  writeNwbFile,
} from 'neurorep';

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const dir = outAt >= 0 ? args[outAt + 1] : mkdtempSync(join(tmpdir(), 'neurorep-api-'));
let nwbPath = args.find((a, i) => !a.startsWith('--') && i !== outAt + 1);

// 1. A recording: the given file, or a synthetic session written as NWB.
if (!nwbPath) {
  const session = syntheticSession({ seed: 1 });
  nwbPath = join(dir, 'session.nwb');
  await writeNwbFile(nwbPath, sessionNwbSpec(session, 'api-example'));
}

// 2. Every observable per brain area, as `neurorep analyze` computes it.
const analysis = await analyzeNwb(nwbPath, { stimulus: nwbPath.endsWith('session.nwb') ? 'orientation' : undefined, seed: 0 });
const areas = analysis.groups.map((g) => ({
  area: g.name,
  neurons: g.d,
  stimuli: g.n,
  effectiveDimension: g.effectiveDimension,
  effectiveDimensionCorrected: g.effectiveDimensionCorrected,
  switchingFraction: g.patterns?.switchingFraction ?? null,
  complexityFromStimulus: g.complexity?.complexity ?? null,
}));

// 3. The pure functions on in-memory matrices: a network shown 72 orientations.
const orientations = firstAppearance(syntheticSession({ seed: 1 }).orientation);
const net = syntheticNetwork(orientations, [64, 64, 32], 2);
const [relu1, relu2] = net.layers;
const dim = effectiveDimension(relu1.matrix);
const map = mapComplexity(relu1.matrix, relu2.matrix, { seed: 0 });
const pats = patternEntropy(relu2.matrix);
const cka = linearCka(relu1.matrix, relu2.matrix);
const profile = profileNetwork(net.layers, net.input, { seed: 0 });

// 3b. Comparing two representations of the same stimuli (as `neurorep compare` does, without the
// intervals, nulls and ceilings): predictivity, RSA and the angular Procrustes distance.
const fold = foldAssignment(new Rng(0), relu1.matrix.n, 5);
const predictivity = linearPredictivity(factorOfMatrix(relu1.matrix), relu2.matrix, fold, 5).score;
const rsa = rdmSpearman(
  correlationRdm(relu1.matrix.data, relu1.matrix.n, relu1.matrix.d),
  correlationRdm(relu2.matrix.data, relu2.matrix.n, relu2.matrix.d),
  relu1.matrix.n,
);
const procrustes = shapeDistance(factorOfMatrix(relu1.matrix), factorOfMatrix(relu2.matrix), 1, fold, 5).distance;

// 4. Keep a record in a run store, as the CLI does, and read it back: the run then shows in
// `neurorep runs --store DIR` and in the viewer. toRunRecord checks the record against its schema.
const record = toRunRecord('dimension', { path: 'relu1 of the synthetic network', sha256: '', kind: 'activations' }, { seed: 0 }, dim);
const store = RunStore.open(join(dir, 'store'));
store.save(record);
const stored = store.get(record.id)!;
store.close();

console.log(
  JSON.stringify({
    recording: nwbPath,
    areas,
    network: {
      relu1EffectiveDimension: dim.effectiveDimension,
      relu1to2Complexity: map.complexity,
      relu2SwitchingFraction: pats.switchingFraction,
      relu1relu2Cka: cka,
      relu1relu2Predictivity: predictivity,
      relu1relu2RsaSpearman: rsa,
      relu1relu2ProcrustesAngle: procrustes,
      layers: profile.layers.map((l) => ({ name: l.name, effectiveDimension: l.effectiveDimension })),
    },
    stored: { id: stored.id, kind: stored.kind, effectiveDimension: (stored as { effectiveDimension: number }).effectiveDimension },
  }),
);
