/**
 * What each similarity of `compare` costs on a realistic size: one network layer against one
 * recorded area on shared stimuli (n stimuli; a layer of 2048 units; an area of 150 neurons with
 * two halves of its repeats), timed per measure with intervals (G = 20) and the layer mapping's
 * bootstrap share (200 resamples), and per permutation of a null.
 *
 *   npm run bench:compare [-- --stimuli 500]
 * Writes bench/out/similarity-cost.json.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { responseMatrix } from '../src/core/matrix.js';
import { mapLayers } from '../src/core/similarity/layerMapping.js';
import { measure, type Metric } from '../src/core/similarity/measures.js';
import { Side } from '../src/core/similarity/side.js';
import { foldAssignment } from '../src/core/inference/resampling.js';
import { Rng } from '../src/core/random.js';
import { useOnnxProducts } from '../src/index.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const n = arg('stimuli', 500),
  units = arg('units', 2048),
  neurons = arg('neurons', 150),
  latent = 20;

useOnnxProducts();
const rng = new Rng(1);
const z = Float64Array.from({ length: n * latent }, () => rng.normal());
const project = (d: number, noise: number, relu: boolean) => {
  const w = Float64Array.from({ length: latent * d }, () => rng.normal());
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      let acc = 0;
      for (let k = 0; k < latent; k++) acc += z[i * latent + k] * w[k * d + j];
      out[i * d + j] = (relu ? Math.max(acc, 0) : acc) + noise * rng.normal();
    }
  return out;
};
const layer = responseMatrix(n, units, project(units, 1, true));
const signal = project(neurons, 0, false);
const half = () =>
  responseMatrix(
    n,
    neurons,
    signal.map((v) => v + 4 * rng.normal()),
  );
const a = half(),
  b = half();
const area = responseMatrix(
  n,
  neurons,
  a.data.map((v, i) => (v + b.data[i]) / 2),
);
const fold = foldAssignment(new Rng(0), n, 5);
const metrics: Metric[] = [
  'predictivity',
  'predictivity-reverse',
  'rsa-spearman',
  'rsa-cosine',
  'rsa-cv-spearman',
  'rsa-cv-cosine',
  'procrustes',
  'shape-alpha0.5',
  'cka',
];
const rows: Record<string, unknown>[] = [];
console.log(`one layer (${units} units) x one area (${neurons} neurons, halves of repeats), ${n} stimuli, 5 folds; 2 cores`);
console.log('measure                 value   score+interval+ceiling   bootstrap(200)   per null permutation');
for (const m of metrics) {
  // Fresh sides, so every measure pays for its own factors and RDMs.
  const L = new Side({ n, d: units, matrix: layer }),
    A = new Side({ n, d: neurons, matrix: area, halves: { a, b } });
  let t0 = performance.now();
  const got = measure(m, L, A, fold, { folds: 5, seed: 0, intervals: 20, nulls: 0 })!;
  const main = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const boot = got.evaluated.onRows ? (mapLayers([got.cell.score], [got.evaluated.onRows], n, 200, 0), (performance.now() - t0) / 1000) : null;
  t0 = performance.now();
  const perms = 3;
  for (let s = 0; s < perms; s++) got.evaluated.permuted(new Rng(s).permutation(n));
  const perNull = (performance.now() - t0) / 1000 / perms;
  rows.push({ metric: m, value: got.cell.value, seconds: main, bootstrapSeconds: boot, secondsPerPermutation: perNull });
  console.log(
    `${m.padEnd(22)}${got.cell.value.toFixed(3).padStart(7)}   ${main.toFixed(2).padStart(8)} s${boot === null ? '            -     ' : `${boot.toFixed(2).padStart(14)} s  `}${perNull.toFixed(3).padStart(14)} s`,
  );
}
mkdirSync(join(import.meta.dirname, 'out'), { recursive: true });
writeFileSync(join(import.meta.dirname, 'out', 'similarity-cost.json'), JSON.stringify({ n, units, neurons, rows }, null, 2));
process.exit(0);
