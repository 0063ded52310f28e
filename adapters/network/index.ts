/** Network adapter: layer activations from files, and ONNX models run with onnxruntime-node. */
export { readActivations, poolMean, METADATA_ARRAYS, type ActivationSet, type Pooling } from './activations.js';
