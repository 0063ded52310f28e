/** `neurorep activations`: run an ONNX model on inputs and save its layer activations as .npz. */

import { defaultLayers, loadOnnxModel, loadOnnxRuntime, parseScale, runOnnxActivations } from '../../../adapters/network/onnx.js';
import { InputError } from '../../core/matrix.js';
import { parseNpy } from '../../io/npy.js';
import { readInputFile } from '../../io/matrixFile.js';
import { expectPositionals, jsonOption, UsageError } from '../args.js';
import { defineCommand } from '../command.js';
import { checkOutputPath } from '../outputPath.js';
import { toJson } from '../context.js';

export const activationsCommand = defineCommand({
  name: 'activations',
  summary: 'run an ONNX model on inputs (.npy) and save layer activations (.npz) for `network`',
  usage: 'activations <model.onnx> <inputs.npy> [--layers a,b,...] [--scale 1/255] [--labels labels.npy] --out acts.npz',
  description: [
    'Runs the model with onnxruntime (CPU), exposing the requested intermediate tensors (default:',
    'every Relu/activation output and the final output) as extra graph outputs. Inputs are',
    'multiplied by --scale and reshaped to the model input when the per-sample sizes agree',
    '(e.g. (n, 28, 28) for a (batch, 1, 28, 28) model). Batches of --batch when the model has a',
    'dynamic batch axis, one sample at a time when it is fixed. Activations are spilled to disk',
    'per batch, so memory stays bounded. The .npz holds one float32 array per layer, `input`',
    '(the scaled, flattened inputs) and `labels` when given. `neurorep activations MODEL --list`',
    'lists the tensor names.',
  ].join('\n'),
  options: {
    layers: { type: 'string', arg: 'a,b,...', help: 'tensor names to save (default: activation outputs + final output)' },
    scale: { type: 'string', arg: 'F', help: 'multiply inputs by F, e.g. 1/255 (default 1)' },
    batch: { type: 'integer', min: 1, arg: 'B', help: 'batch size for dynamic-batch models (default 256)' },
    labels: { type: 'string', input: true, arg: 'FILE', help: 'a .npy of one label per input, saved as `labels` (stimulus ids for compare)' },
    out: { type: 'string', arg: 'FILE', help: 'the .npz to write (its folder must exist)' },
    force: { type: 'boolean', help: 'replace --out when it exists' },
    list: { type: 'boolean', help: 'list the model inputs and tensor names, then stop' },
    json: jsonOption('a summary'),
  },
  async run(args, ctx) {
    const o = args.options;
    if (o.list) {
      const [modelPath] = expectPositionals(args, ['model.onnx'], 'activations --list');
      const m = loadOnnxModel(modelPath);
      const info = { inputs: m.inputs, outputs: m.outputs, tensors: m.tensors, defaultLayers: defaultLayers(m) };
      if (ctx.json) ctx.io.out(toJson(info) + '\n');
      else
        ctx.io.out(
          [
            `${modelPath}: input ${m.inputs.map((i) => `${i.name} (${i.dims.join(', ')})`).join(', ')}; outputs ${m.outputs.join(', ')}`,
            ...m.tensors.map((t) => `  ${t.name}  (${t.op})${defaultLayers(m).includes(t.name) ? '  [default]' : ''}`),
          ].join('\n') + '\n',
        );
      return 0;
    }
    const [modelPath, inputPath] = expectPositionals(args, ['model.onnx', 'inputs.npy'], 'activations');
    const out = o.out;
    if (!out) throw new UsageError('activations: --out FILE.npz is required');
    if (!out.toLowerCase().endsWith('.npz')) throw new UsageError(`--out must name an .npz file, got '${out}'`);
    checkOutputPath(out, { store: ctx.store, inputs: [modelPath, inputPath, ...(o.labels ? [o.labels] : [])], force: o.force === true });
    // Before reading any input: ONNX Runtime is an optional dependency.
    await loadOnnxRuntime();
    const model = loadOnnxModel(modelPath);
    if (!inputPath.toLowerCase().endsWith('.npy')) throw new InputError(`${inputPath}: inputs must be a .npy array with samples on the first axis`);
    const arr = parseNpy(readInputFile(inputPath), inputPath);
    if (arr.shape.length < 1 || arr.shape[0] < 1) throw new InputError(`${inputPath}: needs at least one sample on the first axis`);
    const n = arr.shape[0];
    let labels: Float64Array | null = null;
    if (o.labels) {
      const l = parseNpy(readInputFile(o.labels), o.labels);
      if (l.data.length !== n) throw new InputError(`${o.labels}: ${l.data.length} labels for ${n} inputs`);
      labels = l.data;
    }
    const layers =
      o.layers === undefined
        ? undefined
        : o.layers
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
    ctx.log(`${modelPath}: ${n} inputs, layers ${(layers ?? defaultLayers(model)).join(', ')}`);
    const run = await runOnnxActivations(
      model,
      { data: arr.data, n, sampleShape: arr.shape.slice(1), what: inputPath },
      {
        layers,
        scale: o.scale === undefined ? 1 : parseScale(o.scale),
        batch: o.batch,
        out,
        includeInput: true,
        extra: labels ? [['labels', { data: labels, shape: [n] }]] : [],
        onProgress: (d, t) => ctx.progress('inputs', d, t),
      },
    );
    if (ctx.json) ctx.io.out(toJson({ out, ...run }) + '\n');
    else
      ctx.io.out(
        `wrote ${out}: ${run.samples} samples (batch ${run.batch})\n${run.layers.map((l) => `  ${l.name}: (${l.shape.join(', ')})`).join('\n')}\nnext: npx neurorep network ${out}\n`,
      );
    return 0;
  },
});
