/**
 * Train a small MLP (784-128-128-10, ReLU) on MNIST and record its hidden layers on a fixed probe
 * set at log-spaced training steps, one .npz per checkpoint, for `neurorep dynamics`.
 *
 * Data: the MNIST test set in ../shared/data/datasets/mnist (10,000 images): the first 8,000 train,
 * the last 2,000 are held out; the probe is the first 1,000 held-out images. Training uses
 * @tensorflow/tfjs with its pure-JavaScript CPU backend (nothing downloaded). Seeded.
 *
 *   node --import tsx examples/training-dynamics/train.ts [OUT_DIR] [--epochs E] [--seed S]
 */

import * as tf from '@tensorflow/tfjs';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../src/core/random.js';
import { writeNpz } from '../../src/io/matrixFile.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const outDir = resolve(args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--'))) ?? join(here, 'out'));
const epochs = flag('epochs', 8);
const seed = flag('seed', 1);
const mnist = process.env.MNIST_DIR ?? join(here, '..', '..', '..', 'shared', 'data', 'datasets', 'mnist');

function idx(file: string, headerBytes: number): Uint8Array {
  return gunzipSync(readFileSync(join(mnist, file))).subarray(headerBytes);
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const pixels = idx('t10k-images-idx3-ubyte.gz', 16);
  const labels = idx('t10k-labels-idx1-ubyte.gz', 8);
  const N = 10000,
    D = 784,
    TRAIN = 8000,
    PROBE = 1000;
  const images = new Float32Array(N * D);
  for (let i = 0; i < N * D; i++) images[i] = pixels[i] / 255;
  const probe = images.slice(TRAIN * D, (TRAIN + PROBE) * D);
  const probeLabels = Array.from(labels.subarray(TRAIN, TRAIN + PROBE));

  const rng = new Rng(seed);
  const he = (fanIn: number, fanOut: number) =>
    tf.variable(
      tf.tensor2d(
        Float32Array.from({ length: fanIn * fanOut }, () => rng.normal() * Math.sqrt(2 / fanIn)),
        [fanIn, fanOut],
      ),
    );
  const W1 = he(D, 128),
    b1 = tf.variable(tf.zeros([128]));
  const W2 = he(128, 128),
    b2 = tf.variable(tf.zeros([128]));
  const W3 = he(128, 10),
    b3 = tf.variable(tf.zeros([10]));
  const hidden = (x: tf.Tensor2D) => {
    const h1 = tf.relu(tf.add(tf.matMul(x, W1), b1)) as tf.Tensor2D;
    const h2 = tf.relu(tf.add(tf.matMul(h1, W2), b2)) as tf.Tensor2D;
    return { h1, h2, logits: tf.add(tf.matMul(h2, W3), b3) as tf.Tensor2D };
  };
  const optimizer = tf.train.sgd(0.05);
  const batch = 64;
  const stepsPerEpoch = Math.floor(TRAIN / batch);
  const total = epochs * stepsPerEpoch;
  // About 20 log-spaced checkpoints from step 1 to the end.
  const checkpoints = new Set(Array.from({ length: 20 }, (_, i) => Math.round(Math.exp((Math.log(total) * i) / 19))));
  mkdirSync(outDir, { recursive: true });
  const heldOut = tf.tensor2d(images.slice(TRAIN * D), [N - TRAIN, D]);
  const heldLabels = Array.from(labels.subarray(TRAIN));
  const probeX = tf.tensor2d(probe, [PROBE, D]);
  const started = Date.now();
  let step = 0;
  const order = Array.from({ length: TRAIN }, (_, i) => i);
  for (let epoch = 0; epoch < epochs; epoch++) {
    rng.shuffle(order);
    for (let s = 0; s < stepsPerEpoch; s++) {
      const rows = order.slice(s * batch, (s + 1) * batch);
      const xb = new Float32Array(batch * D);
      const yb = new Float32Array(batch * 10);
      rows.forEach((r, k) => {
        xb.set(images.subarray(r * D, (r + 1) * D), k * D);
        yb[k * 10 + labels[r]] = 1;
      });
      tf.tidy(() => {
        const x = tf.tensor2d(xb, [batch, D]);
        const y = tf.tensor2d(yb, [batch, 10]);
        optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, hidden(x).logits) as tf.Scalar);
      });
      step++;
      if (checkpoints.has(step)) {
        const { h1, h2, acc } = tf.tidy(() => {
          const p = hidden(probeX);
          const pred = tf.argMax(hidden(heldOut).logits, 1).dataSync();
          let correct = 0;
          pred.forEach((c: number, i: number) => (correct += c === heldLabels[i] ? 1 : 0));
          return { h1: p.h1.dataSync().slice(), h2: p.h2.dataSync().slice(), acc: correct / heldLabels.length };
        });
        const file = join(outDir, `acts-${String(step).padStart(6, '0')}.npz`);
        writeNpz(file, [
          ['hidden1', { data: h1, shape: [PROBE, 128], dtype: 'f4' }],
          ['hidden2', { data: h2, shape: [PROBE, 128], dtype: 'f4' }],
          ['input', { data: probe, shape: [PROBE, D], dtype: 'f4' }],
          ['labels', { data: probeLabels, shape: [PROBE], dtype: 'u1' }],
          ['step', { data: [step], shape: [1] }],
        ]);
        process.stderr.write(
          `step ${step}/${total}: held-out accuracy ${(100 * acc).toFixed(2)} %, ${((Date.now() - started) / 1000).toFixed(1)} s -> ${file}\n`,
        );
      }
    }
  }
}

await main();
