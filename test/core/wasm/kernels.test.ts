import test from 'ava';
import { spawnSync } from 'node:child_process';
import { bandReduceJs, householderQr } from '../../../src/core/linalg/bandReduction.js';
import { bandToTridiagonal } from '../../../src/core/linalg/bulgeChasing.js';
import { tridiagonalEigenvalues, tridiagonalQL } from '../../../src/core/linalg/tridiagonalQl.js';
import { kmeansWith } from '../../../src/core/complexity/kmeans.js';
import { expectedSampleSpectrum } from '../../../src/core/inference/spectrumLarge.js';
import { piecesSse, type Pieces } from '../../../src/core/complexity/pieces.js';
import { crossProductTransB, matmulTransB } from '../../../src/core/linalg/products.js';
import { addRow, emptyStats, fitAffine, fittedSse } from '../../../src/core/complexity/affineFit.js';
import { growHingeTree } from '../../../src/core/complexity/hingeTree.js';
import { symmetricEigen } from '../../../src/core/linalg/eigen.js';
import { Rng } from '../../../src/core/random.js';
import { setWasmKernelsEnabled, wasmKernels } from '../../../src/core/wasm/kernels.js';
import { withSpectrum } from '../../helpers.js';

const hasClang = ['clang', 'wasm-ld'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0);

// CI installs clang and lld (.ci/run), so there the committed module is always checked.
(hasClang || process.env.CI ? test : test.skip)('the committed WebAssembly module equals a fresh build of native/*.c', (t) => {
  const r = spawnSync('bash', ['native/build.sh', '--check'], { encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
});

test.serial('the kernels load here (Node 20 has WebAssembly SIMD), and can be switched off', (t) => {
  t.truthy(wasmKernels());
  setWasmKernelsEnabled(false);
  t.is(wasmKernels(), null);
  setWasmKernelsEnabled(true);
  t.truthy(wasmKernels());
});

/** The band of a symmetric matrix with a planted spectrum. */
function plantedBand(values: number[], seed: number, b: number) {
  const rng = new Rng(seed);
  const n = values.length;
  return bandReduceJs(withSpectrum(values, rng), n, b);
}

function tridiagonalOf(band: ReturnType<typeof plantedBand>): { d: Float64Array; e: Float64Array } {
  const d = new Float64Array(band.n),
    e = new Float64Array(band.n);
  bandToTridiagonal({ ...band, data: band.data.slice() }, d, e);
  return { d, e };
}

test.serial('WebAssembly bulge chasing + root-free QL recover a planted spectrum to 1e-13, as the JavaScript route does', (t) => {
  const n = 300;
  // Clustered, spread over 12 decades, with exact repeats and a sign change.
  const values = Array.from({ length: n }, (_, i) => (i < 20 ? 5 : i % 7 === 0 ? -1e-3 * i : 10 ** (-12 * (i / n)) * (1 + i / n)));
  const band = plantedBand(values, 3, 16);
  const expected = [...values].sort((a, b) => a - b);
  const scale = Math.max(...values.map(Math.abs));
  const wasm = tridiagonalOf(band);
  const gotWasm = tridiagonalEigenvalues(wasm.d, wasm.e, n);
  setWasmKernelsEnabled(false);
  const js = tridiagonalOf(band);
  const gotJs = tridiagonalEigenvalues(js.d, js.e, n);
  setWasmKernelsEnabled(true);
  const worst = (got: Float64Array) => Math.max(...expected.map((v, i) => Math.abs(got[i] - v) / scale));
  t.true(worst(gotWasm) < 1e-13, `WebAssembly: ${worst(gotWasm)}`);
  t.true(worst(gotJs) < 1e-13, `JavaScript: ${worst(gotJs)}`);
  // (The tridiagonal forms themselves may differ: with repeated eigenvalues they are far from unique.)
});

test('root-free QL equals the implicit QL (tql1) on random and graded tridiagonals to 1e-13 of the largest eigenvalue', (t) => {
  const rng = new Rng(5);
  for (const [n, graded] of [
    [1, false],
    [2, false],
    [50, false],
    [400, true],
    [1000, false],
  ] as const) {
    const d = Float64Array.from({ length: n }, (_, i) => rng.normal() * (graded ? 10 ** (-i / 40) : 1));
    const e = Float64Array.from({ length: n }, (_, i) => (i === 0 ? 0 : rng.normal() * (graded ? 10 ** (-i / 40) : 1)));
    const ref = Float64Array.from(d),
      re = Float64Array.from(e);
    tridiagonalQL(ref, re, n);
    ref.sort();
    const got = tridiagonalEigenvalues(d, e, n);
    const scale = Math.max(...Array.from(ref, Math.abs));
    const worst = Math.max(...Array.from(got, (v, i) => Math.abs(v - ref[i]) / scale));
    t.true(worst < 1e-13, `n = ${n}: ${worst}`);
    t.true(
      got.every((v, i) => i === 0 || got[i - 1] <= v),
      'ascending',
    );
  }
});

test('a zero subdiagonal (a diagonal matrix) and a 2 x 2 block give their exact eigenvalues', (t) => {
  const diag = tridiagonalEigenvalues(Float64Array.from([3, -1, 2]), new Float64Array(3), 3);
  t.deepEqual(Array.from(diag), [-1, 2, 3]);
  // [[2, 1], [1, 2]]: 1 and 3.
  const two = tridiagonalEigenvalues(Float64Array.from([2, 2]), Float64Array.from([0, 1]), 2);
  t.true(Math.abs(two[0] - 1) < 1e-15 && Math.abs(two[1] - 3) < 1e-15, String(two));
});

test.serial('the WebAssembly panel QR equals the JavaScript one to 1e-13 (R, V and T), tall, square and short panels', (t) => {
  const rng = new Rng(11);
  for (const [rows, b] of [
    [300, 32],
    [32, 32],
    [7, 12],
  ]) {
    const pt = Float64Array.from({ length: rows * b }, () => rng.normal());
    pt.fill(0, 2 * rows, 3 * rows); // a zero column: tau = 0 there
    const a = pt.slice(),
      c = pt.slice();
    const wasm = householderQr(a, rows, b);
    setWasmKernelsEnabled(false);
    const js = householderQr(c, rows, b);
    setWasmKernelsEnabled(true);
    const worst = (x: Float64Array, y: Float64Array) => Math.max(0, ...Array.from(x, (v, i) => Math.abs(v - y[i])));
    t.true(worst(a, c) < 1e-13, `R: ${worst(a, c)}`);
    t.true(worst(wasm.v, js.v) < 1e-13, `V: ${worst(wasm.v, js.v)}`);
    t.true(worst(wasm.t, js.t) < 1e-13, `T: ${worst(wasm.t, js.t)}`);
  }
});

test.serial('WebAssembly k-means (Elkan) gives the JavaScript labels, centres, inertia and iterations to the bit', (t) => {
  const rng = new Rng(21);
  // Clustered points with exact duplicates (ties) and an m that is not a multiple of 4.
  for (const [n, m, k] of [
    [600, 7, 9],
    [400, 32, 16],
    [50, 3, 12],
  ]) {
    const centresTrue = Array.from({ length: 5 }, () => Array.from({ length: m }, () => 4 * rng.normal()));
    const x = new Float64Array(n * m);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) x[i * m + j] = i % 10 === 0 && i > 0 ? x[(i - 1) * m + j] : centresTrue[i % 5][j] + rng.normal();
    const wasm = kmeansWith('elkan', x, n, m, k, new Rng(3));
    setWasmKernelsEnabled(false);
    const js = kmeansWith('elkan', x, n, m, k, new Rng(3));
    setWasmKernelsEnabled(true);
    t.deepEqual(Array.from(wasm.labels), Array.from(js.labels));
    t.deepEqual(Array.from(wasm.centroids), Array.from(js.centroids));
    t.is(wasm.inertia, js.inertia);
    t.is(wasm.iterations, js.iterations);
  }
});

test.serial("the WebAssembly density of corrected/2's deterministic equivalent equals the JavaScript one to 1e-12", (t) => {
  for (const [d, n, alpha] of [
    [4000, 1000, 1],
    [300, 2000, 1.5],
  ]) {
    const lambda = Float64Array.from({ length: d }, (_, i) => (i + 1) ** -alpha);
    const wasm = expectedSampleSpectrum(lambda, n, Math.min(d, n) - 1);
    setWasmKernelsEnabled(false);
    const js = expectedSampleSpectrum(lambda, n, Math.min(d, n) - 1);
    setWasmKernelsEnabled(true);
    const worst = Math.max(...Array.from(wasm, (v, i) => Math.abs(v - js[i]) / js[0]));
    t.true(worst < 1e-12, `d = ${d}, n = ${n}: ${worst}`);
  }
});

test.serial('the WebAssembly sum of squared errors of pieces equals the JavaScript one to the bit', (t) => {
  const rng = new Rng(31);
  const n = 700,
    k = 6,
    q = 37,
    leaves = 9;
  const u = Float64Array.from({ length: n * (k - 1) }, (_, i) => (i % 7 === 0 ? 0 : rng.normal())); // zeros are skipped terms
  const r = Float64Array.from({ length: n * q }, () => rng.normal());
  const leafOf = Int32Array.from({ length: n }, () => rng.int(leaves));
  const owner = Int32Array.from({ length: leaves }, (_, l) => 10 + (l % 4)); // pieces 10..13, not 0-based
  const beta = new Map([10, 11, 12, 13].map((id) => [id, Float64Array.from({ length: k * q }, () => rng.normal())]));
  const pieces: Pieces = {
    owner,
    beta,
    planes: new Map(),
    borders: owner.map(() => 0).reduce<number[][]>((a) => (a.push([]), a), []),
    borderPlanes: [],
    counts: new Map(),
  };
  pieces.borderPlanes = pieces.borders.map(() => []);
  const wasm = piecesSse(pieces, leafOf, u, r, k, q);
  setWasmKernelsEnabled(false);
  const js = piecesSse(pieces, leafOf, u, r, k, q);
  setWasmKernelsEnabled(true);
  t.true(js > 0);
  t.is(wasm, js);
});

test.serial('the WebAssembly product kernel equals the JavaScript one to 1e-14 (A B^T, odd sizes, and the Gram upper triangle)', (t) => {
  const rng = new Rng(41);
  for (const [n, k, m] of [
    [33, 301, 17],
    [64, 40, 64],
    [7, 513, 9],
    [90, 3000, 130], // long rows: tiles of 42 rows of A and 87 of B
  ]) {
    const a = Float64Array.from({ length: n * k }, () => rng.normal());
    const b = Float64Array.from({ length: m * k }, () => rng.normal());
    const wasm = [matmulTransB(a, b, n, k, m), crossProductTransB(a, n, k)];
    setWasmKernelsEnabled(false);
    const js = [matmulTransB(a, b, n, k, m), crossProductTransB(a, n, k)];
    setWasmKernelsEnabled(true);
    for (let s = 0; s < 2; s++) {
      const scale = Math.max(...Array.from(js[s], Math.abs));
      const worst = Math.max(...Array.from(wasm[s], (v, i) => Math.abs(v - js[s][i]) / scale));
      t.true(worst < 1e-14, `${n} x ${k} x ${m} (${s === 0 ? 'A B^T' : 'A A^T'}): ${worst}`);
    }
    // Exactly symmetric, as the JavaScript Gram is.
    const g = wasm[1];
    t.true(g.every((v, i) => v === g[(i % n) * n + Math.floor(i / n)]));
  }
});

test.serial('WebAssembly affine fits and their errors equal the JavaScript ones to the bit (regular, collinear and empty statistics)', (t) => {
  const rng = new Rng(51);
  for (const [k, q, rows, collinear] of [
    [17, 16, 300, false],
    [5, 33, 40, false],
    [9, 8, 30, true],
    [4, 3, 0, false],
  ] as const) {
    const st = emptyStats(k, q);
    const u = new Float64Array(k - 1),
      r = new Float64Array(q);
    for (let i = 0; i < rows; i++) {
      for (let a = 0; a < k - 1; a++) u[a] = collinear && a > 0 ? u[0] * 2 : rng.normal();
      for (let j = 0; j < q; j++) r[j] = rng.normal();
      addRow(st, u, 0, r, 0);
    }
    const wasm = { beta: fitAffine(st, 1e-3), sse: fittedSse(st, 1e-3), none: fittedSse(st, 0) };
    setWasmKernelsEnabled(false);
    const js = { beta: fitAffine(st, 1e-3), sse: fittedSse(st, 1e-3), none: fittedSse(st, 0) };
    setWasmKernelsEnabled(true);
    t.deepEqual(Array.from(wasm.beta), Array.from(js.beta), `k = ${k}, q = ${q}, ${rows} rows`);
    t.is(wasm.sse, js.sse);
    t.is(wasm.none, js.none);
  }
});

test.serial('hinge trees grown with the WebAssembly threshold scan equal those grown in JavaScript, plane for plane', (t) => {
  const rng = new Rng(61);
  const n = 900,
    m = 3,
    s = 4;
  const u = Float64Array.from({ length: n * m }, () => rng.normal());
  // A piecewise-linear map with a repeated block of rows (ties in the projections).
  const r = new Float64Array(n * s);
  for (let i = 0; i < n; i++) {
    if (i >= 800) u.set(u.subarray(0, m), i * m);
    for (let j = 0; j < s; j++) r[i * s + j] = Math.abs(u[i * m] + j * u[i * m + 1]) - u[i * m + 2] * (j - 1) + 0.05 * rng.normal();
  }
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  for (const assignment of [false, true]) {
    const opts = { maxLeaves: 12, minLeaf: 20, ridge: 1e-3, assignment };
    const wasm = growHingeTree(u, m, r, s, rows, opts);
    setWasmKernelsEnabled(false);
    const js = growHingeTree(u, m, r, s, rows, opts);
    setWasmKernelsEnabled(true);
    t.is(wasm.leaves.length, 12);
    t.deepEqual(
      wasm.nodes.map((node) => [node.plane && Array.from(node.plane), node.children, Array.from(node.rows)]),
      js.nodes.map((node) => [node.plane && Array.from(node.plane), node.children, Array.from(node.rows)]),
    );
  }
});

test.serial(
  'eigenvectors through the WebAssembly QL equal the JavaScript ones (values to 1e-13, vectors up to sign to 1e-10) and satisfy A v = lambda v',
  (t) => {
    const rng = new Rng(71);
    const n = 200;
    const x = Float64Array.from({ length: n * n }, () => rng.normal());
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = x[i * n + j] + x[j * n + i];
    const wasm = symmetricEigen(a, n, { vectors: true });
    setWasmKernelsEnabled(false);
    const js = symmetricEigen(a, n, { vectors: true });
    setWasmKernelsEnabled(true);
    const scale = Math.abs(js.values[0]);
    let values = 0,
      vectors = 0,
      residual = 0;
    for (let c = 0; c < n; c++) {
      values = Math.max(values, Math.abs(wasm.values[c] - js.values[c]) / scale);
      const v = wasm.vectors!.subarray(c * n, c * n + n),
        w = js.vectors!.subarray(c * n, c * n + n);
      let dot = 0;
      for (let i = 0; i < n; i++) dot += v[i] * w[i];
      vectors = Math.max(vectors, 1 - Math.abs(dot));
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += a[i * n + j] * v[j];
        residual = Math.max(residual, Math.abs(av - wasm.values[c] * v[i]) / scale);
      }
    }
    t.true(values < 1e-13, `values: ${values}`);
    t.true(vectors < 1e-10, `vectors: 1 - |cos| = ${vectors}`);
    t.true(residual < 1e-12, `residual ${residual}`);
  },
);
