import test from 'ava';
import { mapComplexity } from '../../src/core/complexity.js';
import { covarianceEigenvalues } from '../../src/core/dimension.js';
import { crossProductTransB } from '../../src/core/linalg.js';
import { responseMatrix } from '../../src/core/matrix.js';
import { parallelThreads } from '../../src/core/parallel.js';
import { Rng } from '../../src/core/stats.js';
import { installWorkerThreads, uninstallWorkerThreads, workerPieces, workerThreadsReady } from '../../src/parallel/pool.js';
import { gaussian } from '../helpers.js';

test.serial('worker threads give the same numbers as one thread (Gram products, complexity)', async (t) => {
  const rng = new Rng(1);
  const n = 450, d = 700; // n > 384: the chunked (parallel) tridiagonal reduction too
  const x = gaussian(rng, n, d);
  const xm = responseMatrix(n, d, x);
  const y = responseMatrix(n, 20, gaussian(rng, n, 20).map((v, i) => v + Math.abs(x[Math.floor(i / 20) * d])));
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
