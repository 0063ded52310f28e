import test from 'ava';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpz } from '../../../src/io/npz.js';
import { parseNpy } from '../../../src/io/npy.js';
import { encodeNpy } from '../../../src/io/npy.js';
import { writeFileSync } from 'node:fs';
import { cli, SHARED_DATA, tempDir } from '../../helpers.js';

const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto') as typeof import('onnx-proto');
const MODELS = join(SHARED_DATA, 'models');
const IMAGES = join(SHARED_DATA, 'datasets', 'mnist', 'mnist_test_first2000_images_uint8.npy');
const LABELS = join(SHARED_DATA, 'datasets', 'mnist', 'mnist_test_first2000_labels_uint8.npy');

function initializer(model: string, name: string): Float32Array {
  const m = onnx.ModelProto.decode(readFileSync(join(MODELS, model)));
  const t = m.graph!.initializer!.find((i) => i.name === name)!;
  if (t.rawData && t.rawData.length) return new Float32Array(Uint8Array.from(t.rawData).buffer);
  return Float32Array.from(t.floatData!);
}

function argmaxAccuracy(scores: Float64Array, classes: number, labels: Float64Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[i * classes + c] > scores[i * classes + best]) best = c;
    if (best === labels[i]) correct++;
  }
  return correct / labels.length;
}

test('MLP activations on 100 images equal a matrix-product computation from the initializers (1e-5 relative to max(1, |value|); float32 accumulation)', async (t) => {
  const dir = tempDir();
  const images = parseNpy(readFileSync(IMAGES), 'images');
  const first = images.data.subarray(0, 100 * 784);
  writeFileSync(join(dir, 'x.npy'), encodeNpy(first, [100, 28, 28], 'u1'));
  const out = join(dir, 'acts.npz');
  const r = await cli('activations', join(MODELS, 'mnist2x10_mlp.onnx'), join(dir, 'x.npy'), '--scale', '1/255', '--out', out);
  t.is(r.code, 0, r.stderr);
  const acts = readNpz(out);
  t.deepEqual([...acts.keys()], ['onnx::Gemm_10', 'onnx::Gemm_12', 'output', 'input']);
  // Independent forward pass: Gemm with transB = 1 is x W^T + b.
  const layer = (x: Float64Array, n: number, inDim: number, w: Float32Array, b: Float32Array, relu: boolean) => {
    const outDim = b.length;
    const y = new Float64Array(n * outDim);
    for (let i = 0; i < n; i++)
      for (let o = 0; o < outDim; o++) {
        let s = b[o];
        for (let k = 0; k < inDim; k++) s += x[i * inDim + k] * w[o * inDim + k];
        y[i * outDim + o] = relu ? Math.max(0, s) : s;
      }
    return y;
  };
  const x = Float64Array.from(first, (v) => Math.fround(v / 255));
  const h1 = layer(x, 100, 784, initializer('mnist2x10_mlp.onnx', 'fc1.weight'), initializer('mnist2x10_mlp.onnx', 'fc1.bias'), true);
  const h2 = layer(h1, 100, 10, initializer('mnist2x10_mlp.onnx', 'fc2.weight'), initializer('mnist2x10_mlp.onnx', 'fc2.bias'), true);
  const y = layer(h2, 100, 10, initializer('mnist2x10_mlp.onnx', 'fc3.weight'), initializer('mnist2x10_mlp.onnx', 'fc3.bias'), false);
  for (const [name, ref] of [
    ['onnx::Gemm_10', h1],
    ['onnx::Gemm_12', h2],
    ['output', y],
  ] as const) {
    const got = acts.get(name)!.data;
    t.deepEqual(acts.get(name)!.shape, [100, 10]);
    let maxErr = 0,
      maxAbs = 0;
    for (let i = 0; i < ref.length; i++) {
      maxErr = Math.max(maxErr, Math.abs(got[i] - ref[i]) / Math.max(1, Math.abs(ref[i])));
      maxAbs = Math.max(maxAbs, Math.abs(ref[i]));
    }
    t.log(`${name}: max |value| ${maxAbs.toFixed(2)}, max error relative to max(1, |value|) ${maxErr.toExponential(2)}`);
    t.true(maxErr < 1e-5, `${name}: max error ${maxErr}`);
  }
});

test('the CNN (batch fixed at 1) classifies the first 2000 images with 98.40 % accuracy', async (t) => {
  const out = join(tempDir(), 'cnn.npz');
  const r = await cli('activations', join(MODELS, 'mnist_cnn_cntk.onnx'), IMAGES, '--layers', 'Plus214_Output_0', '--labels', LABELS, '--out', out);
  t.is(r.code, 0, r.stderr);
  const acts = readNpz(out);
  const labels = acts.get('labels')!.data;
  t.is(argmaxAccuracy(acts.get('Plus214_Output_0')!.data, 10, labels), 0.984);
});

test('the MLP (dynamic batch) classifies the first 2000 images with 90.25 % accuracy', async (t) => {
  const out = join(tempDir(), 'mlp.npz');
  const r = await cli('activations', join(MODELS, 'mnist2x10_mlp.onnx'), IMAGES, '--scale', '1/255', '--batch', '300', '--out', out);
  t.is(r.code, 0, r.stderr);
  const acts = readNpz(out);
  const labels = parseNpy(readFileSync(LABELS), 'labels').data;
  t.is(argmaxAccuracy(acts.get('output')!.data, 10, labels), 0.9025);
});

test('bad inputs: not ONNX, unknown layer (lists valid names), input shape that does not fit', async (t) => {
  const dir = tempDir();
  writeFileSync(join(dir, 'x.npy'), encodeNpy(new Array(2 * 20).fill(0), [2, 20]));
  const notOnnx = await cli('activations', IMAGES, join(dir, 'x.npy'), '--out', join(dir, 'a.npz'));
  t.is(notOnnx.code, 2);
  t.regex(notOnnx.stderr, /mnist_test_first2000_images_uint8\.npy: not an ONNX model/);
  const unknown = await cli('activations', join(MODELS, 'mnist2x10_mlp.onnx'), IMAGES, '--layers', 'fc9', '--out', join(dir, 'a.npz'));
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /no tensor named 'fc9'; valid names: .*onnx::Gemm_10/);
  const shape = await cli('activations', join(MODELS, 'mnist_cnn_cntk.onnx'), join(dir, 'x.npy'), '--out', join(dir, 'a.npz'));
  t.is(shape.code, 2);
  t.regex(shape.stderr, /x\.npy: inputs of shape \(2, 20\) do not fit model input 'Input3' of shape \(1, 1, 28, 28\)/);
});
