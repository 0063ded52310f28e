/**
 * neurorep: complexity and dimensionality of neural representations, for brains and networks.
 *
 * This is the public API (what `import ... from 'neurorep'` gives). It re-exports the pure core
 * (`neurorep/core`, browser-safe) and adds what needs Node.js: reading NWB recordings and matrix
 * files, running ONNX models, the analysis pipelines the CLI runs, and the run store.
 *
 * Work runs on the calling thread unless useWorkerThreads() is called once (the CLI does); large
 * Gram and covariance products go through ONNX Runtime after useOnnxProducts() (the CLI does).
 * The numbers do not depend on either (threads: bit for bit; products: to 1e-13 relative).
 */

export * from './core/index.js';

// Pipelines: what each CLI command computes, as functions.
export { analyzeNwb, type AnalyzeOptions, type AnalyzeResult, type SlidingWindows, type TimeResolved } from './analysis/analyzeNwb.js';
export { profileGroup, type GroupProfile, type ProfileOptions } from './analysis/profile.js';
export { profileNetwork, profileActivationFile, type Layer, type NetworkProfile, type NetworkOptions, type ActivationFileOptions } from './analysis/network.js';
export { trainingDynamics, type Checkpoint, type Dynamics } from './analysis/dynamics.js';
export { compareRuns, type Comparison, type CompareOptions } from './analysis/compare.js';
export {
  expandMetrics,
  METRIC_GROUPS,
  type Similarities,
  type SimilarityTable,
  type AreaMapping,
  type AreaCeiling,
  type TimeCourse,
} from './analysis/similarityTables.js';
export { syntheticSession, syntheticNetwork, sessionNwbSpec, firstAppearance, type SyntheticSession } from './analysis/synthetic.js';

// Files.
export { readMatrixFile, inspectMatrixFile, writeNpy, writeNpz, type LoadedMatrix } from './io/matrixFile.js';
export { NwbFile, lockResponses, nwbInventory, type LockOptions, type LockedResponses, type NwbInventory } from '../adapters/nwb/index.js';
export { writeNwbFile, type NwbSpec } from '../adapters/nwb/write.js';
export { readActivations, type ActivationSet } from '../adapters/network/index.js';
export { loadOnnxModel, runOnnxActivations, type OnnxModel } from '../adapters/network/onnx.js';

// The run store.
export { RunStore, type RunSummary, type StoredRepresentation } from './store/runStore.js';
export { assertRecord, type RunRecord } from './store/schema.js';
export { toRunRecord, sourceOf, type SourceInfo } from './store/record.js';

// Threads and the fast products backend (the CLI installs both).
export { installWorkerThreads as useWorkerThreads } from './runtime/pool.js';
export { installOnnxProducts as useOnnxProducts } from './runtime/ortProducts.js';

import { NwbFile } from '../adapters/nwb/index.js';

/** Open an NWB 2.x file for reading (close it when done). Same as NwbFile.open. */
export function openNwb(path: string): Promise<NwbFile> {
  return NwbFile.open(path);
}
