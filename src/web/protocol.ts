/** Messages between the app's page and its analysis worker. */

import type { NwbInventory } from '../../adapters/nwb/inventory.js';

/** What the user chose in the page; the same names and defaults as `neurorep analyze`'s options. */
export interface AppAnalyzeOptions {
  table?: string;
  align?: string;
  window?: [number, number];
  groupBy?: string;
  stimulus?: string;
  /** Interval groups G (0 = none; the CLI's --intervals gives 20). */
  intervals: number;
  /** Permutations for every null (0 = none; the CLI's --null gives 99). */
  nulls: number;
  seed: number;
  /** Complexity between consecutive areas. */
  transitions?: boolean;
  /** Every observable also at the smallest area's neuron count. */
  matchNeurons?: 'smallest';
  /** Rows are consecutive time bins of this width (s), for a file without interval tables. */
  bin?: number;
}

export type ToWorker = { type: 'open'; url: string } | { type: 'open'; file: File } | { type: 'analyze'; options: AppAnalyzeOptions };

export type FromWorker =
  | { type: 'opened'; inventory: NwbInventory; threads: number; fetchedBytes: number; size: number }
  | { type: 'progress'; label: string; done: number; total: number }
  | { type: 'fetched'; fetchedBytes: number; size: number }
  | { type: 'result'; record: unknown; shard: string; fetchedBytes: number; requests: number; size: number; seconds: number }
  | { type: 'error'; message: string };
