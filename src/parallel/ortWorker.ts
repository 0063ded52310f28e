/**
 * The ONNX Runtime products thread: holds two cached float64 sessions (X X^T and X^T X, symbolic
 * sizes) and serves synchronous requests from the main thread: inputs arrive as transferred
 * (unshared) buffers, outputs go to a SharedArrayBuffer, completion is signalled with
 * Atomics.notify on control[0] (1 = done, 2 = failed).
 */

import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

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

type Request = GramRequest;

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

let ort: Ort | null = null;
const sessions = new Map<string, Promise<Session>>();

function session(kind: 'rows' | 'cols'): Promise<Session> {
  let s = sessions.get(kind);
  if (!s) {
    ort ??= require('onnxruntime-node') as Ort;
    s = ort.InferenceSession.create(gramModel(kind), { intraOpNumThreads: (workerData as { threads: number }).threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', enableCpuMemArena: false, enableMemPattern: false });
    sessions.set(kind, s);
  }
  return s;
}

parentPort!.on('message', (req: Request) => {
  void (async () => {
    try {
      // Inputs arrive as transferred, unshared buffers (onnxruntime-node takes no SharedArrayBuffer).
      const s = await session(req.side);
      const tensor = (await s.run({ X: new ort!.Tensor('float64', req.x, [req.r, req.c]) })).G;
      const g = tensor.data as Float64Array;
      if (g.length !== req.out.length) throw new Error(`expected ${req.out.length} values, got ${g.length}`);
      req.out.set(g);
      tensor.dispose?.();
      Atomics.store(req.control, 0, 1);
    } catch (err) {
      Atomics.store(req.control, 0, 2);
      if (process.env.NEUROREP_DEBUG) process.stderr.write(`neurorep products thread: ${(err as Error).stack}\n`);
    }
    Atomics.notify(req.control, 0);
  })();
});
