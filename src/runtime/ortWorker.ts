/**
 * The ONNX Runtime products thread: holds cached float64 sessions (ortModels.ts: blocked Gram
 * products, A B^T, the dense -> band update, the Lanczos step) and serves synchronous requests
 * from the main thread (Gram and A B^T products, dense -> band reduction, top eigenpairs).
 * Inputs arrive as transferred (unshared) buffers or shared ones it only reads, outputs go to a
 * SharedArrayBuffer, completion is signalled with Atomics.notify on control[0] (1 = done,
 * 2 = failed).
 *
 * Same bits for any number of threads: MLAS splits a product over threads by rows when it has at
 * least as many rows as columns, and then every output is computed the same way; split by
 * columns, outputs near the split come out differently (66 x 67 x 1500: 1592 of 4422 differ).
 * So every product here has at least as many rows as columns (transposed where needed).
 */

import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { applyBandUpdate, bandReduction, type BandUpdate } from '../core/linalg/bandReduction.js';
import { lanczosSteps, type LanczosReply } from '../core/linalg/lanczos.js';
import { transpose } from '../core/linalg/products.js';
import { BACKEND_MIN_WORK } from '../core/linalg/backend.js';
import { bandUpdateModel, GRAM_BLOCKS, gramModel, lanczosModel, productTransBModel, transposedProductModel } from './ortModels.js';
import { applyKernelsSwitch } from './kernelsSwitch.js';

applyKernelsSwitch();

const require = createRequire(import.meta.url);
type Ort = typeof import('onnxruntime-node');
type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>;

interface GramRequest {
  op: 'gram';
  /** r x c; the product is x x^T (r x r). */
  x: Float64Array;
  r: number;
  c: number;
  out: Float64Array;
  control: Int32Array;
}

interface BandRequest {
  op: 'band';
  x: Float64Array;
  n: number;
  b: number;
  out: Float64Array;
  control: Int32Array;
}

interface TopEigenRequest {
  op: 'topEigen';
  g: Float64Array;
  n: number;
  k: number;
  out: Float64Array;
  control: Int32Array;
}

interface ProductRequest {
  op: 'productTransB';
  a: Float64Array;
  b: Float64Array;
  n: number;
  k: number;
  m: number;
  out: Float64Array;
  control: Int32Array;
}

type Request = GramRequest | BandRequest | TopEigenRequest | ProductRequest;

/** Run the blocked Gram product of the rows of x (r x c) and write its upper triangle (blocks i <= j) into out. */
async function gram(req: GramRequest): Promise<void> {
  const s = await session('gram');
  const { x, r, c } = req;
  // Blocks of equal size but the last, which is smaller: then no product G_ij (i <= j) has more
  // columns than rows (see the note at the top). A small product is one block and empty ones.
  const size = r < 4 * GRAM_BLOCKS ? r : Math.ceil(r / GRAM_BLOCKS);
  const bounds = Array.from({ length: GRAM_BLOCKS + 1 }, (_, i) => Math.min(r, i * size));
  const feeds: Record<string, InstanceType<Ort['Tensor']>> = {};
  for (let i = 0; i < GRAM_BLOCKS; i++)
    feeds[`X${i}`] = new ort!.Tensor('float64', x.subarray(bounds[i] * c, bounds[i + 1] * c), [bounds[i + 1] - bounds[i], c]);
  // Outputs go straight into one JavaScript buffer (otherwise ONNX Runtime allocates each block
  // and onnxruntime-node copies it out); peak memory measured the same either way.
  const blocks = new Float64Array(r * r);
  const fetches: Record<string, InstanceType<Ort['Tensor']>> = {};
  const offsets: number[] = [];
  let offset = 0;
  for (let i = 0; i < GRAM_BLOCKS; i++)
    for (let j = i; j < GRAM_BLOCKS; j++) {
      const rows = bounds[i + 1] - bounds[i],
        cols = bounds[j + 1] - bounds[j];
      fetches[`G${i}_${j}`] = new ort!.Tensor('float64', blocks.subarray(offset, offset + rows * cols), [rows, cols]);
      offsets.push(offset);
      offset += rows * cols;
    }
  await s.run(feeds, fetches);
  let block = 0;
  for (let i = 0; i < GRAM_BLOCKS; i++)
    for (let j = i; j < GRAM_BLOCKS; j++) {
      const rows = bounds[i + 1] - bounds[i],
        cols = bounds[j + 1] - bounds[j],
        o = offsets[block++];
      for (let k = 0; k < rows; k++) req.out.set(blocks.subarray(o + k * cols, o + (k + 1) * cols), (bounds[i] + k) * r + bounds[j]);
    }
}

const MODELS = { gram: gramModel, band: bandUpdateModel, lanczos: lanczosModel, transposedProduct: transposedProductModel, productTransB: productTransBModel };

/** A full collection in this thread (V8's gc, exposed here only), or nothing where that fails. */
const collect = ((): (() => void) => {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : () => {};
  } catch {
    return () => {};
  }
})();

let ort: Ort | null = null;
const sessions = new Map<string, Promise<Session>>();

function session(kind: keyof typeof MODELS): Promise<Session> {
  let s = sessions.get(kind);
  if (!s) {
    ort ??= require('onnxruntime-node') as Ort;
    s = ort.InferenceSession.create(MODELS[kind](), {
      intraOpNumThreads: (workerData as { threads: number }).threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      enableCpuMemArena: false,
      enableMemPattern: false,
    });
    sessions.set(kind, s);
  }
  return s;
}

/** A full collection follows once requests have moved this many bytes since the last one. */
const COLLECT_AFTER_BYTES = 32 * 2 ** 20;
let sinceCollect = 0;

function requestBytes(req: Request): number {
  switch (req.op) {
    case 'gram':
    case 'band':
      return req.x.byteLength;
    case 'topEigen':
      return req.g.byteLength;
    case 'productTransB':
      return req.a.byteLength + req.b.byteLength;
  }
}

parentPort!.on('message', (req: Request) => {
  void (async () => {
    try {
      // Inputs arrive as transferred, unshared buffers (onnxruntime-node takes no SharedArrayBuffer).
      if (req.op === 'band') {
        req.out.set(await bandReduce(req));
      } else if (req.op === 'topEigen') {
        await topEigen(req);
      } else if (req.op === 'productTransB') {
        await productTransB(req);
      } else {
        await gram(req);
      }
      Atomics.store(req.control, 0, 1);
    } catch (err) {
      Atomics.store(req.control, 0, 2);
      if (process.env.NEUROREP_DEBUG) process.stderr.write(`neurorep products thread: ${(err as Error).stack}\n`);
    }
    Atomics.notify(req.control, 0);
    // This thread allocates little JavaScript memory but large buffers (inputs, workspaces), which
    // V8 frees only when it collects: without a collection they pile up across requests. A full
    // collection costs milliseconds (more than a small product), so it runs once the requests
    // since the last one have moved COLLECT_AFTER_BYTES.
    sinceCollect += requestBytes(req);
    if (sinceCollect >= COLLECT_AFTER_BYTES) {
      collect();
      sinceCollect = 0;
    }
  })();
});

/**
 * Dense -> band (core's generator) with each large trailing update run by ONNX Runtime. One
 * buffer serves every step: the generator compacts each trailing matrix into it in place and
 * ONNX Runtime writes the update over its input, so the thread holds about n^2 doubles (as the
 * one-stage reduction's working copy).
 */
let bandWork: Float64Array | null = null;

async function bandReduce(req: BandRequest): Promise<Float64Array> {
  const s = await session('band');
  const size = Math.max(0, req.n - req.b) ** 2;
  // The workspace is kept for the next reduction: fresh memory is slow to touch (about 75 ms for
  // the 30 MB of n = 2000 on this machine) and spectra come in series (jackknife replicates).
  if (!bandWork || bandWork.length < size) bandWork = new Float64Array(size);
  const work = bandWork;
  const steps = bandReduction(req.x, req.n, req.b, (length) => work.subarray(0, length));
  let r = steps.next(undefined as unknown as Float64Array);
  while (!r.done) {
    const u: BandUpdate = r.value;
    let next: Float64Array;
    if (u.m * u.m * u.b * 6 < BACKEND_MIN_WORK) next = applyBandUpdate(u);
    else {
      // In place: A is read only by the first product and by the last Gemm, which writes OUT.
      const a = new ort!.Tensor('float64', u.a, [u.m, u.m]);
      await s.run(
        { A: a, V: new ort!.Tensor('float64', u.v, [u.m, u.b]), T: new ort!.Tensor('float64', u.t, [u.b, u.b]) },
        { OUT: new ort!.Tensor('float64', u.a, [u.m, u.m]) },
      );
      next = u.a;
    }
    r = steps.next(next);
  }
  return r.value.data;
}

/**
 * The top k eigenpairs of a symmetric n x n matrix by core's Lanczos iteration, each expansion
 * (G q and the two reorthogonalisation passes) and the final Ritz combination run by ONNX Runtime.
 * Output: [k found, iterations, values (k), vectors (k x n, rows)].
 */
async function topEigen(req: TopEigenRequest): Promise<void> {
  const { g, n, k } = req;
  const step = await session('lanczos');
  const product = await session('transposedProduct');
  const w0 = new Float64Array(n),
    w = new Float64Array(n);
  const steps = lanczosSteps(n, k);
  let r = steps.next(undefined as unknown as LanczosReply);
  while (!r.done) {
    const q = r.value;
    const basis = new ort!.Tensor('float64', q.basis.subarray(0, q.count * n), [q.count, n]);
    if (q.kind === 'expand') {
      const last = q.basis.subarray((q.count - 1) * n, q.count * n);
      await step.run(
        { G: new ort!.Tensor('float64', g, [n, n]), Q: basis, q: new ort!.Tensor('float64', last, [n, 1]) },
        { W0: new ort!.Tensor('float64', w0, [n, 1]), W: new ort!.Tensor('float64', w, [n, 1]) },
      );
      let alpha = 0;
      for (let i = 0; i < n; i++) alpha += last[i] * w0[i];
      r = steps.next({ alpha, w });
    } else {
      // (C Q)^T = Q^T C^T, n x rows: more rows than columns (see the note at the top).
      const outT = new Float64Array(n * q.rows);
      await product.run({ A: basis, B: new ort!.Tensor('float64', q.coefficients, [q.rows, q.count]) }, { C: new ort!.Tensor('float64', outT, [n, q.rows]) });
      r = steps.next(transpose(outT, n, q.rows));
    }
  }
  const { values, vectors, k: found, iterations } = r.value;
  req.out[0] = found;
  req.out[1] = iterations;
  req.out.set(values, 2);
  req.out.set(vectors, 2 + k);
}

/** C = A B^T; computed as (B A^T)^T when A has fewer rows than B (see the note at the top). */
async function productTransB(req: ProductRequest): Promise<void> {
  const s = await session('productTransB');
  const { a, b, n, k, m } = req;
  if (n >= m) {
    const c = new Float64Array(n * m);
    await s.run({ A: new ort!.Tensor('float64', a, [n, k]), B: new ort!.Tensor('float64', b, [m, k]) }, { C: new ort!.Tensor('float64', c, [n, m]) });
    req.out.set(c);
  } else {
    const ct = new Float64Array(m * n);
    await s.run({ A: new ort!.Tensor('float64', b, [m, k]), B: new ort!.Tensor('float64', a, [n, k]) }, { C: new ort!.Tensor('float64', ct, [m, n]) });
    req.out.set(transpose(ct, m, n));
  }
}
