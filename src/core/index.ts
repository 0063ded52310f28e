/**
 * neurorep/core: the observables as pure functions on in-memory matrices. No Node.js module is
 * imported below this folder, so this entry also runs in a browser (bundled) or in Deno.
 *
 * A ResponseMatrix is stimuli (rows) x neurons (columns), row-major Float64Array data.
 */

export { responseMatrix, fromRows, validateMatrix, trialAveraged, groupRowsByStimulus, averageRowGroups, InputError, type ResponseMatrix } from './matrix.js';
export { effectiveDimension, covarianceEigenvalues, type DimensionOptions, type DimensionResult } from './dimension/effectiveDimension.js';
export { cvPCA, type CvPcaResult } from './dimension/cvPca.js';
export { spectrumObservables, powerLawExponent, type SpectrumObservables } from './dimension/spectrum.js';
export { AnalysisError } from './matrix.js';
export { correctedSpectrum, spectralDimensions, type CorrectedSpectrum, type CorrectionOptions } from './inference/spectrumCorrection.js';
export { mapComplexity, complexityNull, type ComplexityOptions, type ComplexityResult, type ComplexityDefinition } from './complexity/complexity.js';
export { patternEntropy, binarise, defaultThreshold, type PatternsOptions, type PatternsResult, type Threshold } from './patterns/patterns.js';
export { linearCka, linearGram, ckaFromGrams } from './similarity/cka.js';
export { jackknifeIntervals, type IntervalSummary } from './inference/jackknife.js';
// Comparing representations (docs/observables.md section 7).
export { linearPredictivity, heldOutCorrelations, RIDGE_GRID, type Predictivity } from './similarity/predictivity.js';
export { correlationRdm, crossValidatedRdm, euclideanRdmFromGram, upperTriangle } from './similarity/rdm.js';
export { rdmSpearman, rdmWhitenedCosine } from './similarity/rsa.js';
export { shapeDistance, shapeDistanceInSample, type ShapeDistance } from './similarity/shape.js';
export { splitHalfReliability, type SplitHalfReliability } from './similarity/ceiling.js';
export { factorOfMatrix, factorOfGram, type Factor } from './similarity/factor.js';
export { Side, type SideInput } from './similarity/side.js';
export { measure, METRICS, type Metric, type Cell, type MeasureOptions } from './similarity/measures.js';
export { mapLayers, type LayerMapping } from './similarity/layerMapping.js';
export { permutationNull, type NullSummary } from './inference/permutation.js';
export { warning, type Warning, type WarningCode } from './warnings.js';
export { Rng } from './random.js';
export { fitPowerLaw, entropy } from './stats.js';
export { foldAssignment } from './inference/resampling.js';
export { setParallelRuntime, parallelThreads, type ParallelRuntime } from './parallel.js';
export { preloadWasmKernels, setWasmKernelsEnabled, wasmKernels } from './wasm/kernels.js';
