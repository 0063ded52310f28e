/**
 * Run an ONNX model with onnxruntime-node and collect intermediate tensors: the requested node
 * outputs are added to the graph's outputs (the model is edited with onnx-proto's generated
 * protobuf classes, never by hand), inputs are fed in batches (one at a time when the model's
 * batch dimension is fixed), and each layer's activations are spilled to disk per batch so memory
 * stays bounded however many inputs there are.
 */

import { writeAtomically } from '../../src/io/files.js';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { Zip, ZipPassThrough } from 'fflate';
import { InputError } from '../../src/core/matrix.js';
import { readInputFile } from '../../src/io/matrixFile.js';
import { encodeNpyHeader } from '../../src/io/npy.js';

const require = createRequire(import.meta.url);
type OnnxProto = typeof import('onnx-proto').onnx;
const { onnx } = require('onnx-proto') as { onnx: OnnxProto };
type ModelProto = InstanceType<OnnxProto['ModelProto']>;
type Ort = typeof import('onnxruntime-node');

/** Node types whose outputs count as activations (the default layers). */
export const ACTIVATION_OPS = new Set([
  'Relu',
  'LeakyRelu',
  'PRelu',
  'Elu',
  'Selu',
  'Celu',
  'Sigmoid',
  'HardSigmoid',
  'Tanh',
  'Softplus',
  'Softsign',
  'Gelu',
  'HardSwish',
  'Mish',
  'ThresholdedRelu',
  'Softmax',
]);

export interface OnnxModel {
  path: string;
  /** The decoded model (an onnx-proto ModelProto; opaque so that the public types need no protobuf typings). */
  proto: unknown;
  /** The real inputs (graph inputs that are not initializers). */
  inputs: { name: string; dims: (number | string)[] }[];
  outputs: string[];
  /** Every node output, in graph order, with its op type. */
  tensors: { name: string; op: string }[];
}

const asNumber = (v: unknown): number => (typeof v === 'number' ? v : Number((v as { toString(): string }).toString()));

export function loadOnnxModel(path: string): OnnxModel {
  const bytes = readInputFile(path);
  let proto: ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new InputError(`${path}: not an ONNX model (protobuf decoding failed: ${(err as Error).message})`);
  }
  if (!proto.graph || !proto.graph.node || proto.graph.node.length === 0 || !proto.graph.input?.length) {
    throw new InputError(`${path}: not an ONNX model (no graph with nodes and inputs)`);
  }
  const inits = new Set((proto.graph.initializer ?? []).map((i) => i.name));
  const inputs = proto.graph.input
    .filter((i) => !inits.has(i.name ?? ''))
    .map((i) => ({
      name: i.name ?? '',
      dims: (i.type?.tensorType?.shape?.dim ?? []).map((d) =>
        d.dimParam ? d.dimParam : d.dimValue !== undefined && d.dimValue !== null ? asNumber(d.dimValue) : '?',
      ),
    }));
  const tensors = proto.graph.node.flatMap((n) => (n.output ?? []).map((o) => ({ name: o, op: n.opType ?? '' })));
  return { path, proto, inputs, outputs: (proto.graph.output ?? []).map((o) => o.name ?? ''), tensors };
}

/** Activation outputs (Relu and friends) and the graph outputs, in graph order. */
export function defaultLayers(m: OnnxModel): string[] {
  const acts = m.tensors.filter((t) => ACTIVATION_OPS.has(t.op)).map((t) => t.name);
  return [...acts, ...m.outputs.filter((o) => !acts.includes(o))];
}

/** The model's bytes with the given tensors added as graph outputs. */
export function exposeTensors(m: OnnxModel, names: string[]): Uint8Array {
  const proto = onnx.ModelProto.decode(onnx.ModelProto.encode(m.proto as ModelProto).finish());
  const graph = proto.graph!;
  const known = new Map((graph.valueInfo ?? []).map((v) => [v.name, v]));
  const existing = new Set((graph.output ?? []).map((o) => o.name));
  for (const name of names) {
    if (existing.has(name)) continue;
    const info = known.get(name);
    graph.output!.push(
      info ? onnx.ValueInfoProto.create(info) : onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } }),
    );
  }
  return onnx.ModelProto.encode(proto).finish();
}

export interface ActivationRun {
  layers: { name: string; shape: number[] }[];
  samples: number;
  batch: number;
  inputName: string;
  modelInputShape: (number | string)[];
}

/** Parse '1/255', '0.5', '2' into a factor. */
export function parseScale(text: string): number {
  const m = /^\s*([0-9.eE+-]+)\s*(?:\/\s*([0-9.eE+-]+))?\s*$/.exec(text);
  const v = m ? Number(m[1]) / (m[2] !== undefined ? Number(m[2]) : 1) : NaN;
  if (!Number.isFinite(v)) throw new InputError(`\`scale\` expects a number or a fraction such as 1/255, got '${text}'`);
  return v;
}

/**
 * Run the model on n inputs (row-major, per-sample shape `sampleShape`) and write the requested
 * tensors to an .npz at `out` (float32, one array per layer, plus `input` when asked).
 */
export async function runOnnxActivations(
  model: OnnxModel,
  inputs: { data: Float64Array; n: number; sampleShape: number[]; what: string },
  opts: {
    layers?: string[];
    scale?: number;
    batch?: number;
    out: string;
    includeInput?: boolean;
    extra?: [string, { data: ArrayLike<number>; shape: number[] }][];
    onProgress?: (done: number, total: number) => void;
  },
): Promise<ActivationRun> {
  if (model.inputs.length !== 1) throw new InputError(`${model.path}: models with ${model.inputs.length} inputs are not supported (one input tensor expected)`);
  const input = model.inputs[0];
  const valid = model.tensors.map((t) => t.name);
  const layers = opts.layers ?? defaultLayers(model);
  const unknown = layers.filter((l) => !valid.includes(l) && !model.outputs.includes(l));
  if (unknown.length) throw new InputError(`${model.path}: no tensor named ${unknown.map((u) => `'${u}'`).join(', ')}; valid names: ${valid.join(', ')}`);

  // The model's per-sample shape: every dimension after the batch axis must be fixed.
  const [batchDim, ...rest] = input.dims;
  if (rest.some((d) => typeof d !== 'number'))
    throw new InputError(`${model.path}: input '${input.name}' has symbolic non-batch dimensions (${input.dims.join(', ')})`);
  const perSample = (rest as number[]).reduce((a, b) => a * b, 1);
  const given = inputs.sampleShape.reduce((a, b) => a * b, 1);
  if (given !== perSample) {
    throw new InputError(
      `${inputs.what}: inputs of shape (${[inputs.n, ...inputs.sampleShape].join(', ')}) do not fit model input '${input.name}' of shape (${input.dims.join(', ')}): ${given} values per sample, the model wants ${perSample}`,
    );
  }
  const fixedBatch = typeof batchDim === 'number';
  if (fixedBatch && batchDim !== 1)
    throw new InputError(`${model.path}: input batch dimension is fixed at ${batchDim}; only 1 or a dynamic batch is supported`);
  const batch = fixedBatch ? 1 : Math.max(1, opts.batch ?? 256);

  const ort = await loadOnnxRuntime();
  let session: Awaited<ReturnType<Ort['InferenceSession']['create']>>;
  try {
    session = await ort.InferenceSession.create(exposeTensors(model, layers), { graphOptimizationLevel: 'disabled', intraOpNumThreads: 2 });
  } catch (err) {
    throw new InputError(`${model.path}: onnxruntime could not load the model: ${(err as Error).message}`);
  }
  const scale = opts.scale ?? 1;
  const spill = mkdtempSync(join(tmpdir(), 'neurorep-acts-'));
  const files = layers.map((_, i) => join(spill, `${i}.f32`));
  const fds = files.map((f) => openSync(f, 'w'));
  const shapes: number[][] = layers.map(() => []);
  try {
    const buf = new Float32Array(batch * perSample);
    for (let start = 0; start < inputs.n; start += batch) {
      const count = Math.min(batch, inputs.n - start);
      for (let k = 0; k < count * perSample; k++) buf[k] = inputs.data[start * perSample + k] * scale;
      const feed = new ort.Tensor('float32', buf.slice(0, count * perSample), [count, ...(rest as number[])]);
      let result: Record<string, { data: unknown; dims: readonly number[] }>;
      try {
        result = (await session.run({ [input.name]: feed }, layers)) as never;
      } catch (err) {
        throw new InputError(`${model.path}: onnxruntime failed on inputs ${start}-${start + count - 1}: ${(err as Error).message}`);
      }
      layers.forEach((name, i) => {
        const t = result[name];
        const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>);
        if (shapes[i].length === 0) shapes[i] = [...t.dims.slice(1)];
        writeSync(fds[i], new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      });
      opts.onProgress?.(Math.min(inputs.n, start + count), inputs.n);
    }
  } finally {
    fds.forEach((fd) => closeSync(fd));
    await session.release();
  }
  try {
    const arrays: StreamedArray[] = layers.map((name, i) => ({ name, shape: [inputs.n, ...shapes[i]], file: files[i] }));
    if (opts.includeInput) {
      const scaled = new Float32Array(inputs.n * perSample);
      for (let k = 0; k < scaled.length; k++) scaled[k] = inputs.data[k] * scale;
      arrays.push({ name: 'input', shape: [inputs.n, perSample], data: scaled });
    }
    for (const [name, a] of opts.extra ?? []) arrays.push({ name, shape: a.shape, data: Float32Array.from(a.data) });
    writeNpzStreamed(opts.out, arrays);
  } finally {
    rmSync(spill, { recursive: true, force: true });
  }
  return {
    layers: layers.map((name, i) => ({ name, shape: [inputs.n, ...shapes[i]] })),
    samples: inputs.n,
    batch,
    inputName: input.name,
    modelInputShape: input.dims,
  };
}

interface StreamedArray {
  name: string;
  shape: number[];
  /** float32 data either in a raw spill file or in memory. */
  file?: string;
  data?: Float32Array;
}

/** Write float32 arrays as an uncompressed .npz, streaming spill files through in 4 MiB chunks. */
function writeNpzStreamed(out: string, arrays: StreamedArray[]): void {
  writeAtomically(out, (tmp) => {
    const fd = openSync(tmp, 'w');
    let failed: unknown = null;
    try {
      // fflate calls back synchronously for passthrough entries: each chunk is on disk before the next read.
      const zip = new Zip((err, chunk) => {
        if (err) failed = err;
        else writeSync(fd, chunk);
      });
      for (const a of arrays) {
        const entry = new ZipPassThrough(`${a.name}.npy`);
        zip.add(entry);
        entry.push(encodeNpyHeader(a.shape, 'f4'));
        if (a.data) entry.push(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength), true);
        else {
          const src = openSync(a.file!, 'r');
          const chunk = Buffer.allocUnsafe(1 << 22);
          let got: number;
          let pending: Uint8Array | null = null;
          while ((got = readSync(src, chunk, 0, chunk.length, null)) > 0) {
            if (pending) entry.push(pending);
            pending = Uint8Array.from(chunk.subarray(0, got));
          }
          closeSync(src);
          entry.push(pending ?? new Uint8Array(0), true);
        }
      }
      zip.end();
      if (failed) throw failed;
    } finally {
      closeSync(fd);
    }
  });
}

/**
 * ONNX Runtime for Node, an optional peer dependency: its install script downloads GPU libraries
 * from outside the npm registry, so a library user installs it only when running models.
 */
export async function loadOnnxRuntime(): Promise<Ort> {
  try {
    return await import('onnxruntime-node');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw err;
    throw new InputError(
      'running an ONNX model needs ONNX Runtime for Node, an optional dependency of neurorep that is not installed here: npm install onnxruntime-node@1.30 (on a machine that reaches only the npm registry: ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node@1.30; its CPU libraries come with the package)',
    );
  }
}
