/**
 * The ONNX Runtime products thread: holds two cached float64 sessions (X X^T and X^T X, symbolic
 * sizes) and serves synchronous requests from the main thread: inputs and outputs travel in
 * SharedArrayBuffers, completion is signalled with Atomics.notify on control[0] (1 = done,
 * 2 = failed). onnxruntime-node takes no SharedArrayBuffer, so the input is copied once.
 */

import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

const require = createRequire(import.meta.url);
type Ort = typeof import('onnxruntime-node');
type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>;

interface Request {
  x: Float64Array;
  r: number;
  c: number;
  side: 'rows' | 'cols';
  out: Float64Array;
  control: Int32Array;
}

/** Transpose + MatMul in float64, sizes symbolic so that one session serves every shape. */
function gramModel(side: 'rows' | 'cols'): Uint8Array {
  const { onnx } = require('onnx-proto') as typeof import('onnx-proto');
  const D = onnx.TensorProto.DataType.DOUBLE;
  const graph = onnx.GraphProto.create({
    name: `gram_${side}`,
    node: [
      onnx.NodeProto.create({ opType: 'Transpose', input: ['X'], output: ['XT'], name: 'transpose' }),
      onnx.NodeProto.create({ opType: 'MatMul', input: side === 'rows' ? ['X', 'XT'] : ['XT', 'X'], output: ['G'], name: 'matmul' }),
    ],
    input: [onnx.ValueInfoProto.create({ name: 'X', type: { tensorType: { elemType: D, shape: { dim: [{ dimParam: 'r' }, { dimParam: 'c' }] } } } })],
    output: [onnx.ValueInfoProto.create({ name: 'G', type: { tensorType: { elemType: D, shape: { dim: [{ dimParam: 'g' }, { dimParam: 'g' }] } } } })],
  });
  const model = onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph, producerName: 'neurorep' });
  return onnx.ModelProto.encode(model).finish();
}

let ort: Ort | null = null;
const sessions = new Map<string, Promise<Session>>();

function session(side: 'rows' | 'cols'): Promise<Session> {
  let s = sessions.get(side);
  if (!s) {
    ort ??= require('onnxruntime-node') as Ort;
    s = ort.InferenceSession.create(gramModel(side), { intraOpNumThreads: (workerData as { threads: number }).threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    sessions.set(side, s);
  }
  return s;
}

parentPort!.on('message', (req: Request) => {
  void (async () => {
    try {
      const s = await session(req.side);
      const input = new Float64Array(req.x.length);
      input.set(req.x);
      const result = await s.run({ X: new ort!.Tensor('float64', input, [req.r, req.c]) });
      const g = result.G.data as Float64Array;
      if (g.length !== req.out.length) throw new Error(`expected ${req.out.length} values, got ${g.length}`);
      req.out.set(g);
      result.G.dispose?.();
      Atomics.store(req.control, 0, 1);
    } catch (err) {
      Atomics.store(req.control, 0, 2);
      if (process.env.NEUROREP_DEBUG) process.stderr.write(`neurorep products thread: ${(err as Error).stack}\n`);
    }
    Atomics.notify(req.control, 0);
  })();
});
