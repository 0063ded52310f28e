/**
 * The ONNX graphs the products thread (ortWorker.ts) runs, all float64 with symbolic sizes so
 * one session serves every shape. Every product in them has at least as many rows as columns:
 * MLAS then splits it over threads by rows and the bits do not depend on the thread count
 * (split by columns, outputs near the split differ; see ortWorker.ts).
 */

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
type OnnxProto = typeof import('onnx-proto');

/** Attributes named alpha or beta are floats, every other one an integer. */
type Attributes = Record<string, number>;

function encode(name: string, nodes: [string, string[], string, Attributes?][], inputs: [string, string[]][], outputs: [string, string[]][]): Uint8Array {
  const { onnx } = require('onnx-proto') as OnnxProto;
  const { INT, FLOAT } = onnx.AttributeProto.AttributeType;
  const value = ([n, dims]: [string, string[]]) =>
    onnx.ValueInfoProto.create({
      name: n,
      type: { tensorType: { elemType: onnx.TensorProto.DataType.DOUBLE, shape: { dim: dims.map((dimParam) => ({ dimParam })) } } },
    });
  const node = ([opType, input, output, attrs = {}]: [string, string[], string, Attributes?]) =>
    onnx.NodeProto.create({
      opType,
      input,
      output: [output],
      name: output,
      attribute: Object.entries(attrs).map(([a, v]) =>
        onnx.AttributeProto.create(a === 'alpha' || a === 'beta' ? { name: a, f: v, type: FLOAT } : { name: a, i: v, type: INT }),
      ),
    });
  const graph = onnx.GraphProto.create({ name, node: nodes.map(node), input: inputs.map(value), output: outputs.map(value) });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph, producerName: 'neurorep' })).finish();
}

/** Blocks per side of a Gram product's grid. */
export const GRAM_BLOCKS = 6;

/**
 * X X^T as the upper triangle of a K x K grid of blocks: X arrives as K row blocks X0..X{K-1}
 * (views of one buffer, nothing copied) and only the K (K + 1) / 2 products G{i}_{j} = X_i X_j^T,
 * i <= j, are computed (Gemm with transB reads the transposed operand in place), so a symmetric
 * product does not pay twice (K = 6: 21 of 36 blocks; 10000 x 2000: 1.25 s -> 0.94 s).
 */
export function gramModel(): Uint8Array {
  const nodes: [string, string[], string, Attributes][] = [];
  const outputs: [string, string[]][] = [];
  for (let i = 0; i < GRAM_BLOCKS; i++)
    for (let j = i; j < GRAM_BLOCKS; j++) {
      nodes.push(['Gemm', [`X${i}`, `X${j}`], `G${i}_${j}`, { transB: 1 }]);
      outputs.push([`G${i}_${j}`, [`r${i}`, `r${j}`]]);
    }
  const inputs = Array.from({ length: GRAM_BLOCKS }, (_, i): [string, string[]] => [`X${i}`, [`r${i}`, 'c']]);
  return encode('gram', nodes, inputs, outputs);
}

/**
 * The trailing update of one dense -> band step (core/bandReduction.ts): inputs A (m x m),
 * V (m x b), T (b x b); output A - W1 W2^T with Y = A V T, Z = Y - V (T^T V^T Y) / 2,
 * W1 = [Z V], W2 = [V Z]. The last product has inner size 2b.
 */
export function bandUpdateModel(): Uint8Array {
  return encode(
    'band_update',
    [
      ['MatMul', ['A', 'V'], 'AV'],
      ['MatMul', ['AV', 'T'], 'Y'],
      ['Gemm', ['V', 'Y'], 'VtY', { transA: 1 }],
      ['Gemm', ['T', 'VtY'], 'M', { transA: 1 }],
      ['Gemm', ['V', 'M', 'Y'], 'Z', { alpha: -0.5, beta: 1 }],
      ['Concat', ['Z', 'V'], 'W1', { axis: 1 }],
      ['Concat', ['V', 'Z'], 'W2', { axis: 1 }],
      ['Gemm', ['W1', 'W2', 'A'], 'OUT', { transB: 1, alpha: -1, beta: 1 }],
    ],
    [
      ['A', ['m', 'm']],
      ['V', ['m', 'b']],
      ['T', ['b', 'b']],
    ],
    [['OUT', ['m', 'm']]],
  );
}

/**
 * One Lanczos expansion step (core/linalg.ts, lanczosSteps): inputs G (n x n), the basis Q (j x n)
 * and its last row q (n x 1); outputs W0 = G q and W = W0 reorthogonalised against Q by classical
 * Gram-Schmidt, twice.
 */
export function lanczosModel(): Uint8Array {
  const minus = { transA: 1, alpha: -1, beta: 1 };
  return encode(
    'lanczos_step',
    [
      ['MatMul', ['G', 'q'], 'W0'],
      ['MatMul', ['Q', 'W0'], 'H1'],
      ['Gemm', ['Q', 'H1', 'W0'], 'W1', minus],
      ['MatMul', ['Q', 'W1'], 'H2'],
      ['Gemm', ['Q', 'H2', 'W1'], 'W', minus],
    ],
    [
      ['G', ['n', 'n']],
      ['Q', ['j', 'n']],
      ['q', ['n', 'one']],
    ],
    [
      ['W0', ['n', 'one']],
      ['W', ['n', 'one']],
    ],
  );
}

/** C = A^T B^T for row-major A (k x n) and B (m x k), one Gemm. */
export function transposedProductModel(): Uint8Array {
  return encode(
    'matmul_tt',
    [['Gemm', ['A', 'B'], 'C', { transA: 1, transB: 1 }]],
    [
      ['A', ['k', 'n']],
      ['B', ['m', 'k']],
    ],
    [['C', ['n', 'm']]],
  );
}

/** C = A B^T for row-major A (n x k) and B (m x k), one Gemm; callers keep n >= m. */
export function productTransBModel(): Uint8Array {
  return encode(
    'matmul_nt',
    [['Gemm', ['A', 'B'], 'C', { transB: 1 }]],
    [
      ['A', ['n', 'k']],
      ['B', ['m', 'k']],
    ],
    [['C', ['n', 'm']]],
  );
}
