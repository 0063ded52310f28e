import test, { type ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { covarianceEigenvalues } from '../../src/core/dimension/effectiveDimension.js';
import { bandReduceJs } from '../../src/core/linalg/bandReduction.js';
import { crossProductTransA, crossProductTransB } from '../../src/core/linalg/products.js';
import { principalScoresViaGram } from '../../src/core/linalg/pca.js';
import { symmetricEigen, TWO_STAGE_BANDWIDTH, TWO_STAGE_FROM } from '../../src/core/linalg/eigen.js';
import { responseMatrix } from '../../src/core/matrix.js';
import { productsBackend } from '../../src/core/linalg/backend.js';
import { Rng } from '../../src/core/random.js';
import { writeNpy } from '../../src/io/matrixFile.js';
import { installOnnxProducts, onnxProductsServed, uninstallOnnxProducts } from '../../src/runtime/ortProducts.js';
import { gaussian, ROOT, tempDir, withSpectrum } from '../helpers.js';

test.serial('Gram and covariance products through ONNX Runtime equal the JavaScript kernels to 1e-13 relative, exactly symmetric', (t) => {
  const rng = new Rng(2);
  for (const [n, d] of [
    [300, 211],
    [97, 640],
    [1200, 150],
  ]) {
    const x = gaussian(rng, n, d);
    uninstallOnnxProducts();
    const gramJs = crossProductTransB(x, n, d),
      covJs = crossProductTransA(x, n, d);
    t.true(installOnnxProducts());
    const before = onnxProductsServed();
    const gram = crossProductTransB(x, n, d),
      cov = crossProductTransA(x, n, d);
    t.is(onnxProductsServed() - before, 2, `${n} x ${d}: both products went through ONNX Runtime`);
    for (const [ours, js, size] of [
      [gram, gramJs, n],
      [cov, covJs, d],
    ] as const) {
      let scale = 0;
      for (let i = 0; i < size; i++) scale = Math.max(scale, js[i * size + i]);
      let worst = 0;
      for (let i = 0; i < js.length; i++) worst = Math.max(worst, Math.abs(ours[i] - js[i]) / scale);
      t.true(worst < 1e-13, `${n} x ${d}: ${worst}`);
      for (let i = 0; i < size; i++) for (let j = 0; j < i; j++) if (ours[i * size + j] !== ours[j * size + i]) return t.fail('not symmetric');
    }
  }
  uninstallOnnxProducts();
});

test.serial('Gram products through ONNX Runtime give identical bits with 1 and 2 threads, also at sizes that split unevenly', (t) => {
  const rng = new Rng(12);
  for (const [n, d] of [
    [1500, 400],
    [400, 1500],
    [397, 1201],
    [1201, 397],
  ]) {
    const x = gaussian(rng, n, d);
    const runs = ['1', '2'].map((threads) => {
      process.env.NEUROREP_THREADS = threads;
      try {
        installOnnxProducts();
        return [crossProductTransA(x, n, d), crossProductTransB(x, n, d)];
      } finally {
        uninstallOnnxProducts();
        delete process.env.NEUROREP_THREADS;
      }
    });
    for (const side of [0, 1]) {
      let differing = 0;
      for (let i = 0; i < runs[0][side].length; i++) if (runs[0][side][i] !== runs[1][side][i]) differing++;
      t.is(differing, 0, `${n} x ${d}, ${side === 0 ? 'X^T X' : 'X X^T'}`);
    }
  }
});

test.serial('small products stay in JavaScript (below the crossover); NEUROREP_PRODUCTS=js turns the backend off', (t) => {
  const x = gaussian(new Rng(3), 20, 30);
  t.true(installOnnxProducts());
  const before = onnxProductsServed();
  crossProductTransB(x, 20, 30);
  t.is(onnxProductsServed(), before);
  uninstallOnnxProducts();
  process.env.NEUROREP_PRODUCTS = 'js';
  try {
    t.false(installOnnxProducts());
    t.is(productsBackend(), null);
  } finally {
    delete process.env.NEUROREP_PRODUCTS;
  }
});

test.serial('eigenvalues of a covariance computed through ONNX Runtime equal the JavaScript route to 1e-12 relative', (t) => {
  const rng = new Rng(4);
  const n = 800,
    d = 300;
  const m = responseMatrix(
    n,
    d,
    gaussian(rng, n, d).map((v, i) => v * ((i % d) + 1) ** -0.6),
  );
  uninstallOnnxProducts();
  const js = covarianceEigenvalues(m);
  installOnnxProducts();
  const ort = covarianceEigenvalues(m);
  uninstallOnnxProducts();
  for (let i = 0; i < d; i++) t.true(Math.abs(ort[i] - js[i]) <= 1e-12 * js[0], `eigenvalue ${i}`);
});

test.serial(
  'large eigenvalue problems take the two-stage route through ONNX Runtime: its band equals the JavaScript reduction, its eigenvalues the planted spectrum',
  (t) => {
    const rng = new Rng(6);
    const n = 700,
      b = TWO_STAGE_BANDWIDTH;
    t.true(n >= TWO_STAGE_FROM);
    // A planted spectrum, 1 down to 1e-6, in a random basis.
    const values = Array.from({ length: n }, (_, i) => 10 ** ((-6 * i) / (n - 1)));
    const s = withSpectrum(values, rng);
    uninstallOnnxProducts();
    const js = bandReduceJs(s, n, b).data; // every product in JavaScript
    installOnnxProducts();
    const band = productsBackend()!.bandReduce!(s, n, b)!;
    let worst = 0;
    for (let i = 0; i < js.length; i++) worst = Math.max(worst, Math.abs(band[i] - js[i]));
    t.true(worst < 1e-13, `band through ONNX Runtime vs JavaScript: ${worst}`);
    const before = onnxProductsServed();
    const got = symmetricEigen(s, n).values;
    t.is(onnxProductsServed() - before, 1, 'the reduction went through ONNX Runtime');
    uninstallOnnxProducts();
    const oneStage = symmetricEigen(s, n).values;
    let vsPlanted = 0,
      vsOneStage = 0;
    for (let i = 0; i < n; i++) {
      vsPlanted = Math.max(vsPlanted, Math.abs(got[i] - values[i]));
      vsOneStage = Math.max(vsOneStage, Math.abs(got[i] - oneStage[i]));
    }
    t.true(vsPlanted < 1e-13, `vs planted: ${vsPlanted}`);
    t.true(vsOneStage < 1e-13, `vs one-stage Householder: ${vsOneStage}`);
  },
);

test.serial('principal scores of wide data: Lanczos through ONNX Runtime equals the JavaScript Lanczos and gives the same bits with 1 and 2 threads', (t) => {
  const rng = new Rng(9);
  const n = 1100,
    d = 1500,
    k = 200;
  const x = gaussian(rng, n, d).map((v, i) => v * ((i % d) + 1) ** -0.5);
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[i * d + j] / n;
    for (let i = 0; i < n; i++) x[i * d + j] -= mean;
  }
  uninstallOnnxProducts();
  const js = principalScoresViaGram(x, n, d, k);
  const runs = ['1', '2'].map((threads) => {
    process.env.NEUROREP_THREADS = threads;
    try {
      installOnnxProducts();
      const before = onnxProductsServed();
      const r = principalScoresViaGram(x, n, d, k);
      t.is(onnxProductsServed() - before, 2, 'the Gram product and the Lanczos iteration went through ONNX Runtime');
      return r;
    } finally {
      uninstallOnnxProducts();
      delete process.env.NEUROREP_THREADS;
    }
  });
  t.deepEqual(Array.from(runs[0].scores), Array.from(runs[1].scores), 'identical bits with 1 and 2 threads');
  t.is(runs[0].k, js.k);
  let values = 0,
    angle = 0;
  for (let c = 0; c < js.k; c++) {
    values = Math.max(values, Math.abs(runs[0].values[c] - js.values[c]) / js.values[0]);
    let dot = 0,
      a2 = 0,
      b2 = 0;
    for (let i = 0; i < n; i++) {
      const a = runs[0].scores[i * js.k + c],
        b = js.scores[i * js.k + c];
      dot += a * b;
      a2 += a * a;
      b2 += b * b;
    }
    angle = Math.max(angle, 1 - Math.abs(dot) / Math.sqrt(a2 * b2));
  }
  t.true(values < 1e-12, `eigenvalues: ${values}`);
  t.true(angle < 1e-10, `score columns (up to sign): 1 - |cos| = ${angle}`);
});

/** `neurorep dimension` on an n x d Gaussian matrix with NEUROREP_THREADS 1 and 2: both records. */
function dimensionWithThreads(
  t: ExecutionContext,
  n: number,
  d: number,
  seed: number,
): { spectrum: number[]; effectiveDimension: number; effectiveDimensionCorrected: number }[] {
  const path = join(tempDir(), 'x.npy');
  writeNpy(path, { shape: [n, d], data: gaussian(new Rng(seed), n, d) });
  return ['1', '2'].map((threads) => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'neurorep.js'), 'dimension', path, '--no-store', '--json'], {
      encoding: 'utf8',
      env: { ...process.env, NEUROREP_THREADS: threads },
    });
    t.is(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  });
}

test('the CLI gives identical bits with 1 and 2 threads (worker pool and ONNX Runtime threads)', (t) => {
  const hashes = dimensionWithThreads(t, 1500, 400, 5).map((rec) =>
    createHash('sha256')
      .update(JSON.stringify([rec.spectrum, rec.effectiveDimension, rec.effectiveDimensionCorrected]))
      .digest('hex'),
  );
  t.is(hashes[0], hashes[1]);
});

test('the two-stage route (ONNX Runtime band reduction, pipelined bulge chasing) gives identical bits with 1 and 2 threads', (t) => {
  t.true(650 >= TWO_STAGE_FROM);
  const records = dimensionWithThreads(t, 900, 650, 7);
  t.is(records[0].spectrum.length, 650);
  t.deepEqual(records[0].spectrum, records[1].spectrum);
  t.is(records[0].effectiveDimension, records[1].effectiveDimension);
});

test('complexity gives identical bits with 1 and 2 threads when its folds make products large enough for ONNX Runtime', (t) => {
  // n = 1000 stimuli, 300 -> 40 features: each fold's ridge product (256 x 800 x 40) is above the
  // backend's crossover. The calling thread takes folds too; its products must not go to ONNX
  // Runtime while the workers' stay in JavaScript (they once did: the last bits differed).
  const dir = tempDir();
  const rng = new Rng(17);
  const n = 1000,
    p = 300,
    q = 40;
  const x = gaussian(rng, n, p);
  const y = new Float64Array(n * q);
  for (let i = 0; i < n; i++) for (let j = 0; j < q; j++) y[i * q + j] = Math.max(0, x[i * p + j] + x[i * p + j + 1]) + 0.1 * rng.normal();
  writeNpy(join(dir, 'x.npy'), { shape: [n, p], data: x });
  writeNpy(join(dir, 'y.npy'), { shape: [n, q], data: y });
  const records = ['1', '2'].map((threads) => {
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'bin', 'neurorep.js'), 'complexity', join(dir, 'x.npy'), join(dir, 'y.npy'), '--repeats', '1', '--no-store', '--json'],
      {
        encoding: 'utf8',
        env: { ...process.env, NEUROREP_THREADS: threads },
      },
    );
    t.is(r.status, 0, r.stderr);
    const rec = JSON.parse(r.stdout) as Record<string, unknown>;
    return JSON.stringify({ ...rec, id: null, createdAt: null });
  });
  t.is(records[0], records[1]);
});
