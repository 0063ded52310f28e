/**
 * One training run of the study: a small MLP or CNN trained with @tensorflow/tfjs (pure JavaScript
 * CPU backend, nothing downloaded) on the 10,000 test images of MNIST or Fashion-MNIST (IDX files):
 * images 0-7999 train, 8000-9999 are held out, and the probe is the first `probe` held-out images,
 * the same in every run. At log-spaced steps it writes the probe's hidden layers to
 * `acts-<step>.npz` (with `input`, `labels`, `step`) and the held-out accuracy to `accuracy.json`.
 * Seeded: weights, batch order and the tfjs kernels (single-threaded CPU) are deterministic.
 */

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Rng } from '../../src/core/random.js';
import { writeNpz } from '../../src/io/matrixFile.js';
import type { ArrayToWrite } from '../../src/io/npz.js';

export type Architecture = 'mlp' | 'cnn';

export interface TrainOptions {
  /** Folder with t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz. */
  dataDir: string;
  architecture: Architecture;
  seed: number;
  /** SGD steps (batch 64). */
  steps: number;
  /** Number of log-spaced checkpoints from step 1 to `steps` (distinct after rounding). */
  checkpoints: number;
  /** Probe images (from the held-out part). */
  probe: number;
  outDir: string;
  log?: (line: string) => void;
  /** tfjs backend: 'wasm' (default; XNNPACK kernels, single-threaded in Node) or 'cpu' (plain JavaScript). */
  backend?: 'wasm' | 'cpu';
}

const D = 784,
  N = 10000,
  TRAIN = 8000,
  BATCH = 64;

function idx(dir: string, file: string, headerBytes: number): Uint8Array {
  return gunzipSync(readFileSync(join(dir, file))).subarray(headerBytes);
}

/** Distinct log-spaced integer steps from 1 to total, at least `count` of them (count <= total). */
export function logSpacedSteps(total: number, count: number): number[] {
  for (let k = count; ; k++) {
    const s = [...new Set(Array.from({ length: k }, (_, i) => Math.round(Math.exp((Math.log(total) * i) / (k - 1)))))];
    if (s.length >= Math.min(count, total)) return s;
  }
}

interface Net {
  variables: tf.Variable[];
  /** Hidden layers (name, rows x units) and logits. */
  forward: (x: tf.Tensor2D) => { layers: [string, tf.Tensor2D][]; logits: tf.Tensor2D };
}

function network(arch: Architecture, rng: Rng): Net {
  const he = (shape: number[], fanIn: number) => {
    const size = shape.reduce((a, b) => a * b, 1);
    return tf.variable(
      tf.tensor(
        Float32Array.from({ length: size }, () => rng.normal() * Math.sqrt(2 / fanIn)),
        shape,
      ),
    );
  };
  if (arch === 'mlp') {
    const W1 = he([D, 128], D),
      b1 = tf.variable(tf.zeros([128])),
      W2 = he([128, 128], 128),
      b2 = tf.variable(tf.zeros([128])),
      W3 = he([128, 10], 128),
      b3 = tf.variable(tf.zeros([10]));
    return {
      variables: [W1, b1, W2, b2, W3, b3],
      forward: (x) => {
        const h1 = tf.relu(tf.add(tf.matMul(x, W1), b1)) as tf.Tensor2D;
        const h2 = tf.relu(tf.add(tf.matMul(h1, W2), b2)) as tf.Tensor2D;
        return {
          layers: [
            ['hidden1', h1],
            ['hidden2', h2],
          ],
          logits: tf.add(tf.matMul(h2, W3), b3) as tf.Tensor2D,
        };
      },
    };
  }
  // conv 5x5x8 (stride 2) -> ReLU -> conv 3x3x16 (stride 2) -> ReLU -> dense 10: 12x12x8 = 1152 and 5x5x16 = 400 units.
  // Each convolution is applied as the dense matrix it is (kernel weights placed by a fixed 0/1
  // map), so training needs only matMul: tfjs's WebAssembly backend has no convolution gradients,
  // and its pure-JavaScript convolutions are 10x slower.
  const K1 = he([25, 8], 25),
    c1 = tf.variable(tf.zeros([8])),
    K2 = he([72, 16], 72),
    c2 = tf.variable(tf.zeros([16])),
    W = he([400, 10], 400),
    b = tf.variable(tf.zeros([10]));
  const place1 = convPlacement(28, 1, 5, 2),
    place2 = convPlacement(12, 8, 3, 2);
  // Per-channel bias, broadcast over positions (NHWC: unit index = position * channels + channel).
  const conv = (x: tf.Tensor2D, w: tf.Tensor2D, c: tf.Variable, positions: number, channels: number) =>
    tf.relu(tf.reshape(tf.add(tf.reshape(tf.matMul(x, w), [-1, positions, channels]), c), [-1, positions * channels])) as tf.Tensor2D;
  return {
    variables: [K1, c1, K2, c2, W, b],
    forward: (x) => {
      const W1 = tf.reshape(tf.matMul(place1.matrix, K1), [784, place1.outputs * 8]) as tf.Tensor2D;
      const W2 = tf.reshape(tf.matMul(place2.matrix, K2), [1152, place2.outputs * 16]) as tf.Tensor2D;
      const f1 = conv(x, W1, c1, place1.outputs, 8);
      const f2 = conv(f1, W2, c2, place2.outputs, 16);
      return {
        layers: [
          ['conv1', f1],
          ['conv2', f2],
        ],
        logits: tf.add(tf.matMul(f2, W), b) as tf.Tensor2D,
      };
    },
  };
}

/**
 * The 0/1 map E of a square 'valid' convolution (stride s, k x k kernel, c input channels, NHWC):
 * row (input unit i, output position p), column kernel tap t; E[(i, p), t] = 1 when tap t at
 * position p reads input unit i. reshape(E K, [inputs, positions * out_channels]) is the layer's matrix.
 */
function convPlacement(width: number, channels: number, k: number, s: number): { matrix: tf.Tensor2D; outputs: number } {
  const out = Math.floor((width - k) / s) + 1;
  const positions = out * out,
    inputs = width * width * channels,
    taps = k * k * channels;
  const e = new Float32Array(inputs * positions * taps);
  for (let oh = 0; oh < out; oh++)
    for (let ow = 0; ow < out; ow++)
      for (let kh = 0; kh < k; kh++)
        for (let kw = 0; kw < k; kw++)
          for (let ci = 0; ci < channels; ci++) {
            const i = ((oh * s + kh) * width + (ow * s + kw)) * channels + ci;
            const p = oh * out + ow;
            e[(i * positions + p) * taps + (kh * k + kw) * channels + ci] = 1;
          }
  return { matrix: tf.tensor2d(e, [inputs * positions, taps]), outputs: positions };
}

/** Train one run and write its checkpoints; returns the checkpoint steps and held-out accuracies. */
export async function trainRun(o: TrainOptions): Promise<{ step: number; accuracy: number }[]> {
  const started = Date.now();
  await tf.setBackend(o.backend ?? 'wasm');
  const pixels = idx(o.dataDir, 't10k-images-idx3-ubyte.gz', 16);
  const labels = idx(o.dataDir, 't10k-labels-idx1-ubyte.gz', 8);
  const images = new Float32Array(N * D);
  for (let i = 0; i < N * D; i++) images[i] = pixels[i] / 255;
  const probe = images.slice(TRAIN * D, (TRAIN + o.probe) * D);
  const probeLabels = Array.from(labels.subarray(TRAIN, TRAIN + o.probe));
  const rng = new Rng(o.seed);
  const net = network(o.architecture, rng);
  const optimizer = tf.train.sgd(0.05);
  const at = new Set(logSpacedSteps(o.steps, o.checkpoints));
  mkdirSync(o.outDir, { recursive: true });
  const heldOut = tf.tensor2d(images.slice(TRAIN * D), [N - TRAIN, D]);
  const heldLabels = Array.from(labels.subarray(TRAIN));
  const probeX = tf.tensor2d(probe, [o.probe, D]);
  const order = Array.from({ length: TRAIN }, (_, i) => i);
  const history: { step: number; accuracy: number }[] = [];
  const perEpoch = Math.floor(TRAIN / BATCH);
  for (let step = 1; step <= o.steps; step++) {
    const s = (step - 1) % perEpoch;
    if (s === 0) rng.shuffle(order);
    const xb = new Float32Array(BATCH * D);
    const yb = new Float32Array(BATCH * 10);
    for (let k = 0; k < BATCH; k++) {
      const r = order[s * BATCH + k];
      xb.set(images.subarray(r * D, (r + 1) * D), k * D);
      yb[k * 10 + labels[r]] = 1;
    }
    tf.tidy(() => {
      const x = tf.tensor2d(xb, [BATCH, D]);
      const y = tf.tensor2d(yb, [BATCH, 10]);
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, net.forward(x).logits) as tf.Scalar, false, net.variables);
    });
    if (!at.has(step)) continue;
    const { acts, accuracy } = tf.tidy(() => {
      const p = net.forward(probeX);
      const pred = tf.argMax(net.forward(heldOut).logits, 1).dataSync();
      let correct = 0;
      pred.forEach((c: number, i: number) => (correct += c === heldLabels[i] ? 1 : 0));
      return { acts: p.layers.map(([name, t]) => ({ name, data: t.dataSync().slice(), units: t.shape[1] })), accuracy: correct / heldLabels.length };
    });
    writeNpz(join(o.outDir, `acts-${String(step).padStart(6, '0')}.npz`), [
      ...acts.map((a): [string, ArrayToWrite] => [a.name, { data: a.data, shape: [o.probe, a.units], dtype: 'f4' }]),
      ['input', { data: probe, shape: [o.probe, D], dtype: 'f4' }],
      ['labels', { data: probeLabels, shape: [o.probe], dtype: 'u1' }],
      ['step', { data: [step], shape: [1] }],
    ]);
    history.push({ step, accuracy });
    o.log?.(`step ${step}/${o.steps}: held-out accuracy ${(100 * accuracy).toFixed(1)} %`);
  }
  writeFileSync(join(o.outDir, 'seconds.json'), JSON.stringify((Date.now() - started) / 1000));
  writeFileSync(join(o.outDir, 'accuracy.json'), JSON.stringify(history));
  tf.dispose([heldOut, probeX, ...net.variables]);
  return history;
}
