/**
 * `npm run bench:kernels`: the crossovers behind two constants, in one process (no start-up).
 *
 * 1. BACKEND_MIN_WORK (core/products.ts): X X^T for square-ish sizes around 2e6 multiply-adds,
 *    through the JavaScript kernel and through ONNX Runtime (products thread).
 * 2. TWO_STAGE_FROM (core/linalg.ts): eigenvalues of an n x n symmetric matrix by the one-stage
 *    Householder route (JavaScript, worker threads) and by the two-stage route (ONNX Runtime band
 *    reduction + bulge chasing), warm (the first call, which creates the session, is reported apart).
 *
 * Medians of 5 runs; not part of CI.
 */

import { crossProductTransB } from '../src/core/linalg/products.js';
import { symmetricEigen } from '../src/core/linalg/eigen.js';
import { productsBackend, setProductsBackend } from '../src/core/linalg/backend.js';
import { Rng } from '../src/core/random.js';
import { installOnnxProducts } from '../src/runtime/ortProducts.js';
import { installWorkerThreads, workerThreadsReady } from '../src/runtime/pool.js';

installWorkerThreads();
await workerThreadsReady();
installOnnxProducts();
const ort = productsBackend()!;
const rng = new Rng(1);

function median(f: () => void, runs = 5): number {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    f();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

const first = (f: () => void): number => {
  const t = performance.now();
  f();
  return performance.now() - t;
};

process.stdout.write('X X^T (r x c)          multiply-adds   JavaScript ms   ONNX Runtime ms\n');
for (const [r, c] of [
  [60, 200],
  [100, 200],
  [126, 126],
  [160, 200],
  [250, 400],
  [500, 500],
]) {
  const x = Float64Array.from({ length: r * c }, () => rng.normal());
  setProductsBackend(null);
  const js = median(() => crossProductTransB(x, r, c));
  setProductsBackend(ort);
  // The hook only hands over products of at least BACKEND_MIN_WORK; ask the backend directly.
  const viaOrt = median(() => ort.gram(x, r, c, 'rows'));
  process.stdout.write(
    `${`${r} x ${c}`.padEnd(22)} ${(r * r * c).toExponential(1).padStart(13)} ${js.toFixed(2).padStart(15)} ${viaOrt.toFixed(2).padStart(17)}\n`,
  );
}

process.stdout.write('\neigenvalues (n x n)    one-stage ms    two-stage ms (first call)\n');
for (const n of [300, 400, 500, 600, 800, 1000, 1500]) {
  const a = Float64Array.from({ length: n * n }, () => rng.normal());
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j];
  setProductsBackend(null);
  const one = median(() => symmetricEigen(a, n), 3);
  setProductsBackend(ort);
  const cold = first(() => ort.bandReduce!(a, n, 32));
  const two = median(() => symmetricEigen(a, n), 3);
  // symmetricEigen takes the two-stage route only from TWO_STAGE_FROM; below it, time it directly.
  process.stdout.write(`${String(n).padEnd(22)} ${one.toFixed(0).padStart(12)} ${two.toFixed(0).padStart(15)} (${cold.toFixed(0)})\n`);
}
process.exit(0);
