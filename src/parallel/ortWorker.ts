/**
 * The ONNX Runtime products thread: holds two cached float64 sessions (X X^T and X^T X, symbolic
 * sizes) and serves synchronous requests from the main thread: inputs arrive as transferred
 * (unshared) buffers, outputs go to a SharedArrayBuffer, completion is signalled with
 * Atomics.notify on control[0] (1 = done, 2 = failed).
 */

import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { applyBandUpdate, bandReduction, type BandUpdate } from '../core/bandReduction.js';
import { BACKEND_MIN_WORK } from '../core/products.js';

const require = createRequire(import.meta.url);
type Ort = typeof import('onnxruntime-node');
type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>;

interface GramRequest {
  op: 'gram';
  x: Float64Array;
  r: number;
  c: number;
  side: 'rows' | 'cols';
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

type Request = GramRequest | BandRequest;

/**
 * One float64 Gemm with transA (X^T X) or transB (X X^T): MLAS reads the transposed operand in
 * place, so no transposed copy of X is made. Sizes symbolic: one session serves every shape.
 */
function gramModel(side: 'rows' | 'cols'): Uint8Array {
  const { onnx } = require('onnx-proto') as typeof import('onnx-proto');
  const D = onnx.TensorProto.DataType.DOUBLE;
  const flag = onnx.AttributeProto.create({ name: side === 'rows' ? 'transB' : 'transA', i: 1, type: onnx.AttributeProto.AttributeType.INT });
  const graph = onnx.GraphProto.create({
    name: `gram_${side}`,
    node: [onnx.NodeProto.create({ opType: 'Gemm', input: ['X', 'X'], output: ['G'], name: 'gemm', attribute: [flag] })],
    input: [onnx.ValueInfoProto.create({ name: 'X', type: { tensorType: { elemType: D, shape: { dim: [{ dimParam: 'r' }, { dimParam: 'c' }] } } } })],
    output: [onnx.ValueInfoProto.create({ name: 'G', type: { tensorType: { elemType: D, shape: { dim: [{ dimParam: 'g' }, { dimParam: 'g' }] } } } })],
  });
  const model = onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph, producerName: 'neurorep' });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * The trailing update of one dense -> band step (core/bandReduction.ts), one session:
 * inputs A (m x m), V (m x b), T (b x b); output A - W1 W2^T with Y = A V T,
 * Z = Y - V (T^T V^T Y) / 2, W1 = [Z V], W2 = [V Z]. The last product has inner size 2b.
 */
function bandUpdateModel(): Uint8Array {
  const { onnx } = require('onnx-proto') as typeof import('onnx-proto');
  const D = onnx.TensorProto.DataType.DOUBLE;
  const INT = onnx.AttributeProto.AttributeType.INT;
  const FLOAT = onnx.AttributeProto.AttributeType.FLOAT;
  const int = (name: string, i: number) => onnx.AttributeProto.create({ name, i, type: INT });
  const float = (name: string, f: number) => onnx.AttributeProto.create({ name, f, type: FLOAT });
  const node = (opType: string, input: string[], output: string, attribute: ReturnType<typeof int>[] = []) => onnx.NodeProto.create({ opType, input, output: [output], name: output, attribute });
  const value = (name: string, dims: string[]) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: D, shape: { dim: dims.map((dimParam) => ({ dimParam })) } } } });
  const graph = onnx.GraphProto.create({
    name: 'band_update',
    node: [
      node('MatMul', ['A', 'V'], 'AV'),
      node('MatMul', ['AV', 'T'], 'Y'),
      node('Gemm', ['V', 'Y'], 'VtY', [int('transA', 1)]),
      node('Gemm', ['T', 'VtY'], 'M', [int('transA', 1)]),
      node('Gemm', ['V', 'M', 'Y'], 'Z', [float('alpha', -0.5), float('beta', 1)]),
      node('Concat', ['Z', 'V'], 'W1', [int('axis', 1)]),
      node('Concat', ['V', 'Z'], 'W2', [int('axis', 1)]),
      node('Gemm', ['W1', 'W2', 'A'], 'OUT', [int('transB', 1), float('alpha', -1), float('beta', 1)]),
    ],
    input: [value('A', ['m', 'm']), value('V', ['m', 'b']), value('T', ['b', 'b'])],
    output: [value('OUT', ['m', 'm'])],
  });
  const model = onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph, producerName: 'neurorep' })).finish();
  return model;
}

let ort: Ort | null = null;
const sessions = new Map<string, Promise<Session>>();

function session(kind: 'rows' | 'cols' | 'band'): Promise<Session> {
  let s = sessions.get(kind);
  if (!s) {
    ort ??= require('onnxruntime-node') as Ort;
    s = ort.InferenceSession.create(kind === 'band' ? bandUpdateModel() : gramModel(kind), { intraOpNumThreads: (workerData as { threads: number }).threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', enableCpuMemArena: false, enableMemPattern: false });
    sessions.set(kind, s);
  }
  return s;
}

parentPort!.on('message', (req: Request) => {
  void (async () => {
    try {
      // Inputs arrive as transferred, unshared buffers (onnxruntime-node takes no SharedArrayBuffer).
      if (req.op === 'band') {
        req.out.set(await bandReduce(req));
      } else {
        const s = await session(req.side);
        const tensor = (await s.run({ X: new ort!.Tensor('float64', req.x, [req.r, req.c]) })).G;
        const g = tensor.data as Float64Array;
        if (g.length !== req.out.length) throw new Error(`expected ${req.out.length} values, got ${g.length}`);
        req.out.set(g);
        tensor.dispose?.();
      }
      Atomics.store(req.control, 0, 1);
    } catch (err) {
      Atomics.store(req.control, 0, 2);
      if (process.env.NEUROREP_DEBUG) process.stderr.write(`neurorep products thread: ${(err as Error).stack}\n`);
    }
    Atomics.notify(req.control, 0);
  })();
});

/** Dense -> band (core's generator) with each large trailing update run by ONNX Runtime. */
async function bandReduce(req: BandRequest): Promise<Float64Array> {
  const s = await session('band');
  const steps = bandReduction(req.x, req.n, req.b);
  let r = steps.next(undefined as unknown as Float64Array);
  while (!r.done) {
    const u: BandUpdate = r.value;
    let next: Float64Array;
    if (u.m * u.m * u.b * 6 < BACKEND_MIN_WORK) next = applyBandUpdate(u);
    else {
      const out = (await s.run({ A: new ort!.Tensor('float64', u.a, [u.m, u.m]), V: new ort!.Tensor('float64', u.v, [u.m, u.b]), T: new ort!.Tensor('float64', u.t, [u.b, u.b]) })).OUT;
      next = out.data as Float64Array;
      if (next.length !== u.m * u.m) throw new Error(`band update: expected ${u.m * u.m} values, got ${next.length}`);
    }
    r = steps.next(next);
  }
  return r.value.data;
}
