/** NWB 2.x adapter: read recordings (h5wasm) into stimulus-locked response matrices. */
export { NwbFile, isUrl, type Session, type ColumnValues, type TableInfo, type RoiSeriesInfo, type ElectricalSeriesInfo } from './reader.js';
export { alignmentHints, lockResponses, resolveTable, type LockOptions, type LockedResponses, type NeuronGroup } from './matrices.js';
export { isStimulusCandidate, nwbInventory, type ColumnStats, type NwbInventory } from './inventory.js';
export { countUnitInWindows, traceMeansInWindows, lowerBound } from './windows.js';
export { isHdf5File } from './h5Node.js';
