import test from 'ava';
import { bandReduceJs } from '../../src/core/linalg/bandReduction.js';
import { bandToTridiagonal } from '../../src/core/linalg/bulgeChasing.js';
import { mapComplexity } from '../../src/core/complexity/complexity.js';
import { covarianceEigenvalues } from '../../src/core/dimension/effectiveDimension.js';
import { crossProductTransB } from '../../src/core/linalg/products.js';
import { responseMatrix } from '../../src/core/matrix.js';
import { parallelThreads } from '../../src/core/parallel.js';
import { Rng } from '../../src/core/random.js';
import { installWorkerThreads, uninstallWorkerThreads, workerPieces, workerThreadsReady } from '../../src/runtime/pool.js';
import { setWasmKernelsEnabled } from '../../src/core/wasm/kernels.js';
import { gaussian } from '../helpers.js';

/** The band of a random symmetric 700 x 700 matrix, chased to tridiagonal form without and then with worker threads. */
async function chaseWithoutAndWithThreads(seed: number) {
  const rng = new Rng(seed);
  const n = 700,
    b = 32;
  const x = gaussian(rng, n, n);
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) s[i * n + j] = s[j * n + i] = x[i * n + j];
  const band = bandReduceJs(s, n, b);
  const chase = () => {
    const copy = { ...band, data: band.data.slice() };
    const d = new Float64Array(n),
      e = new Float64Array(n);
    bandToTridiagonal(copy, d, e);
    return { d: Array.from(d), e: Array.from(e), data: Array.from(copy.data) };
  };
  uninstallWorkerThreads();
  const one = chase();
  installWorkerThreads();
  await workerThreadsReady();
  const threads = parallelThreads();
  const before = workerPieces();
  const many = chase();
  const workerRan = workerPieces() > before;
  uninstallWorkerThreads();
  return { one, many, threads, workerRan };
}

test.serial('pipelined bulge chasing over worker threads gives the serial result bit for bit (the JavaScript fallback)', async (t) => {
  setWasmKernelsEnabled(false);
  t.teardown(() => setWasmKernelsEnabled(true));
  const { one, many, workerRan } = await chaseWithoutAndWithThreads(8);
  t.true(workerRan, 'a worker thread ran sweeps');
  t.deepEqual(many, one);
});

test.serial('the WebAssembly bulge chasing gives the same bits with worker threads installed as without', async (t) => {
  const { one, many, threads } = await chaseWithoutAndWithThreads(9);
  t.true(threads > 1);
  t.deepEqual(many.d, one.d);
  t.deepEqual(many.e, one.e);
});

for (const kernels of ['WebAssembly', 'JavaScript'] as const)
  test.serial(`worker threads give the same numbers as one thread (Gram products, complexity; ${kernels} kernels)`, async (t) => {
    setWasmKernelsEnabled(kernels === 'WebAssembly');
    t.teardown(() => setWasmKernelsEnabled(true));
    const rng = new Rng(1);
    const n = 450,
      d = 700; // n > 384: the chunked (parallel) tridiagonal reduction too, in JavaScript
    const x = gaussian(rng, n, d);
    const xm = responseMatrix(n, d, x);
    const y = responseMatrix(
      n,
      20,
      gaussian(rng, n, 20).map((v, i) => v + Math.abs(x[Math.floor(i / 20) * d])),
    );
    uninstallWorkerThreads();
    t.is(parallelThreads(), 1);
    const gram1 = crossProductTransB(x, n, d);
    const eig1 = covarianceEigenvalues(xm);
    const cx1 = mapComplexity(xm, y, { seed: 3 });
    installWorkerThreads();
    await workerThreadsReady();
    t.true(parallelThreads() >= 2, 'this machine has at least 2 cores');
    const gram2 = crossProductTransB(x, n, d);
    const eig2 = covarianceEigenvalues(xm);
    const cx2 = mapComplexity(xm, y, { seed: 3 });
    t.true(workerPieces() > 0, 'the worker threads ran pieces of the work');
    uninstallWorkerThreads();
    t.deepEqual(Array.from(gram2), Array.from(gram1), 'each chunk computes its rows exactly as the serial kernel');
    t.deepEqual(Array.from(eig2), Array.from(eig1));
    t.deepEqual(cx2.curve, cx1.curve);
    t.is(cx2.complexity, cx1.complexity);
  });
