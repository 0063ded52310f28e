/**
 * Eigenvalues of a symmetric matrix (.npy, float64) by neurorep's symmetricEigen, timed in the
 * process as bench/python/cases.py `eigen` times numpy's eigvalsh: the first call (which starts
 * ONNX Runtime's session and compiles the kernels) and the median of three more. The runtime is
 * set up as the command line sets it up (worker threads, ONNX Runtime products). Usage:
 * node --import tsx bench/eigenvalues.ts ROOT S.npy   (ROOT: the neurorep checkout to time)
 */

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, file] = process.argv.slice(2);
const load = (path: string) => import(pathToFileURL(join(root, 'dist', 'src', path)).href);
const { readMatrixFile } = await load('io/matrixFile.js');
const { symmetricEigen } = await load('core/linalg/eigen.js');
const { installWorkerThreads, workerThreadsReady } = await load('runtime/pool.js');
const { installOnnxProducts } = await load('runtime/ortProducts.js');
const { applyKernelsSwitch } = await load('runtime/kernelsSwitch.js').catch(() => ({ applyKernelsSwitch: () => {} }));
applyKernelsSwitch();
installWorkerThreads();
await workerThreadsReady();
installOnnxProducts();
const m = readMatrixFile(file).matrix as { n: number; data: Float64Array };
const times: number[] = [];
let values: Float64Array = new Float64Array(0);
for (let r = 0; r < 4; r++) {
  const t = performance.now();
  values = symmetricEigen(m.data, m.n).values;
  times.push((performance.now() - t) / 1000);
}
const warm = times.slice(1).sort((a, b) => a - b)[1];
process.stdout.write(JSON.stringify({ first: times[0], warm, largest: values[0], smallest: values[values.length - 1] }) + '\n');
process.exit(0);
