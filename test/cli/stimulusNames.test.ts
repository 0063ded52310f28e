/**
 * The README's recipe, end to end: a recording whose stimuli are named by strings, the same images
 * run through an ONNX model in another order (and with one image the recording never showed),
 * `network --stimulus-ids`, then `compare` matching the stimuli by name. The matched comparison
 * must equal the one made with the activations already in the recording's order.
 */
import test from 'ava';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNwbFile } from '../../adapters/nwb/write.js';
import { sessionNwbSpec, syntheticSession } from '../../src/analysis/synthetic.js';
import { encodeNpy } from '../../src/io/npy.js';
import { Rng } from '../../src/core/random.js';
import { cli, tempDir } from '../helpers.js';

const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto') as typeof import('onnx-proto');

/** A float32 ONNX model: 64 inputs -> Gemm -> Relu (32) -> Gemm -> Relu (16). */
function reluModel(seed: number): Uint8Array {
  const rng = new Rng(seed);
  const tensor = (name: string, dims: number[]) =>
    onnx.TensorProto.create({
      name,
      dims,
      dataType: onnx.TensorProto.DataType.FLOAT,
      floatData: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rng.normal() / Math.sqrt(dims[0])),
    });
  const value = (name: string, dims: (number | string)[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } },
      },
    });
  const node = (opType: string, input: string[], output: string) => onnx.NodeProto.create({ opType, input, output: [output], name: output });
  const graph = onnx.GraphProto.create({
    name: 'relu',
    node: [node('Gemm', ['x', 'w1', 'b1'], 'g1'), node('Relu', ['g1'], 'relu1'), node('Gemm', ['relu1', 'w2', 'b2'], 'g2'), node('Relu', ['g2'], 'relu2')],
    initializer: [tensor('w1', [64, 32]), tensor('b1', [32]), tensor('w2', [32, 16]), tensor('b2', [16])],
    input: [value('x', ['n', 64])],
    output: [value('relu2', ['n', 16])],
  });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph, producerName: 'test' })).finish();
}

/** An 8 x 8 grating at `deg` degrees. */
function grating(deg: number): number[] {
  const t = (deg * Math.PI) / 180;
  return Array.from({ length: 64 }, (_, k) => Math.cos(1.2 * ((k % 8) * Math.cos(t) + Math.floor(k / 8) * Math.sin(t))));
}

/** A stored network run of an activation file whose stimuli a file names; its id. */
async function networkRun(store: string, acts: string, ids: string): Promise<string> {
  const r = await cli('network', acts, '--stimulus-ids', ids, '--store', store, '--quiet', '--json', '--repeats', '1');
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout).id;
}

/** compare's similarity record for a network run against the recording (a few measures, no bootstrap). */
async function similarityOf(store: string, networkId: string, analyzeId: string, metrics: string) {
  const r = await cli('compare', networkId, analyzeId, '--store', store, '--quiet', '--json', '--metric', metrics, '--resamples', '0');
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout).similarity;
}

test('a recording with string stimulus names against ONNX activations named in another order: compare matches them by name', async (t) => {
  const dir = tempDir();
  const store = join(dir, 'store');
  const session = syntheticSession({ seed: 3, orientations: 24, repeats: 6 });
  const nwb = join(dir, 'session.nwb');
  await writeNwbFile(nwb, sessionNwbSpec(session, 'string-names'));
  // The recording names its stimuli 'grating 15 deg'; the images come in a shuffled order, with one extra.
  const recorded = [...new Set(session.orientation)];
  const shown = [...recorded, 999];
  new Rng(5).shuffle(shown);
  const images = (order: number[]) => encodeNpy(Float64Array.from(order.flatMap(grating)), [order.length, 64], 'f4');
  writeFileSync(join(dir, 'images.npy'), images(shown));
  writeFileSync(join(dir, 'names.txt'), shown.map((o) => `grating ${o} deg`).join('\n'));
  writeFileSync(join(dir, 'model.onnx'), reluModel(7));

  const analyze = await cli('analyze', nwb, '--stimulus', 'grating', '--store', store, '--quiet', '--json', '--repeats', '1');
  t.is(analyze.code, 0, analyze.stderr);
  const analyzeId = JSON.parse(analyze.stdout).id;
  const acts = await cli('activations', join(dir, 'model.onnx'), join(dir, 'images.npy'), '--out', join(dir, 'acts.npz'), '--quiet');
  t.is(acts.code, 0, acts.stderr);
  const net = await cli('network', join(dir, 'acts.npz'), '--stimulus-ids', join(dir, 'names.txt'), '--store', store, '--quiet', '--json', '--repeats', '1');
  t.is(net.code, 0, net.stderr);
  const networkId = JSON.parse(net.stdout).id;

  const s = await similarityOf(store, networkId, analyzeId, 'predictivity,rsa-spearman,cka');
  t.true(
    s.notes.some((n: string) =>
      /stimuli matched by name: run \w{8}'s 25 rows put in run \w{8}'s stimulus order, 24 stimuli shared \(left out: 1 of run \w{8}'s\)/.test(n),
    ),
    s.notes.join(' | '),
  );
  const cka = s.tables.find((x: { metric: string }) => x.metric === 'cka');
  for (const row of cka.cells) for (const c of row) t.truthy(c, 'every layer x area pair is compared');

  // The same activations in the recording's own order (no matching needed) give the same numbers.
  const order = recorded; // first appearance in the trials: the recording's stimulus order
  writeFileSync(join(dir, 'images2.npy'), images(order));
  writeFileSync(join(dir, 'names2.json'), JSON.stringify(order.map((o) => `grating ${o} deg`)));
  t.is((await cli('activations', join(dir, 'model.onnx'), join(dir, 'images2.npy'), '--out', join(dir, 'acts2.npz'), '--quiet')).code, 0);
  const net2 = await networkRun(store, join(dir, 'acts2.npz'), join(dir, 'names2.json'));
  const cmp2 = await similarityOf(store, net2, analyzeId, 'predictivity,rsa-spearman,cka');
  t.false(cmp2.notes.some((n: string) => /matched by name/.test(n)));
  for (const metric of ['predictivity', 'rsa-spearman', 'cka']) {
    const a = s.tables.find((x: { metric: string }) => x.metric === metric).cells;
    const b = cmp2.tables.find((x: { metric: string }) => x.metric === metric).cells;
    a.forEach((row: { value: number }[], i: number) =>
      row.forEach((c, j) => t.true(Math.abs(c.value - b[i][j].value) < 1e-6, `${metric} ${i} ${j}: ${c.value} vs ${b[i][j].value}`)),
    );
  }

  // Class labels (ids that repeat) cannot name stimuli: the note says so instead of blaming the store.
  writeFileSync(join(dir, 'classes.json'), JSON.stringify(shown.map((o) => (o < 90 ? 'low' : 'high'))));
  const net3 = await networkRun(store, join(dir, 'acts.npz'), join(dir, 'classes.json'));
  const cmp3 = await similarityOf(store, net3, analyzeId, 'rsa-spearman,cka');
  t.true(
    cmp3.notes.some((n: string) =>
      /stimuli not matched by name: run \w{8} names 2 stimuli more than once \(e\.g\. '(low|high)'\): its ids look like labels/.test(n),
    ),
    cmp3.notes.join(' | '),
  );
  t.true(
    cmp3.notes.some((n: string) => /rsa-spearman: not defined for any pair \(the sides saw different stimuli/.test(n)),
    cmp3.notes.join(' | '),
  );
});
